//! Every request runs in an `o365.request` span whose fields say what happened (method, host,
//! path without the query, attempt, status, request id, waits), and no field carries a secret.

mod support;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use o365::clock::ManualClock;
use o365::token::MemoryTokenBackend;
use o365::{Connection, Credentials};
use serde_json::json;
use support::{ACCESS_TOKEN, Reply, ScriptedServer};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

const START: u64 = 1_767_225_600;

/// A closed span: its name and fields.
type Closed = (String, BTreeMap<String, String>);

/// Every closed span, in closing order.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<Closed>>>);

struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().into(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().into(), value.into());
    }
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields(BTreeMap::new());
        attrs.record(&mut fields);
        ctx.span(id).unwrap().extensions_mut().insert(fields);
    }
    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(fields) = ctx.span(id).unwrap().extensions_mut().get_mut::<Fields>() {
            values.record(fields);
        }
    }
    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let span = ctx.span(&id).unwrap();
        let fields = span.extensions_mut().remove::<Fields>().unwrap().0;
        self.0
            .lock()
            .unwrap()
            .push((span.name().to_string(), fields));
    }
}

#[tokio::test]
async fn a_retried_request_is_one_span_with_its_attempts_status_request_id_and_waits() {
    let spans = Spans::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let clock = ManualClock::at(UNIX_EPOCH + Duration::from_secs(START));
    let server = ScriptedServer::start(clock.clone()).await;
    server.push([
        Reply::new(503).header("Retry-After", "2"),
        Reply::json(200, json!({"id": "me"})).header("request-id", "9a1c-rid"),
    ]);
    let conn = support::seeded_builder(&clock, "s3cret-value", START + 3600)
        .await
        .build()
        .unwrap();
    let url = server.url("/v1.0/me/messages?$filter=subject eq 'sig=abc123'");
    conn.get(&url, &()).await.unwrap();

    let spans = spans.0.lock().unwrap().clone();
    let requests: Vec<&BTreeMap<String, String>> = spans
        .iter()
        .filter(|(name, _)| name == "o365.request")
        .map(|(_, fields)| fields)
        .collect();
    assert_eq!(requests.len(), 1, "{spans:?}");
    let fields = requests[0];
    assert_eq!(fields["method"], "GET");
    assert_eq!(fields["host"], "127.0.0.1");
    assert_eq!(fields["path"], "/v1.0/me/messages");
    assert_eq!(fields["attempt"], "2");
    assert_eq!(fields["status"], "200");
    assert_eq!(fields["request_id"], "9a1c-rid");
    assert_eq!(fields["retry_wait_ms"], "2000");
    let everything = format!("{spans:?}");
    for secret in [ACCESS_TOKEN, "s3cret-value", "sig=abc123"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}

#[tokio::test]
async fn a_token_request_is_an_o365_token_span_without_form_fields() {
    let spans = Spans::default();
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(spans.clone()));
    let clock = ManualClock::at(UNIX_EPOCH + Duration::from_secs(START));
    let server = ScriptedServer::start(clock.clone()).await;
    server.push([Reply::json(
        200,
        json!({"token_type": "Bearer", "access_token": "app-token-xyz", "expires_in": 3599}),
    )]);
    let conn = Connection::builder(Credentials::client_secret("client-1", "s3cret-value"))
        .auth_flow(o365::AuthFlowType::Credentials)
        .tenant_id("tenant-1")
        .authority(&server.base)
        .token_backend(MemoryTokenBackend::new())
        .clock(clock.clone())
        .requests_delay(Duration::ZERO)
        .build()
        .unwrap();
    conn.request_token_for_client(None, false).await.unwrap();
    let spans = spans.0.lock().unwrap().clone();
    let token: Vec<_> = spans
        .iter()
        .filter(|(name, _)| name == "o365.token")
        .collect();
    assert_eq!(token.len(), 1, "{spans:?}");
    assert_eq!(token[0].1["grant"], "client_credentials");
    assert_eq!(token[0].1["host"], "127.0.0.1");
    let everything = format!("{spans:?}");
    for secret in ["s3cret-value", "app-token-xyz"] {
        assert!(!everything.contains(secret), "{secret} in {everything}");
    }
}
