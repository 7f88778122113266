//! Upload sessions (`Connection::upload_session` + `UploadSession::upload`) against the emulator.
#![cfg(feature = "emulator")]

mod emulator_support;
mod support;

use std::time::Duration;

use emulator_support::app_connection;
use o365::clock::ManualClock;
use o365::emulator::{Emulator, StatusCode};
use o365::{AuthFlowType, Connection, Credentials, ErrorKind, UPLOAD_CHUNK_UNIT, UploadSession};
use rand::RngCore;
use serde_json::json;
use support::{Reply, ScriptedServer};

fn drive_path(em: &Emulator, rest: &str) -> String {
    format!("users/{}/drive/{rest}", em.user().oid)
}

async fn download(conn: &Connection, em: &Emulator, id: &str) -> Vec<u8> {
    let url = drive_path(em, &format!("items/{id}/content"));
    conn.get(&url, &())
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec()
}

/// An emulator, an app-only Connection to it and a new upload session for `file` (a path
/// below the drive root).
async fn new_session(file: &str) -> (Emulator, Connection, UploadSession) {
    let em = Emulator::builder().start().await.unwrap();
    let conn = app_connection(&em).await;
    let create = drive_path(&em, &format!("root:/{file}:/createUploadSession"));
    let session = conn.upload_session(&create, None).await.unwrap();
    (em, conn, session)
}

/// The error of an upload of `len` bytes from `source` in chunks of `chunk`.
async fn upload_err(
    session: &UploadSession,
    conn: &Connection,
    source: &[u8],
    len: u64,
    chunk: usize,
) -> o365::Error {
    session
        .upload(conn, source, len, chunk, |_| {})
        .await
        .unwrap_err()
}

/// The item of a successful upload of all of `payload` in chunks of `chunk`.
async fn upload_all(
    session: &UploadSession,
    conn: &Connection,
    payload: &[u8],
    chunk: usize,
    progress: impl FnMut(u64),
) -> serde_json::Value {
    session
        .upload(conn, payload, payload.len() as u64, chunk, progress)
        .await
        .unwrap()
}

fn session_path(session: &UploadSession) -> String {
    url::Url::parse(&session.upload_url)
        .unwrap()
        .path()
        .to_owned()
}

#[tokio::test]
async fn chunks_carry_exact_ranges_and_the_bytes_round_trip() {
    let (em, conn, session) = new_session("Documents/big.bin").await;
    let mut payload = vec![0u8; 1536 * 1024];
    rand::rng().fill_bytes(&mut payload);

    assert!(session.upload_url.starts_with(em.base_url()));
    assert!(session.expiration.is_some());
    let path = session_path(&session);

    let mut seen = Vec::new();
    let mut ranges = Vec::new();
    let item = upload_all(&session, &conn, &payload, UPLOAD_CHUNK_UNIT, |done| {
        seen.push(done);
        let headers = em.counters().last_request_headers().cloned().unwrap();
        ranges.push((
            headers["content-range"].to_str().unwrap().to_owned(),
            headers["content-length"].to_str().unwrap().to_owned(),
            headers.contains_key("authorization"),
        ));
    })
    .await;

    assert_eq!(item["name"], "big.bin");
    assert_eq!(item["size"], payload.len());
    assert_eq!(em.counters().requests("PUT", &path), 5);
    let unit = UPLOAD_CHUNK_UNIT as u64;
    assert_eq!(
        seen,
        [unit, 2 * unit, 3 * unit, 4 * unit, payload.len() as u64]
    );
    let expected: Vec<(String, String, bool)> = [
        (0, 327_679, 327_680),
        (327_680, 655_359, 327_680),
        (655_360, 983_039, 327_680),
        (983_040, 1_310_719, 327_680),
        (1_310_720, 1_572_863, 262_144),
    ]
    .iter()
    .map(|(s, e, len)| (format!("bytes {s}-{e}/1572864"), len.to_string(), false))
    .collect();
    assert_eq!(ranges, expected);

    let id = item["id"].as_str().unwrap();
    assert_eq!(download(&conn, &em, id).await, payload);
}

#[tokio::test]
async fn chunk_size_must_be_a_multiple_of_320_kib() {
    let (em, conn, session) = new_session("odd.bin").await;
    for size in [0, 1000, UPLOAD_CHUNK_UNIT + 1] {
        let err = upload_err(&session, &conn, &b"abc"[..], 3, size).await;
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{size}: {err}");
    }
    assert_eq!(em.counters().requests("PUT", &session_path(&session)), 0);
}

