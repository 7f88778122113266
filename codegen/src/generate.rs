//! Driving progenitor: normalised description → settings → tokens → formatted source, plus a
//! summary of what was generated.

use std::collections::BTreeSet;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TypeImpl};
use serde_json::Value;

use crate::passes::walk;
use crate::shared::SharedImpl;
use crate::{Error, Options, casing, extras, load, names, passes, reach};

/// Method style of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Interface {
    /// `client.list_messages(a, b, None, ...)`: compact (about a third of the builder's code).
    #[default]
    Positional,
    /// `client.list_messages().top(10).send()`.
    Builder,
}

/// Generated source plus its summary.
#[derive(Debug, Clone)]
pub struct Output {
    /// Formatted Rust source (prettyplease), deterministic for a given input and options.
    pub source: String,
    /// What the source contains.
    pub module: GeneratedModule,
}

/// Summary of one generated module.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeneratedModule {
    /// Generated methods, in description order.
    pub operations: Vec<Operation>,
    /// Operations left out, with the reason.
    pub skipped: Vec<Skipped>,
    /// Number of types (structs and enums) in the generated `types` module.
    pub types: usize,
    /// Operations marked `x-ms-pageable`: they need a paging helper (follow `@odata.nextLink`).
    pub pageable: Vec<Pageable>,
    /// Rewrites per normalisation step, in the order run (`wire_case` and `prune` included).
    pub pass_counts: Vec<(String, usize)>,
    /// Warnings from the passes (dropped properties, renamed schemas, dropped responses).
    pub notes: Vec<String>,
    /// Component schemas taken from [`Options::shared_types`] instead of generated here
    /// (re-exported from the `types` module), by component key.
    pub shared: Vec<String>,
}

/// One generated method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Rust method name.
    pub method: String,
    /// operationId in the description.
    pub operation_id: String,
    /// HTTP method, upper case.
    pub http_method: String,
    /// Path template.
    pub path: String,
}

/// An operation that was not generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// operationId in the description.
    pub operation_id: String,
    /// Why it was left out.
    pub reason: String,
}

/// A pageable list operation and the Rust type of its `value` items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pageable {
    /// Rust method name.
    pub method: String,
    /// Generated type name of one item (e.g. `MicrosoftGraphMessage`); `None` if not found.
    pub item_type: Option<String>,
}

/// Runs every normalisation step (passes, wire casing, renames, pruning) and returns the
/// document progenitor will see, with the summary filled in except `types`.
pub fn normalise(spec_text: &str, opts: &Options) -> Result<(Value, GeneratedModule), Error> {
    let mut doc = load::parse(spec_text)?;
    let mut module = GeneratedModule::default();
    for (name, count) in passes::run_all(&mut doc, &opts.disabled_passes, &mut module.notes) {
        module.pass_counts.push((name.to_string(), count));
    }
    let exceptions = opts
        .casing_exceptions
        .clone()
        .unwrap_or_else(|| casing::default_exceptions(opts.casing));
    let cased = casing::wire_case(&mut doc, opts.casing, &exceptions);
    module.pass_counts.push(("wire_case".into(), cased));
    names::apply(&mut doc, &opts.renames)?;
    let pruned = prune_unused(&mut doc, opts, &mut module.shared);
    module.pass_counts.push(("prune".into(), pruned));
    module.operations = operations(&mut doc);
    module.pageable = pageable(&mut doc);
    Ok((doc, module))
}

/// Generates the client module for one description.
pub fn generate(spec_text: &str, opts: &Options) -> Result<Output, Error> {
    let (doc, mut module) = normalise(spec_text, opts)?;
    let mut file = progenitor_file(&doc, opts)?;
    module.types = count_types(&file);
    reexport_shared(&mut file, &module.shared, opts)?;
    if let Some(runtime) = &opts.runtime {
        let notes = extras::append(&mut file, &module.pageable, &runtime_path(runtime)?);
        module.notes.extend(notes);
    }
    let source = render(&file);
    Ok(Output { source, module })
}

/// Runs progenitor on a normalised document.
pub(crate) fn progenitor_file(doc: &Value, opts: &Options) -> Result<syn::File, Error> {
    let spec = load::to_openapi(doc)?;
    let settings = settings(doc, opts)?;
    let tokens = std::panic::catch_unwind(|| Generator::new(&settings).generate_tokens(&spec))
        .map_err(|panic| Error::Generate(format!("progenitor panicked: {}", panic_text(&panic))))?
        .map_err(|e| Error::Generate(e.to_string()))?;
    syn::parse2(tokens).map_err(|e| Error::Generate(format!("invalid Rust: {e}")))
}

/// Parses [`Options::runtime`].
pub(crate) fn runtime_path(runtime: &str) -> Result<syn::Path, Error> {
    syn::parse_str::<syn::Path>(runtime)
        .map_err(|e| Error::Option(format!("`{runtime}` is not a crate path: {e}")))
}

/// Formats a generated file, with its header line.
pub(crate) fn render(file: &syn::File) -> String {
    format!(
        "// Generated by o365-codegen from an OpenAPI description; do not edit.\n{}",
        prettyplease::unparse(file)
    )
}

