//! Data safety of the token file: a child process saving token caches in a loop is killed
//! (SIGKILL) at random points, many times. After every kill the file must be one of the complete
//! caches (the first one or a later generation, byte for byte), readable as a token cache, and
//! owner-only (0600). The child is this test binary in child mode.

mod token_file_common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use o365::token::{FileTokenBackend, TokenBackend, TokenCache};
use secrecy::{ExposeSecret, SecretString};
use token_file_common::{child, generation, leftovers, mode, runtime};

const CHILD_ENV: &str = "O365_TOKEN_KILL_CHILD";
const KILLS: usize = 40;

/// A cache of generation `n` with enough access tokens (200 scopes, about 1.6 MB in all) that a
/// save takes a while and kills land in the middle of writing.
fn cache(n: u64) -> String {
    let scopes = (0..200).map(|i| {
        if i == 0 {
            "mail.read".to_string()
        } else {
            format!("scope-{i}.read")
        }
    });
    token_file_common::cache(n, scopes)
}

/// Starts a child saving generations `start..start + 3` to `path`, waits until it is saving and
/// kills it (SIGKILL) at a random point of its loop.
fn kill_a_saving_child(path: &Path, start: u64) {
    let mut child = child(
        "child_saves_token_caches_until_killed",
        CHILD_ENV,
        format!("{}|{start}", path.display()),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("the child started saving").unwrap();
        if line.ends_with("saving") {
            break;
        }
    }
    std::thread::sleep(Duration::from_micros(rand::random_range(0..40_000)));
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The generation in the token file's `text` after `round`: a complete cache, byte for byte,
/// either the `previous` one or one the round's child saved (from `start`).
fn complete_generation(text: &str, round: usize, start: u64, previous: u64) -> u64 {
    let parsed = TokenCache::from_json(text).unwrap_or_else(|e| {
        panic!(
            "round {round}: corrupt token file ({e}), {} bytes",
            text.len()
        )
    });
    let n = generation(&parsed, &format!("round {round}"));
    assert_eq!(
        text,
        cache(n),
        "round {round}: generation {n} is not complete"
    );
    assert!(
        n == previous || (start..start + 3).contains(&n),
        "round {round}: generation {n} is neither the old cache ({previous}) nor a new one"
    );
    n
}

/// Removes the half-written files a kill left beside `path` in `dir`, checking that each is
/// owner-only; whether there were any.
fn remove_leftovers(dir: &Path, path: &Path) -> bool {
    let left = leftovers(dir, path);
    let any = !left.is_empty();
    for file in left {
        assert_eq!(
            mode(&file),
            0o600,
            "a half-written token file is owner-only too"
        );
        std::fs::remove_file(file).unwrap();
    }
    any
}

#[test]
fn killing_a_process_while_it_saves_never_leaves_a_corrupt_or_open_token_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let rt = runtime();
    let backend = FileTokenBackend::new(&path);
    rt.block_on(backend.save(SecretString::from(cache(0))))
        .unwrap();

    let mut generations = Vec::new();
    let mut killed_mid_save = 0;
    let mut previous = 0;
    for round in 0..KILLS {
        let start = (round as u64 + 1) * 1_000_000;
        kill_a_saving_child(&path, start);
        let text = std::fs::read_to_string(&path).expect("the token file is still there");
        let n = complete_generation(&text, round, start, previous);
        previous = n;
        assert_eq!(
            mode(&path),
            0o600,
            "round {round}: the token file is not owner-only"
        );
        // The next round's child must find a readable file too: the same backend loads it.
        let loaded = rt.block_on(backend.load()).unwrap().unwrap();
        assert_eq!(loaded.expose_secret(), text);
        if remove_leftovers(dir.path(), &path) {
            killed_mid_save += 1;
        }
        generations.push(n);
    }
    println!(
        "{KILLS} kills: {killed_mid_save} in the middle of a save; generations found: {generations:?}"
    );
    assert!(
        killed_mid_save > 0,
        "no kill landed inside a save: the test did not exercise the write"
    );
}

/// Child mode of the test above: saves generation after generation until it is killed.
#[test]
#[ignore = "run as a child process by killing_a_process_while_it_saves_never_leaves_a_corrupt_or_open_token_file"]
fn child_saves_token_caches_until_killed() {
    let spec = std::env::var(CHILD_ENV).expect("started by the kill test");
    let (path, start) = spec.split_once('|').unwrap();
    let start: u64 = start.parse().unwrap();
    let rt = runtime();
    let backend = FileTokenBackend::new(path);
    let caches: Vec<String> = (start..start + 3).map(cache).collect();
    println!("saving");
    for n in 0.. {
        let i = n % caches.len();
        let text = caches[i].clone();
        let _ = rt.block_on(backend.save(SecretString::from(text)));
    }
}
