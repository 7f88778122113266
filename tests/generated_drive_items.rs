//! What a drive item is (`item.kind()`, `o365::drive_item::DriveItemKind`): realistic OneDrive
//! items of each kind (the root, a folder, a photo, a OneNote notebook package, an item shared
//! with the user, deleted items in a delta page) decode into the right kind, keep every member
//! (re-encoding gives the same JSON value) and land nothing in `extra` but OData annotations.

#![cfg(feature = "graph-drive")]

use o365::drive_item::{DriveItemFacets, DriveItemKind};
use o365::generated::drive::types::{DriveDeltaResponse, DriveItem};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Decodes `payload` and checks that re-encoding gives the same JSON value.
fn round_trip<T: DeserializeOwned + Serialize>(payload: &Value) -> T {
    let model: T = serde_json::from_value(payload.clone())
        .unwrap_or_else(|e| panic!("{}: {e}", std::any::type_name::<T>()));
    assert_eq!(&serde_json::to_value(&model).unwrap(), payload);
    model
}

fn keys(item: &DriveItem) -> Vec<&str> {
    item.extra.keys().map(String::as_str).collect()
}

#[test]
fn the_drive_root_is_the_root_kind_with_its_folder_facet() {
    let root: DriveItem = round_trip(&json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('adele%40contoso.com')/drive/root/$entity",
        "createdDateTime": "2024-03-18T16:45:00Z",
        "id": "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ",
        "lastModifiedDateTime": "2026-11-30T09:00:12Z",
        "name": "root",
        "webUrl": "https://contoso-my.sharepoint.com/personal/adelev_contoso_com/Documents",
        "size": 106330751,
        "parentReference": {"driveId": "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd", "driveType": "business"},
        "fileSystemInfo": {"createdDateTime": "2024-03-18T16:45:00Z", "lastModifiedDateTime": "2026-11-30T09:00:12Z"},
        "folder": {"childCount": 7},
        "root": {}
    }));
    let DriveItemKind::Root(Some(folder)) = root.kind() else {
        panic!("{:?}", root.kind());
    };
    assert_eq!(folder.child_count, Some(7));
    assert!(root.kind().is_folder());
    assert!(!root.is_deleted());
    assert_eq!(keys(&root), ["@odata.context"]);
}

#[test]
fn a_folder_is_the_folder_kind_with_child_count_and_view() {
    let folder: DriveItem = round_trip(&json!({
        "id": "01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K",
        "name": "Reports",
        "size": 2048,
        "eTag": "\"{5B5F0D07-3D0F-4B0C-A6B3-0E6F4C9F2E11},1\"",
        "cTag": "\"c:{5B5F0D07-3D0F-4B0C-A6B3-0E6F4C9F2E11},0\"",
        "createdDateTime": "2025-01-14T08:31:02Z",
        "parentReference": {"driveId": "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd",
                            "driveType": "business", "id": "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ", "path": "/drive/root:"},
        "folder": {"childCount": 4, "view": {"viewType": "thumbnails", "sortBy": "name", "sortOrder": "ascending"}}
    }));
    let DriveItemKind::Folder(facet) = folder.kind() else {
        panic!("{:?}", folder.kind());
    };
    assert_eq!(facet.child_count, Some(4));
    assert_eq!(
        facet.view.as_ref().and_then(|v| v.view_type.as_deref()),
        Some("thumbnails")
    );
    assert!(facet.extra.is_empty());
    assert!(keys(&folder).is_empty());
}

