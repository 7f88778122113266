//! `o365 login|logout|status|token`.

use std::io::BufRead;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use o365::AuthFlowType;
use o365::identity::{ConsentMode, DeviceCodePrompt};
use o365::token::TokenCache;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::cli::{FlowName, LoginArgs, OutputFormat};
use crate::failure::{CliResult, Exit, Failure};
use crate::output;
use crate::session::{AppLogin, SavedLogin, Session, auth_flow, env_var};

/// Permissions asked for when neither `--scopes` nor the config file name any.
pub const DEFAULT_SCOPES: [&str; 6] = [
    "User.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "Calendars.ReadWrite",
    "Contacts.Read",
    "Files.ReadWrite",
];

/// How long a browser sign-in may take.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(300);

/// `o365 login`.
pub async fn login(session: &Session, args: LoginArgs) -> CliResult {
    let s = &session.settings;
    let flow = args.flow.or(s.flow).unwrap_or(FlowName::Device);
    let account = match flow {
        FlowName::Managed | FlowName::Federated => {
            return app_login(session, flow, args.federated_token_file.clone()).await;
        }
        FlowName::Password => password_login(session, &UserApp::of(session, &args)?, &args).await?,
        FlowName::Credentials => {
            let app = UserApp::of(session, &args)?;
            let conn = session.connection(AuthFlowType::Credentials, app.client_id, None)?;
            conn.request_token_for_client(None, true).await?;
            None
        }
        FlowName::Device => {
            let app = UserApp::of(session, &args)?;
            let conn = session.connection(AuthFlowType::DeviceCode, app.client_id, None)?;
            let never = std::future::pending();
            conn.request_token_by_device_code(&app.scopes(), show_device_prompt, never, true)
                .await?
                .map(|a| a.username)
        }
        FlowName::Authorization | FlowName::Public => {
            interactive_login(session, flow, &UserApp::of(session, &args)?, &args).await?
        }
    };
    session.save_app_login(None)?;
    let who = account.unwrap_or_else(|| "the application (app-only)".to_owned());
    eprintln!(
        "signed in as {who} with the {} flow; token saved to {}",
        flow_label(flow),
        s.token_path.display()
    );
    Ok(())
}

/// The registered app a user flow signs in with, and the permissions it asks for.
struct UserApp<'a> {
    client_id: &'a str,
    scopes: Vec<String>,
}

impl<'a> UserApp<'a> {
    /// The client id (a usage error without one) and the scopes: `--scopes`, else the config
    /// file's, else [`DEFAULT_SCOPES`].
    fn of(session: &'a Session, args: &LoginArgs) -> CliResult<UserApp<'a>> {
        let s = &session.settings;
        let client_id = s.client_id.as_deref().ok_or_else(|| {
            Failure::usage("no client id")
                .hint("pass --client-id, set O365_CLIENT_ID, or put client_id in the config file (see README: Sign in for real)")
        })?;
        let scopes = if !args.scopes.is_empty() {
            args.scopes.clone()
        } else {
            s.scopes
                .clone()
                .unwrap_or_else(|| DEFAULT_SCOPES.map(String::from).to_vec())
        };
        Ok(UserApp { client_id, scopes })
    }

    fn scopes(&self) -> Vec<&str> {
        self.scopes.iter().map(String::as_str).collect()
    }
}

/// The password flow: the username from the settings, the password from the terminal or stdin.
async fn password_login(
    session: &Session,
    app: &UserApp<'_>,
    args: &LoginArgs,
) -> CliResult<Option<String>> {
    let username =
        session.settings.username.clone().ok_or_else(|| {
            Failure::usage("the password flow needs --username (or O365_USERNAME)")
        })?;
    let password = read_password(args.password_stdin)?;
    let conn = session.connection_with(AuthFlowType::Password, app.client_id, None, |b| {
        b.username(&username).password(&password)
    })?;
    Ok(conn
        .request_token_by_password(&app.scopes(), true)
        .await?
        .map(|a| a.username))
}

/// The authorization-code flows: a loopback redirect in the browser, or a pasted redirect URL.
async fn interactive_login(
    session: &Session,
    flow: FlowName,
    app: &UserApp<'_>,
    args: &LoginArgs,
) -> CliResult<Option<String>> {
    let conn = session.connection(auth_flow(flow), app.client_id, None)?;
    let mode = if args.paste {
        ConsentMode::Paste {
            output: Box::new(std::io::stderr()),
            input: Box::new(std::io::BufReader::new(std::io::stdin())),
        }
    } else {
        ConsentMode::Loopback {
            output: Box::new(std::io::stderr()),
            open_browser: args.open_browser,
            on_url: None,
            timeout: BROWSER_TIMEOUT,
        }
    };
    if !conn.authenticate_interactively(&app.scopes(), mode).await? {
        return Err(
            Failure::new(Exit::Auth, "the browser sign-in did not complete").hint(
                "try again; the redirect URI http://localhost must be registered for the app",
            ),
        );
    }
    Ok(conn.username())
}

fn flow_label(flow: FlowName) -> &'static str {
    match flow {
        FlowName::Managed => "managed identity",
        FlowName::Federated => "federated (workload identity)",
        _ => auth_flow(flow).as_str(),
    }
}

