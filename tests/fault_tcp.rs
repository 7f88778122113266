//! Faults below HTTP from a real fault peer: TCP proxies of the `noxious` crate (Toxiproxy's
//! toxics) started by `.ci/faults` (tests/fault_peer). Each test asks the peer for a proxy with
//! one toxic in front of a scripted loopback server and drives a `Connection` through it.
//!
//! Ignored by default; `.ci/faults` runs them with `O365_FAULT_PEER` set to the peer's control
//! address. noxious ends a faulted connection by closing it (the client sees the connection end
//! before the reply or the body is complete), and a `timeout` toxic of 0 holds it open silently.
//! The `reset_*` tests use the peer's reset mode instead: a real TCP reset (RST, `SO_LINGER` 0)
//! before the reply or in the middle of the body.

mod fault_common;
mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use fault_common::*;
use futures_util::StreamExt;
use o365::{Connection, ErrorKind, Json, Response};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Reply, ScriptedServer};

/// One proxy of the fault peer, alive as long as this value (the control connection).
struct Faulty {
    _control: TcpStream,
    base: String,
}

impl Faulty {
    /// A proxy in front of `server` with `toxics` (Toxiproxy's JSON form).
    fn new(server: &ScriptedServer, toxics: Value) -> Faulty {
        Faulty::ask(server, json!({ "toxics": toxics }))
    }

    /// A proxy in front of `server` that resets (TCP RST) the first `connections` connections
    /// (0: all) after passing on `after_bytes` bytes of the reply.
    fn reset(server: &ScriptedServer, after_bytes: u64, connections: u64) -> Faulty {
        Faulty::ask(
            server,
            json!({"reset": {"after_bytes": after_bytes, "connections": connections}}),
        )
    }

