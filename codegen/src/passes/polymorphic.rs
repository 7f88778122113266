//! `polymorphic`: Graph's derived types (selected by `@odata.type`) as Rust enums.
//!
//! Runs before `flatten_allof`, while inheritance is still visible: a component whose `allOf`
//! refers to another component derives from it (as do the targets of a `discriminator.mapping`).
//! For every base that has derived types among the document's schemas (transitively) and that is
//! referenced directly (a property, an array item, a body or a response; not only as an `allOf`
//! parent), the pass adds a synthetic component next to it (`microsoft.graph.attachment` →
//! `microsoft.graph.anyAttachment`) carrying an `x-o365-polymorphic` extension with the
//! `@odata.type` and a `$ref` of each variant (so pruning keeps them and renames follow them),
//! and points the direct uses at it. PATCH request bodies keep the plain base type.
//! Only entity types (those deriving from `microsoft.graph.entity`, itself never a family) become
//! families: complex types such as `recipient` or `identity` do have derived types, but Graph
//! sends them without `@odata.type` where the base is declared, and an enum there would make
//! every e-mail address a `match`. Members of such a derived complex type land in the base's
//! `extra` map.
//!
//! The emitter side: [`families`] reads the synthetic components of a normalised document,
//! [`replacements`] names the types typify must not generate, and [`emit`] writes the enums.

use std::collections::{BTreeMap, BTreeSet};

use quote::{format_ident, quote};
use serde_json::{Map, Value, json};

use super::walk;

/// The extension key marking a synthetic family component.
pub const EXTENSION: &str = "x-o365-polymorphic";

const PREFIX: &str = "#/components/schemas/";

/// The root of Graph's entity types.
const ENTITY: &str = "microsoft.graph.entity";

/// Base key → its derived component keys (transitively, sorted), for every base that has any.
/// `entity` included; callers (such as `import`, to keep derived types) filter as they need.
pub fn derived_types(doc: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return BTreeMap::new();
    };
    let mut parents: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (key, schema) in schemas {
        if let Some(Value::Array(parts)) = schema.get("allOf") {
            for part in parts {
                if let Some(parent) = part
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(schema_key)
                    && schemas.contains_key(parent)
                    && parent != key
                {
                    parents.entry(key).or_default().insert(parent);
                }
            }
        }
    }
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for key in schemas.keys() {
        let mut stack: Vec<&str> = parents
            .get(key.as_str())
            .into_iter()
            .flatten()
            .copied()
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(parent) = stack.pop() {
            if !seen.insert(parent) {
                continue;
            }
            out.entry(parent.to_string())
                .or_default()
                .insert(key.clone());
            stack.extend(parents.get(parent).into_iter().flatten().copied());
        }
    }
    for (base, targets) in mappings(schemas) {
        for (_, target) in targets {
            if target != base && schemas.contains_key(&target) {
                out.entry(base.clone()).or_default().insert(target);
            }
        }
    }
    out
}

/// `discriminator.mapping` of each schema (on the schema or on one of its `allOf` parts):
/// base key → `(odata type, target key)`.
fn mappings(schemas: &Map<String, Value>) -> BTreeMap<String, Vec<(String, String)>> {
    let mut out: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (key, schema) in schemas {
        let parts = schema
            .get("allOf")
            .and_then(Value::as_array)
            .map(|p| p.iter().collect::<Vec<_>>())
            .unwrap_or_default();
        for holder in std::iter::once(schema).chain(parts) {
            let Some(mapping) = holder
                .pointer("/discriminator/mapping")
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (odata_type, target) in mapping {
                if let Some(target) = target.as_str().and_then(schema_key) {
                    out.entry(key.clone())
                        .or_default()
                        .push((odata_type.clone(), target.to_string()));
                }
            }
        }
    }
    out
}

fn schema_key(reference: &str) -> Option<&str> {
    reference.strip_prefix(PREFIX)
}

/// The synthetic key for `base`: `any` before the last dotted segment.
pub fn synthetic_key(base: &str) -> String {
    let (namespace, name) = match base.rsplit_once('.') {
        Some((ns, name)) => (format!("{ns}."), name),
        None => (String::new(), base),
    };
    let mut chars = name.chars();
    let upper: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    format!("{namespace}any{upper}")
}

