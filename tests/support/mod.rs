//! Shared test support: a scripted loopback HTTP/1.1 server that answers requests with a queue of
//! canned replies, records every request exactly as received, and stamps each with the time of
//! the test's `ManualClock` (so pacing is asserted on virtual time).

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use o365::clock::ManualClock;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One canned reply.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn new(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply::new(status)
            .header("content-type", "application/json")
            .body(body.to_string())
    }
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
    pub fn body(mut self, body: impl Into<String>) -> Reply {
        self.body = body.into();
        self
    }
    /// Real-time delay before answering (only for timeout tests).
    pub fn delay(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target: a path (`/v1.0/me?x=1`), or an absolute URL when sent to a proxy.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The ManualClock's elapsed time when the request arrived.
    pub at: Duration,
}

impl Recorded {
    /// All values of a header (case-insensitive name).
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
    /// The single value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        let values = self.header_values(name);
        assert!(
            values.len() <= 1,
            "header {name} sent {} times: {values:?}",
            values.len()
        );
        values.first().copied()
    }
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

#[derive(Default)]
struct State {
    replies: VecDeque<Reply>,
    fallback: Option<Reply>,
    requests: Vec<Recorded>,
}

/// The server; dropped with the test's runtime.
#[derive(Clone)]
pub struct ScriptedServer {
    state: Arc<Mutex<State>>,
    pub base: String,
}

impl ScriptedServer {
    /// Starts a server on 127.0.0.1 that stamps requests with `clock`.
    pub async fn start(clock: ManualClock) -> ScriptedServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                let clock = clock.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    while let Some(mut req) = read_request(&mut reader).await {
                        req.at = clock.elapsed();
                        let reply = {
                            let mut s = state.lock().unwrap();
                            s.requests.push(req);
                            s.replies.pop_front().or_else(|| s.fallback.clone())
                        };
                        let Some(reply) = reply else { return };
                        tokio::time::sleep(reply.delay).await;
                        let mut out = format!(
                            "HTTP/1.1 {} X\r\ncontent-length: {}\r\n",
                            reply.status,
                            reply.body.len()
                        );
                        for (k, v) in &reply.headers {
                            out.push_str(&format!("{k}: {v}\r\n"));
                        }
                        out.push_str("\r\n");
                        out.push_str(&reply.body);
                        if write.write_all(out.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        ScriptedServer { state, base }
    }

    /// Queues replies, answered in order.
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.lock().unwrap().replies.extend(replies);
    }

    /// The reply once the queue is empty (default: close the connection).
    pub fn fallback(&self, reply: Reply) {
        self.state.lock().unwrap().fallback = Some(reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("base URL has a port")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The `authorization` header of every request so far, in order.
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.requests()
            .iter()
            .map(|r| r.header("authorization").map(str::to_owned))
            .collect()
    }
}

/// The JSON body of a successful GET of `url` (no query) through `conn`.
pub async fn get_json(conn: &o365::Connection, url: &str) -> serde_json::Value {
    conn.get(url, &()).await.unwrap().json().await.unwrap()
}

async fn read_request<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Option<Recorded> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).await.ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await.ok()?;
    Some(Recorded {
        method,
        target,
        headers,
        body,
        at: Duration::ZERO,
    })
}

/// The access token every seeded cache holds.
pub const ACCESS_TOKEN: &str = "eyJ0eXAi.test-access-token.sig";

/// A Connection builder for the client `client-1` with `secret`, on `clock`, whose token cache
/// holds ACCESS_TOKEN valid until `expires_on` (epoch seconds); no pacing, jitter-free retries.
pub async fn seeded_builder(
    clock: &ManualClock,
    secret: &str,
    expires_on: u64,
) -> o365::ConnectionBuilder {
    use o365::token::TokenBackend;
    let backend = o365::token::MemoryTokenBackend::new();
    backend
        .save(secrecy::SecretString::from(token_cache_json(expires_on)))
        .await
        .unwrap();
    o365::Connection::builder(o365::Credentials::client_secret("client-1", secret))
        .token_backend(backend)
        .clock(clock.clone())
        .requests_delay(Duration::ZERO)
        .retry_policy(o365::RetryPolicy::default().jitter(false))
}

/// An MSAL-format token cache (python-o365 2.1's file format) for one account whose access
/// token expires at `expires_on` (epoch seconds).
pub fn token_cache_json(expires_on: u64) -> String {
    let home = "oid-1.tid-1";
    serde_json::json!({
        "AccessToken": {
            format!("{home}-login.microsoftonline.com-accesstoken-client-1-tid-1-mail.read user.read"): {
                "credential_type": "AccessToken",
                "secret": ACCESS_TOKEN,
                "home_account_id": home,
                "environment": "login.microsoftonline.com",
                "client_id": "client-1",
                "target": "Mail.Read User.Read",
                "realm": "tid-1",
                "token_type": "Bearer",
                "cached_at": (expires_on - 3600).to_string(),
                "expires_on": expires_on.to_string(),
                "extended_expires_on": expires_on.to_string()
            }
        },
        "Account": {
            format!("{home}-login.microsoftonline.com-tid-1"): {
                "home_account_id": home,
                "environment": "login.microsoftonline.com",
                "realm": "tid-1",
                "local_account_id": "oid-1",
                "username": "adele@contoso.test",
                "authority_type": "MSSTS",
                "account_source": "authorization_code"
            }
        },
        "IdToken": {},
        "RefreshToken": {},
        "AppMetadata": {}
    })
    .to_string()
}
