//! `o365 drive put FILE DEST`: upload a local file to an item id or a drive path. Small files
//! are one PUT of `…/content`; files over [`SESSION_THRESHOLD`] (or with `--session`) go through
//! an upload session in chunks, with a progress bar on stderr.

use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use o365::{Body, Connection, DEFAULT_UPLOAD_CHUNK};
use serde_json::{Value, json};

use crate::failure::{CliResult, Failure};

/// Files larger than this use an upload session (Graph's simple upload takes up to 250 MB,
/// but large single requests fail more often and cannot resume).
const SESSION_THRESHOLD: u64 = 4 * 1024 * 1024;

/// Where the file goes: `/a/b.bin` is a path from the drive root, anything else an item id.
enum Destination {
    Path(String),
    Item(String),
}

impl Destination {
    fn parse(dest: &str) -> Destination {
        match dest.strip_prefix('/') {
            Some(path) => Destination::Path(
                path.split('/')
                    .filter(|s| !s.is_empty())
                    .map(encode_segment)
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
            None => Destination::Item(encode_segment(dest)),
        }
    }

    /// The item's URL relative to the service root, followed by `action`.
    fn url(&self, action: &str) -> String {
        match self {
            Destination::Path(path) => format!("me/drive/root:/{path}:/{action}"),
            Destination::Item(id) => format!("me/drive/items/{id}/{action}"),
        }
    }
}

/// Uploads `file` to `dest`; returns the driveItem.
pub async fn run(
    conn: &Connection,
    file: &Path,
    dest: &str,
    force_session: bool,
) -> CliResult<Value> {
    let cannot_read = |e| Failure::io(&format!("cannot read {}", file.display()), e);
    let dest = Destination::parse(dest);
    if matches!(&dest, Destination::Path(p) if p.is_empty()) {
        return Err(Failure::usage(
            "the destination path names no file (e.g. /Documents/a.bin)",
        ));
    }
    let size = tokio::fs::metadata(file).await.map_err(cannot_read)?.len();
    if !force_session && size <= SESSION_THRESHOLD || size == 0 {
        let bytes = tokio::fs::read(file).await.map_err(cannot_read)?;
        let reply = conn.put(&dest.url("content"), Body::bytes(bytes)).await?;
        return Ok(reply.json().await?);
    }
    let item = match dest {
        Destination::Path(_) => Some(json!({"@microsoft.graph.conflictBehavior": "replace"})),
        Destination::Item(_) => None,
    };
    let session = conn
        .upload_session(&dest.url("createUploadSession"), item)
        .await?;
    let reader = tokio::fs::File::open(file).await.map_err(cannot_read)?;
    let bar = byte_progress(size);
    let uploaded = session
        .upload(conn, reader, size, DEFAULT_UPLOAD_CHUNK, |done| {
            bar.set_position(done)
        })
        .await;
    bar.finish_and_clear();
    if uploaded.is_err() {
        // Best effort: a failed session would otherwise linger until it expires.
        let _ = session.cancel(conn).await;
    }
    Ok(uploaded?)
}

/// A byte progress bar on stderr (hidden when stderr is not a terminal).
fn byte_progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "uploading {wide_bar} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
