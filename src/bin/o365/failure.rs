//! Failures as a person should read them: what went wrong, what to do, and a documented exit
//! code. Messages never contain secrets (they come from [`o365::Error`]'s `Display`, which
//! strips query strings and cuts bodies, or from Graph error bodies).

use std::fmt;
use std::time::Duration;

use o365::{ErrorKind, GraphError};
use reqwest::StatusCode;

/// The documented exit codes (also printed by `o365 --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Anything else (token cache unreadable, undecodable reply, I/O).
    Generic = 1,
    /// Bad usage or configuration (clap uses 2 as well).
    Usage = 2,
    /// Not signed in, sign-in expired or refused, permission missing (401/403).
    Auth = 3,
    /// The service answered 4xx (other than 401/403/429).
    Client = 4,
    /// The service answered 5xx, or throttled (429) beyond the retries.
    Server = 5,
    /// The service could not be reached (DNS, refused, TLS, proxy, timeout).
    Network = 6,
}

/// A failure of a command.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What went wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

/// A command's result.
pub type CliResult<T = ()> = Result<T, Failure>;

const LOGIN_HINT: &str = "run `o365 login` to sign in again";

impl Failure {
    /// A failure with `exit` and `message`.
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
            hint: None,
        }
    }

    /// Bad usage or configuration.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Exit::Usage, message)
    }

    /// A local I/O failure on `what`.
    pub fn io(what: &str, err: std::io::Error) -> Failure {
        Failure::new(Exit::Generic, format!("{what}: {err}"))
    }

    /// Adds what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }

    /// No token in the cache.
    pub fn not_signed_in() -> Failure {
        Failure::new(Exit::Auth, "not signed in")
            .hint("run `o365 login` (or `o365 login --flow credentials` for app-only access)")
    }

    /// An HTTP error reply: status, the Graph error body if any, and `Retry-After`.
    pub fn http(
        status: StatusCode,
        graph: Option<&GraphError>,
        retry_after: Option<Duration>,
    ) -> Failure {
        let detail = graph
            .filter(|g| !g.code.is_empty() || !g.message.is_empty())
            .map(|g| format!(": {} {}", g.code, g.message))
            .unwrap_or_default();
        let request_id = graph
            .and_then(|g| g.inner_error.as_ref())
            .and_then(|i| i.request_id.as_deref())
            .map(|id| format!(" (request-id {id})"))
            .unwrap_or_default();
        let message = format!("the service answered {status}{detail}{request_id}");
        let code = graph.map(|g| g.code.as_str()).unwrap_or_default();
        match status.as_u16() {
            401 if code == "notAuthenticated" => Failure::not_signed_in(),
            401 => Failure::new(Exit::Auth, message).hint(LOGIN_HINT),
            403 => Failure::new(Exit::Auth, message).hint(
                "the signed-in account or app lacks a permission: add it under API permissions \
                 in the app registration, grant consent, then `o365 login --scopes …`",
            ),
            429 | 503 => {
                let wait = retry_after.map_or_else(
                    || "wait a little".to_owned(),
                    |d| format!("wait {} s (Retry-After)", d.as_secs()),
                );
                Failure::new(Exit::Server, format!("throttled: {message}"))
                    .hint(format!("{wait} and try again, or raise --retries"))
            }
            404 => Failure::new(Exit::Client, message).hint("check the path or id"),
            400..=499 => Failure::new(Exit::Client, message),
            _ => Failure::new(Exit::Server, message).hint("the service failed; try again later"),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<o365::Error> for Failure {
    fn from(err: o365::Error) -> Failure {
        let text = err.to_string();
        match err.kind() {
            ErrorKind::NotAuthenticated => Failure::not_signed_in(),
            ErrorKind::TokenExpired => Failure::new(Exit::Auth, format!("the sign-in has expired: {text}"))
                .hint(format!(
                    "refresh tokens end after 90 days without use or when revoked; {LOGIN_HINT}"
                )),
            ErrorKind::Identity => identity_failure(&err, text),
            ErrorKind::Status => match err.status() {
                Some(status) => Failure::http(status, err.graph_error(), err.retry_after()),
                None => Failure::new(Exit::Generic, text),
            },
            ErrorKind::Transport | ErrorKind::Timeout => Failure::new(Exit::Network, text)
                .hint("check the network, --base-url/--authority, and proxy settings (HTTPS_PROXY, --proxy)"),
            ErrorKind::Config | ErrorKind::InvalidInput => Failure::usage(text),
            ErrorKind::TokenStore => Failure::new(Exit::Generic, text)
                .hint("check --token-path; `o365 logout` removes a damaged cache"),
            _ => Failure::new(Exit::Generic, text),
        }
    }
}

/// A refused token request: consent missing, refresh token expired or revoked, bad secret.
fn identity_failure(err: &o365::Error, text: String) -> Failure {
    let Some(oauth) = err.oauth_error() else {
        return Failure::new(Exit::Auth, text).hint(LOGIN_HINT);
    };
    let failure = Failure::new(Exit::Auth, format!("sign-in refused: {text}"));
    if oauth.is_consent_required() {
        failure.hint(
            "consent is missing for a permission: grant it in the app registration (API \
             permissions, Grant admin consent) or sign in again with `o365 login`",
        )
    } else if oauth.is_invalid_client() {
        failure
            .hint("the client secret or certificate is wrong or expired: check O365_CLIENT_SECRET")
    } else if oauth.is_invalid_grant() {
        failure.hint(format!(
            "the refresh token expired (90 days without use), was revoked, or the password \
             changed; {LOGIN_HINT}"
        ))
    } else {
        failure.hint(LOGIN_HINT)
    }
}
