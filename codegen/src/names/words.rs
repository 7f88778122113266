//! Words of a name: snake_case segments, English singulars, Rust keywords.

use heck::ToSnakeCase;

use crate::passes::walk;

/// `childFolders` → `child_folders`; `microsoft.graph` prefix and non-identifier characters go.
pub(super) fn snake(segment: &str) -> String {
    walk::word_breaks(segment).to_snake_case()
}

/// English singular of the last word of a snake_case name (`child_folders` → `child_folder`,
/// `categories` → `category`, `people` → `person`); names that are not plurals stay.
pub fn singular(name: &str) -> String {
    let (stem, word) = match name.rsplit_once('_') {
        Some((stem, word)) => (format!("{stem}_"), word),
        None => (String::new(), name),
    };
    let one = match word {
        "people" => "person".to_string(),
        "children" => "child".to_string(),
        "series" | "news" | "status" | "analytics" | "settings" | "data" | "media" => {
            word.to_string()
        }
        w if w.len() > 3 && w.ends_with("ies") => format!("{}y", &w[..w.len() - 3]),
        w if ["sses", "shes", "ches", "xes", "zzes"]
            .iter()
            .any(|end| w.ends_with(end)) =>
        {
            w[..w.len() - 2].to_string()
        }
        w if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") => w.to_string(),
        w if w.len() > 1 && w.ends_with('s') => w[..w.len() - 1].to_string(),
        w => w.to_string(),
    };
    format!("{stem}{one}")
}

/// Whether `name` is a Rust keyword (or `new`, which a method name must not take).
pub(super) fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "yield"
            | "new"
    )
}
