//! Accessors on the family enums for the fields all their variants share, and their
//! `ODataEntity` impls.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::emit::other_ident;
use super::{Family, families};

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

/// The accessors and the `ODataEntity` impl of one family, given each variant's fields
/// (`(name, type)`, in the order of the base's struct).
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
    let Some(first) = variants.first() else {
        return Vec::new();
    };
    let methods: Vec<TokenStream> = first
        .iter()
        .filter(|(name, ty)| shared_field(name, ty, &variants[1..], std_types_only))
        .filter_map(|(name, ty)| accessor(name, ty, &idents))
        .collect();
    let name = format_ident!("{}", family.name);
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
        out.push(entity_impl(family, &name, &idents, runtime));
    }
    out
}

/// Whether the base's field `name: ty` gets an accessor: every other variant has it with the
/// same type, it is not `extra` or `odata_type`, and (`std_types_only`) its type is a std one.
fn shared_field(
    name: &str,
    ty: &str,
    others: &[Vec<(String, String)>],
    std_types_only: bool,
) -> bool {
    !(matches!(name, "extra" | "odata_type")
        || (std_types_only && !std_type(ty))
        || others
            .iter()
            .any(|fields| !fields.iter().any(|(n, t)| n == name && t == ty)))
}

/// `pub fn name(&self) -> Option<&T>` over the known variants (`idents`); `None` when the field
/// name or type does not parse.
fn accessor(name: &str, ty: &str, idents: &[syn::Ident]) -> Option<TokenStream> {
    let (Ok(ident), Ok(ty)) = (
        syn::parse_str::<syn::Ident>(name),
        syn::parse_str::<syn::Type>(ty),
    ) else {
        return None;
    };
    let (ret, access) = match option_inner(&ty) {
        Some(inner) => (quote!(#inner), quote!(value.#ident.as_ref())),
        None => (
            quote!(#ty),
            quote!(::std::option::Option::Some(&value.#ident)),
        ),
    };
    let doc = format!("`{name}` of any known variant; `None` for other types.");
    Some(quote! {
        #[doc = #doc]
        pub fn #ident(&self) -> ::std::option::Option<&#ret> {
            match self {
                #( Self::#idents(value) => #access, )*
                _ => ::std::option::Option::None,
            }
        }
    })
}

/// `ODataEntity` for the family enum: the annotations of whichever variant it holds.
fn entity_impl(
    family: &Family,
    name: &syn::Ident,
    idents: &[syn::Ident],
    runtime: &syn::Path,
) -> syn::Item {
    let other = other_ident(family);
    syn::parse_quote! {
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
