//! One module per group of subcommands; [`run`] dispatches.

mod auth;
mod batch;
mod demo;
mod drive_put;
mod emulator;
mod raw;
mod schema;
mod subscribe;
mod typed;

use reqwest::Method;

use crate::cli::{Cli, Command, OutputFormat};
use crate::failure::CliResult;
use crate::session::Session;
use crate::settings::Settings;

/// Runs the parsed command line.
pub async fn run(cli: Cli) -> CliResult {
    if let Command::Demo = cli.command {
        return demo::run().await;
    }
    if let Command::Emulator(args) = cli.command {
        return emulator::run(args).await;
    }
    if let Command::Schema(args) = cli.command {
        return schema::run(args);
    }
    let validate = !cli.global.no_validate;
    let format = cli
        .global
        .output
        .unwrap_or(if cli.command.follows_all_pages() {
            OutputFormat::Ndjson
        } else {
            OutputFormat::Json
        });
    let mut session = Session::new(Settings::resolve(&cli.global)?);
    match cli.command {
        Command::Demo | Command::Emulator(_) | Command::Schema(_) => Ok(()),
        Command::Login(args) => auth::login(&session, args).await,
        Command::Logout => auth::logout(&session).await,
        Command::Status => auth::status(&session, format).await,
        Command::Token => auth::token(&session).await,
        Command::Get(args) => raw::run(&mut session, Method::GET, args, format, validate).await,
        Command::Post(args) => raw::run(&mut session, Method::POST, args, format, validate).await,
        Command::Put(args) => raw::run(&mut session, Method::PUT, args, format, validate).await,
        Command::Patch(args) => raw::run(&mut session, Method::PATCH, args, format, validate).await,
        Command::Delete(args) => {
            raw::run(&mut session, Method::DELETE, args, format, validate).await
        }
        Command::Mail(cmd) => typed::mail(&session, cmd, format, validate).await,
        Command::Calendar(cmd) => typed::calendar(&session, cmd, format, validate).await,
        Command::Contacts(cmd) => typed::contacts(&session, cmd, format).await,
        Command::Drive(cmd) => typed::drive(&session, cmd, format).await,
        Command::Batch(args) => batch::run(&session, args, format).await,
        Command::Subscribe(args) => subscribe::run(&session, args).await,
    }
}
