//! The widened drive workload: Graph's OneDrive payloads decode into the generated models (facets
//! typed, instance annotations kept), and typed calls put the documented request on the wire.

#![cfg(feature = "graph-drive")]

mod generated_support;
mod support;

use futures_util::TryStreamExt;
use generated_support::setup;
use o365::delta::Change;
use o365::generated::drive::types::{
    CopyItemBody, CreateLinkBody, DriveDeltaResponse, DriveItem,
    DriveItemVersionCollectionResponse, ItemReference, Permission, ThumbnailSetCollectionResponse,
};
use serde_json::{Value, json};
use support::Reply;

fn decode<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

#[test]
fn a_photo_decodes_its_file_image_and_photo_facets_and_the_download_url() {
    let item: DriveItem = decode(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('a')/drive/items/$entity",
        "@microsoft.graph.downloadUrl": "https://contoso-my.sharepoint.com/personal/a/_layouts/15/download.aspx?UniqueId=1&tempauth=x",
        "id": "01BYE5RZ5MYLM2SMX75ZBIPQZIHT6OAYPB",
        "name": "IMG_0042.jpg",
        "size": 2_345_678,
        "eTag": "\"{5A0C1BAC-1BD6-4A5E-B4A8-B3F0C9C8A7E1},2\"",
        "cTag": "\"c:{5A0C1BAC-1BD6-4A5E-B4A8-B3F0C9C8A7E1},3\"",
        "createdDateTime": "2026-03-04T10:11:12Z",
        "lastModifiedDateTime": "2026-03-04T10:11:13Z",
        "webUrl": "https://contoso-my.sharepoint.com/personal/a/Documents/Photos/IMG_0042.jpg",
        "createdBy": {"user": {"id": "u-1", "displayName": "Megan Bowen"}},
        "parentReference": {"driveId": "b!abc", "driveType": "business", "id": "01PARENT", "path": "/drive/root:/Photos"},
        "file": {"mimeType": "image/jpeg", "hashes": {"quickXorHash": "dGVzdA=="}},
        "fileSystemInfo": {"createdDateTime": "2026-03-04T10:11:12Z", "lastModifiedDateTime": "2026-03-04T10:11:13Z"},
        "image": {"height": 3024, "width": 4032},
        "photo": {"cameraMake": "Apple", "cameraModel": "iPhone 15", "exposureDenominator": 120.0,
                  "exposureNumerator": 1.0, "fNumber": 1.8, "focalLength": 6.86, "iso": 64,
                  "orientation": 1, "takenDateTime": "2026-03-01T09:00:00Z"},
        "shared": {"scope": "users"}
    }));
    assert_eq!(item.name.as_deref(), Some("IMG_0042.jpg"));
    assert_eq!(item.size, Some(2_345_678));
    assert!(
        item.microsoft_graph_download_url
            .as_deref()
            .is_some_and(|u| u.contains("download.aspx"))
    );
    file_image_and_photo_facets_are_typed(&item);
    assert_eq!(
        item.parent_reference.as_ref().unwrap().path.as_deref(),
        Some("/drive/root:/Photos")
    );
    assert_eq!(
        item.created_by
            .as_ref()
            .unwrap()
            .user
            .as_ref()
            .unwrap()
            .display_name
            .as_deref(),
        Some("Megan Bowen")
    );
    assert_eq!(
        item.shared.as_ref().unwrap().scope.as_deref(),
        Some("users")
    );
    assert!(item.folder.is_none());
    // What no property declares stays in `extra`; serializing gives the wire names back.
    assert!(item.extra.contains_key("@odata.context"));
    let back = serde_json::to_value(&item).unwrap();
    assert_eq!(back["image"]["width"], 4032);
    assert!(back["@microsoft.graph.downloadUrl"].is_string());
}

/// The photo's file facet (type and hash), its image size and the camera's photo facet.
fn file_image_and_photo_facets_are_typed(item: &DriveItem) {
    let file = item.file.as_ref().unwrap();
    assert_eq!(file.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        file.hashes.as_ref().unwrap().quick_xor_hash.as_deref(),
        Some("dGVzdA==")
    );
    let image = item.image.as_ref().unwrap();
    assert_eq!((image.width, image.height), (Some(4032), Some(3024)));
    let photo = item.photo.as_ref().unwrap();
    assert_eq!(photo.camera_model.as_deref(), Some("iPhone 15"));
    assert_eq!(photo.iso, Some(64));
    assert_eq!(photo.f_number, Some(1.8));
    assert_eq!(
        photo.taken_date_time.unwrap().to_rfc3339(),
        "2026-03-01T09:00:00+00:00"
    );
}