/// `login --flow managed|federated`: an app-only token from a managed identity or a federated
/// token, and the [`AppLogin`] that later commands continue with.
async fn app_login(
    session: &Session,
    flow: FlowName,
    federated_token_file: Option<std::path::PathBuf>,
) -> CliResult {
    let s = &session.settings;
    let tenant = s.tenant_id.clone().or_else(|| env_var("AZURE_TENANT_ID"));
    let login = if flow == FlowName::Managed {
        AppLogin::Managed {
            client_id: s.client_id.clone(),
        }
    } else {
        let client_id = s
            .client_id
            .clone()
            .or_else(|| env_var("AZURE_CLIENT_ID"))
            .ok_or_else(|| {
                Failure::usage("the federated flow needs a client id")
                    .hint("pass --client-id or set AZURE_CLIENT_ID")
            })?;
        let token_file = federated_token_file.ok_or_else(|| {
            Failure::usage("the federated flow needs the federated token file")
                .hint("pass --federated-token-file or set AZURE_FEDERATED_TOKEN_FILE")
        })?;
        if tenant.is_none() {
            return Err(Failure::usage("the federated flow needs a tenant")
                .hint("pass --tenant-id or set AZURE_TENANT_ID"));
        }
        AppLogin::Federated {
            client_id,
            token_file,
        }
    };
    // A managed identity is not bound to a tenant segment; the cache still files it under one.
    let tenant = tenant.unwrap_or_else(|| "organizations".to_owned());
    let conn = session.app_connection(&login, Some(&tenant))?;
    conn.request_token_for_client(None, true).await?;
    session.save_app_login(Some(&login))?;
    let who = match &login {
        AppLogin::Managed { client_id: None } => "the system-assigned managed identity".to_owned(),
        AppLogin::Managed {
            client_id: Some(id),
        } => format!("the managed identity {id}"),
        AppLogin::Federated { client_id, .. } => format!("the application {client_id}"),
    };
    eprintln!(
        "signed in as {who} (app-only) with the {} flow; token saved to {}",
        flow_label(flow),
        s.token_path.display()
    );
    Ok(())
}

/// Prints the device-code instructions on stderr.
fn show_device_prompt(prompt: &DeviceCodePrompt) {
    if prompt.message.is_empty() {
        eprintln!(
            "To sign in, open {} and enter the code {}",
            prompt.verification_uri, prompt.user_code
        );
    } else {
        eprintln!("{}", prompt.message);
    }
}

fn read_password(from_stdin: bool) -> CliResult<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| Failure::io("cannot read the password from stdin", e))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    std::env::var("O365_PASSWORD").map_err(|_| {
        Failure::usage("the password flow needs the password: --password-stdin or O365_PASSWORD")
    })
}

/// `o365 logout`.
pub async fn logout(session: &Session) -> CliResult {
    let path = &session.settings.token_path;
    session.save_app_login(None)?;
    if session.token_store().delete_token().await? {
        eprintln!("signed out; removed {}", path.display());
    } else {
        eprintln!("no saved sign-in at {}", path.display());
    }
    Ok(())
}

/// `o365 status`: accounts, scopes, expiry, cloud; exit 3 when not signed in.
pub async fn status(session: &Session, format: OutputFormat) -> CliResult {
    let store = session.token_store();
    if !store.load_token().await? {
        return Err(Failure::not_signed_in());
    }
    let now = SystemTime::now();
    let has_secret = session.settings.client_secret.is_some();
    let app_login = session.app_login();
    let accounts = store.read(|cache| accounts(cache, now, has_secret, app_login.as_ref()));
    if accounts.is_empty() {
        return Err(Failure::not_signed_in());
    }
    let report = json!({
        "token_path": session.settings.token_path.display().to_string(),
        "cloud": format!("{:?}", session.settings.cloud),
        "accounts": accounts,
    });
    match format {
        OutputFormat::Json => output::print_value(format, &report),
        _ => output::print_value(format, &json!({"value": report["accounts"]})),
    }
}

/// One entry per access token: who, which app and tenant, scopes, expiry.
/// `has_secret` tells a confidential browser sign-in from a public one (see [`SavedLogin::find`]).
fn accounts(
    cache: &TokenCache,
    now: SystemTime,
    has_secret: bool,
    app_login: Option<&AppLogin>,
) -> Vec<Value> {
    cache
        .access_tokens()
        .values()
        .map(|token| {
            let account = token.home_account_id.as_deref().and_then(|home| {
                cache
                    .accounts()
                    .values()
                    .find(|a| a.home_account_id.as_deref() == Some(home))
            });
            let username = account.map(|a| a.username.as_str());
            let saved = SavedLogin::find(cache, username.filter(|u| !u.is_empty()), has_secret);
            let expires = token.expires_on_time();
            let has_refresh = cache
                .refresh_tokens()
                .values()
                .any(|r| r.home_account_id.is_some() && r.home_account_id == token.home_account_id);
            json!({
                "username": username.unwrap_or("(app-only)"),
                "client_id": token.client_id,
                "tenant": token.realm,
                "authority": token.environment,
                "flow": match app_login {
                    Some(login) if account.is_none() && login.cache_id() == token.client_id => {
                        login.name()
                    }
                    _ => saved.map(|s| s.flow.as_str()).unwrap_or_default(),
                },
                "scopes": token.scopes().collect::<Vec<_>>(),
                "expires_at": expires.map(rfc3339),
                "expired": expires.is_none_or(|e| e <= now),
                "refresh_token": has_refresh,
            })
        })
        .collect()
}

fn rfc3339(time: SystemTime) -> String {
    DateTime::<Utc>::from(time).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `o365 token`: a valid access token on stdout (refreshed first when expired).
pub async fn token(session: &Session) -> CliResult {
    let conn = session.signed_in().await?;
    let username = conn.username();
    let expired = conn
        .token_store()
        .read(|c| c.token_is_expired(username.as_deref(), SystemTime::now()));
    if expired {
        conn.refresh_token().await?;
    }
    let secret = conn
        .token_store()
        .read(|c| {
            c.get_access_token(username.as_deref())
                .map(|t| t.secret.expose_secret().to_owned())
        })
        .ok_or_else(Failure::not_signed_in)?;
    output::write_line(&secret)
}
