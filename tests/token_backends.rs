//! Token backends and `TokenStore`: atomic file writes, permissions, corrupt and pre-2.1 files,
//! python's save semantics, memory and environment backends, ciphers.

use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use o365::token::{
    CacheContext, EnvTokenBackend, FileTokenBackend, MemoryTokenBackend, RefreshDecision,
    TokenBackend, TokenCache, TokenCipher, TokenResponse, TokenStore,
};
use o365::{ErrorKind, Result};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

const PYTHON_TOKEN: &str = include_str!("fixtures/python_o365_token.json");

fn context() -> CacheContext {
    CacheContext {
        client_id: "cid".into(),
        environment: "login.microsoftonline.com".into(),
        realm: "tenant".into(),
        grant_type: "client_credentials".into(),
        requested_scopes: vec!["https://graph.microsoft.com/.default".into()],
    }
}

/// A cache with `n` app tokens (distinct scopes, so none replaces another).
fn cache_with_tokens(n: usize, secret_prefix: &str) -> TokenCache {
    let mut cache = TokenCache::default();
    for i in 0..n {
        let response: TokenResponse = serde_json::from_value(json!({
            "access_token": format!("{secret_prefix}-{i}-{}", "x".repeat(200)),
            "scope": format!("https://graph.microsoft.com/scope{i}"),
            "expires_in": 3600,
        }))
        .unwrap();
        let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        cache
            .add_token_response(&response, &context(), now)
            .unwrap();
    }
    cache
}

fn file_store(path: &Path) -> TokenStore {
    TokenStore::new(Arc::new(FileTokenBackend::new(path)))
}

#[tokio::test]
async fn file_backend_loads_python_file_and_saves_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    fs::write(&path, PYTHON_TOKEN).unwrap();
    let store = file_store(&path);
    assert!(store.load_token().await.unwrap());
    assert!(!store.has_changed());
    let copy = dir.path().join("nested/dir/copy.txt");
    let copy_store = file_store(&copy);
    copy_store.update(|c| *c = store.read(TokenCache::clone));
    assert!(copy_store.save_token(false).await.unwrap());
    assert_eq!(fs::read_to_string(&copy).unwrap(), PYTHON_TOKEN);
}

#[tokio::test]
async fn missing_file_loads_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = file_store(&dir.path().join("absent.txt"));
    assert!(!store.load_token().await.unwrap());
    assert!(!store.check_token().await.unwrap());
    assert!(!store.delete_token().await.unwrap());
    // python: saving an empty cache writes nothing and answers false
    assert!(!store.save_token(true).await.unwrap());
    assert!(!store.check_token().await.unwrap());
}

#[tokio::test]
async fn empty_file_loads_as_empty_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    fs::write(&path, "").unwrap();
    let store = file_store(&path);
    assert!(store.load_token().await.unwrap());
    assert!(!store.read(TokenCache::has_data));
}

#[cfg(unix)]
#[tokio::test]
async fn saved_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    fs::write(&path, "{}").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    let store = file_store(&path);
    store.update(|c| *c = cache_with_tokens(1, "s"));
    assert!(store.save_token(false).await.unwrap());
    let mode = fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    // no temporary files left behind
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reader_never_sees_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    let texts = [
        cache_with_tokens(300, "first").to_json(),
        cache_with_tokens(150, "second").to_json(),
    ];
    let store = Arc::new(file_store(&path));
    store.update(|c| *c = TokenCache::from_json(&texts[0]).unwrap());
    store.save_token(true).await.unwrap();

    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let reader = {
        let (path, done, reads, texts) = (path.clone(), done.clone(), reads.clone(), texts.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                let text = fs::read_to_string(&path).unwrap();
                assert!(
                    text == texts[0] || text == texts[1],
                    "partial read: {} bytes",
                    text.len()
                );
                TokenCache::from_json(&text).unwrap();
                reads.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    for round in 0..60 {
        let text = &texts[round % 2];
        store.update(|c| *c = TokenCache::from_json(text).unwrap());
        store.save_token(false).await.unwrap();
    }
    done.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    assert!(reads.load(Ordering::Relaxed) > 0);
}

#[tokio::test]
async fn corrupt_file_is_an_error_and_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    let corrupt = "{\"AccessToken\": {\"k\": {\"secret\": \"half-written-secret\"";
    fs::write(&path, corrupt).unwrap();
    let store = file_store(&path);

    let err = store.load_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("not valid JSON (line 1, column"),
        "{message}"
    );
    assert!(!message.contains("half-written-secret"), "{message}");

    store.update(|c| *c = cache_with_tokens(1, "new"));
    let err = store.save_token(false).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    assert!(err.to_string().contains("not overwriting"), "{err}");
    assert_eq!(fs::read_to_string(&path).unwrap(), corrupt);

    // an explicit forced save replaces it
    assert!(store.save_token(true).await.unwrap());
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        store.read(TokenCache::to_json)
    );
}

