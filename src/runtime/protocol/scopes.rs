//! OAuth scope helpers (python-o365's `DEFAULT_SCOPES`) and scope prefixing.

/// The scope helper names and the permissions each stands for, in python-o365's order.
pub const SCOPE_HELPERS: &[(&str, &[&str])] = &[
    ("basic", &["User.Read"]),
    ("mailbox", &["Mail.Read"]),
    ("mailbox_shared", &["Mail.Read.Shared"]),
    ("mailbox_settings", &["MailboxSettings.ReadWrite"]),
    ("message_send", &["Mail.Send"]),
    ("message_send_shared", &["Mail.Send.Shared"]),
    ("message_all", &["Mail.ReadWrite", "Mail.Send"]),
    (
        "message_all_shared",
        &["Mail.ReadWrite.Shared", "Mail.Send.Shared"],
    ),
    ("address_book", &["Contacts.Read"]),
    ("address_book_shared", &["Contacts.Read.Shared"]),
    ("address_book_all", &["Contacts.ReadWrite"]),
    ("address_book_all_shared", &["Contacts.ReadWrite.Shared"]),
    ("calendar", &["Calendars.Read"]),
    ("calendar_shared", &["Calendars.Read.Shared"]),
    ("calendar_all", &["Calendars.ReadWrite"]),
    ("calendar_shared_all", &["Calendars.ReadWrite.Shared"]),
    ("users", &["User.ReadBasic.All"]),
    ("onedrive", &["Files.Read.All"]),
    ("onedrive_all", &["Files.ReadWrite.All"]),
    ("sharepoint", &["Sites.Read.All"]),
    ("sharepoint_all", &["Sites.ReadWrite.All"]),
    ("settings_all", &["MailboxSettings.ReadWrite"]),
    ("tasks", &["Tasks.Read"]),
    ("tasks_all", &["Tasks.ReadWrite"]),
    ("presence", &["Presence.Read"]),
];

/// OpenID Connect scopes the identity platform owns: never prefixed with a resource, added to
/// every delegated sign-in, and left out by `TokenCache::get_token_scopes(.., true)`.
pub const RESERVED_SCOPES: [&str; 3] = ["offline_access", "openid", "profile"];

/// The scopes asked for in [`Protocol::get_scopes_for`](super::Protocol::get_scopes_for).
///
/// Build it from a helper name or permission (`"mailbox"`, `"Mail.Read"`), a list of them, or
/// `None` (every helper the protocol knows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeInput {
    /// Every scope helper of the protocol.
    AllHelpers,
    /// Helper names and/or permissions; unknown names stand for themselves.
    List(Vec<String>),
}

impl From<&str> for ScopeInput {
    fn from(scope: &str) -> Self {
        ScopeInput::List(vec![scope.to_owned()])
    }
}

impl From<String> for ScopeInput {
    fn from(scope: String) -> Self {
        ScopeInput::List(vec![scope])
    }
}

impl<S: AsRef<str>> From<&[S]> for ScopeInput {
    fn from(scopes: &[S]) -> Self {
        ScopeInput::List(scopes.iter().map(|s| s.as_ref().to_owned()).collect())
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for ScopeInput {
    fn from(scopes: [S; N]) -> Self {
        ScopeInput::from(&scopes[..])
    }
}

impl<S: AsRef<str>> From<Vec<S>> for ScopeInput {
    fn from(scopes: Vec<S>) -> Self {
        ScopeInput::from(&scopes[..])
    }
}

impl<T: Into<ScopeInput>> From<Option<T>> for ScopeInput {
    fn from(scopes: Option<T>) -> Self {
        scopes.map_or(ScopeInput::AllHelpers, Into::into)
    }
}

/// Expands helper names (when `with_helpers`), in input order, without prefixing.
pub(super) fn expand(input: ScopeInput, with_helpers: bool) -> Vec<String> {
    let helpers = if with_helpers { SCOPE_HELPERS } else { &[] };
    let names = match input {
        ScopeInput::AllHelpers => helpers.iter().map(|(name, _)| (*name).to_owned()).collect(),
        ScopeInput::List(names) => names,
    };
    names
        .into_iter()
        .flat_map(
            |name| match helpers.iter().find(|(helper, _)| *helper == name) {
                Some((_, scopes)) => scopes.iter().map(|s| (*s).to_owned()).collect(),
                None => vec![name],
            },
        )
        .collect()
}

/// Prefixes `scope` with the resource `prefix` unless it is reserved (`openid`, …), already
/// absolute (`https://other/X`, `api://id/.default`) or already prefixed.
pub(super) fn prefix_scope(prefix: &str, scope: &str) -> String {
    let keep = prefix.is_empty()
        || RESERVED_SCOPES.contains(&scope)
        || scope.contains("://")
        || scope
            .to_ascii_lowercase()
            .starts_with(&prefix.to_ascii_lowercase());
    if keep {
        scope.to_owned()
    } else {
        format!("{prefix}{scope}")
    }
}
