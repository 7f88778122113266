//! One generated call per Graph workload on the wire (users, groups, teams, planner, to-do,
//! people, OneNote, sites, subscriptions): the exact method, path, query string, bearer token and
//! JSON body the Connection sends, and the typed reply it decodes. Each test compiles with its
//! workload's feature, e.g. `cargo test --features graph-users,graph-groups --test
//! generated_calls_workloads`.

#![cfg(feature = "codegen")]
#![allow(unused_imports, dead_code)]

mod generated_support;
mod support;

use futures_util::TryStreamExt;
use generated_support::setup;
use serde_json::{Value, json};
use support::{ACCESS_TOKEN, Recorded, Reply};

/// Checks the bearer token and that no marker header leaked onto the wire.
fn assert_authorized(sent: &Recorded) {
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str())
    );
    assert_eq!(sent.header("api-version"), None);
}

/// The JSON body of a recorded request.
fn json_body(sent: &Recorded) -> Value {
    assert_eq!(sent.header("content-type"), Some("application/json"));
    serde_json::from_slice(&sent.body).unwrap()
}

#[cfg(feature = "graph-users")]
#[tokio::test]
async fn get_user_by_principal_name_selects_members_and_decodes_the_user() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users(displayName,mail,jobTitle)/$entity",
               "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55", "displayName": "Adele Vance",
               "mail": "AdeleV@contoso.com", "jobTitle": "Retail Manager"}),
    )]);
    let user = conn
        .users()
        .get_user("adele@contoso.com")
        .select(["displayName", "mail", "jobTitle"])
        .send()
        .await
        .unwrap();
    assert_eq!(user.display_name.as_deref(), Some("Adele Vance"));
    assert_eq!(user.job_title.as_deref(), Some("Retail Manager"));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/v1.0/users/adele@contoso.com?%24select=displayName%2Cmail%2CjobTitle"
    );
    assert_authorized(sent);
}

#[cfg(feature = "graph-groups")]
#[tokio::test]
async fn list_group_members_streams_users_and_groups_across_pages_with_count() {
    use o365::generated::groups::types::AnyDirectoryObject;
    let (server, conn) = setup(true).await;
    let next = server.url(
        "/v1.0/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members?%24count=true&%24top=2&%24skiptoken=RFNwdAIAAQAAAA",
    );
    server.push([
        Reply::json(
            200,
            json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#directoryObjects",
                   "@odata.count": 3, "@odata.nextLink": next,
                   "value": [
                       {"@odata.type": "#microsoft.graph.user", "id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55",
                        "displayName": "Adele Vance", "userPrincipalName": "AdeleV@contoso.com"},
                       {"@odata.type": "#microsoft.graph.group", "id": "a3f1c0de-6b8e-4f55-9a0c-2d6e7f8a9b10",
                        "displayName": "Retail", "groupTypes": []}
                   ]}),
        ),
        Reply::json(
            200,
            json!({"value": [{"@odata.type": "#microsoft.graph.user", "id": "0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22",
                              "displayName": "Alex Wilber"}]}),
        ),
    ]);
    let members: Vec<AnyDirectoryObject> = conn
        .groups()
        .list_members("02bd9fd6-8f93-4758-87c3-1fb73740a315")
        .count(true)
        .top(2)
        .header("ConsistencyLevel", "eventual")
        .stream()
        .try_collect()
        .await
        .unwrap();
    adele_retail_and_alex_decode_as_their_types(&members);
    both_pages_were_asked_with_count_and_consistency(&server.requests());
}

/// The first page's user and group, then the second page's user, each in its typed variant.
#[cfg(feature = "graph-groups")]
fn adele_retail_and_alex_decode_as_their_types(
    members: &[o365::generated::groups::types::AnyDirectoryObject],
) {
    use o365::generated::groups::types::AnyDirectoryObject;
    assert_eq!(members.len(), 3);
    let AnyDirectoryObject::User(adele) = &members[0] else {
        panic!("{:?}", members[0]);
    };
    assert_eq!(
        adele.user_principal_name.as_deref(),
        Some("AdeleV@contoso.com")
    );
    let AnyDirectoryObject::Group(retail) = &members[1] else {
        panic!("{:?}", members[1]);
    };
    assert_eq!(retail.display_name.as_deref(), Some("Retail"));
    assert!(
        matches!(&members[2], AnyDirectoryObject::User(u) if u.display_name.as_deref() == Some("Alex Wilber"))
    );
}

