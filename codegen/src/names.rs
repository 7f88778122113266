//! Operation names, made from the path and the HTTP method rather than from the description's
//! operationId (Graph's ids are long and singular: `user.mailFolder_ListMessage`).
//!
//! The rules, applied to the path with `/users/{user-id}` (or `/me`) taken as the root:
//!
//! * the last segment decides the verb and the noun: a collection (`messages`) gives
//!   `list_messages` (GET, plural as in the path) and `create_message` (POST, singular); an item
//!   (`messages/{message-id}`) gives `get_message`, `update_message` (PATCH), `set_message` (PUT)
//!   and `delete_message`; a single-valued navigation (`calendar`) gives `get_calendar`;
//! * actions and functions (`microsoft.graph.sendMail`, `copy` under an item, `delta()`) are
//!   named verb first, then what they act on: `send_mail`, `copy_message`, `delta_messages`;
//!   `$count` gives `count_messages`, `$ref` `…_ref`/`…_refs`, `$value` `…_content`, and an
//!   OData cast (`members/microsoft.graph.user`) `list_members_as_user`;
//! * a `/users/{user-id}/…` path is named like its `/me/…` twin with a `user_` prefix;
//! * when two operations would share a name, the path segments above the noun qualify it,
//!   nearest first (`/me` last, as `my`), for every operation of the clash that still has such
//!   segments
//!   (`/me/messages` keeps `list_messages`, `/me/mailFolders/{id}/messages` becomes
//!   `list_mail_folder_messages`); an operation whose segments are used up keeps its name, and
//!   when every one of them is used up the later ones (by number of path parameters, then path)
//!   get `_by_id`, then a number, with a warning. Naming never fails.
//!
//! Explicit renames from `spec/operations.toml` (keyed by operationId) win over all of this.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

use crate::Error;
use crate::passes::walk;

/// Extension key that keeps the description's operationId after renaming.
pub const ORIGINAL_ID: &str = "x-o365-operation-id";

/// The Rust method name progenitor derives from an operationId.
pub fn method_name(operation_id: &str) -> String {
    walk::word_breaks(operation_id).to_snake_case()
}

/// Parses `spec/operations.toml`: one table per description (keyed by its path under `spec/`,
/// e.g. `["graph/v1.0/mail.yaml"]`) mapping operationIds to Rust method names. Returns the
/// table for `section` (empty when absent).
pub fn load_renames(toml_text: &str, section: &str) -> Result<BTreeMap<String, String>, Error> {
    let table: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(toml_text).map_err(|e| Error::Parse(format!("operations.toml: {e}")))?;
    Ok(table.get(section).cloned().unwrap_or_default())
}

/// The names chosen for a document's operations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Naming {
    /// One Rust method name per operation, in document order (`walk::for_each_operation`).
    pub names: Vec<String>,
    /// The (deduplicated) operationId of each operation, the key of explicit renames.
    pub ids: Vec<String>,
    /// Warnings: clashes that needed a fallback suffix, renames that clash.
    pub notes: Vec<String>,
}

/// Renames every operation in place (the original id is kept under [`ORIGINAL_ID`]). Never
/// fails on clashes (see the module documentation); the `Result` is kept for callers.
pub fn apply(doc: &mut Value, renames: &BTreeMap<String, String>) -> Result<(), Error> {
    let naming = assign(doc, renames);
    let mut index = 0;
    walk::for_each_operation(doc, &mut |_, _, op| {
        let original = op.get("operationId").cloned().unwrap_or(Value::Null);
        op.insert(ORIGINAL_ID.into(), original);
        op.insert(
            "operationId".into(),
            Value::String(naming.names[index].clone()),
        );
        index += 1;
    });
    Ok(())
}

