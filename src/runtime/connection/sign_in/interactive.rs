//! Interactive sign-in: python-o365's paste-the-URL console flow, and a loopback redirect that
//! captures the code itself.

use std::io::{BufRead, Write};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::SignIn;
use crate::{Error, Result};

/// A callback that receives the authorization URL.
pub type UrlHook = Box<dyn FnOnce(&str) + Send>;

/// How the user gives consent in [`SignIn::interactively`].
pub enum ConsentMode {
    /// python-o365's console flow: print the URL to `output`, read the redirected URL from
    /// `input` (an empty line aborts).
    Paste {
        /// Where the prompt goes (stdout in python-o365).
        output: Box<dyn Write + Send>,
        /// Where the redirected URL comes from (stdin in python-o365).
        input: Box<dyn BufRead + Send>,
    },
    /// Listen on `127.0.0.1` on a random port, use `http://localhost:PORT/` as the redirect URI
    /// (register it for the app), and capture the code from the browser's redirect.
    Loopback {
        /// Where the URL is printed.
        output: Box<dyn Write + Send>,
        /// Also open the URL in the default browser (`xdg-open` / `open` / `start`). Opt-in.
        open_browser: bool,
        /// Called with the authorization URL (e.g. to drive a browser in tests).
        on_url: Option<UrlHook>,
        /// How long to wait for the redirect.
        timeout: Duration,
    },
}

impl ConsentMode {
    /// The console flow on stdin/stdout.
    pub fn console() -> ConsentMode {
        ConsentMode::Paste {
            output: Box::new(std::io::stdout()),
            input: Box::new(std::io::BufReader::new(std::io::stdin())),
        }
    }

    /// The loopback flow printing to stdout, waiting up to five minutes.
    pub fn loopback(open_browser: bool) -> ConsentMode {
        ConsentMode::Loopback {
            output: Box::new(std::io::stdout()),
            open_browser,
            on_url: None,
            timeout: Duration::from_secs(300),
        }
    }
}

/// The page the browser shows after the redirect.
const DONE_PAGE: &str = "<!doctype html><html><head><title>Signed in</title></head><body>\
<p>Authentication complete. You can close this window and return to the application.</p>\
</body></html>";

impl SignIn<'_> {
    /// Runs the authorization-code flow with the user: prints the URL, gets the redirect (pasted,
    /// or captured on loopback), redeems and stores the token. Returns `false` when the user
    /// aborted or the sign-in failed (the reason is printed), as python-o365 does.
    pub async fn interactively(&self, scopes: &[&str], mode: ConsentMode) -> Result<bool> {
        self.interactively_with_claims(scopes, None, mode).await
    }

    /// [`interactively`](Self::interactively) answering a claims challenge: the `claims` of an
    /// `ErrorKind::ClaimsChallenge` error ([`Error::claims_challenge`]) go into the
    /// authorization URL and the code redemption (see
    /// [`authorization_url_with_claims`](Self::authorization_url_with_claims)).
    pub async fn interactively_with_claims(
        &self,
        scopes: &[&str],
        claims: Option<&str>,
        mode: ConsentMode,
    ) -> Result<bool> {
        match mode {
            ConsentMode::Paste {
                mut output,
                mut input,
            } => {
                let (url, flow) = self.authorization_url_with_claims(scopes, None, claims)?;
                writeln!(output, "Visit the following url to give consent:\n{url}").map_err(io)?;
                writeln!(output, "Paste the authenticated url here:").map_err(io)?;
                output.flush().map_err(io)?;
                let mut line = String::new();
                input.read_line(&mut line).map_err(io)?;
                if line.trim().is_empty() {
                    writeln!(output, "Authentication Flow aborted.").map_err(io)?;
                    return Ok(false);
                }
                finish_interactive(self.request_token(line.trim(), &flow, true).await, output)
            }
            ConsentMode::Loopback {
                mut output,
                open_browser,
                on_url,
                timeout,
            } => {
                let listener = TcpListener::bind("127.0.0.1:0").await.map_err(|e| {
                    Error::config(format!(
                        "could not listen on 127.0.0.1 for the redirect: {e}"
                    ))
                })?;
                let port = listener
                    .local_addr()
                    .map_err(|e| Error::config(format!("no loopback address: {e}")))?
                    .port();
                let redirect = format!("http://localhost:{port}/");
                let (url, flow) =
                    self.authorization_url_with_claims(scopes, Some(&redirect), claims)?;
                writeln!(output, "Visit the following url to give consent:\n{url}").map_err(io)?;
                output.flush().map_err(io)?;
                if open_browser {
                    open_in_browser(&url);
                }
                if let Some(on_url) = on_url {
                    on_url(&url);
                }
                let target = tokio::time::timeout(timeout, capture_redirect(&listener))
                    .await
                    .map_err(|_| Error::identity("no redirect arrived before the timeout"))??;
                let redirected = format!("http://localhost:{port}{target}");
                finish_interactive(self.request_token(&redirected, &flow, true).await, output)
            }
        }
    }
}

fn io(e: std::io::Error) -> Error {
    Error::invalid_input(format!("console I/O failed: {e}"))
}

/// Prints python-o365's closing line for `result`; `Ok(false)` when the sign-in failed.
fn finish_interactive<T>(result: Result<T>, mut output: Box<dyn Write + Send>) -> Result<bool> {
    let (ok, text) = match &result {
        Ok(_) => (
            true,
            "Authentication Flow Completed. Oauth Access Token Stored. You can now use the API."
                .to_owned(),
        ),
        Err(err) => (
            false,
            format!("Something go wrong. Please try again. ({err})"),
        ),
    };
    writeln!(output, "{text}").map_err(io)?;
    if let Err(err) = result {
        tracing::warn!(error = %err, "interactive sign-in failed");
    }
    Ok(ok)
}

/// Answers browser requests until one carries `code` or `error`; returns its request target.
async fn capture_redirect(listener: &TcpListener) -> Result<String> {
    loop {
        let (stream, _) = listener
            .accept()
            .await
            .map_err(|e| Error::identity(format!("the loopback listener failed: {e}")))?;
        let (read, mut write) = stream.into_split();
        let mut line = String::new();
        let mut reader = BufReader::new(read);
        if reader.read_line(&mut line).await.is_err() {
            continue;
        }
        // Drain the headers so the browser sees a clean reply.
        let mut header = String::new();
        while reader.read_line(&mut header).await.is_ok_and(|n| n > 2) {
            header.clear();
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let done =
            url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "code" || k == "error");
        let (status, body) = if done {
            ("200 OK", DONE_PAGE)
        } else {
            ("404 Not Found", "")
        };
        let reply = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = write.write_all(reply.as_bytes()).await;
        let _ = write.shutdown().await;
        if done {
            return Ok(target);
        }
    }
}

fn open_in_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    if let Err(err) = std::process::Command::new(program).args(args).spawn() {
        tracing::warn!(error = %err, "could not open a browser; visit the printed URL");
    }
}
