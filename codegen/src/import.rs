//! import (to do)

/// `import` command.
pub fn run_cli(_args: &[String]) -> Result<(), String> {
    Err("not yet".into())
}
