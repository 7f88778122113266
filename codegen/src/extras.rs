//! Code added next to progenitor's output, written against the o365 runtime (`Options::runtime`):
//!
//! * per `x-ms-pageable` operation, `<method>_stream(path params, &query)`: the items of every
//!   page as a typed `odata::ItemStream`, built from the same URL as the positional method;
//! * per type with a flattened `extra` map, an `odata::ODataEntity` impl (`etag()`, …).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::Visit;

use crate::Pageable;

/// Appends the paging methods and entity impls to `file`. Returns notes for pageable operations
/// that got no stream method.
pub fn append(file: &mut syn::File, pageable: &[Pageable], runtime: &syn::Path) -> Vec<String> {
    let types = type_names(file);
    let mut notes = Vec::new();
    let mut methods = Vec::new();
    for op in pageable {
        match stream_method(file, op, &types, runtime) {
            Ok(method) => methods.push(method),
            Err(why) => notes.push(format!("{}: no stream method ({why})", op.method)),
        }
    }
    if !methods.is_empty() {
        file.items.push(syn::parse_quote! {
            impl Client {
                #(#methods)*
            }
        });
    }
    file.items.extend(entity_impls(file, runtime));
    notes
}

/// The items of the generated `types` module.
pub(crate) fn types_module(file: &syn::File) -> &[syn::Item] {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .map(|(_, items)| items.as_slice())
        .unwrap_or_default()
}

/// Names of the structs and enums of the `types` module, re-exported (`pub use`) ones included.
pub(crate) fn type_names(file: &syn::File) -> Vec<String> {
    types_module(file)
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

/// The positional method `name` of `impl Client`.
fn client_method<'f>(file: &'f syn::File, name: &str) -> Option<&'f syn::ImplItemFn> {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(i) if i.trait_.is_none() && is_client(&i.self_ty) => Some(i),
            _ => None,
        })
        .flat_map(|i| i.items.iter())
        .find_map(|item| match item {
            syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f),
            _ => None,
        })
}

fn is_client(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("Client"))
}

fn stream_method(
    file: &syn::File,
    op: &Pageable,
    types: &[String],
    runtime: &syn::Path,
) -> Result<TokenStream, String> {
    let item = op.item_type.as_deref().ok_or("item type unknown")?;
    if !types.iter().any(|t| t == item) {
        return Err(format!("item type {item} not generated"));
    }
    let method = client_method(file, &op.method).ok_or("no positional method")?;
    let url = method
        .block
        .stmts
        .iter()
        .find(|stmt| matches!(stmt, syn::Stmt::Local(l) if matches!(&l.pat, syn::Pat::Ident(p) if p.ident == "url")))
        .ok_or("no `let url` statement")?;
    let mut used = Idents::default();
    used.visit_stmt(url);
    let mut params = Vec::new();
    for input in &method.sig.inputs {
        let syn::FnArg::Typed(arg) = input else {
            continue;
        };
        let syn::Pat::Ident(name) = &*arg.pat else {
            return Err("unnamed parameter".into());
        };
        if used.0.contains(&name.ident) {
            params.push(arg.clone());
        } else if !is_option(&arg.ty) {
            return Err(format!(
                "required parameter `{}` is not in the path",
                name.ident
            ));
        }
    }
    let name = format_ident!("{}_stream", op.method);
    let item = format_ident!("{item}");
    let doc = format!(
        "The items of [`Client::{}`] across all pages (follows `@odata.nextLink`). `query` holds \
         the query options as name/value pairs, e.g. `&[(\"$top\", \"50\")]` or \
         `&query.params()?`.",
        op.method
    );
    Ok(quote! {
        #[doc = #doc]
        pub fn #name<'a, Q>(
            &'a self,
            #(#params,)*
            query: &Q,
        ) -> #runtime::Result<#runtime::odata::ItemStream<types::#item>>
        where
            Q: ::serde::Serialize + ?Sized,
        {
            #url
            ClientInfo::inner(self).items(&url, query, None)
        }
    })
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// Every identifier a syntax node mentions (macro arguments included).
#[derive(Default)]
struct Idents(Vec<syn::Ident>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_ident(&mut self, ident: &'ast syn::Ident) {
        self.0.push(ident.clone());
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        for token in mac.tokens.clone() {
            collect_idents(token, &mut self.0);
        }
    }
}

fn collect_idents(token: proc_macro2::TokenTree, out: &mut Vec<syn::Ident>) {
    match token {
        proc_macro2::TokenTree::Ident(i) => out.push(i),
        proc_macro2::TokenTree::Group(g) => {
            for t in g.stream() {
                collect_idents(t, out);
            }
        }
        _ => {}
    }
}

/// `impl ODataEntity` for every struct with a flattened `extra` JSON map.
fn entity_impls(file: &syn::File, runtime: &syn::Path) -> Vec<syn::Item> {
    types_module(file)
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
