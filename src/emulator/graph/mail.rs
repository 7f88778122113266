//! Mail routes: creating a draft, `sendMail`, moving a message (a new id in the new folder).

use http::StatusCode;
use serde_json::{Value, json};

use super::{Ctx, GraphErr, GraphResult};
use crate::emulator::data::store::Kind;
use crate::emulator::util;
use crate::emulator::wire::Reply;

impl Ctx<'_> {
    pub(super) fn me_address(&self, uid: &str) -> Value {
        let user = self.state.dir.user(uid).cloned().unwrap_or_default();
        json!({"emailAddress": {"name": user["displayName"], "address": user["mail"]}})
    }

    /// A message with Graph's defaults under the fields the caller gave.
    pub(super) fn message_from(
        &self,
        uid: &str,
        given: serde_json::Map<String, Value>,
        folder_id: &str,
    ) -> Value {
        let me = self.me_address(uid);
        let now = util::iso(self.req.now);
        let mut message = json!({
            "receivedDateTime": now, "sentDateTime": now,
            "hasAttachments": false,
            "internetMessageId": format!("<{}@emulator.contoso.example>", util::urlsafe_token(9)),
            "subject": "", "importance": "normal",
            "conversationId": util::graph_id("conversation", self.req.now as u64),
            "isRead": true, "isDraft": true,
            "body": {"contentType": "text", "content": ""},
            "sender": me, "from": me,
            "toRecipients": [], "ccRecipients": [], "bccRecipients": [], "replyTo": [],
            "categories": [], "flag": {"flagStatus": "notFlagged"},
        });
        for (key, value) in given {
            message[key] = value;
        }
        let preview: String = message["body"]["content"]
            .as_str()
            .unwrap_or_default()
            .chars()
            .take(255)
            .collect();
        message["bodyPreview"] = json!(preview);
        message["parentFolderId"] = json!(folder_id);
        message["createdDateTime"] = json!(now);
        message["lastModifiedDateTime"] = json!(now);
        message
    }

    pub(super) fn create_message(&mut self, uid: &str, folder: &str) -> GraphResult {
        let given = self.body_object()?;
        let folder_id = self
            .state
            .dir
            .mailbox(uid)
            .folder_id(folder)
            .ok_or_else(GraphErr::not_found)?;
        let message = self.message_from(uid, given, &folder_id);
        let mut stored = self.state.dir.insert(uid, Kind::Message, message);
        stored["@odata.context"] = json!(self.context(&format!("users('{uid}')/messages/$entity")));
        Ok(Reply::json(StatusCode::CREATED, &stored))
    }

    pub(super) fn send_mail(&mut self, uid: &str) -> GraphResult {
        let mut body = self.body_object()?;
        let Some(Value::Object(given)) = body.remove("message") else {
            return Err(GraphErr::bad_request(
                "Required property 'message' is missing.",
            ));
        };
        let recipients: Vec<String> = ["toRecipients", "ccRecipients", "bccRecipients"]
            .iter()
            .flat_map(|k| {
                given
                    .get(*k)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|r| r["emailAddress"]["address"].as_str().map(str::to_owned))
            .collect();
        if recipients.is_empty() {
            return Err(GraphErr::new(
                StatusCode::BAD_REQUEST,
                "ErrorInvalidRecipients",
                "At least one recipient is not valid., Recipient is missing.",
            ));
        }
        let save = body
            .get("saveToSentItems")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let sent_folder = self
            .state
            .dir
            .mailbox(uid)
            .folder_id("sentitems")
            .unwrap_or_default();
        let mut message = self.message_from(uid, given, &sent_folder);
        message["isDraft"] = json!(false);
        if save {
            self.state.dir.insert(uid, Kind::Message, message.clone());
        }
        for address in recipients {
            let Some(rid) = self.state.dir.user_by_mail(&address) else {
                continue;
            };
            let mut copy = message.clone();
            copy["id"] = Value::Null;
            copy["isRead"] = json!(false);
            copy["parentFolderId"] = json!(
                self.state
                    .dir
                    .mailbox(&rid)
                    .folder_id("inbox")
                    .unwrap_or_default()
            );
            self.state.dir.insert(&rid, Kind::Message, copy);
        }
        Ok(Reply::empty(StatusCode::ACCEPTED))
    }

    pub(super) fn move_message(&mut self, uid: &str, id: &str) -> GraphResult {
        let body = self.body_object()?;
        let destination = body
            .get("destinationId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                GraphErr::bad_request("Required property 'destinationId' is missing.")
            })?;
        let new_id = self.state.dir.new_id("message");
        let now = util::iso(self.req.now);
        let mailbox = self.state.dir.mailbox(uid);
        let folder_id = mailbox.folder_id(destination).ok_or_else(|| {
            GraphErr::new(
                StatusCode::NOT_FOUND,
                "ErrorItemNotFound",
                "The specified folder could not be found in the store.",
            )
        })?;
        let index = mailbox
            .messages
            .iter()
            .position(|m| m["id"] == id)
            .ok_or_else(GraphErr::not_found)?;
        let mut message = mailbox.messages.remove(index);
        if let Some(attachments) = mailbox.attachments.remove(id) {
            mailbox.attachments.insert(new_id.clone(), attachments);
        }
        message["id"] = json!(new_id);
        message["parentFolderId"] = json!(folder_id);
        message["lastModifiedDateTime"] = json!(now);
        let stored = self.state.dir.insert(uid, Kind::Message, message);
        Ok(Reply::json(StatusCode::CREATED, &stored))
    }
}
