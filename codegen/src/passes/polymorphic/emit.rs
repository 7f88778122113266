//! The enum of each family and its impls: decoding by `@odata.type` (through the runtime's
//! `typed::polymorphic`), serialising with the variant's `@odata.type`, `From` each variant, and
//! a JSON Schema with the `schemars` feature.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::{Family, families};

/// The enums (and their impls) of every family, for the module holding the typify types.
/// `runtime` is the path of the o365 crate (`crate` inside it).
pub fn emit(doc: &Value, runtime: &syn::Path) -> Vec<syn::Item> {
    families(doc)
        .iter()
        .flat_map(|family| emit_family(family, runtime))
        .collect()
}

/// One family's enum and impls, in the order the generated module has them.
fn emit_family(family: &Family, runtime: &syn::Path) -> Vec<syn::Item> {
    let parts = Parts::new(family, runtime);
    let mut items = vec![
        enum_item(&parts),
        family_impl(&parts),
        deserialize_impl(&parts),
        serialize_impl(&parts),
        odata_type_impl(&parts),
    ];
    items.extend(from_impls(&parts));
    items.push(schema_impl(&parts));
    items
}

/// The names and tokens one family's items are written from.
struct Parts<'a> {
    family: &'a Family,
    /// The o365 crate.
    runtime: &'a syn::Path,
    /// Its `typed::polymorphic` module.
    rt: TokenStream,
    /// The enum.
    name: syn::Ident,
    /// The variant keeping unknown types.
    other: syn::Ident,
    /// The known variants, the base first.
    idents: Vec<syn::Ident>,
    /// Their payload types (boxed where needed).
    types: Vec<TokenStream>,
    /// Their `@odata.type` values.
    odata: Vec<&'a str>,
}

impl<'a> Parts<'a> {
    fn new(family: &'a Family, runtime: &'a syn::Path) -> Self {
        let idents: Vec<syn::Ident> = family
            .variants
            .iter()
            .map(|v| format_ident!("{}", v.type_name))
            .collect();
        let types = family
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
        Parts {
            family,
            runtime,
            rt: quote!(#runtime::typed::polymorphic),
            name: format_ident!("{}", family.name),
            other: other_ident(family),
            idents,
            types,
            odata: family
                .variants
                .iter()
                .map(|v| v.odata_type.as_str())
                .collect(),
        }
    }
}

/// `pub enum AnyX { X(X), Derived(Derived), …, Other(Value) }`, each variant documented with
/// its `@odata.type`.
fn enum_item(parts: &Parts<'_>) -> syn::Item {
    let (name, other, idents, types) = (&parts.name, &parts.other, &parts.idents, &parts.types);
    let docs = parts.odata.iter().map(|t| format!("`@odata.type` `{t}`."));
    let enum_doc = format!(
        "[`{}`] or a type derived from it, chosen by `@odata.type`; `{other}` keeps an object of any other type whole.",
        parts.family.variants[0].type_name
    );
    syn::parse_quote! {
        #[doc = #enum_doc]
        #[derive(Clone, Debug, PartialEq)]
        pub enum #name {
            #( #[doc = #docs] #idents(#types), )*
            /// An object whose `@odata.type` is not one of the above, as received.
            #other(::serde_json::Value),
        }
    }
}

/// The runtime's `Family` impl: the known `@odata.type`s and how to decode each; an object
/// without a known one decodes as the base.
fn family_impl(parts: &Parts<'_>) -> syn::Item {
    let (rt, name, other) = (&parts.rt, &parts.name, &parts.other);
    let (idents, odata) = (&parts.idents, &parts.odata);
    let base = &idents[0];
    let decode_arms = idents.iter().enumerate().skip(1).map(
        |(i, ident)| quote!(#i => Self::#ident(::serde::Deserialize::deserialize(deserializer)?),),
    );
    syn::parse_quote! {
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
    }
}

/// `Deserialize` through the runtime's one-pass decoder.
fn deserialize_impl(parts: &Parts<'_>) -> syn::Item {
    let (rt, name) = (&parts.rt, &parts.name);
    syn::parse_quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                #rt::deserialize(deserializer)
            }
        }
    }
}

/// `Serialize`: a derived variant with its `@odata.type`. The base type is what the property
/// declares: written as decoded (an `@odata.type` it carried stays in its `extra` map), never
/// with one added.
fn serialize_impl(parts: &Parts<'_>) -> syn::Item {
    let (rt, name, other) = (&parts.rt, &parts.name, &parts.other);
    let (idents, odata) = (&parts.idents, &parts.odata);
    let base = &idents[0];
    let derived_idents = &idents[1..];
    let derived_odata = &odata[1..];
    syn::parse_quote! {
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
    }
}

/// `fn odata_type(&self)`: the variant's `@odata.type` (for `Other`, the one it carries).
fn odata_type_impl(parts: &Parts<'_>) -> syn::Item {
    let (rt, name, other) = (&parts.rt, &parts.name, &parts.other);
    let (idents, odata) = (&parts.idents, &parts.odata);
    syn::parse_quote! {
        impl #name {
            /// The `@odata.type` of this value (for `Other`, the one it carries, if any).
            pub fn odata_type(&self) -> ::std::option::Option<&str> {
                match self {
                    #( Self::#idents(_) => ::std::option::Option::Some(#odata), )*
                    Self::#other(value) => #rt::other_type(value),
                }
            }
        }
    }
}

/// `From<Variant>` for each known variant (boxing where the variant is boxed).
fn from_impls<'p>(parts: &'p Parts<'_>) -> impl Iterator<Item = syn::Item> + 'p {
    let name = &parts.name;
    parts
        .idents
        .iter()
        .zip(&parts.family.variants)
        .map(move |(ident, v)| {
            let wrap = if v.boxed {
                quote!(Self::#ident(::std::boxed::Box::new(value)))
            } else {
                quote!(Self::#ident(value))
            };
            syn::parse_quote! {
                impl ::std::convert::From<#ident> for #name {
                    fn from(value: #ident) -> Self {
                        #wrap
                    }
                }
            }
        })
}

/// JSON Schema (with the `schemars` feature): `oneOf` the known variants (each pinned to its
/// `@odata.type`; the base also without one) and any object of another type.
fn schema_impl(parts: &Parts<'_>) -> syn::Item {
    let (runtime, rt, name, types) = (&parts.runtime, &parts.rt, &parts.name, &parts.types);
    let name_text = parts.family.name.as_str();
    syn::parse_quote! {
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
    }
}

/// The variant keeping unknown types: `Other`, or `OtherType` when a variant is named `Other`.
pub(super) fn other_ident(family: &Family) -> syn::Ident {
    if family.variants.iter().any(|v| v.type_name == "Other") {
        format_ident!("OtherType")
    } else {
        format_ident!("Other")
    }
}
