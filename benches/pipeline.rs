//! Client CPU cost of the request pipeline, as ratios against a bare `reqwest::Client` measured in
//! the same run (see `benches/README.md`).
//!
//! ```text
//! cargo bench --bench pipeline --features graph-mail                 # default: N=5000, 10 rounds
//! cargo bench --bench pipeline --features graph-mail -- --n 20000 --rounds 20 --pin split
//! O365_BENCH_URL=http://127.0.0.1:8766 cargo bench --bench pipeline   # use a server you started
//! target/release/deps/pipeline-* --serve 8766 --cpu 0                  # only serve (for python-o365)
//! ```
//!
//! The server runs in a separate process (a child copy of this binary in `--serve` mode, or the
//! server named by `O365_BENCH_URL`), so the process CPU time measured here is the client's alone.
//! Both processes are pinned to CPU 0 by default (`--pin same`): unpinned, each keep-alive
//! connection settles at random into a cheap same-CPU or a ~2.5x dearer cross-CPU wake-up pattern,
//! which swamps the differences measured. `--pin split` puts the server on CPU 1, `--pin none`
//! leaves scheduling alone.
//! Variants run interleaved in rounds (the order rotates every round); each figure is the median
//! over rounds, and each ratio is the median of the per-round ratios to variant (a).

mod common;

use std::time::{Duration, Instant};

use common::{
    ACCESS_TOKEN, PATH, connection, load_average, median, pin_to, process_cpu, runtime, server,
};
use o365::Connection;
use serde::Deserialize;

/// Command line: `--n`, `--warmup`, `--rounds`, `--pin same|split|none`, or `--serve [PORT]
/// [--cpu N]`; other flags (cargo's `--bench`) are ignored.
struct Options {
    requests: usize,
    warmup: usize,
    rounds: usize,
    pin: Pin,
    /// Run only this variant (`--only get`): for instruction counts under callgrind.
    only: Option<String>,
    /// CPUs of the machine (read before pinning narrows the answer).
    machine_cpus: usize,
}

/// Where the client and the child server run.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Pin {
    /// Both on CPU 0.
    Same,
    /// Client on CPU 0, server on CPU 1.
    Split,
    /// Wherever the scheduler puts them.
    None,
}

impl Pin {
    /// The CPUs of the client and the server.
    fn cpus(self) -> (Option<usize>, Option<usize>) {
        match self {
            Pin::Same => (Some(0), Some(0)),
            Pin::Split => (Some(0), Some(1)),
            Pin::None => (None, None),
        }
    }
}

impl Options {
    fn parse() -> Options {
        let mut options = Options {
            requests: 5000,
            warmup: 200,
            rounds: 10,
            pin: Pin::Same,
            only: None,
            machine_cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let number = |i: usize| -> usize {
            args.get(i + 1)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{} needs a number", args[i]))
        };
        for (i, arg) in args.iter().enumerate() {
            match arg.as_str() {
                "--n" => options.requests = number(i),
                "--warmup" => options.warmup = number(i),
                "--rounds" => options.rounds = number(i).max(1),
                "--pin" => {
                    options.pin = match args.get(i + 1).map(String::as_str) {
                        Some("same") => Pin::Same,
                        Some("split") => Pin::Split,
                        Some("none") => Pin::None,
                        other => panic!("--pin takes same, split or none, not {other:?}"),
                    }
                }
                "--only" => options.only = args.get(i + 1).cloned(),
                _ => {}
            }
        }
        options
    }
}

fn main() {
    common::serve_if_asked();
    let options = Options::parse();
    let (client_cpu, server_cpu) = options.pin.cpus();
    pin_to(client_cpu);
    let (base, _server) = server(server_cpu);
    runtime().block_on(bench(&base, &options));
}

// ---------------------------------------------------------------------------------------------
// Client variants
// ---------------------------------------------------------------------------------------------

/// The typed page of variant (c).
#[derive(Deserialize)]
struct Page {
    #[allow(dead_code)]
    value: Vec<Message>,
}

/// One message of [`Page`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Message {
    id: String,
    subject: Option<String>,
    is_read: Option<bool>,
}

/// The clients under test.
struct Clients {
    url: String,
    bare: reqwest::Client,
    bare_json: reqwest::Client,
    bare_timeouts: reqwest::Client,
    conn: Connection,
    conn_json: Connection,
    #[cfg(feature = "graph-mail")]
    mail: o365::generated::mail::Client,
}