#[test]
fn a_photo_is_the_file_kind_and_keeps_its_image_and_photo_facets() {
    let photo: DriveItem = round_trip(&json!({
        "@microsoft.graph.downloadUrl": "https://contoso-my.sharepoint.com/personal/adelev/_layouts/15/download.aspx?UniqueId=9b1f",
        "id": "01BYE5RZ2KXWOTNNU3P5B3YQDBLLKJQ6AJ",
        "name": "IMG_2041.jpg",
        "size": 348201,
        "createdDateTime": "2026-06-01T10:20:00Z",
        "file": {"mimeType": "image/jpeg", "hashes": {"quickXorHash": "Y2T9bKLeD4O1LJRsJcsxZQo3Tus="}},
        "image": {"width": 4032, "height": 3024},
        "photo": {"takenDateTime": "2026-06-01T10:15:00Z", "cameraMake": "Contoso", "cameraModel": "Lumen 9",
                  "fNumber": 1.8, "exposureNumerator": 1.0, "exposureDenominator": 120.0,
                  "focalLength": 4.25, "iso": 100, "orientation": 1},
        "location": {"latitude": 47.6396, "longitude": -122.1281, "altitude": 52.0}
    }));
    let DriveItemKind::File(file) = photo.kind() else {
        panic!("{:?}", photo.kind());
    };
    assert_eq!(file.mime_type.as_deref(), Some("image/jpeg"));
    let image = photo.image.as_ref().unwrap();
    assert_eq!((image.width, image.height), (Some(4032), Some(3024)));
    let facet = photo.photo.as_ref().unwrap();
    assert_eq!(facet.camera_model.as_deref(), Some("Lumen 9"));
    assert_eq!(facet.f_number, Some(1.8));
    assert_eq!(facet.iso, Some(100));
    assert_eq!(facet.orientation, Some(1));
    assert!(facet.extra.is_empty());
    assert_eq!(photo.location.as_ref().unwrap().latitude, Some(47.6396));
    assert!(!photo.kind().is_folder());
    assert!(keys(&photo).is_empty());
}

#[test]
fn a_onenote_notebook_is_the_package_kind() {
    let notebook: DriveItem = round_trip(&json!({
        "id": "01BYE5RZ3MFXCVJ2YKQ5DIO3HC4K4XSZ7P",
        "name": "Adele's Notebook",
        "size": 1311422,
        "webUrl": "https://contoso-my.sharepoint.com/personal/adelev/Documents/Notebooks/Adele's%20Notebook",
        "createdDateTime": "2025-02-03T12:00:44Z",
        "lastModifiedDateTime": "2026-11-29T18:30:10Z",
        "package": {"type": "oneNote"},
        "parentReference": {"driveType": "business", "id": "01BYE5RZ7AMGJTQ4JXMBB3XZ4IBVXLOK5B", "path": "/drive/root:/Notebooks"}
    }));
    let DriveItemKind::Package(package) = notebook.kind() else {
        panic!("{:?}", notebook.kind());
    };
    assert_eq!(package.type_.as_deref(), Some("oneNote"));
    assert!(keys(&notebook).is_empty());
}

