//! `check`: generate every given description into one scratch crate (one module per file) and
//! compile it with cargo against the real o365 crate (path dependency on the workspace root:
//! `o365::Connection`, its error types, `typed::Request` and paging), sharing `CARGO_TARGET_DIR` so
//! dependencies are built once (the scratch crate gets the workspace `Cargo.lock`). Prints
//! one line per file and fails if generation or compilation fails for any of them.
//! Also hosts the small `generate` command.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::args::{Args, read};
use crate::{Casing, GeneratedModule, Options, Output, generate, names};

/// Command-line settings shared by `check` and `generate`.
#[derive(Default)]
struct Flags {
    casing: Option<Casing>,
    renames: Option<PathBuf>,
    out: Option<PathBuf>,
    files: Vec<PathBuf>,
}

/// Reads `--casing`, `--renames`, `--out` and the files.
fn parse_flags(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut args = Args::new(args);
    while let Some(arg) = args.next() {
        match arg {
            "--casing" => flags.casing = Some(parse_casing(&args.value(arg)?)?),
            "--renames" => flags.renames = Some(args.value(arg)?.into()),
            "--out" => flags.out = Some(args.value(arg)?.into()),
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            file => flags.files.push(file.into()),
        }
    }
    Ok(flags)
}

fn parse_casing(text: &str) -> Result<Casing, String> {
    match text {
        "camel" => Ok(Casing::Camel),
        "pascal" => Ok(Casing::Pascal),
        "keep" => Ok(Casing::Keep),
        other => Err(format!("unknown casing {other} (camel, pascal, keep)")),
    }
}

/// The options for one file: casing from the flag, else `Pascal` for files under an
/// `office365` directory and `Camel` otherwise; renames from the file's section of the renames
/// file (its path below `spec/`).
fn options_for(file: &Path, flags: &Flags) -> Result<Options, String> {
    let text = file.to_string_lossy().replace('\\', "/");
    let casing = flags.casing.unwrap_or(if text.contains("office365") {
        Casing::Pascal
    } else {
        Casing::Camel
    });
    let renames = match &flags.renames {
        Some(path) => {
            let toml = read(path)?;
            let section = text.rsplit_once("spec/").map(|(_, s)| s).unwrap_or(&text);
            names::load_renames(&toml, section).map_err(|e| e.to_string())?
        }
        None => BTreeMap::new(),
    };
    Ok(Options {
        casing,
        renames,
        ..Options::default()
    })
}

