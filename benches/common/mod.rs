//! What every bench shares: a loopback server that runs in a child process (so the process CPU
//! measured is the client's alone), a Connection with a seeded token, CPU/RSS readings, pinning.
//!
//! Server routes (any other path answers the small Graph-like page [`BODY`]; a GET without
//! `Authorization: Bearer` answers a Graph-style 401):
//! * `/pages?k=K&of=N&size=S`: page K of N, S items each, `@odata.nextLink` to page K+1;
//! * `/download?bytes=B`: B bytes of octet-stream, written in 64 KiB pieces;
//! * `/stamp`: `{"ns": …}`, the server's monotonic arrival time of the request.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use o365::token::{MemoryTokenBackend, TokenBackend};
use o365::{Connection, Credentials, RetryPolicy, protocol::Protocol};
use secrecy::SecretString;

/// The Graph-like reply of `shared/bench/bench_server.py`, byte for byte.
pub const BODY: &[u8] =
    br#"{"@odata.context":"bench","value":[{"id":"AAMk1","subject":"hello","isRead":false}]}"#;
/// The Graph-style 401 for a request without a Bearer token.
const UNAUTHORIZED: &[u8] = br#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty.","innerError":{"code":"bench"}}}"#;
/// The access token every client sends.
pub const ACCESS_TOKEN: &str = "bench-access-token";
/// The path of the small page.
pub const PATH: &str = "/v1.0/me/messages";

/// Serves on 127.0.0.1:`port` forever (thread per connection, keep-alive), after printing its
/// base URL on stdout.
pub fn serve(port: u16) -> ! {
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
        let (mut bearer, mut content_length, mut host) = (false, 0usize, String::new());
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let arrival = server_clock().elapsed().as_nanos();
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
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
            } else if name.eq_ignore_ascii_case("host") {
                host = value.to_string();
            } else if name.eq_ignore_ascii_case("content-length") {
                content_length = value.parse().unwrap_or(0);
            }
        }
        let mut discard = vec![0u8; content_length];
        if reader.read_exact(&mut discard).is_err() {
            return;
        }
        let written = if !bearer {
            reply(
                &mut writer,
                "401 Unauthorized",
                "application/json",
                UNAUTHORIZED,
            )
        } else {
            route(&mut writer, &target, &host, arrival)
        };
        if written.is_err() {
            return;
        }
    }
}

fn server_clock() -> &'static Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now)
}

fn route(writer: &mut TcpStream, target: &str, host: &str, arrival: u128) -> std::io::Result<()> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let param = |name: &str| -> usize {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    match path {
        "/pages" => {
            let page = paging_body(host, param("k"), param("of"), param("size"));
            reply(writer, "200 OK", "application/json", page.as_bytes())
        }
        "/download" => {
            let total = param("bytes");
            write!(
                writer,
                "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {total}\r\n\r\n"
            )?;
            let chunk = vec![b'x'; 64 * 1024];
            let mut left = total;
            while left > 0 {
                let n = left.min(chunk.len());
                writer.write_all(&chunk[..n])?;
                left -= n;
            }
            Ok(())
        }
        "/stamp" => reply(
            writer,
            "200 OK",
            "application/json",
            format!("{{\"ns\":{arrival}}}").as_bytes(),
        ),
        _ => reply(writer, "200 OK", "application/json", BODY),
    }
}

/// Page `k` of `of`, `size` message-like items each, linking (absolutely, as Graph does) to page
/// `k + 1` on `host`.
fn paging_body(host: &str, k: usize, of: usize, size: usize) -> String {
    let mut body = String::with_capacity(size * 120 + 200);
    body.push_str("{\"value\":[");
    for i in 0..size {
        if i > 0 {
            body.push(',');
        }
        let n = k * size + i;
        body.push_str(&format!(
            "{{\"id\":\"AAMkAGI2TG93AAA{n:08}\",\"subject\":\"Quarterly numbers {n}\",\"isRead\":false}}"
        ));
    }
    body.push(']');
    if k + 1 < of {
        body.push_str(&format!(
            ",\"@odata.nextLink\":\"http://{host}/pages?k={}&of={of}&size={size}\"",
            k + 1
        ));
    }
    body.push('}');
    body
}

fn reply(writer: &mut TcpStream, status: &str, kind: &str, body: &[u8]) -> std::io::Result<()> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    writer.write_all(&bytes)
}

/// Pins this process's current thread (and the threads it starts later) to `cpu`.
pub fn pin_to(cpu: Option<usize>) {
    let Some(cpu) = cpu else { return };
    // SAFETY: `set` is a zeroed, valid cpu_set_t that outlives both calls; pid 0 is this thread.
    let rc = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set)
    };
    assert_eq!(rc, 0, "sched_setaffinity to CPU {cpu} failed");
}

/// The server to use: `O365_BENCH_URL` when set, else a child copy of this binary in `--serve`
/// mode (pinned to `cpu`), killed when the returned guard is dropped.
pub fn server(cpu: Option<usize>) -> (String, ServerGuard) {
    if let Ok(url) = std::env::var("O365_BENCH_URL") {
        return (url.trim_end_matches('/').to_string(), ServerGuard(None));
    }
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
    (url.trim().to_string(), ServerGuard(Some(child)))
}

/// Kills the child server when dropped.
pub struct ServerGuard(Option<Child>);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `--serve [PORT] [--cpu N]`: serve instead of measuring. Call first thing in `main`.
pub fn serve_if_asked() {
    let args: Vec<String> = std::env::args().collect();
    let Some(i) = args.iter().position(|a| a == "--serve") else {
        return;
    };
    let port = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(0);
    let cpu = args
        .iter()
        .position(|a| a == "--cpu")
        .and_then(|i| args.get(i + 1)?.parse().ok());
    pin_to(cpu);
    serve(port)
}

/// The value after `--name`, parsed, or `default`.
pub fn flag<T: std::str::FromStr>(name: &str, default: T) -> T {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// A Graph Connection on `base` whose in-memory token cache holds a bearer token valid for a day
/// (no pacing unless `delay`; the default retry policy, never triggered here).
pub async fn connection_with_delay(base: &str, delay: Duration) -> Connection {
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
        .requests_delay(delay)
        .retry_policy(RetryPolicy::default())
        .build()
        .expect("Connection")
}

/// [`connection_with_delay`] without pacing.
pub async fn connection(base: &str) -> Connection {
    connection_with_delay(base, Duration::ZERO).await
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

/// CPU time of this whole process (all threads), from `CLOCK_PROCESS_CPUTIME_ID`.
pub fn process_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the kernel knows.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// The peak resident set size of this process so far, in MiB (`getrusage`).
pub fn peak_rss_mib() -> f64 {
    // SAFETY: `usage` is a valid, writable rusage for the call.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, &mut usage), 0);
        usage
    };
    usage.ru_maxrss as f64 / 1024.0
}

/// The median of `values`.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// The value at quantile `q` (0..=1) of `values`.
pub fn quantile(mut values: Vec<f64>, q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 - 1.0) * q).round() as usize;
    values[i.min(values.len() - 1)]
}

/// `/proc/loadavg`'s three figures.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A current-thread tokio runtime.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