#[test]
fn a_folder_and_a_special_folder_decode_typed() {
    let item: DriveItem = decode(json!({
        "id": "01FOLDER", "name": "Documents",
        "folder": {"childCount": 12, "view": {"viewType": "thumbnails", "sortBy": "name", "sortOrder": "ascending"}},
        "specialFolder": {"name": "documents"},
        "root": {}
    }));
    let folder = item.folder.as_ref().unwrap();
    assert_eq!(folder.child_count, Some(12));
    assert_eq!(
        folder.view.as_ref().unwrap().view_type.as_deref(),
        Some("thumbnails")
    );
    assert_eq!(
        item.special_folder.as_ref().unwrap().name.as_deref(),
        Some("documents")
    );
    assert!(item.root.is_some());
    assert!(item.file.is_none());
}

#[test]
fn a_sharing_link_permission_thumbnails_and_versions_decode() {
    let permission: Permission = decode(json!({
        "id": "123ABC",
        "roles": ["write"],
        "shareId": "u!aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD1B",
        "expirationDateTime": "2026-12-31T00:00:00Z",
        "hasPassword": true,
        "link": {"type": "edit", "scope": "organization",
                 "webUrl": "https://1drv.ms/A6913278E564460AA616C71B28AD6EB6",
                 "application": {"id": "1234", "displayName": "Sample Application"}}
    }));
    let link = permission.link.as_ref().unwrap();
    assert_eq!(link.type_.as_deref(), Some("edit"));
    assert_eq!(link.scope.as_deref(), Some("organization"));
    assert_eq!(
        link.application.as_ref().unwrap().display_name.as_deref(),
        Some("Sample Application")
    );
    assert_eq!(permission.roles, vec![Some("write".to_owned())]);
    assert_eq!(permission.has_password, Some(true));

    let thumbnails: ThumbnailSetCollectionResponse = decode(json!({
        "value": [{"id": "0",
                   "small": {"height": 96, "width": 96, "url": "https://example.invalid/s.jpg"},
                   "medium": {"height": 176, "width": 176, "url": "https://example.invalid/m.jpg"},
                   "large": {"height": 800, "width": 800, "url": "https://example.invalid/l.jpg"}}]
    }));
    let set = &thumbnails.value[0];
    assert_eq!(set.large.as_ref().unwrap().height, Some(800));
    assert_eq!(
        set.small.as_ref().unwrap().url.as_deref(),
        Some("https://example.invalid/s.jpg")
    );
    assert!(set.source.is_none());

    let versions: DriveItemVersionCollectionResponse = decode(json!({
        "value": [
            {"id": "2.0", "size": 1024, "lastModifiedDateTime": "2026-02-02T12:00:00Z",
             "lastModifiedBy": {"user": {"id": "u-1", "displayName": "Megan Bowen"}}},
            {"id": "1.0", "size": 512, "lastModifiedDateTime": "2026-01-01T12:00:00Z"}
        ],
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/drive/items/1/versions?$skiptoken=2"
    }));
    assert_eq!(versions.value.len(), 2);
    assert_eq!(versions.value[0].id.as_deref(), Some("2.0"));
    assert_eq!(versions.value[1].size, Some(512));
    assert!(versions.odata_next_link.is_some());
}

#[test]
fn a_delta_page_keeps_deleted_items_and_the_delta_link() {
    let page: DriveDeltaResponse = decode(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)",
        "value": [
            {"id": "01ROOT", "name": "root", "root": {}, "folder": {"childCount": 1}},
            {"id": "01GONE", "name": "old.txt", "deleted": {"state": "deleted"},
             "parentReference": {"id": "01ROOT"}}
        ],
        "@odata.deltaLink": "https://graph.microsoft.com/v1.0/me/drive/root/microsoft.graph.delta()?token=MzslMjM0OzE"
    }));
    assert_eq!(page.value.len(), 2);
    assert_eq!(
        page.value[1].deleted.as_ref().unwrap().state.as_deref(),
        Some("deleted")
    );
    assert_eq!(
        page.odata_delta_link.as_deref(),
        Some(
            "https://graph.microsoft.com/v1.0/me/drive/root/microsoft.graph.delta()?token=MzslMjM0OzE"
        )
    );
    assert!(page.odata_next_link.is_none());
}

