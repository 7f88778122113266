//! Several processes sharing one real Redis (feature `redis`): one refresh for 4 × 64 tasks,
//! pacing across processes, a 429 seen by one process pausing the others, Redis going away
//! mid-run, and concurrent saves that never lose a rotation.
//!
//! The tests are `#[ignore]`d: `.ci/redis` starts a Redis and runs them with its URL in
//! `O365_TEST_REDIS_URL` (`-- --ignored --skip child_`). The `child_*` functions are the child
//! processes' side, started by the tests themselves.
#![cfg(feature = "redis")]

mod identity_common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use httpmock::Method::GET;
use httpmock::MockServer;
use identity_common::*;
use o365::redis::{Redis, RedisTokenBackend};
use o365::token::{TokenBackend, TokenCache, TokenStore};
use o365::{Connection, Credentials, ErrorKind, SharedPacing};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const URL_ENV: &str = "O365_TEST_REDIS_URL";
const CHILD_ENV: &str = "O365_REDIS_CHILD";

fn redis_url() -> String {
    std::env::var(URL_ENV).unwrap_or_else(|_| {
        panic!(
            "{URL_ENV} is not set: these tests need a Redis; run .ci/redis, or start one and \
             set {URL_ENV}=redis://127.0.0.1:<port>"
        )
    })
}

/// A key prefix no other test (or earlier run) uses.
fn fresh_prefix(test: &str) -> String {
    format!("t-{test}-{}", uuid::Uuid::new_v4().simple())
}

/// The Redis of [`URL_ENV`], its keys under `prefix`.
fn prefixed(prefix: impl Into<String>) -> Redis {
    Redis::open(&redis_url()).unwrap().with_prefix(prefix)
}

/// A [`user_cache`] on the system clock with the access token `at-valid` (cached a minute before
/// `now`, good for an hour after it) and the refresh token `rt-1`.
fn valid_now(env: &str, now: u64) -> String {
    user_cache(env, "at-valid", now - 60, now + 3600, Some("rt-1"))
}

/// `redis`'s backend for the account `adele`, holding a [`valid_now`] cache for `server` at
/// `now`, and a Connection against `server` on it that paces `delay` apart through `redis`.
async fn shared_connection(
    server: &MockServer,
    redis: &Redis,
    now: u64,
    delay: Duration,
) -> (RedisTokenBackend, Connection) {
    let backend = redis.token_backend(CLIENT, "adele");
    let cache = valid_now(&env_of(&server.base_url()), now);
    backend.save(SecretString::from(cache)).await.unwrap();
    let conn = live_builder(&server.base_url(), delay)
        .token_backend(backend.clone())
        .shared_pacing(redis.pacing(CLIENT))
        .build()
        .unwrap();
    (backend, conn)
}

/// The child side's parameters, `|`-separated in [`CHILD_ENV`].
fn child_spec() -> Vec<String> {
    std::env::var(CHILD_ENV)
        .expect("started by a test of tests/redis_shared.rs")
        .split('|')
        .map(str::to_owned)
        .collect()
}

/// Runs the child test `name` in `count` processes with `spec`, started `stagger` apart; waits
/// for all and checks that they passed.
async fn run_children(name: &str, count: usize, spec: &str) {
    let envs = (0..count)
        .map(|i| vec![(CHILD_ENV, format!("{spec}|{i}")), (URL_ENV, redis_url())])
        .collect();
    run_child_tests(name, envs).await;
}

