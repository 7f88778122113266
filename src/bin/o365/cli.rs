//! The command line grammar (clap derive). Settings that also come from the environment name
//! their variable here; the config file is merged in [`crate::settings`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Microsoft 365 from the command line: sign in, call Microsoft Graph (typed shortcuts or raw
/// requests), and try it all offline with `o365 demo`.
#[derive(Debug, Parser)]
#[command(name = "o365", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Connection and sign-in settings.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Printed after `--help`.
pub const EXIT_CODES: &str = "Exit codes: 0 ok, 1 other failure, 2 usage or configuration, \
3 not signed in or not authorised, 4 HTTP 4xx, 5 HTTP 5xx or throttled, 6 network.";

/// Settings shared by every command: flags > environment > config file.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Config file (TOML; default: `o365/config.toml` in the platform's config directory).
    #[arg(long, global = true, env = "O365_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Application (client) id of the Entra ID app registration.
    #[arg(long, global = true, env = "O365_CLIENT_ID")]
    pub client_id: Option<String>,
    /// Client secret (confidential flows only). Prefer the environment over the flag.
    #[arg(
        long,
        global = true,
        env = "O365_CLIENT_SECRET",
        hide_env_values = true
    )]
    pub client_secret: Option<String>,
    /// Tenant id or domain (`common` by default; required by the credentials and password flows).
    #[arg(long, global = true, env = "O365_TENANT_ID")]
    pub tenant_id: Option<String>,
    /// Token cache file (MSAL format; default: `o365/token.json` in the platform's data directory).
    #[arg(long, global = true, env = "O365_TOKEN_PATH", value_name = "PATH")]
    pub token_path: Option<PathBuf>,
    /// National cloud: sign-in host, Graph host and scope prefix together.
    #[arg(long, global = true, env = "O365_CLOUD", value_enum)]
    pub cloud: Option<CloudName>,
    /// Graph base URL (e.g. the emulator or a proxy); `/v1.0/` is appended.
    #[arg(long, global = true, env = "O365_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,
    /// Identity platform base URL (default: the cloud's login host).
    #[arg(long, global = true, env = "O365_AUTHORITY", value_name = "URL")]
    pub authority: Option<String>,
    /// HTTP(S) proxy URL, `http://[user:password@]host:port` (default: `HTTPS_PROXY` and friends).
    #[arg(
        long,
        global = true,
        env = "O365_PROXY",
        value_name = "URL",
        hide_env_values = true
    )]
    pub proxy: Option<String>,
    /// Account to use when the token cache holds several (its user principal name).
    #[arg(long, global = true, env = "O365_USERNAME")]
    pub username: Option<String>,
    /// Retries of throttled (429/503) and failed requests (default 3).
    #[arg(long, global = true, value_name = "N")]
    pub retries: Option<u32>,
    /// Output format of results on stdout (default: `ndjson` with `--all`, else `json`).
    #[arg(long, short = 'o', global = true, value_enum)]
    pub output: Option<OutputFormat>,
    /// Show tracing output on stderr (`RUST_LOG` refines it).
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// Send request bodies without checking them against the operation's JSON Schema.
    #[arg(long, global = true)]
    pub no_validate: bool,
}

/// A national cloud, by its command line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CloudName {
    /// The global cloud.
    Public,
    /// US Government L4 (GCC High).
    UsGov,
    /// US Government L5 (DoD).
    UsGovDod,
    /// China (21Vianet).
    China,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Pretty JSON (a collection page as the service returned it).
    Json,
    /// One compact JSON value per line (a collection's items).
    Ndjson,
    /// An aligned text table of the scalar fields.
    Table,
}

