//! OneDrive routes under `me/drive` and `users/{id}/drive`: the drive, items by id or by path
//! (`root:/{path}:`), children, content download and upload, and resumable upload sessions whose
//! `uploadUrl` (`{base}/upload/{session}`, pre-authenticated like Graph's) takes `Content-Range`
//! PUTs.

use http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Ctx, GraphErr, GraphResult};
use crate::emulator::data::drive::{Drive, ROOT_ID, UploadSession, UploadTarget};
use crate::emulator::state::Shared;
use crate::emulator::util;
use crate::emulator::wire::{Reply, Req};

/// How long an upload session stays open.
const UPLOAD_SESSION_SECONDS: i64 = 3600;

fn item_not_found() -> GraphErr {
    GraphErr::new(
        StatusCode::NOT_FOUND,
        "itemNotFound",
        "The resource could not be found.",
    )
}

impl Ctx<'_> {
    /// `…/drive/{rest}` of user `uid`.
    pub(super) fn drive(&mut self, uid: &str, rest: &[&str]) -> GraphResult {
        let method = self.req.method.clone();
        if let Some(by_path) = rest.first().and_then(|s| s.strip_prefix("root:")) {
            let joined = std::iter::once(by_path)
                .chain(rest[1..].iter().copied())
                .collect::<Vec<_>>()
                .join("/");
            let (path, action) = match joined.split_once(":/") {
                Some((path, action)) => (path.to_owned(), action.to_owned()),
                None => (joined.trim_end_matches(':').to_owned(), String::new()),
            };
            return self.drive_path(uid, &path, &action);
        }
        match (rest, &method) {
            (["root", "delta" | "microsoft.graph.delta()"], &Method::GET) => self.drive_delta(uid),
            ([], &Method::GET) => {
                let base = self.shared.base_url.clone();
                let mut body = self.drive_of(uid)?.resource(&base);
                body["@odata.context"] =
                    json!(self.context(&format!("users('{uid}')/drive/$entity")));
                Ok(Reply::json(StatusCode::OK, &body))
            }
            (["root"], _) => self.drive_item(uid, ROOT_ID, ""),
            (["root", action], _) => self.drive_item(uid, ROOT_ID, action),
            (["items", id], _) => self.drive_item(uid, id, ""),
            (["items", id, action], _) => self.drive_item(uid, id, action),
            _ => Err(GraphErr::bad_request(format!(
                "Resource not found for the segment '{}'.",
                rest.first().copied().unwrap_or("drive")
            ))),
        }
    }

    /// `drive/root/delta`: every item of the user's drive, as a delta collection.
    fn drive_delta(&mut self, uid: &str) -> GraphResult {
        let items = self
            .state
            .dir
            .drives
            .get(uid)
            .map(|d| d.items.clone())
            .unwrap_or_default();
        let scope = format!("{uid}/drive");
        self.delta(&scope, items, "#microsoft.graph.driveItem", "driveItem")
    }

    /// The user's drive (an empty one for users without seeded files).
    fn drive_of(&mut self, uid: &str) -> Result<&mut Drive, GraphErr> {
        let owner = self
            .state
            .dir
            .user(uid)
            .cloned()
            .ok_or_else(item_not_found)?;
        Ok(self
            .state
            .dir
            .drives
            .entry(uid.to_owned())
            .or_insert_with(|| Drive::empty(&owner)))
    }

    /// An item addressed by path; `PUT …:/content` and `POST …:/createUploadSession` create it.
    fn drive_path(&mut self, uid: &str, path: &str, action: &str) -> GraphResult {
        let existing = self.drive_of(uid)?.by_path(path).cloned();
        let (folder, name) = match path.trim_matches('/').rsplit_once('/') {
            Some((folder, name)) => (folder.to_owned(), name.to_owned()),
            None => (String::new(), path.trim_matches('/').to_owned()),
        };
        let creates = matches!(
            (&self.req.method, action),
            (&Method::PUT, "content") | (&Method::POST, "createUploadSession")
        );
        match existing {
            Some(item) => {
                let id = item["id"].as_str().unwrap_or_default().to_owned();
                self.drive_item(uid, &id, action)
            }
            None if creates && !name.is_empty() => {
                let now = self.req.now;
                let parent = self
                    .drive_of(uid)?
                    .ensure_folder(&folder, now)
                    .ok_or_else(|| GraphErr::bad_request("A parent in the path is a file."))?;
                if action == "content" {
                    self.put_content(uid, UploadTarget::New { parent, name })
                } else {
                    self.create_upload_session(uid, UploadTarget::New { parent, name })
                }
            }
            None => Err(item_not_found()),
        }
    }

    /// `items/{id}` and `items/{id}/{action}`.
    fn drive_item(&mut self, uid: &str, id: &str, action: &str) -> GraphResult {
        let id = if id == "root" { ROOT_ID } else { id };
        let method = self.req.method.clone();
        let item = self
            .drive_of(uid)?
            .item(id)
            .cloned()
            .ok_or_else(item_not_found)?;
        match (action, &method) {
            ("", &Method::GET) => {
                let mut body = self.opts.project(&item);
                body["@odata.context"] =
                    json!(self.context(&format!("users('{uid}')/drive/items/$entity")));
                Ok(Reply::json(StatusCode::OK, &body))
            }
            ("", &Method::DELETE) => self.delete_item(uid, id),
            ("children", &Method::GET) => {
                let children = self.drive_of(uid)?.children(id);
                Ok(self.list(
                    children,
                    200,
                    &format!("users('{uid}')/drive/items('{id}')/children"),
                ))
            }
            ("content", &Method::GET) => self.download(uid, id, &item),
            ("content", &Method::PUT) => {
                if item["file"].is_object() {
                    self.put_content(uid, UploadTarget::Item(id.to_owned()))
                } else {
                    Err(GraphErr::bad_request("A folder has no content to replace."))
                }
            }
            ("createUploadSession", &Method::POST) => {
                self.create_upload_session(uid, UploadTarget::Item(id.to_owned()))
            }
            (_, &Method::GET) if !action.is_empty() => Err(GraphErr::bad_request(format!(
                "Resource not found for the segment '{action}'."
            ))),
            _ => Err(GraphErr::method_not_allowed(&method)),
        }
    }

    /// `DELETE items/{id}`; the root cannot be deleted.
    fn delete_item(&mut self, uid: &str, id: &str) -> GraphResult {
        if self.drive_of(uid)?.delete(id) {
            Ok(Reply::empty(StatusCode::NO_CONTENT))
        } else {
            Err(GraphErr::new(
                StatusCode::FORBIDDEN,
                "accessDenied",
                "The root of a drive cannot be deleted.",
            ))
        }
    }

    /// `GET items/{id}/content`: a file's bytes with its MIME type.
    fn download(&mut self, uid: &str, id: &str, item: &Value) -> GraphResult {
        let bytes = self
            .drive_of(uid)?
            .content
            .get(id)
            .cloned()
            .ok_or_else(|| {
                GraphErr::new(
                    StatusCode::BAD_REQUEST,
                    "invalidRequest",
                    "Only files have content; this item is a folder.",
                )
            })?;
        let mime = item["file"]["mimeType"]
            .as_str()
            .unwrap_or("application/octet-stream");
        Ok(Reply::bytes(StatusCode::OK, mime, bytes))
    }

    /// A simple upload: the request body becomes the file's content.
    fn put_content(&mut self, uid: &str, target: UploadTarget) -> GraphResult {
        let (bytes, now) = (self.req.body.to_vec(), self.req.now);
        let drive = self.drive_of(uid)?;
        let (item, created) = write(drive, target, bytes, now).ok_or_else(item_not_found)?;
        Ok(written(&item, created))
    }

    fn create_upload_session(&mut self, uid: &str, target: UploadTarget) -> GraphResult {
        let session = util::urlsafe_token(24);
        let expires_at = self.req.now + UPLOAD_SESSION_SECONDS;
        self.state.dir.uploads.insert(
            session.clone(),
            UploadSession {
                user: uid.to_owned(),
                target,
                received: Vec::new(),
                expires_at,
            },
        );
        Ok(Reply::json(
            StatusCode::OK,
            &json!({
                "uploadUrl": format!("{}/upload/{session}", self.shared.base_url),
                "expirationDateTime": util::iso(expires_at),
                "nextExpectedRanges": ["0-"],
            }),
        ))
    }
}