#[test]
fn an_item_shared_with_me_is_the_remote_kind_with_the_targets_facets() {
    let shared: DriveItem = round_trip(&json!({
        "id": "01BYE5RZYJ43UXGBP23BBIFPISHHMCDTOY",
        "name": "FY27 Budget.xlsx",
        "size": 19121,
        "webUrl": "https://contoso.sharepoint.com/sites/finance/Shared%20Documents/FY27%20Budget.xlsx",
        "remoteItem": {
            "id": "01NKDM7HMOJTVYMDOSXFDK2QJDXCDI3WUK",
            "name": "FY27 Budget.xlsx",
            "size": 19121,
            "webUrl": "https://contoso.sharepoint.com/sites/finance/Shared%20Documents/FY27%20Budget.xlsx",
            "file": {"mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
            "parentReference": {"driveId": "b!Ab1cD2eF3gH4iJ5kL6mN7oP8qR9sT0uV1wX2yZ3", "driveType": "documentLibrary"},
            "shared": {"scope": "users", "sharedDateTime": "2026-11-20T15:04:31Z",
                       "sharedBy": {"user": {"id": "6e7b768e-07e2-4810-8459-485f84f8f204", "displayName": "Megan Bowen"}}},
            "sharepointIds": {"listId": "d4e7f0a1-2b3c-4d5e-8f90-a1b2c3d4e5f6", "listItemId": "42",
                              "siteUrl": "https://contoso.sharepoint.com/sites/finance"}
        }
    }));
    let DriveItemKind::Remote(remote) = shared.kind() else {
        panic!("{:?}", shared.kind());
    };
    assert_eq!(
        remote.id.as_deref(),
        Some("01NKDM7HMOJTVYMDOSXFDK2QJDXCDI3WUK")
    );
    assert_eq!(
        remote
            .parent_reference
            .as_ref()
            .and_then(|p| p.drive_type.as_deref()),
        Some("documentLibrary")
    );
    assert!(remote.file.is_some());
    let shared_by = remote.shared.as_ref().and_then(|s| s.shared_by.as_ref());
    assert_eq!(
        shared_by
            .and_then(|s| s.user.as_ref())
            .and_then(|u| u.display_name.as_deref()),
        Some("Megan Bowen")
    );
    assert_eq!(
        remote
            .sharepoint_ids
            .as_ref()
            .and_then(|i| i.list_item_id.as_deref()),
        Some("42")
    );
    assert!(remote.extra.is_empty());
    assert!(keys(&shared).is_empty());
}

#[test]
fn a_delta_page_reports_deleted_items_beside_what_they_were() {
    let page: DriveDeltaResponse = round_trip(&json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)",
        "@odata.deltaLink": "https://graph.microsoft.com/v1.0/me/drive/root/delta()?token=MzslMjM0OyUyMzE7Mzs",
        "value": [
            {"@odata.type": "#microsoft.graph.driveItem", "id": "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ",
             "name": "root", "folder": {"childCount": 6}, "root": {},
             "parentReference": {"driveId": "b!-RIj2DuyvEyV1T4NlOaMHk8XkS_I8MdFlUCq1BlcjgmhRfAj3-Z8RY2VpuvV_tpd", "driveType": "business"}},
            {"@odata.type": "#microsoft.graph.driveItem", "id": "01BYE5RZ4R5G3WMNTE2FBLAUIUVRY3MSCO",
             "name": "old-draft.docx", "deleted": {"state": "deleted"}, "file": {},
             "parentReference": {"id": "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ", "driveType": "business"}},
            {"@odata.type": "#microsoft.graph.driveItem", "id": "01BYE5RZ7NO6X3KJHB3FFZPQ5XRSL3E2QH",
             "deleted": {}}
        ]
    }));
    assert!(page.odata_delta_link.as_deref().unwrap().contains("token="));
    let [root, draft, gone] = page.value.as_slice() else {
        panic!("{} items", page.value.len());
    };
    assert!(matches!(root.kind(), DriveItemKind::Root(Some(_))));
    assert!(!root.is_deleted());
    // a removed file keeps its (empty) file facet: it was a file, and it is deleted
    assert!(matches!(draft.kind(), DriveItemKind::File(_)));
    assert!(draft.is_deleted());
    assert_eq!(
        DriveItemFacets::deleted(draft).and_then(|d| d.state.as_deref()),
        Some("deleted")
    );
    // a removed item reported by id only
    assert_eq!(gone.kind(), DriveItemKind::Other);
    assert!(gone.is_deleted());
    for item in &page.value {
        assert_eq!(keys(item), ["@odata.type"]);
    }
}

#[test]
fn the_most_specific_facet_wins_when_an_item_carries_several() {
    // a shortcut to a shared folder carries the folder facet of its target and `remoteItem`
    let shortcut: DriveItem = round_trip(&json!({
        "id": "01BYE5RZZ3DV6LDBVXFRA2QWWVOBGDMZ5S", "name": "Finance",
        "folder": {"childCount": 12},
        "remoteItem": {"id": "01NKDM7HN2ITYPDRDQ3BGIK4ABEVGCD6LO", "folder": {"childCount": 12},
                       "parentReference": {"driveType": "documentLibrary"}}
    }));
    assert!(matches!(shortcut.kind(), DriveItemKind::Remote(r) if r.folder.is_some()));
    // the kind is read from the facets alone, so the rules are the same for every workload's DriveItem
    let folder: o365::generated::common::types::Folder =
        serde_json::from_value(json!({"childCount": 1})).unwrap();
    let package: o365::generated::common::types::Package =
        serde_json::from_value(json!({"type": "oneNote"})).unwrap();
    assert!(matches!(
        DriveItemKind::from_facets(None, Some(&package), false, Some(&folder), None),
        DriveItemKind::Package(_)
    ));
    assert_eq!(
        DriveItemKind::from_facets(None, None, true, None, None),
        DriveItemKind::Root(None)
    );
    assert_eq!(
        DriveItemKind::from_facets(None, None, false, None, None),
        DriveItemKind::Other
    );
}
