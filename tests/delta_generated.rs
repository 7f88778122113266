//! The generated delta operations as delta streams (`delta_stream`: a delta function's page is
//! a `CollectionPage` of the generated item type), against the emulator:
//! `users/{id}/contacts/microsoft.graph.delta()` decoded into the generated `Contact`, resumed
//! from its cursor after a change.
#![cfg(all(feature = "emulator", feature = "graph-contacts"))]

use futures_util::TryStreamExt;
use o365::delta::Change;
use o365::emulator::Emulator;
use o365::generated::contacts::types::Contact;
use serde_json::json;

#[tokio::test]
async fn generated_contacts_delta_streams_and_resumes() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = em.app_connection().build().unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    let oid = em.user().oid.clone();

    let mut first = conn.contacts().user_delta_contacts(&oid).delta_stream();
    let mut initial = Vec::new();
    while let Some(change) = first.try_next().await.unwrap() {
        initial.push(change);
    }
    assert!(!initial.is_empty());
    assert!(
        initial
            .iter()
            .all(|c| matches!(c, Change::Upserted(Contact { id: Some(_), .. })))
    );
    let cursor = first.cursor().unwrap().clone();

    conn.post(
        &format!("users/{oid}/contacts"),
        json!({"displayName": "Delta Person"}),
    )
    .await
    .unwrap();
    let later: Vec<Change<Contact>> = conn
        .contacts()
        .user_delta_contacts(&oid)
        .delta_stream_from(&cursor)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
    let Change::Upserted(contact) = &later[0] else {
        panic!("{later:?}");
    };
    assert_eq!(contact.display_name.as_deref(), Some("Delta Person"));
}

#[tokio::test]
async fn a_delta_reply_decodes_into_its_generated_page_with_the_delta_link() {
    let page: o365::generated::contacts::types::DeltaContactsResponse = serde_json::from_value(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(contact)",
        "value": [{"id": "c-1", "displayName": "Ada"}, {"id": "c-2", "@removed": {"reason": "deleted"}}],
        "@odata.deltaLink": "https://graph.microsoft.com/v1.0/me/contacts/delta?$deltatoken=abc"
    }))
    .unwrap();
    assert_eq!(page.value.len(), 2);
    assert_eq!(
        page.odata_delta_link.as_deref(),
        Some("https://graph.microsoft.com/v1.0/me/contacts/delta?$deltatoken=abc")
    );
}

#[tokio::test]
async fn a_generated_delta_operation_streams_at_most_its_limit() {
    let em = Emulator::builder().start().await.unwrap();
    let conn = em.app_connection().build().unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    let oid = em.user().oid.clone();
    for name in ["One", "Two", "Three"] {
        conn.post(
            &format!("users/{oid}/contacts"),
            json!({"displayName": name}),
        )
        .await
        .unwrap();
    }
    // `user_delta_contacts` has no OData options (`Plain`) but its reply is a page.
    let limited: Vec<Contact> = conn
        .contacts()
        .user_delta_contacts(&oid)
        .limit(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(limited.len(), 2);
    let all: Vec<Contact> = conn
        .contacts()
        .user_delta_contacts(&oid)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(all.len() >= 3, "{}", all.len());
}
