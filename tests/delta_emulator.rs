//! Delta queries against the emulator's change log: the initial sync across pages, then add,
//! update, delete and move-out replayed from the saved cursor, an unchanged folder, and a
//! forgotten sync state (410) that starts the query over.
#![cfg(feature = "emulator")]

mod emulator_support;

use std::collections::BTreeSet;

use emulator_support::{app_connection, post_json};
use futures_util::TryStreamExt;
use o365::Connection;
use o365::delta::{Change, DeltaCursor, DeltaStream};
use o365::emulator::Emulator;
use o365::typed::{Collection, CollectionPage, Request};
use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

#[derive(Debug, Clone, Deserialize, PartialEq)]
struct Message {
    id: String,
    subject: Option<String>,
    #[serde(rename = "isRead")]
    is_read: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct MessagePage {}

impl CollectionPage for MessagePage {
    type Item = Message;
}

fn inbox_delta(conn: &Connection, user: &str) -> Request<MessagePage, Collection> {
    Request::new(
        conn,
        Method::GET,
        &format!("{user}/mailFolders/inbox/messages/delta"),
    )
    .select(["subject", "isRead"])
    .header("Prefer", "odata.maxpagesize=5")
}

/// Every change of `stream`, to its end.
async fn drain<T: DeserializeOwned + Send + Unpin + 'static>(
    stream: &mut DeltaStream<T>,
) -> Vec<Change<T>> {
    let mut out = Vec::new();
    while let Some(change) = stream.try_next().await.unwrap() {
        out.push(change);
    }
    out
}

#[tokio::test]
async fn initial_sync_then_add_update_delete_and_move_from_the_cursor() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = app_connection(&em).await;
    let user = format!("users/{}", em.user().oid);

    let (ids, cursor) = sync_the_inbox_initially(&conn, &user).await;
    let quiet_cursor = resume_with_nothing_changed(&conn, &user, &cursor).await;
    let new_id = add_update_delete_and_move_one(&conn, &user, &ids).await;

    let mut changes = inbox_delta(&conn, &user).delta_stream_from(&quiet_cursor);
    let got = drain(&mut changes).await;
    assert_the_four_changes(&got, &ids, &new_id);
    // Every page carried the Prefer header.
    let counters = em.counters();
    let delta_path = format!("/v1.0/{user}/mailFolders/inbox/messages/delta");
    assert_eq!(counters.requests("GET", &delta_path), 4 + 1 + 1);
    assert_eq!(
        counters.last_request_headers().unwrap()["prefer"],
        "odata.maxpagesize=5"
    );

    // Resuming from the same cursor again replays the same changes (the token is not used up).
    let mut again = inbox_delta(&conn, &user).delta_stream_from(&quiet_cursor);
    assert_eq!(drain(&mut again).await.len(), 4);
}

/// The initial sync: every inbox message once, across pages of 5, as upserts; returns their ids
/// and the cursor, after a round trip through storage.
async fn sync_the_inbox_initially(conn: &Connection, user: &str) -> (Vec<String>, DeltaCursor) {
    let (inbox_count, _, _) = o365::emulator::fixtures::MESSAGE_COUNTS;
    let mut first = inbox_delta(conn, user).delta_stream();
    let initial = drain(&mut first).await;
    assert_eq!(initial.len(), inbox_count);
    assert_eq!(first.pages_read(), 4); // 16 messages, 5 per page
    let ids: Vec<String> = initial
        .iter()
        .map(|c| match c {
            Change::Upserted(m) => m.id.clone(),
            other => panic!("initial sync gave {other:?}"),
        })
        .collect();
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), inbox_count);
    let cursor = first.cursor().unwrap().clone();
    assert!(
        cursor.delta_link.contains("$deltatoken="),
        "{}",
        cursor.delta_link
    );
    assert!(
        cursor
            .initial
            .ends_with("/mailFolders/inbox/messages/delta?%24select=subject%2CisRead")
    );
    // The cursor survives a round trip through storage.
    let stored = serde_json::to_string(&cursor).unwrap();
    (ids, serde_json::from_str(&stored).unwrap())
}