/// `generate FILE [--out OUT]`: writes the module (or prints it) and a summary on stderr.
pub fn generate_cli(args: &[String]) -> Result<(), String> {
    let flags = parse_flags(args)?;
    let [file] = flags.files.as_slice() else {
        return Err("generate takes one FILE".into());
    };
    let text = read(file)?;
    let started = Instant::now();
    let out = generate(&text, &options_for(file, &flags)?)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let secs = started.elapsed().as_secs_f64();
    match &flags.out {
        Some(path) => {
            std::fs::write(path, &out.source).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => print!("{}", out.source),
    }
    eprintln!("{}", summary_line(file, &out.module, secs));
    eprintln!(
        "  {} lines, {} bytes",
        out.source.lines().count(),
        out.source.len()
    );
    let counts: Vec<String> = out
        .module
        .pass_counts
        .iter()
        .map(|(p, n)| format!("{p}={n}"))
        .collect();
    eprintln!("  passes: {}", counts.join(" "));
    for note in &out.module.notes {
        eprintln!("  note: {note}");
    }
    Ok(())
}

/// `<file>: N operations, M skipped (reasons), T types, S s`.
pub fn summary_line(file: &Path, module: &GeneratedModule, secs: f64) -> String {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for skipped in &module.skipped {
        *reasons.entry(skipped.reason.as_str()).or_default() += 1;
    }
    let reasons = reasons
        .iter()
        .map(|(r, n)| format!("{n} {r}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "{}: {} operations, {} skipped ({}), {} types, {:.2}s",
        file.display(),
        module.operations.len(),
        module.skipped.len(),
        if reasons.is_empty() { "none" } else { &reasons },
        module.types,
        secs
    )
}

/// One module of the scratch crate: its name, the description it comes from, its source.
type ScratchModule = (String, PathBuf, String);

/// `check FILE...`.
pub fn run_cli(args: &[String]) -> Result<(), String> {
    let flags = parse_flags(args)?;
    if flags.files.is_empty() {
        return Err("check needs at least one FILE".into());
    }
    let target = target_dir();
    let crate_dir = target.join("codegen-check");
    let (modules, all_generated) = generate_modules(&flags);
    write_scratch_crate(&crate_dir, &modules).map_err(|e| format!("scratch crate: {e}"))?;
    let compiled = compile(&crate_dir, &target, &modules)?;
    if all_generated && compiled {
        Ok(())
    } else {
        Err("check failed".into())
    }
}

/// Generates every file against the o365 crate, printing its summary line and naming warnings
/// (or why it failed). Returns the modules generated and whether every file was.
fn generate_modules(flags: &Flags) -> (Vec<ScratchModule>, bool) {
    let mut modules = Vec::new();
    let mut all_generated = true;
    for (index, file) in flags.files.iter().enumerate() {
        let module_name = format!("m{index}_{}", module_stem(file));
        let started = Instant::now();
        let result = generate_against_o365(file, flags);
        let secs = started.elapsed().as_secs_f64();
        match result {
            Ok(out) => {
                println!("{}", summary_line(file, &out.module, secs));
                for note in naming_notes(file, flags) {
                    println!("  warning: {note}");
                }
                modules.push((module_name, file.clone(), out.source));
            }
            Err(e) => {
                println!("{}: FAILED to generate: {e}", file.display());
                all_generated = false;
            }
        }
    }
    (modules, all_generated)
}

/// Generates `file` with every runtime path naming the o365 crate.
fn generate_against_o365(file: &Path, flags: &Flags) -> Result<Output, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let options = against_o365(options_for(file, flags)?);
    generate(&text, &options).map_err(|e| e.to_string())
}

/// Builds the scratch crate in `crate_dir` with cargo (sharing `target`), prints the compiler
/// diagnostics per module and the outcome. Returns whether it compiled.
fn compile(crate_dir: &Path, target: &Path, modules: &[ScratchModule]) -> Result<bool, String> {
    let started = Instant::now();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target)
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    print_diagnostics(&stderr, modules);
    if output.status.success() {
        println!(
            "compiled {} module(s) in {:.1}s ({})",
            modules.len(),
            secs,
            crate_dir.display()
        );
    } else {
        eprintln!("{stderr}");
        println!(
            "compilation FAILED after {:.1}s ({})",
            secs,
            crate_dir.display()
        );
    }
    Ok(output.status.success())
}

/// For each module with compiler diagnostics: their count, the count per kind, and the first
/// 20 with their locations.
fn print_diagnostics(stderr: &str, modules: &[ScratchModule]) {
    let diagnostics = diagnostics_by_module(stderr);
    for (module, file, _) in modules {
        let Some(found) = diagnostics.get(module.as_str()) else {
            continue;
        };
        println!("{}: {} compiler diagnostics", file.display(), found.len());
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for (headline, _) in found {
            let code = headline.split(": ").next().unwrap_or(headline);
            *kinds.entry(code).or_default() += 1;
        }
        for (headline, n) in kinds {
            println!("  {n} × {headline}");
        }
        for (headline, location) in found.iter().take(20) {
            println!("  {location}: {headline}");
        }
    }
}

/// Naming warnings for `file` (clashes settled by a fallback suffix), from the description as
/// read; empty when it cannot be read (generation reports that).
fn naming_notes(file: &Path, flags: &Flags) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Vec::new();
    };
    let (Ok(doc), Ok(options)) = (crate::load::parse(&text), options_for(file, flags)) else {
        return Vec::new();
    };
    names::assign(&doc, &options.renames).notes
}

