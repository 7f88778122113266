//! [`Cloud`]: the national cloud a Connection signs in to and talks to, and [`Authority`]: the
//! identity-platform endpoints derived from it (or from an override for local tests).

use std::net::{IpAddr, Ipv4Addr};

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

/// The link-local address of the Azure Instance Metadata Service (IMDS).
pub(crate) const IMDS_ADDRESS: Ipv4Addr = Ipv4Addr::new(169, 254, 169, 254);

/// Checks a managed-identity endpoint before anything is sent to it (a token request, and for
/// App Service the `X-IDENTITY-HEADER` secret): `https` is always allowed; plain `http` only to a
/// loopback host (`localhost`, `127.0.0.0/8`, `::1`: local test servers and sidecars), and for
/// an IMDS endpoint (`imds`) also to the IMDS address `169.254.169.254`. That exception exists because IMDS
/// is only served over plain http, on a link-local address that never leaves the virtual machine.
/// Anything else (another scheme, another http host, no host) is a `Config` error.
pub(crate) fn check_identity_endpoint(url: &url::Url, imds: bool) -> Result<()> {
    let host = url.host_str().unwrap_or_default();
    let allowed = match url.scheme() {
        "https" => !host.is_empty(),
        "http" => is_loopback(url) || (imds && url.host() == Some(url::Host::Ipv4(IMDS_ADDRESS))),
        _ => false,
    };
    if allowed {
        return Ok(());
    }
    let extra = if imds { ", 169.254.169.254 (IMDS)" } else { "" };
    Err(Error::config(format!(
        "the managed identity endpoint {}://{host} is refused: it must be https, or plain http \
         only to loopback (localhost, 127.0.0.0/8, ::1{extra}); nothing was sent",
        url.scheme()
    )))
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

    /// Checks `url` as an IMDS endpoint (`imds`) or an App Service one.
    fn endpoint(url: &str, imds: bool) -> Result<()> {
        check_identity_endpoint(&url::Url::parse(url).unwrap(), imds)
    }

    #[test]
    fn managed_identity_endpoints_must_be_https_except_loopback_and_the_imds_address() {
        for imds in [true, false] {
            for ok in [
                "https://169.254.169.254/metadata/identity/oauth2/token",
                "https://contoso.azurewebsites.net/msi/token",
                "http://localhost:8081/msi/token",
                "http://127.0.0.1:41234/msi/token",
                "http://127.9.9.9/msi/token",
                "http://[::1]:8081/msi/token",
            ] {
                assert!(endpoint(ok, imds).is_ok(), "{ok} (imds {imds})");
            }
            for refused in [
                "http://contoso.azurewebsites.net/msi/token",
                "http://10.0.0.4/metadata/identity/oauth2/token",
                "http://169.254.169.253/metadata/identity/oauth2/token",
                "http://localhost.contoso.test/msi/token",
                "ftp://127.0.0.1/msi/token",
                "file:///etc/passwd",
                "unix:/var/run/imds.sock",
            ] {
                let err = endpoint(refused, imds).unwrap_err();
                assert_eq!(err.kind(), crate::ErrorKind::Config, "{refused}: {err}");
                assert!(err.to_string().contains("refused"), "{err}");
            }
        }
        // The IMDS address over plain http: only for IMDS, never for App Service.
        let imds = "http://169.254.169.254/metadata/identity/oauth2/token";
        assert!(endpoint(imds, true).is_ok());
        assert_eq!(
            endpoint(imds, false).unwrap_err().kind(),
            crate::ErrorKind::Config
        );
    }

    #[test]
    fn a_refused_endpoint_error_names_the_host_but_not_the_path_or_query() {
        let err = endpoint("http://msi.contoso.test:8080/token?sig=s3cret", false).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("http://msi.contoso.test"), "{text}");
        assert!(
            !text.contains("s3cret") && !text.contains("/token"),
            "{text}"
        );
    }

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
