//! Extra data loaded into a running emulator ([`Emulator::seed`](super::Emulator::seed)), for
//! `o365 emulator --seed FILE`.

use serde_json::{Value, json};

use super::data::store::Kind;
use super::state::Shared;

/// Adds the items of `seed` (`{"messages": [...], "events": [...], "contacts": [...]}`, each
/// a Graph-shaped object) to the test user's mailbox; a message without `parentFolderId` goes to
/// the inbox. Returns how many items were added.
pub(crate) fn load(shared: &Shared, seed: &Value) -> crate::Result<usize> {
    let Some(seed) = seed.as_object() else {
        return Err(crate::Error::config(
            "the seed is not a JSON object like {\"messages\": [...], \"events\": [...], \"contacts\": [...]}",
        ));
    };
    let uid = shared.config.user.oid.clone();
    let mut state = shared.state();
    let mut added = 0;
    for (key, items) in seed {
        let kind = match key.as_str() {
            "messages" => Kind::Message,
            "events" => Kind::Event,
            "contacts" => Kind::Contact,
            other => {
                return Err(crate::Error::config(format!(
                    "the seed has `{other}`: expected messages, events or contacts"
                )));
            }
        };
        let Some(items) = items.as_array() else {
            return Err(crate::Error::config(format!(
                "the seed's `{key}` is not an array"
            )));
        };
        for item in items {
            let mut item = item.clone();
            if !item.is_object() {
                return Err(crate::Error::config(format!(
                    "an item of the seed's `{key}` is not an object"
                )));
            }
            if kind == Kind::Message && item["parentFolderId"].as_str().is_none() {
                let inbox = state.dir.mailbox(&uid).folder_id("inbox");
                item["parentFolderId"] = json!(inbox);
            }
            state.dir.insert(&uid, kind, item);
            added += 1;
        }
    }
    Ok(added)
}
