//! `o365-codegen`: `check FILE...`, `import ...` and `generate FILE [--out F]`.

use std::process::ExitCode;

const USAGE: &str = "usage:
  o365-codegen check [--casing camel|pascal|keep] [--renames spec/operations.toml] FILE...
  o365-codegen generate FILE [--casing C] [--out OUT.rs]
  o365-codegen import --from FILE --paths GLOBS_OR_LIST_FILE --out FILE [--also-me]
      [--drop-navigation] [--merge FILE]... [--take FILE=SCHEMA,SCHEMA]...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("check") => o365_codegen::check::run_cli(&args[1..]),
        Some("import") => o365_codegen::import::run_cli(&args[1..]),
        Some("generate") => o365_codegen::check::generate_cli(&args[1..]),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
