//! Operation names. progenitor names each method after its operationId in snake_case, and Graph
//! ids are long (`user.contactFolder.childFolder_ListContact`). Before generation this module
//! * gives repeated operationIds (Calendar.yml reuses 72) distinct names,
//! * applies the explicit renames from `spec/operations.toml`,
//! * shortens the rest mechanically: a leading `me` entity segment is dropped when the result
//!   stays unique, then a leading `user` segment likewise (so `/me/...` gets the short names),
//! * and fails with a readable message if two operations would still share a Rust name.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;
use serde_json::Value;

use crate::Error;
use crate::passes::walk;

/// Extension key that keeps the description's operationId after renaming.
pub const ORIGINAL_ID: &str = "x-o365-operation-id";

/// The Rust method name progenitor derives from an operationId.
pub fn method_name(operation_id: &str) -> String {
    let cleaned: String = operation_id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    cleaned.to_snake_case()
}

/// Parses `spec/operations.toml`: one table per description (keyed by its path under `spec/`,
/// e.g. `["graph/v1.0/mail.yaml"]`) mapping operationIds to Rust method names. Returns the
/// table for `section` (empty when absent).
pub fn load_renames(toml_text: &str, section: &str) -> Result<BTreeMap<String, String>, Error> {
    let table: BTreeMap<String, BTreeMap<String, String>> =
        toml::from_str(toml_text).map_err(|e| Error::Parse(format!("operations.toml: {e}")))?;
    Ok(table.get(section).cloned().unwrap_or_default())
}

struct Op {
    path: String,
    method: String,
    id: String,
}

/// Renames every operation in place (the original id is kept under [`ORIGINAL_ID`]).
pub fn apply(doc: &mut Value, renames: &BTreeMap<String, String>) -> Result<(), Error> {
    let mut ops = Vec::new();
    walk::for_each_operation(doc, &mut |path, method, op| {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        ops.push(Op {
            path: path.to_string(),
            method: method.to_string(),
            id,
        });
    });
    let unique_ids = dedupe(&ops);
    let mut names: Vec<String> = unique_ids
        .iter()
        .map(|id| renames.get(id).cloned().unwrap_or_else(|| method_name(id)))
        .collect();
    for entity in ["me", "user"] {
        for i in 0..ops.len() {
            if renames.contains_key(&unique_ids[i]) {
                continue;
            }
            let Some(short) = strip_entity(&unique_ids[i], entity) else {
                continue;
            };
            let short = method_name(&short);
            if !names.iter().enumerate().any(|(j, n)| j != i && *n == short) {
                names[i] = short;
            }
        }
    }
    check_collisions(&ops, &names)?;
    let mut index = 0;
    walk::for_each_operation(doc, &mut |_, _, op| {
        let original = op.get("operationId").cloned().unwrap_or(Value::Null);
        op.insert(ORIGINAL_ID.into(), original);
        op.insert("operationId".into(), Value::String(names[index].clone()));
        index += 1;
    });
    Ok(())
}

/// Gives every repeated operationId a distinct id: the path parameters the first user lacks
/// (`…_by_calendar`), else a counter.
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

/// `me.mailFolder_ListMessage` → `mailFolder_ListMessage`; `me_ListMessage` → `ListMessage`.
fn strip_entity(id: &str, entity: &str) -> Option<String> {
    let rest = id.strip_prefix(entity)?;
    let rest = rest.strip_prefix('.').or_else(|| rest.strip_prefix('_'))?;
    (!rest.is_empty()).then(|| rest.to_string())
}

fn check_collisions(ops: &[Op], names: &[String]) -> Result<(), Error> {
    let mut by_name: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (op, name) in ops.iter().zip(names) {
        by_name.entry(name).or_default().push(format!(
            "{} {} (operationId `{}`)",
            op.method.to_uppercase(),
            op.path,
            op.id
        ));
    }
    let clashes: Vec<String> = by_name
        .into_iter()
        .filter(|(_, users)| users.len() > 1)
        .map(|(name, users)| {
            format!(
                "method `{name}` would be generated for: {}",
                users.join("; ")
            )
        })
        .collect();
    if clashes.is_empty() {
        Ok(())
    } else {
        Err(Error::NameCollision(clashes.join("\n")))
    }
}
