//! `calendarView`: events overlapping a time window, with daily/weekly series expanded into
//! occurrences.

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use serde_json::{Value, json};

use crate::emulator::util;

/// Start and end of an event in epoch seconds (its `dateTime` values read as UTC).
fn span(event: &Value) -> Option<(i64, i64)> {
    let start = util::parse_iso(event["start"]["dateTime"].as_str()?)?;
    let end = util::parse_iso(event["end"]["dateTime"].as_str()?)?;
    Some((start, end))
}

/// The events and occurrences overlapping `[from, to)`, sorted by start.
pub(crate) fn view(events: &[Value], from: i64, to: i64) -> Vec<Value> {
    let mut out: Vec<(i64, Value)> = Vec::new();
    for event in events {
        let Some((start, end)) = span(event) else {
            continue;
        };
        let starts = if event["type"] == "seriesMaster" {
            occurrences(&event["recurrence"], start, to)
        } else {
            vec![start]
        };
        for s in starts {
            let e = s + (end - start);
            if s < to && e > from {
                out.push((s, instance(event, s, e)));
            }
        }
    }
    out.sort_by_key(|(s, _)| *s);
    out.into_iter().map(|(_, v)| v).collect()
}

fn instance(event: &Value, start: i64, end: i64) -> Value {
    if event["type"] != "seriesMaster" {
        return event.clone();
    }
    let mut occurrence = event.clone();
    occurrence["id"] = json!(format!(
        "{}{}",
        event["id"].as_str().unwrap_or_default(),
        util::b64url(util::compact_date(start).as_bytes())
    ));
    occurrence["seriesMasterId"] = event["id"].clone();
    occurrence["type"] = json!("occurrence");
    occurrence["recurrence"] = Value::Null;
    occurrence["start"]["dateTime"] = json!(util::iso_local(start));
    occurrence["end"]["dateTime"] = json!(util::iso_local(end));
    occurrence
}

/// Start times of a daily or weekly series up to `until` (other patterns: the first one only),
/// in calendar days: a weekly series' weeks start on its `firstDayOfWeek` (Graph's default,
/// Sunday), and its `interval` counts those weeks.
fn occurrences(recurrence: &Value, first: i64, until: i64) -> Vec<i64> {
    let pattern = &recurrence["pattern"];
    let range = &recurrence["range"];
    let Some(first) = DateTime::<Utc>::from_timestamp(first, 0) else {
        return Vec::new();
    };
    let (first_day, time_of_day) = (first.date_naive(), first.time());
    let interval = pattern["interval"].as_i64().unwrap_or(1).max(1);
    let last_day = last_day(range, until);
    let limit = match range["type"].as_str() {
        Some("numbered") => range["numberOfOccurrences"].as_u64().unwrap_or(1) as usize,
        _ => usize::MAX,
    };
    let on_day: Box<dyn Fn(NaiveDate) -> bool> = match pattern["type"].as_str() {
        Some("daily") => Box::new(move |day| (day - first_day).num_days() % interval == 0),
        Some("weekly") => {
            let days = days_of_week(pattern);
            let week_start = first_day.week(first_day_of_week(pattern)).first_day();
            Box::new(move |day| {
                (day - week_start).num_weeks() % interval == 0 && days.contains(&day.weekday())
            })
        }
        _ => Box::new(move |day| day == first_day),
    };
    first_day
        .iter_days()
        .take_while(|day| Some(*day) <= last_day)
        .filter(|day| on_day(*day))
        .take(limit)
        .map(|day| day.and_time(time_of_day).and_utc().timestamp())
        .collect()
}

/// The last day a series may occur on: its `endDate` (for an `endDate` range), and never after
/// the day of `until`.
fn last_day(range: &Value, until: i64) -> Option<NaiveDate> {
    let until = DateTime::<Utc>::from_timestamp(until, 0)?.date_naive();
    let end = match range["type"].as_str() {
        Some("endDate") => range["endDate"]
            .as_str()
            .and_then(util::parse_iso)
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))
            .map(|t| t.date_naive()),
        _ => None,
    };
    Some(end.map_or(until, |end| end.min(until)))
}

