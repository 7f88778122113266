//! Protocols: which service a connection talks to and how it spells things.
//!
//! A [`Protocol`] is an immutable value (base URL, API version, default resource, key casing,
//! OAuth scope prefix, time zone). Build one with [`Protocol::graph`], [`Protocol::office365`],
//! [`Protocol::business_central`] or [`Protocol::custom`] and adjust it with the `with_*` methods,
//! each of which returns a new value.
//!
//! ```
//! use o365::protocol::Protocol;
//!
//! let graph = Protocol::graph().with_timezone("Europe/Madrid")?;
//! assert_eq!(graph.service_url(), "https://graph.microsoft.com/v1.0/");
//! assert_eq!(graph.convert_case("is_read"), "isRead");
//! assert_eq!(graph.get_scopes_for("mailbox"), ["https://graph.microsoft.com/Mail.Read"]);
//! assert_eq!(
//!     graph.get_service_keyword("prefer_timezone_header"),
//!     Some(r#"outlook.timezone="Romance Standard Time""#)
//! );
//! # Ok::<(), o365::Error>(())
//! ```

mod casing;
mod scopes;
mod timezone;
mod windows_zones;

pub use casing::Casing;
pub use scopes::{RESERVED_SCOPES, SCOPE_HELPERS, ScopeInput};

use crate::Result;
use timezone::Zone;

/// The Microsoft Graph host of the global cloud.
pub const GRAPH_HOST: &str = "https://graph.microsoft.com/";
/// The Outlook REST v2.0 base URL.
pub const OFFICE365_URL: &str = "https://outlook.office.com/api/";
/// The Business Central host (also its OAuth resource).
pub const BUSINESS_CENTRAL_HOST: &str = "https://api.businesscentral.dynamics.com/";

/// Which family a [`Protocol`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolKind {
    /// Microsoft Graph (any cloud, any API version).
    Graph,
    /// Outlook REST v2.0 (`outlook.office.com/api`), retired by Microsoft but still modelled.
    Office365,
    /// Dynamics 365 Business Central.
    BusinessCentral,
    /// A service described only by its URL and API version.
    Custom,
}

/// A service's base URL, API version and conventions. Immutable: `with_*` return new values.
#[derive(Debug, Clone)]
pub struct Protocol {
    kind: ProtocolKind,
    protocol_url: String,
    api_version: String,
    default_resource: String,
    casing: Casing,
    scope_prefix: String,
    zone: Zone,
    max_top_value: u32,
}

/// The resource used when none is configured: the signed-in user.
const DEFAULT_RESOURCE: &str = "me";

impl Protocol {
    fn new(kind: ProtocolKind, protocol_url: &str, api_version: &str, casing: Casing) -> Protocol {
        Protocol {
            kind,
            protocol_url: protocol_url.to_owned(),
            api_version: api_version.to_owned(),
            default_resource: DEFAULT_RESOURCE.to_owned(),
            casing,
            scope_prefix: String::new(),
            zone: Zone::system(),
            max_top_value: 500,
        }
    }

    /// Microsoft Graph v1.0 on the global cloud (`https://graph.microsoft.com/`): camelCase,
    /// scopes prefixed with the Graph host, `$top` up to 999, time zone of the system (UTC if unknown).
    pub fn graph() -> Protocol {
        Protocol::graph_for_host(GRAPH_HOST)
    }

    /// Microsoft Graph beta on the global cloud.
    pub fn graph_beta() -> Protocol {
        Protocol::graph().with_api_version("beta")
    }

    /// Microsoft Graph v1.0 on another host, e.g. a national cloud (`https://graph.microsoft.us/`).
    /// The host is also the scope prefix; a missing trailing `/` is added.
    pub fn graph_for_host(host: &str) -> Protocol {
        let host = with_trailing_slash(host);
        Protocol {
            scope_prefix: host.clone(),
            max_top_value: 999,
            ..Protocol::new(ProtocolKind::Graph, &host, "v1.0", Casing::Camel)
        }
    }

    /// Outlook REST v2.0 (`https://outlook.office.com/api/v2.0/`): PascalCase, scopes prefixed with
    /// `https://outlook.office.com/`, `Microsoft.OutlookServices.*` type names.
    pub fn office365() -> Protocol {
        Protocol {
            scope_prefix: "https://outlook.office.com/".to_owned(),
            max_top_value: 999,
            ..Protocol::new(
                ProtocolKind::Office365,
                OFFICE365_URL,
                "v2.0",
                Casing::Pascal,
            )
        }
    }

