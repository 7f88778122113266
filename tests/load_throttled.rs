//! Load with injected throttling: 10,000 requests from 256 concurrent tasks over one Connection
//! against a loopback server that answers 5% of first attempts with 429 or 503 (each with and
//! without `Retry-After`). Every request must end in success, none lost or duplicated (the server counts
//! by id); with an access token that expires during the run, exactly one refresh is made. The
//! retry waits run on the `ManualClock` (virtual time), so only the real work takes wall time.
//! Throughput is printed, never asserted; each run is bounded to 90 s of wall time.

mod identity_common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use identity_common::*;
use o365::Connection;
use o365::clock::ManualClock;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const REQUESTS: u64 = 10_000;
const TASKS: usize = 256;

#[derive(Default)]
struct Counts {
    /// Attempts per item id.
    attempts: HashMap<u64, u32>,
    /// 200 replies per item id.
    served: HashMap<u64, u32>,
    /// Faults injected, by kind.
    injected: HashMap<&'static str, u32>,
    /// Token requests, and the bearer tokens seen.
    refreshes: u32,
    bearers: HashMap<String, u32>,
}

/// The first attempt of 5 ids in 100 fails: 2 with 429 + `Retry-After: 1`, 1 with 503 +
/// `Retry-After: 1`, 1 with a bare 429 and 1 with a bare 503 (both waited out with the back-off).
fn fault_for(id: u64) -> Option<(&'static str, u16, Option<&'static str>)> {
    match id % 100 {
        3 | 23 => Some(("429 with Retry-After", 429, Some("1"))),
        43 => Some(("503 without Retry-After", 503, None)),
        63 => Some(("503 with Retry-After", 503, Some("1"))),
        83 => Some(("429 without Retry-After", 429, None)),
        _ => None,
    }
}

/// The wall-clock bound of one run: the load stops by itself or the test fails.
const RUN_BOUND: Duration = Duration::from_secs(90);

async fn serve(counts: Arc<Mutex<Counts>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let counts = counts.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let target = line.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let (mut length, mut bearer) = (0usize, None);
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        let (k, v) = h.split_once(':').unwrap();
                        match k.to_ascii_lowercase().as_str() {
                            "content-length" => length = v.trim().parse().unwrap(),
                            "authorization" => bearer = Some(v.trim().to_owned()),
                            _ => {}
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let (status, extra, reply) = answer(&counts, &target, bearer);
                    let reply = reply.to_string();
                    let head = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n{extra}\r\n",
                        reply.len()
                    );
                    if write
                        .write_all(format!("{head}{reply}").as_bytes())
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    base
}

fn answer(counts: &Mutex<Counts>, target: &str, bearer: Option<String>) -> (u16, String, Value) {
    let mut c = counts.lock().unwrap();
    if target.ends_with("/oauth2/v2.0/token") {
        c.refreshes += 1;
        let n = c.refreshes;
        return (
            200,
            String::new(),
            user_reply(&format!("at-{n}"), &format!("rt-{n}"), None),
        );
    }
    if let Some(bearer) = bearer {
        *c.bearers.entry(bearer).or_default() += 1;
    }
    let id: u64 = target.rsplit('/').next().unwrap().parse().unwrap();
    let attempt = {
        let a = c.attempts.entry(id).or_default();
        *a += 1;
        *a
    };
    if attempt == 1
        && let Some((kind, status, after)) = fault_for(id)
    {
        *c.injected.entry(kind).or_default() += 1;
        let extra = after.map_or(String::new(), |s| format!("retry-after: {s}\r\n"));
        let error = json!({"error": {"code": "TooManyRequests", "message": "slow down"}});
        return (status, extra, error);
    }
    *c.served.entry(id).or_default() += 1;
    (200, String::new(), json!({"id": id}))
}

/// One load task: gets item after item, taking the next id from `next` until [`REQUESTS`] are
/// taken; each request must succeed with its own item. Returns how many this task completed.
async fn get_items(conn: &Connection, next: &AtomicU64, base: &str) -> u64 {
    let mut done = 0u64;
    loop {
        let id = next.fetch_add(1, Ordering::Relaxed);
        if id >= REQUESTS {
            return done;
        }
        let url = format!("{base}/v1.0/me/items/{id}");
        let reply = conn
            .get(&url, &())
            .await
            .unwrap_or_else(|e| panic!("request {id} failed: {e}"));
        let item: Value = reply.json().await.unwrap();
        assert_eq!(item["id"], id, "the reply belongs to the request");
        done += 1;
    }
}