#[tokio::test]
async fn deleting_clears_the_unreadable_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.txt");
    fs::write(&path, "not json").unwrap();
    let store = file_store(&path);
    assert!(store.load_token().await.is_err());
    assert!(store.delete_token().await.unwrap());
    store.update(|c| *c = cache_with_tokens(1, "new"));
    assert!(store.save_token(false).await.unwrap());
    assert!(store.check_token().await.unwrap());
}

#[tokio::test]
async fn pre_2_1_file_gives_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("o365_token.txt");
    let legacy = r#"{"token_type": "Bearer", "scope": ["User.Read"], "access_token": "legacy-at",
        "refresh_token": "legacy-rt", "expires_in": 3600, "expires_at": 1600000000.1}"#;
    fs::write(&path, legacy).unwrap();
    let err = file_store(&path).load_token().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenStore);
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("before 2.1") && message.contains("sign in again"),
        "{message}"
    );
    assert!(!message.contains("legacy-at"), "{message}");
}

#[test]
fn file_backend_paths_follow_python() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("existing.json");
    fs::write(&file, "{}").unwrap();
    assert_eq!(
        FileTokenBackend::python_style(Some(&file), None).path(),
        file
    );
    assert_eq!(
        FileTokenBackend::python_style(Some(dir.path()), None).path(),
        dir.path().join("o365_token.txt")
    );
    assert_eq!(
        FileTokenBackend::python_style(Some(dir.path()), Some("mine.txt")).path(),
        dir.path().join("mine.txt")
    );
    assert_eq!(
        FileTokenBackend::python_style(None, None).path(),
        Path::new("o365_token.txt")
    );
    assert_eq!(
        FileTokenBackend::default().path(),
        Path::new("o365_token.txt")
    );
    assert_eq!(
        FileTokenBackend::in_dir("/a", "b.txt").path(),
        Path::new("/a/b.txt")
    );
    let backend = FileTokenBackend::new("/tmp/x/token.txt");
    assert_eq!(
        format!("{backend:?}"),
        "FileTokenBackend { path: \"/tmp/x/token.txt\" }"
    );
    assert_eq!(backend.location(), "/tmp/x/token.txt");
}

/// Counts saves, to observe when a store writes.
#[derive(Debug, Default)]
struct CountingBackend {
    inner: MemoryTokenBackend,
    saves: AtomicUsize,
}

impl TokenBackend for CountingBackend {
    fn load(&self) -> BoxFuture<'_, Result<Option<SecretString>>> {
        self.inner.load()
    }
    fn save(&self, data: SecretString) -> BoxFuture<'_, Result<()>> {
        self.saves.fetch_add(1, Ordering::SeqCst);
        self.inner.save(data)
    }
    fn delete(&self) -> BoxFuture<'_, Result<bool>> {
        self.inner.delete()
    }
    fn check(&self) -> BoxFuture<'_, Result<bool>> {
        self.inner.check()
    }
}

#[tokio::test]
async fn save_follows_python_semantics() {
    let backend = Arc::new(CountingBackend::default());
    let store = TokenStore::new(backend.clone());
    let saves = || backend.saves.load(Ordering::SeqCst);

    assert!(!store.save_token(false).await.unwrap(), "empty cache");
    assert_eq!(saves(), 0);
    store.update(|c| *c = cache_with_tokens(1, "a"));
    assert!(store.has_changed());
    assert!(store.save_token(false).await.unwrap());
    assert_eq!(saves(), 1);
    assert!(!store.has_changed());
    assert!(
        store.save_token(false).await.unwrap(),
        "unchanged: true without writing"
    );
    assert_eq!(saves(), 1);
    assert!(store.save_token(true).await.unwrap());
    assert_eq!(saves(), 2);

    // a fresh store reads back what was saved
    let other = TokenStore::new(backend.clone());
    assert!(other.load_token().await.unwrap());
    assert_eq!(
        other.read(TokenCache::to_json),
        store.read(TokenCache::to_json)
    );
    assert_eq!(
        other.should_refresh_token().await.unwrap(),
        RefreshDecision::Refresh
    );
    assert!(backend.lock_for_refresh().await.unwrap().is_none());
}

