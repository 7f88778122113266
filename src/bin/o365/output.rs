//! Results on stdout (JSON, NDJSON or a table) and progress on stderr.

use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::failure::{CliResult, Failure};

/// Widest table cell, in characters.
const CELL_CHARS: usize = 48;

/// Writes `line` and a newline to stdout.
pub fn write_line(line: &str) -> CliResult {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| Failure::io("cannot write to stdout", e))
}

/// Prints one reply: pretty JSON; NDJSON (a collection's items one per line); or a table.
pub fn print_value(format: OutputFormat, value: &Value) -> CliResult {
    let items = value.get("value").and_then(Value::as_array);
    match (format, items) {
        (OutputFormat::Json, _) => write_line(&pretty(value)),
        (OutputFormat::Ndjson, Some(items)) => {
            items.iter().try_for_each(|i| write_line(&i.to_string()))
        }
        (OutputFormat::Ndjson, None) => write_line(&value.to_string()),
        (OutputFormat::Table, Some(items)) => write_line(&table(items)),
        (OutputFormat::Table, None) => write_line(&key_values(value)),
    }
}

/// Collects or streams the items of a collection in `format`.
#[derive(Debug)]
pub struct ItemSink {
    format: OutputFormat,
    buffered: Vec<Value>,
    count: u64,
}

impl ItemSink {
    /// A sink printing in `format`.
    pub fn new(format: OutputFormat) -> ItemSink {
        ItemSink {
            format,
            buffered: Vec::new(),
            count: 0,
        }
    }

    /// Takes one item: NDJSON prints it at once, the others print on [`finish`](Self::finish).
    pub fn push(&mut self, item: Value) -> CliResult {
        self.count += 1;
        match self.format {
            OutputFormat::Ndjson => write_line(&item.to_string()),
            OutputFormat::Json | OutputFormat::Table => {
                self.buffered.push(item);
                Ok(())
            }
        }
    }

    /// Items taken so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Prints what was buffered: a JSON array or a table.
    pub fn finish(self) -> CliResult {
        match self.format {
            OutputFormat::Ndjson => Ok(()),
            OutputFormat::Json => write_line(&pretty(&Value::Array(self.buffered))),
            OutputFormat::Table => write_line(&table(&self.buffered)),
        }
    }
}

/// A spinner on stderr counting items (hidden when stderr is not a terminal).
pub fn item_progress(label: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(label.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg}: {human_pos} items, {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// An aligned table of the items' fields (columns in order of first appearance; `@odata.*`
/// annotations left out).
pub fn table(items: &[Value]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        for key in item.as_object().into_iter().flat_map(|o| o.keys()) {
            if !key.starts_with('@') && !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|item| columns.iter().map(|c| cell(item.get(*c))).collect())
        .collect();
    let header: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    render(&header, &rows)
}

/// A two-column table of one object's fields.
fn key_values(value: &Value) -> String {
    let Some(object) = value.as_object() else {
        return cell(Some(value));
    };
    let rows: Vec<Vec<String>> = object
        .iter()
        .filter(|(k, _)| !k.starts_with('@'))
        .map(|(k, v)| vec![k.clone(), cell(Some(v))])
        .collect();
    render(&["field".to_owned(), "value".to_owned()], &rows)
}

fn render(header: &[String], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    std::iter::once(line(header))
        .chain(rows.iter().map(|r| line(r)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A field as one short line: scalars as text, objects by their first text leaf (a recipient
/// shows its name), arrays joined.
fn cell(value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| cell(Some(i)))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Object(o)) => o
            .values()
            .map(|v| cell(Some(v)))
            .find(|s| !s.is_empty())
            .unwrap_or_default(),
        Some(other) => other.to_string(),
    };
    let flat = text.replace(['\n', '\r', '\t'], " ");
    if flat.chars().count() > CELL_CHARS {
        let cut: String = flat.chars().take(CELL_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn table_aligns_columns_and_flattens_recipients() {
        let items = [
            json!({"@odata.etag": "x", "subject": "Hi", "from": {"emailAddress": {"name": "Ann", "address": "a@x"}}}),
            json!({"subject": "Longer subject", "isRead": true}),
        ];
        assert_eq!(
            table(&items),
            "subject         from  isRead\nHi              Ann\nLonger subject        true"
        );
    }

    #[test]
    fn long_cells_are_cut() {
        let long = "x".repeat(60);
        assert_eq!(cell(Some(&json!(long))).chars().count(), CELL_CHARS);
    }
}