// ---------------------------------------------------------------------------------------------
// One refresh for 4 processes × 64 tasks.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run as a child process by four_processes_of_64_tasks_refresh_an_expired_token_once"]
async fn child_64_tasks_on_an_expired_token() {
    let spec = child_spec();
    let (authority, prefix) = (&spec[0], &spec[1]);
    let conn = live_builder(authority, Duration::ZERO)
        .token_backend(prefixed(prefix).token_backend(CLIENT, "adele"))
        .build()
        .unwrap();
    gets_all_ok(&conn, &format!("{authority}/v1.0/me"), 64).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn four_processes_of_64_tasks_refresh_an_expired_token_once() {
    let server = MockServer::start_async().await;
    let token = mock_refresh(
        &server,
        &[("grant_type", "refresh_token"), ("refresh_token", "rt-old")],
        Duration::from_millis(300),
    )
    .await;
    let api = mock_get(&server, "/v1.0/me", "at-new", json!({"id": "me"})).await;
    let prefix = fresh_prefix("refresh");
    let backend = prefixed(&prefix).token_backend(CLIENT, "adele");
    let env = env_of(&server.base_url());
    backend
        .save(SecretString::from(expired_cache(&env, now_secs())))
        .await
        .unwrap();
    run_children(
        "child_64_tasks_on_an_expired_token",
        4,
        &format!("{}|{prefix}", server.base_url()),
    )
    .await;
    assert_eq!(
        token.calls_async().await,
        1,
        "one refresh for all processes"
    );
    assert_eq!(api.calls_async().await, 4 * 64);
    let saved = backend.load().await.unwrap().unwrap();
    let cache = TokenCache::from_json(saved.expose_secret()).unwrap();
    assert_eq!(
        cache.refresh_token(None).unwrap().secret.expose_secret(),
        "rt-new"
    );
    assert_eq!(
        cache.access_token(None).unwrap().secret.expose_secret(),
        "at-new"
    );
    assert!(backend.check().await.unwrap());
    // The lock was released by its owner (not left to expire).
    let (lock, _) = get_key(backend.lock_key()).await;
    assert_eq!(lock, None);
}

// ---------------------------------------------------------------------------------------------
// A loopback HTTP server that records when each request arrives, for pacing and throttling.

#[derive(Clone, Default)]
struct Recorder {
    /// (arrival, path, status sent).
    hits: Arc<Mutex<Vec<(Instant, String, u16)>>>,
    /// While open, every request gets 429 (as Graph would).
    window_until: Arc<Mutex<Option<Instant>>>,
}

impl Recorder {
    /// Serves on 127.0.0.1; `/throttle-me` opens a `retry_after`-second window and answers
    /// 429 (once: later calls of it are ordinary requests).
    async fn start(retry_after: u64) -> (Recorder, SocketAddr) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let recorder = Recorder::default();
        let served = recorder.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let recorder = served.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    loop {
                        let mut chunk = [0u8; 4096];
                        let Ok(n) = stream.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                            buf.drain(..end + 4);
                            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
                            let reply = recorder.answer(path, retry_after);
                            if stream.write_all(reply.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        (recorder, addr)
    }

    fn answer(&self, path: String, retry_after: u64) -> String {
        let now = Instant::now();
        let mut window = self.window_until.lock().unwrap();
        let mut hits = self.hits.lock().unwrap();
        let first_throttle = path == "/throttle-me" && !hits.iter().any(|h| h.1 == path);
        let status = if first_throttle {
            *window = Some(now + Duration::from_secs(retry_after));
            429
        } else if window.is_some_and(|until| now < until) {
            429
        } else {
            200
        };
        hits.push((now, path, status));
        match status {
            429 => format!(
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {retry_after}\r\n\
                 Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
            ),
            _ => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
                .into(),
        }
    }

    fn hits(&self) -> Vec<(Instant, String, u16)> {
        self.hits.lock().unwrap().clone()
    }
}

/// A Connection that paces through Redis (`prefix`, app `app`) with `delay`.
fn paced_connection(prefix: &str, delay: Duration) -> Connection {
    let redis = prefixed(prefix);
    Connection::builder(Credentials::client_secret(CLIENT, SECRET))
        .tenant_id(TENANT)
        .requests_delay(delay)
        .token_backend(o365::token::MemoryTokenBackend::new())
        .shared_pacing(redis.pacing(CLIENT))
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Pacing across 3 processes.

const PACE: Duration = Duration::from_millis(150);
const PER_CHILD: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by three_processes_keep_the_spacing_together"]
async fn child_paced_requests() {
    let spec = child_spec();
    let (base, prefix) = (&spec[0], &spec[1]);
    let conn = paced_connection(prefix, PACE);
    let tasks: Vec<_> = (0..PER_CHILD)
        .map(|_| {
            let (conn, url) = (conn.clone(), format!("{base}/v1.0/paced"));
            tokio::spawn(async move {
                conn.naive(Method::GET, &url)
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn three_processes_keep_the_spacing_together() {
    let (recorder, addr) = Recorder::start(1).await;
    let prefix = fresh_prefix("pace");
    run_children(
        "child_paced_requests",
        3,
        &format!("http://{addr}|{prefix}"),
    )
    .await;
    let mut arrivals: Vec<Instant> = recorder.hits().iter().map(|h| h.0).collect();
    arrivals.sort();
    let n = arrivals.len();
    assert_eq!(n, 3 * PER_CHILD);
    // Every request starts in its own slot, `PACE` after the previous one on the Redis clock.
    // A request can arrive late (scheduling), never early, so any j - i + 1 consecutive
    // arrivals span at least (j - i) slots minus the latest one's lateness; allowing one full
    // slot of lateness: at least (j - i - 1) × PACE. Without shared pacing the three
    // processes' requests would arrive three at a time.
    for i in 0..n {
        for j in i + 2..n {
            let span = arrivals[j] - arrivals[i];
            let floor = PACE * u32::try_from(j - i - 1).unwrap();
            assert!(
                span >= floor,
                "arrivals {i}..{j} span {span:?}, less than {floor:?}: {:?}",
                gaps(&arrivals)
            );
        }
    }
    let whole = arrivals[n - 1] - arrivals[0];
    // Nor spaced wider than asked: n requests take n - 1 slots, plus scheduling slack (the
    // three processes start within a few hundred ms of each other).
    let ceiling = PACE * u32::try_from(n - 1).unwrap() + Duration::from_millis(1500);
    assert!(
        whole <= ceiling,
        "{n} requests spread over {whole:?}, more than {ceiling:?}: {:?}",
        gaps(&arrivals)
    );
    println!(
        "{n} requests from 3 processes over {whole:?}, gaps {:?}",
        gaps(&arrivals)
    );
}

fn gaps(arrivals: &[Instant]) -> Vec<Duration> {
    arrivals.windows(2).map(|w| w[1] - w[0]).collect()
}

// ---------------------------------------------------------------------------------------------
// A 429 seen by one process pauses the others.

const RETRY_AFTER: u64 = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by a_429_seen_by_one_process_pauses_the_others"]
async fn child_one_request() {
    let spec = child_spec();
    let (base, prefix, path) = (&spec[0], &spec[1], &spec[2]);
    let conn = paced_connection(prefix, Duration::ZERO);
    let reply = conn
        .naive(Method::GET, &format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn a_429_seen_by_one_process_pauses_the_others() {
    let (recorder, addr) = Recorder::start(RETRY_AFTER).await;
    let prefix = fresh_prefix("throttle");
    let base = format!("http://{addr}");
    let pacing = prefixed(&prefix).pacing(CLIENT);
    let first = {
        let spec = format!("{base}|{prefix}|/throttle-me");
        tokio::spawn(async move { run_children("child_one_request", 1, &spec).await })
    };
    // Wait until the first process has published the window.
    let origin = format!("http://{addr}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while pacing.throttle_remaining(&origin).await.unwrap().is_zero() {
        assert!(Instant::now() < deadline, "the window never reached Redis");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Two more processes start while the window is open.
    run_children("child_one_request", 2, &format!("{base}|{prefix}|/v1.0/me")).await;
    first.await.unwrap();
    let hits = recorder.hits();
    let throttled_at = hits.iter().find(|h| h.2 == 429).unwrap().0;
    assert_eq!(
        hits.iter().filter(|h| h.2 == 429).count(),
        1,
        "only the first process met the 429: {hits:?}"
    );
    let others: Vec<_> = hits.iter().filter(|h| h.1 == "/v1.0/me").collect();
    assert_eq!(others.len(), 2);
    for (at, _, _) in others {
        assert!(
            *at >= throttled_at + Duration::from_millis(RETRY_AFTER * 1000 - 100),
            "a process started {:?} after the 429, inside the {RETRY_AFTER} s window",
            at.duration_since(throttled_at)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Redis going away mid-run.

/// A TCP relay to Redis that can refuse connections (stopped) or swallow them (hanging).
struct Relay {
    addr: SocketAddr,
    mode: Arc<Mutex<RelayMode>>,
    tasks: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum RelayMode {
    Forward,
    Hang,
}

impl Relay {
    async fn start(target: SocketAddr) -> Relay {
        let listener = listen("127.0.0.1:0".parse().unwrap());
        let addr = listener.local_addr().unwrap();
        let relay = Relay {
            addr,
            mode: Arc::new(Mutex::new(RelayMode::Forward)),
            tasks: Arc::default(),
        };
        relay.serve(listener, target);
        relay
    }

    fn serve(&self, listener: TcpListener, target: SocketAddr) {
        let (mode, tasks) = (self.mode.clone(), self.tasks.clone());
        let accept_tasks = tasks.clone();
        let handle = tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                let mode = *mode.lock().unwrap();
                let task = tokio::spawn(async move {
                    if mode == RelayMode::Hang {
                        let mut sink = [0u8; 1024];
                        while matches!(inbound.read(&mut sink).await, Ok(n) if n > 0) {}
                        return;
                    }
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                accept_tasks.lock().unwrap().push(task);
            }
        });
        tasks.lock().unwrap().push(handle);
    }

    /// Closes the listener and every relayed connection: Redis looks stopped.
    async fn stop(&self) {
        let tasks: Vec<_> = self.tasks.lock().unwrap().drain(..).collect();
        for task in tasks {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port, relaying (`Forward`) or swallowing (`Hang`).
    async fn restart(&self, mode: RelayMode, target: SocketAddr) {
        *self.mode.lock().unwrap() = mode;
        self.serve(listen(self.addr), target);
    }
}

/// A listener that can take over the port of a closed one at once.
fn listen(addr: SocketAddr) -> TcpListener {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.bind(addr).unwrap();
    socket.listen(64).unwrap()
}

fn redis_addr() -> SocketAddr {
    let url = url::Url::parse(&redis_url()).unwrap();
    format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(6379))
        .parse()
        .unwrap()
}

/// Three requests go on with Redis `mode` (stopped or hanging): the token is in memory and
/// pacing falls back to local slots.
async fn requests_go_on_without_redis(conn: &Connection, me: &str, mode: &str) {
    let started = Instant::now();
    for _ in 0..3 {
        let reply = tokio::time::timeout(Duration::from_secs(10), conn.get(me, &()))
            .await
            .unwrap_or_else(|_| panic!("a request hung with Redis {mode}"));
        assert_eq!(reply.unwrap().status(), 200);
    }
    assert!(started.elapsed() < Duration::from_secs(5), "Redis {mode}");
}

/// A save of the token `at-{mode}` / `rt-{mode}` fails with a typed error, bounded by the
/// timeout, and the token stays unsaved in memory.
async fn save_fails_fast_and_keeps_the_token(
    store: &TokenStore,
    env: &str,
    now: u64,
    round: u64,
    mode: &str,
) {
    store.update(|cache| {
        *cache = TokenCache::from_json(&user_cache(
            env,
            &format!("at-{mode}"),
            // Newer than what Redis holds, so that the merge keeps it.
            now + round,
            now + 3600,
            Some(&format!("rt-{mode}")),
        ))
        .unwrap();
    });
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(10), store.save_token(false))
        .await
        .expect("a save hung")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore, "{err}");
    assert!(
        err.to_string().contains("Redis at redis://127.0.0.1"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(3), "Redis {mode}");
    assert!(store.has_changed(), "the unsaved token is kept");
}

/// The refresh lock fails the same way as a save: typed and fast.
async fn refresh_lock_fails_fast(backend: &RedisTokenBackend, mode: &str) {
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(10), backend.lock_for_refresh())
        .await
        .expect("the lock hung")
        .err()
        .expect("no lock without Redis");
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    assert!(started.elapsed() < Duration::from_secs(3), "Redis {mode}");
}

/// Redis comes back through `relay`: the next save writes the token kept in memory.
async fn redis_back_saves_the_kept_token(
    relay: &Relay,
    target: SocketAddr,
    store: &TokenStore,
    backend: &RedisTokenBackend,
    mode: &str,
) {
    relay.stop().await;
    relay.restart(RelayMode::Forward, target).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match store.save_token(false).await {
            Ok(saved) => {
                assert!(saved);
                break;
            }
            Err(err) => {
                assert!(Instant::now() < deadline, "never reconnected: {err}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert!(!store.has_changed());
    let stored = backend.load().await.unwrap().unwrap();
    assert!(stored.expose_secret().contains(&format!("\"rt-{mode}\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn redis_going_away_fails_token_operations_fast_and_paces_locally() {
    let target = redis_addr();
    let relay = Relay::start(target).await;
    let prefix = fresh_prefix("down");
    let redis = Redis::open(&format!("redis://{}", relay.addr))
        .unwrap()
        .with_prefix(&prefix)
        .with_timeout(Duration::from_millis(500));
    let server = MockServer::start_async().await;
    let api = server
        .mock_async(|when, then| {
            // The token in memory changes from phase to phase.
            when.method(GET)
                .path("/v1.0/me")
                .header_matches("authorization", "^Bearer at-(valid|stopped)$");
            then.status(200).json_body(json!({"id": "me"}));
        })
        .await;
    let now = now_secs();
    let env = env_of(&server.base_url());
    let (backend, conn) = shared_connection(&server, &redis, now, Duration::from_millis(20)).await;
    let me = server.url("/v1.0/me");
    assert_eq!(conn.get(&me, &()).await.unwrap().status(), 200);

    for (round, mode) in [(1, "stopped"), (2, "hanging")] {
        relay.stop().await;
        if mode == "hanging" {
            relay.restart(RelayMode::Hang, target).await;
        }
        requests_go_on_without_redis(&conn, &me, mode).await;
        let store = conn.token_store();
        save_fails_fast_and_keeps_the_token(store, &env, now, round, mode).await;
        refresh_lock_fails_fast(&backend, mode).await;
        redis_back_saves_the_kept_token(&relay, target, store, &backend, mode).await;
    }
    assert_eq!(api.calls_async().await, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn an_expired_token_with_redis_stopped_is_a_token_store_error() {
    let target = redis_addr();
    let relay = Relay::start(target).await;
    let redis = Redis::open(&format!("redis://{}", relay.addr))
        .unwrap()
        .with_prefix(fresh_prefix("expired-down"))
        .with_timeout(Duration::from_millis(500));
    let server = MockServer::start_async().await;
    let token = mock_refresh(&server, &[], Duration::ZERO).await;
    let backend = redis.token_backend(CLIENT, "adele");
    let env = env_of(&server.base_url());
    backend
        .save(SecretString::from(expired_cache(&env, now_secs())))
        .await
        .unwrap();
    let conn = live_builder(&server.base_url(), Duration::ZERO)
        .token_backend(backend)
        .build()
        .unwrap();
    conn.sign_in().load_token().await.unwrap();
    relay.stop().await;
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        conn.get(&server.url("/v1.0/me"), &()),
    )
    .await
    .expect("the request hung")
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore, "{err}");
    assert_eq!(
        token.calls_async().await,
        0,
        "no refresh without the lock: another host may be refreshing"
    );
}

// ---------------------------------------------------------------------------------------------
// Concurrent saves never lose a rotation.

/// A cache with one account `home` (`oid.tid`), its access token cached at `cached_at` and its
/// refresh token `refresh`.
fn account_cache(env: &str, home: &str, cached_at: u64, refresh: &str) -> TokenCache {
    let (oid, _) = home.split_once('.').unwrap();
    let target = "email Mail.Read User.Read";
    TokenCache::from_json(
        &json!({
            "AccessToken": {
                format!("{home}-{env}-accesstoken-{CLIENT}-{TENANT}-{target}"): {
                    "credential_type": "AccessToken", "secret": format!("at-{refresh}"),
                    "home_account_id": home, "environment": env, "client_id": CLIENT,
                    "target": target, "realm": TENANT, "token_type": "Bearer",
                    "cached_at": cached_at.to_string(),
                    "expires_on": (cached_at + 3600).to_string(),
                    "extended_expires_on": (cached_at + 3600).to_string()
                }
            },
            "Account": {
                format!("{home}-{env}-{TENANT}"): {
                    "home_account_id": home, "environment": env, "realm": TENANT,
                    "local_account_id": oid, "username": format!("{oid}@contoso.test"),
                    "authority_type": "MSSTS", "account_source": "authorization_code"
                }
            },
            "IdToken": {},
            "RefreshToken": {
                format!("{home}-{env}-refreshtoken-{CLIENT}--{target}"): {
                    "credential_type": "RefreshToken", "secret": refresh,
                    "home_account_id": home, "environment": env, "client_id": CLIENT,
                    "target": target, "last_modification_time": cached_at.to_string()
                }
            },
            "AppMetadata": {}
        })
        .to_string(),
    )
    .unwrap()
}

/// Host `i` of the concurrent-saves test rotates the shared account (later hosts later), signs
/// in its own account `own{i}`, and saves three times so that the hosts' saves overlap.
async fn rotate_and_save(store: Arc<TokenStore>, env: &str, base: u64, i: u64) {
    store.update(|cache| {
        cache.merge_newer(&account_cache(
            env,
            "shared.tid",
            base + i,
            &format!("rt-shared-{i}"),
        ));
        cache.merge_newer(&account_cache(
            env,
            &format!("own{i}.tid"),
            base,
            &format!("rt-own-{i}"),
        ));
    });
    for attempt in 0..3 {
        // Several rounds so that saves overlap.
        if attempt > 0 {
            store.update(|_| {});
        }
        store.save_token(false).await.unwrap();
    }
}

/// The refresh token `store` holds for the shared account `shared.tid`.
fn shared_refresh_token(store: &TokenStore) -> Option<String> {
    store.read(|c| {
        c.refresh_tokens()
            .values()
            .find(|rt| rt.home_account_id.as_deref() == Some("shared.tid"))
            .map(|rt| rt.secret.expose_secret().to_owned())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn concurrent_saves_never_lose_a_rotation() {
    const HOSTS: u64 = 16;
    let prefix = fresh_prefix("saves");
    let env = "login.microsoftonline.com";
    let base = now_secs() - 1000;
    // Every "host" has its own connection to Redis and its own store.
    let stores: Vec<Arc<TokenStore>> = (0..HOSTS)
        .map(|_| {
            Arc::new(TokenStore::new(Arc::new(
                prefixed(&prefix).token_backend(CLIENT, "shared"),
            )))
        })
        .collect();
    let tasks: Vec<_> = (0..HOSTS)
        .zip(&stores)
        .map(|(i, store)| tokio::spawn(rotate_and_save(store.clone(), env, base, i)))
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let reader = prefixed(&prefix).token_backend(CLIENT, "shared");
    let stored =
        TokenCache::from_json(reader.load().await.unwrap().unwrap().expose_secret()).unwrap();
    let refresh: Vec<&str> = stored
        .refresh_tokens()
        .values()
        .map(|rt| rt.secret.expose_secret())
        .collect();
    for i in 0..HOSTS {
        assert!(
            refresh.contains(&format!("rt-own-{i}").as_str()),
            "host {i}'s sign-in was lost: {refresh:?}"
        );
    }
    assert!(
        refresh.contains(&format!("rt-shared-{}", HOSTS - 1).as_str()),
        "the newest rotation of the shared account was lost: {refresh:?}"
    );
    assert_eq!(refresh.len() as u64, HOSTS + 1, "{refresh:?}");
    // A host that saved before the newest rotation adopts it on its next save.
    let first = &stores[0];
    first.update(|_| {});
    first.save_token(false).await.unwrap();
    assert_eq!(
        shared_refresh_token(first).as_deref(),
        Some(format!("rt-shared-{}", HOSTS - 1).as_str())
    );
}

#[tokio::test]
#[ignore = "needs a Redis: run .ci/redis"]
async fn a_connection_with_a_cipher_stores_only_ciphertext_in_redis() {
    #[derive(Debug)]
    struct Rot13;
    impl o365::token::TokenCipher for Rot13 {
        fn encrypt(&self, plain: &str) -> o365::Result<String> {
            Ok(rot13(plain))
        }
        fn decrypt(&self, stored: &str) -> o365::Result<String> {
            Ok(rot13(stored))
        }
    }
    fn rot13(text: &str) -> String {
        text.chars()
            .map(|c| match c {
                'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
                'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
                _ => c,
            })
            .collect()
    }
    let redis = prefixed(fresh_prefix("cipher"));
    let conn = Connection::builder(Credentials::client_secret(CLIENT, SECRET))
        .tenant_id(TENANT)
        .token_backend(redis.token_backend(CLIENT, "adele"))
        .token_cipher(Rot13)
        .build()
        .unwrap();
    let now = now_secs();
    let cache = account_cache("login.microsoftonline.com", "oid.tid", now, "rt-secret");
    conn.token_store().update(|c| *c = cache.clone());
    assert!(conn.token_store().save_token(false).await.unwrap());
    let stored = redis
        .token_backend(CLIENT, "adele")
        .load()
        .await
        .unwrap()
        .unwrap();
    assert!(!stored.expose_secret().contains("rt-secret"));
    assert!(stored.expose_secret().contains(&rot13("rt-secret")));
    // A second save merges through the cipher (decrypts what is stored first).
    conn.token_store().update(|c| {
        c.merge_newer(&account_cache(
            "login.microsoftonline.com",
            "two.tid",
            now,
            "rt-two",
        ));
    });
    assert!(conn.token_store().save_token(false).await.unwrap());
    let other = TokenStore::new(Arc::new(redis.token_backend(CLIENT, "adele")))
        .with_cipher(Arc::new(Rot13));
    assert!(other.load_token().await.unwrap());
    assert_eq!(other.read(|c| c.refresh_tokens().len()), 2);
}

// ---------------------------------------------------------------------------------------------
// The refresh lock on its own.

async fn get_key(key: &str) -> (Option<String>, i64) {
    let mut con = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let value: Option<String> = redis::cmd("GET")
        .arg(key)
        .query_async(&mut con)
        .await
        .unwrap();
    let ttl: i64 = redis::cmd("PTTL")
        .arg(key)
        .query_async(&mut con)
        .await
        .unwrap();
    (value, ttl)
}

/// Waits (bounded) until `key` has the value `want`.
async fn until_key(key: &str, want: Option<&str>) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while get_key(key).await.0.as_deref() != want {
        assert!(Instant::now() < deadline, "{key} never became {want:?}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn the_refresh_lock_expires_with_a_dead_holder_and_only_its_owner_releases_it() {
    let redis = prefixed(fresh_prefix("lock"));
    let host_a = redis
        .token_backend(CLIENT, "adele")
        .with_lock_ttl(Duration::from_millis(300));
    let host_b = host_a.clone().with_lock_wait(Duration::from_secs(5));
    let key = host_a.lock_key().to_owned();

    let guard_a = host_a.lock_for_refresh().await.unwrap().unwrap();
    let (owner_a, ttl) = get_key(&key).await;
    let owner_a = owner_a.expect("the lock is taken");
    assert!(ttl > 0 && ttl <= 300, "the lock expires: PTTL {ttl}");
    // A stops answering (holds its guard): B gets the lock once A's has expired.
    let started = Instant::now();
    let guard_b = host_b.lock_for_refresh().await.unwrap().unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "B waited for A's lock"
    );
    let (owner_b, _) = get_key(&key).await;
    let owner_b = owner_b.unwrap();
    let fence = |value: &str| {
        value
            .parse::<u64>()
            .expect("the lock holds a fencing number")
    };
    assert_eq!(
        fence(&owner_b),
        fence(&owner_a) + 1,
        "the next fencing number"
    );
    // A comes back and releases: B's lock stays.
    drop(guard_a);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(get_key(&key).await.0.as_deref(), Some(owner_b.as_str()));
    // B releases its own.
    drop(guard_b);
    until_key(&key, None).await;

    // A host that waits too long gets a typed error, not a hang.
    let _held = host_a
        .clone()
        .with_lock_ttl(Duration::from_secs(30))
        .lock_for_refresh()
        .await
        .unwrap();
    let impatient = host_a.clone().with_lock_wait(Duration::from_millis(200));
    let err = impatient.lock_for_refresh().await.err().unwrap();
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    assert!(err.to_string().contains("held the refresh lock"), "{err}");
}

#[tokio::test]
#[ignore = "needs a Redis: run .ci/redis"]
async fn a_token_key_ttl_is_set_by_saves_and_absent_by_default() {
    let redis = prefixed(fresh_prefix("ttl"));
    let backend = redis
        .token_backend(CLIENT, "adele")
        .with_key_ttl(Some(Duration::from_secs(90 * 24 * 3600)));
    let store = TokenStore::new(Arc::new(backend.clone()));
    let cache = account_cache("login.microsoftonline.com", "oid.tid", now_secs(), "rt-1");
    store.update(|c| *c = cache);
    assert!(store.save_token(false).await.unwrap());
    let (_, ttl) = get_key(backend.key()).await;
    assert!(ttl > 89 * 24 * 3600 * 1000, "PTTL {ttl}");
    let untimed = redis.token_backend(CLIENT, "bob");
    untimed.save(SecretString::from("{}")).await.unwrap();
    assert_eq!(get_key(untimed.key()).await.1, -1, "no TTL by default");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Redis: run .ci/redis"]
async fn a_save_by_a_holder_whose_lock_expired_and_was_taken_is_refused() {
    let redis = prefixed(fresh_prefix("fence"));
    let host_a = redis
        .token_backend(CLIENT, "adele")
        .with_lock_ttl(Duration::from_millis(200));
    let host_b = redis.token_backend(CLIENT, "adele");
    let _stalled = host_a.lock_for_refresh().await.unwrap().unwrap();
    // A stalls past its lock's TTL; B takes the lock, refreshes and saves.
    let guard_b = host_b.lock_for_refresh().await.unwrap().unwrap();
    host_b.save(SecretString::from("rt-from-b")).await.unwrap();
    // A wakes up and saves what it refreshed: refused, B's token stays.
    let err = host_a
        .save(SecretString::from("rt-from-a"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    assert!(err.to_string().contains("expired before the save"), "{err}");
    let err = host_a
        .save_if_unchanged(
            Some(SecretString::from("rt-from-b")),
            SecretString::from("rt-from-a"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    assert_eq!(get_key(host_b.key()).await.0.as_deref(), Some("rt-from-b"));
    // B, still the holder, saves under its fence.
    assert!(
        host_b
            .save_if_unchanged(
                Some(SecretString::from("rt-from-b")),
                SecretString::from("rt-2-from-b"),
            )
            .await
            .unwrap()
    );
    drop(guard_b);
    assert_eq!(
        get_key(host_b.key()).await.0.as_deref(),
        Some("rt-2-from-b")
    );
}

/// A redis-server process of the test's own on a loopback port (the binary `.ci/redis`
/// installs), killed when dropped.
struct OwnRedis(std::process::Child);

impl OwnRedis {
    fn start(port: u16, dir: &std::path::Path) -> OwnRedis {
        let child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on the PATH (.ci/redis installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        OwnRedis(child)
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs redis-server: run .ci/redis"]
async fn a_redis_server_killed_mid_run_leaves_requests_going_and_the_token_in_memory() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let own = OwnRedis::start(port, dir.path());
    let redis = Redis::open(&format!("redis://127.0.0.1:{port}"))
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let server = MockServer::start_async().await;
    let api = mock_get(&server, "/v1.0/me", "at-valid", json!({"id": "me"})).await;
    let now = now_secs();
    let env = env_of(&server.base_url());
    let (backend, conn) = shared_connection(&server, &redis, now, Duration::from_millis(40)).await;
    conn.sign_in().load_token().await.unwrap();

    // 40 requests in flight, paced 40 ms apart through Redis; the server is killed 300 ms in.
    let tasks = spawn_gets(&conn, &server.url("/v1.0/me"), 40);
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(own); // SIGKILL

    for task in tasks {
        let status = tokio::time::timeout(Duration::from_secs(30), task)
            .await
            .expect("a request hung after Redis was killed")
            .unwrap();
        assert_eq!(status.unwrap(), 200);
    }
    assert_eq!(
        api.calls_async().await,
        40,
        "every request ran exactly once"
    );

    // A save fails typed and keeps the token in memory; a restarted server gets it.
    let store = conn.token_store();
    let newer = user_cache(&env, "at-valid", now, now + 3600, Some("rt-2"));
    store.update(|c| *c = TokenCache::from_json(&newer).unwrap());
    let err = store.save_token(false).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore, "{err}");
    assert!(store.has_changed(), "the unsaved token is kept");
    let _again = OwnRedis::start(port, dir.path());
    let deadline = Instant::now() + Duration::from_secs(15);
    while store.save_token(false).await.is_err() {
        assert!(Instant::now() < deadline, "never reconnected");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stored = backend.load().await.unwrap().unwrap();
    assert!(stored.expose_secret().contains("\"rt-2\""));
}
