//! A protocol's time zone: its IANA name, the Windows name Outlook expects in
//! `Prefer: outlook.timezone="…"`, and the zone rules used to give naive datetimes an offset.
//!
//! Zone rules come from the system tz database through `jiff` (bundled on Windows). The
//! IANA→Windows table in `windows_zones.rs` is data generated from CLDR's `windowsZones.xml`
//! mapping, extended with the tz database's link names (`Asia/Kolkata`, `Europe/Kyiv`, `US/Eastern`,
//! …) so that modern and legacy spellings both resolve.

use chrono::{Datelike, NaiveDateTime, Timelike};
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::windows_zones::IANA_TO_WINDOWS;
use crate::{Error, Result};

/// The time zone settings carried by a [`Protocol`](super::Protocol).
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    iana: String,
    windows: Option<&'static str>,
    prefer_header: Option<String>,
    rules: TimeZone,
}

impl Zone {
    /// UTC, the fallback when the system zone is unknown or has no Windows name.
    pub(crate) fn utc() -> Zone {
        Zone::new("UTC".to_owned(), TimeZone::UTC)
    }

    fn new(iana: String, rules: TimeZone) -> Zone {
        let windows = windows_name(&iana);
        Zone {
            prefer_header: windows.map(|name| format!("outlook.timezone=\"{name}\"")),
            iana,
            windows,
            rules,
        }
    }

    /// The zone named `name` (case-insensitive IANA identifier); unknown names are a config error.
    pub(crate) fn named(name: &str) -> Result<Zone> {
        let rules = TimeZone::get(name)
            .map_err(|e| Error::config(format!("unknown time zone {name:?}")).with_source(e))?;
        let iana = rules.iana_name().unwrap_or(name).to_owned();
        Ok(Zone::new(iana, rules))
    }

    /// The system's zone, or UTC when it cannot be determined or has no Windows equivalent.
    /// Never fails (python-o365 raised on unmapped local zones).
    pub(crate) fn system() -> Zone {
        let system = TimeZone::try_system().ok();
        Zone::system_or_utc(system.as_ref().and_then(TimeZone::iana_name))
    }

    fn system_or_utc(name: Option<&str>) -> Zone {
        name.and_then(|name| Zone::named(name).ok())
            .filter(|zone| zone.windows.is_some())
            .unwrap_or_else(Zone::utc)
    }

    /// The IANA name, e.g. `Europe/Madrid`.
    pub(crate) fn iana(&self) -> &str {
        &self.iana
    }

    /// The Windows name, e.g. `Romance Standard Time`; `None` for zones Windows does not know.
    pub(crate) fn windows(&self) -> Option<&'static str> {
        self.windows
    }

    /// The `Prefer` header value `outlook.timezone="<Windows name>"`.
    pub(crate) fn prefer_header(&self) -> Option<&str> {
        self.prefer_header.as_deref()
    }

    /// The UTC offset in seconds this zone has at the civil time `naive`; `None` if the date is
    /// out of range. In a gap or a fold the offset in force *before* the transition is used, as
    /// Python's `datetime` does with `fold=0` (so a time in a gap still names the right instant).
    pub(crate) fn offset_seconds_at(&self, naive: &NaiveDateTime) -> Option<i32> {
        let civil = jiff::civil::DateTime::new(
            i16::try_from(naive.year()).ok()?,
            i8::try_from(naive.month()).ok()?,
            i8::try_from(naive.day()).ok()?,
            i8::try_from(naive.hour()).ok()?,
            i8::try_from(naive.minute()).ok()?,
            i8::try_from(naive.second()).ok()?,
            // chrono encodes a leap second as nanosecond >= 1e9; jiff has none.
            i32::try_from(naive.nanosecond().min(999_999_999)).ok()?,
        )
        .ok()?;
        let offset = match self.rules.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset,
            AmbiguousOffset::Gap { before, .. } | AmbiguousOffset::Fold { before, .. } => before,
        };
        Some(offset.seconds())
    }
}

/// The Windows zone name for an IANA name (exact spelling), if Windows has one.
pub(crate) fn windows_name(iana: &str) -> Option<&'static str> {
    IANA_TO_WINDOWS
        .binary_search_by(|(name, _)| (*name).cmp(iana))
        .ok()
        .map(|index| IANA_TO_WINDOWS[index].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use chrono::NaiveDate;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(IANA_TO_WINDOWS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(IANA_TO_WINDOWS.len() > 550);
    }

    #[test]
    fn windows_names_of_common_zones() {
        let cases = [
            ("Europe/Madrid", "Romance Standard Time"),
            ("America/New_York", "Eastern Standard Time"),
            ("UTC", "UTC"),
            ("Etc/UTC", "UTC"),
            ("Asia/Kolkata", "India Standard Time"),
            ("Asia/Calcutta", "India Standard Time"),
            ("Europe/Kyiv", "FLE Standard Time"),
            ("US/Eastern", "Eastern Standard Time"),
            ("Europe/London", "GMT Standard Time"),
            ("Australia/Sydney", "AUS Eastern Standard Time"),
        ];
        for (iana, windows) in cases {
            assert_eq!(windows_name(iana), Some(windows), "{iana}");
        }
        assert_eq!(windows_name("Mars/Olympus_Mons"), None);
        assert_eq!(windows_name("europe/madrid"), None, "table lookup is exact");
    }

    #[test]
    fn named_zone_is_canonicalised_and_mapped() {
        let zone = Zone::named("europe/madrid").unwrap();
        assert_eq!(zone.iana(), "Europe/Madrid");
        assert_eq!(zone.windows(), Some("Romance Standard Time"));
    }

    #[test]
    fn unknown_zone_is_a_config_error_naming_it() {
        let err = Zone::named("Mars/Olympus_Mons").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("Mars/Olympus_Mons"), "{err}");
    }

    #[test]
    fn system_zone_falls_back_to_utc() {
        assert_eq!(Zone::system_or_utc(None).iana(), "UTC");
        assert_eq!(Zone::system_or_utc(Some("Nowhere/Zone")).iana(), "UTC");
        // A real zone without a Windows equivalent also falls back.
        assert_eq!(Zone::system_or_utc(Some("Antarctica/Troll")).iana(), "UTC");
        let madrid = Zone::system_or_utc(Some("Europe/Madrid"));
        assert_eq!(madrid.iana(), "Europe/Madrid");
        let system = Zone::system();
        assert!(
            system.windows().is_some(),
            "system zone always has a Windows name"
        );
    }

    #[test]
    fn offsets_follow_daylight_saving() {
        let new_york = Zone::named("America/New_York").unwrap();
        let at = |m, d, h| {
            NaiveDate::from_ymd_opt(2024, m, d)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        assert_eq!(new_york.offset_seconds_at(&at(1, 2, 3)), Some(-5 * 3600));
        assert_eq!(new_york.offset_seconds_at(&at(7, 2, 3)), Some(-4 * 3600));
        // 02:30 on 2024-03-10 does not exist in New York; 01:30 on 2024-11-03 happens twice.
        // Both take the offset in force before the transition.
        let gap = NaiveDate::from_ymd_opt(2024, 3, 10)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(new_york.offset_seconds_at(&gap), Some(-5 * 3600));
        let fold = NaiveDate::from_ymd_opt(2024, 11, 3)
            .unwrap()
            .and_hms_opt(1, 30, 0)
            .unwrap();
        assert_eq!(new_york.offset_seconds_at(&fold), Some(-4 * 3600));
        assert_eq!(Zone::utc().offset_seconds_at(&at(7, 2, 3)), Some(0));
    }
}
