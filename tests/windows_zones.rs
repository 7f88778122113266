//! The committed zone table (`src/runtime/protocol/windows_zones.rs`) is exactly what its
//! generator (`windows_zones.py` beside it) writes: the generator's `HEADER` template (with the
//! tz database version and the CLDR source filled in), one `ENTRY` line per zone in IANA order,
//! and its `FOOTER`. Regenerating needs CLDR's XML; this check needs neither network nor Python.

use std::path::PathBuf;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of the Python string assigned to `name` (`NAME = """\` … `"""` or `NAME = '…'`/`"…"`
/// on one line), with `\n` escapes of one-line strings turned into newlines.
fn python_string(src: &str, name: &str) -> String {
    let start = src
        .find(&format!("\n{name} = "))
        .unwrap_or_else(|| panic!("{name} not found in the generator"))
        + name.len()
        + 4;
    let rest = &src[start..];
    if let Some(body) = rest.strip_prefix("\"\"\"\\\n") {
        let end = body.find("\"\"\"").expect("closing quotes");
        return body[..end].replace("\\\\", "\\");
    }
    let quote = rest.chars().next().unwrap();
    let body = &rest[1..];
    let end = body.find(quote).expect("closing quote");
    body[..end].replace("\\n", "\n")
}

/// Matches `text` against a template line by line; a line holding `{field}` matches any line
/// with the same text around the field.
fn matches_template(template: &str, text: &[&str]) -> Result<(), String> {
    let lines: Vec<&str> = template.lines().collect();
    if text.len() < lines.len() {
        return Err("the file is shorter than the header".into());
    }
    for (i, (want, got)) in lines.iter().zip(text).enumerate() {
        let ok = match (want.find('{'), want.find('}')) {
            (Some(a), Some(b)) if a < b => {
                let (pre, post) = (&want[..a], &want[b + 1..]);
                got.len() >= pre.len() + post.len() && got.starts_with(pre) && got.ends_with(post)
            }
            _ => want == got,
        };
        if !ok {
            return Err(format!(
                "line {}: the generator writes\n  {want}\nthe file has\n  {got}",
                i + 1
            ));
        }
    }
    Ok(())
}

#[test]
fn the_committed_table_is_what_the_generator_writes() {
    let py = read("src/runtime/protocol/windows_zones.py");
    let rs = read("src/runtime/protocol/windows_zones.rs");
    let header = python_string(&py, "HEADER");
    let entry = python_string(&py, "ENTRY");
    let footer = python_string(&py, "FOOTER");
    assert!(
        header.contains("{tzdata}") && header.contains("{cldr}"),
        "{header}"
    );
    assert_eq!(entry, "    (\"{iana}\", \"{windows}\"),\n");

    let lines: Vec<&str> = rs.lines().collect();
    if let Err(e) = matches_template(&header, &lines) {
        panic!("windows_zones.rs does not start with the generator's header: {e}");
    }
    let cldr = lines
        .iter()
        .find(|l| l.starts_with("//! CLDR: "))
        .expect("the CLDR line");
    assert!(
        cldr.len() > "//! CLDR: .".len(),
        "the CLDR source is recorded"
    );

    let body_start = header.lines().count();
    assert!(
        rs.ends_with(&footer),
        "the file ends with the generator's footer"
    );
    let body = &lines[body_start..lines.len() - footer.lines().count()];
    assert!(body.len() > 500, "the table has its zones ({})", body.len());
    let mut previous = "";
    for line in body {
        let inner = line
            .strip_prefix("    (\"")
            .and_then(|l| l.strip_suffix("\"),"))
            .unwrap_or_else(|| panic!("not an entry line as the generator writes it: {line}"));
        let (iana, windows) = inner.split_once("\", \"").expect("two strings");
        assert!(!iana.contains('"') && !windows.contains('"'), "{line}");
        assert!(
            previous < iana,
            "sorted by IANA name: {previous} before {iana}"
        );
        previous = iana;
    }
}

#[test]
fn the_header_check_sees_a_changed_line() {
    // A header line edited by hand (or by a generator change) is a mismatch.
    let py = read("src/runtime/protocol/windows_zones.py");
    let header = python_string(&py, "HEADER");
    let mut text: Vec<&str> = header.lines().collect();
    text[0] = "//! IANA zone name -> Windows zone name.";
    assert!(matches_template(&header, &text).is_err());
    let unchanged: Vec<&str> = header.lines().collect();
    assert!(matches_template(&header, &unchanged).is_ok());
}