    /// A proxy in front of `server` as described by `fault` (the control request without
    /// its `upstream`).
    fn ask(server: &ScriptedServer, fault: Value) -> Faulty {
        let peer = std::env::var("O365_FAULT_PEER").expect(
            "O365_FAULT_PEER must hold the fault peer's control address: run .ci/faults, \
             which builds and starts tests/fault_peer",
        );
        let mut control = TcpStream::connect(&peer)
            .unwrap_or_else(|e| panic!("the fault peer at {peer} does not answer: {e}"));
        let upstream = server.base.trim_start_matches("http://");
        let mut request = fault;
        request["upstream"] = json!(upstream);
        writeln!(control, "{request}").unwrap();
        let mut line = String::new();
        BufReader::new(control.try_clone().unwrap())
            .read_line(&mut line)
            .unwrap();
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("fault peer answered {line:?}: {e}"));
        let listen = answer["listen"]
            .as_str()
            .unwrap_or_else(|| panic!("fault peer refused the proxy: {answer}"));
        Faulty {
            _control: control,
            base: format!("http://{listen}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// The connection is cut after `bytes` bytes of the reply (per connection).
fn cut_reply_after(bytes: u64) -> Value {
    json!([{"type": "limit_data", "stream": "downstream", "attributes": {"bytes": bytes}}])
}

/// A reply whose head alone is longer than the 1,024 bytes the proxy lets through.
fn long_head() -> Reply {
    Reply::json(200, json!({"attempt": 1})).header("x-padding", &"p".repeat(4000))
}

/// A JSON reply of about 8 kB.
fn large_json() -> Reply {
    let items: Vec<Value> = (0..200)
        .map(|n| json!({"id": format!("item-{n:04}"), "subject": "quarterly numbers"}))
        .collect();
    Reply::json(200, json!({ "value": items }))
}

/// A download body: `repeats` times the 16 bytes `0123456789abcdef`.
fn file_body(repeats: usize) -> String {
    "0123456789abcdef".repeat(repeats)
}

/// A reply with `file` as an octet-stream download.
fn download(file: &str) -> Reply {
    Reply::new(200)
        .header("content-type", "application/octet-stream")
        .body(file)
}

/// The error of a POST of a message through `proxy` (the tests cut or reset it).
async fn post_message_err(conn: &Connection, proxy: &Faulty) -> o365::Error {
    conn.post(
        &proxy.url("/v1.0/me/messages"),
        Json(json!({"subject": "hi"})),
    )
    .await
    .unwrap_err()
}

/// The reply (its head arrived whole) to a GET of `path` through `proxy`.
async fn get_reply(conn: &Connection, proxy: &Faulty, path: &str) -> Response {
    conn.get(&proxy.url(path), &()).await.unwrap()
}

/// Reads `reply`'s body as a stream until it fails: the bytes received before, and the error.
/// A `what` body that ends without an error (a short file) fails the test.
async fn stream_until_error(reply: Response, what: &str) -> (Vec<u8>, o365::Error) {
    let mut stream = Box::pin(reply.bytes_stream());
    let (mut received, mut failure) = (Vec::new(), None);
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let failure =
        failure.unwrap_or_else(|| panic!("a {what} body must end in an error, not a short file"));
    (received, failure)
}

/// `received` is a part of `file`, neither empty nor all of it, and intact.
fn assert_intact_part(file: &str, received: &[u8]) {
    assert!(
        !received.is_empty() && received.len() < file.len(),
        "{} bytes",
        received.len()
    );
    assert!(
        file.as_bytes().starts_with(received),
        "the bytes received are intact"
    );
}

/// `err` is the transport error of a body read, not a decode error.
fn assert_body_read_transport_error(err: &o365::Error) {
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(
        err.to_string()
            .starts_with("failed reading the response body"),
        "{err}"
    );
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn cut_before_the_reply_on_get_is_retried_and_succeeds() {
    let (clock, server) = clock_and_server().await;
    server.push([long_head(), Reply::json(200, json!({"id": "me"}))]);
    let proxy = Faulty::new(&server, cut_reply_after(1024));
    let conn = connection(&clock, |b| b).await;
    let reply = get_reply(&conn, &proxy, "/v1.0/me").await;
    assert_eq!(reply.json::<Value>().await.unwrap(), json!({"id": "me"}));
    assert_eq!(server.requests().len(), 2, "one cut attempt, one retry");
    assert_eq!(clock.sleeps(), [Duration::from_millis(500)]);
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn cut_before_the_reply_on_post_is_not_retried_and_is_a_transport_error() {
    let (clock, server) = clock_and_server().await;
    server.push([long_head(), Reply::json(201, json!({"id": "m-1"}))]);
    let proxy = Faulty::new(&server, cut_reply_after(1024));
    let conn = connection(&clock, |b| b).await;
    let err = post_message_err(&conn, &proxy).await;
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert_eq!(
        server.requests().len(),
        1,
        "the server may have processed the POST: it is not sent twice"
    );
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn cut_mid_body_of_a_json_reply_is_a_transport_error_not_a_decode_error() {
    let (clock, server) = clock_and_server().await;
    server.push([large_json()]);
    let proxy = Faulty::new(&server, cut_reply_after(1024));
    let conn = connection(&clock, |b| b).await;
    let reply = get_reply(&conn, &proxy, "/v1.0/me/messages").await;
    assert_eq!(reply.status(), 200, "the head arrived whole");
    let err = reply.json::<Value>().await.unwrap_err();
    assert_body_read_transport_error(&err);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn truncated_download_streams_the_bytes_received_then_a_transport_error() {
    let (clock, server) = clock_and_server().await;
    let file = file_body(1024); // 16 KiB
    server.push([download(&file)]);
    let proxy = Faulty::new(&server, cut_reply_after(8192));
    let conn = connection(&clock, |b| b).await;
    let reply = get_reply(&conn, &proxy, "/v1.0/me/drive/items/f/content").await;
    let (received, failure) = stream_until_error(reply, "truncated").await;
    assert_eq!(failure.kind(), ErrorKind::Transport);
    assert_intact_part(&file, &received);
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn stall_longer_than_the_timeout_on_get_times_out_on_every_attempt() {
    let (clock, server) = clock_and_server().await;
    server.fallback(Reply::json(200, json!({"id": "me"})));
    // A timeout toxic of 0 swallows the reply and never closes the connection.
    let stall = json!([{"type": "timeout", "stream": "downstream", "attributes": {"timeout": 0}}]);
    let proxy = Faulty::new(&server, stall);
    let conn = connection(&clock, |b| b.request_retries(1)).await;
    let err = conn
        .request(Method::GET, &proxy.url("/v1.0/me"))
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err:?}");
    assert!(err.is_timeout());
    assert_eq!(
        server.requests().len(),
        2,
        "attempt and one retry, each timed out"
    );
    assert_eq!(clock.sleeps(), [Duration::from_millis(500)]);
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn latency_below_the_timeout_only_slows_the_reply() {
    let (clock, server) = clock_and_server().await;
    server.push([large_json()]);
    let slow = json!([{"type": "latency", "stream": "downstream", "attributes": {"latency": 150}}]);
    let proxy = Faulty::new(&server, slow);
    let conn = connection(&clock, |b| b.timeout(Duration::from_secs(10))).await;
    let started = std::time::Instant::now();
    let reply = get_reply(&conn, &proxy, "/v1.0/me/messages").await;
    let page: Value = reply.json().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "the toxic was in the path"
    );
    assert_eq!(page["value"].as_array().map(Vec::len), Some(200));
    assert_eq!(server.requests().len(), 1);
    assert!(clock.sleeps().is_empty());
}

/// The error and its sources, as text: a reset shows as "connection reset" (ECONNRESET).
fn chain(err: &o365::Error) -> String {
    let mut text = format!("{err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!(" <- {cause}"));
        source = cause.source();
    }
    text
}

fn is_reset(err: &o365::Error) -> bool {
    chain(err).to_ascii_lowercase().contains("reset")
}

/// `err` is a transport error from a real reset.
fn assert_reset(err: &o365::Error) {
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
    assert!(is_reset(err), "a real reset: {}", chain(err));
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn reset_before_the_response_on_get_is_a_typed_transport_error_retried_once_then_succeeds() {
    let (clock, server) = clock_and_server().await;
    server.push([
        Reply::json(200, json!({"attempt": 1})),
        Reply::json(200, json!({"id": "me"})),
    ]);
    let proxy = Faulty::reset(&server, 0, 1);
    let conn = connection(&clock, |b| b).await;
    let reply = get_reply(&conn, &proxy, "/v1.0/me").await;
    assert_eq!(reply.json::<Value>().await.unwrap(), json!({"id": "me"}));
    assert_eq!(server.requests().len(), 2, "one reset attempt, one retry");
    assert_eq!(clock.sleeps(), [Duration::from_millis(500)], "one back-off");
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn reset_before_the_response_on_every_get_is_a_typed_transport_error_after_the_retries() {
    let (clock, server) = clock_and_server().await;
    server.fallback(Reply::json(200, json!({"id": "me"})));
    let proxy = Faulty::reset(&server, 0, 0);
    let conn = connection(&clock, |b| b.request_retries(2)).await;
    let err = conn.get(&proxy.url("/v1.0/me"), &()).await.unwrap_err();
    assert_reset(&err);
    assert_eq!(server.requests().len(), 3, "the attempt and two retries");
    assert_eq!(
        clock.sleeps(),
        [Duration::from_millis(500), Duration::from_secs(1)]
    );
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn reset_before_the_response_on_post_is_a_typed_transport_error_and_is_not_retried() {
    let (clock, server) = clock_and_server().await;
    server.push([
        Reply::json(201, json!({"id": "m-1"})),
        Reply::json(201, json!({"id": "m-2"})),
    ]);
    let proxy = Faulty::reset(&server, 0, 1);
    let conn = connection(&clock, |b| b).await;
    let err = post_message_err(&conn, &proxy).await;
    assert_reset(&err);
    assert_eq!(
        server.requests().len(),
        1,
        "the server processed the POST: it is not sent twice"
    );
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn reset_mid_body_is_a_transport_error_after_the_bytes_received_and_is_not_retried() {
    let (clock, server) = clock_and_server().await;
    let file = file_body(4096); // 64 KiB
    server.push([download(&file), Reply::new(200).body(file.clone())]);
    let proxy = Faulty::reset(&server, 16 * 1024, 1);
    let conn = connection(&clock, |b| b).await;
    let reply = get_reply(&conn, &proxy, "/v1.0/me/drive/items/f/content").await;
    assert_eq!(reply.status(), 200, "the head arrived before the reset");
    let (received, failure) = stream_until_error(reply, "reset").await;
    assert_reset(&failure);
    assert_intact_part(&file, &received);
    assert_eq!(
        server.requests().len(),
        1,
        "the reply was handed over: a broken body is reported, not retried"
    );
}

#[tokio::test]
#[ignore = "needs the fault peer: run .ci/faults"]
async fn reset_mid_body_of_a_json_reply_is_a_transport_error_not_a_decode_error() {
    let (clock, server) = clock_and_server().await;
    server.push([large_json()]);
    let proxy = Faulty::reset(&server, 2048, 0);
    let conn = connection(&clock, |b| b).await;
    let reply = get_reply(&conn, &proxy, "/v1.0/me/messages").await;
    let err = reply.json::<Value>().await.unwrap_err();
    assert_body_read_transport_error(&err);
    assert!(is_reset(&err), "a real reset: {}", chain(&err));
    assert_eq!(server.requests().len(), 1);
}
