//! Cross-check with python-o365 2.1.10: a token file written here is read by python-o365's
//! `FileSystemTokenBackend` (`tests/python/check_token_file.py`).
//!
//! Ignored by default: it needs a Python with `msal==1.39.0 o365==2.1.10` installed, named by
//! `O365_TEST_PYTHON` (default `python3`). Run with `cargo test --test token_python -- --ignored`.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use o365::token::{CacheContext, FileTokenBackend, TokenResponse, TokenStore};
use serde_json::{Value, json};

/// Far in the future, so MSAL's searches (which drop expired access tokens) keep them.
const NOW: u64 = 4_000_000_000;

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn sign_in(name: &str, username: &str, scope: &str) -> TokenResponse {
    let uid = format!("uid-{name}");
    let claims = json!({"oid": uid, "tid": "tid-1", "sub": format!("sub-{uid}"),
                        "preferred_username": username});
    serde_json::from_value(json!({
        "token_type": "Bearer",
        "scope": scope,
        "expires_in": "3599",
        "ext_expires_in": 3599,
        "access_token": format!("rust-access-token-{name}"),
        "refresh_token": format!("rust-refresh-token-{name}"),
        "id_token": format!("{}.{}.sig", b64(&json!({"alg": "none"})), b64(&claims)),
        "client_info": b64(&json!({"uid": uid, "utid": "tid-1"})),
    }))
    .unwrap()
}

#[tokio::test]
#[ignore = "needs python-o365 2.1.10 (O365_TEST_PYTHON)"]
async fn python_o365_reads_a_file_written_here() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let store = TokenStore::new(Arc::new(FileTokenBackend::new(&path)));
    let ctx = CacheContext {
        client_id: "cid-1".into(),
        environment: "login.microsoftonline.com".into(),
        realm: "common".into(),
        grant_type: "authorization_code".into(),
        requested_scopes: vec![],
    };
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    store.update(|cache| {
        let ada = sign_in(
            "ada",
            "ada@contoso.example",
            "User.Read Mail.Read openid profile offline_access",
        );
        let zoe = sign_in("zoe", "zo\u{eb}@contoso.example", "Calendars.Read openid");
        cache.add_token_response(&ada, &ctx, now).unwrap();
        cache.add_token_response(&zoe, &ctx, now).unwrap();
    });
    assert!(store.save_token(false).await.unwrap());

    let python = std::env::var("O365_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/python/check_token_file.py"
    );
    let output = Command::new(python)
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.trim() == "OK",
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
