//! One OneDrive per user: driveItems as Graph-shaped JSON, their bytes, and upload sessions.
//! The test user's drive is seeded with a `Documents` folder and three files; every other user
//! gets an empty root on first use.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::emulator::util;

/// Id of every drive's root item.
pub const ROOT_ID: &str = "01EMU000000000000000000000ROOT";
/// A seeded drive item: (id, parent id, name, MIME type, content); a `None` MIME type makes a
/// folder.
pub type SeededItem = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [u8],
);

/// Seeded items of the test user's drive.
pub const SEEDED_ITEMS: [SeededItem; 4] = [
    (
        "01EMU0000000000000000000DOCS",
        ROOT_ID,
        "Documents",
        None,
        b"",
    ),
    (
        "01EMU0000000000000000000NOTE",
        ROOT_ID,
        "notes.txt",
        Some("text/plain"),
        b"Remember the design review on Friday.\n",
    ),
    (
        "01EMU0000000000000000000REPT",
        "01EMU0000000000000000000DOCS",
        "Quarterly report.docx",
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        b"PK\x03\x04 emulated quarterly report",
    ),
    (
        "01EMU0000000000000000000BDGT",
        "01EMU0000000000000000000DOCS",
        "Budget 2025.xlsx",
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        b"PK\x03\x04 emulated budget",
    ),
];
/// When the seeded items were last modified: 2025-03-03T09:30:00Z.
const SEEDED_AT: i64 = 1_740_994_200;
/// The drive's quota, in bytes.
const QUOTA_TOTAL: u64 = 1 << 40;

/// Where an upload session writes when it completes.
#[derive(Debug, Clone)]
pub(crate) enum UploadTarget {
    /// Replace the content of an existing file.
    Item(String),
    /// Create `name` in the folder `parent`.
    New { parent: String, name: String },
}

/// An open resumable upload.
#[derive(Debug, Clone)]
pub(crate) struct UploadSession {
    pub user: String,
    pub target: UploadTarget,
    pub received: Vec<u8>,
    pub expires_at: i64,
}

/// A user's drive.
#[derive(Debug)]
pub(crate) struct Drive {
    pub id: String,
    pub owner: Value,
    pub items: Vec<Value>,
    pub content: HashMap<String, Vec<u8>>,
    seq: u64,
}

impl Drive {
    /// An empty drive of `owner` (a Graph user), with its root folder.
    pub fn empty(owner: &Value) -> Drive {
        let uid = owner["id"].as_str().unwrap_or_default();
        let id = format!("b!{}", util::b64url(format!("emu.drive.{uid}").as_bytes()));
        let mut drive = Drive {
            id,
            owner: json!({"user": {"id": uid, "displayName": owner["displayName"]}}),
            items: Vec::new(),
            content: HashMap::new(),
            seq: 0,
        };
        let mut root = drive.base_item(ROOT_ID, "root", SEEDED_AT);
        root["folder"] = json!({"childCount": 0});
        root["root"] = json!({});
        root["parentReference"] = json!({"driveId": drive.id, "driveType": "business"});
        drive.items.push(root);
        drive
    }

    /// The test user's drive with the [`SEEDED_ITEMS`].
    pub fn seeded(owner: &Value) -> Drive {
        let mut drive = Drive::empty(owner);
        for (id, parent, name, mime, bytes) in SEEDED_ITEMS {
            match mime {
                None => drive.add_folder(id, parent, name, SEEDED_AT),
                Some(mime) => drive.add_file(id, parent, name, mime, bytes.to_vec(), SEEDED_AT),
            };
        }
        drive
    }

    /// The `drive` resource.
    pub fn resource(&self, base_url: &str) -> Value {
        let used: usize = self.content.values().map(Vec::len).sum();
        json!({
            "id": self.id,
            "driveType": "business",
            "name": "OneDrive",
            "owner": self.owner,
            "webUrl": format!("{base_url}/personal/Documents"),
            "quota": {
                "total": QUOTA_TOTAL, "used": used, "deleted": 0,
                "remaining": QUOTA_TOTAL - used as u64, "state": "normal",
            },
        })
    }

    pub fn item(&self, id: &str) -> Option<&Value> {
        self.items.iter().find(|i| i["id"] == id)
    }

