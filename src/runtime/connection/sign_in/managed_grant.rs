//! The managed identity grant: a GET to the host's endpoint (IMDS or App Service) through the
//! Connection's transport, retried while the endpoint starts, and stored like a
//! client-credentials token. What the request holds is [`ManagedIdentity`]'s (identity/managed.rs).

use std::time::Duration;

use reqwest::Method;

use crate::identity::ManagedIdentity;
use crate::runtime::connection::{Connection, Outcome, parse_retry_after};
use crate::runtime::identity::managed::refusal;
use crate::token::TokenResponse;
use crate::{Error, Result};

impl Connection {
    /// Gets a token from the managed identity endpoint and stores it like a client-credentials
    /// token.
    pub(crate) async fn managed_identity_grant(
        &self,
        identity: &ManagedIdentity,
        scopes: Vec<String>,
        store_token: bool,
    ) -> Result<()> {
        let url = identity.token_url(&scopes)?;
        let reply = self.managed_identity_reply(identity, &url).await?;
        let status = reply.status();
        let reply_url = reply.url().clone();
        let bytes = reply.bytes().await.map_err(Error::transport)?;
        if !status.is_success() {
            return Err(refusal(status, &reply_url, &bytes));
        }
        let response: TokenResponse = serde_json::from_slice(&bytes).map_err(|_| {
            Error::decode("the managed identity endpoint's reply is not a token response")
        })?;
        self.store_token_response(&response, "client_credentials", &scopes, store_token)
            .await
            .map(drop)
    }

    /// The endpoint's reply to the token GET. Retries 429 and 5xx (IMDS answers them while it
    /// starts) and connection failures within the Connection's retry policy, on its clock.
    async fn managed_identity_reply(
        &self,
        identity: &ManagedIdentity,
        url: &url::Url,
    ) -> Result<reqwest::Response> {
        let clock = self.clock();
        let policy = self.retry_policy().clone();
        let (header, value) = identity.request_header()?;
        let (mut retries, mut waited) = (0u32, Duration::ZERO);
        loop {
            let request = self
                .direct(Method::GET, url.as_str())
                .header(header, value.clone());
            let (outcome, result) = match request.send().await {
                Ok(reply) if reply.status().as_u16() == 429 || reply.status().is_server_error() => {
                    let retry_after = parse_retry_after(reply.headers(), clock.system_now());
                    let outcome = Outcome::Status {
                        status: reply.status(),
                        retry_after,
                    };
                    (outcome, Ok(reply))
                }
                Ok(reply) => return Ok(reply),
                Err(e) if e.is_timeout() => (Outcome::Timeout, Err(e)),
                Err(e) => (Outcome::Connection, Err(e)),
            };
            // A GET: every failure above may be retried.
            match policy.next_wait(outcome, &Method::GET, true, retries, waited) {
                Some(wait) => {
                    tracing::debug!(?outcome, ?wait, "retrying the managed identity request");
                    (retries, waited) = (retries + 1, waited + wait);
                    clock.sleep_until(clock.now() + wait).await;
                }
                None => return result.map_err(Error::transport),
            }
        }
    }
}
