//! Typed calls end to end, offline: starts the in-process emulator of the identity platform and
//! Graph on 127.0.0.1, signs its test user in (password grant), then runs the README's typed
//! example against it and prints what came back.
//!
//! `cargo run --example typed_calls --features emulator,graph-users,graph-mail,graph-calendar,graph-contacts`

use o365::emulator::{Emulator, PUBLIC_CLIENT_ID};
use o365::protocol::Protocol;
use o365::token::MemoryTokenBackend;
use o365::{AuthFlowType, Connection, Credentials};
use secrecy::ExposeSecret;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder().start().await?;
    let user = emulator.user();
    let conn = Connection::builder(Credentials::client_id(PUBLIC_CLIENT_ID))
        .auth_flow(AuthFlowType::Password)
        .tenant_id(user.tid.clone())
        .authority(emulator.authority())
        .protocol(Protocol::graph_for_host(emulator.base_url()))
        .username(user.preferred_username.clone())
        .password(user.password.expose_secret())
        .token_backend(MemoryTokenBackend::new())
        .build()?;
    let scopes = [
        "User.Read",
        "Mail.ReadWrite",
        "Calendars.ReadWrite",
        "Contacts.ReadWrite",
    ];
    conn.request_token_by_password(&scopes, true).await?;
    println!(
        "emulator on {}, signed in as {}",
        emulator.base_url(),
        user.preferred_username
    );
    typed_calls(&conn, &user.preferred_username).await?;
    Ok(())
}

/// The README's typed example (kept identical to it by `tests/generated_readme.rs`).
async fn typed_calls(conn: &Connection, upn: &str) -> Result<(), Box<dyn std::error::Error>> {
    // README: begin
    use futures_util::TryStreamExt;
    use o365::generated::{contacts, mail};
    use o365::odata::ODataEntity;
    use o365::typed::Patch;

    let page = conn
        .mail()
        .list_messages()
        .top(10)
        .select(["subject", "from"])
        .filter("isRead eq false")
        .send()
        .await?;
    for message in &page.value {
        // `AnyMessage`: a `Message`, an `EventMessage…`, or `Other` (an unknown `@odata.type`,
        // kept whole). Shared fields have accessors; `match` for the rest.
        println!("{:?} {:?}", message.subject(), message.etag()); // etag → .if_match(..)
        if let mail::types::AnyMessage::EventMessageRequest(invite) = message {
            println!("invitation starting {:?}", invite.start_date_time);
        }
    }
    let all: Vec<_> = conn
        .mail()
        .list_messages()
        .limit(200)
        .stream()
        .try_collect()
        .await?;
    println!("{} messages in the mailbox", all.len());
    let me = conn
        .users()
        .get_user(upn)
        .select(["displayName"])
        .send()
        .await?;
    println!("signed in as {:?}", me.display_name);
    let start = chrono::Utc::now();
    let week = conn
        .calendar()
        .list_calendar_view(start, start + chrono::Duration::days(7))
        .send()
        .await?;
    println!("{} events this week", week.value.len());
    // Request bodies are the generated models; PATCH sends the set fields, and `set_null`
    // clears a property explicitly.
    let new: contacts::types::Contact = serde_json::from_value(serde_json::json!({
        "givenName": "Pavel", "surname": "Bansky", "jobTitle": "Product Manager"
    }))?;
    let contact = conn.contacts().create_contact(&new).send().await?;
    let id = contact.id.as_deref().unwrap_or_default();
    let change: contacts::types::Contact =
        serde_json::from_value(serde_json::json!({"companyName": "Fabrikam"}))?;
    conn.contacts()
        .update_contact(id, Patch::new(change).set_null("jobTitle"))
        .send()
        .await?;
    let contact = conn.contacts().get_contact(id).send().await?;
    println!(
        "{:?} at {:?}, job title {:?}",
        contact.given_name, contact.company_name, contact.job_title
    );
    // README: end
    Ok(())
}