/// Nothing changed yet: one page, no entries, a new cursor (returned).
async fn resume_with_nothing_changed(
    conn: &Connection,
    user: &str,
    cursor: &DeltaCursor,
) -> DeltaCursor {
    let mut quiet = inbox_delta(conn, user).delta_stream_from(cursor);
    assert!(drain(&mut quiet).await.is_empty());
    let quiet_cursor = quiet.cursor().unwrap().clone();
    assert_ne!(quiet_cursor.delta_link, cursor.delta_link);
    quiet_cursor
}

/// Adds a message, marks `ids[0]` read, deletes `ids[1]` and moves `ids[2]` out of the folder;
/// returns the new message's id.
async fn add_update_delete_and_move_one(conn: &Connection, user: &str, ids: &[String]) -> String {
    let created = post_json(
        conn,
        &format!("{user}/mailFolders/inbox/messages"),
        json!({"subject": "New arrival"}),
    )
    .await;
    let new_id = created["id"].as_str().unwrap().to_owned();
    conn.patch(
        &format!("{user}/messages/{}", ids[0]),
        json!({"isRead": true}),
    )
    .await
    .unwrap();
    conn.delete(&format!("{user}/messages/{}", ids[1]))
        .await
        .unwrap();
    conn.post(
        &format!("{user}/messages/{}/move", ids[2]),
        json!({"destinationId": "archive"}),
    )
    .await
    .unwrap();
    new_id
}

/// The added and the updated message come as upserts (the update with its new state), the
/// deleted and the moved-out one as removals: four changes.
fn assert_the_four_changes(got: &[Change<Message>], ids: &[String], new_id: &str) {
    let upserted: Vec<&Message> = got
        .iter()
        .filter_map(|c| match c {
            Change::Upserted(m) => Some(m),
            _ => None,
        })
        .collect();
    let removed: BTreeSet<(String, Option<String>)> = got
        .iter()
        .filter_map(|c| match c {
            Change::Removed(r) => Some((r.id.clone(), r.reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        upserted
            .iter()
            .map(|m| m.id.as_str())
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([ids[0].as_str(), new_id])
    );
    let updated = upserted.iter().find(|m| m.id == ids[0]).unwrap();
    assert_eq!(updated.is_read, Some(true));
    assert_eq!(
        removed,
        BTreeSet::from([
            (ids[1].clone(), Some("deleted".to_owned())),
            (ids[2].clone(), Some("deleted".to_owned())),
        ])
    );
    assert_eq!(got.len(), 4);
}

#[tokio::test]
async fn a_forgotten_sync_state_restarts_the_query_with_a_resync_marker() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = app_connection(&em).await;
    let user = format!("users/{}", em.user().oid);
    let first = conn
        .delta::<Value>(&format!("{user}/contacts/delta"))
        .unwrap();
    let initial = first.try_collect::<Vec<_>>().await.unwrap();
    assert!(!initial.is_empty());
    let cursor = {
        let mut s = conn
            .delta::<Value>(&format!("{user}/contacts/delta"))
            .unwrap();
        while s.try_next().await.unwrap().is_some() {}
        s.cursor().unwrap().clone()
    };
    em.expire_delta_tokens();

    let mut resumed = conn.delta_from::<Value>(&cursor).unwrap();
    let got = drain(&mut resumed).await;
    assert_eq!(got[0], Change::Resync);
    assert_eq!(got.len(), 1 + initial.len());
    assert!(got[1..].iter().all(|c| matches!(c, Change::Upserted(_))));
    assert!(resumed.cursor().is_some());

    em.expire_delta_tokens();
    let mut strict = conn
        .delta_from::<Value>(resumed.cursor().unwrap())
        .unwrap()
        .restart_on_resync(false);
    let err = strict.try_next().await.unwrap_err();
    assert!(o365::delta::is_resync_required(&err));
    assert_eq!(err.graph_error().unwrap().code, "SyncStateNotFound");
}

#[tokio::test]
async fn users_delta_reports_the_directory() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = app_connection(&em).await;
    let mut users = conn.delta::<Value>("users/delta").unwrap();
    let all = drain(&mut users).await;
    let names: BTreeSet<String> = all
        .iter()
        .filter_map(|c| match c {
            Change::Upserted(u) => u["userPrincipalName"].as_str().map(str::to_owned),
            _ => None,
        })
        .collect();
    assert!(names.contains(&em.user().preferred_username), "{names:?}");
    let cursor = users.cursor().unwrap().clone();
    let mut quiet = conn.delta_from::<Value>(&cursor).unwrap();
    assert!(drain(&mut quiet).await.is_empty());
}

#[tokio::test]
async fn calendar_view_and_drive_deltas_follow_changes() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = app_connection(&em).await;
    let user = format!("users/{}", em.user().oid);

    calendar_view_delta_follows_a_new_event(&conn, &user).await;
    drive_delta_follows_a_delete_and_an_upload(&conn, &user).await;
}

