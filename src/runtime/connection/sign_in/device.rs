//! The device-code flow (RFC 8628): show a code, poll the token endpoint until the user has
//! entered it elsewhere ([`SignIn::device_code`]).

use std::future::Future;
use std::time::Duration;

use serde::Deserialize;

use super::SignIn;
use super::grant::{Grant, Value};
use crate::runtime::connection::Connection;
use crate::token::AccountEntry;
use crate::{Error, Result};

/// The grant type of device-code polling.
const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Added to the polling interval on each `slow_down` (RFC 8628 §3.5).
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// What the user must be shown: go to `verification_uri` and enter `user_code`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DeviceCodePrompt {
    /// The code to type in.
    pub user_code: String,
    /// Where to type it.
    pub verification_uri: String,
    /// The identity platform's ready-made instruction text.
    #[serde(default)]
    pub message: String,
    /// Seconds until the code expires.
    pub expires_in: u64,
    /// Seconds to wait between polls.
    #[serde(default = "default_interval")]
    pub interval: u64,
}

fn default_interval() -> u64 {
    5
}

#[derive(Deserialize)]
struct DeviceCodeReply {
    device_code: String,
    #[serde(flatten)]
    prompt: DeviceCodePrompt,
}

impl SignIn<'_> {
    /// Device-code sign-in: asks for a code, hands it to `prompt` (print
    /// [`DeviceCodePrompt::message`]), then polls every `interval` seconds (on the Connection's
    /// clock) until the user finishes, the code expires, or `cancel` completes. Handles
    /// `authorization_pending`, `slow_down` (+5 s) and `expired_token`.
    pub async fn device_code(
        &self,
        scopes: &[&str],
        prompt: impl FnOnce(&DeviceCodePrompt) + Send,
        cancel: impl Future<Output = ()> + Send,
        store_token: bool,
    ) -> Result<Option<AccountEntry>> {
        let conn = self.conn;
        if conn.auth_flow().is_app_only() {
            return Err(Error::invalid_input(
                "the device-code flow signs in a user; the \"credentials\" flow cannot use it",
            ));
        }
        let scopes = conn.delegated_scopes(scopes)?;
        let endpoint = conn.authority().device_code_endpoint();
        let form = vec![
            ("client_id", Value::from(conn.credentials().id())),
            ("scope", Value::from(scopes.join(" "))),
        ];
        let reply: DeviceCodeReply = conn
            .post_identity_form(&endpoint, form, None, "the device code request")
            .await?;
        prompt(&reply.prompt);
        let response = tokio::select! {
            biased;
            () = cancel => return Err(Error::identity("the device-code sign-in was cancelled")),
            polled = poll_device_code(conn, &reply, &scopes) => polled?,
        };
        conn.store_token_response(&response, DEVICE_CODE_GRANT, &scopes, store_token)
            .await
    }
}

/// Polls the token endpoint with the device code until the user finishes or the code expires.
async fn poll_device_code(
    conn: &Connection,
    reply: &DeviceCodeReply,
    scopes: &[String],
) -> Result<crate::token::TokenResponse> {
    let clock = conn.clock();
    let deadline = clock.now() + Duration::from_secs(reply.prompt.expires_in);
    let mut interval = Duration::from_secs(reply.prompt.interval.max(1));
    loop {
        clock.sleep_until(clock.now() + interval).await;
        if clock.now() > deadline {
            return Err(Error::identity(
                "the device code expired before the user finished signing in",
            ));
        }
        let grant = Grant::new(DEVICE_CODE_GRANT, scopes.to_vec())
            .field("device_code", reply.device_code.as_str());
        match conn.redeem(grant).await {
            Ok(response) => return Ok(response),
            Err(err) => match err.oauth_error().map(|e| e.code.as_str()) {
                Some("authorization_pending") => {}
                Some("slow_down") => interval += SLOW_DOWN_STEP,
                _ => return Err(err),
            },
        }
    }
}
