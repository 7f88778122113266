//! Deterministic seed data: three users; for the test user 25 messages (16 in the inbox, 6 sent,
//! 3 drafts; 3 with attachments; every third inbox message unread), 5 events (one weekly
//! series), 4 contacts; a drive with a `Documents` folder and three files
//! ([`drive::SEEDED_ITEMS`](super::drive::SEEDED_ITEMS)).

use serde_json::{Value, json};

use super::drive::Drive;
use super::store::{Directory, Kind};
use crate::emulator::config::TestUser;
use crate::emulator::util;

/// First fixture message time: 2025-03-03T08:00:00Z (a Monday).
pub const FIRST_MESSAGE_AT: i64 = 1_740_988_800;
/// Time between two fixture messages (5 h 13 min).
pub const MESSAGE_SPACING: i64 = 5 * 3600 + 13 * 60;
/// Number of seeded messages per well-known folder: (inbox, sentitems, drafts).
pub const MESSAGE_COUNTS: (usize, usize, usize) = (16, 6, 3);

/// A colleague in the directory: (id, display name, given name, surname, upn/mail, job title).
pub const COLLEAGUES: [(&str, &str, &str, &str, &str, &str); 2] = [
    (
        "c1a2b3d4-0001-4e65-8d0c-0e365e3a0001",
        "Megan Bowen",
        "Megan",
        "Bowen",
        "MeganB@contoso.onmicrosoft.com",
        "Marketing Manager",
    ),
    (
        "c1a2b3d4-0002-4e65-8d0c-0e365e3a0002",
        "Alex Wilber",
        "Alex",
        "Wilber",
        "AlexW@contoso.onmicrosoft.com",
        "Marketing Assistant",
    ),
];

const SUBJECTS: [&str; 25] = [
    "Quarterly report draft",
    "Team offsite logistics",
    "Re: Budget approval",
    "Invoice #4821",
    "Welcome to the project",
    "Design review notes",
    "Lunch on Friday?",
    "Security training reminder",
    "Re: Customer feedback",
    "Release 2.3 checklist",
    "Contract renewal",
    "Travel itinerary",
    "Weekly metrics",
    "Fw: Conference agenda",
    "Hiring update",
    "Server maintenance window",
    "Re: Quarterly report draft",
    "Slides for Monday",
    "Follow-up on the demo",
    "Meeting notes",
    "Question about the invoice",
    "Thanks!",
    "Draft: proposal outline",
    "Draft: vacation request",
    "Draft: reply to Alex",
];

const EXTERNALS: [(&str, &str); 3] = [
    ("Patti Fernandez", "patti@fabrikam.example"),
    ("Contoso Billing", "billing@contoso.example"),
    ("Northwind Travel", "bookings@northwind.example"),
];

fn address(name: &str, address: &str) -> Value {
    json!({"emailAddress": {"name": name, "address": address}})
}

fn user_json(id: &str, name: &str, given: &str, surname: &str, upn: &str, job: &str) -> Value {
    json!({
        "id": id,
        "businessPhones": ["+1 425 555 0109"],
        "displayName": name,
        "givenName": given,
        "jobTitle": job,
        "mail": upn,
        "mobilePhone": null,
        "officeLocation": "18/2111",
        "preferredLanguage": "en-US",
        "surname": surname,
        "userPrincipalName": upn,
    })
}

/// The directory with the fixtures: the test user and two colleagues, with mail, events
/// and contacts for the test user.
pub(crate) fn directory(user: &TestUser) -> Directory {
    let mut dir = Directory::default();
    seed(&mut dir, user);
    dir
}

/// Fills `dir` with the fixtures.
fn seed(dir: &mut Directory, user: &TestUser) {
    let (given, surname) = user.name.split_once(' ').unwrap_or((&user.name, ""));
    dir.users.push(user_json(
        &user.oid,
        &user.name,
        given,
        surname,
        &user.preferred_username,
        "Retail Manager",
    ));
    for (id, name, given, surname, upn, job) in COLLEAGUES {
        dir.users
            .push(user_json(id, name, given, surname, upn, job));
    }
    for u in dir.users.clone() {
        let id = u["id"].as_str().unwrap_or_default();
        for (name, well_known) in [
            ("Inbox", "inbox"),
            ("Sent Items", "sentitems"),
            ("Drafts", "drafts"),
            ("Deleted Items", "deleteditems"),
            ("Archive", "archive"),
        ] {
            dir.add_folder(id, name, Some(well_known));
        }
    }
    seed_messages(dir, user);
    seed_events(dir, user);
    seed_contacts(dir, user);
    if let Some(owner) = dir.user(&user.oid).cloned() {
        dir.drives.insert(user.oid.clone(), Drive::seeded(&owner));
    }
}

