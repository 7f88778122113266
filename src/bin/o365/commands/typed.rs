//! Typed shortcuts over the generated workload modules: `mail`, `calendar`, `contacts`, `drive`.
//! Results are the generated models, serialized back to JSON for printing.

use std::io::Write;

use futures_util::TryStreamExt;

use o365::Connection;
use o365::generated::{calendar, contacts, drive, mail};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::cli::{
    CalendarCommand, ContactsCommand, DriveCommand, EventArgs, MailCommand, MailListArgs,
    MailSendArgs, OutputFormat,
};
use crate::commands::raw::read_data;
use crate::failure::{CliResult, Failure, from_call};
use crate::output::{self, ItemSink};
use crate::session::Session;

/// Properties `o365 mail list` asks for by default.
const MAIL_COLUMNS: [&str; 5] = ["id", "receivedDateTime", "from", "subject", "isRead"];

/// A generated collection page: its items and `@odata.nextLink`.
pub trait Collection: DeserializeOwned {
    /// The link to the next page.
    fn next_link(&self) -> Option<String>;
    /// The page's items as JSON.
    fn into_items(self) -> Vec<Value>;
}

macro_rules! collection {
    ($($page:ty),* $(,)?) => {$(
        impl Collection for $page {
            fn next_link(&self) -> Option<String> {
                self.odata_next_link.clone()
            }
            fn into_items(self) -> Vec<Value> {
                self.value.iter().map(to_json).collect()
            }
        }
    )*};
}

collection!(
    mail::types::MicrosoftGraphMessageCollectionResponse,
    calendar::types::MicrosoftGraphEventCollectionResponse,
    contacts::types::MicrosoftGraphContactCollectionResponse,
    drive::types::MicrosoftGraphDriveItemCollectionResponse,
);

fn to_json(model: &impl Serialize) -> Value {
    serde_json::to_value(model).unwrap_or(Value::Null)
}

/// `item` with the `columns` first, in that order (generated models serialize alphabetically).
fn in_column_order(item: Value, columns: &[String]) -> Value {
    let Value::Object(mut fields) = item else {
        return item;
    };
    let mut ordered = serde_json::Map::new();
    for column in columns {
        if let Some(value) = fields.remove(column) {
            ordered.insert(column.clone(), value);
        }
    }
    ordered.extend(fields);
    Value::Object(ordered)
}

/// Prints `first` and, with `all`, every following page (typed, via `@odata.nextLink`), each
/// item's `columns` first.
async fn print_pages<P: Collection>(
    conn: &Connection,
    first: P,
    all: bool,
    format: OutputFormat,
    (label, columns): (&str, &[String]),
) -> CliResult {
    let mut sink = ItemSink::new(format);
    let progress = output::item_progress(label);
    let mut page = first;
    loop {
        let next = page.next_link().filter(|_| all);
        for item in page.into_items() {
            progress.inc(1);
            let item = in_column_order(item, columns);
            progress.suspend(|| sink.push(item))?;
        }
        let Some(next) = next else { break };
        page = conn.get(&next, &()).await?.json::<P>().await?;
    }
    progress.finish_and_clear();
    sink.finish()
}

/// `o365 mail …`.
pub async fn mail(session: &Session, cmd: MailCommand, format: OutputFormat) -> CliResult {
    let conn = session.signed_in().await?;
    let client = conn.mail();
    match cmd {
        MailCommand::List(args) => mail_list(&conn, &client, args, format).await,
        MailCommand::Get { id, select } => {
            let select = (!select.is_empty()).then_some(select);
            let message = client
                .get_message(&id, None, select.as_ref(), None)
                .await
                .map_err(from_call)?
                .into_inner();
            output::print_value(format, &to_json(&message))
        }
        MailCommand::Send(args) => {
            let body = send_body(&args)?;
            client.send_mail(&body).await.map_err(from_call)?;
            eprintln!("sent \"{}\" to {}", args.subject, args.to.join(", "));
            Ok(())
        }
    }
}

async fn mail_list(
    conn: &Connection,
    client: &mail::Client,
    args: MailListArgs,
    format: OutputFormat,
) -> CliResult {
    let columns = if args.select.is_empty() {
        MAIL_COLUMNS.map(String::from).to_vec()
    } else {
        args.select
    };
    let orderby = vec!["receivedDateTime desc".to_owned()];
    let filter = args.unread.then_some("isRead eq false");
    let (select, orderby, top) = (Some(&columns), Some(&orderby), Some(args.top));
    let first = match &args.folder {
        Some(folder) => {
            client
                .mail_folder_list_message(
                    folder, None, None, filter, orderby, None, select, None, top,
                )
                .await
        }
        None => {
            client
                .list_message(None, None, filter, orderby, None, select, None, top, None)
                .await
        }
    }
    .map_err(from_call)?
    .into_inner();
    print_pages(conn, first, args.all, format, ("messages", &columns)).await
}

