//! `o365 batch FILE.json` against the emulator: 22 steps split into two `$batch` requests, the
//! answers printed in step order.
#![cfg(feature = "cli")]

mod cli_support;

use cli_support::Env;
use serde_json::{Value, json};

#[test]
fn batch_file_steps_are_sent_and_answered_in_order() {
    let env = Env::start();
    env.login();
    let mut requests: Vec<Value> = (1..=20)
        .map(|i| json!({"id": format!("m{i}"), "method": "GET", "url": format!("/me/messages?$top=1&$skip={i}&$select=subject")}))
        .collect();
    requests.push(
        json!({"id": "draft", "method": "POST", "url": "/me/messages",
        "headers": {"Content-Type": "application/json"}, "body": {"subject": "From a batch file"}}),
    );
    requests.push(json!({"id": "missing", "method": "GET", "url": "/me/messages/nope", "dependsOn": ["draft"]}));
    let file = env.dir.path().join("batch.json");
    std::fs::write(&file, json!({ "requests": requests }).to_string()).unwrap();

    let out = env.json(&["batch", file.to_str().unwrap()]);
    let responses = out["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 22);
    let ids: Vec<&str> = responses
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[0], "m1");
    assert_eq!(ids[20..], ["draft", "missing"]);
    assert!(
        responses[..20]
            .iter()
            .all(|r| r["status"] == 200 && r["body"]["value"].as_array().unwrap().len() == 1)
    );
    assert_eq!(responses[20]["status"], 201);
    assert_eq!(responses[20]["body"]["subject"], "From a batch file");
    assert_eq!(responses[21]["status"], 404);
    assert_eq!(responses[21]["body"]["error"]["code"], "ErrorItemNotFound");
    assert_eq!(env.emulator.counters().requests("POST", "/v1.0/$batch"), 2);

    // A dependency on an unknown step is a usage error before anything is sent.
    std::fs::write(
        &file,
        json!({"requests": [{"id": "a", "method": "GET", "url": "/me", "dependsOn": ["b"]}]})
            .to_string(),
    )
    .unwrap();
    env.cmd()
        .args(["batch", file.to_str().unwrap()])
        .assert()
        .failure();
    assert_eq!(env.emulator.counters().requests("POST", "/v1.0/$batch"), 2);
}
