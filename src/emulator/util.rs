//! Small helpers shared by the emulator: ids, UUIDs, base64url, ISO 8601 times.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use rand::Rng;

/// A random version-4 UUID in its usual text form.
pub(crate) fn uuid() -> String {
    let b: [u8; 16] = rand::rng().random();
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u16::from_be_bytes([b[4], b[5]]),
        u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
        (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
        u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]]),
    )
}

/// `n` random bytes as unpadded base64url (an opaque token or code).
pub(crate) fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill(&mut bytes[..]);
    b64url(&bytes)
}

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
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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

/// `YYYY-MM-DDTHH:MM:SSZ` as Graph writes `receivedDateTime`.
pub(crate) fn iso(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// `YYYY-MM-DDTHH:MM:SS.0000000` as Graph writes a `dateTimeTimeZone.dateTime`.
pub(crate) fn iso_local(secs: i64) -> String {
    let mut s = iso(secs);
    s.pop();
    s.push_str(".0000000");
    s
}

/// Parses `YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]` into epoch seconds (no offset means UTC).
pub(crate) fn parse_iso(s: &str) -> Option<i64> {
    let s = s.trim();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if s.get(4..5)? != "-"
        || s.get(7..8)? != "-"
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) * 86_400;
    let rest = &s[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let time_len = rest.find(['Z', '+', '-']).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(time_len);
    let mut fields = time.split(':');
    let h: i64 = fields.next()?.parse().ok()?;
    let mi: i64 = fields.next()?.parse().ok()?;
    let sec: f64 = fields.next().map_or(Some(0.0), |f| f.parse().ok())?;
    if fields.next().is_some() || h > 23 || mi > 59 || !(0.0..61.0).contains(&sec) {
        return None;
    }
    secs += h * 3600 + mi * 60 + sec as i64;
    match zone {
        "" | "Z" => Some(secs),
        z => {
            let sign = if z.starts_with('-') { 1 } else { -1 };
            let (oh, om) = z[1..].split_once(':')?;
            Some(secs + sign * (oh.parse::<i64>().ok()? * 3600 + om.parse::<i64>().ok()? * 60))
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Lower-case English weekday name (`monday`…) of a day number since 1970-01-01.
pub(crate) fn weekday(days: i64) -> &'static str {
    const NAMES: [&str; 7] = [
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
    ];
    NAMES[days.rem_euclid(7) as usize]
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
        assert_eq!(weekday(parse_iso("2025-03-03").unwrap() / 86_400), "monday");
    }

    #[test]
    fn uuid_has_the_v4_shape() {
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
    }
}
