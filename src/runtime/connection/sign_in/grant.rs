//! One token request: the form every grant shares (`client_id`, `grant_type`, `client_info=1`,
//! client authentication), the POST to the identity platform, the typed errors, and storing the
//! response in the token cache.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::assertion::{JWT_BEARER, client_assertion};
use super::random::uuid4;
use super::{Authority, DELEGATED_RESERVED_SCOPES};
use crate::runtime::connection::{Connection, Credentials, Outcome, parse_retry_after};
use crate::token::{AccountEntry, CacheContext, TokenResponse};
use crate::{Error, Result};

/// A form value; secrets stay wrapped until the body is encoded.
pub(crate) enum Value {
    Plain(String),
    Secret(SecretString),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Plain(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Plain(text)
    }
}

impl From<&SecretString> for Value {
    fn from(secret: &SecretString) -> Self {
        Value::Secret(secret.clone())
    }
}

/// A token-endpoint request: grant type, the grant's own fields (in wire order), the scopes it
/// asks for and an optional `X-AnchorMailbox` routing hint.
pub(crate) struct Grant {
    pub(crate) grant_type: &'static str,
    pub(crate) fields: Vec<(&'static str, Value)>,
    pub(crate) scopes: Vec<String>,
    pub(crate) anchor: Option<String>,
    /// Claims a resource asked for (a claims challenge), as JSON.
    pub(crate) claims: Option<String>,
}

impl Grant {
    pub(crate) fn new(grant_type: &'static str, scopes: Vec<String>) -> Grant {
        Grant {
            grant_type,
            fields: Vec::new(),
            scopes,
            anchor: None,
            claims: None,
        }
    }

    pub(crate) fn field(mut self, name: &'static str, value: impl Into<Value>) -> Grant {
        self.fields.push((name, value.into()));
        self
    }

    /// Appends `scope` (space separated), after the grant's own fields as MSAL sends it.
    pub(crate) fn with_scope(self) -> Grant {
        let scope = self.scopes.join(" ");
        self.field("scope", scope)
    }

    pub(crate) fn anchor(mut self, anchor: Option<String>) -> Grant {
        self.anchor = anchor;
        self
    }

    /// Sends `claims` (JSON, from a claims challenge) with the request.
    pub(crate) fn claims(mut self, claims: Option<&str>) -> Grant {
        self.claims = claims.map(str::to_owned);
        self
    }
}

impl Connection {
    pub(crate) fn authority(&self) -> &Authority {
        &self.identity().authority
    }

    /// The `client_secret` or `client_assertion` fields of a confidential client (none for a
    /// public one).
    fn client_authentication(&self, audience: &str) -> Result<Vec<(&'static str, Value)>> {
        Ok(match self.credentials() {
            Credentials::ClientId(_) => Vec::new(),
            Credentials::ClientSecret { secret, .. } => vec![("client_secret", secret.into())],
            Credentials::Certificate {
                client_id,
                certificate,
            } => {
                let jwt =
                    client_assertion(certificate, client_id, audience, self.clock().system_now())?;
                vec![
                    ("client_assertion_type", JWT_BEARER.into()),
                    ("client_assertion", Value::Secret(jwt)),
                ]
            }
            Credentials::FederatedToken { token_file, .. } => {
                let token = super::managed::read_federated_token(token_file)?;
                vec![
                    ("client_assertion_type", JWT_BEARER.into()),
                    ("client_assertion", Value::Secret(token)),
                ]
            }
            Credentials::ManagedIdentity(_) => {
                return Err(Error::invalid_input(
                    "a managed identity gets its tokens from the host, not the token endpoint",
                ));
            }
        })
    }

    /// POSTs `grant` to the token endpoint and decodes the token response.
    pub(crate) async fn redeem(&self, grant: Grant) -> Result<TokenResponse> {
        let endpoint = self.authority().token_endpoint();
        let mut form: Vec<(&'static str, Value)> = vec![
            ("client_id", self.credentials().id().into()),
            ("grant_type", grant.grant_type.into()),
            ("client_info", "1".into()),
        ];
        form.extend(self.client_authentication(&endpoint)?);
        form.extend(grant.fields);
        if let Some(claims) =
            super::claims::claims_parameter(self.client_capabilities(), grant.claims.as_deref())
        {
            form.push(("claims", claims.into()));
        }
        let what = format!("the {} token request", grant.grant_type);
        // One `o365.token` span per token request: the grant and the endpoint's host, never a
        // form field.
        let span = tracing::info_span!(
            "o365.token",
            grant = grant.grant_type,
            host = url::Url::parse(&endpoint)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default(),
            claims = grant.claims.is_some(),
        );
        let request = self.post_identity_form(&endpoint, form, grant.anchor.as_deref(), &what);
        tracing::Instrument::instrument(request, span).await
    }

    /// POSTs a form to an identity endpoint and decodes a 2xx JSON reply as `T`. OAuth error
    /// replies become `Identity` errors; other failures keep their transport/status kind.
    pub(crate) async fn post_identity_form<T: DeserializeOwned>(
        &self,
        endpoint: &str,
        form: Vec<(&'static str, Value)>,
        anchor: Option<&str>,
        what: &str,
    ) -> Result<T> {
        let body = {
            let mut encoder = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in &form {
                match value {
                    Value::Plain(text) => encoder.append_pair(name, text),
                    Value::Secret(secret) => encoder.append_pair(name, secret.expose_secret()),
                };
            }
            SecretString::from(encoder.finish())
        };
        let reply = self.send_identity_form(endpoint, &body, anchor).await?;
        let status = reply.status();
        let url = reply.url().clone();
        let bytes = reply.bytes().await.map_err(Error::transport)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|_| {
                Error::decode(format!(
                    "{what}: the identity platform's reply is not the expected JSON"
                ))
            });
        }
        match super::OAuthError::from_body(&bytes) {
            Some(oauth) => {
                tracing::debug!(%status, error = %oauth, "{what} was rejected");
                Err(Error::oauth(
                    format!("the identity platform rejected {what}"),
                    Some(status),
                    oauth,
                ))
            }
            None => Err(Error::from_status(status, &url, &bytes, None)),
        }
    }