impl Command {
    /// Whether the command follows every page (`--all`), which streams NDJSON by default.
    pub fn follows_all_pages(&self) -> bool {
        match self {
            Command::Get(args) => args.all,
            Command::Mail(MailCommand::List(args)) => args.all,
            Command::Calendar(CalendarCommand::List { all, .. })
            | Command::Contacts(ContactsCommand::List { all, .. }) => *all,
            _ => false,
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole story offline against the built-in emulator (no account, no network).
    Demo,
    /// Sign in and save the token cache.
    Login(LoginArgs),
    /// Forget the saved sign-in (deletes the token cache).
    Logout,
    /// Show the saved accounts, scopes, expiry and cloud.
    Status,
    /// Print a valid access token (refreshed if needed) for scripting. Treat it as a secret.
    Token,
    /// GET a Graph path (`me/messages`) or URL.
    Get(RawArgs),
    /// POST to a Graph path or URL.
    Post(RawArgs),
    /// PUT to a Graph path or URL.
    Put(RawArgs),
    /// PATCH a Graph path or URL.
    Patch(RawArgs),
    /// DELETE a Graph path or URL.
    Delete(RawArgs),
    /// Mail (typed, generated `mail` module).
    #[command(subcommand)]
    Mail(MailCommand),
    /// Calendar (typed, generated `calendar` module).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Contacts (typed, generated `contacts` module).
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// OneDrive (typed, generated `drive` module).
    #[command(subcommand)]
    Drive(DriveCommand),
    /// Send the steps of a JSON batch file (`{"requests": [...]}`) as `$batch` requests.
    Batch(BatchArgs),
    /// Subscribe to change notifications and print them as NDJSON (receiver on 127.0.0.1:PORT).
    Subscribe(SubscribeArgs),
    /// Print the JSON Schema of a model (`o365 schema Message`) or of an operation's request
    /// body (`o365 schema --operation send_mail`).
    Schema(SchemaArgs),
    /// Serve the built-in emulator on its own until Ctrl-C (prints the URLs and `O365_*` settings).
    Emulator(EmulatorArgs),
}

/// `o365 subscribe`.
#[derive(Debug, Args)]
pub struct SubscribeArgs {
    /// The resource to watch, e.g. `me/mailFolders('Inbox')/messages`, `me/events`, `users`.
    pub resource: String,
    /// Changes to notify: created, updated, deleted (repeatable or comma separated; default created).
    #[arg(long, value_delimiter = ',')]
    pub change_type: Vec<String>,
    /// Local port of the receiver (bound on 127.0.0.1; 0 picks a free one).
    #[arg(long, value_name = "PORT")]
    pub listen: u16,
    /// The public URL Graph posts to (e.g. an https tunnel forwarding to the port; default
    /// `http://127.0.0.1:PORT/`, which only the emulator can reach).
    #[arg(long, value_name = "URL")]
    pub notification_url: Option<String>,
    /// The clientState secret (default: a random one).
    #[arg(long, hide_env_values = true)]
    pub client_state: Option<String>,
    /// Lifetime in minutes (default: the longest the resource allows).
    #[arg(long, value_name = "MINUTES")]
    pub expires_in: Option<u64>,
    /// Stop (and delete the subscription) after this many events.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

/// `o365 batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The batch file: `{"requests": [{"id", "method", "url", "headers", "body", "dependsOn"}]}`
    /// as Graph documents it (any number of steps; `-` reads stdin).
    pub file: String,
}

/// `o365 schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A model name as in the generated types (`Message`, `Event`, `Recipient`).
    pub model: Option<String>,
    /// A typed operation by its generated method name (`send_mail`, `create_event`).
    #[arg(long, conflicts_with = "model")]
    pub operation: Option<String>,
}

/// `o365 emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// JSON file of extra items: `{"messages": [...], "events": [...], "contacts": [...]}`.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// JSON file of fault rules: `[{"action": "throttle", "count": 1, "status": 429, "retryAfter": 2}]`.
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
}

