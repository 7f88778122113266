//! The in-memory directory (users) and their mailboxes (folders, messages, attachments, events,
//! contacts), kept as Graph-shaped JSON objects.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::drive::{Drive, UploadSession};
use crate::emulator::util;

/// Which item collection of a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Message,
    Event,
    Contact,
}

impl Kind {
    fn id_prefix(self) -> &'static str {
        match self {
            Kind::Message => "message",
            Kind::Event => "event",
            Kind::Contact => "contact",
        }
    }
}

/// One user's Outlook data.
#[derive(Debug, Default)]
pub(crate) struct Mailbox {
    pub folders: Vec<Value>,
    /// Well-known folder name (lower case) → folder id.
    pub well_known: HashMap<String, String>,
    pub messages: Vec<Value>,
    /// Message id → its attachments.
    pub attachments: HashMap<String, Vec<Value>>,
    pub events: Vec<Value>,
    pub contacts: Vec<Value>,
}

impl Mailbox {
    pub fn items(&self, kind: Kind) -> &Vec<Value> {
        match kind {
            Kind::Message => &self.messages,
            Kind::Event => &self.events,
            Kind::Contact => &self.contacts,
        }
    }

    pub fn items_mut(&mut self, kind: Kind) -> &mut Vec<Value> {
        match kind {
            Kind::Message => &mut self.messages,
            Kind::Event => &mut self.events,
            Kind::Contact => &mut self.contacts,
        }
    }

    /// The folder id for a folder id or a well-known name (`inbox`, `sentitems`, `drafts`, …).
    pub fn folder_id(&self, key: &str) -> Option<String> {
        self.well_known
            .get(&key.to_ascii_lowercase())
            .cloned()
            .or_else(|| {
                self.folders
                    .iter()
                    .any(|f| f["id"] == key)
                    .then(|| key.to_owned())
            })
    }

    /// A folder with its item counts filled in.
    pub fn folder_view(&self, folder: &Value) -> Value {
        let (total, unread) = self.in_folder(&folder["id"]).fold((0, 0), |(t, u), m| {
            (t + 1, u + usize::from(m["isRead"] == false))
        });
        let mut folder = folder.clone();
        folder["totalItemCount"] = json!(total);
        folder["unreadItemCount"] = json!(unread);
        folder
    }

    /// The messages in the folder with id `folder_id`.
    pub fn messages_in(&self, folder_id: &str) -> Vec<Value> {
        self.in_folder(&Value::from(folder_id)).cloned().collect()
    }

    /// The messages whose `parentFolderId` is `folder_id`.
    fn in_folder<'a>(&'a self, folder_id: &'a Value) -> impl Iterator<Item = &'a Value> + 'a {
        self.messages
            .iter()
            .filter(move |m| m["parentFolderId"] == *folder_id)
    }

    pub fn find(&self, kind: Kind, id: &str) -> Option<&Value> {
        self.items(kind).iter().find(|v| v["id"] == id)
    }
}

/// Users and their mailboxes.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    pub users: Vec<Value>,
    pub mailboxes: HashMap<String, Mailbox>,
    /// User id → their OneDrive (created empty on first use).
    pub drives: HashMap<String, Drive>,
    /// Open resumable uploads by session id.
    pub uploads: HashMap<String, UploadSession>,
    seq: u64,
}

impl Directory {
    pub fn user(&self, key: &str) -> Option<&Value> {
        self.users.iter().find(|u| {
            u["id"] == key
                || u["userPrincipalName"]
                    .as_str()
                    .is_some_and(|upn| upn.eq_ignore_ascii_case(key))
        })
    }

    /// The user whose `mail` is `address`, if any.
    pub fn user_by_mail(&self, address: &str) -> Option<String> {
        self.users
            .iter()
            .find(|u| {
                u["mail"]
                    .as_str()
                    .is_some_and(|m| m.eq_ignore_ascii_case(address))
            })
            .and_then(|u| u["id"].as_str().map(str::to_owned))
    }

    pub fn mailbox(&mut self, user_id: &str) -> &mut Mailbox {
        self.mailboxes.entry(user_id.to_owned()).or_default()
    }

    /// A new Graph-shaped id.
    pub fn new_id(&mut self, kind: &str) -> String {
        self.seq += 1;
        util::graph_id(kind, self.seq)
    }

    /// Gives `entity` a fresh `@odata.etag`/`changeKey` (and an id when it has none).
    pub fn stamp(&mut self, kind: Kind, entity: &mut Value) {
        if entity["id"].as_str().is_none() {
            entity["id"] = json!(self.new_id(kind.id_prefix()));
        }
        self.seq += 1;
        let id = entity["id"].as_str().unwrap_or_default().to_owned();
        let (etag, change_key) = util::etag(&id, self.seq);
        entity["@odata.etag"] = json!(etag);
        entity["changeKey"] = json!(change_key);
    }

    /// Adds a mail folder for `user_id`, optionally under a well-known name.
    pub fn add_folder(
        &mut self,
        user_id: &str,
        display_name: &str,
        well_known: Option<&str>,
    ) -> String {
        let id = self.new_id("folder");
        let mailbox = self.mailbox(user_id);
        let root = format!("{user_id}.msgfolderroot");
        mailbox.folders.push(json!({
            "id": id,
            "displayName": display_name,
            "parentFolderId": root,
            "childFolderCount": 0,
            "isHidden": false,
        }));
        if let Some(name) = well_known {
            mailbox.well_known.insert(name.to_owned(), id.clone());
        }
        id
    }

    /// Stores an item (stamping it) in `user_id`'s collection; returns the stored copy.
    pub fn insert(&mut self, user_id: &str, kind: Kind, mut entity: Value) -> Value {
        self.stamp(kind, &mut entity);
        self.mailbox(user_id).items_mut(kind).push(entity.clone());
        entity
    }
}
