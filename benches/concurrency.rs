//! Many requests in flight through one Connection against bare reqwest, on a multi-threaded
//! runtime: throughput with 64 in flight, and the latency 1,000 tasks sharing one Connection see
//! (nothing in the pipeline holds a lock across an `.await`, so tasks never queue behind each
//! other; the p99 difference to bare reqwest says so). Run by `benches/run`:
//!
//! ```text
//! cargo bench --bench concurrency -- [--n 20000] [--rounds 5] [--tasks 1000] [--per-task 20]
//! ```

mod common;

use std::time::{Duration, Instant};

use common::{ACCESS_TOKEN, PATH, connection, flag, median, quantile, server};
use futures_util::StreamExt;
use o365::Connection;

#[derive(Clone)]
enum Client {
    Bare(reqwest::Client),
    Conn(Connection),
}

impl Client {
    async fn call(&self, url: &str) {
        let status = match self {
            Client::Bare(c) => {
                let reply = c
                    .get(url)
                    .bearer_auth(ACCESS_TOKEN)
                    .send()
                    .await
                    .expect("GET");
                let status = reply.status();
                reply.bytes().await.expect("body");
                status
            }
            Client::Conn(c) => {
                let reply = c.get(url, &()).await.expect("Connection::get");
                let status = reply.status();
                reply.bytes().await.expect("body");
                status
            }
        };
        assert_eq!(status, 200);
    }
}

/// Wall time of `n` requests with `in_flight` at a time.
async fn throughput(client: &Client, url: &str, n: usize, in_flight: usize) -> Duration {
    let start = Instant::now();
    futures_util::stream::iter(0..n)
        .map(|_| client.call(url))
        .buffer_unordered(in_flight)
        .collect::<Vec<()>>()
        .await;
    start.elapsed()
}

/// Per-request latencies (µs) of `tasks` tasks each sending `per_task` requests in turn.
async fn latencies(client: &Client, url: &str, tasks: usize, per_task: usize) -> Vec<f64> {
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (client, url) = (client.clone(), url.to_string());
            tokio::spawn(async move {
                let mut out = Vec::with_capacity(per_task);
                for _ in 0..per_task {
                    let start = Instant::now();
                    client.call(&url).await;
                    out.push(start.elapsed().as_secs_f64() * 1e6);
                }
                out
            })
        })
        .collect();
    let mut all = Vec::with_capacity(tasks * per_task);
    for handle in handles {
        all.extend(handle.await.expect("task"));
    }
    all
}

fn main() {
    common::serve_if_asked();
    let (n, rounds) = (flag("--n", 20_000usize), flag("--rounds", 5usize));
    let (tasks, per_task) = (flag("--tasks", 1000usize), flag("--per-task", 20usize));
    let (base, _server) = server(None);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let url = format!("{base}{PATH}");
        let bare = Client::Bare(
            reqwest::Client::builder()
                .pool_max_idle_per_host(1024)
                .build()
                .expect("client"),
        );
        let conn = Client::Conn(connection(&base).await);
        // Warm up both pools to the same size.
        throughput(&bare, &url, 2000, 64).await;
        throughput(&conn, &url, 2000, 64).await;
        let mut ratios = Vec::new();
        for round in 0..rounds {
            let per_round = n / rounds;
            let (b, c) = if round.is_multiple_of(2) {
                let b = throughput(&bare, &url, per_round, 64).await;
                (b, throughput(&conn, &url, per_round, 64).await)
            } else {
                let c = throughput(&conn, &url, per_round, 64).await;
                (throughput(&bare, &url, per_round, 64).await, c)
            };
            ratios.push(b.as_secs_f64() / c.as_secs_f64());
            println!(
                "round {round}: 64 in flight, {per_round} requests: bare {:.0} req/s, Connection {:.0} req/s",
                per_round as f64 / b.as_secs_f64(),
                per_round as f64 / c.as_secs_f64()
            );
        }
        println!("RESULT throughput_64_in_flight_vs_reqwest={:.3}", median(ratios));

        let bare_lat = latencies(&bare, &url, tasks, per_task).await;
        let conn_lat = latencies(&conn, &url, tasks, per_task).await;
        let (bp, cp) = (quantile(bare_lat.clone(), 0.99), quantile(conn_lat.clone(), 0.99));
        println!(
            "{tasks} tasks x {per_task} requests: p50 bare {:.0} µs / Connection {:.0} µs; \
             p99 bare {bp:.0} µs / Connection {cp:.0} µs",
            quantile(bare_lat, 0.5),
            quantile(conn_lat, 0.5)
        );
        println!("RESULT p99_added_latency_1000_tasks_us={:.0}", cp - bp);
    });
}