    /// Sends an identity form, retrying what the identity platform did not process: connection
    /// failures, and 429/503 after `Retry-After` (or the back-off), within the Connection's retry
    /// policy and on its clock. Other replies, 4xx/5xx included, are returned.
    async fn send_identity_form(
        &self,
        endpoint: &str,
        body: &SecretString,
        anchor: Option<&str>,
    ) -> Result<reqwest::Response> {
        let anchor = anchor.map(anchor_header).transpose()?;
        let clock = self.clock();
        let (mut retries, mut waited) = (0u32, Duration::ZERO);
        loop {
            let request = self.identity_form(endpoint, body, anchor.as_ref());
            // The form is sent as POST, so only what the platform cannot have processed is retried.
            let (outcome, result) = match request.send().await {
                Ok(reply) if matches!(reply.status().as_u16(), 429 | 503) => {
                    let retry_after = parse_retry_after(reply.headers(), clock.system_now());
                    let status = reply.status();
                    (
                        Outcome::Status {
                            status,
                            retry_after,
                        },
                        Ok(reply),
                    )
                }
                Ok(reply) => return Ok(reply),
                Err(err) if err.is_connect() => (Outcome::Connection, Err(err)),
                Err(err) => return Err(Error::transport(err)),
            };
            let method = match outcome {
                Outcome::Connection => Method::GET,
                _ => Method::POST,
            };
            let policy = self.retry_policy();
            match policy.next_wait(outcome, &method, true, retries, waited) {
                Some(wait) => {
                    tracing::debug!(?outcome, ?wait, "retrying an identity request");
                    (retries, waited) = (retries + 1, waited + wait);
                    clock.sleep_until(clock.now() + wait).await;
                }
                None => return result.map_err(Error::transport),
            }
        }
    }

    /// One POST of an identity form, with a fresh `client-request-id`.
    fn identity_form(
        &self,
        endpoint: &str,
        body: &SecretString,
        anchor: Option<&HeaderValue>,
    ) -> reqwest::RequestBuilder {
        let request = self
            .direct(Method::POST, endpoint)
            .header(ACCEPT, "application/json")
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .header("client-request-id", uuid4())
            .body(body.expose_secret().to_owned());
        match anchor {
            Some(anchor) => request.header("X-AnchorMailbox", anchor.clone()),
            None => request,
        }
    }

    /// Stores a token response (python-o365: MSAL writes the cache, then `save_token`), selects
    /// the signed-in account, and saves when `save` is set. Returns the account.
    pub(crate) async fn store_token_response(
        &self,
        response: &TokenResponse,
        grant_type: &str,
        scopes: &[String],
        save: bool,
    ) -> Result<Option<AccountEntry>> {
        let ctx = CacheContext {
            client_id: self.credentials().id().to_owned(),
            environment: self.authority().environment(),
            realm: self.authority().tenant().to_owned(),
            grant_type: grant_type.to_owned(),
            requested_scopes: scopes.to_vec(),
        };
        let now = self.clock().system_now();
        let account = self
            .token_store()
            .update(|cache| cache.add_token_response(response, &ctx, now))?;
        if let Some(account) = account.as_ref().filter(|a| !a.username.is_empty()) {
            self.set_username(Some(account.username.clone()));
        }
        if save {
            self.token_store().save_token(false).await?;
        }
        Ok(account)
    }

    /// Scopes for a delegated sign-in: helper names expanded and prefixed by the protocol, the
    /// reserved ones removed and then appended unprefixed (`… offline_access openid profile`).
    pub(crate) fn delegated_scopes(&self, scopes: &[&str]) -> Result<Vec<String>> {
        let mut result: Vec<String> = self
            .protocol()
            .get_scopes_for(scopes.to_vec())
            .into_iter()
            .filter(|s| !DELEGATED_RESERVED_SCOPES.contains(&s.as_str()))
            .collect();
        if result.is_empty() {
            return Err(Error::invalid_input("Must provide at least one scope"));
        }
        result.extend(DELEGATED_RESERVED_SCOPES.map(str::to_owned));
        Ok(result)
    }

    /// Scopes for an app-only token: as given (prefixed), else the protocol's `…/.default`.
    pub(crate) fn app_scopes(&self, scopes: Option<&[&str]>) -> Vec<String> {
        match scopes {
            Some(scopes) if !scopes.is_empty() => self.protocol().get_scopes_for(scopes.to_vec()),
            _ => vec![self.protocol().prefix_scope(".default")],
        }
    }
}

/// The `X-AnchorMailbox` value for an account hint, marked sensitive.
fn anchor_header(anchor: &str) -> Result<HeaderValue> {
    let mut value = HeaderValue::try_from(anchor)
        .map_err(|_| Error::invalid_input("the account hint is not a valid header"))?;
    value.set_sensitive(true);
    Ok(value)
}
