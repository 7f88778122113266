//! The mechanical name of one operation, in parts that clash resolution can qualify.

use super::Op;
use super::segments::{Seg, segments};
use super::words::{is_keyword, singular};

/// A mechanical name in parts: `head` (verb), qualifiers (nearest first, `used` of them in the
/// name, outermost first), `noun`, and a fallback suffix.
#[derive(Debug, Clone)]
pub(super) struct Shape {
    pub(super) head: String,
    pub(super) qualifiers: Vec<String>,
    pub(super) noun: String,
    pub(super) used: usize,
    pub(super) params: usize,
    pub(super) path: String,
    pub(super) suffix: String,
    /// Rooted at `/me` (its last qualifier is `my`).
    pub(super) at_me: bool,
}

impl Shape {
    /// The name the parts spell (`_op` after a keyword).
    pub(super) fn name(&self) -> String {
        let mut parts = vec![self.head.clone()];
        parts.extend(self.qualifiers[..self.used].iter().rev().cloned());
        if !self.noun.is_empty() {
            parts.push(self.noun.clone());
        }
        let mut name = parts
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        name.push_str(&self.suffix);
        if is_keyword(&name) {
            name.push_str("_op");
        }
        name
    }

    /// Whether no qualifier is left; `my` counts only against paths not under `/me`.
    pub(super) fn exhausted(&self, all_at_me: bool) -> bool {
        let usable = self.qualifiers.len() - usize::from(self.at_me && all_at_me);
        self.used >= usable
    }
}

/// The mechanical name parts of one operation (`relative` is rooted at `/me` for twins).
pub(super) fn shape(relative: &str, op: &Op) -> Shape {
    let mut segs = segments(relative, op);
    let at_me = strip_me(&mut segs, relative);
    let empty = Shape {
        head: verb(op, "get"),
        qualifiers: Vec::new(),
        noun: "root".into(),
        used: 0,
        params: relative.matches('{').count(),
        path: relative.to_string(),
        suffix: String::new(),
        at_me: false,
    };
    let Some(last) = segs.pop() else {
        return empty;
    };
    let mut rest = segs;
    let (head, noun) = head_and_noun(&last, &mut rest, op);
    let mut qualifiers: Vec<String> = rest.iter().rev().map(Seg::word).collect();
    if at_me {
        qualifiers.push("my".into());
    }
    Shape {
        head,
        qualifiers,
        noun,
        at_me,
        ..empty
    }
}

/// `/me/...`: `me` is the root, not a noun; it qualifies as `my`, after every other segment
/// (`/me/chats` next to `/chats` is `list_my_chats`). `/me` alone is the noun. Removes it and
/// says whether it was there.
fn strip_me(segs: &mut Vec<Seg>, relative: &str) -> bool {
    let at_me = segs.len() > 1
        && matches!(&segs[0], Seg::Name { snake, keyed: false } if snake == "me")
        && relative.starts_with("/me/");
    if at_me {
        segs.remove(0);
    }
    at_me
}

/// The verb of `op`'s HTTP method; a GET takes `collection_verb`.
fn verb(op: &Op, collection_verb: &str) -> String {
    match op.method.as_str() {
        "get" => collection_verb.to_string(),
        "post" => "create".into(),
        "patch" => "update".into(),
        "put" => "set".into(),
        "delete" => "delete".into(),
        other => other.to_string(),
    }
}

/// The verb and noun the `last` segment gives (taking the segments it applies to from `rest`).
fn head_and_noun(last: &Seg, rest: &mut Vec<Seg>, op: &Op) -> (String, String) {
    match last {
        Seg::Call(name) => {
            let noun = rest.pop().map(|s| subject_word(&s, rest));
            (name.clone(), noun.unwrap_or_default())
        }
        Seg::Count => {
            let noun = rest
                .pop()
                .map(|s| subject_word(&s, rest))
                .unwrap_or_default();
            ("count".to_string(), noun)
        }
        Seg::Ref | Seg::Value => ref_or_value(last, rest, op),
        Seg::Name { snake, keyed } | Seg::Cast { snake, keyed } => {
            navigation(last, snake, *keyed, rest, op)
        }
    }
}

/// `$ref` (`list_…_refs`, `add_…_ref`, `…_ref`) or `$value` (`…_content`) of the segment before.
fn ref_or_value(last: &Seg, rest: &mut Vec<Seg>, op: &Op) -> (String, String) {
    let target = rest.pop();
    let keyed = matches!(
        target,
        Some(Seg::Name { keyed: true, .. } | Seg::Cast { keyed: true, .. })
    );
    let word = target.map(|s| subject_word(&s, rest)).unwrap_or_default();
    let plural_list = op.method == "get" && !keyed && matches!(last, Seg::Ref);
    match (last, op.method.as_str()) {
        (Seg::Ref, "get") if plural_list && op.collection => {
            ("list".to_string(), format!("{}_refs", singular(&word)))
        }
        (Seg::Ref, "post") => ("add".to_string(), format!("{}_ref", singular(&word))),
        (Seg::Ref, _) => (verb(op, "get"), format!("{word}_ref")),
        _ => (verb(op, "get"), format!("{word}_content")),
    }
}

/// A navigation or cast (`snake`, `keyed` from `last`): `get_` an item, `list_`/`get_` with
/// GET, `create_` (singular) with POST; a cast names what it casts (`members_as_user`).
fn navigation(
    last: &Seg,
    snake: &str,
    keyed: bool,
    rest: &mut Vec<Seg>,
    op: &Op,
) -> (String, String) {
    let is_cast = matches!(last, Seg::Cast { .. });
    let base = if is_cast {
        let cast_of = rest.pop().map(|s| s.word()).unwrap_or_default();
        if cast_of.is_empty() {
            snake.to_string()
        } else {
            format!("{cast_of}_as_{}", snake)
        }
    } else {
        snake.to_string()
    };
    if keyed {
        let noun = if is_cast { base } else { singular(&base) };
        (verb(op, "get"), noun)
    } else if op.method == "get" {
        if op.collection {
            ("list".to_string(), base)
        } else {
            ("get".to_string(), base)
        }
    } else if op.method == "post" {
        let noun = if is_cast { base } else { singular(&base) };
        ("create".to_string(), noun)
    } else {
        (verb(op, "get"), base)
    }
}

/// The word for the thing an action, `$count`, `$ref` or `$value` applies to; a cast takes the
/// segment before it along (`members/microsoft.graph.user` → `members_as_user`).
fn subject_word(seg: &Seg, rest: &mut Vec<Seg>) -> String {
    match seg {
        Seg::Cast { .. } => match rest.pop() {
            Some(before) => format!("{}_as_{}", before.word(), seg.word()),
            None => seg.word(),
        },
        other => other.word(),
    }
}
