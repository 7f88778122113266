//! `o365`: Microsoft 365 from the command line (feature `cli`).
//!
//! `o365 demo` runs the whole story offline against the built-in emulator; `o365 login`, then
//! typed shortcuts (`o365 mail list`) or raw calls (`o365 get me/messages --top 5`) work against
//! Microsoft 365. Settings: flags > environment (`O365_*`) > config file. Exit codes: see
//! [`failure::Exit`] and `o365 --help`.

mod cli;
mod commands;
mod failure;
mod output;
mod session;
mod settings;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if cli.global.verbose {
        init_tracing();
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(failure.exit as u8)
        }
    }
}

/// Tracing on stderr: `RUST_LOG` if set, else debug for this crate and info for the rest.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,o365=debug"));
    // A span's fields (status, attempt, request id, waits) are known when it closes.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .init();
}
