//! Types shared by several descriptions of one protocol (`MicrosoftGraphRecipient` in mail and
//! calendar, …). [`find`] picks the component schemas whose normalised definitions are identical
//! in every description that has them (and that only refer to other shared schemas);
//! [`generate_common`] turns them into one `types` module, and each workload is then generated
//! with [`Options::shared_types`] so typify uses (and the workload re-exports) the common type
//! instead of emitting its own copy.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::emit::pages;
use crate::passes::walk;
use crate::shared_type::struct_fields;
use crate::{Error, Options, generate};

pub use crate::shared_type::{SharedImpl, SharedType};

/// The schemas chosen for sharing, by component key, plus why other candidates were not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedSchemas {
    /// Normalised definition of each shared schema, keyed by component name.
    pub schemas: BTreeMap<String, Value>,
    /// One line per schema found in two or more descriptions that is not shared, with the reason.
    pub notes: Vec<String>,
}

/// The generated common module.
#[derive(Debug, Clone)]
pub struct CommonOutput {
    /// Formatted Rust source: a `types` module and the `ODataEntity` impls of its entities.
    pub source: String,
    /// Component key → the type to use for it (feed into [`Options::shared_types`]).
    pub types: BTreeMap<String, SharedType>,
}

/// Picks the shared schemas from normalised descriptions (`(name, document)` pairs, as returned
/// by [`crate::normalise`]): those present in at least two with identical definitions, whose
/// references all point at shared schemas too. The error envelope schemas are left out (they
/// are replaced by hand-written types already). Deterministic for the same input.
pub fn find(docs: &[(&str, &Value)]) -> SharedSchemas {
    let mut seen: BTreeMap<&str, Vec<(&str, &Value)>> = BTreeMap::new();
    for (name, doc) in docs {
        let Some(schemas) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (key, schema) in schemas {
            seen.entry(key).or_default().push((name, schema));
        }
    }
    let mut out = SharedSchemas::default();
    for (key, defs) in &seen {
        if defs.len() < 2 || key.contains("ODataErrors.") {
            continue;
        }
        if defs.iter().all(|(_, schema)| *schema == defs[0].1) {
            out.schemas.insert(key.to_string(), defs[0].1.clone());
        } else {
            let users: Vec<&str> = defs.iter().map(|(name, _)| *name).collect();
            out.notes.push(format!(
                "{}: definitions differ between {}",
                walk::type_name(key),
                users.join(", ")
            ));
        }
    }
    // Keep only schemas whose references are all shared (to a fixpoint).
    loop {
        let unshared: Vec<(String, String)> = out
            .schemas
            .iter()
            .filter_map(|(key, schema)| {
                refs(schema)
                    .into_iter()
                    .find(|r| !out.schemas.contains_key(r))
                    .map(|r| (key.clone(), r))
            })
            .collect();
        if unshared.is_empty() {
            break;
        }
        for (key, target) in unshared {
            out.schemas.remove(&key);
            out.notes.push(format!(
                "{}: refers to {}, which is not shared",
                walk::type_name(&key),
                walk::type_name(&target)
            ));
        }
    }
    out.notes.sort();
    out
}

/// Schema names `value` refers to (`#/components/schemas/<name>`), any other `$ref` included as
/// its full text so it never counts as shared.
fn refs(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                for (key, item) in map {
                    match (key.as_str(), item) {
                        ("$ref", Value::String(r)) => {
                            out.insert(walk::schema_ref_name(r).unwrap_or(r).to_string());
                        }
                        _ => stack.push(item),
                    }
                }
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

/// Generates the common `types` module for `shared` (types named as in the workloads), with
/// `ODataEntity` impls when [`Options::runtime`] is set. `module_path` is where the module is
/// mounted (e.g. `crate::generated::common`); the returned [`SharedType`] paths start with it.
pub fn generate_common(
    shared: &SharedSchemas,
    module_path: &str,
    opts: &Options,
) -> Result<CommonOutput, Error> {
    let doc = serde_json::json!({
        "openapi": "3.0.1",
        "info": {"title": "common", "version": "v1.0"},
        "paths": {},
        "components": {"schemas": shared.schemas},
    });
    let file = generate::module_file(&doc, opts, &[], false)?;
    let names: BTreeSet<String> = pages::type_names(types_module(&file));
    let impls = impls_by_type(&file);
    let fields = fields_by_type(&file);
    let types = shared
        .schemas
        .keys()
        .filter_map(|key| {
            let name = walk::type_name(key);
            names.contains(&name).then(|| {
                let shared = SharedType {
                    path: format!("{module_path}::types::{name}"),
                    impls: impls.get(&name).cloned().unwrap_or_default(),
                    fields: fields.get(&name).cloned().unwrap_or_default(),
                };
                (key.clone(), shared)
            })
        })
        .collect();
    Ok(CommonOutput {
        source: generate::render(&file),
        types,
    })
}

/// The items of the file's `types` module.
fn types_module(file: &syn::File) -> &[syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .map(|(_, items)| items.as_slice())
        .unwrap_or_default()
}

/// The named fields of every struct of `types`, as `(field, type)` source text.
fn fields_by_type(file: &syn::File) -> BTreeMap<String, Vec<(String, String)>> {
    types_module(file)
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some((s.ident.to_string(), struct_fields(s))),
            _ => None,
        })
        .collect()
}

/// `Display`, `FromStr` and `Default` impls (written out or derived) per type of `types`.
fn impls_by_type(file: &syn::File) -> BTreeMap<String, BTreeSet<SharedImpl>> {
    let mut out: BTreeMap<String, BTreeSet<SharedImpl>> = BTreeMap::new();
    for item in types_module(file) {
        match item {
            syn::Item::Impl(i) => {
                let (Some((_, trait_, _)), syn::Type::Path(ty)) = (&i.trait_, &*i.self_ty) else {
                    continue;
                };
                let (Some(trait_name), Some(ty)) = (trait_.segments.last(), ty.path.get_ident())
                else {
                    continue;
                };
                let found = match trait_name.ident.to_string().as_str() {
                    "Display" => SharedImpl::Display,
                    "FromStr" => SharedImpl::FromStr,
                    "Default" => SharedImpl::Default,
                    _ => continue,
                };
                out.entry(ty.to_string()).or_default().insert(found);
            }
            syn::Item::Struct(s) if derives_default(&s.attrs) => {
                out.entry(s.ident.to_string())
                    .or_default()
                    .insert(SharedImpl::Default);
            }
            syn::Item::Enum(e) if derives_default(&e.attrs) => {
                out.entry(e.ident.to_string())
                    .or_default()
                    .insert(SharedImpl::Default);
            }
            _ => {}
        }
    }
    out
}

fn derives_default(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("derive")
            && attr
                .parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                )
                .is_ok_and(|paths| {
                    paths
                        .iter()
                        .any(|p| p.segments.last().is_some_and(|s| s.ident == "Default"))
                })
    })
}