/// The pass: adds the family components and rewrites the direct uses. Returns the number of
/// families added.
pub fn run(doc: &mut Value, notes: &mut Vec<String>) -> usize {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
    else {
        return 0;
    };
    let derived = derived_types(doc);
    let mapped = mappings(&schemas);
    let bases = family_bases(doc, &derived);
    let mut families: BTreeMap<String, String> = BTreeMap::new();
    for (base, members) in &derived {
        if !bases.contains(base) {
            continue;
        }
        let mut key = synthetic_key(base);
        while schemas.contains_key(&key) || families.values().any(|k| *k == key) {
            key.push('_');
        }
        let odata_type = |member: &str| {
            mapped
                .get(base)
                .and_then(|m| m.iter().find(|(_, t)| t == member))
                .map(|(t, _)| t.clone())
                .unwrap_or_else(|| format!("#{member}"))
        };
        let variants: Vec<Value> = std::iter::once(base)
            .chain(members.iter())
            .map(|member| json!({"odataType": odata_type(member), "schema": {"$ref": format!("{PREFIX}{member}")}}))
            .collect();
        // Without the enum replacement (older generators) typify sees an open object: a map
        // that keeps every member.
        let component = json!({"type": "object", "additionalProperties": {}, EXTENSION: {"variants": variants}});
        notes.push(format!(
            "polymorphic: `{key}` over `{base}` and {} derived type(s)",
            members.len()
        ));
        if let Some(Value::Object(all)) = doc.pointer_mut("/components/schemas") {
            all.insert(key.clone(), component);
        }
        families.insert(base.clone(), key);
    }
    if families.is_empty() {
        return 0;
    }
    rewrite_uses(doc, &families);
    families.len()
}

/// The bases that become families: entity types other than `entity` itself that have derived
/// types (`derived`, from [`derived_types`]) and are used directly (a property, an array item,
/// a body or a response; not only as an inheritance parent or a PATCH request body).
pub fn family_bases(doc: &Value, derived: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    let Some(entities) = derived.get(ENTITY) else {
        return BTreeSet::new();
    };
    let mut doc = doc.clone();
    let mut bases = BTreeSet::new();
    count_uses(&mut doc, &mut |key| {
        if entities.contains(key) && derived.contains_key(key) {
            bases.insert(key.to_string());
        }
    });
    bases
}

/// Calls `f` with the schema key of every direct use (not an inheritance parent, not inside a
/// family component, not a PATCH request body).
fn count_uses(doc: &mut Value, f: &mut dyn FnMut(&str)) {
    visit_uses(doc, &mut |reference: &mut Value| {
        if let Some(key) = reference.as_str().and_then(schema_key) {
            f(key);
        }
    });
}

fn rewrite_uses(doc: &mut Value, families: &BTreeMap<String, String>) {
    visit_uses(doc, &mut |reference: &mut Value| {
        if let Some(new) = reference
            .as_str()
            .and_then(schema_key)
            .and_then(|key| families.get(key))
        {
            *reference = Value::String(format!("{PREFIX}{new}"));
        }
    });
}

/// Visits (mutably) every `$ref` value that is a direct use.
fn visit_uses(doc: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    // PATCH request bodies keep the plain type: take them out while visiting.
    let mut patch_bodies: BTreeMap<String, Value> = BTreeMap::new();
    walk::for_each_operation(doc, &mut |path, method, op| {
        if method == "patch"
            && let Some(body) = op.remove("requestBody")
        {
            patch_bodies.insert(path.to_string(), body);
        }
    });
    if let Some(Value::Object(components)) = doc.get_mut("components") {
        for (kind, items) in components.iter_mut() {
            let Value::Object(items) = items else {
                continue;
            };
            for item in items.values_mut() {
                if kind == "schemas" {
                    if item.get(EXTENSION).is_some() {
                        continue;
                    }
                    component_schema(item, f);
                } else {
                    refs(item, f);
                }
            }
        }
    }
    if let Some(paths) = doc.get_mut("paths") {
        refs(paths, f);
    }
    walk::for_each_operation(doc, &mut |path, method, op| {
        if method == "patch"
            && let Some(body) = patch_bodies.remove(path)
        {
            op.insert("requestBody".into(), body);
        }
    });
}

