//! Large-file uploads through Graph upload sessions (the SDKs' `LargeFileUploadTask`): create a
//! session with `POST …/createUploadSession`, then PUT the bytes to its pre-authenticated
//! `uploadUrl` in `Content-Range` chunks. Memory stays at one chunk whatever the file size.

use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::{Connection, Error, Result};

/// Graph's chunk granularity: every chunk but the last must be a multiple of 320 KiB.
pub const UPLOAD_CHUNK_UNIT: usize = 320 * 1024;

/// The default chunk size, 10 × 320 KiB (3.125 MiB).
pub const DEFAULT_UPLOAD_CHUNK: usize = 10 * UPLOAD_CHUNK_UNIT;

/// An open upload session: where the chunks go and until when. The upload URL is a credential
/// (Graph puts a token in its query), so `Debug` shows it without the query.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSession {
    /// The pre-authenticated URL the chunks are PUT to (no `Authorization` header).
    pub upload_url: String,
    /// When the session expires (ISO 8601), as the service reported it.
    #[serde(rename = "expirationDateTime", default)]
    pub expiration: Option<String>,
}

impl std::fmt::Debug for UploadSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = self.upload_url.split('?').next().unwrap_or_default();
        f.debug_struct("UploadSession")
            .field("upload_url", &format_args!("{shown}?[redacted]"))
            .field("expiration", &self.expiration)
            .finish()
    }
}

impl Connection {
    /// Opens an upload session: POSTs to `create_session_url` (e.g.
    /// `me/drive/root:/Documents/big.bin:/createUploadSession` or
    /// `me/drive/items/{id}/createUploadSession`), with `{"item": item}` as the body when given
    /// (e.g. `{"@microsoft.graph.conflictBehavior": "replace"}`).
    pub async fn upload_session(
        &self,
        create_session_url: &str,
        item: Option<Value>,
    ) -> Result<UploadSession> {
        let body = match item {
            Some(item) => json!({ "item": item }),
            None => json!({}),
        };
        self.request(Method::POST, create_session_url)
            .json(&body)
            .send()
            .await?
            .error_for_status()
            .await?
            .json()
            .await
    }
}

impl UploadSession {
    /// Uploads `total_len` bytes read from `reader` in chunks of `chunk_size` (a non-zero
    /// multiple of [`UPLOAD_CHUNK_UNIT`]; [`DEFAULT_UPLOAD_CHUNK`] is a good choice) and returns
    /// the resulting driveItem. Each chunk is one PUT through the pipeline (pacing, and retries
    /// of 429/503/5xx, since a chunk can be replayed). When the service answers 202 with a
    /// `nextExpectedRanges` that differs from what was sent, the upload continues from there
    /// (within the current chunk, or by skipping ahead in `reader`). `progress` gets the number
    /// of bytes the service has confirmed after each chunk.
    pub async fn upload(
        &self,
        conn: &Connection,
        mut reader: impl AsyncRead + Unpin,
        total_len: u64,
        chunk_size: usize,
        mut progress: impl FnMut(u64),
    ) -> Result<Value> {
        check_upload_sizes(total_len, chunk_size)?;
        // `pending` holds the bytes from `offset` on that were read but not yet confirmed.
        let (mut offset, mut pending) = (0u64, Bytes::new());
        loop {
            let want = usize::try_from(total_len - offset)
                .unwrap_or(usize::MAX)
                .min(chunk_size);
            if pending.len() < want {
                pending = top_up(&mut reader, pending, want, offset, total_len).await?;
            }
            let end = offset + want as u64 - 1;
            let next = match self
                .put_chunk(conn, pending.slice(..want), offset, total_len)
                .await?
            {
                ChunkReply::Done(item) => {
                    progress(total_len);
                    return Ok(item);
                }
                ChunkReply::Expects(next) => next.unwrap_or(end + 1),
            };
            if next < offset || next >= total_len {
                return Err(Error::decode(format!(
                    "the upload session expects bytes from {next}, which cannot be sent after \
                     bytes {offset}-{end} of {total_len}"
                )));
            }
            let buffered_end = offset + pending.len() as u64;
            if next <= buffered_end {
                pending = pending.slice((next - offset) as usize..);
            } else {
                skip(&mut reader, next - buffered_end).await?;
                pending = Bytes::new();
            }
            offset = next;
            progress(offset);
        }
    }