/// Chooses the names (see the module documentation) without changing the document.
pub fn assign(doc: &Value, renames: &BTreeMap<String, String>) -> Naming {
    let mut ops = Vec::new();
    let mut snapshot = doc.clone();
    let reference = doc.clone();
    walk::for_each_operation(&mut snapshot, &mut |path, method, op| {
        ops.push(Op {
            path: path.to_string(),
            method: method.to_string(),
            id: op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            action_hint: action_hint(op),
            collection: returns_collection(&reference, op),
        });
    });
    let ids = dedupe(&ops);
    let mut notes = Vec::new();
    // Mechanical names, worked out once per (method, root-relative path).
    let mut shapes: BTreeMap<(String, String), Shape> = BTreeMap::new();
    let mut prefixes = Vec::with_capacity(ops.len());
    let mut shape_prefixes: BTreeMap<(String, String), BTreeSet<&str>> = BTreeMap::new();
    for (op, id) in ops.iter().zip(&ids) {
        let (prefix, relative) = split_root(&op.path);
        prefixes.push(prefix);
        if renames.contains_key(id) {
            continue;
        }
        let key = (op.method.clone(), relative.clone());
        shape_prefixes
            .entry(key.clone())
            .or_default()
            .insert(prefix);
        shapes.entry(key).or_insert_with(|| shape(&relative, op));
    }
    // A mechanical name is blocked when, with a prefix its operations use, it is an explicit one.
    let fixed: BTreeSet<&String> = renames.values().collect();
    let blocked = |key: &(String, String), name: &str| {
        shape_prefixes[key]
            .iter()
            .any(|prefix| fixed.contains(&format!("{prefix}{name}")))
    };
    resolve(&mut shapes, &blocked, &mut notes);
    let mut names: Vec<String> = ops
        .iter()
        .zip(&ids)
        .zip(&prefixes)
        .map(|((op, id), prefix)| match renames.get(id) {
            Some(name) => name.clone(),
            None => {
                let (_, relative) = split_root(&op.path);
                format!("{prefix}{}", shapes[&(op.method.clone(), relative)].name())
            }
        })
        .collect();
    // Last guard: every final name distinct (renames may clash with each other or with a
    // prefixed name); later operations get a number.
    let mut seen = BTreeSet::new();
    for (i, name) in names.iter_mut().enumerate() {
        if seen.insert(name.clone()) {
            continue;
        }
        let mut n = 2;
        while seen.contains(&format!("{name}_{n}")) {
            n += 1;
        }
        let new = format!("{name}_{n}");
        notes.push(format!(
            "names: `{name}` is taken; {} {} is named `{new}`",
            ops[i].method.to_uppercase(),
            ops[i].path
        ));
        seen.insert(new.clone());
        *name = new;
    }
    Naming { names, ids, notes }
}

struct Op {
    path: String,
    method: String,
    id: String,
    /// The description marks it an action/function (`x-ms-docs-operation-type`, or a
    /// PowerShell-style id whose last part starts in lower case: `me.message_copy`).
    action_hint: bool,
    /// A GET whose answer is a page of items.
    collection: bool,
}

fn action_hint(op: &serde_json::Map<String, Value>) -> bool {
    if let Some(kind) = op.get("x-ms-docs-operation-type").and_then(Value::as_str) {
        return kind == "action" || kind == "function";
    }
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .unwrap_or_default();
    id.rsplit_once('_')
        .and_then(|(_, last)| last.chars().next())
        .is_some_and(char::is_lowercase)
}

fn returns_collection(doc: &Value, op: &serde_json::Map<String, Value>) -> bool {
    if op.contains_key("x-ms-pageable") {
        return true;
    }
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return false;
    };
    let Some((_, response)) = responses.iter().find(|(k, _)| k.starts_with('2')) else {
        return false;
    };
    let response = walk::resolve(doc, response);
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        return false;
    };
    if schema
        .get("$ref")
        .and_then(Value::as_str)
        .is_some_and(|r| r.ends_with("CollectionResponse"))
    {
        return true;
    }
    let schema = walk::resolve(doc, schema);
    schema.get("type").and_then(Value::as_str) == Some("array")
        || schema
            .pointer("/properties/value/type")
            .and_then(Value::as_str)
            == Some("array")
}

/// `/users/{user-id}/rest` → (`user_`, `/me/rest`); anything else → (``, path).
fn split_root(path: &str) -> (&'static str, String) {
    if let Some(rest) = path.strip_prefix("/users/{user-id}/")
        && !rest.is_empty()
    {
        return ("user_", format!("/me/{rest}"));
    }
    ("", path.to_string())
}

/// A mechanical name in parts: `head` (verb), qualifiers (nearest first, `used` of them in the
/// name, outermost first), `noun`, and a fallback suffix.
#[derive(Debug, Clone)]
struct Shape {
    head: String,
    qualifiers: Vec<String>,
    noun: String,
    used: usize,
    params: usize,
    path: String,
    suffix: String,
    /// Rooted at `/me` (its last qualifier is `my`).
    at_me: bool,
}

