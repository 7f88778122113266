//! The Rust type an operation uses for a (normalised, hoisted) body or response schema.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::hoist::single_ref;
use super::models::Replacements;
use crate::passes::walk;

/// A Rust type and how to name it in docs.
#[derive(Clone)]
pub struct RustType {
    /// The type (`types::Message`, `::std::string::String`, …).
    pub tokens: TokenStream,
    /// Its name for doc links (`types::Message`), `None` for std types.
    pub link: Option<String>,
    /// Whether the schema allows `null` (it is then wrapped in `Option` by the caller).
    pub nullable: bool,
}

impl RustType {
    fn std(tokens: TokenStream) -> RustType {
        RustType {
            tokens,
            link: None,
            nullable: false,
        }
    }
}

/// The type of a schema: named components become `types::Name` (or their replacement), JSON
/// scalars the std types, arrays `Vec`; anything else (inline objects left unnamed) `None`.
pub fn of_schema(schema: &Value, replacements: &Replacements) -> Option<RustType> {
    let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
    if let Some(key) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(walk::schema_ref_name)
        .or_else(|| single_ref(schema))
    {
        return Some(RustType {
            nullable,
            ..named(key, replacements)
        });
    }
    let ty = match schema.get("type").and_then(Value::as_str)? {
        "string" => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => RustType::std(quote!(::chrono::DateTime<::chrono::offset::Utc>)),
            _ => RustType::std(quote!(::std::string::String)),
        },
        "boolean" => RustType::std(quote!(bool)),
        "integer" => RustType::std(quote!(i64)),
        "number" => RustType::std(quote!(f64)),
        "array" => {
            let item = of_schema(schema.get("items")?, replacements)?;
            let inner = if item.nullable {
                let t = item.tokens;
                quote!(::std::option::Option<#t>)
            } else {
                item.tokens
            };
            RustType {
                tokens: quote!(::std::vec::Vec<#inner>),
                link: item.link,
                nullable: false,
            }
        }
        _ => return None,
    };
    Some(RustType { nullable, ..ty })
}

/// `types::<Name>` for a component schema key, or its replacement path.
pub fn named(key: &str, replacements: &Replacements) -> RustType {
    let name = walk::type_name(key);
    match replacements.path(&name) {
        Some(path) => {
            let path: syn::Path = syn::parse_str(path).unwrap_or_else(|_| syn::parse_quote!(X));
            RustType {
                tokens: quote!(#path),
                link: None,
                nullable: false,
            }
        }
        None => {
            let ident = format_ident!("{name}");
            RustType {
                tokens: quote!(types::#ident),
                link: Some(format!("types::{name}")),
                nullable: false,
            }
        }
    }
}
