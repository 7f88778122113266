//! `calendarView`: events overlapping a time window, with daily/weekly series expanded into
//! occurrences.

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

/// Start times of a daily or weekly series up to `until` (other patterns: the first one only).
fn occurrences(recurrence: &Value, first: i64, until: i64) -> Vec<i64> {
    let pattern = &recurrence["pattern"];
    let range = &recurrence["range"];
    let interval = pattern["interval"].as_i64().unwrap_or(1).max(1);
    let time_of_day = first.rem_euclid(86_400);
    let first_day = first.div_euclid(86_400);
    let last_day = match range["type"].as_str() {
        Some("endDate") => range["endDate"]
            .as_str()
            .and_then(util::parse_iso)
            .map(|t| t.div_euclid(86_400)),
        _ => None,
    }
    .unwrap_or(i64::MAX)
    .min(until.div_euclid(86_400));
    let limit = match range["type"].as_str() {
        Some("numbered") => range["numberOfOccurrences"].as_u64().unwrap_or(1) as usize,
        _ => usize::MAX,
    };
    let days: Vec<String> = pattern["daysOfWeek"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d.as_str().map(str::to_ascii_lowercase))
                .collect()
        })
        .unwrap_or_default();
    let week_start = first_day - first_day.rem_euclid(7);
    (first_day..=last_day)
        .filter(|day| match pattern["type"].as_str() {
            Some("daily") => (day - first_day) % interval == 0,
            Some("weekly") => {
                ((day - week_start) / 7) % interval == 0 && days.contains(&util::weekday(*day))
            }
            _ => *day == first_day,
        })
        .take(limit)
        .map(|day| day * 86_400 + time_of_day)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_series_expands_within_its_range_and_the_window() {
        let monday = util::parse_iso("2025-03-03T09:00:00").unwrap();
        let master = json!({
            "id": "M", "type": "seriesMaster",
            "start": {"dateTime": util::iso_local(monday), "timeZone": "UTC"},
            "end": {"dateTime": util::iso_local(monday + 1800), "timeZone": "UTC"},
            "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                           "range": {"type": "endDate", "startDate": "2025-03-03", "endDate": "2025-03-24"}}
        });
        let from = util::parse_iso("2025-03-05T00:00:00Z").unwrap();
        let to = util::parse_iso("2025-04-30T00:00:00Z").unwrap();
        let got: Vec<String> = view(&[master], from, to)
            .iter()
            .map(|o| o["start"]["dateTime"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            got,
            [
                "2025-03-10T09:00:00.0000000",
                "2025-03-17T09:00:00.0000000",
                "2025-03-24T09:00:00.0000000"
            ]
        );
    }
}
