//! A large download is streamed, not buffered: a loopback server sends the first part of an
//! 8 MiB body and then holds the rest back until the client has demonstrably consumed the first
//! part (the library test signals it after reading from the stream; the CLI test's server watches
//! the `--out` file grow on disk). A client that buffered the whole body before handing it over
//! would never meet the condition: the server gives up after a bounded wait, cuts the connection,
//! and the test fails with a clear message instead of hanging.

mod fault_common;
mod support;

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fault_common::*;
use futures_util::StreamExt;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Total body size.
const TOTAL: usize = 8 << 20;
/// What the server sends before it waits.
const FIRST: usize = 3 << 20;
/// What the client must have consumed before the server sends the rest.
const CONSUMED: usize = 2 << 20;
/// How long the server waits for the client before it cuts the connection.
const GATE_WAIT: Duration = Duration::from_secs(30);

/// The body: a repeating pattern, so any misplaced byte shows.
fn body() -> Vec<u8> {
    (0..TOTAL).map(|n| (n % 251) as u8).collect()
}

/// What the gated server saw.
#[derive(Default, Debug, Clone)]
struct Seen {
    /// The request line of every request.
    requests: Vec<String>,
    /// Whether the gate opened (the client consumed the first part in time).
    gate_opened: Option<bool>,
}

/// A one-request-at-a-time HTTP/1.1 server on 127.0.0.1 that answers every request with
/// `body` (its full `content-length`), but sends only the first `FIRST` bytes until `gate`
/// resolves to `true`. If it resolves to `false` (the client never consumed the first part),
/// the connection is dropped without the rest.
async fn gated_server<G, F>(
    body: Vec<u8>,
    gate: G,
) -> (String, Arc<Mutex<Seen>>, tokio::task::JoinHandle<()>)
where
    G: FnOnce() -> F + Send + 'static,
    F: Future<Output = bool> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Seen::default()));
    let record = seen.clone();
    let task = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        record.lock().unwrap().requests.push(line.trim_end().into());
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).await.unwrap() == 0 || header.trim().is_empty() {
                break;
            }
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        write.write_all(head.as_bytes()).await.unwrap();
        if write.write_all(&body[..FIRST]).await.is_err() {
            return;
        }
        write.flush().await.unwrap();
        let opened = gate().await;
        record.lock().unwrap().gate_opened = Some(opened);
        if opened {
            let _ = write.write_all(&body[FIRST..]).await;
            let _ = write.flush().await;
        }
        // Dropping the stream ends the connection: the whole body or a cut one.
    });
    (base, seen, task)
}

#[tokio::test]
async fn a_large_download_is_streamed_the_first_chunk_arrives_before_the_server_sends_the_rest() {
    let expected = body();
    let (consumed_tx, consumed_rx) = oneshot::channel::<()>();
    let (base, seen, server) = gated_server(expected.clone(), move || async move {
        matches!(
            tokio::time::timeout(GATE_WAIT, consumed_rx).await,
            Ok(Ok(()))
        )
    })
    .await;
    let clock = clock();
    let conn = connection(&clock, |b| b.timeout(Duration::from_secs(120))).await;

    let run = async {
        let reply = conn
            .get(&format!("{base}/v1.0/me/drive/items/big/content"), &())
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        let mut stream = Box::pin(reply.bytes_stream());
        let mut received = Vec::with_capacity(TOTAL);
        let mut signal = Some(consumed_tx);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.unwrap_or_else(|e| {
                panic!(
                    "the download failed after {} bytes: {e} (a buffering client never \
                     hands over the first part, so the server cut the connection)",
                    received.len()
                )
            });
            received.extend_from_slice(&chunk);
            if received.len() >= CONSUMED
                && let Some(tx) = signal.take()
            {
                // The server has sent at most FIRST bytes so far: these came from a stream.
                tx.send(()).unwrap();
            }
        }
        received
    };
    let received = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the download did not finish in 60 s: the body is not streamed");
    server.await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.gate_opened, Some(true), "{seen:?}");
    assert_eq!(
        seen.requests,
        ["GET /v1.0/me/drive/items/big/content HTTP/1.1"]
    );
    assert_eq!(received.len(), TOTAL);
    assert!(received == expected, "the bytes arrive intact and in order");
}

#[cfg(feature = "cli")]
mod cli_support;

/// Whether the file at `path` holds at least `CONSUMED` bytes within `GATE_WAIT`.
#[cfg(feature = "cli")]
async fn holds_consumed_bytes_in_time(path: std::path::PathBuf) -> bool {
    let deadline = tokio::time::Instant::now() + GATE_WAIT;
    while tokio::time::Instant::now() < deadline {
        let len = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len >= CONSUMED as u64 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Runs `o365 drive get big --out OUT`: the emulator of `env` signs in (authority); the drive
/// request goes to `base`.
#[cfg(feature = "cli")]
fn drive_get_out(
    env: &cli_support::Env,
    base: &str,
    out: &std::path::Path,
) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_o365"));
    for name in cli_support::CLEARED {
        cmd.env_remove(name);
    }
    cmd.env("XDG_CONFIG_HOME", env.dir.path().join("config"))
        .env("XDG_DATA_HOME", env.dir.path().join("data"))
        .env("NO_COLOR", "1")
        .args(["--base-url", base])
        .args(["--authority", env.emulator.authority()])
        .arg("--token-path")
        .arg(env.token_path())
        .args(["--client-id", o365::emulator::PUBLIC_CLIENT_ID])
        .args(["drive", "get", "big", "--out"])
        .arg(out)
        .output()
        .unwrap()
}

/// `o365 drive get ITEM --out FILE` writes the file as the body arrives: the server holds the
/// rest of the body back until the file on disk holds at least `CONSUMED` bytes.
#[cfg(feature = "cli")]
#[test]
fn drive_get_out_writes_the_file_while_the_body_arrives_before_the_server_sends_the_rest() {
    let env = cli_support::Env::start();
    env.login();
    let out = env.dir.path().join("big.bin");
    let watched = out.clone();
    let expected = body();
    let (base, seen, server) = env
        .runtime
        .block_on(gated_server(expected.clone(), move || {
            holds_consumed_bytes_in_time(watched)
        }));
    let output = drive_get_out(&env, &base, &out);
    env.runtime.block_on(server).unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen.gate_opened,
        Some(true),
        "the --out file never held {CONSUMED} bytes while the server waited: the download is \
         buffered; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        seen.requests,
        ["GET /v1.0/me/drive/items/big/content HTTP/1.1"]
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        format!("saved {TOTAL} bytes to {}", out.display())
    );
    let written = std::fs::read(&out).unwrap();
    assert_eq!(written.len(), TOTAL);
    assert!(written == expected, "the file holds the body, intact");
}
