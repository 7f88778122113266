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

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{Connection, Credentials, RetryPolicy, protocol::Protocol};
use secrecy::SecretString;
use serde::Deserialize;

/// The Graph-like reply of `shared/bench/bench_server.py`, byte for byte.
const BODY: &[u8] =
    br#"{"@odata.context":"bench","value":[{"id":"AAMk1","subject":"hello","isRead":false}]}"#;
/// The Graph-style 401 for a request without a Bearer token.
const UNAUTHORIZED: &[u8] = br#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty.","innerError":{"code":"bench"}}}"#;
/// The access token every variant sends.
const ACCESS_TOKEN: &str = "bench-access-token";
/// The path every variant requests (the generated `list_message` call's path).
const PATH: &str = "/v1.0/me/messages";

/// Command line: `--n`, `--warmup`, `--rounds`, `--pin same|split|none`, or `--serve [PORT]
/// [--cpu N]`; other flags (cargo's `--bench`) are ignored.
struct Options {
    requests: usize,
    warmup: usize,
    rounds: usize,
    pin: Pin,
    serve: Option<u16>,
    cpu: Option<usize>,
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
            serve: None,
            cpu: None,
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
                "--cpu" => options.cpu = Some(number(i)),
                "--pin" => {
                    options.pin = match args.get(i + 1).map(String::as_str) {
                        Some("same") => Pin::Same,
                        Some("split") => Pin::Split,
                        Some("none") => Pin::None,
                        other => panic!("--pin takes same, split or none, not {other:?}"),
                    }
                }
                "--only" => options.only = args.get(i + 1).cloned(),
                "--serve" => {
                    let port = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(0);
                    options.serve = Some(port);
                }
                _ => {}
            }
        }
        options
    }
}

fn main() {
    let options = Options::parse();
    if let Some(port) = options.serve {
        pin_to(options.cpu);
        serve(port);
    }
    let (client_cpu, server_cpu) = options.pin.cpus();
    pin_to(client_cpu);
    let (base, child) = match std::env::var("O365_BENCH_URL") {
        Ok(url) => (url.trim_end_matches('/').to_string(), None),
        Err(_) => {
            let (url, child) = spawn_server(server_cpu);
            (url, Some(child))
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(bench(&base, &options));
    if let Some(mut child) = child {
        let _ = child.kill();
        let _ = child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// Server (separate process)
// ---------------------------------------------------------------------------------------------

/// Serves `BODY` on 127.0.0.1:`port` forever (thread per connection, keep-alive, one write per
/// reply), after printing its base URL on stdout.
fn serve(port: u16) -> ! {
    let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind 127.0.0.1");
    println!("http://{}", listener.local_addr().expect("local address"));
    std::io::stdout().flush().expect("stdout");
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || answer_connection(stream));
    }
    std::process::exit(0)
}

/// Answers the requests of one keep-alive connection until the client closes it.
fn answer_connection(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        let (mut bearer, mut content_length) = (false, 0usize);
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let Some((name, value)) = header.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("authorization") {
                bearer = value.starts_with("Bearer ");
            } else if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().unwrap_or(0);
            }
        }
        let mut discard = vec![0u8; content_length];
        if reader.read_exact(&mut discard).is_err() {
            return;
        }
        let (status, body) = if bearer {
            ("200 OK", BODY)
        } else {
            ("401 Unauthorized", UNAUTHORIZED)
        };
        let mut reply = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        reply.extend_from_slice(body);
        if writer.write_all(&reply).is_err() {
            return;
        }
    }
}

/// Pins this process's current thread (and the threads it starts later) to `cpu`.
fn pin_to(cpu: Option<usize>) {
    let Some(cpu) = cpu else { return };
    // SAFETY: `set` is a zeroed, valid cpu_set_t that outlives both calls; pid 0 is this thread.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    assert_eq!(rc, 0, "sched_setaffinity to CPU {cpu} failed");
}

/// Starts a child copy of this binary in `--serve` mode (pinned to `cpu`) and returns its base URL.
fn spawn_server(cpu: Option<usize>) -> (String, Child) {
    let exe = std::env::current_exe().expect("current executable");
    let mut command = Command::new(exe);
    command.args(["--serve", "0"]);
    if let Some(cpu) = cpu {
        command.args(["--cpu", &cpu.to_string()]);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn the server process");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut url)
        .expect("server URL");
    (url.trim().to_string(), child)
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
            Variant::Generated => "(d)  conn.mail().list_message(..) (generated, typed)",
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
            Variant::Generated => {
                let page = self
                    .mail
                    .list_message(None, None, None, None, None, None, None, None, None)
                    .await
                    .expect("list_message")
                    .into_inner();
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

/// A Graph Connection on `base` whose in-memory token cache holds a bearer token valid for a day
/// (no pacing; the default retry policy, never triggered here).
async fn connection(base: &str) -> Connection {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let backend = MemoryTokenBackend::new();
    backend
        .save(SecretString::from(token_cache_json(now + 86_400)))
        .await
        .expect("seed the token cache");
    Connection::builder(Credentials::client_secret("client-1", "bench-secret"))
        .protocol(Protocol::graph_for_host(base))
        .token_backend(backend)
        .requests_delay(Duration::ZERO)
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("Connection")
}

/// An MSAL-format token cache with one account and an access token expiring at `expires_on`.
fn token_cache_json(expires_on: u64) -> String {
    let home = "oid-1.tid-1";
    let env = "login.microsoftonline.com";
    serde_json::json!({
        "AccessToken": {
            format!("{home}-{env}-accesstoken-client-1-tid-1-mail.read user.read"): {
                "credential_type": "AccessToken", "secret": ACCESS_TOKEN,
                "home_account_id": home, "environment": env, "client_id": "client-1",
                "target": "Mail.Read User.Read", "realm": "tid-1", "token_type": "Bearer",
                "cached_at": (expires_on - 86_400).to_string(),
                "expires_on": expires_on.to_string(),
                "extended_expires_on": expires_on.to_string()
            }
        },
        "Account": {
            format!("{home}-{env}-tid-1"): {
                "home_account_id": home, "environment": env, "realm": "tid-1",
                "local_account_id": "oid-1", "username": "bench.user@example.com",
                "authority_type": "MSSTS"
            }
        },
        "IdToken": {}, "RefreshToken": {}, "AppMetadata": {}
    })
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

/// CPU time of this whole process (all threads), from `CLOCK_PROCESS_CPUTIME_ID`.
fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

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

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
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
    let baseline = &samples[0];
    println!(
        "server {base}{PATH}; {} rounds x {per_round} requests per variant after {} warm-up; \
         pin {:?}; load average {load_before} before, {} after; {} CPUs",
        options.rounds,
        options.warmup,
        options.pin,
        load_average(),
        options.machine_cpus,
    );
    println!(
        "| variant | client CPU µs/req | ratio to (a) | wall µs/req | req/s |\n|---|---:|---:|---:|---:|"
    );
    for (v, variant) in variants.iter().enumerate() {
        let cpu = median(samples[v].iter().map(|s| s.cpu_us).collect());
        let wall = median(samples[v].iter().map(|s| s.wall_us).collect());
        let ratio = median(
            samples[v]
                .iter()
                .zip(baseline)
                .map(|(s, b)| s.cpu_us / b.cpu_us)
                .collect(),
        );
        println!(
            "| {} | {cpu:.1} | {ratio:.3} | {wall:.1} | {:.0} |",
            variant.label(),
            1e6 / wall
        );
    }
}