/// Two authorized GETs: the first with `$top`, `$count` and `ConsistencyLevel`, the second at
/// the next link.
#[cfg(feature = "graph-groups")]
fn both_pages_were_asked_with_count_and_consistency(sent: &[Recorded]) {
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].target,
        "/v1.0/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members?%24top=2&%24count=true"
    );
    assert_eq!(sent[0].header("consistencylevel"), Some("eventual"));
    assert_eq!(
        sent[1].target,
        "/v1.0/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members?%24count=true&%24top=2&%24skiptoken=RFNwdAIAAQAAAA"
    );
    for request in sent {
        assert_eq!(request.method, "GET");
        assert_authorized(request);
    }
}

#[cfg(feature = "graph-teams")]
#[tokio::test]
async fn create_channel_message_posts_the_body_and_decodes_the_created_message() {
    use o365::generated::teams::types::{ChatMessage, ChatMessageType};
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#teams('893075dd-2487-4122-925f-022c42e20265')/channels('19%3A4a95f7d8db4c4e7fae857bcebe0623e6%40thread.tacv2')/messages/$entity",
               "id": "1701258913512", "etag": "1701258913512", "messageType": "message",
               "createdDateTime": "2026-11-29T11:55:13.512Z", "importance": "normal", "locale": "en-us",
               "body": {"contentType": "html", "content": "<p>The build is green.</p>"},
               "channelIdentity": {"teamId": "893075dd-2487-4122-925f-022c42e20265",
                                   "channelId": "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"},
               "from": {"user": {"id": "4f3c1a5e-9b2d-4f0a-8e6c-2b7d9a1c3e55", "displayName": "Adele Vance"}}}),
    )]);
    let message: ChatMessage = serde_json::from_value(
        json!({"body": {"contentType": "html", "content": "<p>The build is green.</p>"}}),
    )
    .unwrap();
    let created = conn
        .teams()
        .create_channel_message(
            "893075dd-2487-4122-925f-022c42e20265",
            "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2",
            &message,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("1701258913512"));
    assert_eq!(created.message_type, Some(ChatMessageType::Message));
    assert_eq!(
        created.from.unwrap().user.unwrap().display_name.as_deref(),
        Some("Adele Vance")
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.target,
        "/v1.0/teams/893075dd-2487-4122-925f-022c42e20265/channels/19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2/messages"
    );
    assert_authorized(sent);
    assert_eq!(
        json_body(sent),
        json!({"body": {"contentType": "html", "content": "<p>The build is green.</p>"}})
    );
}

#[cfg(feature = "graph-planner")]
#[tokio::test]
async fn create_planner_task_posts_plan_bucket_and_assignment_and_decodes_the_task() {
    use o365::generated::planner::types::PlannerTask;
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#planner/tasks/$entity",
               "@odata.etag": "W/\"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAQCc=\"",
               "id": "01gzSlKkIUSUl6DF_EilrmQAKDhh", "planId": "xqQg5FS2LkCp935s-FIFm2QAFkHM",
               "bucketId": "gcrYAaAkgU2EQUvpkNNXLGQAGTtu", "title": "Update client list",
               "percentComplete": 0, "priority": 5, "createdDateTime": "2026-12-01T09:00:00.1234567Z",
               "assignments": {"0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22": {
                   "@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": "8585269241124027581P<",
                   "assignedDateTime": "2026-12-01T09:00:00.1234567Z"}}}),
    )]);
    let task: PlannerTask = serde_json::from_value(json!({
        "planId": "xqQg5FS2LkCp935s-FIFm2QAFkHM",
        "bucketId": "gcrYAaAkgU2EQUvpkNNXLGQAGTtu",
        "title": "Update client list",
        "assignments": {"0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22": {
            "@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"}}
    }))
    .unwrap();
    let created = conn
        .planner()
        .create_planner_task(&task)
        .send()
        .await
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("01gzSlKkIUSUl6DF_EilrmQAKDhh"));
    assert_eq!(created.priority, Some(5));
    assert_eq!(created.percent_complete, Some(0));
    use o365::odata::ODataEntity;
    assert_eq!(
        created.etag(),
        Some("W/\"JzEtVGFzayAgQEBAQEBAQEBAQEBAQEBAQCc=\"")
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.target, "/v1.0/planner/tasks");
    assert_authorized(sent);
    assert_eq!(
        json_body(sent),
        json!({"planId": "xqQg5FS2LkCp935s-FIFm2QAFkHM", "bucketId": "gcrYAaAkgU2EQUvpkNNXLGQAGTtu",
               "title": "Update client list",
               "assignments": {"0c3b9f4e-2f6d-4c1e-a1b4-3d7c9e8f1a22": {
                   "@odata.type": "#microsoft.graph.plannerAssignment", "orderHint": " !"}}})
    );
}

