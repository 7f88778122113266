//! `o365 demo`: the whole user story, offline. Starts the built-in emulator of the identity
//! platform and Graph on 127.0.0.1 and drives it with the same code paths as the other commands:
//! device-code sign-in, the token cache on disk, typed calls across pages, a mail, an event, a
//! throttled request, an expired token, and a raw call.

use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use o365::emulator::{Emulator, GRAPH_PATHS, PUBLIC_CLIENT_ID, StatusCode};
use o365::{AuthFlowType, Cloud, Connection};
use serde_json::{Value, json};

use crate::cli::MailSendArgs;
use crate::failure::{CliResult, Failure};
use crate::session::Session;
use crate::settings::Settings;

/// Permissions the demo signs in with.
const SCOPES: [&str; 4] = [
    "User.Read",
    "Mail.ReadWrite",
    "Mail.Send",
    "Calendars.ReadWrite",
];

/// Messages per page in the paging step.
const PAGE_SIZE: u32 = 5;

fn step(n: u32, text: &str) {
    println!("\n[{n}] {text}");
}

/// Fails the demo when an expectation does not hold.
fn expect(ok: bool, what: &str) -> CliResult {
    if ok {
        Ok(())
    } else {
        Err(Failure::new(
            crate::failure::Exit::Generic,
            format!("demo check failed: {what}"),
        ))
    }
}

/// Runs the demo; exits 0 when every step behaved as narrated.
pub async fn run() -> CliResult {
    let emulator = start_emulator().await?;
    let dir = tempfile::tempdir().map_err(|e| Failure::io("cannot create a temp dir", e))?;
    let token_path = dir.path().join("token.json");
    let session = demo_session(&emulator, &token_path);

    step(
        1,
        "sign in with the device code flow (the emulator approves it after one poll)",
    );
    sign_in_with_device_code(&session, &token_path).await?;

    step(
        2,
        "a new Connection continues the saved sign-in, as every other command does",
    );
    let conn = continue_sign_in(&session).await?;

    step(
        3,
        "typed call: the inbox, newest first, 5 per page, following @odata.nextLink",
    );
    let count = list_inbox(&conn).await?;
    expect(
        count == o365::emulator::fixtures::MESSAGE_COUNTS.0,
        "all inbox messages were listed",
    )?;

    step(4, "send a mail (typed sendMail)");
    send_mail(&conn).await?;

    step(5, "create an event (typed)");
    create_event(&conn).await?;

    step(
        6,
        "the service throttles: 429 with Retry-After: 1; the pipeline waits and retries",
    );
    survive_throttling(&emulator, &conn).await?;

    step(
        7,
        "the access token expires on the server; the 401 triggers one refresh",
    );
    refresh_after_expiry(&emulator, &conn).await?;

    step(
        8,
        "raw fallback: GET /me (the users workload is not built into this binary)",
    );
    raw_me(&conn).await?;

    println!(
        "\ndemo finished: {} requests reached the emulator; no account or network was used.",
        emulator.counters().total_requests()
    );
    println!("next: `o365 --help`, and the README's \"Sign in for real\".");
    Ok(())
}

/// Starts the emulator (device codes approved after one poll, one second apart) and says where.
async fn start_emulator() -> CliResult<Emulator> {
    let emulator = Emulator::builder()
        .device_code_interval(Duration::from_secs(1))
        .device_code_polls_before_approval(1)
        .start()
        .await?;
    println!(
        "o365 demo: an emulator of the Microsoft identity platform and Graph is listening on {}",
        emulator.base_url()
    );
    println!(
        "(equivalent flags for your own tries: --base-url {0} --authority {0})",
        emulator.base_url()
    );
    Ok(emulator)
}

/// The settings every other command would have, pointed at the emulator and a temporary cache.
fn demo_session(emulator: &Emulator, token_path: &Path) -> Session {
    Session::new(Settings {
        client_id: Some(PUBLIC_CLIENT_ID.to_owned()),
        client_secret: None,
        tenant_id: None,
        token_path: token_path.to_owned(),
        cloud: Cloud::Public,
        base_url: Some(emulator.base_url().to_owned()),
        authority: Some(emulator.authority().to_owned()),
        proxy: None,
        username: None,
        retries: None,
        flow: None,
        scopes: None,
    })
}

