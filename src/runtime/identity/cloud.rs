//! [`Cloud`]: the national cloud a Connection signs in to and talks to, and [`Authority`]: the
//! identity-platform endpoints derived from it (or from an override for local tests).

use std::net::IpAddr;

use crate::protocol::Protocol;
use crate::{Error, Result};

/// A Microsoft cloud. It sets the sign-in host and the Graph host (the protocol's URL and scope
/// prefix) together, so tokens are always asked for the audience that is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Cloud {
    /// The global cloud: `login.microsoftonline.com`, `graph.microsoft.com`.
    #[default]
    Public,
    /// US Government L4 (GCC High): `login.microsoftonline.us`, `graph.microsoft.us`.
    UsGovernment,
    /// US Government L5 (DoD): `login.microsoftonline.us`, `dod-graph.microsoft.us`.
    UsGovernmentDoD,
    /// China, operated by 21Vianet: `login.chinacloudapi.cn`, `microsoftgraph.chinacloudapi.cn`.
    China,
}

impl Cloud {
    /// The identity platform's base URL (no trailing `/`).
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGovernment | Cloud::UsGovernmentDoD => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The Graph host, with a trailing `/`; also the scope prefix.
    pub fn graph_host(self) -> &'static str {
        match self {
            Cloud::Public => "https://graph.microsoft.com/",
            Cloud::UsGovernment => "https://graph.microsoft.us/",
            Cloud::UsGovernmentDoD => "https://dod-graph.microsoft.us/",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn/",
        }
    }

    /// Microsoft Graph v1.0 on this cloud.
    pub fn protocol(self) -> Protocol {
        Protocol::graph_for_host(self.graph_host())
    }
}

/// The identity-platform endpoints of one tenant: `{base}/{tenant}/oauth2/v2.0/…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    base: url::Url,
    tenant: String,
}

impl Authority {
    /// The endpoints of `tenant` on `base` (e.g. `https://login.microsoftonline.com`).
    ///
    /// `base` must be `https://`; plain `http://` is accepted only for loopback hosts
    /// (`localhost`, `127.0.0.0/8`, `::1`), for local test servers.
    pub fn new(base: &str, tenant: &str) -> Result<Authority> {
        let url = url::Url::parse(base)
            .map_err(|e| Error::config(format!("invalid authority URL {base:?}: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                return Err(Error::config(format!(
                    "the authority {base:?} uses plain http: only loopback hosts \
                     (localhost, 127.0.0.0/8, ::1) may, everything else needs https"
                )));
            }
            other => {
                return Err(Error::config(format!(
                    "the authority {base:?} has scheme {other:?}; https is required"
                )));
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::config(format!("the authority {base:?} has no host")));
        }
        if tenant.is_empty() || tenant.contains(['/', '?', '#']) {
            return Err(Error::config(format!("invalid tenant {tenant:?}")));
        }
        Ok(Authority {
            base: url,
            tenant: tenant.to_owned(),
        })
    }

    /// The tenant segment (`common`, `organizations`, a domain or a GUID).
    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    /// The host (and port, if not the default) — MSAL's `environment` in cache entries.
    pub fn environment(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        }
    }

    fn endpoint(&self, name: &str) -> String {
        let base = self.base.as_str().trim_end_matches('/');
        format!("{base}/{}/oauth2/v2.0/{name}", self.tenant)
    }

    /// `…/oauth2/v2.0/authorize`.
    pub fn authorize_endpoint(&self) -> String {
        self.endpoint("authorize")
    }

    /// `…/oauth2/v2.0/token`.
    pub fn token_endpoint(&self) -> String {
        self.endpoint("token")
    }

    /// `…/oauth2/v2.0/devicecode`.
    pub fn device_code_endpoint(&self) -> String {
        self.endpoint("devicecode")
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clouds_pair_sign_in_and_graph_hosts() {
        let cases = [
            (
                Cloud::Public,
                "https://login.microsoftonline.com",
                "https://graph.microsoft.com/",
            ),
            (
                Cloud::UsGovernment,
                "https://login.microsoftonline.us",
                "https://graph.microsoft.us/",
            ),
            (
                Cloud::UsGovernmentDoD,
                "https://login.microsoftonline.us",
                "https://dod-graph.microsoft.us/",
            ),
            (
                Cloud::China,
                "https://login.chinacloudapi.cn",
                "https://microsoftgraph.chinacloudapi.cn/",
            ),
        ];
        for (cloud, login, graph) in cases {
            assert_eq!(cloud.authority_host(), login);
            assert_eq!(cloud.graph_host(), graph);
            let protocol = cloud.protocol();
            assert_eq!(protocol.service_url(), format!("{graph}v1.0/"));
            assert_eq!(
                protocol.prefix_scope(".default"),
                format!("{graph}.default")
            );
        }
    }

    #[test]
    fn endpoints_follow_the_v2_layout() {
        let a = Authority::new(
            "https://login.microsoftonline.us/",
            "contoso.onmicrosoft.us",
        )
        .unwrap();
        assert_eq!(
            a.token_endpoint(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/token"
        );
        assert_eq!(
            a.authorize_endpoint(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/authorize"
        );
        assert_eq!(
            a.device_code_endpoint(),
            "https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/v2.0/devicecode"
        );
        assert_eq!(a.environment(), "login.microsoftonline.us");
    }

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:9000",
            "http://LOCALHOST:1",
        ] {
            assert!(Authority::new(ok, "t").is_ok(), "{ok}");
        }
        for bad in [
            "http://login.microsoftonline.com",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            let err = Authority::new(bad, "t").unwrap_err();
            assert!(err.is_config(), "{bad}: {err}");
        }
        assert_eq!(
            Authority::new("http://127.0.0.1:8080", "t")
                .unwrap()
                .environment(),
            "127.0.0.1:8080"
        );
        assert!(Authority::new("https://x.example", "a/b").is_err());
    }
}