/// A pattern's `daysOfWeek` (`"monday"`, …; case-insensitive).
fn days_of_week(pattern: &Value) -> Vec<Weekday> {
    pattern["daysOfWeek"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d.as_str()?.parse().ok()).collect())
        .unwrap_or_default()
}

/// A pattern's `firstDayOfWeek`; Sunday when absent, as in Graph.
fn first_day_of_week(pattern: &Value) -> Weekday {
    pattern["firstDayOfWeek"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or(Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A series master starting at `start` (local ISO time, UTC zone) that lasts `seconds`.
    fn master(id: &str, start: &str, seconds: i64, pattern: Value, range: Value) -> Value {
        let start = util::parse_iso(start).unwrap();
        json!({
            "id": id, "type": "seriesMaster",
            "start": {"dateTime": util::iso_local(start), "timeZone": "UTC"},
            "end": {"dateTime": util::iso_local(start + seconds), "timeZone": "UTC"},
            "recurrence": {"pattern": pattern, "range": range}
        })
    }

    /// The start times of the occurrences of `master` between `from` and `to`.
    fn starts(master: Value, from: &str, to: &str) -> Vec<String> {
        let (from, to) = (util::parse_iso(from).unwrap(), util::parse_iso(to).unwrap());
        view(&[master], from, to)
            .iter()
            .map(|o| o["start"]["dateTime"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn weekly_series_expands_within_its_range_and_the_window() {
        let master = master(
            "M",
            "2025-03-03T09:00:00",
            1800,
            json!({"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]}),
            json!({"type": "endDate", "startDate": "2025-03-03", "endDate": "2025-03-24"}),
        );
        assert_eq!(
            starts(master, "2025-03-05T00:00:00Z", "2025-04-30T00:00:00Z"),
            [
                "2025-03-10T09:00:00.0000000",
                "2025-03-17T09:00:00.0000000",
                "2025-03-24T09:00:00.0000000"
            ]
        );
    }

    #[test]
    fn every_other_week_counts_weeks_from_the_first_day_of_week() {
        // Tuesday 2025-03-04, then every second week on Tuesday and Saturday. Weeks start on
        // Sunday (no `firstDayOfWeek`): the week of Sun 2 March holds Tue 4 and Sat 8, the next
        // counted one (Sun 16) Tue 18 and Sat 22.
        let days = |first_day_of_week: Option<&str>| -> Vec<String> {
            let mut pattern =
                json!({"type": "weekly", "interval": 2, "daysOfWeek": ["Tuesday", "saturday"]});
            if let Some(d) = first_day_of_week {
                pattern["firstDayOfWeek"] = json!(d);
            }
            let range =
                json!({"type": "numbered", "startDate": "2025-03-04", "numberOfOccurrences": 4});
            let series = master("M", "2025-03-04T08:00:00", 600, pattern, range);
            starts(series, "2025-03-01T00:00:00Z", "2025-05-01T00:00:00Z")
                .into_iter()
                .map(|start| start[..10].to_owned())
                .collect()
        };
        assert_eq!(
            days(None),
            ["2025-03-04", "2025-03-08", "2025-03-18", "2025-03-22"]
        );
        // Weeks starting on Wednesday: Tue 4 ends the first week, Sat 8 is in the skipped one.
        assert_eq!(
            days(Some("wednesday")),
            ["2025-03-04", "2025-03-15", "2025-03-18", "2025-03-29"]
        );
    }

    #[test]
    fn daily_series_with_an_interval() {
        let master = master(
            "D",
            "2025-02-27T07:30:00",
            60,
            json!({"type": "daily", "interval": 3}),
            json!({"type": "endDate", "startDate": "2025-02-27", "endDate": "2025-03-08"}),
        );
        assert_eq!(
            starts(master, "2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z"),
            [
                "2025-02-27T07:30:00.0000000",
                "2025-03-02T07:30:00.0000000",
                "2025-03-05T07:30:00.0000000",
                "2025-03-08T07:30:00.0000000"
            ]
        );
    }
}