/// Where fixture message `i` lies and who wrote it: (folder, from, to, is read, is draft). The
/// inbox holds mail from colleagues and outsiders (every third one unread); sent items and
/// drafts are the test user's to a colleague.
fn placement(i: usize, me: &Value) -> (&'static str, Value, Value, bool, bool) {
    let (inbox, sent, _) = MESSAGE_COUNTS;
    if i < inbox {
        let (name, mail) = if i.is_multiple_of(2) {
            (COLLEAGUES[i % 4 / 2].1, COLLEAGUES[i % 4 / 2].4)
        } else {
            EXTERNALS[i % 3]
        };
        return (
            "inbox",
            address(name, mail),
            me.clone(),
            !i.is_multiple_of(3),
            false,
        );
    }
    let colleague = COLLEAGUES[i % 2];
    let folder = if i < inbox + sent {
        "sentitems"
    } else {
        "drafts"
    };
    (
        folder,
        me.clone(),
        address(colleague.1, colleague.4),
        true,
        folder == "drafts",
    )
}

/// The 25 fixture messages of the test user, three with an attachment.
fn seed_messages(dir: &mut Directory, user: &TestUser) {
    let me = address(&user.name, &user.preferred_username);
    for (i, subject) in SUBJECTS.iter().enumerate() {
        let (folder, from, to, is_read, is_draft) = placement(i, &me);
        let at = FIRST_MESSAGE_AT + i as i64 * MESSAGE_SPACING;
        let body = format!(
            "Hi,\n\nThis is message {} of the emulator fixtures: {subject}.\n\nRegards",
            i + 1
        );
        let has_attachments = matches!(i, 3 | 5 | 17);
        let mailbox = dir.mailbox(&user.oid);
        let folder_id = mailbox.well_known[folder].clone();
        let message = json!({
            "createdDateTime": util::iso(at),
            "lastModifiedDateTime": util::iso(at),
            "receivedDateTime": util::iso(at),
            "sentDateTime": util::iso(at - 30),
            "hasAttachments": has_attachments,
            "internetMessageId": format!("<emu{:04}@contoso.example>", i + 1),
            "subject": subject,
            "bodyPreview": body.replace('\n', " ").chars().take(255).collect::<String>(),
            "importance": if i % 7 == 0 { "high" } else { "normal" },
            "parentFolderId": folder_id,
            "conversationId": util::graph_id("conversation", (i % 20) as u64),
            "isDeliveryReceiptRequested": false,
            "isReadReceiptRequested": false,
            "isRead": is_read,
            "isDraft": is_draft,
            "webLink": format!("https://outlook.office365.com/owa/?ItemID=emu{i}&exvsurl=1&viewmodel=ReadMessageItem"),
            "inferenceClassification": "focused",
            "body": {"contentType": "text", "content": body},
            "sender": from,
            "from": from,
            "toRecipients": [to],
            "ccRecipients": [],
            "bccRecipients": [],
            "replyTo": [],
            "categories": if i % 5 == 0 { json!(["Blue category"]) } else { json!([]) },
            "flag": {"flagStatus": "notFlagged"},
        });
        let stored = dir.insert(&user.oid, Kind::Message, message);
        if has_attachments {
            let id = stored["id"].as_str().unwrap_or_default().to_owned();
            let attachment = attachment(dir, i, at);
            dir.mailbox(&user.oid)
                .attachments
                .insert(id, vec![attachment]);
        }
    }
}

