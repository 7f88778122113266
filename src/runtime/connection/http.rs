//! [`Http`]: the Connection's HTTP client and its proxy (`conn.http()`).

use super::{Connection, ProxyConfig};
use crate::Result;

/// The HTTP part of a [`Connection`] (from [`Connection::http`]): the one client every request
/// goes through, API and identity alike.
#[derive(Debug, Clone, Copy)]
pub struct Http<'c> {
    conn: &'c Connection,
}

impl Connection {
    /// The HTTP client and its proxy.
    pub fn http(&self) -> Http<'_> {
        Http { conn: self }
    }
}

impl Http<'_> {
    /// The configured HTTP client: proxy, TLS and connect timeout applied, no auth header (the
    /// pipeline adds it per request). This is what both python-o365's `get_session()` and
    /// `get_naive_session()` become: one client, one connection pool, for API and identity
    /// traffic. Requests sent on it directly bypass pacing and retries.
    pub fn client(&self) -> reqwest::Client {
        self.conn.transport_lock().1.clone()
    }

    /// Replaces the proxy of every later request, API and identity alike (`None` removes it).
    pub fn set_proxy(&self, proxy: Option<ProxyConfig>) -> Result<()> {
        let mut transport = self.conn.transport_lock().0.clone();
        transport.proxy = proxy;
        let client = transport.client()?;
        *self
            .conn
            .inner
            .transport
            .write()
            .unwrap_or_else(|p| p.into_inner()) = (transport, client);
        Ok(())
    }
}
