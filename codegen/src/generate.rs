//! The pipeline: parse → normalisation passes → wire casing → operation names → hoisting of
//! inline schemas → pruning, then typify for the models and [`crate::emit`] for the operations,
//! formatted with prettyplease.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::emit::{self, hoist, models, pages};
use crate::passes::walk;
use crate::{Error, Options, casing, load, names, passes, reach};

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

/// Runs every normalisation step (passes, wire casing, renames, hoisting, pruning) and returns
/// the document the emitter will see, with the summary filled in except `types`.
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
    let hoisted = hoist::run(&mut doc);
    module.pass_counts.push(("hoist".into(), hoisted));
    let pruned = prune_unused(&mut doc, opts, &mut module.shared);
    module.pass_counts.push(("prune".into(), pruned));
    module.operations = operations(&mut doc);
    module.pageable = pageable(&mut doc);
    Ok((doc, module))
}

/// Refuses a document that points at components it neither defines nor has a replacement for
/// (typify would panic on them; what replaced schemas point at is never read): the error
/// names the first few.
fn check_references(doc: &Value, replacements: &models::Replacements) -> Result<(), Error> {
    let replaced = |kind: &str, name: &str| kind == "schemas" && replacements.replaces(name);
    let missing: Vec<String> = reach::missing_components(doc, replaced)
        .into_iter()
        .filter(|(kind, name)| !replaced(kind, name))
        .map(|(kind, name)| format!("#/components/{kind}/{name}"))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let more = missing.len().saturating_sub(5);
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Err(Error::Parse(format!(
        "$ref to a component the description does not define: {}{tail} (a partial description must be merged into its module first)",
        missing[..missing.len() - more].join(", ")
    )))
}

/// Generated additions from other generators (polymorphic enums): extra items for the `types`
/// module and extra typify replacements, registered before typify runs. This is the one place
/// where such generators plug in.
#[derive(Default)]
pub struct Additions {
    /// Items appended to the `types` module.
    pub type_items: Vec<syn::Item>,
    /// `(schema key, Rust name, impls)` typify must use instead of generating the schema; the
    /// items named live in the `types` module beside typify's own.
    pub replacements: Vec<(String, String, Vec<typify::TypeSpaceImpl>)>,
}

/// Collects the [`Additions`] for a normalised document: the polymorphic enums (which need
/// the runtime's decoder, so none without [`Options::runtime`]).
fn additions(doc: &Value, runtime: Option<&syn::Path>) -> Additions {
    let Some(runtime) = runtime else {
        return Additions::default();
    };
    Additions {
        type_items: passes::polymorphic::emit(doc, runtime),
        replacements: passes::polymorphic::families(doc)
            .into_iter()
            .map(|family| (family.key, family.name, Vec::new()))
            .collect(),
    }
}

/// Generates the module for one description.
pub fn generate(spec_text: &str, opts: &Options) -> Result<Output, Error> {
    let (doc, mut module) = normalise(spec_text, opts)?;
    let file = module_file(&doc, opts, &module.shared, true)?;
    module.types = count_types(&file);
    let source = render(&file);
    Ok(Output { source, module })
}

/// The module for a normalised document: `types` (typify's models, the shared types re-exported,
/// the runtime impls) and, with `client`, the operations' `Client`.
/// `shared`: the common-module schemas the operations reach (re-exported by `types`, also those
/// reached only through another shared type).
pub(crate) fn module_file(
    doc: &Value,
    opts: &Options,
    shared: &[String],
    client: bool,
) -> Result<syn::File, Error> {
    let connection = type_path(&opts.inner_type)?;
    let runtime = opts.runtime.as_deref().map(runtime_path).transpose()?;
    let mut replacements = models::replacements(doc, opts)?;
    let extra = additions(doc, runtime.as_ref());
    for (key, name, impls) in extra.replacements {
        replacements.insert_local(&key, &name, impls);
    }
    check_references(doc, &replacements)?;
    let mut items = models::generate(doc, &replacements)?;
    if let Some(runtime) = &runtime {
        let accessors = passes::polymorphic::accessors(doc, &items, &opts.shared_types, runtime);
        items.extend(accessors);
    }
    items.extend(extra.type_items);
    let mut impls = Vec::new();
    if let Some(runtime) = &runtime {
        impls.extend(pages::collection_impls(doc, &items, &replacements, runtime));
        impls.extend(pages::entity_impls(&items, runtime));
    }
    for key in shared {
        let Some(common) = opts.shared_types.get(key) else {
            continue;
        };
        let path = type_path(&common.path)?;
        items.push(syn::parse_quote!(pub use #path;));
    }
    let settings = emit::Module {
        runtime: runtime.as_ref(),
        connection: &connection,
    };
    let client = if client {
        emit::client(doc, &settings, &replacements)
    } else {
        proc_macro2::TokenStream::new()
    };
    let tokens = quote::quote! {
        /// Models of the description's schemas.
        #[allow(clippy::all)]
        pub mod types {
            #(#items)*
        }
        #client
        #(#impls)*
    };
    syn::parse2(tokens).map_err(|e| Error::Generate(format!("invalid Rust: {e}")))
}

fn type_path(path: &str) -> Result<syn::Path, Error> {
    syn::parse_str::<syn::Path>(path)
        .map_err(|e| Error::Option(format!("`{path}` is not a type path: {e}")))
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
        if let Some(key) = models::error_schema(doc, suffix) {
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
    reach::prune(doc, &keep, reach::COMPONENT_KINDS)
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
