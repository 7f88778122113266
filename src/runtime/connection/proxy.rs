//! Proxy settings (python-o365's `proxy_server`, `proxy_port`, `proxy_username`,
//! `proxy_password`, `proxy_http_only`). The same proxy carries API and identity traffic.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// An HTTP proxy for every request of a Connection.
#[derive(Clone)]
pub struct ProxyConfig {
    server: String,
    port: u16,
    username: Option<String>,
    password: Option<SecretString>,
    http_only: bool,
}

impl ProxyConfig {
    /// A proxy at `server` (a host name, or a URL such as `http://proxy.corp`) on port 8080.
    pub fn new(server: impl Into<String>) -> ProxyConfig {
        ProxyConfig {
            server: server.into(),
            port: 8080,
            username: None,
            password: None,
            http_only: false,
        }
    }

    /// The proxy's port (default 8080).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Basic credentials for the proxy; used only when both are non-empty, as in python-o365.
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(SecretString::from(password.into()));
        self
    }

    /// Speak plain HTTP to the proxy even if `server` says `https://`. (python-o365 speaks TLS to
    /// the proxy for HTTPS traffic unless this is set — a frequent complaint; here plain HTTP
    /// with `CONNECT` is the default and `https://` must be asked for in `server`.)
    pub fn http_only(mut self, on: bool) -> Self {
        self.http_only = on;
        self
    }

    /// The proxy URL, credentials percent-encoded.
    pub(crate) fn url(&self) -> crate::Result<url::Url> {
        let (scheme, host) = match self.server.split_once("://") {
            Some((scheme, host)) if !self.http_only => (scheme, host),
            Some((_, host)) => ("http", host),
            None => ("http", self.server.as_str()),
        };
        let host = host.trim_end_matches('/');
        let mut url = url::Url::parse(&format!("{scheme}://{host}"))
            .map_err(|e| crate::Error::config(format!("invalid proxy server {host:?}: {e}")))?;
        url.set_port(Some(self.port))
            .map_err(|()| crate::Error::config(format!("invalid proxy server {host:?}")))?;
        if let (Some(user), Some(pass)) = (&self.username, &self.password)
            && !user.is_empty()
            && !pass.expose_secret().is_empty()
        {
            let bad = |()| crate::Error::config("proxy credentials cannot be set on this URL");
            url.set_username(user).map_err(bad)?;
            url.set_password(Some(pass.expose_secret())).map_err(bad)?;
        }
        Ok(url)
    }

    pub(crate) fn to_reqwest(&self) -> crate::Result<reqwest::Proxy> {
        reqwest::Proxy::all(self.url()?)
            .map_err(|e| crate::Error::config("invalid proxy").with_source(e))
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("http_only", &self.http_only)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_defaults_to_plain_http_and_encodes_credentials() {
        let p = ProxyConfig::new("proxy.corp").credentials("dom\\user", "p@ss:w/rd");
        assert_eq!(
            p.url().unwrap().as_str(),
            "http://dom%5Cuser:p%40ss%3Aw%2Frd@proxy.corp:8080/"
        );
        let p = ProxyConfig::new("https://proxy.corp").port(3128);
        assert_eq!(p.url().unwrap().as_str(), "https://proxy.corp:3128/");
        assert_eq!(
            p.http_only(true).url().unwrap().as_str(),
            "http://proxy.corp:3128/"
        );
    }

    #[test]
    fn credentials_need_both_parts_and_never_show_in_debug() {
        let p = ProxyConfig::new("proxy").credentials("user", "");
        assert_eq!(p.url().unwrap().as_str(), "http://proxy:8080/");
        let p = ProxyConfig::new("proxy").credentials("user", "topsecret");
        assert!(!format!("{p:?}").contains("topsecret"));
    }
}
