//! Decoding a realistic 999-message page (what `$top=999` on `/me/messages` returns) into the
//! generated model against decoding it into `serde_json::Value`, interleaved, in one process.
//! `RESULT decode_typed_vs_value` is value time / typed time: 1.0 or more means the typed decode
//! is no slower. Run by `benches/run` (needs `--features graph-mail`).

use std::hint::black_box;
use std::time::Instant;

use o365::generated::mail::types::MessageCollectionResponse;
use serde_json::{Value, json};

/// One message as Graph sends it (all default properties, an HTML body of about 1 KB).
fn message(i: usize) -> Value {
    let person =
        |name: &str, address: &str| json!({"emailAddress": {"name": name, "address": address}});
    json!({
        "@odata.etag": format!("W/\"CQAAABYAAAA{i:08}\""),
        "id": format!("AAMkAGI2TG93AAAAAAEMAAAo{i:020}AAA="),
        "createdDateTime": "2026-11-30T09:12:44Z",
        "lastModifiedDateTime": "2026-11-30T09:12:46Z",
        "changeKey": format!("CQAAABYAAAA{i:08}"),
        "categories": ["Blue category"],
        "receivedDateTime": "2026-11-30T09:12:45Z",
        "sentDateTime": "2026-11-30T09:12:40Z",
        "hasAttachments": i.is_multiple_of(7),
        "internetMessageId": format!("<MN2PR{i}@contoso.onmicrosoft.com>"),
        "subject": format!("Quarterly numbers, draft {i}"),
        "bodyPreview": "Hi team, please find the quarterly numbers attached. Let me know by Friday if anything looks off.",
        "importance": "normal",
        "parentFolderId": "AAMkAGI2TG93AAAAAAEMAAA=",
        "conversationId": format!("AAQkAGI2TG93{i:012}="),
        "conversationIndex": "AQHZ1o3Kx2cU7d1xTEaG0w==",
        "isDeliveryReceiptRequested": false,
        "isReadReceiptRequested": false,
        "isRead": i.is_multiple_of(3),
        "isDraft": false,
        "webLink": format!("https://outlook.office365.com/owa/?ItemID=AAMkAGI2TG93{i}&exvsurl=1&viewmodel=ReadMessageItem"),
        "inferenceClassification": "focused",
        "body": {"contentType": "html", "content": format!("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head><body><p>Hi team,</p><p>please find the quarterly numbers attached ({i}). {}</p></body></html>", "Let me know by Friday if anything looks off. ".repeat(16))},
        "sender": person("Adele Vance", "AdeleV@contoso.onmicrosoft.com"),
        "from": person("Adele Vance", "AdeleV@contoso.onmicrosoft.com"),
        "toRecipients": [person("Alex Wilber", "AlexW@contoso.onmicrosoft.com"), person("Megan Bowen", "MeganB@contoso.onmicrosoft.com")],
        "ccRecipients": [person("Nestor Wilke", "NestorW@contoso.onmicrosoft.com")],
        "bccRecipients": [],
        "replyTo": [],
        "flag": {"flagStatus": "notFlagged"}
    })
}

fn main() {
    let rounds: usize = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let page = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users('adele')/messages",
        "value": (0..999).map(message).collect::<Vec<_>>(),
        "@odata.nextLink": "https://graph.microsoft.com/v1.0/me/messages?$top=999&$skip=999"
    });
    let body = serde_json::to_vec(&page).expect("page");
    let typed: MessageCollectionResponse = serde_json::from_slice(&body).expect("typed decode");
    assert_eq!(typed.value.len(), 999);
    assert_eq!(
        typed.value[3].subject().map(String::as_str),
        Some("Quarterly numbers, draft 3")
    );
    let (mut ratios, mut typed_ms, mut value_ms) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let time = |f: &dyn Fn()| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        };
        let t = || {
            black_box(
                serde_json::from_slice::<MessageCollectionResponse>(black_box(&body)).unwrap(),
            );
        };
        let v = || {
            black_box(serde_json::from_slice::<Value>(black_box(&body)).unwrap());
        };
        let (a, b) = if round.is_multiple_of(2) {
            (time(&t), time(&v))
        } else {
            let b = time(&v);
            (time(&t), b)
        };
        typed_ms.push(a);
        value_ms.push(b);
        ratios.push(b / a);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "999 messages, {} KiB: typed {:.2} ms, Value {:.2} ms (medians of {rounds} rounds)",
        body.len() / 1024,
        median(typed_ms),
        median(value_ms)
    );
    println!("RESULT decode_typed_vs_value={:.3}", median(ratios));
}
