"""Checks that python-o365 2.1.10 reads a token file the Rust crate wrote after a real sign-in.

Usage: python check_flow_token.py FILE USERNAME
Prints OK when FileSystemTokenBackend loads FILE, finds USERNAME's account with an access token
and a refresh token, and serializes the cache back to exactly the same bytes.
"""

import sys
from pathlib import Path

from O365.utils.token import FileSystemTokenBackend


def main(path: str, username: str) -> None:
    text = Path(path).read_text()
    backend = FileSystemTokenBackend(token_path=path)
    assert backend.load_token(), "load_token() returned False"
    account = backend.get_account(username=username)
    assert account is not None, backend.get_all_accounts()
    assert backend.get_access_token(username=username)["secret"].count(".") == 2
    assert backend.token_is_long_lived(username=username)
    assert backend.get_token_scopes(username=username, remove_reserved=True)
    assert backend.serialize() == text, "python-o365 re-serializes differently"
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
