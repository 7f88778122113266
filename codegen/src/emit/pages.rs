//! Runtime impls for the models: `typed::CollectionPage` for every collection page (a `value`
//! array next to `@odata.nextLink` or `@odata.deltaLink`), so `.stream()` yields typed items, and
//! `odata::ODataEntity` for every struct with a flattened `extra` map (`etag()`, …).

use std::collections::BTreeSet;

use quote::format_ident;
use serde_json::Value;

use super::models::Replacements;
use super::types::of_schema;
use crate::passes::walk;

/// Names of the structs and enums among `items`, re-exported (`pub use`) ones included.
pub fn type_names(items: &[syn::Item]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            syn::Item::Enum(e) => Some(e.ident.to_string()),
            syn::Item::Use(u) => used_name(&u.tree),
            _ => None,
        })
        .collect()
}

fn used_name(tree: &syn::UseTree) -> Option<String> {
    match tree {
        syn::UseTree::Path(p) => used_name(&p.tree),
        syn::UseTree::Name(n) => Some(n.ident.to_string()),
        _ => None,
    }
}

/// `impl CollectionPage` for every schema of `doc` that is a page and whose struct is among
/// `items` (generated here, not re-exported).
pub fn collection_impls(
    doc: &Value,
    items: &[syn::Item],
    replacements: &Replacements,
    runtime: &syn::Path,
) -> Vec<syn::Item> {
    let structs: BTreeSet<String> = items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, schema) in schemas {
        let name = walk::type_name(key);
        if !structs.contains(&name) {
            continue;
        }
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let is_page = props.keys().any(|k| {
            let k = k.to_ascii_lowercase();
            k == "@odata.nextlink" || k == "@odata.deltalink"
        });
        let value = props
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("value"))
            .map(|(_, v)| v);
        let (true, Some(value)) = (is_page, value) else {
            continue;
        };
        let Some(items) = value.get("items") else {
            continue;
        };
        let Some(item) = of_schema(items, replacements) else {
            continue;
        };
        let item = if item.nullable {
            let t = item.tokens;
            quote::quote!(::std::option::Option<#t>)
        } else {
            item.tokens
        };
        let ident = format_ident!("{name}");
        out.push(syn::parse_quote! {
            impl #runtime::typed::CollectionPage for types::#ident {
                type Item = #item;
            }
        });
    }
    out
}

/// `impl ODataEntity` for every struct with a flattened `extra` JSON map.
pub fn entity_impls(items: &[syn::Item], runtime: &syn::Path) -> Vec<syn::Item> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if has_extra_map(s) => Some(&s.ident),
            _ => None,
        })
        .map(|ident| {
            syn::parse_quote! {
                impl #runtime::odata::ODataEntity for types::#ident {
                    fn annotations(&self) -> &::serde_json::Map<::std::string::String, ::serde_json::Value> {
                        &self.extra
                    }
                }
            }
        })
        .collect()
}

fn has_extra_map(s: &syn::ItemStruct) -> bool {
    s.fields.iter().any(|f| {
        f.ident.as_ref().is_some_and(|i| i == "extra")
            && matches!(&f.ty, syn::Type::Path(p)
                if p.path.segments.iter().map(|s| s.ident.to_string()).collect::<Vec<_>>()
                    == ["serde_json", "Map"])
    })
}
