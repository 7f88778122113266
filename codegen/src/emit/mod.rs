//! The generated module, written by o365-codegen itself on top of typify's models:
//!
//! * `types`: typify's structs and enums for the component schemas (see [`models`]), the shared
//!   and error types swapped in, plus `CollectionPage` and `ODataEntity` impls ([`pages`]);
//! * `Client`: one method per operation ([`operation`]) returning an o365 `typed::Request`.

pub mod hoist;
pub mod models;
pub mod operation;
pub mod operation_table;
pub mod pages;
pub mod schema;
pub mod types;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use crate::passes::walk;

/// Settings of one emitted module.
pub struct Module<'a> {
    /// Path of the o365 runtime (`crate` inside o365, `o365` elsewhere); `None` emits models
    /// only (no `Client`, no runtime impls).
    pub runtime: Option<&'a syn::Path>,
    /// Type of the `Client`'s connection (`crate::Connection`).
    pub connection: &'a syn::Path,
}

/// The `Client` struct and its methods, one per operation of `doc`, in description order, and
/// the table of the operations that take a JSON body.
pub fn client(
    doc: &Value,
    settings: &Module<'_>,
    replacements: &models::Replacements,
) -> TokenStream {
    let Some(runtime) = settings.runtime else {
        return TokenStream::new();
    };
    let mut methods = Vec::new();
    let mut body_operations = Vec::new();
    for_each_operation(doc, &mut |operation| {
        methods.push(operation::emit(doc, operation, replacements));
        body_operations.extend(operation_table::entry(
            doc,
            operation,
            replacements,
            runtime,
        ));
    });
    let client = client_struct(doc, runtime, settings.connection, &methods);
    let body_table = operation_table::table(&body_operations, runtime);
    quote! {
        #client
        #body_table
    }
}

/// Calls `f` with every operation of `doc`, in description order.
fn for_each_operation(doc: &Value, f: &mut dyn FnMut(&operation::Operation<'_>)) {
    let Some(Value::Object(paths)) = doc.get("paths") else {
        return;
    };
    for (path, item) in paths {
        let Value::Object(item) = item else { continue };
        let path_params: &[Value] = item
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice);
        for (method, op) in item {
            let (true, Value::Object(op)) = (walk::METHODS.contains(&method.as_str()), op) else {
                continue;
            };
            f(&operation::Operation {
                path,
                method,
                op,
                path_params,
            });
        }
    }
}

/// The runtime imports and `Client { connection }` with `methods`, documented from the
/// description's title.
fn client_struct(
    doc: &Value,
    runtime: &syn::Path,
    connection: &syn::Path,
    methods: &[TokenStream],
) -> TokenStream {
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let about = format!(
        " The operations of the `{title}` description: each method returns a typed \
         `Request`; refine it (OData options, `If-Match`, headers) and `.send()` or `.stream()` it."
    );
    quote! {
        #[allow(unused_imports)]
        use #runtime::typed::{
            Collection, NoContent, Patch, Plain, Request, Single, date_time, encode_path,
            function_literal,
        };
        #[allow(unused_imports)]
        use #runtime::{Body, Response};
        use ::reqwest::Method;

        #[doc = #about]
        #[derive(Clone, Debug)]
        pub struct Client {
            connection: #connection,
        }

        impl Client {
            /// A client that sends through `connection`.
            pub fn new(connection: #connection) -> Client {
                Client { connection }
            }

            /// The connection this client sends through.
            pub fn connection(&self) -> &#connection {
                &self.connection
            }

            #(#methods)*
        }
    }
}
