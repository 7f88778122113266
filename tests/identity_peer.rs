//! Sign-in against a real OAuth 2.0 server (`tests/oauth_server`, started by `.ci/peers`):
//! authorization code + PKCE captured on loopback, client credentials, refresh-token rotation,
//! and `invalid_grant` after revocation. Ignored by default; `.ci/peers` runs them with
//! `O365_PEER_OAUTH_URL` set, and they fail (not skip) without it.

use std::time::Duration;

use o365::identity::ConsentMode;
use o365::token::{FileTokenBackend, TokenBackend};
use o365::{AuthFlowType, Connection, Credentials, ErrorKind};
use secrecy::ExposeSecret;

const TENANT: &str = "tenant-1";
const USER: &str = "peer.user@contoso.test";

fn server_url() -> String {
    std::env::var("O365_PEER_OAUTH_URL")
        .expect("O365_PEER_OAUTH_URL must name the running tests/oauth_server (see .ci/peers)")
}

fn connection(
    flow: AuthFlowType,
    credentials: Credentials,
    token_file: &std::path::Path,
) -> Connection {
    Connection::builder(credentials)
        .auth_flow(flow)
        .tenant_id(TENANT)
        .authority(server_url())
        .token_backend(FileTokenBackend::new(token_file))
        .build()
        .unwrap()
}

/// Plays the browser: follows the authorization URL's redirect to the loopback listener.
fn browser() -> Option<o365::identity::UrlHook> {
    Some(Box::new(|url: &str| {
        let url = url.to_owned();
        tokio::spawn(async move {
            let reply = reqwest::get(&url).await.expect("the loopback redirect");
            assert_eq!(reply.status(), 200);
        });
    }))
}

/// Signs in interactively for Mail.Read, the browser played by [`browser`]; asserts success.
async fn sign_in_on_loopback(conn: &Connection) {
    let mode = ConsentMode::Loopback {
        output: Box::new(std::io::sink()),
        open_browser: false,
        on_url: browser(),
        timeout: Duration::from_secs(30),
    };
    assert!(
        conn.authenticate_interactively(&["Mail.Read"], mode)
            .await
            .unwrap()
    );
}

/// The refresh token held in memory for `user` (or the first account).
fn refresh_secret(conn: &Connection, user: Option<&str>) -> String {
    conn.token_store().read(|c| {
        c.get_refresh_token(user)
            .unwrap()
            .secret
            .expose_secret()
            .to_owned()
    })
}

/// The access token held in memory.
fn access_secret(conn: &Connection) -> String {
    conn.token_store().read(|c| {
        c.get_access_token(None)
            .unwrap()
            .secret
            .expose_secret()
            .to_owned()
    })
}

async fn stored(path: &std::path::Path) -> String {
    let text = FileTokenBackend::new(path)
        .load()
        .await
        .unwrap()
        .expect("token file");
    text.expose_secret().to_owned()
}

#[tokio::test]
#[ignore = "needs tests/oauth_server running (.ci/peers)"]
async fn authorization_code_with_pkce_on_loopback_then_rotating_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let conn = connection(
        AuthFlowType::Public,
        Credentials::client_id("peer-public"),
        &path,
    );
    sign_in_on_loopback(&conn).await;
    assert_eq!(conn.username().as_deref(), Some(USER));
    let first = refresh_secret(&conn, Some(USER));
    let signed_in = stored(&path).await;
    assert!(signed_in.contains(&first));

    // The server rotates refresh tokens: each is good once.
    assert!(conn.refresh_token().await.unwrap());
    let second = refresh_secret(&conn, Some(USER));
    assert_ne!(first, second);
    assert!(stored(&path).await.contains(&second));

    // A process still holding the old file would present the used token: rejected, typed.
    let old_path = dir.path().join("old.txt");
    std::fs::write(&old_path, &signed_in).unwrap();
    let stale = connection(
        AuthFlowType::Public,
        Credentials::client_id("peer-public"),
        &old_path,
    );
    let err = stale.refresh_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Identity);
    assert!(err.oauth_error().unwrap().is_invalid_grant(), "{err}");

    if let Ok(out) = std::env::var("O365_PEER_TOKEN_OUT") {
        std::fs::write(out, stored(&path).await).unwrap();
    }
}

#[tokio::test]
#[ignore = "needs tests/oauth_server running (.ci/peers)"]
async fn client_credentials_with_secret_and_a_wrong_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.txt");
    let conn = connection(
        AuthFlowType::Credentials,
        Credentials::client_secret("peer-confidential", "peer-secret"),
        &path,
    );
    conn.request_token_for_client(None, true).await.unwrap();
    let first = access_secret(&conn);
    assert_eq!(first.split('.').count(), 3, "a signed JWT");
    assert_eq!(conn.username(), None);
    // Renewal is a new client-credentials grant with the remembered scope.
    conn.refresh_token().await.unwrap();
    let second = access_secret(&conn);
    assert_ne!(first, second);

    let wrong = connection(
        AuthFlowType::Credentials,
        Credentials::client_secret("peer-confidential", "nope"),
        &dir.path().join("x.txt"),
    );
    let err = wrong
        .request_token_for_client(None, false)
        .await
        .unwrap_err();
    let oauth = err.oauth_error().expect("typed OAuth error");
    assert!(oauth.is_invalid_client());
    assert_eq!(oauth.aadsts(), Some(7000215));
}

#[tokio::test]
#[ignore = "needs tests/oauth_server running (.ci/peers)"]
async fn revoked_refresh_tokens_give_invalid_grant_and_stay_stored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let conn = connection(
        AuthFlowType::Authorization,
        Credentials::client_secret("peer-confidential", "peer-secret"),
        &path,
    );
    sign_in_on_loopback(&conn).await;
    let rt = refresh_secret(&conn, None);

    let admin = format!("{}/admin/revoke", server_url());
    assert_eq!(
        reqwest::Client::new()
            .post(admin)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let err = conn.refresh_token().await.unwrap_err();
    let oauth = err.oauth_error().expect("typed OAuth error");
    assert!(oauth.is_invalid_grant());
    assert_eq!(oauth.aadsts(), Some(50173));
    assert!(
        stored(&path).await.contains(&rt),
        "the refresh token is not deleted"
    );
}
