//! Settings with their precedence: flags > environment (both through clap) > the TOML config
//! file (`--config`, else `o365/config.toml` in the platform's config directory).
//!
//! ```toml
//! client_id = "00000000-0000-0000-0000-000000000000"
//! tenant_id = "contoso.onmicrosoft.com"
//! cloud = "public"            # public | us-gov | us-gov-dod | china
//! flow = "device"             # the default of `o365 login --flow`
//! scopes = ["Mail.ReadWrite", "Calendars.ReadWrite"]
//! # token_path, base_url, authority, proxy, username, client_secret (prefer the environment)
//! ```

use std::path::{Path, PathBuf};

use o365::Cloud;
use secrecy::SecretString;
use serde::Deserialize;

use crate::cli::{CloudName, FlowName, GlobalArgs};
use crate::failure::{CliResult, Failure};

/// The config file's keys; all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    client_id: Option<String>,
    client_secret: Option<String>,
    tenant_id: Option<String>,
    token_path: Option<PathBuf>,
    cloud: Option<CloudName>,
    base_url: Option<String>,
    authority: Option<String>,
    proxy: Option<String>,
    username: Option<String>,
    flow: Option<FlowName>,
    scopes: Option<Vec<String>>,
}

/// The resolved settings of one invocation.
#[derive(Debug)]
pub struct Settings {
    /// Application (client) id.
    pub client_id: Option<String>,
    /// Client secret, for confidential flows.
    pub client_secret: Option<SecretString>,
    /// Tenant, when set anywhere.
    pub tenant_id: Option<String>,
    /// The token cache file.
    pub token_path: PathBuf,
    /// The national cloud.
    pub cloud: Cloud,
    /// Graph base URL override.
    pub base_url: Option<String>,
    /// Identity platform override.
    pub authority: Option<String>,
    /// Proxy URL.
    pub proxy: Option<String>,
    /// Account to select.
    pub username: Option<String>,
    /// Retries of throttled or failed requests.
    pub retries: Option<u32>,
    /// Default login flow.
    pub flow: Option<FlowName>,
    /// Default login scopes.
    pub scopes: Option<Vec<String>>,
}

impl Settings {
    /// Merges `args` over the config file.
    pub fn resolve(args: &GlobalArgs) -> CliResult<Settings> {
        let file = match &args.config {
            Some(path) => read_config(path)?,
            None => match default_dir(dirs::config_dir()) {
                Some(dir) if dir.join("config.toml").is_file() => {
                    read_config(&dir.join("config.toml"))?
                }
                _ => ConfigFile::default(),
            },
        };
        let token_path = match args.token_path.clone().or(file.token_path) {
            Some(path) => path,
            None => default_dir(dirs::data_dir())
                .map(|dir| dir.join("token.json"))
                .ok_or_else(|| {
                    Failure::usage("no data directory on this platform: pass --token-path")
                })?,
        };
        Ok(Settings {
            client_id: args.client_id.clone().or(file.client_id),
            client_secret: args
                .client_secret
                .clone()
                .or(file.client_secret)
                .map(SecretString::from),
            tenant_id: args.tenant_id.clone().or(file.tenant_id),
            token_path,
            cloud: cloud(args.cloud.or(file.cloud).unwrap_or(CloudName::Public)),
            base_url: args.base_url.clone().or(file.base_url),
            authority: args.authority.clone().or(file.authority),
            proxy: args.proxy.clone().or(file.proxy),
            username: args.username.clone().or(file.username),
            retries: args.retries,
            flow: file.flow,
            scopes: file.scopes,
        })
    }
}

/// `<platform dir>/o365`.
fn default_dir(base: Option<PathBuf>) -> Option<PathBuf> {
    base.map(|dir| dir.join("o365"))
}

fn read_config(path: &Path) -> CliResult<ConfigFile> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(format!(
            "cannot read the config file {}: {e}",
            path.display()
        ))
    })?;
    toml::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "the config file {} is invalid: {}",
            path.display(),
            e.message()
        ))
    })
}

/// The library's cloud for a command line name.
pub fn cloud(name: CloudName) -> Cloud {
    match name {
        CloudName::Public => Cloud::Public,
        CloudName::UsGov => Cloud::UsGovernment,
        CloudName::UsGovDod => Cloud::UsGovernmentDoD,
        CloudName::China => Cloud::China,
    }
}