/// One measured variant.
#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Bare,
    BareJson,
    BareTimeouts,
    Get,
    GetJson,
    #[cfg(feature = "graph-mail")]
    BareTyped,
    #[cfg(feature = "graph-mail")]
    Generated,
}

impl Variant {
    fn all() -> Vec<Variant> {
        vec![
            Variant::Bare,
            Variant::BareJson,
            Variant::BareTimeouts,
            Variant::Get,
            Variant::GetJson,
            #[cfg(feature = "graph-mail")]
            Variant::BareTyped,
            #[cfg(feature = "graph-mail")]
            Variant::Generated,
        ]
    }

    /// The name `--only` takes.
    fn name(self) -> &'static str {
        match self {
            Variant::Bare => "bare",
            Variant::BareJson => "bare-json",
            Variant::BareTimeouts => "bare-timeouts",
            Variant::Get => "get",
            Variant::GetJson => "get-json",
            #[cfg(feature = "graph-mail")]
            Variant::BareTyped => "bare-typed",
            #[cfg(feature = "graph-mail")]
            Variant::Generated => "generated",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Variant::Bare => "(a)  reqwest::Client GET + bearer, body bytes",
            Variant::BareJson => "(a') reqwest::Client GET + bearer + serde decode",
            Variant::BareTimeouts => "(a\") reqwest::Client GET + bearer, Connection's timeouts",
            Variant::Get => "(b)  Connection::get, body bytes",
            Variant::GetJson => "(c)  Connection::get + Response::json::<Page>",
            #[cfg(feature = "graph-mail")]
            Variant::BareTyped => {
                "(a*) reqwest::Client GET + bearer + decode into the generated model"
            }
            #[cfg(feature = "graph-mail")]
            Variant::Generated => "(d)  conn.mail().list_messages().send() (generated, typed)",
        }
    }
}

impl Clients {
    async fn new(base: &str) -> Clients {
        // Each variant gets its own client, hence its own keep-alive connection.
        let bare = || {
            reqwest::Client::builder()
                .user_agent("o365-bench")
                .build()
                .expect("reqwest client")
        };
        Clients {
            url: format!("{base}{PATH}"),
            bare: bare(),
            bare_json: bare(),
            bare_timeouts: reqwest::Client::builder()
                .user_agent("o365-bench")
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(100))
                .build()
                .expect("reqwest client"),
            conn: connection(base).await,
            conn_json: connection(base).await,
            #[cfg(feature = "graph-mail")]
            mail: connection(base).await.mail(),
        }
    }

    /// Sends one request the way `variant` does; panics unless it succeeded.
    async fn call(&self, variant: Variant) {
        match variant {
            Variant::Bare => {
                bare_get(&self.bare, &self.url)
                    .await
                    .bytes()
                    .await
                    .expect("bare body");
            }
            Variant::BareTimeouts => {
                let reply = bare_get(&self.bare_timeouts, &self.url).await;
                reply.bytes().await.expect("bare body");
            }
            Variant::BareJson => {
                let reply = bare_get(&self.bare_json, &self.url).await;
                reply.json::<Page>().await.expect("bare JSON");
            }
            Variant::Get => {
                let reply = self
                    .conn
                    .get(&self.url, &())
                    .await
                    .expect("Connection::get");
                assert_eq!(reply.status(), 200);
                reply.bytes().await.expect("Connection::get body");
            }
            Variant::GetJson => {
                let reply = self
                    .conn_json
                    .get(&self.url, &())
                    .await
                    .expect("Connection::get");
                reply.json::<Page>().await.expect("Connection::get JSON");
            }
            #[cfg(feature = "graph-mail")]
            Variant::BareTyped => {
                let reply = bare_get(&self.bare_json, &self.url).await;
                let page: o365::generated::mail::types::MessageCollectionResponse =
                    reply.json().await.expect("bare typed JSON");
                assert_eq!(page.value.len(), 1);
            }
            #[cfg(feature = "graph-mail")]
            Variant::Generated => {
                let page = self
                    .mail
                    .list_messages()
                    .send()
                    .await
                    .expect("list_messages");
                assert_eq!(page.value.len(), 1);
            }
        }
    }
}