impl Shape {
    fn name(&self) -> String {
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
    fn exhausted(&self, all_at_me: bool) -> bool {
        let usable = self.qualifiers.len() - usize::from(self.at_me && all_at_me);
        self.used >= usable
    }
}

/// One element of a path.
#[derive(Debug, Clone)]
enum Seg {
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
    fn word(&self) -> String {
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

fn segments(path: &str, op: &Op) -> Vec<Seg> {
    let raw: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let mut out: Vec<Seg> = Vec::new();
    let last = raw.len().saturating_sub(1);
    for (i, s) in raw.iter().enumerate() {
        if s.starts_with('{') {
            if let Some(Seg::Name { keyed, .. } | Seg::Cast { keyed, .. }) = out.last_mut() {
                *keyed = true;
            }
            continue;
        }
        match *s {
            "$count" => {
                out.push(Seg::Count);
                continue;
            }
            "$ref" => {
                out.push(Seg::Ref);
                continue;
            }
            "$value" => {
                out.push(Seg::Value);
                continue;
            }
            _ => {}
        }
        let (namespaced, bare) = match s.strip_prefix("microsoft.graph.") {
            Some(rest) => (true, rest),
            None => (false, *s),
        };
        if let Some((name, args)) = bare.split_once('(') {
            let args = args.trim_end_matches(')').trim_matches('\'');
            let key_only =
                args.starts_with('{') && args.ends_with('}') && !args.contains(['=', ',']);
            if key_only && !namespaced {
                out.push(Seg::Name {
                    snake: snake(name),
                    keyed: true,
                });
            } else {
                out.push(Seg::Call(snake(name)));
            }
            continue;
        }
        let at_end = i == last;
        if namespaced {
            if at_end && op.method != "get" {
                out.push(Seg::Call(snake(bare)));
            } else {
                out.push(Seg::Cast {
                    snake: snake(bare),
                    keyed: false,
                });
            }
            continue;
        }
        // An un-namespaced action (hand-written descriptions write `/me/sendMail`).
        let after_item_or_root = i == 0
            || raw[i - 1].starts_with('{')
            || raw[i - 1].ends_with(')')
            || (i == 1 && raw[0] == "me");
        if at_end && op.method == "post" && op.action_hint && after_item_or_root {
            out.push(Seg::Call(snake(bare)));
            continue;
        }
        out.push(Seg::Name {
            snake: snake(bare),
            keyed: false,
        });
    }
    out
}

/// The mechanical name parts of one operation (`relative` is rooted at `/me` for twins).
fn shape(relative: &str, op: &Op) -> Shape {
    let mut segs = segments(relative, op);
    let params = relative.matches('{').count();
    // `/me/...`: `me` is the root, not a noun; it qualifies as `my`, after every other segment
    // (`/me/chats` next to `/chats` is `list_my_chats`). `/me` alone is the noun.
    let at_me = segs.len() > 1
        && matches!(&segs[0], Seg::Name { snake, keyed: false } if snake == "me")
        && relative.starts_with("/me/");
    if at_me {
        segs.remove(0);
    }
    let verb = |collection_verb: &str| -> String {
        match op.method.as_str() {
            "get" => collection_verb.to_string(),
            "post" => "create".into(),
            "patch" => "update".into(),
            "put" => "set".into(),
            "delete" => "delete".into(),
            other => other.to_string(),
        }
    };
    let empty = Shape {
        head: verb("get"),
        qualifiers: Vec::new(),
        noun: "root".into(),
        used: 0,
        params,
        path: relative.to_string(),
        suffix: String::new(),
        at_me: false,
    };
    let Some(last) = segs.last().cloned() else {
        return empty;
    };
    let mut rest = segs[..segs.len() - 1].to_vec();
    let (head, noun) = match &last {
        Seg::Call(name) => {
            let noun = rest.pop().map(|s| subject_word(&s, &mut rest));
            (name.clone(), noun.unwrap_or_default())
        }
        Seg::Count => {
            let noun = rest
                .pop()
                .map(|s| subject_word(&s, &mut rest))
                .unwrap_or_default();
            ("count".to_string(), noun)
        }
        Seg::Ref | Seg::Value => {
            let target = rest.pop();
            let keyed = matches!(
                target,
                Some(Seg::Name { keyed: true, .. } | Seg::Cast { keyed: true, .. })
            );
            let word = target
                .map(|s| subject_word(&s, &mut rest))
                .unwrap_or_default();
            let plural_list = op.method == "get" && !keyed && matches!(last, Seg::Ref);
            let (head, noun) = match (&last, op.method.as_str()) {
                (Seg::Ref, "get") if plural_list && op.collection => {
                    ("list".to_string(), format!("{}_refs", singular(&word)))
                }
                (Seg::Ref, "post") => ("add".to_string(), format!("{}_ref", singular(&word))),
                (Seg::Ref, _) => (verb("get"), format!("{word}_ref")),
                _ => (verb("get"), format!("{word}_content")),
            };
            (head, noun)
        }
        Seg::Name { snake, keyed } | Seg::Cast { snake, keyed } => {
            let is_cast = matches!(last, Seg::Cast { .. });
            let base = if is_cast {
                let cast_of = rest.pop().map(|s| s.word()).unwrap_or_default();
                if cast_of.is_empty() {
                    snake.clone()
                } else {
                    format!("{cast_of}_as_{}", snake)
                }
            } else {
                snake.clone()
            };
            if *keyed {
                let noun = if is_cast { base } else { singular(&base) };
                (verb("get"), noun)
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
                (verb("get"), base)
            }
        }
    };
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

/// Settles clashes between mechanical names (and against the `fixed` explicit names).
fn resolve(
    shapes: &mut BTreeMap<(String, String), Shape>,
    blocked: &dyn Fn(&(String, String), &str) -> bool,
    notes: &mut Vec<String>,
) {
    for _round in 0..64 {
        let mut by_name: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (key, shape) in shapes.iter() {
            by_name.entry(shape.name()).or_default().push(key.clone());
        }
        let mut changed = false;
        for (name, keys) in &by_name {
            let clash_fixed = keys.iter().any(|k| blocked(k, name));
            if keys.len() < 2 && !clash_fixed {
                continue;
            }
            let all_at_me = keys.iter().all(|k| shapes[k].at_me);
            let open: Vec<&(String, String)> = keys
                .iter()
                .filter(|k| !shapes[*k].exhausted(all_at_me))
                .collect();
            if !open.is_empty() {
                for key in open {
                    if let Some(s) = shapes.get_mut(key) {
                        s.used += 1;
                    }
                }
                changed = true;
                continue;
            }
            // Every one is used up: the first (fewest parameters, then path) keeps the name
            // unless an explicit rename holds it.
            let mut order: Vec<&(String, String)> = keys.iter().collect();
            order.sort_by_key(|k| (shapes[*k].params, shapes[*k].path.clone(), k.0.clone()));
            let keep_first = !clash_fixed;
            let first_params = shapes[order[0]].params;
            for (i, key) in order.iter().enumerate() {
                if i == 0 && keep_first {
                    continue;
                }
                let shape = shapes.get_mut(*key).expect("key from the map");
                shape.suffix = if shape.suffix.is_empty() && shape.params > first_params {
                    "_by_id".to_string()
                } else {
                    format!("{}_{}", shape.suffix, i + 1)
                };
                notes.push(format!(
                    "names: {} {} and others would be `{name}`; it is named `{}`",
                    key.0.to_uppercase(),
                    key.1,
                    shape.name()
                ));
            }
            changed = true;
        }
        if !changed {
            return;
        }
    }
}

/// `childFolders` → `child_folders`; `microsoft.graph` prefix and non-identifier characters go.
fn snake(segment: &str) -> String {
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

fn is_keyword(name: &str) -> bool {
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

/// Gives every repeated operationId a distinct id (the key explicit renames use): the path
/// parameters the first user lacks (`…_by_calendar`), else a counter.
fn dedupe(ops: &[Op]) -> Vec<String> {
    let mut first: BTreeMap<&str, &Op> = BTreeMap::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::with_capacity(ops.len());
    for op in ops {
        let Some(original) = first.get(op.id.as_str()) else {
            first.insert(&op.id, op);
            used.insert(op.id.clone());
            out.push(op.id.clone());
            continue;
        };
        let theirs = path_params(&original.path);
        let extra: Vec<String> = path_params(&op.path)
            .into_iter()
            .filter(|p| !theirs.contains(p))
            .map(|p| p.trim_end_matches("-id").to_string())
            .collect();
        let mut candidate = if extra.is_empty() {
            format!("{}_2", op.id)
        } else {
            format!("{}_by_{}", op.id, extra.join("_and_"))
        };
        let mut n = 2;
        while used.contains(&candidate) {
            n += 1;
            candidate = format!("{}_{n}", op.id);
        }
        used.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}'))
        .map(|(p, _)| p.to_string())
        .collect()
}
