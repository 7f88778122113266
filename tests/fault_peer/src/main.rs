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

use std::net::TcpListener as StdListener;

use noxious::proxy::{ProxyConfig, ProxyRunner, Runner, Toxics};
use noxious::signal::{Close, Stop};
use noxious::socket::TcpListener;
use noxious::toxic::{StreamDirection, Toxic};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener as TokioListener, TcpStream};

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
    stopper.stop();
}

async fn start(line: &str) -> Result<(String, noxious::signal::Stopper), String> {
    let request: Value = serde_json::from_str(line).map_err(|e| format!("bad request: {e}"))?;
    let upstream = request["upstream"]
        .as_str()
        .ok_or("the request has no \"upstream\"")?
        .to_string();
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
                return Ok((listen, stopper));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!("could not bind a proxy port: {last}"))
}