/// Runs the load against a fresh server with a token expiring at `expires_on`; returns the
/// server's counts and the clock.
async fn run(expires_on: u64) -> (Counts, ManualClock) {
    let counts = Arc::new(Mutex::new(Counts::default()));
    let base = serve(counts.clone()).await;
    let clock = clock();
    let cache = user_cache(
        &env_of(&base),
        "at-0",
        START - 600,
        expires_on,
        Some("rt-0"),
    );
    let conn: Connection = seeded(&base, &clock, cache).await.build().unwrap();

    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (conn, next, base) = (conn.clone(), next.clone(), base.clone());
            tokio::spawn(async move { get_items(&conn, &next, &base).await })
        })
        .collect();
    let join = async {
        let mut completed = 0;
        for task in tasks {
            completed += task.await.unwrap();
        }
        completed
    };
    let completed = tokio::time::timeout(RUN_BOUND, join)
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the load did not finish within {RUN_BOUND:?} of wall time ({} of {REQUESTS} \
                 requests started): a request hangs or the run is far too slow",
                next.load(Ordering::Relaxed).min(REQUESTS)
            )
        });
    let elapsed = started.elapsed();
    assert_eq!(completed, REQUESTS, "every request completed");

    let counts = std::mem::take(&mut *counts.lock().unwrap());
    print_result(&counts, &clock, elapsed);
    (counts, clock)
}

/// Prints the run's throughput, attempts, faults, virtual waits and refreshes.
fn print_result(counts: &Counts, clock: &ManualClock, elapsed: Duration) {
    let attempts: u32 = counts.attempts.values().sum();
    let injected: u32 = counts.injected.values().sum();
    let waits = clock.sleeps();
    println!(
        "RESULT load: {REQUESTS} requests from {TASKS} tasks in {:.2} s = {:.0} requests/s; \
         {attempts} attempts, {injected} injected faults {:?}, {} waits totalling {:?} of \
         virtual time ({:?} passed), {} refreshes",
        elapsed.as_secs_f64(),
        REQUESTS as f64 / elapsed.as_secs_f64(),
        counts.injected,
        waits.len(),
        waits.iter().sum::<Duration>(),
        clock.elapsed(),
        counts.refreshes,
    );
}

fn assert_none_lost_or_duplicated(counts: &Counts) {
    assert_eq!(counts.served.len() as u64, REQUESTS, "no id lost");
    let twice: Vec<_> = counts.served.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "ids served more than once: {twice:?}");
    for (id, attempts) in &counts.attempts {
        let expected = 1 + u32::from(fault_for(*id).is_some());
        assert_eq!(
            *attempts, expected,
            "id {id}: one attempt, two after a fault"
        );
    }
    let injected: u32 = counts.injected.values().sum();
    assert_eq!(
        u64::from(injected),
        REQUESTS / 20,
        "5% of the requests were faulted"
    );
    let per_kind = |kind: &str| counts.injected.get(kind).copied().unwrap_or(0);
    assert_eq!(
        [
            per_kind("429 with Retry-After"),
            per_kind("503 with Retry-After"),
            per_kind("429 without Retry-After"),
            per_kind("503 without Retry-After"),
        ],
        [200, 100, 100, 100],
        "{:?}",
        counts.injected
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_with_5_percent_throttled_all_succeed_once() {
    let (counts, _) = run(START + 3600 * 24).await;
    assert_none_lost_or_duplicated(&counts);
    assert_eq!(counts.refreshes, 0);
    assert_eq!(counts.bearers.keys().collect::<Vec<_>>(), ["Bearer at-0"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_expiring_mid_run_is_refreshed_exactly_once() {
    // The throttle windows move the virtual clock on; the token enters its renewal margin
    // (5 minutes before expiry) 20 s into the run.
    let expires_on = START + 300 + 20;
    let (counts, clock) = run(expires_on).await;
    assert_none_lost_or_duplicated(&counts);
    assert!(
        clock.elapsed() > Duration::from_secs(20),
        "the run outlived the token: {:?}",
        clock.elapsed()
    );
    assert_eq!(counts.refreshes, 1, "one refresh for all 256 tasks");
    let mut seen: Vec<_> = counts.bearers.keys().cloned().collect();
    seen.sort();
    assert_eq!(seen, ["Bearer at-0", "Bearer at-1"]);
}