/// `pub use <shared path>;` in the `types` module for every shared schema the module uses, so
/// `module::types::Name` keeps naming the (common) type.
fn reexport_shared(file: &mut syn::File, shared: &[String], opts: &Options) -> Result<(), Error> {
    let Some((_, items)) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
        _ => None,
    }) else {
        return Ok(());
    };
    for key in shared {
        let path = &opts.shared_types[key].path;
        let path = syn::parse_str::<syn::Path>(path)
            .map_err(|e| Error::Option(format!("`{path}` is not a type path: {e}")))?;
        items.push(syn::parse_quote!(pub use #path;));
    }
    Ok(())
}

fn settings(doc: &Value, opts: &Options) -> Result<GenerationSettings, Error> {
    let tokens = |path: &str| -> Result<proc_macro2::TokenStream, Error> {
        syn::parse_str::<syn::Path>(path)
            .map(|p| quote::quote!(#p))
            .map_err(|e| Error::Option(format!("`{path}` is not a type path: {e}")))
    };
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(match opts.interface {
            Interface::Positional => InterfaceStyle::Positional,
            Interface::Builder => InterfaceStyle::Builder,
        })
        .with_inner_type(tokens(&opts.inner_type)?)
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq");
    tokens(&opts.graph_error_type)?;
    if let Some(key) = error_schema(doc, "ODataErrors.MainError") {
        settings.with_replacement(
            walk::type_name(&key),
            &opts.graph_error_type,
            [TypeImpl::Default].into_iter(),
        );
    }
    if let (Some(envelope), Some(key)) = (
        &opts.error_envelope_type,
        error_schema(doc, "ODataErrors.ODataError"),
    ) {
        tokens(envelope)?;
        settings.with_replacement(walk::type_name(&key), envelope, std::iter::empty());
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    for (key, shared) in &opts.shared_types {
        if schemas.is_some_and(|s| s.contains_key(key)) {
            tokens(&shared.path)?;
            settings.with_replacement(
                walk::type_name(key),
                &shared.path,
                shared.impls.iter().map(|i| match i {
                    SharedImpl::Display => TypeImpl::Display,
                    SharedImpl::FromStr => TypeImpl::FromStr,
                    SharedImpl::Default => TypeImpl::Default,
                }),
            );
        }
    }
    Ok(settings)
}

/// The component schema key ending in `suffix`, if any.
fn error_schema(doc: &Value, suffix: &str) -> Option<String> {
    doc.pointer("/components/schemas")?
        .as_object()?
        .keys()
        .find(|k| k.ends_with(suffix))
        .cloned()
}

/// Drops components no operation reaches (stopping at the replaced error types, whose parts
/// are then unused too, and at shared types, whose parts live in the common module). Records in
/// `shared` the shared schemas the operations reach. Returns how many components were removed.
fn prune_unused(doc: &mut Value, opts: &Options, shared: &mut Vec<String>) -> usize {
    let mut stop = BTreeSet::new();
    for suffix in ["ODataErrors.MainError"].into_iter().chain(
        opts.error_envelope_type
            .as_ref()
            .map(|_| "ODataErrors.ODataError"),
    ) {
        if let Some(key) = error_schema(doc, suffix) {
            stop.insert(("schemas".to_string(), key));
        }
    }
    let reached = reach::reachable(doc, &[&doc["paths"]], &stop);
    shared.extend(
        opts.shared_types
            .keys()
            .filter(|key| reached.contains(&("schemas".to_string(), key.to_string())))
            .cloned(),
    );
    stop.extend(
        shared
            .iter()
            .map(|key| ("schemas".to_string(), key.clone())),
    );
    let keep = reach::reachable(doc, &[&doc["paths"]], &stop);
    reach::prune(
        doc,
        &keep,
        &[
            "schemas",
            "responses",
            "parameters",
            "requestBodies",
            "headers",
        ],
    )
}

fn operations(doc: &mut Value) -> Vec<crate::Operation> {
    let mut out = Vec::new();
    walk::for_each_operation(doc, &mut |path, method, op| {
        let text = |key: &str| {
            op.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        out.push(crate::Operation {
            method: text("operationId"),
            operation_id: text(names::ORIGINAL_ID),
            http_method: method.to_uppercase(),
            path: path.to_string(),
        });
    });
    out
}

fn pageable(doc: &mut Value) -> Vec<Pageable> {
    let snapshot = doc.clone();
    let mut out = Vec::new();
    walk::for_each_operation(doc, &mut |_, _, op| {
        if op.get("x-ms-pageable").is_none() {
            return;
        }
        let method = op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        out.push(Pageable {
            method,
            item_type: item_type(&snapshot, op),
        });
    });
    out
}

fn item_type(doc: &Value, op: &serde_json::Map<String, Value>) -> Option<String> {
    let responses = op.get("responses")?.as_object()?;
    let (_, response) = responses.iter().find(|(k, _)| k.starts_with('2'))?;
    let schema = walk::resolve(doc, response).pointer("/content/application~1json/schema")?;
    let envelope = walk::resolve(doc, schema);
    let items = envelope.pointer("/properties/value/items")?;
    let name = walk::schema_ref_name(items.get("$ref")?.as_str()?)?;
    Some(walk::type_name(name))
}

fn count_types(file: &syn::File) -> usize {
    file.items
        .iter()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
            _ => None,
        })
        .map(|(_, items)| {
            items
                .iter()
                .filter(|i| matches!(i, syn::Item::Struct(_) | syn::Item::Enum(_)))
                .count()
        })
        .unwrap_or(0)
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}