    /// PUTs one chunk starting at `offset`: the finished driveItem, or where the service
    /// expects the next bytes (`None` when it does not say).
    async fn put_chunk(
        &self,
        conn: &Connection,
        chunk: Bytes,
        offset: u64,
        total_len: u64,
    ) -> Result<ChunkReply> {
        let end = offset + chunk.len() as u64 - 1;
        let reply = conn
            .naive(Method::PUT, &self.upload_url)
            .header(
                "Content-Range",
                &format!("bytes {offset}-{end}/{total_len}"),
            )
            .body(chunk)
            .send()
            .await?
            .error_for_status()
            .await?;
        match reply.status() {
            StatusCode::OK | StatusCode::CREATED => Ok(ChunkReply::Done(reply.json().await?)),
            StatusCode::ACCEPTED => {
                let status: SessionStatus = reply.json().await?;
                Ok(ChunkReply::Expects(status.next_start()))
            }
            other => Err(Error::decode(format!(
                "unexpected status {other} for an upload chunk"
            ))),
        }
    }

    /// Cancels the session: DELETE to the upload URL (no `Authorization` header).
    pub async fn cancel(&self, conn: &Connection) -> Result<()> {
        conn.naive(Method::DELETE, &self.upload_url)
            .send()
            .await?
            .error_for_status()
            .await
            .map(drop)
    }
}

/// What the service answered to a chunk.
enum ChunkReply {
    /// The upload is complete: the resulting driveItem.
    Done(Value),
    /// More is wanted, from this offset when the service says.
    Expects(Option<u64>),
}

/// A chunk size must be a non-zero multiple of [`UPLOAD_CHUNK_UNIT`], and an upload needs a byte.
fn check_upload_sizes(total_len: u64, chunk_size: usize) -> Result<()> {
    if chunk_size == 0 || !chunk_size.is_multiple_of(UPLOAD_CHUNK_UNIT) {
        return Err(Error::invalid_input(format!(
            "the upload chunk size must be a non-zero multiple of 320 KiB ({UPLOAD_CHUNK_UNIT} bytes), not {chunk_size}"
        )));
    }
    if total_len == 0 {
        return Err(Error::invalid_input(
            "an upload session needs at least one byte; use a simple PUT for empty files",
        ));
    }
    Ok(())
}

/// A 202 reply to a chunk.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionStatus {
    #[serde(default)]
    next_expected_ranges: Vec<String>,
}

impl SessionStatus {
    /// The start of the first expected range (`"N-"` or `"N-M"`).
    fn next_start(&self) -> Option<u64> {
        let first = self.next_expected_ranges.first()?;
        first.split('-').next()?.trim().parse().ok()
    }
}

/// `pending` extended with bytes from `reader` to `want` bytes.
async fn top_up(
    reader: &mut (impl AsyncRead + Unpin),
    pending: Bytes,
    want: usize,
    offset: u64,
    total_len: u64,
) -> Result<Bytes> {
    let mut buffer = Vec::with_capacity(want);
    buffer.extend_from_slice(&pending);
    drop(pending);
    while buffer.len() < want {
        let read = (&mut *reader)
            .take((want - buffer.len()) as u64)
            .read_to_end(&mut buffer)
            .await
            .map_err(read_failed)?;
        if read == 0 {
            return Err(Error::invalid_input(format!(
                "the upload source ended after {} of {total_len} bytes",
                offset + buffer.len() as u64
            )));
        }
    }
    Ok(Bytes::from(buffer))
}

/// Reads and discards `count` bytes (the service already has them).
async fn skip(reader: &mut (impl AsyncRead + Unpin), count: u64) -> Result<()> {
    let skipped = tokio::io::copy(&mut reader.take(count), &mut tokio::io::sink())
        .await
        .map_err(read_failed)?;
    if skipped < count {
        return Err(Error::invalid_input(
            "the upload source ended before the range the service expects",
        ));
    }
    Ok(())
}

fn read_failed(e: std::io::Error) -> Error {
    Error::invalid_input("reading the upload source failed").with_source(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_start_reads_open_and_closed_ranges() {
        let status = |ranges: &[&str]| SessionStatus {
            next_expected_ranges: ranges.iter().map(|r| (*r).to_owned()).collect(),
        };
        assert_eq!(status(&["327680-"]).next_start(), Some(327_680));
        assert_eq!(status(&["12-24", "30-"]).next_start(), Some(12));
        assert_eq!(status(&[]).next_start(), None);
        assert_eq!(status(&["x-"]).next_start(), None);
    }

    #[test]
    fn debug_hides_the_upload_urls_token() {
        let session = UploadSession {
            upload_url: "https://sn3302.up.1drv.com/up/fe6987415ace7X4e1eF866337?tempauth=SECRET"
                .into(),
            expiration: None,
        };
        let shown = format!("{session:?}");
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("https://sn3302.up.1drv.com/up/fe6987415ace7X4e1eF866337"));
    }
}
