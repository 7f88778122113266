//! Typed shortcuts over the generated workload modules: `mail`, `calendar`, `contacts`, `drive`.
//! Results are the generated models, serialized back to JSON for printing.

use std::io::Write;

use futures_util::TryStreamExt;

use o365::generated::{calendar, mail};
use o365::typed::{Collection, CollectionPage, Request};
use serde::Serialize;
use serde_json::{Value, json};

use crate::cli::{
    CalendarCommand, ContactsCommand, DriveCommand, EventArgs, MailCommand, MailListArgs,
    MailSendArgs, OutputFormat,
};
use crate::commands::raw::read_data;
use crate::failure::{CliResult, Exit, Failure};
use crate::output::{self, ItemSink};
use crate::session::Session;

/// Properties `o365 mail list` asks for by default.
const MAIL_COLUMNS: [&str; 5] = ["id", "receivedDateTime", "from", "subject", "isRead"];

/// A `--top` value as the `$top` page size (Graph caps pages far below `u32::MAX`).
fn page_size(top: u64) -> u32 {
    u32::try_from(top).unwrap_or(u32::MAX)
}

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

/// Prints the first page of `listing` and, with `all`, every following page (typed items,
/// `@odata.nextLink` followed through the pipeline), each item's `columns` first.
async fn print_pages<P>(
    listing: Request<P, Collection>,
    all: bool,
    format: OutputFormat,
    (label, columns): (&str, &[String]),
) -> CliResult
where
    P: CollectionPage,
    P::Item: Serialize,
{
    let mut sink = ItemSink::new(format);
    let progress = output::item_progress(label);
    let mut pages = listing.pages();
    while let Some(page) = pages.try_next().await? {
        for item in &page.value {
            progress.inc(1);
            let item = in_column_order(to_json(item), columns);
            progress.suspend(|| sink.push(item))?;
        }
        if !all {
            break;
        }
    }
    progress.finish_and_clear();
    sink.finish()
}

/// `o365 mail …`.
pub async fn mail(
    session: &Session,
    cmd: MailCommand,
    format: OutputFormat,
    validate: bool,
) -> CliResult {
    let conn = session.signed_in().await?;
    let client = conn.mail();
    match cmd {
        MailCommand::List(args) => mail_list(&client, args, format).await,
        MailCommand::Get { id, select } => {
            let mut request = client.get_message(&id);
            if !select.is_empty() {
                request = request.select(&select);
            }
            output::print_value(format, &to_json(&request.send().await?))
        }
        MailCommand::Send(args) => {
            let body = typed_body(args.data.as_deref(), "mail::send_mail", validate, || {
                send_body(&args)
            })?;
            client.send_mail(&body).send().await?;
            match &args.subject {
                Some(subject) => eprintln!("sent \"{subject}\" to {}", args.to.join(", ")),
                None => eprintln!("sent"),
            }
            Ok(())
        }
    }
}

async fn mail_list(client: &mail::Client, args: MailListArgs, format: OutputFormat) -> CliResult {
    let columns = if args.select.is_empty() {
        MAIL_COLUMNS.map(String::from).to_vec()
    } else {
        args.select
    };
    let mut listing = match &args.folder {
        Some(folder) => client.list_mail_folder_messages(folder),
        None => client.list_messages(),
    }
    .select(&columns)
    .order_by(["receivedDateTime desc"])
    .top(page_size(args.top));
    if args.unread {
        listing = listing.filter("isRead eq false");
    }
    print_pages(listing, args.all, format, ("messages", &columns)).await
}

