//! One module per group of subcommands; [`run`] dispatches.

mod auth;
mod batch;
mod demo;
mod drive_put;
mod raw;
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
        Command::Demo => Ok(()),
        Command::Login(args) => auth::login(&session, args).await,
        Command::Logout => auth::logout(&session).await,
        Command::Status => auth::status(&session, format).await,
        Command::Token => auth::token(&session).await,
        Command::Get(args) => raw::run(&mut session, Method::GET, args, format).await,
        Command::Post(args) => raw::run(&mut session, Method::POST, args, format).await,
        Command::Put(args) => raw::run(&mut session, Method::PUT, args, format).await,
        Command::Patch(args) => raw::run(&mut session, Method::PATCH, args, format).await,
        Command::Delete(args) => raw::run(&mut session, Method::DELETE, args, format).await,
        Command::Mail(cmd) => typed::mail(&session, cmd, format).await,
        Command::Calendar(cmd) => typed::calendar(&session, cmd, format).await,
        Command::Contacts(cmd) => typed::contacts(&session, cmd, format).await,
        Command::Drive(cmd) => typed::drive(&session, cmd, format).await,
        Command::Batch(args) => batch::run(&session, args, format).await,
        Command::Subscribe(args) => subscribe::run(&session, args).await,
    }
}
