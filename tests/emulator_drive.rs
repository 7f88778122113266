//! Contract tests of the emulated OneDrive subset, with reqwest as the client.
#![cfg(feature = "emulator")]

mod emulator_support;

use emulator_support::{app_token, get, http, send, status_and_json, user_token};
use o365::emulator::Emulator;
use o365::emulator::drive::{ROOT_ID, SEEDED_ITEMS};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NOTES_ID: &str = SEEDED_ITEMS[1].0;
const DOCUMENTS_ID: &str = SEEDED_ITEMS[0].0;

fn names(page: &Value) -> Vec<&str> {
    page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

/// PUTs raw bytes with a bearer token (or none); returns the status and the JSON answer.
async fn put_bytes(
    url: &str,
    bearer: Option<&str>,
    bytes: &[u8],
    range: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = http().put(url).body(bytes.to_vec());
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(range) = range {
        request = request.header("content-range", range);
    }
    status_and_json(request.send().await.unwrap()).await
}

async fn download(em: &Emulator, path: &str, token: &str) -> (StatusCode, String, Vec<u8>) {
    let response = http()
        .get(format!("{}{path}", em.graph_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let mime = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        response.status(),
        mime,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn drive_root_and_seeded_items() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (status, drive) = get(&em, "me/drive", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(drive["driveType"], "business");
    assert_eq!(drive["owner"]["user"]["id"], em.user().oid.as_str());
    let drive_id = drive["id"].as_str().unwrap();

    let (_, root) = get(&em, "me/drive/root", &token).await;
    assert_eq!(root["id"], ROOT_ID);
    assert_eq!(root["folder"]["childCount"], 2);
    assert!(root["root"].is_object());

    let (_, children) = get(&em, "me/drive/root/children", &token).await;
    assert_eq!(names(&children), ["Documents", "notes.txt"]);
    let notes = &children["value"][1];
    assert_eq!(notes["id"], NOTES_ID);
    assert_eq!(notes["file"]["mimeType"], "text/plain");
    assert_eq!(notes["size"], SEEDED_ITEMS[1].4.len());
    assert_eq!(notes["lastModifiedDateTime"], "2025-03-03T09:30:00Z");
    assert_eq!(notes["parentReference"]["id"], ROOT_ID);
    assert_eq!(notes["parentReference"]["driveId"], drive_id);
    assert_eq!(notes["parentReference"]["path"], "/drive/root:");

    let (_, docs) = get(
        &em,
        &format!("me/drive/items/{DOCUMENTS_ID}/children"),
        &token,
    )
    .await;
    assert_eq!(names(&docs), ["Budget 2025.xlsx", "Quarterly report.docx"]);
    assert_eq!(
        docs["value"][0]["parentReference"]["path"],
        "/drive/root:/Documents"
    );

    let (status, item) = get(
        &em,
        &format!("me/drive/items/{NOTES_ID}?$select=name"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["name"], "notes.txt");
    assert!(item.get("size").is_none());

    let (status, missing) = get(&em, "me/drive/items/nope", &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(missing["error"]["code"], "itemNotFound");
}

#[tokio::test]
async fn content_download_replace_and_create_by_path() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    the_notes_are_downloaded_then_replaced(&em, &token).await;
    let id = a_file_put_by_path_is_created_then_replaced(&em, &token).await;

    let (status, _, _) = download(
        &em,
        &format!("me/drive/items/{DOCUMENTS_ID}/content"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _) = send(
        &em,
        Method::DELETE,
        &format!("me/drive/items/{id}"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = get(&em, &format!("me/drive/items/{id}"), &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The seeded notes download as text; a PUT of new bytes keeps the id and changes size, eTag and
/// content.
async fn the_notes_are_downloaded_then_replaced(em: &Emulator, token: &str) {
    let content = format!("me/drive/items/{NOTES_ID}/content");
    let (status, mime, bytes) = download(em, &content, token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mime, "text/plain");
    assert_eq!(bytes, SEEDED_ITEMS[1].4);

    let url = format!("{}{content}", em.graph_url());
    let (status, item) = put_bytes(&url, Some(token), b"new text", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["id"], NOTES_ID);
    assert_eq!(item["size"], 8);
    assert_ne!(item["eTag"], json!(format!("\"{{{NOTES_ID}}},1\"")));
    assert_eq!(download(em, &content, token).await.2, b"new text");
}

/// A PUT to a path creates the file in that folder (found again by its path in lower case,
/// downloaded as text); a second PUT replaces it. Returns the file's id.
async fn a_file_put_by_path_is_created_then_replaced(em: &Emulator, token: &str) -> String {
    let by_path = format!(
        "{}me/drive/root:/Projects/Plans/plan.md:/content",
        em.graph_url()
    );
    let (status, created) = put_bytes(&by_path, Some(token), b"# Plan", None).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(created["name"], "plan.md");
    assert_eq!(created["size"], 6);
    assert_eq!(
        created["parentReference"]["path"],
        "/drive/root:/Projects/Plans"
    );
    let id = created["id"].as_str().unwrap();
    let (_, fetched) = get(em, "me/drive/root:/projects/plans/plan.md", token).await;
    assert_eq!(fetched["id"], id);
    let (_, mime, bytes) = download(em, &format!("me/drive/items/{id}/content"), token).await;
    assert_eq!(
        (mime.as_str(), bytes.as_slice()),
        ("text/plain", &b"# Plan"[..])
    );

    let (status, replaced) = put_bytes(&by_path, Some(token), b"# Plan v2", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(replaced["id"], id);
    id.to_owned()
}

#[tokio::test]
async fn upload_session_takes_ranges_and_returns_the_item() {
    let em = Emulator::builder().start().await.unwrap();
    let token = user_token(&em);
    let (status, session) = send(
        &em,
        Method::POST,
        "me/drive/root:/Documents/big.bin:/createUploadSession",
        &token,
        Some(json!({"item": {"@microsoft.graph.conflictBehavior": "replace"}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(session["nextExpectedRanges"], json!(["0-"]));
    let upload_url = session["uploadUrl"].as_str().unwrap();
    assert!(upload_url.starts_with(em.base_url()), "{upload_url}");

    let data: Vec<u8> = (0..25u8).collect();
    let (status, progress) = put_bytes(upload_url, None, &data[..10], Some("bytes 0-9/25")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(progress["nextExpectedRanges"], json!(["10-"]));
    // A fragment that does not continue where the last one ended is refused.
    let (status, error) = put_bytes(upload_url, None, &data[12..], Some("bytes 12-24/25")).await;
    assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(error["error"]["code"], "invalidRange");
    let (status, item) = put_bytes(upload_url, None, &data[10..], Some("bytes 10-24/25")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(item["name"], "big.bin");
    assert_eq!(item["size"], 25);
    assert_eq!(item["parentReference"]["id"], DOCUMENTS_ID);
    let id = item["id"].as_str().unwrap();
    let (_, _, bytes) = download(&em, &format!("me/drive/items/{id}/content"), &token).await;
    assert_eq!(bytes, data);
    // The session is closed once complete.
    let (status, _) = put_bytes(upload_url, None, &data[..1], Some("bytes 0-0/25")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Replacing an existing item through a session answers 200.
    let (_, session) = send(
        &em,
        Method::POST,
        &format!("me/drive/items/{NOTES_ID}/createUploadSession"),
        &token,
        Some(json!({})),
    )
    .await;
    let (status, item) = put_bytes(
        session["uploadUrl"].as_str().unwrap(),
        None,
        b"abc",
        Some("bytes 0-2/3"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (item["id"].as_str(), item["size"].as_u64()),
        (Some(NOTES_ID), Some(3))
    );
}

#[tokio::test]
async fn users_drive_works_app_only_and_other_users_start_empty() {
    let em = Emulator::builder().start().await.unwrap();
    let token = app_token(&em).await;
    let oid = em.user().oid.clone();
    let (status, children) = get(&em, &format!("users/{oid}/drive/root/children"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&children), ["Documents", "notes.txt"]);
    let (status, page) = get(
        &em,
        &format!("users/{oid}/drive/items/{DOCUMENTS_ID}/children?$top=1"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(names(&page), ["Budget 2025.xlsx"]);
    let (_, next) = get(&em, page["@odata.nextLink"].as_str().unwrap(), &token).await;
    assert_eq!(names(&next), ["Quarterly report.docx"]);

    let colleague = o365::emulator::fixtures::COLLEAGUES[0].4;
    let (status, empty) = get(
        &em,
        &format!("users/{colleague}/drive/root/children"),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        empty
            .get("value")
            .is_some_and(|v| v.as_array().unwrap().is_empty())
    );
    let (status, _) = get(&em, "me/drive", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