#[tokio::test]
async fn root_delta_streams_typed_items_across_pages_to_its_cursor() {
    let (server, conn) = setup(true).await;
    let next = server.url("/v1.0/drives/b!abc/root/microsoft.graph.delta()?token=p2");
    let delta_link = server.url("/v1.0/drives/b!abc/root/microsoft.graph.delta()?token=done");
    server.push([
        Reply::json(
            200,
            json!({
                "value": [{"id": "01A", "name": "a.txt", "file": {"mimeType": "text/plain"}}],
                "@odata.nextLink": next
            }),
        ),
        Reply::json(
            200,
            json!({
                "value": [{"id": "01B", "name": "b.txt", "deleted": {"state": "deleted"}}],
                "@odata.deltaLink": delta_link
            }),
        ),
    ]);
    let mut changes = conn.drive().drive_delta("b!abc").delta_stream();
    let mut items = Vec::new();
    while let Some(change) = changes.try_next().await.unwrap() {
        let Change::Upserted(item) = change else {
            panic!("{change:?}");
        };
        items.push(item);
    }
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0].file.as_ref().unwrap().mime_type.as_deref(),
        Some("text/plain")
    );
    // OneDrive marks removals with the `deleted` facet (not `@removed`): they arrive as items.
    assert!(items[1].deleted.is_some());
    assert_eq!(changes.cursor().unwrap().delta_link, delta_link);
    let sent = server.requests();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].target,
        "/v1.0/drives/b!abc/root/microsoft.graph.delta()"
    );
    assert_eq!(
        sent[1].target,
        "/v1.0/drives/b!abc/root/microsoft.graph.delta()?token=p2"
    );
}

#[tokio::test]
async fn create_folder_posts_the_item_with_its_conflict_behavior() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"id": "01NEW", "name": "Reports", "folder": {"childCount": 0}}),
    )]);
    let folder: DriveItem = decode(json!({
        "name": "Reports",
        "folder": {},
        "@microsoft.graph.conflictBehavior": "rename"
    }));
    let created = conn
        .drive()
        .create_child("01PARENT", &folder)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("01NEW"));
    assert_eq!(created.folder.unwrap().child_count, Some(0));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.target, "/v1.0/me/drive/items/01PARENT/children");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body: Value = serde_json::from_slice(&sent.body).unwrap();
    assert_eq!(
        body,
        json!({"name": "Reports", "folder": {}, "@microsoft.graph.conflictBehavior": "rename"})
    );
}

#[tokio::test]
async fn copy_returns_the_monitor_location_and_create_link_a_permission() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::new(202).header(
            "Location",
            "https://contoso.sharepoint.com/_api/v2.0/monitor/4A3407B5-88FC-4504-8B21-0AABD3412717",
        ),
        Reply::json(
            200,
            json!({
                "id": "perm-1", "roles": ["read"],
                "link": {"type": "view", "scope": "anonymous", "webUrl": "https://1drv.ms/b/s!x"}
            }),
        ),
    ]);
    let client = conn.drive();
    let copy = CopyItemBody {
        name: Some("report (copy).docx".into()),
        parent_reference: Some(decode::<ItemReference>(
            json!({"driveId": "b!abc", "id": "01DEST"}),
        )),
    };
    let reply = client
        .user_copy_item("megan@contoso.com", "01SRC", &copy)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 202);
    assert!(
        reply.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("/monitor/4A3407B5-88FC-4504-8B21-0AABD3412717")
    );
    let link = CreateLinkBody {
        type_: Some("view".into()),
        scope: Some("anonymous".into()),
        ..Default::default()
    };
    let permission = client
        .drive_create_link("b!abc", "01SRC", &link)
        .send()
        .await
        .unwrap();
    assert_eq!(
        permission.link.unwrap().web_url.as_deref(),
        Some("https://1drv.ms/b/s!x")
    );
    the_copy_and_the_link_were_posted_as_documented(&server);
}

/// The copy went to the user's item with its name and destination, the link to the drive's item
/// with its type and scope.
fn the_copy_and_the_link_were_posted_as_documented(server: &support::ScriptedServer) {
    let sent = server.requests();
    assert_eq!(sent[0].method, "POST");
    assert_eq!(
        sent[0].target,
        "/v1.0/users/megan@contoso.com/drive/items/01SRC/copy"
    );
    let body: Value = serde_json::from_slice(&sent[0].body).unwrap();
    assert_eq!(
        body,
        json!({"name": "report (copy).docx", "parentReference": {"driveId": "b!abc", "id": "01DEST"}})
    );
    assert_eq!(sent[1].target, "/v1.0/drives/b!abc/items/01SRC/createLink");
    let body: Value = serde_json::from_slice(&sent[1].body).unwrap();
    assert_eq!(body, json!({"type": "view", "scope": "anonymous"}));
}

