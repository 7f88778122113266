//! Mail routes: messages (list, delta, items, attachments, creating a draft, moving one: a new id
//! in the new folder), mail folders and the messages in them, `sendMail`.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, GraphErr, GraphResult};
use crate::emulator::data::store::Kind;
use crate::emulator::util;
use crate::emulator::wire::Reply;

impl Ctx<'_> {
    /// `messages…`, `mailFolders…` and `sendMail` of user `uid`.
    pub(super) fn mail_routes(&mut self, uid: &str, rest: &[&str]) -> GraphResult {
        let method = self.req.method.clone();
        match (rest, &method) {
            (["messages"], &Method::GET) => {
                let messages = self.state.dir.mailbox(uid).messages.clone();
                Ok(self.list_newest_first(messages, uid, "messages"))
            }
            (["messages"], &Method::POST) => self.create_message(uid, "drafts"),
            (["messages", "delta" | "microsoft.graph.delta()"], &Method::GET) => {
                let messages = self.state.dir.mailbox(uid).messages.clone();
                let scope = format!("{uid}/messages");
                self.delta(&scope, messages, "#microsoft.graph.message", "message")
            }
            (["messages", id], _) => self.item(uid, Kind::Message, id),
            (["messages", id, "move"], &Method::POST) => self.move_message(uid, id),
            (["messages", id, "attachments"], &Method::GET) => self.attachments(uid, id),
            (["mailFolders"], &Method::GET) => self.mail_folders(uid),
            (["mailFolders", folder], &Method::GET) => self.mail_folder(uid, folder),
            (["mailFolders", folder, "messages"], &Method::GET) => {
                let (_, messages) = self.folder_messages(uid, folder)?;
                let what = format!("mailFolders('{folder}')/messages");
                Ok(self.list_newest_first(messages, uid, &what))
            }
            (
                [
                    "mailFolders",
                    folder,
                    "messages",
                    "delta" | "microsoft.graph.delta()",
                ],
                &Method::GET,
            ) => {
                let (id, messages) = self.folder_messages(uid, folder)?;
                let scope = format!("{uid}/mailFolders/{id}/messages");
                self.delta(&scope, messages, "#microsoft.graph.message", "message")
            }
            (["mailFolders", folder, "messages"], &Method::POST) => {
                self.create_message(uid, folder)
            }
            (["sendMail"], &Method::POST) => self.send_mail(uid),
            _ => self.unrouted(rest),
        }
    }

    /// The id of `folder` (an id or a well-known name) and the messages in it.
    fn folder_messages(
        &mut self,
        uid: &str,
        folder: &str,
    ) -> Result<(String, Vec<Value>), GraphErr> {
        let mailbox = self.state.dir.mailbox(uid);
        let id = mailbox.folder_id(folder).ok_or_else(GraphErr::not_found)?;
        let messages = mailbox.messages_in(&id);
        Ok((id, messages))
    }

    /// `messages/{id}/attachments`.
    fn attachments(&mut self, uid: &str, id: &str) -> GraphResult {
        let mailbox = self.state.dir.mailbox(uid);
        mailbox
            .find(Kind::Message, id)
            .ok_or_else(GraphErr::not_found)?;
        let attachments = mailbox.attachments.get(id).cloned().unwrap_or_default();
        let what = format!("users('{uid}')/messages('{id}')/attachments");
        Ok(self.list(attachments, 10, &what))
    }

    /// `mailFolders`, with their item counts.
    fn mail_folders(&mut self, uid: &str) -> GraphResult {
        let mailbox = self.state.dir.mailbox(uid);
        let folders = mailbox
            .folders
            .iter()
            .map(|f| mailbox.folder_view(f))
            .collect();
        Ok(self.list(folders, 10, &format!("users('{uid}')/mailFolders")))
    }

    /// `mailFolders/{id-or-well-known-name}`.
    fn mail_folder(&mut self, uid: &str, folder: &str) -> GraphResult {
        let mailbox = self.state.dir.mailbox(uid);
        let id = mailbox.folder_id(folder).ok_or_else(GraphErr::not_found)?;
        let folder = mailbox
            .folders
            .iter()
            .find(|f| f["id"] == id.as_str())
            .map(|f| mailbox.folder_view(f));
        let mut body = self.opts.project(&folder.ok_or_else(GraphErr::not_found)?);
        body["@odata.context"] =
            json!(self.context(&format!("users('{uid}')/mailFolders/$entity")));
        Ok(Reply::json(StatusCode::OK, &body))
    }

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
