//! JSON text laid out exactly like Python's `json.dumps(obj, indent=4)`: four-space indent,
//! `",\n"` between items, `": "` after keys, and every character outside printable ASCII escaped
//! as `\uXXXX` (`ensure_ascii=True`), so token files written here match python-o365's byte for byte.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};

/// Serializes `value` the way `json.dumps(value, indent=4)` does.
pub(crate) fn to_python_json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::with_capacity(1024);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter::new());
    value
        .serialize(&mut ser)
        .expect("serializing to memory with string keys cannot fail");
    String::from_utf8(out).expect("the formatter writes ASCII only")
}

/// serde_json's pretty printer with Python's `ensure_ascii` string escaping.
struct PythonFormatter {
    pretty: PrettyFormatter<'static>,
}

impl PythonFormatter {
    fn new() -> PythonFormatter {
        PythonFormatter {
            pretty: PrettyFormatter::with_indent(b"    "),
        }
    }
}

/// Writes `\uXXXX` (lowercase hex, as Python does) for one UTF-16 code unit.
fn write_u_escape<W: ?Sized + Write>(writer: &mut W, unit: u16) -> io::Result<()> {
    write!(writer, "\\u{unit:04x}")
}

impl Formatter for PythonFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (index, ch) in fragment.char_indices() {
            // Python escapes everything outside ' '..='~'; serde_json already escaped the
            // control characters, quote and backslash before handing us the fragment.
            if ch.is_ascii() && ch != '\u{7f}' {
                continue;
            }
            writer.write_all(&fragment.as_bytes()[start..index])?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write_u_escape(writer, *unit)?;
            }
            start = index + ch.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        match char_escape {
            CharEscape::AsciiControl(byte) => write_u_escape(writer, u16::from(byte)),
            other => serde_json::ser::CompactFormatter.write_char_escape(writer, other),
        }
    }

    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn matches_python_json_dumps_indent_4() {
        // Expected strings produced by Python 3.11: json.dumps(value, indent=4)
        let value = json!({"a": {"b": [1, "x"], "e": {}}, "n": null, "l": []});
        assert_eq!(
            to_python_json(&value),
            "{\n    \"a\": {\n        \"b\": [\n            1,\n            \"x\"\n        ],\n        \"e\": {}\n    },\n    \"n\": null,\n    \"l\": []\n}"
        );
    }

    #[test]
    fn escapes_like_ensure_ascii() {
        // json.dumps("zoë \U0001F600 \x7f \x01 \"q\" \\ \n/") in Python 3.11
        let text = "zoë \u{1F600} \u{7f} \u{1} \"q\" \\ \n/";
        assert_eq!(
            to_python_json(text),
            r#""zo\u00eb \ud83d\ude00 \u007f \u0001 \"q\" \\ \n/""#
        );
    }
}