/// Every compiler diagnostic (error or warning), grouped by the scratch module it points into:
/// module stem → `(headline, file:line:col)` in the order printed.
pub fn diagnostics_by_module(stderr: &str) -> BTreeMap<&str, Vec<(String, String)>> {
    let mut out: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    let mut headline: Option<&str> = None;
    for line in stderr.lines() {
        let trimmed = line.trim_start();
        if line.starts_with("error") || line.starts_with("warning") {
            headline = Some(line);
            continue;
        }
        let Some(location) = trimmed.strip_prefix("--> ") else {
            continue;
        };
        let Some(head) = headline.take() else {
            continue;
        };
        let Some(rest) = location.strip_prefix("src/") else {
            continue;
        };
        let Some((module, _)) = rest.split_once(".rs") else {
            continue;
        };
        out.entry(module)
            .or_default()
            .push((head.to_string(), location.to_string()));
    }
    out
}

/// The workspace's target directory: `CARGO_TARGET_DIR`, else `target/` of the current dir.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default().join("target"))
}

/// The module name of a description file: its stem in snake_case.
fn module_stem(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    names::method_name(&stem)
}

/// `options` with every runtime path naming the o365 crate (the scratch crate depends on it).
fn against_o365(options: Options) -> Options {
    Options {
        inner_type: "o365::Connection".into(),
        graph_error_type: "o365::GraphError".into(),
        error_envelope_type: Some("o365::GraphErrorResponse".into()),
        runtime: Some("o365".into()),
        ..options
    }
}

/// The o365 crate: the workspace root above this generator crate.
fn o365_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The scratch crate's manifest: the generated modules compile against the real o365 crate
/// (its `Connection`, error types, typed requests and paging), as they do inside o365.
fn manifest() -> String {
    let o365 = serde_json::to_string(&o365_dir().to_string_lossy()).unwrap_or_default();
    format!(
        r#"[package]
name = "o365-codegen-check"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

# The generated models carry `cfg_attr(feature = "schemars", …)`; declared here (and left off),
# as in the o365 crate without that feature.
[features]
schemars = []

[dependencies]
o365 = {{ path = {o365}, features = ["codegen"] }}
reqwest = {{ version = "0.13.5", default-features = false, features = ["json", "query", "form", "stream", "rustls"] }}
serde = {{ version = "1.0.228", features = ["derive"] }}
serde_json = "1.0.145"
chrono = {{ version = "0.4", default-features = false, features = ["serde", "std", "clock"] }}
uuid = {{ version = "1", features = ["serde"] }}
"#
    )
}

/// Writes the scratch crate: its manifest, the workspace lock file, one file per module and a
/// `lib.rs` declaring them (warnings denied).
fn write_scratch_crate(dir: &Path, modules: &[ScratchModule]) -> std::io::Result<()> {
    let src = dir.join("src");
    if src.exists() {
        std::fs::remove_dir_all(&src)?;
    }
    std::fs::create_dir_all(&src)?;
    std::fs::write(dir.join("Cargo.toml"), manifest())?;
    let lock = o365_dir().join("Cargo.lock");
    if lock.exists() {
        std::fs::copy(lock, dir.join("Cargo.lock"))?;
    }
    let mut lib = "//! Scratch crate written by `o365-codegen check`; regenerated on every run.\n"
        .to_string();
    for (module, file, source) in modules {
        std::fs::write(src.join(format!("{module}.rs")), source)?;
        lib.push_str(&format!(
            "\n/// Generated from `{}`.\n#[deny(warnings)]\n#[allow(unreachable_patterns, clippy::all)]\npub mod {module};\n",
            file.display()
        ));
    }
    lib.push('\n');
    std::fs::write(src.join("lib.rs"), lib)
}
