//! A TCP fault peer for o365's fault tests, built from `noxious` (Toxiproxy's toxics in Rust).
//!
//! `o365-fault-peer [control-addr]` listens for control connections (default `127.0.0.1:0`) and
//! prints `ready <addr>` once it does. A test opens a control connection and sends one JSON line:
//!
//! ```text
//! {"upstream": "127.0.0.1:4321", "toxics": [{"type": "limit_data", "stream": "downstream",
//!  "attributes": {"bytes": 1024}}]}
//! ```
//!
//! The peer starts a noxious proxy on a fresh loopback port with those toxics (Toxiproxy's JSON:
//! `latency`, `timeout`, `bandwidth`, `slow_close`, `slicer`, `limit_data`) and answers with one
//! line, `{"listen": "127.0.0.1:5678"}` or `{"error": "..."}`. The proxy lives as long as the
//! control connection: when the test closes it, the proxy and all its links stop.
//!
//! noxious ends a faulted connection with a normal close (FIN). For a real reset, a request may
//! hold `"reset"` instead of `"toxics"`:
//!
//! ```text
//! {"upstream": "127.0.0.1:4321", "reset": {"after_bytes": 0, "connections": 1}}
//! ```
//!
//! The peer then runs a proxy of its own: it forwards the request to the upstream and, once the
//! upstream's reply arrives, passes the first `after_bytes` bytes of it on (waiting a moment so the
//! client has read them) and closes the client connection with `SO_LINGER` 0, which sends a TCP
//! reset (RST) instead of a FIN. `after_bytes` 0 resets before any byte of the reply. Only the
//! first `connections` connections are reset (0: all); later ones are forwarded untouched.

use std::net::TcpListener as StdListener;

use noxious::proxy::{ProxyConfig, ProxyRunner, Runner, Toxics};
use noxious::signal::{Close, Stop};
use noxious::socket::TcpListener;
use noxious::toxic::{StreamDirection, Toxic};
use serde_json::{json, Value};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener as TokioListener, TcpStream};

/// Stops a proxy.
type Stopper = Box<dyn FnOnce() + Send>;

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into());
    let control = TokioListener::bind(&addr)
        .await
        .expect("bind the control address");
    println!("ready {}", control.local_addr().expect("control address"));
    loop {
        let Ok((stream, _)) = control.accept().await else {
            continue;
        };
        tokio::spawn(serve(stream));
    }
}

async fn serve(stream: TcpStream) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut line = String::new();
    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
        return;
    }
    let started = match start(&line).await {
        Ok(started) => started,
        Err(error) => {
            let _ = write
                .write_all(format!("{}\n", json!({ "error": error })).as_bytes())
                .await;
            return;
        }
    };
    let (listen, stopper) = started;
    let answer = format!("{}\n", json!({ "listen": listen }));
    if write.write_all(answer.as_bytes()).await.is_ok() {
        // Hold the proxy until the test hangs up.
        let mut rest = Vec::new();
        let _ = read.read_to_end(&mut rest).await;
    }
    stopper();
}

async fn start(line: &str) -> Result<(String, Stopper), String> {
    let request: Value = serde_json::from_str(line).map_err(|e| format!("bad request: {e}"))?;
    let upstream = request["upstream"]
        .as_str()
        .ok_or("the request has no \"upstream\"")?
        .to_string();
    if let Some(reset) = request.get("reset") {
        let number = |name: &str| {
            reset[name]
                .as_u64()
                .ok_or(format!("\"reset\" needs a number \"{name}\""))
        };
        return start_reset(upstream, number("after_bytes")?, number("connections")?).await;
    }
    let list: Vec<Toxic> = serde_json::from_value(request["toxics"].clone())
        .map_err(|e| format!("bad toxics: {e}"))?;
    let mut toxics = Toxics::empty();
    for (n, mut toxic) in list.into_iter().enumerate() {
        if toxic.name.is_empty() {
            toxic.name = format!("toxic-{n}");
        }
        match toxic.direction {
            StreamDirection::Upstream => toxics.upstream.push(toxic),
            StreamDirection::Downstream => toxics.downstream.push(toxic),
        }
    }
    // noxious binds by address and does not report a port it chose, so take a free one first.
    let mut last = String::new();
    for _ in 0..20 {
        let port = StdListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let listen = format!("127.0.0.1:{port}");
        let config = ProxyConfig {
            name: format!("proxy-{port}"),
            listen: listen.clone(),
            upstream: upstream.clone(),
            enabled: true,
            rand_seed: None,
        };
        match ProxyRunner::initialize_proxy::<TcpListener>(config, toxics.clone()).await {
            Ok((listener, info)) => {
                let (stop, stopper) = Stop::new();
                let (_close, closer) = Close::new();
                let (events, receiver) = bmrng::channel(2);
                tokio::spawn(async move {
                    let _events = events; // keeps the toxic-event task alive with the proxy
                    let _ = ProxyRunner::run_proxy(listener, info, receiver, stop, closer).await;
                });
                return Ok((listen, Box::new(move || stopper.stop())));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!("could not bind a proxy port: {last}"))
}

/// A proxy that resets the first `connections` connections (0: all) after `after_bytes` bytes of
/// the upstream's reply, and forwards later ones untouched.
async fn start_reset(
    upstream: String,
    after_bytes: u64,
    connections: u64,
) -> Result<(String, Stopper), String> {
    let listener = TokioListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("could not bind a proxy port: {e}"))?;
    let listen = listener.local_addr().map_err(|e| e.to_string())?.to_string();
    let accepted = Arc::new(AtomicU64::new(0));
    let task = tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let n = accepted.fetch_add(1, Ordering::SeqCst);
            let upstream = upstream.clone();
            let after = usize::try_from(after_bytes).unwrap_or(usize::MAX);
            tokio::spawn(async move {
                if connections == 0 || n < connections {
                    reset_link(client, &upstream, after).await;
                } else if let Ok(mut server) = TcpStream::connect(&upstream).await {
                    let mut client = client;
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                }
            });
        }
    });
    Ok((listen, Box::new(move || task.abort())))
}

/// Forwards the request to `upstream` and `after` bytes of its reply back, then resets the
/// client connection (SO_LINGER 0: the close sends RST, not FIN).
async fn reset_link(mut client: TcpStream, upstream: &str, after: usize) {
    if client.set_zero_linger().is_err() {
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else {
        return;
    };
    {
        // Borrowed halves: dropping them sends nothing (an owned write half would send a FIN).
        let (mut client_read, mut client_write) = client.split();
        let (mut server_read, mut server_write) = server.split();
        let (mut up, mut down) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
        let mut forwarded = 0usize;
        loop {
            tokio::select! {
                read = client_read.read(&mut up) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if server_write.write_all(&up[..n]).await.is_err() {
                            break;
                        }
                    }
                },
                read = server_read.read(&mut down) => match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        let take = n.min(after - forwarded);
                        if take > 0 && client_write.write_all(&down[..take]).await.is_err() {
                            break;
                        }
                        forwarded += take;
                        if forwarded >= after {
                            if after > 0 {
                                // Let the client read what was passed on before the reset.
                                let _ = client_write.flush().await;
                                tokio::time::sleep(Duration::from_millis(300)).await;
                            }
                            break;
                        }
                    }
                },
            }
        }
    }
    drop(client); // SO_LINGER 0: RST
}