/// The sign-in flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowName {
    /// Device code: enter a code on another device (public client; no secret).
    Device,
    /// Authorization code + PKCE in the browser, confidential client (needs the secret).
    Authorization,
    /// Authorization code + PKCE in the browser, public client.
    Public,
    /// Client credentials, app-only (needs the secret and a tenant).
    Credentials,
    /// Username and password (ROPC; needs a tenant; no MFA).
    Password,
    /// Managed identity, app-only: the host's system-assigned identity, or a user-assigned one
    /// with `--client-id`. IMDS (Azure VMs, AKS nodes) by default; the App Service / Functions
    /// endpoint when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set;
    /// `AZURE_POD_IDENTITY_AUTHORITY_HOST` moves IMDS elsewhere.
    Managed,
    /// Workload identity federation, app-only: the token in `--federated-token-file` (or
    /// `AZURE_FEDERATED_TOKEN_FILE`) as the client assertion of `--client-id` (or
    /// `AZURE_CLIENT_ID`) in `--tenant-id` (or `AZURE_TENANT_ID`), as AKS sets them.
    Federated,
}

/// `o365 login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The sign-in flow (default: from the config file, else `device`).
    #[arg(long, value_enum)]
    pub flow: Option<FlowName>,
    /// Permissions to ask for, e.g. `Mail.Read` or helper names like `message_all`
    /// (default: from the config file, else `User.Read Mail.ReadWrite Mail.Send
    /// Calendars.ReadWrite Contacts.Read Files.ReadWrite`).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub scopes: Vec<String>,
    /// Browser flows: open the sign-in page in the default browser. Without it, open the URL
    /// yourself: it is printed on stderr on the line after `Visit the following url to give
    /// consent:` (scripts and tests can read it from there).
    #[arg(long)]
    pub open_browser: bool,
    /// Browser flows: paste the redirected URL instead of capturing it on a loopback port.
    #[arg(long)]
    pub paste: bool,
    /// Password flow: read the password from the first line of stdin (else `O365_PASSWORD`).
    #[arg(long)]
    pub password_stdin: bool,
    /// Federated flow: the file holding the federated token (re-read at every renewal).
    #[arg(long, env = "AZURE_FEDERATED_TOKEN_FILE", value_name = "PATH")]
    pub federated_token_file: Option<PathBuf>,
}

/// A raw request.
#[derive(Debug, Args)]
pub struct RawArgs {
    /// A path under the Graph service URL (`me/messages`) or an absolute URL.
    pub path: String,
    /// OData query options.
    #[command(flatten)]
    pub query: QueryArgs,
    /// Follow `@odata.nextLink` and stream every item (NDJSON unless `--output json|table`,
    /// which print once all pages are in).
    #[arg(long)]
    pub all: bool,
    /// Request body: inline JSON, `@file.json`, or `-` for stdin.
    #[arg(long, short = 'd', value_name = "JSON|@FILE|-")]
    pub data: Option<String>,
    /// Extra request header `Name: value` (repeatable).
    #[arg(long, short = 'H', value_name = "K:V")]
    pub header: Vec<String>,
}

/// OData query options (`$select`, `$filter`, …).
#[derive(Debug, Default, Args)]
pub struct QueryArgs {
    /// Properties to return (`--select id,subject`).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// A raw OData filter, e.g. `isRead eq false`.
    #[arg(long)]
    pub filter: Option<String>,
    /// Sort order, `property [asc|desc]` (repeatable or comma separated).
    #[arg(long, value_delimiter = ',')]
    pub orderby: Vec<String>,
    /// Relationships to expand (repeatable or comma separated).
    #[arg(long, value_delimiter = ',')]
    pub expand: Vec<String>,
    /// Free text search (`$search`); cannot be mixed with `--filter` on messages.
    #[arg(long)]
    pub search: Option<String>,
    /// Page size (`$top`).
    #[arg(long)]
    pub top: Option<u32>,
}

/// `o365 mail …`.
#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// List messages, newest first.
    List(MailListArgs),
    /// Show one message.
    Get {
        /// The message id.
        id: String,
        /// Properties to return.
        #[arg(long, value_delimiter = ',')]
        select: Vec<String>,
    },
    /// Send a mail (saved to Sent Items).
    Send(MailSendArgs),
}

