"""Regenerates tests/fixtures/token_responses.json and tests/fixtures/python_o365_token.json.

Feeds fake identity-platform token responses (dummy JWTs, no real secrets) into python-o365
2.1.10's FileSystemTokenBackend (an msal 1.39.0 TokenCache) at fixed times and saves it the way
python-o365 does (json.dumps(indent=4)). The Rust tests replay the same responses through
`TokenCache::add_token_response` and expect byte-identical output.

Usage: python tests/python/make_fixture.py   (needs `pip install msal==1.39.0 o365==2.1.10`)
"""

import base64
import json
import tempfile
from pathlib import Path

from O365.utils.token import FileSystemTokenBackend

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AUTHORITY = "https://login.microsoftonline.com"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
TENANT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def b64url(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def fake_jwt(claims: dict) -> str:
    """An unsigned JWT with dummy claims (MSAL decodes id tokens without verification)."""
    return f"{b64url({'alg': 'none', 'typ': 'JWT'})}.{b64url(claims)}.fake-signature"


def user(oid: str, username: str, name: str) -> dict:
    claims = {
        "aud": CLIENT_ID,
        "iss": f"{AUTHORITY}/{TENANT}/v2.0",
        "iat": 1700000000,
        "nbf": 1700000000,
        "exp": 1700003600,
        "name": name,
        "oid": oid,
        "preferred_username": username,
        "sub": f"sub-{oid}",
        "tid": TENANT,
        "ver": "2.0",
    }
    return {
        "id_token": fake_jwt(claims),
        "client_info": b64url({"uid": oid, "utid": TENANT}),
    }


ALICE = ("00000000-0000-0000-0000-00000000a11c", "alice@contoso.example", "Alice")
ZOE = ("00000000-0000-0000-0000-000000000b0b", "zo\u00eb@contoso.example", "Zo\u00eb")


def event(now: int, realm: str, grant_type: str, requested_scope: str, response: dict) -> dict:
    """A token response of the identity platform at `now`, to a request for one Graph scope."""
    return {
        "now": now,
        "context": {"client_id": CLIENT_ID, "environment": "login.microsoftonline.com",
                    "realm": realm, "grant_type": grant_type,
                    "requested_scopes": [f"https://graph.microsoft.com/{requested_scope}"]},
        "response": response,
    }


def alice_tokens(generation: int) -> dict:
    """The first user's Mail.Read sign-in response (its `generation`-th tokens)."""
    return dict(
        token_type="Bearer",
        scope="Mail.Read User.Read profile openid email",
        expires_in=3599, ext_expires_in=3599,
        access_token=f"fake-access-token-alice-{generation}",
        refresh_token=f"fake-refresh-token-alice-{generation}",
        **user(*ALICE),
    )


EVENTS = [
    # delegated sign-in (authorization code) of a first user
    event(1700000000, "common", "authorization_code", "Mail.Read", alice_tokens(1)),
    # a second account, expires_in as a string, refresh_in and a family id
    event(1700000100, "common", "password", "Calendars.Read", dict(
        token_type="Bearer",
        scope="Calendars.Read openid profile offline_access",
        expires_in="4000", ext_expires_in="8000", refresh_in=2000, foci="1",
        access_token="fake-access-token-zoe-1",
        refresh_token="fake-refresh-token-zoe-1",
        **user(*ZOE),
    )),
    # client credentials: no id token, no refresh token, no account
    event(1700000200, TENANT, "client_credentials", ".default", dict(
        token_type="Bearer", expires_in=3599, ext_expires_in=3599,
        access_token="fake-access-token-app-1",
    )),
    # the first user refreshes: same scopes, so the same cache keys are overwritten
    event(1700003000, "common", "refresh_token", "Mail.Read", alice_tokens(2)),
]


def msal_event(event: dict) -> dict:
    ctx = event["context"]
    response = dict(event["response"])
    # As msal.oauth2cli does: the granted scopes, else the requested ones.
    scope = response["scope"].split() if "scope" in response else ctx["requested_scopes"]
    return {
        "client_id": ctx["client_id"],
        "scope": scope,
        "token_endpoint": f"{AUTHORITY}/{ctx['realm']}/oauth2/v2.0/token",
        "environment": ctx["environment"],
        "grant_type": ctx["grant_type"],
        "response": response,
        "params": None,
        "data": {"client_id": ctx["client_id"], "grant_type": ctx["grant_type"]},
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        backend = FileSystemTokenBackend(token_path=tmp, token_filename="o365_token.txt")
        for event in EVENTS:
            backend.add(msal_event(event), now=event["now"])
        assert backend.save_token()
        token_text = (Path(tmp) / "o365_token.txt").read_text()
    (FIXTURES / "python_o365_token.json").write_text(token_text)
    (FIXTURES / "token_responses.json").write_text(json.dumps(EVENTS, indent=4) + "\n")
    print("wrote", FIXTURES / "python_o365_token.json")


if __name__ == "__main__":
    main()
