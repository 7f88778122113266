//! Merging the Connection's default headers into a request's own headers.

use reqwest::header::{HeaderMap, HeaderValue};

/// The caller's headers plus every default header the caller did not set. For `Prefer`, set on
/// both sides, the values are joined as `caller, default`. Returns a new map: the caller's map
/// is never changed, so retries and reuse never accumulate duplicates.
pub(crate) fn merge_defaults(caller: &HeaderMap, defaults: &HeaderMap) -> HeaderMap {
    let mut merged = caller.clone();
    for name in defaults.keys() {
        if !caller.contains_key(name) {
            for value in defaults.get_all(name) {
                merged.append(name, value.clone());
            }
            continue;
        }
        if name.as_str() == "prefer" {
            let joined = caller
                .get_all(name)
                .iter()
                .chain(defaults.get_all(name))
                .map(HeaderValue::as_bytes)
                .collect::<Vec<_>>()
                .join(&b", "[..]);
            if let Ok(value) = HeaderValue::from_bytes(&joined) {
                merged.insert(name, value);
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn defaults_fill_gaps_caller_wins_prefer_is_joined_once() {
        let defaults = map(&[("prefer", "IdType=\"ImmutableId\""), ("x-a", "default")]);
        let caller = map(&[("Prefer", "outlook.timezone=\"UTC\""), ("X-A", "mine")]);
        let merged = merge_defaults(&caller, &defaults);
        assert_eq!(
            merged["prefer"],
            "outlook.timezone=\"UTC\", IdType=\"ImmutableId\""
        );
        assert_eq!(merged["x-a"], "mine");
        let again = merge_defaults(&caller, &defaults);
        assert_eq!(again, merged, "merging is pure: no accumulation");
        assert_eq!(caller.len(), 2, "the caller's map is untouched");
        assert_eq!(merge_defaults(&HeaderMap::new(), &defaults), defaults);
    }
}