    /// Business Central API v1.0. Without an environment the base URL is
    /// `https://api.businesscentral.dynamics.com/v1.0/api/`; with environment `E` it is
    /// `https://api.businesscentral.dynamics.com/v2.0/E/api/`.
    pub fn business_central(environment: Option<&str>) -> Protocol {
        let protocol_url = match environment {
            Some(environment) => format!("{BUSINESS_CENTRAL_HOST}v2.0/{environment}/api/"),
            None => format!("{BUSINESS_CENTRAL_HOST}v1.0/api/"),
        };
        Protocol {
            scope_prefix: BUSINESS_CENTRAL_HOST.to_owned(),
            max_top_value: 999,
            ..Protocol::new(
                ProtocolKind::BusinessCentral,
                &protocol_url,
                "v1.0",
                Casing::Camel,
            )
        }
    }

    /// Any service: `service_url` is `protocol_url + api_version + "/"` (plain concatenation). Keys
    /// are sent unchanged, `$top` is capped at 500, no scope prefix, no scope helpers, no keywords.
    pub fn custom(protocol_url: &str, api_version: &str) -> Protocol {
        Protocol::new(
            ProtocolKind::Custom,
            protocol_url,
            api_version,
            Casing::Unchanged,
        )
    }

    /// The same protocol with another API version (e.g. `"beta"`).
    #[must_use]
    pub fn with_api_version(self, api_version: &str) -> Protocol {
        Protocol {
            api_version: api_version.to_owned(),
            ..self
        }
    }

    /// The same protocol with another default resource (`"me"`, `"users/x@y"`, `"user:x@y"`,
    /// `"group:id"`, `"site:id"`, `"x@y"`); empty means `"me"`, as in python-o365.
    #[must_use]
    pub fn with_default_resource(self, resource: &str) -> Protocol {
        let resource = resource.trim();
        let default_resource = if resource.is_empty() {
            DEFAULT_RESOURCE
        } else {
            resource
        };
        Protocol {
            default_resource: default_resource.to_owned(),
            ..self
        }
    }

    /// The same protocol with another OAuth scope prefix (`""` disables prefixing).
    #[must_use]
    pub fn with_scope_prefix(self, prefix: &str) -> Protocol {
        Protocol {
            scope_prefix: prefix.to_owned(),
            ..self
        }
    }

    /// The same protocol with another key casing.
    #[must_use]
    pub fn with_casing(self, casing: Casing) -> Protocol {
        Protocol { casing, ..self }
    }

    /// The same protocol in the IANA time zone `name` (case-insensitive, e.g. `"Europe/Madrid"`).
    ///
    /// # Errors
    /// [`ErrorKind::Config`](crate::ErrorKind::Config) when the zone is unknown, or when this
    /// protocol sends `Prefer: outlook.timezone` and Windows has no equivalent zone.
    pub fn with_timezone(self, name: &str) -> Result<Protocol> {
        let zone = Zone::named(name)?;
        if self.has_keywords() && zone.windows().is_none() {
            return Err(crate::Error::config(format!(
                "time zone {name:?} has no Windows equivalent for the outlook.timezone preference"
            )));
        }
        Ok(Protocol { zone, ..self })
    }

    /// The protocol family.
    pub fn kind(&self) -> ProtocolKind {
        self.kind
    }

    /// The base URL without the API version, e.g. `https://graph.microsoft.com/`.
    pub fn protocol_url(&self) -> &str {
        &self.protocol_url
    }

    /// The API version, e.g. `v1.0`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// `protocol_url + api_version + "/"`, e.g. `https://graph.microsoft.com/v1.0/` (just
    /// `protocol_url` when the version is empty).
    pub fn service_url(&self) -> String {
        if self.api_version.is_empty() {
            // No version segment (a mock serving the paths at its root): no `//`.
            return self.protocol_url.clone();
        }
        format!("{}{}/", self.protocol_url, self.api_version)
    }

    /// The resource requests go to when none is given (default `me`).
    pub fn default_resource(&self) -> &str {
        &self.default_resource
    }

    /// The key casing of this protocol.
    pub fn casing(&self) -> Casing {
        self.casing
    }

    /// The prefix added to OAuth scopes (empty for custom protocols).
    pub fn scope_prefix(&self) -> &str {
        &self.scope_prefix
    }

    /// The IANA name of the protocol's time zone, e.g. `Europe/Madrid`.
    pub fn timezone(&self) -> &str {
        self.zone.iana()
    }

    /// The Windows name of the protocol's time zone, e.g. `Romance Standard Time`.
    pub fn windows_timezone(&self) -> Option<&str> {
        self.zone.windows()
    }

    pub(crate) fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The largest `$top` the service accepts (999 for Graph, 500 for custom protocols).
    pub fn max_top_value(&self) -> u32 {
        self.max_top_value
    }

    fn has_keywords(&self) -> bool {
        self.kind != ProtocolKind::Custom
    }