/// A component schema: its inheritance `allOf` parents are not uses; everything else is.
fn component_schema(schema: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    let Value::Object(map) = schema else { return };
    let inheritance = match map.get("allOf") {
        Some(Value::Array(parts)) => {
            parts.len() > 1 || parts.iter().any(|p| p.get("$ref").is_none())
        }
        _ => false,
    };
    for (key, value) in map.iter_mut() {
        if key == "allOf" && inheritance {
            if let Value::Array(parts) = value {
                for part in parts.iter_mut().filter(|p| p.get("$ref").is_none()) {
                    refs(part, f);
                }
            }
        } else if key == "$ref" {
            f(value);
        } else if key != "discriminator" {
            refs(value, f);
        }
    }
}

fn refs(value: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "$ref" {
                    f(v);
                } else {
                    refs(v, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| refs(v, f)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Emitter
// ---------------------------------------------------------------------------------------------

/// One polymorphic enum of a normalised document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Component key of the synthetic schema.
    pub key: String,
    /// Rust name of the enum (typify's name for the key).
    pub name: String,
    /// Its variants, the base first.
    pub variants: Vec<Variant>,
}

/// One variant of a [`Family`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Component key of the variant's schema.
    pub key: String,
    /// Rust name of the variant's struct (and of the variant).
    pub type_name: String,
    /// `@odata.type` value, e.g. `#microsoft.graph.fileAttachment`.
    pub odata_type: String,
    /// Whether the variant holds a `Box` (the struct contains the enum by value).
    pub boxed: bool,
}

/// Whether `schema` is a `$ref` to a family component.
pub fn is_family(doc: &Value, schema: &Value) -> bool {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(schema_key)
        .and_then(|key| doc.pointer("/components/schemas")?.get(key))
        .is_some_and(|component| component.get(EXTENSION).is_some())
}

/// The families of a normalised document (after every pass), in key order.
pub fn families(doc: &Value) -> Vec<Family> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let edges = by_value_edges(schemas);
    let mut out = Vec::new();
    for (key, schema) in schemas {
        let Some(Value::Array(variants)) = schema.pointer(&format!("/{EXTENSION}/variants")) else {
            continue;
        };
        let variants = variants
            .iter()
            .filter_map(|v| {
                let target = schema_key(v.pointer("/schema/$ref")?.as_str()?)?;
                let odata_type = v.get("odataType")?.as_str()?.to_string();
                schemas.contains_key(target).then(|| Variant {
                    key: target.to_string(),
                    type_name: walk::type_name(target),
                    odata_type,
                    boxed: reaches(&edges, target, key),
                })
            })
            .collect();
        out.push(Family {
            key: key.clone(),
            name: walk::type_name(key),
            variants,
        });
    }
    out
}

/// `(typify type name, replacement path)` for every family: typify must use the emitted enum
/// (placed in the same module as its types) instead of generating the synthetic schema.
pub fn replacements(doc: &Value) -> Vec<(String, String)> {
    families(doc)
        .into_iter()
        .map(|f| (f.name.clone(), f.name))
        .collect()
}

/// Component → components it holds by value (not behind an array or a map).
fn by_value_edges(schemas: &Map<String, Value>) -> BTreeMap<&str, BTreeSet<&str>> {
    fn collect<'a>(value: &'a Value, out: &mut BTreeSet<&'a str>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("$ref", Value::String(r)) => {
                            if let Some(k) = schema_key(r) {
                                out.insert(k);
                            }
                        }
                        ("items" | "additionalProperties", _) => {}
                        _ => collect(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    schemas
        .iter()
        .map(|(key, schema)| {
            let mut out = BTreeSet::new();
            collect(schema, &mut out);
            (key.as_str(), out)
        })
        .collect()
}

fn reaches(edges: &BTreeMap<&str, BTreeSet<&str>>, from: &str, to: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = BTreeSet::new();
    while let Some(node) = stack.pop() {
        if !seen.insert(node) {
            continue;
        }
        for next in edges.get(node).into_iter().flatten() {
            if *next == to {
                return true;
            }
            stack.push(next);
        }
    }
    false
}

/// The enums (and their impls) of every family, for the module holding the typify types.
/// `runtime` is the path of the o365 crate (`crate` inside it).
pub fn emit(doc: &Value, runtime: &syn::Path) -> Vec<syn::Item> {
    families(doc)
        .iter()
        .flat_map(|family| emit_family(family, runtime))
        .collect()
}