fn attachment(dir: &mut Directory, i: usize, at: i64) -> Value {
    let (name, content_type, content) = match i {
        3 => (
            "invoice-4821.pdf",
            "application/pdf",
            "%PDF-1.4 emulator invoice",
        ),
        5 => (
            "review-notes.txt",
            "text/plain",
            "Design review notes: ship it.",
        ),
        _ => (
            "slides.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PK emulator slides",
        ),
    };
    json!({
        "@odata.type": "#microsoft.graph.fileAttachment",
        "id": dir.new_id("attachment"),
        "lastModifiedDateTime": util::iso(at),
        "name": name,
        "contentType": content_type,
        "size": content.len(),
        "isInline": false,
        "contentId": null,
        "contentBytes": base64::Engine::encode(&base64::engine::general_purpose::STANDARD, content),
    })
}

/// An event body with `start`/`end` in UTC.
pub(crate) fn event(subject: &str, start: i64, minutes: i64, organizer: &Value) -> Value {
    json!({
        "createdDateTime": util::iso(FIRST_MESSAGE_AT - 86_400),
        "lastModifiedDateTime": util::iso(FIRST_MESSAGE_AT - 86_400),
        "subject": subject,
        "bodyPreview": format!("{subject} (emulator fixture)"),
        "body": {"contentType": "text", "content": format!("{subject} (emulator fixture)")},
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": false,
        "isCancelled": false,
        "isOrganizer": true,
        "showAs": "busy",
        "type": "singleInstance",
        "start": {"dateTime": util::iso_local(start), "timeZone": "UTC"},
        "end": {"dateTime": util::iso_local(start + minutes * 60), "timeZone": "UTC"},
        "location": {"displayName": "Conf Room Rainier"},
        "attendees": [],
        "organizer": organizer,
        "recurrence": null,
        "webLink": "https://outlook.office365.com/owa/?itemid=emu&exvsurl=1&path=/calendar/item",
    })
}

fn seed_events(dir: &mut Directory, user: &TestUser) {
    let me = address(&user.name, &user.preferred_username);
    let day = |d: i64, h: i64| FIRST_MESSAGE_AT + (d * 24 + h - 8) * 3600;
    let mut weekly = event("Weekly sync", day(0, 9), 30, &me);
    weekly["type"] = json!("seriesMaster");
    weekly["recurrence"] = json!({
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "sunday"},
        "range": {"type": "endDate", "startDate": "2025-03-03", "endDate": "2025-04-28", "recurrenceTimeZone": "UTC"},
    });
    let colleague = address(COLLEAGUES[0].1, COLLEAGUES[0].4);
    let mut lunch = event("Lunch with Megan", day(3, 12), 60, &me);
    lunch["attendees"] = json!([{"type": "required", "status": {"response": "accepted", "time": "2025-03-01T10:00:00Z"}, "emailAddress": colleague["emailAddress"]}]);
    for e in [
        weekly,
        event("Project review", day(2, 14), 60, &colleague),
        lunch,
        event("Quarterly planning", day(9, 10), 120, &me),
        event("Dentist", day(17, 16), 60, &me),
    ] {
        dir.insert(&user.oid, Kind::Event, e);
    }
}

fn seed_contacts(dir: &mut Directory, user: &TestUser) {
    let contacts = [
        (
            "Patti",
            "Fernandez",
            "patti@fabrikam.example",
            "Fabrikam",
            "President",
        ),
        (
            "Lee",
            "Gu",
            "lee.gu@northwind.example",
            "Northwind Traders",
            "Director",
        ),
        (
            "Megan",
            "Bowen",
            COLLEAGUES[0].4,
            "Contoso",
            COLLEAGUES[0].5,
        ),
        (
            "Lynne",
            "Robbins",
            "lynne@adatum.example",
            "Adatum",
            "Buyer",
        ),
    ];
    for (given, surname, mail, company, job) in contacts {
        let name = format!("{given} {surname}");
        let contact = json!({
            "createdDateTime": util::iso(FIRST_MESSAGE_AT - 30 * 86_400),
            "lastModifiedDateTime": util::iso(FIRST_MESSAGE_AT - 30 * 86_400),
            "displayName": name,
            "givenName": given,
            "surname": surname,
            "emailAddresses": [{"name": name, "address": mail}],
            "businessPhones": ["+1 555 0100"],
            "mobilePhone": null,
            "companyName": company,
            "jobTitle": job,
            "categories": [],
        });
        dir.insert(&user.oid, Kind::Contact, contact);
    }
}