/// Writes `bytes` to the target; returns the item and whether it was created.
fn write(
    drive: &mut Drive,
    target: UploadTarget,
    bytes: Vec<u8>,
    now: i64,
) -> Option<(Value, bool)> {
    match target {
        UploadTarget::Item(id) => drive.replace_content(&id, bytes, now).map(|i| (i, false)),
        UploadTarget::New { parent, name } => drive.write(&parent, &name, bytes, now),
    }
}

/// The reply to a finished upload: `201` with a new item, `200` with a replaced one.
fn written(item: &Value, created: bool) -> Reply {
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Reply::json(status, item)
}

/// `PUT|DELETE {base}/upload/{session}`: one `Content-Range` chunk of a resumable upload, or
/// cancelling it. No bearer token (the URL is the credential, as in Graph).
pub(crate) fn upload(shared: &Shared, session: &str, req: &Req) -> Reply {
    upload_chunk(shared, session, req).unwrap_or_else(|e| e.reply(req))
}

fn upload_chunk(shared: &Shared, session: &str, req: &Req) -> GraphResult {
    let mut state = shared.state();
    let open = state
        .dir
        .uploads
        .get(session)
        .filter(|s| s.expires_at > req.now)
        .cloned()
        .ok_or_else(item_not_found)?;
    if req.method == Method::DELETE {
        state.dir.uploads.remove(session);
        return Ok(Reply::empty(StatusCode::NO_CONTENT));
    }
    if req.method != Method::PUT {
        return Err(GraphErr::method_not_allowed(&req.method));
    }
    let invalid_range =
        |message: String| GraphErr::new(StatusCode::RANGE_NOT_SATISFIABLE, "invalidRange", message);
    let (start, end, total) = req
        .header("content-range")
        .and_then(parse_content_range)
        .ok_or_else(|| invalid_range("The Content-Range header is missing or invalid.".into()))?;
    let received = open.received.len() as u64;
    if start != received || end + 1 - start != req.body.len() as u64 || end >= total {
        return Err(invalid_range(format!(
            "The uploaded fragment does not fit: expected bytes from {received}, got {start}-{end}/{total} with {} bytes.",
            req.body.len()
        )));
    }
    let mut open = open;
    open.received.extend_from_slice(&req.body);
    if end + 1 < total {
        let reply = json!({
            "expirationDateTime": util::iso(open.expires_at),
            "nextExpectedRanges": [format!("{}-", end + 1)],
        });
        state.dir.uploads.insert(session.to_owned(), open);
        return Ok(Reply::json(StatusCode::ACCEPTED, &reply));
    }
    state.dir.uploads.remove(session);
    let UploadSession {
        user,
        target,
        received,
        ..
    } = open;
    let owner = state.dir.user(&user).cloned().ok_or_else(item_not_found)?;
    let drive = state
        .dir
        .drives
        .entry(user)
        .or_insert_with(|| Drive::empty(&owner));
    let (item, created) = write(drive, target, received, req.now).ok_or_else(item_not_found)?;
    Ok(written(&item, created))
}

/// `bytes START-END/TOTAL` as numbers.
fn parse_content_range(value: &str) -> Option<(u64, u64, u64)> {
    let (range, total) = value.trim().strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let (start, end, total) = (start.parse().ok()?, end.parse().ok()?, total.parse().ok()?);
    (start <= end).then_some((start, end, total))
}