/// A typed command's body: the JSON given with `--data` (checked against the operation's
/// schema as written, then decoded into its model), or the one `from_flags` builds (checked
/// after encoding). Either way a bad body is a usage error before anything is sent.
fn typed_body<T: serde::de::DeserializeOwned + Serialize>(
    data: Option<&str>,
    operation: &str,
    validate: bool,
    from_flags: impl FnOnce() -> CliResult<T>,
) -> CliResult<T> {
    let Some(data) = data else {
        let body = from_flags()?;
        if validate {
            super::schema::check_typed(operation, &body)?;
        }
        return Ok(body);
    };
    let value: Value = serde_json::from_slice(&read_data(data)?)
        .map_err(|e| Failure::usage(format!("the --data body is not JSON: {e}")))?;
    if validate {
        super::schema::check_value(operation, &value)?;
    }
    serde_json::from_value(value)
        .map_err(|e| Failure::usage(format!("the --data body does not fit {operation}: {e}")))
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
            "subject": args.subject.as_deref().unwrap_or_default(),
            "body": {"contentType": if args.html { "html" } else { "text" }, "content": content},
            "toRecipients": recipients,
        },
        "saveToSentItems": true,
    });
    serde_json::from_value(body).map_err(|e| Failure::usage(format!("invalid mail: {e}")))
}

/// `o365 calendar …`.
pub async fn calendar(
    session: &Session,
    cmd: CalendarCommand,
    format: OutputFormat,
    validate: bool,
) -> CliResult {
    let conn = session.signed_in().await?;
    let client = conn.calendar();
    match cmd {
        CalendarCommand::List { top, all } => {
            print_pages(
                client.list_events().top(page_size(top)),
                all,
                format,
                ("events", &[]),
            )
            .await
        }
        CalendarCommand::View { start, end } => {
            let (start, end) = (date_time(&start)?, date_time(&end)?);
            print_pages(
                client.list_calendar_view(start, end),
                true,
                format,
                ("events", &[]),
            )
            .await
        }
        CalendarCommand::Create(args) => {
            let body = typed_body(
                args.data.as_deref(),
                "calendar::create_event",
                validate,
                || event_body(&args),
            )?;
            let event = client.create_event(&body).send().await?;
            output::print_value(format, &to_json(&event))
        }
    }
}

/// A command-line date-time: RFC 3339 (`2026-12-01T10:00:00Z`), or without an offset (UTC).
fn date_time(text: &str) -> CliResult<chrono::DateTime<chrono::Utc>> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .map(|t| t.and_utc())
        .map_err(|_| {
            Failure::usage(format!(
                "{text:?} is not a date-time like 2026-12-01T10:00:00"
            ))
        })
}

/// The event to create, typed.
fn event_body(args: &EventArgs) -> CliResult<calendar::types::Event> {
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
    let listing = conn.contacts().list_contacts().top(page_size(top));
    print_pages(listing, all, format, ("contacts", &[])).await
}

/// `o365 drive …`.
pub async fn drive(session: &Session, cmd: DriveCommand, format: OutputFormat) -> CliResult {
    let conn = session.signed_in().await?;
    let client = conn.drive();
    match cmd {
        DriveCommand::Ls { item, top } => {
            let mut listing = match &item {
                Some(id) => client.list_children(id),
                None => client.list_root_children(),
            };
            if let Some(top) = top {
                listing = listing.top(page_size(top));
            }
            print_pages(listing, true, format, ("items", &[])).await
        }
        DriveCommand::Get { item, out: None } => {
            let meta = client.get_item(&item).send().await?;
            output::print_value(format, &to_json(&meta))
        }
        DriveCommand::Get {
            item,
            out: Some(path),
        } => {
            // Streamed chunk by chunk: a large file is never held in memory.
            let reply = client.download_content(&item).send().await?;
            let mut chunks = std::pin::pin!(reply.bytes_stream());
            let mut sink: Box<dyn Write> = if path.as_os_str() == "-" {
                Box::new(std::io::stdout().lock())
            } else {
                let file = std::fs::File::create(&path)
                    .map_err(|e| Failure::io(&format!("cannot write {}", path.display()), e))?;
                Box::new(std::io::BufWriter::new(file))
            };
            let mut total = 0usize;
            while let Some(chunk) = chunks
                .try_next()
                .await
                .map_err(|e| Failure::new(Exit::Network, format!("download failed: {e}")))?
            {
                sink.write_all(&chunk)
                    .map_err(|e| Failure::io("cannot write the download", e))?;
                total += chunk.len();
            }
            sink.flush()
                .map_err(|e| Failure::io("cannot write the download", e))?;
            if path.as_os_str() != "-" {
                eprintln!("saved {total} bytes to {}", path.display());
            }
            Ok(())
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