#[cfg(feature = "graph-todo")]
#[tokio::test]
async fn list_todo_tasks_filters_and_orders_and_decodes_status() {
    use o365::generated::todo::types::TaskStatus;
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('4f3c1a5e')/todo/lists('AAMkADIyAAAAABrJAAA%3D')/tasks",
               "value": [{"@odata.etag": "W/\"xzyPKP0BiUGgld+lMKXwbQAAgdhkVw==\"", "id": "AlMKXwbQAAAJws6wcAAAA=",
                          "title": "Pay the electricity bill", "status": "notStarted", "importance": "high",
                          "dueDateTime": {"dateTime": "2026-12-10T00:00:00.0000000", "timeZone": "UTC"}}]}),
    )]);
    let page = conn
        .todo()
        .list_tasks("AAMkADIyAAAAABrJAAA=")
        .filter("status ne 'completed'")
        .order_by(["dueDateTime/dateTime"])
        .top(20)
        .send()
        .await
        .unwrap();
    let task = &page.value[0];
    assert_eq!(task.status, Some(TaskStatus::NotStarted));
    assert_eq!(task.title.as_deref(), Some("Pay the electricity bill"));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/v1.0/me/todo/lists/AAMkADIyAAAAABrJAAA=/tasks?%24filter=status+ne+%27completed%27&%24orderby=dueDateTime%2FdateTime&%24top=20"
    );
    assert_authorized(sent);
}

#[cfg(feature = "graph-people")]
#[tokio::test]
async fn list_people_searches_and_decodes_scored_addresses() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('4f3c1a5e')/people",
               "value": [{"id": "8CE6E1DE-CB84-4BF5-971D-D3ECF452E2B5", "displayName": "Lorrie Frye",
                          "scoredEmailAddresses": [{"address": "LorrieF@contoso.com", "relevanceScore": 8.0}],
                          "personType": {"class": "Person", "subclass": "OrganizationUser"}}]}),
    )]);
    let page = conn
        .people()
        .list_people()
        .search("lorrie")
        .top(10)
        .select(["displayName", "scoredEmailAddresses"])
        .send()
        .await
        .unwrap();
    let person = &page.value[0];
    assert_eq!(person.display_name.as_deref(), Some("Lorrie Frye"));
    assert_eq!(person.scored_email_addresses[0].relevance_score, Some(8.0));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/v1.0/me/people?%24search=%22lorrie%22&%24select=displayName%2CscoredEmailAddresses&%24top=10"
    );
    assert_authorized(sent);
}

#[cfg(feature = "graph-onenote")]
#[tokio::test]
async fn list_onenote_pages_orders_and_expands_and_decodes_the_page() {
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        200,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('4f3c1a5e')/onenote/pages",
               "value": [{"id": "1-a8c4e6b1d4f9437a9e0d6c3b2a1f0e9d!41-fb22b2f1-379f-4da4-bf7b-be5dcca7b99a",
                          "title": "Standup notes", "level": 0, "order": 1,
                          "createdDateTime": "2026-11-30T17:58:01Z",
                          "contentUrl": "https://graph.microsoft.com/v1.0/users/4f3c1a5e/onenote/pages/1-a8c4e6b1/content",
                          "parentSection@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('4f3c1a5e')/onenote/pages('1-a8c4e6b1')/parentSection/$entity",
                          "parentSection": {"id": "1-0d8b2f0e", "displayName": "Daily"}}]}),
    )]);
    let page = conn
        .onenote()
        .list_onenote_pages()
        .order_by(["lastModifiedDateTime desc"])
        .expand("parentSection")
        .top(5)
        .send()
        .await
        .unwrap();
    let first = &page.value[0];
    assert_eq!(first.title.as_deref(), Some("Standup notes"));
    assert_eq!(first.order, Some(1));
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "GET");
    assert_eq!(
        sent.target,
        "/v1.0/me/onenote/pages?%24orderby=lastModifiedDateTime+desc&%24expand=parentSection&%24top=5"
    );
    assert_authorized(sent);
}

