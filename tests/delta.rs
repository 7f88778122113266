//! Delta streams on the wire, against a scripted server: the requests made (initial URL, next
//! links, the delta link of a cursor, headers on every page), `@removed` entries, the cursor,
//! and `410 Gone` handled as a resync.

mod generated_support;
mod support;

use futures_util::TryStreamExt;
use generated_support::setup;
use o365::delta::{Change, DeltaCursor, Removed};
use o365::typed::{Collection, CollectionPage, Request};
use o365::{Connection, ErrorKind};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};
use support::Reply;

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct User {
    id: String,
    #[serde(rename = "displayName")]
    display_name: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserPage {}

impl CollectionPage for UserPage {
    type Item = User;
}

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        display_name: Some(name.into()),
    }
}

#[tokio::test]
async fn pages_removals_and_the_cursor() {
    let (server, conn) = setup(true).await;
    let next = server.url("/v1.0/users/delta?$skiptoken=abc");
    let delta = server.url("/v1.0/users/delta?$deltatoken=tok-1");
    server.push([
        Reply::json(
            200,
            json!({"value": [{"id": "u1", "displayName": "Adele"}], "@odata.nextLink": next}),
        ),
        Reply::json(
            200,
            json!({"value": [
                {"id": "u2", "displayName": "Alex"},
                {"id": "u3", "@removed": {"reason": "changed"}}
            ], "@odata.deltaLink": delta}),
        ),
        Reply::json(
            200,
            json!({"value": [{"id": "u9", "@removed": {"reason": "deleted"}}],
                   "@odata.deltaLink": server.url("/v1.0/users/delta?$deltatoken=tok-2")}),
        ),
    ]);
    let initial = server.url("/v1.0/users/delta?%24select=displayName");
    let cursor = two_pages_bring_two_upserts_a_removal_and_the_cursor(&conn, delta, initial).await;
    resuming_from_the_cursor_brings_the_next_removal(&conn, &cursor).await;
    let requests = server.requests();
    let targets: Vec<&str> = requests.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/v1.0/users/delta?%24select=displayName",
            "/v1.0/users/delta?$skiptoken=abc",
            "/v1.0/users/delta?$deltatoken=tok-1",
        ]
    );
    assert!(
        requests
            .iter()
            .all(|r| r.header("prefer") == Some("return=minimal"))
    );
}

/// The first delta, over the next link to the delta link: Adele, Alex and u3's removal, with
/// the cursor (the delta link and the `$select`ed initial URL) appearing with the last entry.
async fn two_pages_bring_two_upserts_a_removal_and_the_cursor(
    conn: &Connection,
    delta_link: String,
    initial: String,
) -> DeltaCursor {
    let request: Request<UserPage, Collection> = Request::new(conn, Method::GET, "users/delta");
    let mut stream = request
        .select(["displayName"])
        .header("Prefer", "return=minimal")
        .delta_stream();
    let mut got = Vec::new();
    while let Some(change) = stream.try_next().await.unwrap() {
        got.push(change);
        // The cursor appears with the last entry, never before it.
        assert_eq!(stream.cursor().is_some(), got.len() == 3);
    }
    assert_eq!(
        got,
        vec![
            Change::Upserted(user("u1", "Adele")),
            Change::Upserted(user("u2", "Alex")),
            Change::Removed(Removed {
                id: "u3".into(),
                reason: Some("changed".into())
            }),
        ]
    );
    let cursor = stream.cursor().unwrap().clone();
    assert_eq!(
        cursor,
        DeltaCursor {
            delta_link,
            initial,
        }
    );
    cursor
}

/// Resumed from the cursor, the delta link's page brings the one deleted user.
async fn resuming_from_the_cursor_brings_the_next_removal(conn: &Connection, cursor: &DeltaCursor) {
    let request: Request<UserPage, Collection> = Request::new(conn, Method::GET, "users/delta");
    let resumed: Vec<Change<User>> = request
        .header("Prefer", "return=minimal")
        .delta_stream_from(cursor)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        resumed,
        vec![Change::Removed(Removed {
            id: "u9".into(),
            reason: Some("deleted".into())
        })]
    );
}

#[tokio::test]
async fn gone_restarts_from_the_initial_request_after_a_resync_marker() {
    let (server, conn) = setup(true).await;
    let gone = || {
        Reply::json(
            410,
            json!({"error": {"code": "SyncStateNotFound", "message": "gone"}}),
        )
    };
    server.push([
        gone(),
        Reply::json(
            200,
            json!({"value": [{"id": "u1"}], "@odata.deltaLink": server.url("/v1.0/users/delta?$deltatoken=fresh")}),
        ),
    ]);
    let cursor = DeltaCursor::new(
        server.url("/v1.0/users/delta?$deltatoken=old"),
        "users/delta?$select=id",
    );
    let mut stream = conn.delta_from::<Value>(&cursor).unwrap();
    let got: Vec<Change<Value>> = (&mut stream).try_collect().await.unwrap();
    assert_eq!(
        got,
        vec![Change::Resync, Change::Upserted(json!({"id": "u1"}))]
    );
    assert_eq!(
        stream.cursor().unwrap().delta_link,
        server.url("/v1.0/users/delta?$deltatoken=fresh")
    );
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/v1.0/users/delta?$deltatoken=old",
            "/v1.0/users/delta?$select=id"
        ]
    );

    // Without restarts, the 410 is the error; after three resyncs in a row, too.
    server.push([gone()]);
    let err = conn
        .delta_from::<Value>(&cursor)
        .unwrap()
        .restart_on_resync(false)
        .try_next()
        .await
        .unwrap_err();
    assert!(o365::delta::is_resync_required(&err));
    server.push([gone(), gone(), gone(), gone()]);
    let mut looping = conn.delta_from::<Value>(&cursor).unwrap();
    for _ in 0..3 {
        assert_eq!(looping.try_next().await.unwrap(), Some(Change::Resync));
    }
    let err = looping.try_next().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(410));
}

#[tokio::test]
async fn a_last_page_without_links_and_a_bad_item_are_decode_errors() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::json(200, json!({"value": []})),
        Reply::json(200, json!({"value": [{"id": 5}], "@odata.deltaLink": "x"})),
    ]);
    let err = conn
        .delta::<Value>("users/delta")
        .unwrap()
        .try_next()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    let err = conn
        .delta::<User>("users/delta")
        .unwrap()
        .try_next()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
}

#[test]
fn debug_output_leaves_tokens_out() {
    let cursor = DeltaCursor::new(
        "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=secret-sync-state",
        "users/delta?$filter=mail eq 'a@b.c'",
    );
    let shown = format!("{cursor:?}");
    assert!(
        !shown.contains("secret-sync-state") && !shown.contains("a@b.c"),
        "{shown}"
    );
    assert!(shown.contains("users/delta"), "{shown}");
}
