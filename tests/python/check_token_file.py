"""Checks that python-o365 2.1.10 reads a token file written by the Rust crate.

Usage: python tests/python/check_token_file.py FILE
Prints OK when FileSystemTokenBackend loads FILE, finds the tokens written by
tests/token_python.rs, and serializes the cache back to exactly the same bytes.
"""

import sys
from pathlib import Path

from O365.utils.token import FileSystemTokenBackend

ADA = "ada@contoso.example"
ZOE = "zo\u00eb@contoso.example"


def main(path: str) -> None:
    text = Path(path).read_text()
    backend = FileSystemTokenBackend(token_path=path)
    assert backend.load_token(), "load_token() returned False"

    ada = backend.get_account(username=ADA)
    assert ada["home_account_id"] == "uid-ada.tid-1", ada
    assert ada["local_account_id"] == "uid-ada", ada
    assert backend.get_account(home_account_id="uid-zoe.tid-1")["username"] == ZOE
    assert len(backend.get_all_accounts()) == 2

    assert backend.get_access_token(username=ADA)["secret"] == "rust-access-token-ada"
    assert backend.get_access_token(username=ZOE)["secret"] == "rust-access-token-zoe"
    assert backend.get_refresh_token(username=ADA)["secret"] == "rust-refresh-token-ada"
    assert backend.get_id_token(username=ZOE)["secret"].endswith(".sig")
    assert backend.get_token_scopes(username=ADA, remove_reserved=True) == [
        "Mail.Read",
        "User.Read",
    ]
    assert backend.token_is_long_lived(username=ADA)
    assert not backend.token_is_expired(username=ADA)

    # The cache python-o365 would write back is byte-identical to the Rust file.
    assert backend.serialize() == text, "python-o365 re-serializes differently"
    print("OK")


if __name__ == "__main__":
    main(sys.argv[1])
