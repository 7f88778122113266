//! One method per operation: required path, query and header parameters as arguments, the body
//! as its model, a [`Request`](../../../o365/typed/struct.Request.html) of the return type and
//! OData marker, and a doc comment made of the operation's facts.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use super::models::Replacements;
use super::types::{RustType, of_schema};
use crate::passes::walk;

/// OData options that make an operation a collection read.
const COLLECTION_OPTIONS: [&str; 6] = ["$top", "$skip", "$filter", "$search", "$orderby", "$count"];

/// One operation of the description.
pub struct Operation<'a> {
    /// Path template (`/users/{user-id}`).
    pub path: &'a str,
    /// HTTP method, lower case.
    pub method: &'a str,
    /// The operation object.
    pub op: &'a Map<String, Value>,
    /// Parameters declared on the path item.
    pub path_params: &'a [Value],
}

/// A declared parameter, resolved.
struct Param<'a> {
    name: &'a str,
    location: &'a str,
    required: bool,
    schema: Option<&'a Value>,
}

/// Emits the method. `doc` is the normalised description (to resolve references).
pub fn emit(doc: &Value, operation: &Operation<'_>, replacements: &Replacements) -> TokenStream {
    let params = params(doc, operation);
    let mut args = Args::default();
    let mut calls = Vec::new();
    let path = path_expr(operation.path, &params, &mut args);
    for p in params.iter().filter(|p| p.required) {
        match p.location {
            "query" if !p.name.starts_with('$') => {
                let (arg, value) = query_arg(p, &mut args);
                let name = p.name;
                args.list.push(arg);
                calls.push(quote!(.param(#name, #value)));
            }
            "header" => {
                let ident = args.ident(p.name);
                let name = p.name;
                args.list.push(quote!(#ident: &str));
                calls.push(quote!(.header(#name, #ident)));
            }
            _ => {}
        }
    }
    let is_patch = operation.method == "patch";
    if let Some((arg, call)) = body(doc, operation.op, is_patch, replacements, &mut args) {
        args.list.push(arg);
        calls.push(call);
    }
    let (ret, ret_doc) = response(doc, operation.op, is_patch, replacements);
    let names: BTreeSet<&str> = params
        .iter()
        .filter(|p| p.location == "query")
        .map(|p| p.name)
        .collect();
    let marker = if COLLECTION_OPTIONS.iter().any(|o| names.contains(o)) {
        quote!(Collection)
    } else if names.contains("$select") || names.contains("$expand") {
        quote!(Single)
    } else {
        quote!(Plain)
    };
    let doc_text = doc_comment(operation, &params, &ret_doc);
    let name = format_ident!(
        "{}",
        operation
            .op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("operation")
    );
    let http = format_ident!("{}", operation.method.to_uppercase());
    let list = &args.list;
    quote! {
        #[doc = #doc_text]
        pub fn #name(&self #(, #list)*) -> Request<#ret, #marker> {
            Request::new(&self.connection, Method::#http, #path) #(#calls)*
        }
    }
}

/// Path-item parameters, overridden by the operation's own (same name and location).
fn params<'a>(doc: &'a Value, operation: &Operation<'a>) -> Vec<Param<'a>> {
    let own: Vec<&Value> = operation
        .op
        .get("parameters")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|p| walk::resolve(doc, p)).collect())
        .unwrap_or_default();
    let mut all: Vec<&Value> = operation
        .path_params
        .iter()
        .map(|p| walk::resolve(doc, p))
        .filter(|p| {
            !own.iter()
                .any(|o| o.get("name") == p.get("name") && o.get("in") == p.get("in"))
        })
        .collect();
    all.extend(own);
    all.into_iter()
        .filter_map(|p| {
            Some(Param {
                name: p.get("name")?.as_str()?,
                location: p.get("in")?.as_str()?,
                required: p.get("required").and_then(Value::as_bool) == Some(true)
                    || p.get("in").and_then(Value::as_str) == Some("path"),
                schema: p.get("schema"),
            })
        })
        .collect()
}

/// Argument list, with names made unique.
#[derive(Default)]
struct Args {
    used: BTreeSet<String>,
    list: Vec<TokenStream>,
}

impl Args {
    /// A Rust identifier for a parameter name, distinct from the ones before.
    fn ident(&mut self, name: &str) -> syn::Ident {
        use heck::ToSnakeCase;
        let mut base = walk::word_breaks(name).to_snake_case();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base = format!("p_{base}");
        }
        if !typify::accept_as_ident(&base) || base == "connection" {
            base.push('_');
        }
        let mut candidate = base.clone();
        let mut n = 1;
        while !self.used.insert(candidate.clone()) {
            n += 1;
            candidate = format!("{base}_{n}");
        }
        format_ident!("{candidate}")
    }
}

/// The path relative to the service URL: a literal, or a `format!` of encoded arguments (OData
/// function literals `'{x}'` doubled-quoted by `function_literal`).
fn path_expr(template: &str, params: &[Param<'_>], args: &mut Args) -> TokenStream {
    let template = template.trim_start_matches('/');
    let mut format = String::new();
    let mut values = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let before = &rest[..start];
        let name = &rest[start + 1..start + len];
        let after = &rest[start + len + 1..];
        let quoted = before.ends_with('\'') && after.starts_with('\'');
        format.push_str(&before.replace('{', "{{").replace('}', "}}"));
        format.push_str("{}");
        let param = params
            .iter()
            .find(|p| p.location == "path" && p.name == name);
        let declared = param.map_or(name, |p| p.name);
        let ident = args.ident(declared);
        // A function's date-time parameter (`reminderView(StartDateTime='…')`): a chrono
        // value, by the same rule as date-time query parameters.
        let is_date_time = param.is_some_and(|p| {
            let format = p
                .schema
                .and_then(|s| s.get("format"))
                .and_then(Value::as_str);
            format == Some("date-time") || p.name.ends_with("DateTime")
        });
        if quoted && is_date_time {
            args.list
                .push(quote!(#ident: ::chrono::DateTime<::chrono::offset::Utc>));
            values.push(quote!(function_literal(&date_time(&#ident))));
            rest = after;
            continue;
        }
        args.list.push(quote!(#ident: &str));
        values.push(if quoted {
            quote!(function_literal(#ident))
        } else {
            quote!(encode_path(#ident))
        });
        rest = after;
    }
    if values.is_empty() {
        return quote!(#template);
    }
    format.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    quote!(&format!(#format #(, #values)*))
}

/// A required non-OData query parameter: its argument and the text sent.
fn query_arg(p: &Param<'_>, args: &mut Args) -> (TokenStream, TokenStream) {
    let ident = args.ident(p.name);
    let schema = p.schema.unwrap_or(&Value::Null);
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("string");
    let format = schema.get("format").and_then(Value::as_str);
    match kind {
        "string" if format == Some("date-time") || p.name.ends_with("DateTime") => (
            quote!(#ident: ::chrono::DateTime<::chrono::offset::Utc>),
            quote!(date_time(&#ident)),
        ),
        "integer" => (quote!(#ident: i64), quote!(#ident.to_string())),
        "number" => (quote!(#ident: f64), quote!(#ident.to_string())),
        "boolean" => (quote!(#ident: bool), quote!(#ident.to_string())),
        _ => (quote!(#ident: &str), quote!(#ident)),
    }
}

/// The body argument and the call that sets it.
fn body(
    doc: &Value,
    op: &Map<String, Value>,
    is_patch: bool,
    replacements: &Replacements,
    args: &mut Args,
) -> Option<(TokenStream, TokenStream)> {
    let body = walk::resolve(doc, op.get("requestBody")?);
    let content = body.get("content")?.as_object()?;
    let ident = args.ident("body");
    if let Some((_, media)) = content.iter().find(|(k, _)| k.contains("json")) {
        let ty = media
            .get("schema")
            .and_then(|s| of_schema(s, replacements))
            .map_or(quote!(::serde_json::Value), |t| t.tokens);
        let family = media
            .get("schema")
            .is_some_and(|schema| crate::passes::polymorphic::is_family(doc, schema));
        return Some(if is_patch {
            (
                quote!(#ident: impl Into<Patch<#ty>>),
                quote!(.json(&#ident.into())),
            )
        } else if family {
            // `create_message(message)`: a variant's struct converts into its family enum.
            (
                quote!(#ident: impl Into<#ty>),
                quote!(.json(&#ident.into())),
            )
        } else {
            (quote!(#ident: &#ty), quote!(.json(#ident)))
        });
    }
    content.keys().next()?;
    Some((quote!(#ident: impl Into<Body>), quote!(.body(#ident))))
}

/// The return type and its doc text.
fn response(
    doc: &Value,
    op: &Map<String, Value>,
    is_patch: bool,
    replacements: &Replacements,
) -> (TokenStream, String) {
    let no_content = (quote!(NoContent), "nothing (`NoContent`)".to_string());
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return no_content;
    };
    let found = responses
        .iter()
        .filter(|(code, _)| code.starts_with('2'))
        .find_map(|(_, r)| walk::resolve(doc, r).get("content")?.as_object());
    let Some(content) = found else {
        return no_content;
    };
    if let Some((_, media)) = content.iter().find(|(k, _)| k.contains("json")) {
        let ty: Option<RustType> = media.get("schema").and_then(|s| of_schema(s, replacements));
        let Some(ty) = ty else {
            return (quote!(::serde_json::Value), "JSON".into());
        };
        let link = ty
            .link
            .as_ref()
            .map_or_else(|| format!("`{}`", ty.tokens), |l| format!("[`{l}`]"));
        let inner = ty.tokens;
        return if ty.nullable || is_patch {
            (
                quote!(::std::option::Option<#inner>),
                format!("{link} (`None` when the service answers without a body)"),
            )
        } else {
            (inner, link)
        };
    }
    let counted = content.get("text/plain").is_some_and(|m| {
        m.get("schema")
            .map(|s| walk::resolve(doc, s))
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            == Some("integer")
    });
    if counted {
        return (quote!(u64), "the count (`u64`)".into());
    }
    (
        quote!(Response),
        "the raw reply (`Response`, to stream the content)".into(),
    )
}

/// `GET /me/messages`, paging, OData options, other parameters, return type, permissions.
fn doc_comment(operation: &Operation<'_>, params: &[Param<'_>], ret: &str) -> String {
    let op = operation.op;
    let mut text = format!(" `{} {}`", operation.method.to_uppercase(), operation.path);
    if op.get("x-ms-pageable").is_some() {
        text.push_str(" (pageable: `.stream()` follows `@odata.nextLink`)");
    }
    text.push('.');
    let odata: Vec<&str> = params
        .iter()
        .filter(|p| p.location == "query" && p.name.starts_with('$'))
        .map(|p| p.name)
        .collect();
    if !odata.is_empty() {
        text.push_str(&format!(" OData: `{}`.", odata.join(" ")));
    }
    let optional: Vec<String> = params
        .iter()
        .filter(|p| !p.required && !p.name.starts_with('$'))
        .map(|p| match p.location {
            "query" => format!("`.param(\"{}\", …)`", p.name),
            "header" => format!("`.header(\"{}\", …)`", p.name),
            other => format!("`{}` ({other})", p.name),
        })
        .collect();
    if !optional.is_empty() {
        text.push_str(&format!(" Optional: {}.", optional.join(", ")));
    }
    text.push_str(&format!(" Returns {ret}."));
    let scopes = permissions(op);
    if !scopes.is_empty() {
        text.push_str(&format!(" Permissions: {}.", scopes.join(", ")));
    }
    if let Some(id) = op.get(crate::names::ORIGINAL_ID).and_then(Value::as_str) {
        text.push_str(&format!(" operationId `{id}`."));
    }
    text
}

/// Scopes named by the operation's `security` requirements or an `x-ms-permissions` list.
fn permissions(op: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(Value::Array(reqs)) = op.get("security") {
        for req in reqs.iter().filter_map(Value::as_object) {
            for scopes in req.values().filter_map(Value::as_array) {
                out.extend(scopes.iter().filter_map(Value::as_str).map(String::from));
            }
        }
    }
    if let Some(Value::Array(list)) = op.get("x-ms-permissions") {
        out.extend(list.iter().filter_map(Value::as_str).map(String::from));
    }
    out.sort();
    out.dedup();
    out
}
