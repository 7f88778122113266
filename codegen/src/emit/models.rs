//! The `types` module: typify run on the normalised `components/schemas`, with the hand-written
//! error types and the common module's shared types swapped in (see [`Replacements`]).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use typify::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

use super::schema;
use crate::passes::walk;
use crate::shared_type::SharedImpl;
use crate::{Error, Options};

/// Types typify must not generate, by typify's type name: the Rust path to use instead and the
/// traits it implements (typify needs them for the types that contain it).
/// Shared types are re-exported from the `types` module, so operations still name them
/// `types::Name`.
#[derive(Debug, Clone, Default)]
pub struct Replacements {
    /// Type name → (path, impls).
    pub types: BTreeMap<String, (String, Vec<TypeSpaceImpl>)>,
    /// Schema keys of the types that live in (or are re-exported by) the `types` module: the
    /// shared types and the items of [`crate::Additions`].
    pub shared: BTreeSet<String>,
}

impl Replacements {
    /// Registers `path` for the schema `key`.
    pub fn insert(&mut self, key: &str, path: &str, impls: Vec<TypeSpaceImpl>) {
        self.types
            .insert(walk::type_name(key), (path.to_string(), impls));
    }

    /// Registers `name`, an item emitted into the `types` module, for the schema `key`.
    pub fn insert_local(&mut self, key: &str, name: &str, impls: Vec<TypeSpaceImpl>) {
        self.insert(key, name, impls);
        self.shared.insert(key.to_string());
    }

    /// Whether the schema `key` has a type registered in its place.
    pub fn replaces(&self, key: &str) -> bool {
        self.types.contains_key(&walk::type_name(key))
    }

    /// The path operations use for the type named `type_name` when it is not `types::<name>`.
    pub fn path(&self, type_name: &str) -> Option<&str> {
        if self
            .shared
            .iter()
            .any(|key| walk::type_name(key) == type_name)
        {
            return None;
        }
        self.types.get(type_name).map(|(path, _)| path.as_str())
    }
}

/// The error types and shared types of [`Options`] that `doc` contains.
pub fn replacements(doc: &Value, opts: &Options) -> Result<Replacements, Error> {
    let mut out = Replacements::default();
    check_path(&opts.graph_error_type)?;
    if let Some(key) = error_schema(doc, "ODataErrors.MainError") {
        out.insert(&key, &opts.graph_error_type, vec![TypeSpaceImpl::Default]);
    }
    if let (Some(envelope), Some(key)) = (
        &opts.error_envelope_type,
        error_schema(doc, "ODataErrors.ODataError"),
    ) {
        check_path(envelope)?;
        out.insert(&key, envelope, Vec::new());
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (key, shared) in &opts.shared_types {
        if schemas.is_some_and(|s| s.contains_key(key)) {
            check_path(&shared.path)?;
            let impls = shared
                .impls
                .iter()
                .map(|i| match i {
                    SharedImpl::Display => TypeSpaceImpl::Display,
                    SharedImpl::FromStr => TypeSpaceImpl::FromStr,
                    SharedImpl::Default => TypeSpaceImpl::Default,
                })
                .collect();
            out.insert(key, &shared.path, impls);
            out.shared.insert(key.clone());
        }
    }
    Ok(out)
}

fn check_path(path: &str) -> Result<(), Error> {
    syn::parse_str::<syn::Path>(path)
        .map(|_| ())
        .map_err(|e| Error::Option(format!("`{path}` is not a type path: {e}")))
}

/// The component schema key ending in `suffix`, if any.
pub fn error_schema(doc: &Value, suffix: &str) -> Option<String> {
    doc.pointer("/components/schemas")?
        .as_object()?
        .keys()
        .find(|k| k.ends_with(suffix))
        .cloned()
}

/// typify's items for every component schema (replaced ones excluded), as they go into the
/// `types` module.
pub fn generate(doc: &Value, replacements: &Replacements) -> Result<Vec<syn::Item>, Error> {
    let mut settings = TypeSpaceSettings::default();
    settings.with_derive("PartialEq".to_string());
    // JSON Schema of every model when the generated code's crate enables its `schemars` feature
    // (schemars honours the serde renames, so the schema has the wire names).
    settings.with_attr(SCHEMARS_ATTR.to_string());
    for (name, (path, impls)) in &replacements.types {
        settings.with_replacement(name, path, impls.iter().cloned());
    }
    let mut schemas = Vec::new();
    if let Some(Value::Object(defs)) = doc.pointer("/components/schemas") {
        for (key, def) in defs {
            let converted = schema::to_json_schema(def)
                .map_err(|e| Error::Generate(format!("schema `{key}`: {e}")))?;
            schemas.push((key.clone(), converted));
        }
    }
    let tokens = std::panic::catch_unwind(move || {
        let mut space = TypeSpace::new(&settings);
        space.add_ref_types(schemas).map(|()| space.to_stream())
    })
    .map_err(|panic| Error::Generate(format!("typify panicked: {}", panic_text(&panic))))?
    .map_err(|e| Error::Generate(format!("typify: {e}")))?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| Error::Generate(format!("invalid Rust: {e}")))?;
    let mut items = file.items;
    items.push(schema_lookup(&items));
    Ok(items)
}

/// The attribute every typify model carries: `JsonSchema` behind the `schemars` feature.
pub const SCHEMARS_ATTR: &str =
    "#[cfg_attr(feature = \"schemars\", derive(::schemars::JsonSchema))]";

/// `json_schema(name)`: the JSON Schema (draft 2020-12) of the model named `name` (its Rust
/// name, which is its schema name) among `items`, behind the `schemars` feature.
fn schema_lookup(items: &[syn::Item]) -> syn::Item {
    let names: Vec<syn::Ident> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.clone()),
            syn::Item::Enum(e) => Some(e.ident.clone()),
            _ => None,
        })
        .collect();
    let texts = names.iter().map(|n| n.to_string());
    if names.is_empty() {
        return syn::parse_quote! {
            /// The JSON Schema of the model of this module named `name` (it has none).
            #[cfg(feature = "schemars")]
            pub fn json_schema(_name: &str) -> ::std::option::Option<::schemars::Schema> {
                ::std::option::Option::None
            }
        };
    }
    syn::parse_quote! {
        /// The JSON Schema (draft 2020-12) of the model of this module named `name`.
        #[cfg(feature = "schemars")]
        pub fn json_schema(name: &str) -> ::std::option::Option<::schemars::Schema> {
            let generator = ::schemars::generate::SchemaSettings::draft2020_12().into_generator();
            match name {
                #( #texts => ::std::option::Option::Some(generator.into_root_schema_for::<#names>()), )*
                _ => ::std::option::Option::None,
            }
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}