#[tokio::test]
async fn a_throttled_chunk_is_retried_and_replace_by_item_works() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = app_connection(&em).await;
    let notes = o365::emulator::drive::SEEDED_ITEMS[1].0;
    let payload: Vec<u8> = (0..=255u8).cycle().take(UPLOAD_CHUNK_UNIT + 5).collect();
    let create = drive_path(&em, &format!("items/{notes}/createUploadSession"));
    let item = serde_json::json!({"@microsoft.graph.conflictBehavior": "replace"});
    let session = conn.upload_session(&create, Some(item)).await.unwrap();
    let path = session_path(&session);
    em.script()
        .throttle_next(1, &path, StatusCode::TOO_MANY_REQUESTS, Duration::ZERO);

    let item = upload_all(&session, &conn, &payload, UPLOAD_CHUNK_UNIT, |_| {}).await;
    assert_eq!(item["id"], notes);
    assert_eq!(item["size"], payload.len());
    let counters = em.counters();
    assert_eq!(counters.throttled(), 1);
    assert_eq!(counters.requests("PUT", &path), 3);
    assert_eq!(download(&conn, &em, notes).await, payload);
}

#[tokio::test]
async fn a_short_source_fails_and_cancel_closes_the_session() {
    let (em, conn, session) = new_session("short.bin").await;
    let err = upload_err(&session, &conn, &[7u8; 10][..], 20, UPLOAD_CHUNK_UNIT).await;
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("after 10 of 20 bytes"), "{err}");

    session.cancel(&conn).await.unwrap();
    let path = session_path(&session);
    assert_eq!(em.counters().requests("DELETE", &path), 1);
    let err = upload_err(&session, &conn, &[7u8; 20][..], 20, UPLOAD_CHUNK_UNIT).await;
    assert_eq!(err.status(), Some(reqwest::StatusCode::NOT_FOUND), "{err}");
}

/// The scripted server answers the first chunk with less than it got and the second with more:
/// the upload resends from its buffer, then skips ahead in the source.
#[tokio::test]
async fn resumes_from_the_range_the_service_reports() {
    let clock = ManualClock::at(std::time::UNIX_EPOCH + Duration::from_secs(1_767_225_600));
    let server = ScriptedServer::start(clock.clone()).await;
    let conn = Connection::builder(Credentials::client_id("client-1"))
        .auth_flow(AuthFlowType::DeviceCode)
        .clock(clock)
        .requests_delay(Duration::ZERO)
        .token_backend(o365::token::MemoryTokenBackend::new())
        .build()
        .unwrap();
    let unit = UPLOAD_CHUNK_UNIT;
    server.push([
        Reply::json(202, json!({"nextExpectedRanges": [format!("{unit}-")]})),
        Reply::json(
            202,
            json!({"nextExpectedRanges": [format!("{}-{}", 4 * unit, 5 * unit - 1)]}),
        ),
        Reply::json(201, json!({"id": "item-1", "size": 5 * unit})),
    ]);
    let payload: Vec<u8> = (0..5 * unit).map(|i| (i % 251) as u8).collect();
    let session = UploadSession {
        upload_url: server.url("/upload/s1"),
        expiration: None,
    };
    let mut seen = Vec::new();
    let item = upload_all(&session, &conn, &payload, 2 * unit, |d| seen.push(d)).await;
    assert_eq!(item["id"], "item-1");
    let u = unit as u64;
    assert_eq!(seen, [u, 4 * u, 5 * u]);

    let requests = server.requests();
    type Sent<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);
    let sent: Vec<Sent> = requests
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.header("content-range"),
                r.header("authorization"),
                r.body.as_slice(),
            )
        })
        .collect();
    let total = 5 * u;
    let (r1, r2, r3) = (
        format!("bytes 0-{}/{total}", 2 * u - 1),
        format!("bytes {u}-{}/{total}", 3 * u - 1),
        format!("bytes {}-{}/{total}", 4 * u, 5 * u - 1),
    );
    assert_eq!(
        sent,
        [
            ("PUT", Some(r1.as_str()), None, &payload[..2 * unit]),
            ("PUT", Some(r2.as_str()), None, &payload[unit..3 * unit]),
            ("PUT", Some(r3.as_str()), None, &payload[4 * unit..]),
        ]
    );
}