#[tokio::test]
async fn memory_backend_round_trip() {
    let backend = MemoryTokenBackend::new();
    assert_eq!(
        format!("{backend:?}"),
        "MemoryTokenBackend { stored: false }"
    );
    assert!(backend.load().await.unwrap().is_none());
    assert!(!backend.check().await.unwrap());
    backend
        .save(SecretString::from("memory-secret"))
        .await
        .unwrap();
    assert!(backend.check().await.unwrap());
    assert_eq!(
        backend.load().await.unwrap().unwrap().expose_secret(),
        "memory-secret"
    );
    assert_eq!(
        format!("{backend:?}"),
        "MemoryTokenBackend { stored: true }"
    );
    assert!(backend.delete().await.unwrap());
    assert!(!backend.delete().await.unwrap());
    assert!(backend.load().await.unwrap().is_none());
}

#[tokio::test]
async fn env_backend_reads_the_variable_and_keeps_saves_in_process() {
    // PATH is set in every test environment; the backend only reads it.
    let path_backend = EnvTokenBackend::new("PATH");
    assert_eq!(
        path_backend.load().await.unwrap().unwrap().expose_secret(),
        std::env::var("PATH").unwrap()
    );
    assert!(path_backend.check().await.unwrap());
    assert!(path_backend.delete().await.unwrap());
    assert!(path_backend.load().await.unwrap().is_none());
    assert!(!path_backend.check().await.unwrap());
    assert!(
        std::env::var("PATH").is_ok(),
        "the real environment is untouched"
    );

    let name = "O365_TEST_TOKEN_NEVER_SET_9F3A";
    let store = TokenStore::new(Arc::new(EnvTokenBackend::new(name)));
    assert!(!store.load_token().await.unwrap());
    store.update(|c| *c = cache_with_tokens(2, "env"));
    assert!(store.save_token(false).await.unwrap());
    assert!(std::env::var_os(name).is_none());
    let text = store.backend().load().await.unwrap().unwrap();
    assert_eq!(text.expose_secret(), &store.read(TokenCache::to_json));
    assert!(store.load_token().await.unwrap());
    assert_eq!(EnvTokenBackend::default().name(), "O365TOKEN");
    assert_eq!(
        store.backend().location(),
        format!("environment variable {name}")
    );
}

/// Reverses the text: enough to see that the store encrypts and decrypts.
#[derive(Debug)]
struct ReverseCipher;

impl TokenCipher for ReverseCipher {
    fn encrypt(&self, plain: &str) -> Result<String> {
        Ok(plain.chars().rev().collect())
    }
    fn decrypt(&self, stored: &str) -> Result<String> {
        Ok(stored.chars().rev().collect())
    }
}

#[tokio::test]
async fn cipher_wraps_what_is_stored() {
    let backend = Arc::new(MemoryTokenBackend::new());
    let store = TokenStore::new(backend.clone()).with_cipher(Arc::new(ReverseCipher));
    store.update(|c| *c = TokenCache::from_json(PYTHON_TOKEN).unwrap());
    store.save_token(false).await.unwrap();
    let stored = backend.load().await.unwrap().unwrap();
    assert_eq!(
        stored.expose_secret().chars().rev().collect::<String>(),
        PYTHON_TOKEN
    );
    let reader = TokenStore::new(backend.clone()).with_cipher(Arc::new(ReverseCipher));
    assert!(reader.load_token().await.unwrap());
    assert_eq!(reader.read(TokenCache::to_json), PYTHON_TOKEN);

    // without the cipher the stored text is unreadable
    let plain = TokenStore::new(backend);
    assert_eq!(
        plain.load_token().await.unwrap_err().kind(),
        ErrorKind::TokenStore
    );
}
