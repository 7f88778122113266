//! The collections a subscription can watch: `me|users/{id}` + `/messages`,
//! `/mailFolders/{id}/messages` (also written `mailFolders('Inbox')/messages`), `/events`,
//! `/contacts`, and `users`.

use serde_json::Value;

use crate::emulator::state::State;

/// A watched collection: its items, the path of one item, and their OData type.
pub(super) struct Watched {
    pub(super) items: Vec<Value>,
    pub(super) item_path: String,
    pub(super) odata_type: &'static str,
}

/// The collection `resource` names (`me` is `owner`).
pub(super) fn watched(state: &mut State, owner: Option<&str>, resource: &str) -> Option<Watched> {
    let normalized = resource
        .trim_start_matches('/')
        .replace("('", "/")
        .replace("')", "");
    let segments: Vec<&str> = normalized.trim_end_matches('/').split('/').collect();
    let (uid, rest) = match segments.as_slice() {
        ["users"] => {
            return Some(Watched {
                items: state.dir.users.clone(),
                item_path: "Users".into(),
                odata_type: "#Microsoft.Graph.User",
            });
        }
        [me, rest @ ..] if me.eq_ignore_ascii_case("me") => (owner?.to_owned(), rest),
        [users, key, rest @ ..] if users.eq_ignore_ascii_case("users") => {
            let id = state.dir.user(key)?["id"].as_str()?.to_owned();
            (id, rest)
        }
        _ => return None,
    };
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let mailbox = state.dir.mailbox(&uid);
    let (items, kind, odata_type) = match lower.as_slice() {
        ["messages"] => (
            mailbox.messages.clone(),
            "Messages",
            "#Microsoft.Graph.Message",
        ),
        ["mailfolders", _, "messages"] => {
            let folder = mailbox.folder_id(rest[1])?;
            let items = mailbox.messages_in(&folder);
            (items, "Messages", "#Microsoft.Graph.Message")
        }
        ["events"] => (mailbox.events.clone(), "Events", "#Microsoft.Graph.Event"),
        ["contacts"] => (
            mailbox.contacts.clone(),
            "Contacts",
            "#Microsoft.Graph.Contact",
        ),
        _ => return None,
    };
    Some(Watched {
        items,
        item_path: format!("Users/{uid}/{kind}"),
        odata_type,
    })
}
