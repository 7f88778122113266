//! Pacing accuracy on the real clock: 50 requests started at once on one Connection with
//! `requests_delay(200 ms)`; the server stamps each arrival, and the spread of the
//! start-to-start gaps says how close to 200 ms the spacing is. Run by `benches/run`:
//!
//! ```text
//! cargo bench --bench pacing -- [--n 50] [--delay-ms 200]
//! ```

mod common;

use std::time::Duration;

use common::{connection_with_delay, flag, runtime, server};
use serde::Deserialize;

#[derive(Deserialize)]
struct Stamp {
    ns: u64,
}

fn main() {
    common::serve_if_asked();
    let (n, delay_ms) = (flag("--n", 50usize), flag("--delay-ms", 200u64));
    let (base, _server) = server(None);
    runtime().block_on(async {
        let conn = connection_with_delay(&base, Duration::from_millis(delay_ms)).await;
        let url = format!("{base}/stamp");
        let calls = (0..n).map(|_| async {
            let reply = conn.get(&url, &()).await.expect("GET");
            reply.json::<Stamp>().await.expect("stamp").ns
        });
        let mut arrivals = futures_util::future::join_all(calls).await;
        arrivals.sort_unstable();
        let gaps: Vec<f64> = arrivals
            .windows(2)
            .map(|w| (w[1] - w[0]) as f64 / 1e6)
            .collect();
        let min = gaps.iter().copied().fold(f64::INFINITY, f64::min);
        let max = gaps.iter().copied().fold(0.0, f64::max);
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        println!("{n} requests, {delay_ms} ms spacing: gaps min {min:.2} ms, mean {mean:.2} ms, max {max:.2} ms");
        println!("RESULT pacing_gap_min_ms={min:.2}");
        println!("RESULT pacing_gap_max_ms={max:.2}");
        println!("RESULT pacing_gap_spread_ms={:.2}", max - min);
    });
}