    /// A service-specific constant: `message_type`, `event_message_type`,
    /// `file_attachment_type`, `item_attachment_type` or `prefer_timezone_header`
    /// (`outlook.timezone="<Windows zone>"`). `None` for unknown keys and custom protocols.
    pub fn service_keyword(&self, key: &str) -> Option<&str> {
        const GRAPH: [&str; 4] = [
            "microsoft.graph.message",
            "microsoft.graph.eventMessage",
            "#microsoft.graph.fileAttachment",
            "#microsoft.graph.itemAttachment",
        ];
        const OUTLOOK: [&str; 4] = [
            "Microsoft.OutlookServices.Message",
            "Microsoft.OutlookServices.EventMessage",
            "#Microsoft.OutlookServices.FileAttachment",
            "#Microsoft.OutlookServices.ItemAttachment",
        ];
        let names = match self.kind {
            ProtocolKind::Graph | ProtocolKind::BusinessCentral => &GRAPH,
            ProtocolKind::Office365 => &OUTLOOK,
            ProtocolKind::Custom => return None,
        };
        match key {
            "message_type" => Some(names[0]),
            "event_message_type" => Some(names[1]),
            "file_attachment_type" => Some(names[2]),
            "item_attachment_type" => Some(names[3]),
            "prefer_timezone_header" => self.zone.prefer_header(),
            _ => None,
        }
    }

    /// python-o365's name for [`Protocol::service_keyword`].
    pub fn get_service_keyword(&self, key: &str) -> Option<&str> {
        self.service_keyword(key)
    }

    /// `key` in snake_case, the casing of this crate's API (`receivedDateTime` → `received_date_time`).
    pub fn to_snake_case(key: &str) -> String {
        Casing::Snake.apply(key)
    }

    /// python-o365's name for [`Protocol::to_snake_case`] (it, too, returns snake_case: the
    /// casing of the library's own API, not of the service's).
    pub fn to_api_case(key: &str) -> String {
        Protocol::to_snake_case(key)
    }

    /// `key` in this protocol's casing (`is_read` → `isRead` for Graph, `IsRead` for Outlook
    /// REST, unchanged for custom protocols). Annotations (`@odata.type`, any key starting
    /// with `@`) are returned unchanged.
    pub fn convert_case(&self, key: &str) -> String {
        if key.starts_with('@') {
            key.to_owned()
        } else {
            self.casing.apply(key)
        }
    }

    /// The OAuth scopes for helper names and/or permissions, each prefixed (see
    /// [`Protocol::prefix_scope`]), de-duplicated, in input order (helpers expand in place).
    /// `None` asks for every helper of [`SCOPE_HELPERS`]; custom protocols have no helpers.
    pub fn scopes_for(&self, scopes: impl Into<ScopeInput>) -> Vec<String> {
        let mut result: Vec<String> = Vec::new();
        for scope in scopes::expand(scopes.into(), self.has_keywords()) {
            let scope = self.prefix_scope(&scope);
            if !result.contains(&scope) {
                result.push(scope);
            }
        }
        result
    }

    /// python-o365's name for [`Protocol::scopes_for`].
    pub fn get_scopes_for(&self, scopes: impl Into<ScopeInput>) -> Vec<String> {
        self.scopes_for(scopes)
    }

    /// `scope` with this protocol's prefix, unless it is one of [`RESERVED_SCOPES`], an absolute
    /// URI of any resource (`https://x/Y`, `api://id/.default`) or already prefixed. A bare
    /// `.default` becomes this resource's `…/.default`.
    pub fn prefix_scope(&self, scope: &str) -> String {
        scopes::prefix_scope(&self.scope_prefix, scope)
    }

    /// The base URL for a resource (`None`: the default resource), without a trailing `/`:
    /// `service_url + parse_resource(resource)`; `Some("")` gives the bare service URL.
    pub fn build_base_url(&self, resource: Option<&str>) -> String {
        let resource = parse_resource(resource.unwrap_or(&self.default_resource));
        let url = format!("{}{}", self.service_url(), resource);
        url.trim_end_matches('/').to_owned()
    }
}

/// Completes resource shorthands: `user:X` → `users/X`, `group:X` → `groups/X`,
/// `site:X` → `sites/X`, `a@b` → `users/a@b`; anything else is returned trimmed.
/// (Unlike python-o365, `user:a@b` gives `users/a@b`, not `users/user:a@b`.)
pub fn parse_resource(resource: &str) -> String {
    let resource = resource.trim();
    let shorthands = [
        ("user:", "users/"),
        ("group:", "groups/"),
        ("site:", "sites/"),
    ];
    for (shorthand, collection) in shorthands {
        if let Some(rest) = resource.strip_prefix(shorthand) {
            return format!("{collection}{rest}");
        }
    }
    let first_segment = resource.split('/').next().unwrap_or_default();
    if first_segment.contains('@') {
        format!("users/{resource}")
    } else {
        resource.to_owned()
    }
}

fn with_trailing_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

#[cfg(test)]
mod tests;