/// `o365 mail list`.
#[derive(Debug, Args)]
pub struct MailListArgs {
    /// A mail folder id or well-known name (`inbox`, `sentitems`, …); default: all messages.
    #[arg(long)]
    pub folder: Option<String>,
    /// Only unread messages.
    #[arg(long)]
    pub unread: bool,
    /// Page size.
    #[arg(long, default_value_t = 10)]
    pub top: u64,
    /// Follow `@odata.nextLink` through every page.
    #[arg(long)]
    pub all: bool,
    /// Properties to return (default: id, receivedDateTime, from, subject, isRead).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
}

/// `o365 mail send`.
#[derive(Debug, Args)]
pub struct MailSendArgs {
    /// Recipient address (repeatable).
    #[arg(long, required_unless_present = "data")]
    pub to: Vec<String>,
    /// Subject line.
    #[arg(long, required_unless_present = "data")]
    pub subject: Option<String>,
    /// Body text (`-` reads stdin).
    #[arg(long, default_value = "")]
    pub body: String,
    /// The body is HTML.
    #[arg(long)]
    pub html: bool,
    /// The whole `sendMail` body as JSON instead of the flags above (`@file.json`, `-` for
    /// stdin, or the JSON itself), checked against its schema before it is sent.
    #[arg(long, value_name = "@FILE|-|JSON", conflicts_with_all = ["to", "subject", "body", "html"])]
    pub data: Option<String>,
}

/// `o365 calendar …`.
#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// List events of the default calendar.
    List {
        /// Page size.
        #[arg(long, default_value_t = 10)]
        top: u64,
        /// Follow `@odata.nextLink` through every page.
        #[arg(long)]
        all: bool,
    },
    /// Events (occurrences expanded) between two instants.
    View {
        /// Start, ISO 8601 (`2026-12-01T00:00:00Z`).
        #[arg(long)]
        start: String,
        /// End, ISO 8601.
        #[arg(long)]
        end: String,
    },
    /// Create an event.
    Create(EventArgs),
}

/// `o365 calendar create`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// Title.
    #[arg(long, required_unless_present = "data")]
    pub subject: Option<String>,
    /// Start, local date-time in `--timezone` (`2026-12-01T10:00:00`).
    #[arg(long, required_unless_present = "data")]
    pub start: Option<String>,
    /// End, local date-time in `--timezone`.
    #[arg(long, required_unless_present = "data")]
    pub end: Option<String>,
    /// Time zone of start and end (IANA or Windows name).
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// Attendee address (repeatable).
    #[arg(long)]
    pub attendee: Vec<String>,
    /// Location name.
    #[arg(long)]
    pub location: Option<String>,
    /// The whole event as JSON instead of the flags above (`@file.json`, `-` for stdin, or the
    /// JSON itself), checked against its schema before it is sent.
    #[arg(long, value_name = "@FILE|-|JSON", conflicts_with_all = ["subject", "start", "end", "attendee", "location"])]
    pub data: Option<String>,
}

/// `o365 contacts …`.
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List contacts.
    List {
        /// Page size.
        #[arg(long, default_value_t = 10)]
        top: u64,
        /// Follow `@odata.nextLink` through every page.
        #[arg(long)]
        all: bool,
    },
}

/// `o365 drive …`.
#[derive(Debug, Subcommand)]
pub enum DriveCommand {
    /// List the children of a folder (default: the root).
    Ls {
        /// Folder item id.
        item: Option<String>,
        /// Page size.
        #[arg(long)]
        top: Option<u64>,
    },
    /// Show an item's metadata, or download its content with `--out`.
    Get {
        /// Item id.
        item: String,
        /// Write the file content here (`-` for stdout).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Upload a local file: replace an item by id, or create/replace by drive path (`/Documents/a.bin`).
    /// Files over 4 MiB (or with `--session`) go through a resumable upload session.
    Put {
        /// Local file.
        file: PathBuf,
        /// Target item id, or a path from the drive root starting with `/`.
        dest: String,
        /// Use an upload session whatever the file size.
        #[arg(long)]
        session: bool,
    },
}
