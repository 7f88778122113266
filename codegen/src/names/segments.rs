//! A path read as segments: navigations (keyed when an id follows), casts, actions and
//! functions, `$count`, `$ref` and `$value`.

use super::Op;
use super::words::{singular, snake};

/// One element of a path.
#[derive(Debug, Clone)]
pub(super) enum Seg {
    /// A navigation or collection segment; `keyed` when an id follows (`messages/{id}`,
    /// `companies({id})`).
    Name {
        snake: String,
        keyed: bool,
    },
    /// `microsoft.graph.user` used as a type cast.
    Cast {
        snake: String,
        keyed: bool,
    },
    /// An action or function (`sendMail`, `delta()`).
    Call(String),
    Count,
    Ref,
    Value,
}

impl Seg {
    /// How the segment reads as a qualifier or noun: singular when an id follows.
    pub(super) fn word(&self) -> String {
        match self {
            Seg::Name { snake, keyed } | Seg::Cast { snake, keyed } => {
                if *keyed {
                    singular(snake)
                } else {
                    snake.clone()
                }
            }
            Seg::Call(name) => name.clone(),
            Seg::Count => "count".into(),
            Seg::Ref => "ref".into(),
            Seg::Value => "content".into(),
        }
    }
}

/// The segments of `path` (ids mark the segment before them keyed) as `op` uses them.
pub(super) fn segments(path: &str, op: &Op) -> Vec<Seg> {
    let raw: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out: Vec<Seg> = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        if s.starts_with('{') {
            if let Some(Seg::Name { keyed, .. } | Seg::Cast { keyed, .. }) = out.last_mut() {
                *keyed = true;
            }
            continue;
        }
        out.push(segment(&raw, i, op));
    }
    out
}

/// What the `i`th of the `raw` segments (not an id) is.
fn segment(raw: &[&str], i: usize, op: &Op) -> Seg {
    let s = raw[i];
    match s {
        "$count" => return Seg::Count,
        "$ref" => return Seg::Ref,
        "$value" => return Seg::Value,
        _ => {}
    }
    let (namespaced, bare) = match s.strip_prefix("microsoft.graph.") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    if let Some((name, args)) = bare.split_once('(') {
        return with_arguments(name, args, namespaced);
    }
    let at_end = i == raw.len() - 1;
    if namespaced {
        return if at_end && op.method != "get" {
            Seg::Call(snake(bare))
        } else {
            Seg::Cast {
                snake: snake(bare),
                keyed: false,
            }
        };
    }
    // An un-namespaced action (hand-written descriptions write `/me/sendMail`).
    if at_end && op.method == "post" && op.action_hint && after_item_or_root(raw, i) {
        return Seg::Call(snake(bare));
    }
    Seg::Name {
        snake: snake(bare),
        keyed: false,
    }
}

/// `name(args)`: a keyed navigation when the arguments are one key (Business Central's
/// `companies({id})`), else a function call.
fn with_arguments(name: &str, args: &str, namespaced: bool) -> Seg {
    let args = args.trim_end_matches(')').trim_matches('\'');
    let key_only = args.starts_with('{') && args.ends_with('}') && !args.contains(['=', ',']);
    if key_only && !namespaced {
        Seg::Name {
            snake: snake(name),
            keyed: true,
        }
    } else {
        Seg::Call(snake(name))
    }
}

/// Whether the `i`th segment follows an item (an id), the root or `/me`.
fn after_item_or_root(raw: &[&str], i: usize) -> bool {
    i == 0 || raw[i - 1].starts_with('{') || raw[i - 1].ends_with(')') || (i == 1 && raw[0] == "me")
}