fn emit_family(family: &Family, runtime: &syn::Path) -> Vec<syn::Item> {
    let rt = quote!(#runtime::typed::polymorphic);
    let name = format_ident!("{}", family.name);
    let other = other_ident(family);
    let idents: Vec<syn::Ident> = family
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.type_name))
        .collect();
    let types: Vec<proc_macro2::TokenStream> = family
        .variants
        .iter()
        .zip(&idents)
        .map(|(v, ident)| {
            if v.boxed {
                quote!(::std::boxed::Box<#ident>)
            } else {
                quote!(#ident)
            }
        })
        .collect();
    let odata: Vec<&str> = family
        .variants
        .iter()
        .map(|v| v.odata_type.as_str())
        .collect();
    let docs: Vec<String> = odata
        .iter()
        .map(|t| format!("`@odata.type` `{t}`."))
        .collect();
    let indices: Vec<usize> = (0..idents.len()).collect();
    // The base type is what the property declares: written as decoded (an `@odata.type` it
    // carried stays in its `extra` map), never with one added.
    let derived_idents = &idents[1..];
    let derived_odata = &odata[1..];
    let base = &idents[0];
    let name_text = family.name.as_str();
    let enum_doc = format!(
        "[`{}`] or a type derived from it, chosen by `@odata.type`; `{other}` keeps an object of any other type whole.",
        family.variants[0].type_name
    );
    let decode_arms = idents.iter().zip(&indices).skip(1).map(
        |(ident, i)| quote!(#i => Self::#ident(::serde::Deserialize::deserialize(deserializer)?),),
    );
    let from_impls = idents.iter().zip(&family.variants).map(|(ident, v)| {
        let wrap = if v.boxed {
            quote!(Self::#ident(::std::boxed::Box::new(value)))
        } else {
            quote!(Self::#ident(value))
        };
        quote! {
            impl ::std::convert::From<#ident> for #name {
                fn from(value: #ident) -> Self {
                    #wrap
                }
            }
        }
    });
    let file: syn::File = syn::parse_quote! {
        #[doc = #enum_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #( #[doc = #docs] #idents(#types), )*
            /// An object whose `@odata.type` is not one of the above, as received.
            #other(::serde_json::Value),
        }

        impl #rt::Family for #name {
            const TYPES: &'static [&'static str] = &[#(#odata),*];

            fn decode<'de, D: ::serde::Deserializer<'de>>(
                index: usize,
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                ::std::result::Result::Ok(match index {
                    #(#decode_arms)*
                    _ => Self::#base(::serde::Deserialize::deserialize(deserializer)?),
                })
            }

            fn other(value: ::serde_json::Value) -> Self {
                Self::#other(value)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                #rt::deserialize(deserializer)
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    Self::#base(value) => ::serde::Serialize::serialize(value, serializer),
                    #( Self::#derived_idents(value) => #rt::serialize(serializer, #derived_odata, value), )*
                    Self::#other(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl #name {
            /// The `@odata.type` of this value (for `Other`, the one it carries, if any).
            pub fn odata_type(&self) -> ::std::option::Option<&str> {
                match self {
                    #( Self::#idents(_) => ::std::option::Option::Some(#odata), )*
                    Self::#other(value) => #rt::other_type(value),
                }
            }
        }

        #(#from_impls)*

        // JSON Schema: `oneOf` the known variants (each pinned to its `@odata.type`; the base
        // also without one) and any object of another type.
        #[cfg(feature = "schemars")]
        impl ::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name_text)
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::concat!(::std::module_path!(), "::", #name_text))
            }

            fn json_schema(generator: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                let variants = ::std::vec![#( generator.subschema_for::<#types>(), )*];
                #runtime::schema::family_schema(<Self as #rt::Family>::TYPES, variants)
            }
        }
    };
    file.items
}

/// Accessors on each family enum for the fields every known variant shares (same name, same
/// type; derived structs carry their base's fields flattened): `message.subject()` instead of a
/// `match`. An `Option<T>` field gives `Option<&T>`, any other `T` gives `Option<&T>`; the
/// `Other` variant gives `None`. A variant may be a struct of this module (`items`) or a shared
/// type of the common module (`shared`, by schema key); with a shared variant, only fields of
/// std, chrono and uuid types qualify (other type paths are written relative to their module).
pub fn accessors(
    doc: &Value,
    items: &[syn::Item],
    shared: &BTreeMap<String, crate::shared_type::SharedType>,
    runtime: &syn::Path,
) -> Vec<syn::Item> {
    let local: BTreeMap<String, Vec<(String, String)>> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => {
                Some((s.ident.to_string(), crate::shared_type::struct_fields(s)))
            }
            _ => None,
        })
        .collect();
    families(doc)
        .iter()
        .filter_map(|family| {
            let mut any_shared = false;
            let variants = family
                .variants
                .iter()
                .map(|v| match local.get(&v.type_name) {
                    Some(fields) => Some(fields.clone()),
                    None => {
                        any_shared = true;
                        shared.get(&v.key).map(|s| s.fields.clone())
                    }
                })
                .collect::<Option<Vec<_>>>()?;
            Some(family_accessors(family, &variants, any_shared, runtime))
        })
        .flatten()
        .collect()
}