/// A bare reqwest GET with the bearer token; panics unless it answered 200.
async fn bare_get(client: &reqwest::Client, url: &str) -> reqwest::Response {
    let reply = client
        .get(url)
        .bearer_auth(ACCESS_TOKEN)
        .send()
        .await
        .expect("bare GET");
    assert_eq!(reply.status(), 200);
    reply
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

/// Per-request CPU and wall time of one batch, in microseconds.
#[derive(Clone, Copy)]
struct Sample {
    cpu_us: f64,
    wall_us: f64,
}

async fn batch(clients: &Clients, variant: Variant, requests: usize) -> Sample {
    let (cpu, wall) = (process_cpu(), Instant::now());
    for _ in 0..requests {
        clients.call(variant).await;
    }
    let per_request = |d: Duration| d.as_secs_f64() * 1e6 / requests as f64;
    Sample {
        cpu_us: per_request(process_cpu() - cpu),
        wall_us: per_request(wall.elapsed()),
    }
}

/// `--only NAME`: warm-up plus N requests of one variant, nothing else (so that the instruction
/// count of two runs with different N gives the cost of one request).
async fn only(base: &str, options: &Options, name: &str) {
    let clients = Clients::new(base).await;
    let variant = Variant::all()
        .into_iter()
        .find(|v| v.name() == name)
        .unwrap_or_else(|| {
            panic!(
                "--only takes one of: {}",
                Variant::all()
                    .iter()
                    .map(|v| v.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
    batch(&clients, variant, options.warmup.max(1)).await;
    let sample = batch(&clients, variant, options.requests).await;
    println!("{name}: {:.1} µs client CPU per request", sample.cpu_us);
}

async fn bench(base: &str, options: &Options) {
    if let Some(name) = &options.only {
        return only(base, options, name).await;
    }
    let clients = Clients::new(base).await;
    let variants = Variant::all();
    for &variant in &variants {
        batch(&clients, variant, options.warmup.max(1)).await;
    }
    let per_round = (options.requests / options.rounds).max(1);
    let load_before = load_average();
    // samples[v][r]: variant v in round r.
    let mut samples = vec![Vec::with_capacity(options.rounds); variants.len()];
    for round in 0..options.rounds {
        for k in 0..variants.len() {
            let v = (k + round) % variants.len();
            samples[v].push(batch(&clients, variants[v], per_round).await);
        }
    }
    println!(
        "server {base}{PATH}; {} rounds x {per_round} requests per variant after {} warm-up; \
         pin {:?}; load average {load_before} before, {} after; {} CPUs",
        options.rounds,
        options.warmup,
        options.pin,
        load_average(),
        options.machine_cpus,
    );
    print_table(&variants, &samples);
    print_results(&variants, &samples);
}

/// The median of the per-round ratios of variant `v`'s CPU time to variant `base`'s.
fn cpu_ratio(
    variants: &[Variant],
    samples: &[Vec<Sample>],
    v: Variant,
    base: Variant,
) -> Option<f64> {
    let iv = variants.iter().position(|x| *x == v)?;
    let ib = variants.iter().position(|x| *x == base)?;
    Some(median(
        samples[iv]
            .iter()
            .zip(&samples[ib])
            .map(|(s, b)| s.cpu_us / b.cpu_us)
            .collect(),
    ))
}

/// One row a variant: client CPU, its ratio to the first variant, wall time and throughput.
fn print_table(variants: &[Variant], samples: &[Vec<Sample>]) {
    println!(
        "| variant | client CPU µs/req | ratio to (a) | wall µs/req | req/s |\n|---|---:|---:|---:|---:|"
    );
    for (v, variant) in variants.iter().enumerate() {
        let cpu = median(samples[v].iter().map(|s| s.cpu_us).collect());
        let wall = median(samples[v].iter().map(|s| s.wall_us).collect());
        let ratio = cpu_ratio(variants, samples, *variant, variants[0]).unwrap_or(f64::NAN);
        println!(
            "| {} | {cpu:.1} | {ratio:.3} | {wall:.1} | {:.0} |",
            variant.label(),
            1e6 / wall
        );
    }
}

/// The ratios the targets are about: the pipeline against bare reqwest, and a typed call
/// against bare reqwest with the same kind of decode.
fn print_results(variants: &[Variant], samples: &[Vec<Sample>]) {
    let ratio = |v, base| cpu_ratio(variants, samples, v, base);
    if let Some(r) = ratio(Variant::Get, Variant::Bare) {
        println!("RESULT overhead_connection_vs_reqwest={r:.3}");
    }
    if let Some(r) = ratio(Variant::Get, Variant::BareTimeouts) {
        println!("RESULT overhead_connection_vs_reqwest_with_timeouts={r:.3}");
    }
    #[cfg(feature = "graph-mail")]
    if let Some(r) = ratio(Variant::Generated, Variant::BareTyped) {
        println!("RESULT overhead_typed_vs_reqwest_same_decode={r:.3}");
    }
}