/// Step 1: device-code sign-in; the token cache must be written to `token_path`.
async fn sign_in_with_device_code(session: &Session, token_path: &Path) -> CliResult {
    let login = session.connection(AuthFlowType::DeviceCode, PUBLIC_CLIENT_ID, None)?;
    let account = login
        .sign_in()
        .device_code(
            &SCOPES,
            |prompt| println!("    {}", prompt.message),
            std::future::pending(),
            true,
        )
        .await?;
    let username = account.map(|a| a.username).unwrap_or_default();
    let saved = std::fs::metadata(token_path).map(|m| m.len()).unwrap_or(0);
    println!("    signed in as {username}");
    println!(
        "    token cache saved to {} ({saved} bytes, MSAL format)",
        token_path.display()
    );
    expect(saved > 0, "the token cache was written")
}

/// Step 2: a fresh Connection from the saved cache.
async fn continue_sign_in(session: &Session) -> CliResult<Connection> {
    let conn = session.signed_in().await?;
    println!(
        "    flow {} for {}",
        conn.auth_flow(),
        conn.username().unwrap_or_default()
    );
    Ok(conn)
}

/// Step 3: typed pages of the inbox with a progress bar; returns the number of messages.
async fn list_inbox(conn: &Connection) -> CliResult<usize> {
    let mut pages = conn
        .mail()
        .list_mail_folder_messages("inbox")
        .select(["subject", "receivedDateTime", "isRead"])
        .order_by(["receivedDateTime desc"])
        .top(PAGE_SIZE)
        .pages();
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("    {spinner} page {pos}: {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let (mut number, mut count) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        number += 1;
        count += page.value.len();
        bar.inc(1);
        bar.set_message(format!("{count} messages so far"));
        for message in &page.value {
            let subject = message.subject().map_or("", String::as_str);
            bar.suspend(|| println!("    page {number}: {subject}"));
        }
    }
    bar.finish_and_clear();
    println!("    {count} messages in {number} pages");
    Ok(count)
}

/// Step 4: the same typed body as `o365 mail send`.
async fn send_mail(conn: &Connection) -> CliResult {
    let args = MailSendArgs {
        to: vec!["alex@contoso.test".to_owned()],
        subject: Some("Quarterly numbers".to_owned()),
        body: "Attached.".to_owned(),
        html: false,
        data: None,
    };
    let body = super::typed::send_body(&args)?;
    conn.mail().send_mail(&body).send().await?;
    println!("    sendMail accepted (202, no content)");
    Ok(())
}

/// Step 5: a typed event.
async fn create_event(conn: &Connection) -> CliResult {
    let body = serde_json::from_value(json!({
        "subject": "Design review",
        "start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "UTC"},
    }))
    .map_err(|e| Failure::usage(e.to_string()))?;
    let event = conn.calendar().create_event(&body).send().await?;
    println!(
        "    created \"{}\" with id {}",
        event.subject.as_deref().unwrap_or_default(),
        event.id.as_deref().unwrap_or_default()
    );
    Ok(())
}

/// Step 6: the next Graph request is answered 429 once; the pipeline waits and retries.
async fn survive_throttling(emulator: &Emulator, conn: &Connection) -> CliResult {
    emulator.script().throttle_next(
        1,
        GRAPH_PATHS,
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(1),
    );
    let started = Instant::now();
    let folders: Value = conn.get("me/mailFolders", &()).await?.json().await?;
    println!(
        "    {} mail folders after {} throttled attempt, {:.1} s later",
        folders["value"].as_array().map_or(0, Vec::len),
        emulator.counters().throttled(),
        started.elapsed().as_secs_f32()
    );
    expect(
        emulator.counters().throttled() == 1,
        "one request was throttled",
    )
}

/// Step 7: the server forgets the access token; the 401 costs exactly one refresh.
async fn refresh_after_expiry(emulator: &Emulator, conn: &Connection) -> CliResult {
    emulator.script().expire_access_tokens();
    let refreshes = emulator.counters().token_requests("refresh_token");
    let events = conn.calendar().list_events().top(3).send().await?;
    let refreshed = emulator.counters().token_requests("refresh_token") - refreshes;
    println!(
        "    {} events listed after {refreshed} refresh; the new token is saved to the cache",
        events.value.len()
    );
    expect(refreshed == 1, "exactly one refresh")
}

/// Step 8: a raw call for a workload this binary has no typed module for.
async fn raw_me(conn: &Connection) -> CliResult {
    let me: Value = conn
        .get("me", &[("$select", "displayName,mail")])
        .await?
        .json()
        .await?;
    println!(
        "    {} <{}>",
        me["displayName"].as_str().unwrap_or_default(),
        me["mail"].as_str().unwrap_or_default()
    );
    Ok(())
}