/// The `sendMail` body, typed.
pub fn send_body(args: &MailSendArgs) -> CliResult<mail::types::SendMailBody> {
    let content = if args.body == "-" {
        String::from_utf8_lossy(&read_data("-")?).into_owned()
    } else {
        args.body.clone()
    };
    let recipients: Vec<Value> = args
        .to
        .iter()
        .map(|a| json!({"emailAddress": {"address": a}}))
        .collect();
    let body = json!({
        "message": {
            "subject": args.subject,
            "body": {"contentType": if args.html { "html" } else { "text" }, "content": content},
            "toRecipients": recipients,
        },
        "saveToSentItems": true,
    });
    serde_json::from_value(body).map_err(|e| Failure::usage(format!("invalid mail: {e}")))
}

/// `o365 calendar …`.
pub async fn calendar(session: &Session, cmd: CalendarCommand, format: OutputFormat) -> CliResult {
    let conn = session.signed_in().await?;
    let client = conn.calendar();
    match cmd {
        CalendarCommand::List { top, all } => {
            let first = client
                .list_event(None, None, None, None, None, None, Some(top))
                .await
                .map_err(from_call)?
                .into_inner();
            print_pages(&conn, first, all, format, ("events", &[])).await
        }
        CalendarCommand::View { start, end } => {
            let first = client
                .list_calendar_view(None, None, None, None, None, None, None, &end, &start)
                .await
                .map_err(from_call)?
                .into_inner();
            print_pages(&conn, first, true, format, ("events", &[])).await
        }
        CalendarCommand::Create(args) => {
            let event = client
                .create_event(&event_body(&args)?)
                .await
                .map_err(from_call)?
                .into_inner();
            output::print_value(format, &to_json(&event))
        }
    }
}

/// The event to create, typed.
fn event_body(args: &EventArgs) -> CliResult<calendar::types::MicrosoftGraphEvent> {
    let attendees: Vec<Value> = args
        .attendee
        .iter()
        .map(|a| json!({"emailAddress": {"address": a}, "type": "required"}))
        .collect();
    let mut event = json!({
        "subject": args.subject,
        "start": {"dateTime": args.start, "timeZone": args.timezone},
        "end": {"dateTime": args.end, "timeZone": args.timezone},
        "attendees": attendees,
    });
    if let Some(location) = &args.location {
        event["location"] = json!({"displayName": location});
    }
    serde_json::from_value(event).map_err(|e| Failure::usage(format!("invalid event: {e}")))
}

/// `o365 contacts …`.
pub async fn contacts(session: &Session, cmd: ContactsCommand, format: OutputFormat) -> CliResult {
    let conn = session.signed_in().await?;
    let ContactsCommand::List { top, all } = cmd;
    let first = conn
        .contacts()
        .list_contact(None, None, None, None, None, None, None, Some(top))
        .await
        .map_err(from_call)?
        .into_inner();
    print_pages(&conn, first, all, format, ("contacts", &[])).await
}

/// `o365 drive …`.
pub async fn drive(session: &Session, cmd: DriveCommand, format: OutputFormat) -> CliResult {
    let conn = session.signed_in().await?;
    let client = conn.drive();
    match cmd {
        DriveCommand::Ls { item, top } => {
            let page = match &item {
                Some(id) => client.list_children(id, None, top).await,
                None => client.list_root_children(None, top).await,
            }
            .map_err(from_call)?
            .into_inner();
            print_pages(&conn, page, true, format, ("items", &[])).await
        }
        DriveCommand::Get { item, out: None } => {
            let meta = client
                .get_item(&item, None)
                .await
                .map_err(from_call)?
                .into_inner();
            output::print_value(format, &to_json(&meta))
        }
        DriveCommand::Get {
            item,
            out: Some(path),
        } => {
            let reply = client.download_content(&item).await.map_err(from_call)?;
            let bytes = reply
                .into_inner_stream()
                .try_fold(Vec::new(), |mut all, chunk| async move {
                    all.extend_from_slice(&chunk);
                    Ok(all)
                })
                .await
                .map_err(|e| {
                    Failure::new(
                        crate::failure::Exit::Network,
                        format!("download failed: {e}"),
                    )
                })?;
            if path.as_os_str() == "-" {
                std::io::stdout()
                    .write_all(&bytes)
                    .map_err(|e| Failure::io("cannot write to stdout", e))
            } else {
                std::fs::write(&path, &bytes)
                    .map_err(|e| Failure::io(&format!("cannot write {}", path.display()), e))?;
                eprintln!("saved {} bytes to {}", bytes.len(), path.display());
                Ok(())
            }
        }
        DriveCommand::Put {
            file,
            dest,
            session: force_session,
        } => {
            let uploaded = super::drive_put::run(&conn, &file, &dest, force_session).await?;
            output::print_value(format, &uploaded)
        }
    }
}
