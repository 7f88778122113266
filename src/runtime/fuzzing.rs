//! Entry points for the fuzz targets in `fuzz/` and their stable corpus replay
//! (`tests/fuzz_corpus.rs`): each parser of outside data with the invariants it must keep.
//! Every function takes arbitrary bytes and must return without panicking. Not part of the API.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use serde_json::Value;

use crate::odata::Page;
use crate::token::{TokenCache, TokenResponse};
use crate::{Error, ErrorKind};

fn url() -> url::Url {
    url::Url::parse("https://graph.microsoft.com/v1.0/me/messages?$top=5").expect("valid")
}

/// A token file: parse it; what parses survives a round trip unchanged.
pub fn token_cache(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(cache) = TokenCache::from_json(text) {
        let again =
            TokenCache::from_json(&cache.to_json()).expect("a cache we wrote must read back");
        assert_eq!(
            again.to_json(),
            cache.to_json(),
            "round trip changed the cache"
        );
    }
}

/// A token endpoint reply (JSON), as the identity layer decodes it.
pub fn token_response(data: &[u8]) {
    let _ = serde_json::from_slice::<TokenResponse>(data);
}

/// A collection page (`value`, `@odata.nextLink`, `@odata.deltaLink`, `@odata.count`)
/// through the pipeline's JSON decoding: a page or a typed decode error.
pub fn odata_page(data: &[u8]) {
    match crate::runtime::connection::decode_json::<Page<Value>>(data, &url()) {
        Ok(page) => {
            let _ = page.next_link.map(|l| l.len());
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode);
            // The request's query is never echoed (the body's own excerpt may hold the text).
            let body_has_it = data.windows(4).any(|w| w == b"$top");
            assert!(
                body_has_it || !e.to_string().contains("$top"),
                "the query is not echoed"
            );
        }
    }
}

/// A 4xx/5xx body (Graph's error JSON, an HTML page, anything) into the typed error, and
/// its Display and Debug.
pub fn error_body(data: &[u8]) {
    let status = match data.first() {
        Some(b) if b % 2 == 0 => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    };
    let err = Error::from_status(status, &url(), data, None);
    assert_eq!(err.kind(), ErrorKind::Status);
    let _ = (err.to_string(), format!("{err:?}"), err.request_id());
    if let Some(excerpt) = err.body_excerpt() {
        assert!(excerpt.chars().count() <= 201, "excerpts stay short");
    }
}

/// A redirected sign-in URL (or a pasted query): the code only when the `state` matches,
/// otherwise a typed identity error.
pub fn redirect_query(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match crate::runtime::connection::sign_in::code_for_state(text, "st4te") {
        Ok(code) => assert!(!code.is_empty(), "an empty code is never redeemed"),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Identity),
    }
}

/// A `Retry-After` header value (delta-seconds or an HTTP-date).
pub fn retry_after(data: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(RETRY_AFTER, value);
    let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    if let Some(wait) = crate::runtime::connection::parse_retry_after(&headers, now) {
        // Whatever the text, a wait is a valid duration that the clock can add.
        let _ = SystemTime::UNIX_EPOCH.checked_add(wait);
    }
}