    fn item_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.items.iter_mut().find(|i| i["id"] == id)
    }

    pub fn children(&self, id: &str) -> Vec<Value> {
        let mut children: Vec<Value> = self
            .items
            .iter()
            .filter(|i| i["parentReference"]["id"] == id)
            .cloned()
            .collect();
        children.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        children
    }

    /// The item at `path` (`Documents/Budget 2025.xlsx`, relative to the root).
    pub fn by_path(&self, path: &str) -> Option<&Value> {
        path.split('/')
            .filter(|s| !s.is_empty())
            .try_fold(self.item(ROOT_ID)?, |folder, name| {
                let id = folder["id"].as_str()?;
                self.items.iter().find(|i| {
                    i["parentReference"]["id"] == id
                        && i["name"]
                            .as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
            })
    }

    /// The folder at `path`, creating missing folders on the way.
    pub fn ensure_folder(&mut self, path: &str, now: i64) -> Option<String> {
        let mut current = ROOT_ID.to_owned();
        for name in path.split('/').filter(|s| !s.is_empty()) {
            let existing = self.children(&current).into_iter().find(|i| {
                i["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            });
            current = match existing {
                Some(item) if item["folder"].is_object() => item["id"].as_str()?.to_owned(),
                Some(_) => return None,
                None => {
                    let id = self.new_id();
                    self.add_folder(&id, &current, name, now);
                    id
                }
            };
        }
        Some(current)
    }

    /// A fresh item id.
    pub fn new_id(&mut self) -> String {
        self.seq += 1;
        format!("01EMU{:023}", self.seq)
    }

    fn base_item(&self, id: &str, name: &str, at: i64) -> Value {
        let time = util::iso(at);
        json!({
            "id": id,
            "name": name,
            "createdDateTime": time,
            "lastModifiedDateTime": time,
            "eTag": format!("\"{{{id}}},1\""),
            "cTag": format!("\"c:{{{id}}},1\""),
            "webUrl": format!("https://contoso-my.sharepoint.com/personal/Documents/{}", util::query_encode(name)),
            "size": 0,
        })
    }

    fn parent_reference(&self, parent: &str) -> Value {
        let path = self.path_of(parent);
        json!({"driveId": self.id, "driveType": "business", "id": parent, "path": path})
    }

    /// `/drive/root:` followed by the folder's path.
    fn path_of(&self, folder: &str) -> String {
        let mut names = Vec::new();
        let mut current = self.item(folder);
        while let Some(item) = current.filter(|i| i["id"] != ROOT_ID) {
            names.push(item["name"].as_str().unwrap_or_default().to_owned());
            current = item["parentReference"]["id"]
                .as_str()
                .and_then(|p| self.item(p));
        }
        names.reverse();
        format!(
            "/drive/root:{}",
            names.iter().map(|n| format!("/{n}")).collect::<String>()
        )
    }

    fn add_folder(&mut self, id: &str, parent: &str, name: &str, at: i64) -> Value {
        let mut item = self.base_item(id, name, at);
        item["folder"] = json!({"childCount": 0});
        self.attach(item, parent)
    }

    /// Adds a file item with `bytes` under `parent`; returns it.
    pub fn add_file(
        &mut self,
        id: &str,
        parent: &str,
        name: &str,
        mime: &str,
        bytes: Vec<u8>,
        at: i64,
    ) -> Value {
        let mut item = self.base_item(id, name, at);
        item["file"] = json!({"mimeType": mime});
        item["size"] = json!(bytes.len());
        self.content.insert(id.to_owned(), bytes);
        self.attach(item, parent)
    }

    fn attach(&mut self, mut item: Value, parent: &str) -> Value {
        item["parentReference"] = self.parent_reference(parent);
        self.items.push(item.clone());
        self.update_child_count(parent);
        item
    }

    fn update_child_count(&mut self, folder: &str) {
        let count = self.children(folder).len();
        if let Some(item) = self.item_mut(folder) {
            item["folder"]["childCount"] = json!(count);
        }
    }

    /// Replaces a file's bytes; bumps its version. `None` when `id` is not a file.
    pub fn replace_content(&mut self, id: &str, bytes: Vec<u8>, now: i64) -> Option<Value> {
        let item = self.item_mut(id).filter(|i| i["file"].is_object())?;
        let version = item["eTag"]
            .as_str()
            .and_then(|e| e.trim_matches('"').rsplit(',').next()?.parse::<u64>().ok())
            .unwrap_or(1)
            + 1;
        item["size"] = json!(bytes.len());
        item["lastModifiedDateTime"] = json!(util::iso(now));
        item["eTag"] = json!(format!("\"{{{id}}},{version}\""));
        item["cTag"] = json!(format!("\"c:{{{id}}},{version}\""));
        let item = item.clone();
        self.content.insert(id.to_owned(), bytes);
        Some(item)
    }

    /// Writes `bytes` to `name` in `parent`: replaces an existing file or creates one. Returns
    /// the item and whether it was created.
    pub fn write(
        &mut self,
        parent: &str,
        name: &str,
        bytes: Vec<u8>,
        now: i64,
    ) -> Option<(Value, bool)> {
        let existing = self.children(parent).into_iter().find(|i| {
            i["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        match existing {
            Some(item) => {
                let id = item["id"].as_str()?.to_owned();
                self.replace_content(&id, bytes, now).map(|i| (i, false))
            }
            None => {
                let id = self.new_id();
                let item = self.add_file(&id, parent, name, mime_for(name), bytes, now);
                Some((item, true))
            }
        }
    }

    /// Removes an item and everything under it; `false` when there is no such item (or it is
    /// the root).
    pub fn delete(&mut self, id: &str) -> bool {
        if id == ROOT_ID || self.item(id).is_none() {
            return false;
        }
        let parent = self
            .item(id)
            .and_then(|i| i["parentReference"]["id"].as_str().map(str::to_owned));
        let mut doomed = vec![id.to_owned()];
        let mut index = 0;
        while let Some(current) = doomed.get(index).cloned() {
            doomed.extend(
                self.children(&current)
                    .iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_owned)),
            );
            index += 1;
        }
        self.items
            .retain(|i| !doomed.iter().any(|d| i["id"] == d.as_str()));
        for d in &doomed {
            self.content.remove(d);
        }
        if let Some(parent) = parent {
            self.update_child_count(&parent);
        }
        true
    }
}

/// A MIME type from a file name's extension.
pub fn mime_for(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match extension.as_deref() {
        Some("txt" | "md" | "csv" | "log") => "text/plain",
        Some("json") => "application/json",
        Some("pdf") => "application/pdf",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}
