//! The whole user story, offline: `cargo run --example demo --features emulator`.
//!
//! Starts the built-in emulator of the identity platform and Graph on 127.0.0.1 and drives it
//! with the real client: sign-in with the token saved to a file, a query across pages, sending a
//! mail, creating an event, a throttled request retried after `Retry-After`, an expired token,
//! and a raw call to an endpoint nothing else maps.

use std::time::Duration;

use futures_util::TryStreamExt;
use o365::emulator::{Emulator, GRAPH_PATHS, PUBLIC_CLIENT_ID, StatusCode};
use o365::identity::DeviceCodePrompt;
use o365::odata::Page;
use o365::protocol::Protocol;
use o365::token::FileTokenBackend;
use o365::{AuthFlow, Connection, Credentials, Json};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Message {
    subject: String,
    is_read: bool,
}

fn step(n: u32, text: &str) {
    println!("\n[{n}] {text}");
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder()
        .device_code_interval(Duration::from_secs(1))
        .start()
        .await?;
    println!("emulator listening on {}", emulator.base_url());
    let dir = tempfile::tempdir()?;
    let token_file = dir.path().join("o365_token.txt");

    let conn = Connection::builder(Credentials::client_id(PUBLIC_CLIENT_ID))
        .auth_flow(AuthFlow::Public)
        .protocol(Protocol::graph_for_host(emulator.base_url()))
        .authority(emulator.authority())
        .token_backend(FileTokenBackend::new(&token_file))
        .requests_delay(Duration::from_millis(50))
        .build()?;

    step(
        1,
        "device-code sign-in (the emulator approves it); the token cache is saved",
    );
    let scopes = ["Mail.ReadWrite", "Mail.Send", "Calendars.ReadWrite"];
    let show = |prompt: &DeviceCodePrompt| println!("    {}", prompt.message);
    let account = conn
        .request_token_by_device_code(&scopes, show, std::future::pending(), true)
        .await?;
    println!(
        "    signed in as {}; token saved to {}",
        account.map(|a| a.username).unwrap_or_default(),
        token_file.display()
    );

    step(
        2,
        "list unread messages, newest first, 4 per page, following @odata.nextLink",
    );
    let q = conn.protocol().query();
    let query = (q.equals("is_read", false)
        & q.orderby([("received_date_time", false)])
        & q.select(["subject", "is_read"])
        & q.top(4))
    .params()?;
    let mut pages = conn.pages::<Message, _>("me/messages", &query)?;
    let (mut page_count, mut item_count) = (0, 0);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        item_count += page.value.len();
        for m in &page.value {
            assert!(!m.is_read);
            println!("    page {page_count}: {}", m.subject);
        }
    }
    println!("    {item_count} unread messages in {page_count} pages");

    step(3, "send a mail");
    let mail = json!({"message": {"subject": "Quarterly numbers", "body": {"contentType": "Text", "content": "Attached."},
        "toRecipients": [{"emailAddress": {"address": "alex@contoso.test"}}]}});
    let sent = conn.post("me/sendMail", Json(&mail)).await?;
    println!("    sendMail answered {}", sent.status());

    step(4, "create an event");
    let event = json!({"subject": "Design review", "start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "UTC"},
        "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "UTC"}});
    let created: serde_json::Value = conn.post("me/events", Json(&event)).await?.json().await?;
    println!("    created event {}", created["id"]);

    step(
        5,
        "the service throttles: 429 with Retry-After: 1, retried by the pipeline",
    );
    emulator.script().throttle_next(
        1,
        GRAPH_PATHS,
        StatusCode::TOO_MANY_REQUESTS,
        Duration::from_secs(1),
    );
    let folders: Page<serde_json::Value> = conn.get("me/mailFolders", &()).await?.json().await?;
    println!(
        "    {} mail folders after {} throttled attempt(s)",
        folders.value.len(),
        emulator.counters().throttled()
    );

    step(
        6,
        "a raw call to an endpoint with no typed mapping (calendarView)",
    );
    let view: Vec<serde_json::Value> = conn
        .items(
            "me/calendarView",
            &[
                ("startDateTime", "2026-12-01T00:00:00Z"),
                ("endDateTime", "2026-12-02T00:00:00Z"),
            ],
            None,
        )?
        .try_collect()
        .await?;
    println!("    {} event(s) on 2026-12-01", view.len());

    step(7, "the access token expires on the server side");
    emulator.script().expire_access_tokens();
    match conn.get("me", &()).await {
        Ok(me) => println!(
            "    refreshed once ({} refresh-token grant) and continued: {}",
            emulator.counters().token_requests("refresh_token"),
            me.status()
        ),
        Err(e) => println!(
            "    {e} (kind: {:?}, refresh-token grants: {})",
            e.kind(),
            emulator.counters().token_requests("refresh_token")
        ),
    }

    println!(
        "\ndemo finished: {} requests reached the emulator",
        emulator.counters().total_requests()
    );
    Ok(())
}