#[cfg(feature = "graph-sites")]
#[tokio::test]
async fn get_site_by_path_and_list_its_items_with_fields() {
    let (server, conn) = setup(true).await;
    server.push([
        Reply::json(
            200,
            json!({"id": "contoso.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe",
                   "name": "marketing", "displayName": "Marketing",
                   "webUrl": "https://contoso.sharepoint.com/sites/marketing"}),
        ),
        Reply::json(
            200,
            json!({"value": [{"@odata.etag": "\"b2d6a6a1,3\"", "id": "7", "eTag": "\"b2d6a6a1,3\"",
                              "fields": {"Title": "Winter launch", "Budget": 12000}}]}),
        ),
    ]);
    let sites = conn.sites();
    let site = sites
        .get_by_path_site("root", "/sites/marketing")
        .send()
        .await
        .unwrap();
    assert_eq!(site.display_name.as_deref(), Some("Marketing"));
    let site_id = site.id.unwrap();
    let items = sites
        .list_items(&site_id, "Campaigns")
        .expand("fields")
        .filter("fields/Budget gt 1000")
        .header("Prefer", "HonorNonIndexedQueriesWarningMayFailRandomly")
        .send()
        .await
        .unwrap();
    assert_eq!(items.value[0].id.as_deref(), Some("7"));
    assert_eq!(items.value[0].extra["fields"]["Title"], "Winter launch");
    let sent = server.requests();
    assert_eq!(sent[0].method, "GET");
    assert_eq!(
        sent[0].target,
        "/v1.0/sites/root/microsoft.graph.getByPath(path='%2Fsites%2Fmarketing')"
    );
    assert_eq!(
        sent[1].target,
        "/v1.0/sites/contoso.sharepoint.com,2c712604-1370-44e7-a1f5-426573fda80a,2d2244c3-251a-49ea-93a8-39e1c3a060fe/lists/Campaigns/items?%24filter=fields%2FBudget+gt+1000&%24expand=fields"
    );
    assert_eq!(
        sent[1].header("prefer"),
        Some("HonorNonIndexedQueriesWarningMayFailRandomly")
    );
    for request in &sent {
        assert_authorized(request);
    }
}

#[cfg(feature = "graph-subscriptions")]
#[tokio::test]
async fn create_subscription_posts_the_subscription_and_decodes_its_id_and_expiry() {
    use chrono::TimeZone;
    use o365::generated::subscriptions::types::Subscription;
    let (server, conn) = setup(true).await;
    server.push([Reply::json(
        201,
        json!({"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#subscriptions/$entity",
               "id": "7f105c7d-2dc5-4530-97cd-4e7ae6534c07", "resource": "me/mailFolders('Inbox')/messages",
               "applicationId": "24d3b144-21ae-4080-943f-7067b395b913", "changeType": "created",
               "clientState": "secretClientValue", "notificationUrl": "https://webhook.contoso.com/api/notify",
               "expirationDateTime": "2026-12-08T18:23:45Z", "creatorId": "8ee44408-0679-472c-bc2a-692812af3437",
               "latestSupportedTlsVersion": "v1_2"}),
    )]);
    let expiry = chrono::Utc
        .with_ymd_and_hms(2026, 12, 8, 18, 23, 45)
        .unwrap();
    let request: Subscription = serde_json::from_value(json!({
        "changeType": "created",
        "notificationUrl": "https://webhook.contoso.com/api/notify",
        "resource": "me/mailFolders('Inbox')/messages",
        "expirationDateTime": expiry,
        "clientState": "secretClientValue"
    }))
    .unwrap();
    let created = conn
        .subscriptions()
        .create_subscription(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.id.as_deref(),
        Some("7f105c7d-2dc5-4530-97cd-4e7ae6534c07")
    );
    assert_eq!(created.expiration_date_time, Some(expiry));
    assert_eq!(
        created.latest_supported_tls_version.as_deref(),
        Some("v1_2")
    );
    let sent = &server.requests()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.target, "/v1.0/subscriptions");
    assert_authorized(sent);
    assert_eq!(
        json_body(sent),
        json!({"changeType": "created", "notificationUrl": "https://webhook.contoso.com/api/notify",
               "resource": "me/mailFolders('Inbox')/messages", "expirationDateTime": "2026-12-08T18:23:45Z",
               "clientState": "secretClientValue"})
    );
}