/// A calendar view's delta keeps its window in the cursor and then brings the one new event.
async fn calendar_view_delta_follows_a_new_event(conn: &Connection, user: &str) {
    let window = format!(
        "{user}/calendarView/delta?startDateTime=2020-01-01T00:00:00Z&endDateTime=2035-01-01T00:00:00Z"
    );
    let mut first = conn.delta::<Value>(&window).unwrap();
    let initial = drain(&mut first).await;
    assert!(!initial.is_empty());
    let cursor = first.cursor().unwrap().clone();
    assert!(
        cursor.delta_link.contains("startDateTime="),
        "{}",
        cursor.delta_link
    );
    let created = post_json(
        conn,
        &format!("{user}/events"),
        json!({"subject": "Delta review",
                   "start": {"dateTime": "2030-06-01T10:00:00", "timeZone": "UTC"},
                   "end": {"dateTime": "2030-06-01T11:00:00", "timeZone": "UTC"}}),
    )
    .await;
    let mut later = conn.delta_from::<Value>(&cursor).unwrap();
    let changes = drain(&mut later).await;
    assert_eq!(changes.len(), 1, "{changes:?}");
    let Change::Upserted(event) = &changes[0] else {
        panic!("{changes:?}");
    };
    assert_eq!(event["id"], created["id"]);
    assert_eq!(event["subject"], "Delta review");
}

/// The drive's delta lists the seeded files, then the deleted one as removed and the uploaded
/// one as upserted.
async fn drive_delta_follows_a_delete_and_an_upload(conn: &Connection, user: &str) {
    let mut drive = conn
        .delta::<Value>(&format!("{user}/drive/root/microsoft.graph.delta()"))
        .unwrap();
    let items = drain(&mut drive).await;
    let names: BTreeSet<String> = items
        .iter()
        .filter_map(|c| match c {
            Change::Upserted(i) => i["name"].as_str().map(str::to_owned),
            _ => None,
        })
        .collect();
    assert!(names.contains("notes.txt"), "{names:?}");
    let cursor = drive.cursor().unwrap().clone();
    let notes = o365::emulator::drive::SEEDED_ITEMS[1].0;
    conn.delete(&format!("{user}/drive/items/{notes}"))
        .await
        .unwrap();
    let uploaded: Value = conn
        .put(
            &format!("{user}/drive/root:/fresh.txt:/content"),
            "new file",
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut later = conn.delta_from::<Value>(&cursor).unwrap();
    let changes = drain(&mut later).await;
    assert!(
        changes.contains(&Change::Removed(o365::delta::Removed {
            id: notes.to_owned(),
            reason: Some("deleted".into())
        })),
        "{changes:?}"
    );
    assert!(
        changes
            .iter()
            .any(|c| matches!(c, Change::Upserted(i) if i["id"] == uploaded["id"])),
        "{changes:?}"
    );
}
