//! Small helpers shared by the emulator: ids, UUIDs and tokens (the runtime's), base64url, ISO
//! 8601 times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// Random UUIDs and opaque tokens: the runtime's (one implementation of each).
pub(crate) use crate::runtime::identity::{urlsafe_token, uuid4};

/// Unpadded base64url.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A deterministic Outlook-style item id (`AAMkA…=`) for the `n`-th entity of `kind`.
pub(crate) fn graph_id(kind: &str, n: u64) -> String {
    format!("AAMkA{}", URL_SAFE.encode(format!("emu.{kind}.{n:08}")))
}

/// A weak ETag and its change key for version `version` of the entity `id`.
pub(crate) fn etag(id: &str, version: u64) -> (String, String) {
    let tail = &id[id.len().saturating_sub(8)..];
    let change_key = format!(
        "CQAAABYAAA{}",
        URL_SAFE_NO_PAD.encode(format!("{tail}.{version:04}"))
    );
    (format!("W/\"{change_key}\""), change_key)
}

/// Decodes `%XX` escapes of a URL path (invalid escapes are kept as they are).
pub(crate) fn percent_decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-encodes a query value (space as `%20`).
pub(crate) fn query_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Seconds since the Unix epoch (0 before it).
pub(crate) fn epoch(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The time at `secs` seconds since the epoch.
pub(crate) fn from_epoch(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs.max(0) as u64)
}

/// The UTC time at `secs` seconds since the epoch (the epoch itself when out of range).
fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// `YYYY-MM-DDTHH:MM:SSZ` as Graph writes `receivedDateTime`.
pub(crate) fn iso(secs: i64) -> String {
    utc(secs).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `YYYY-MM-DDTHH:MM:SS.0000000` as Graph writes a `dateTimeTimeZone.dateTime`.
pub(crate) fn iso_local(secs: i64) -> String {
    utc(secs).format("%Y-%m-%dT%H:%M:%S.0000000").to_string()
}

/// `YYYYMMDD` of the UTC day `secs` falls on.
pub(crate) fn compact_date(secs: i64) -> String {
    utc(secs).format("%Y%m%d").to_string()
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]` into epoch seconds (no offset means UTC).
pub(crate) fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() == 10 {
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        return Some(date.and_time(NaiveTime::MIN).and_utc().timestamp());
    }
    let zone_at = s
        .get(10..)?
        .find(['Z', '+', '-'])
        .map_or(s.len(), |i| i + 10);
    let (local, zone) = s.split_at(zone_at);
    let local = local.replacen(' ', "T", 1);
    let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(&local, format).ok())?;
    let offset = match zone {
        "" | "Z" => 0,
        zone => i64::from(zone.parse::<FixedOffset>().ok()?.local_minus_utc()),
    };
    Some(local.and_utc().timestamp() - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trips() {
        let t = parse_iso("2025-03-04T09:30:15Z").unwrap();
        assert_eq!(iso(t), "2025-03-04T09:30:15Z");
        assert_eq!(iso_local(t), "2025-03-04T09:30:15.0000000");
        assert_eq!(parse_iso("2025-03-04T09:30:15.0000000"), Some(t));
        assert_eq!(parse_iso("2025-03-04T10:30:15+01:00"), Some(t));
        assert_eq!(parse_iso("1970-01-01"), Some(0));
        assert_eq!(parse_iso("2025-13-01"), None);
        assert_eq!(parse_iso("garbage"), None);
        assert_eq!(parse_iso("2025-03-04 10:30+01:00"), Some(t - 15));
        assert_eq!(compact_date(t), "20250304");
    }
}
