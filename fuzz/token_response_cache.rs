//! Shared by the `token_response` fuzz target and its corpus replay (tests/fuzz_corpus.rs):
//! a token endpoint reply decoded and fed into a token cache, where its id token and
//! `client_info` (outside data, decoded without verification) are taken apart.
//!
//! Invariants: decoding the reply and adding it never panics; a reply that cannot be added is a
//! `Decode` error and leaves the cache exactly as it was (empty, or holding an earlier sign-in);
//! a cache a reply was added to writes JSON that reads back to the same cache.

use std::time::{Duration, UNIX_EPOCH};

use o365::ErrorKind;
use o365::token::{CacheContext, TokenCache, TokenResponse};

/// An earlier, valid delegated sign-in (id token `{"oid":"oid-0","tid":"tid-0"}`).
const EARLIER: &str = r#"{"token_type":"Bearer","scope":"Mail.Read openid","expires_in":3600,
"access_token":"at-0","refresh_token":"rt-0",
"id_token":"eyJhbGciOiJub25lIn0.eyJvaWQiOiJvaWQtMCIsInRpZCI6InRpZC0wIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiYUBiLnRlc3QifQ.sig",
"client_info":"eyJ1aWQiOiJvaWQtMCIsInV0aWQiOiJ0aWQtMCJ9"}"#;

fn context(grant_type: &str) -> CacheContext {
    CacheContext {
        client_id: "client-1".into(),
        environment: "login.microsoftonline.com".into(),
        realm: "common".into(),
        grant_type: grant_type.into(),
        requested_scopes: vec!["https://graph.microsoft.com/.default".into()],
    }
}

/// Decodes `data` as a token reply and adds it to an empty cache and to one holding an earlier
/// sign-in, under each kind of grant.
pub fn token_response_into_cache(data: &[u8]) {
    let Ok(response) = serde_json::from_slice::<TokenResponse>(data) else {
        return;
    };
    let _ = (response.id_token_claims(), response.client_info_claims());
    let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    let earlier: TokenResponse = serde_json::from_str(EARLIER).expect("the seed reply decodes");
    for grant in ["authorization_code", "client_credentials", "refresh_token"] {
        let ctx = context(grant);
        let mut seeded = TokenCache::default();
        seeded
            .add_token_response(&earlier, &ctx, now)
            .expect("the seed reply is added");
        for mut cache in [TokenCache::default(), seeded] {
            let before = cache.to_json();
            match cache.add_token_response(&response, &ctx, now) {
                Ok(_) => {
                    let written = cache.to_json();
                    let again = TokenCache::from_json(&written)
                        .expect("a cache a reply was added to reads back");
                    assert_eq!(again.to_json(), written, "round trip changed the cache");
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
                    assert_eq!(cache.to_json(), before, "a refused reply changed the cache");
                }
            }
        }
    }
}
