//! Data safety of the token file under concurrency: several processes save different token
//! caches to the same file, many times and at the same time, while this process reads the file
//! in a loop. Every read must be one complete cache (byte for byte one of the states written), the
//! file may be absent only before the first save, and the final file is one of the written
//! states and owner-only (0600). The children are this test binary in child mode.

mod token_file_common;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use o365::token::{FileTokenBackend, TokenBackend, TokenCache};
use secrecy::{ExposeSecret, SecretString};
use token_file_common::{child, generation, leftovers, mode, runtime};

const CHILD_ENV: &str = "O365_TOKEN_CONCURRENT_CHILD";
/// Writer processes, each with generations of its own.
const WRITERS: u64 = 3;
/// Saves per writer.
const SAVES: u64 = 60;
/// Distinct caches per writer (saved in turn).
const STATES: u64 = 3;

/// A cache of generation `n` (about 170 kB, so a save takes a while and overlaps the others):
/// access tokens for 20 scopes.
fn cache(n: u64) -> String {
    token_file_common::cache(n, (0..20).map(|i| format!("scope-{i}.read")))
}

/// The generations writer `w` saves.
fn generations(w: u64) -> std::ops::Range<u64> {
    let start = (w + 1) * 1000;
    start..start + STATES
}

/// Every state the writers save, by generation.
fn written() -> std::collections::HashMap<u64, String> {
    (0..WRITERS)
        .flat_map(generations)
        .map(|n| (n, cache(n)))
        .collect()
}

/// Checks one read of the token file: a complete cache of a writer's generation.
fn check(text: &str, written: &std::collections::HashMap<u64, String>, what: &str) -> u64 {
    let parsed = TokenCache::from_json(text)
        .unwrap_or_else(|e| panic!("{what}: unreadable token file ({e}), {} bytes", text.len()));
    let n = generation(&parsed, what);
    let expected = written
        .get(&n)
        .unwrap_or_else(|| panic!("{what}: generation {n} was never written"));
    assert!(text == expected, "{what}: generation {n} is not complete");
    n
}

fn spawn_writer(path: &Path, w: u64) -> Child {
    child(
        "child_saves_its_token_caches",
        CHILD_ENV,
        format!("{}|{w}", path.display()),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::inherit())
    .spawn()
    .unwrap()
}

#[test]
fn processes_saving_one_token_file_at_once_never_leave_it_unreadable_and_it_stays_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let written = written();
    let mut children: Vec<Child> = (0..WRITERS).map(|w| spawn_writer(&path, w)).collect();

    let (mut reads, mut seen_present) = (0u64, false);
    let mut seen = std::collections::BTreeSet::new();
    let started = std::time::Instant::now();
    loop {
        let running = children.iter_mut().any(|c| c.try_wait().unwrap().is_none());
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                seen_present = true;
                reads += 1;
                seen.insert(check(&text, &written, &format!("read {reads}")));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                assert!(
                    !seen_present,
                    "the token file vanished after a save (read {reads})"
                );
            }
            Err(e) => panic!("read {reads}: {e}"),
        }
        if !running {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(120),
            "the writers did not finish in 120 s"
        );
    }
    for (w, child) in children.iter_mut().enumerate() {
        let status = child.wait().unwrap();
        assert!(status.success(), "writer {w} failed: {status}");
    }

    let text = std::fs::read_to_string(&path).expect("the token file exists");
    let last = check(&text, &written, "final file");
    assert_eq!(mode(&path), 0o600, "the token file is owner-only");
    let left: Vec<PathBuf> = leftovers(dir.path(), &path);
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
    // The same backend loads what the readers saw.
    let rt = runtime();
    let loaded = rt
        .block_on(FileTokenBackend::new(&path).load())
        .unwrap()
        .unwrap();
    assert_eq!(loaded.expose_secret(), text);
    println!(
        "RESULT {WRITERS} writers x {SAVES} saves: {reads} reads, all complete; \
         generations seen {seen:?}, final {last}"
    );
    assert!(reads > 0, "the reader never saw the file");
}

/// Child mode of the test above: saves this writer's caches in turn, `SAVES` times, then exits.
#[test]
#[ignore = "run as a child process by processes_saving_one_token_file_at_once_never_leave_it_unreadable_and_it_stays_owner_only"]
fn child_saves_its_token_caches() {
    let spec = std::env::var(CHILD_ENV).expect("started by the concurrent-save test");
    let (path, w) = spec.split_once('|').unwrap();
    let w: u64 = w.parse().unwrap();
    let rt = runtime();
    let backend = FileTokenBackend::new(path);
    let caches: Vec<String> = generations(w).map(cache).collect();
    for n in 0..SAVES {
        let text = caches[(n % STATES) as usize].clone();
        rt.block_on(backend.save(SecretString::from(text)))
            .unwrap_or_else(|e| panic!("writer {w}, save {n}: {e}"));
    }
}
