//! `BODY_OPERATIONS`: every operation of the module that takes a JSON body, with the model that
//! body is, so the runtime can check a body file (or an emulated request) against the model's
//! JSON Schema by method name or by HTTP method and path. Compiled with the `schemars` feature
//! only, like the models' `JsonSchema` derives.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::models::Replacements;
use super::operation::Operation;
use super::types::of_schema;
use crate::passes::walk;

/// The table entry of `operation`, when it has a JSON body of a known type.
pub fn entry(
    doc: &Value,
    operation: &Operation<'_>,
    replacements: &Replacements,
    runtime: &syn::Path,
) -> Option<TokenStream> {
    let body = walk::resolve(doc, operation.op.get("requestBody")?);
    let (_, media) = body
        .get("content")?
        .as_object()?
        .iter()
        .find(|(media_type, _)| media_type.contains("json"))?;
    let ty = of_schema(media.get("schema")?, replacements)?.tokens;
    let name = operation.op.get("operationId")?.as_str()?;
    let method = operation.method.to_uppercase();
    let path = operation.path;
    let body_type = ty
        .to_string()
        .rsplit("::")
        .next()
        .unwrap_or_default()
        .replace(' ', "");
    Some(quote! {
        #runtime::schema::Operation::new(#name, #method, #path, #body_type, #runtime::schema::of::<#ty>)
    })
}

/// The `BODY_OPERATIONS` constant made of `entries`.
pub fn table(entries: &[TokenStream], runtime: &syn::Path) -> TokenStream {
    quote! {
        /// The operations of this module that take a JSON body, with the body's model: what
        /// `schema::operation` and the emulator check bodies against.
        #[cfg(feature = "schemars")]
        pub const BODY_OPERATIONS: &[#runtime::schema::Operation] = &[#(#entries),*];
    }
}
