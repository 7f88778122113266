//! The `import` command line.

use std::path::{Path, PathBuf};

use super::{Selection, import_merged};
use crate::args::{Args, read};
use crate::passes::walk;

/// What the command line asks for.
#[derive(Default)]
struct ImportArgs {
    from: Option<PathBuf>,
    paths: Option<String>,
    out: Option<PathBuf>,
    merge_files: Vec<PathBuf>,
    takes: Vec<(PathBuf, Vec<String>)>,
    selection: Selection,
}

/// `import --from FILE --paths (LIST_FILE | PATTERN,PATTERN…) [--merge FILE]… [--also-me]
/// [--drop-navigation] [--take FILE=SCHEMA,SCHEMA…]… --out FILE`.
pub fn run_cli(args: &[String]) -> Result<(), String> {
    let ImportArgs {
        from,
        paths,
        out,
        merge_files,
        takes,
        mut selection,
    } = parse_args(args)?;
    let (Some(from), Some(paths), Some(out)) = (from, paths, out) else {
        return Err("import needs --from, --paths and --out".into());
    };
    selection.patterns = path_patterns(&paths);
    let extras = merge_files
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let extras: Vec<&str> = extras.iter().map(String::as_str).collect();
    for (file, keys) in takes {
        selection.take.push((read(&file)?, keys));
    }
    let yaml = import_merged(&read(&from)?, &extras, &selection).map_err(|e| e.to_string())?;
    std::fs::write(&out, yaml).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{}: {} operations", out.display(), count_operations(&out)?);
    Ok(())
}

fn parse_args(args: &[String]) -> Result<ImportArgs, String> {
    let mut parsed = ImportArgs::default();
    let mut args = Args::new(args);
    while let Some(arg) = args.next() {
        match arg {
            "--from" => parsed.from = Some(PathBuf::from(args.value(arg)?)),
            "--paths" => parsed.paths = Some(args.value(arg)?),
            "--merge" => parsed.merge_files.push(PathBuf::from(args.value(arg)?)),
            "--out" => parsed.out = Some(PathBuf::from(args.value(arg)?)),
            "--also-me" => parsed.selection.also_me = true,
            "--drop-navigation" => parsed.selection.drop_navigation = true,
            "--take" => parsed.takes.push(parse_take(&args.value(arg)?)?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(parsed)
}

/// `FILE=SCHEMA,SCHEMA…`.
fn parse_take(value: &str) -> Result<(PathBuf, Vec<String>), String> {
    let (file, keys) = value
        .split_once('=')
        .ok_or_else(|| format!("--take {value}: expected FILE=SCHEMA,SCHEMA"))?;
    let keys = keys.split(',').map(|k| k.trim().to_string()).collect();
    Ok((PathBuf::from(file), keys))
}

/// The patterns of `--paths`: the lines of the file it names, else its comma-separated list;
/// blank lines and `#` comments skipped.
fn path_patterns(paths: &str) -> Vec<String> {
    let list = match std::fs::read_to_string(paths) {
        Ok(text) => text,
        Err(_) => paths.replace(',', "\n"),
    };
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// The operations in the written file.
fn count_operations(out: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(out).map_err(|e| e.to_string())?;
    let mut doc = crate::load::parse(&text).map_err(|e| e.to_string())?;
    let mut n = 0;
    walk::for_each_operation(&mut doc, &mut |_, _, _| n += 1);
    Ok(n)
}