fn family_accessors(
    family: &Family,
    variants: &[Vec<(String, String)>],
    std_types_only: bool,
    runtime: &syn::Path,
) -> Vec<syn::Item> {
    let idents: Vec<syn::Ident> = family
        .variants
        .iter()
        .map(|v| format_ident!("{}", v.type_name))
        .collect();
    let mut methods = Vec::new();
    let Some(first) = variants.first() else {
        return Vec::new();
    };
    for (name, ty) in first {
        if matches!(name.as_str(), "extra" | "odata_type")
            || (std_types_only && !std_type(ty))
            || variants[1..]
                .iter()
                .any(|fields| !fields.iter().any(|(n, t)| n == name && t == ty))
        {
            continue;
        }
        let (Ok(ident), Ok(ty)) = (
            syn::parse_str::<syn::Ident>(name),
            syn::parse_str::<syn::Type>(ty),
        ) else {
            continue;
        };
        let (ret, access) = match option_inner(&ty) {
            Some(inner) => (quote!(#inner), quote!(value.#ident.as_ref())),
            None => (
                quote!(#ty),
                quote!(::std::option::Option::Some(&value.#ident)),
            ),
        };
        let doc = format!("`{name}` of any known variant; `None` for other types.");
        methods.push(quote! {
            #[doc = #doc]
            pub fn #ident(&self) -> ::std::option::Option<&#ret> {
                match self {
                    #( Self::#idents(value) => #access, )*
                    _ => ::std::option::Option::None,
                }
            }
        });
    }
    let name = format_ident!("{}", family.name);
    let other = other_ident(family);
    let mut out = Vec::new();
    if !methods.is_empty() {
        out.push(syn::parse_quote! {
            impl #name {
                #(#methods)*
            }
        });
    }
    // `@odata.etag` & co. of any variant (all open types keep them in `extra`).
    if variants
        .iter()
        .all(|fields| fields.iter().any(|(n, _)| n == "extra"))
    {
        out.push(syn::parse_quote! {
            impl #runtime::odata::ODataEntity for #name {
                fn annotations(&self) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
                    match self {
                        #( Self::#idents(value) => &value.extra, )*
                        Self::#other(value) => #runtime::typed::polymorphic::other_annotations(value),
                    }
                }

                fn odata_type(&self) -> ::std::option::Option<&str> {
                    #name::odata_type(self)
                }
            }
        });
    }
    out
}

/// The variant keeping unknown types: `Other`, or `OtherType` when a variant is named `Other`.
fn other_ident(family: &Family) -> syn::Ident {
    if family.variants.iter().any(|v| v.type_name == "Other") {
        format_ident!("OtherType")
    } else {
        format_ident!("Other")
    }
}

/// Whether a type's source text names only std, chrono, uuid and serde_json types.
fn std_type(ty: &str) -> bool {
    ty.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty())
        .all(|word| {
            matches!(
                word,
                "std"
                    | "option"
                    | "Option"
                    | "string"
                    | "String"
                    | "vec"
                    | "Vec"
                    | "boxed"
                    | "Box"
                    | "chrono"
                    | "DateTime"
                    | "Utc"
                    | "NaiveDate"
                    | "NaiveTime"
                    | "naive"
                    | "uuid"
                    | "Uuid"
                    | "serde_json"
                    | "Value"
                    | "bool"
                    | "i8"
                    | "i16"
                    | "i32"
                    | "i64"
                    | "u8"
                    | "u16"
                    | "u32"
                    | "u64"
                    | "f32"
                    | "f64"
            )
        })
}

/// `T` of an `Option<T>` type (typify writes `::std::option::Option<T>`).
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}