#[tokio::test]
async fn a_small_upload_to_any_drive_puts_the_bytes_and_answers_the_item() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"id": "01NEW", "name": "a.bin", "size": 5, "file": {"mimeType": "application/octet-stream"}}),
    )]);
    let item = conn
        .drive()
        .drive_upload_small("b!abc", "01NEW", b"hello".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(item.size, Some(5));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.target, "/v1.0/drives/b!abc/items/01NEW/content");
    assert_eq!(sent.body, b"hello");
}

#[tokio::test]
async fn search_special_folders_and_permissions_have_their_paths() {
    let (server, conn) = setup(true).await;
    server.fallback(Reply::json(200, json!({"value": []})));
    let client = conn.drive();
    client.search("budget 2026").send().await.unwrap();
    client.get_special("approot").send().await.unwrap();
    client
        .list_permissions("01ITEM")
        .select(["id", "roles"])
        .send()
        .await
        .unwrap();
    client
        .delete_permission("01ITEM", "perm-1")
        .send()
        .await
        .unwrap();
    client.list_thumbnails("01ITEM").send().await.unwrap();
    client
        .restore_version("01ITEM", "1.0")
        .send()
        .await
        .unwrap();
    client.recent().send().await.unwrap();
    client.shared_with_me().send().await.unwrap();
    client.get_shared_item("u!aHR0cHM6").send().await.unwrap();
    let got: Vec<(String, String)> = server
        .requests()
        .into_iter()
        .map(|r| (r.method, r.target))
        .collect();
    let want = [
        (
            "GET",
            "/v1.0/me/drive/root/microsoft.graph.search(q='budget%202026')",
        ),
        ("GET", "/v1.0/me/drive/special/approot"),
        (
            "GET",
            "/v1.0/me/drive/items/01ITEM/permissions?%24select=id%2Croles",
        ),
        ("DELETE", "/v1.0/me/drive/items/01ITEM/permissions/perm-1"),
        ("GET", "/v1.0/me/drive/items/01ITEM/thumbnails"),
        (
            "POST",
            "/v1.0/me/drive/items/01ITEM/versions/1.0/restoreVersion",
        ),
        ("GET", "/v1.0/me/drive/microsoft.graph.recent()"),
        ("GET", "/v1.0/me/drive/microsoft.graph.sharedWithMe()"),
        ("GET", "/v1.0/shares/u!aHR0cHM6/driveItem"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(m, t)| (m.to_string(), t.to_string()))
        .collect();
    assert_eq!(got, want);
}

/// The typed delta against the emulator: the seeded tree, then (from the cursor) a removal and
/// an upload, decoded into the generated `DriveItem`.
#[cfg(feature = "emulator")]
#[tokio::test]
async fn the_generated_drive_delta_follows_changes_in_the_emulator() {
    use o365::emulator::Emulator;
    use o365::emulator::drive::SEEDED_ITEMS;

    let em = Emulator::builder().start().await.unwrap();
    let conn = em.app_connection().build().unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    let oid = em.user().oid.clone();

    let mut first = conn.drive().user_delta(&oid).delta_stream();
    let mut names = Vec::new();
    while let Some(change) = first.try_next().await.unwrap() {
        if let Change::Upserted(item) = change {
            names.push(item.name.unwrap_or_default());
        }
    }
    assert!(names.iter().any(|n| n == "notes.txt"), "{names:?}");
    let cursor = first.cursor().unwrap().clone();
    assert!(
        cursor
            .initial
            .ends_with("/drive/root/microsoft.graph.delta()")
    );

    let notes = SEEDED_ITEMS[1].0;
    conn.drive()
        .user_delete_item(&oid, notes)
        .send()
        .await
        .unwrap();
    let created = conn
        .put(
            &format!("users/{oid}/drive/root:/fresh.txt:/content"),
            "new file",
        )
        .await
        .unwrap()
        .json::<DriveItem>()
        .await
        .unwrap();
    let later: Vec<Change<DriveItem>> = conn
        .drive()
        .user_delta(&oid)
        .delta_stream_from(&cursor)
        .try_collect()
        .await
        .unwrap();
    assert!(
        later
            .iter()
            .any(|c| matches!(c, Change::Removed(r) if r.id == notes)),
        "{later:?}"
    );
    assert!(
        later
            .iter()
            .any(|c| matches!(c, Change::Upserted(i) if i.id == created.id && i.file.is_some())),
        "{later:?}"
    );
}
