//! The HTTP/1.1 server: accepts loopback connections, applies the script, routes requests.

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::script::Decision;
use super::state::Shared;
use super::wire::{Reply, Req};
use super::{graph, identity, util};

/// The script asked to close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by the emulator script")
    }
}

impl std::error::Error for DropConnection {}

/// Accepts connections until the task is aborted; aborting also ends every open connection.
pub(crate) async fn run(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request| serve(shared.clone(), request));
                    // A dropped or reset connection is an expected outcome here.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(
    shared: Arc<Shared>,
    request: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| DropConnection)?.to_bytes();
    let path = util::percent_decode(parts.uri.path());
    shared
        .counters()
        .record_request(parts.method.as_str(), &path, &parts.headers);
    let decision = shared.script().decide(&path);
    shared.counters().record_fault(&decision);
    if let Some(delay) = decision.delay {
        tokio::time::sleep(delay).await;
    }
    if decision.drop {
        return Err(DropConnection);
    }
    let req = Req {
        method: parts.method,
        query: url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect(),
        path,
        headers: parts.headers,
        body,
        request_id: util::uuid4(),
        now: shared.now(),
    };
    let reply = match decision {
        Decision {
            throttle: Some((status, retry_after)),
            ..
        } => Reply::throttled(&req, status, retry_after),
        Decision {
            claims_challenge: true,
            ..
        } => claims_challenge(&req),
        _ if graph::is_subscriptions(&req.path) => graph::subscriptions(shared.clone(), &req).await,
        _ => route(&shared, &req),
    };
    if req.method != http::Method::GET && req.path.starts_with(super::script::GRAPH_PATHS) {
        graph::notify_changes(&shared);
    }
    Ok(into_response(reply, &req))
}

/// The claims the emulator asks for in a challenge: a token issued from now on.
fn challenge_claims(now: i64) -> String {
    format!(r#"{{"access_token":{{"nbf":{{"essential":true,"value":"{now}"}}}}}}"#)
}

fn claims_challenge(req: &Req) -> Reply {
    use base64::Engine;
    let claims = challenge_claims(req.now);
    let encoded = base64::engine::general_purpose::STANDARD.encode(claims);
    Reply::graph_error(
        StatusCode::UNAUTHORIZED,
        "InvalidAuthenticationToken",
        "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
        req,
    )
    .with_header(
        "www-authenticate",
        format!(r#"Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="{encoded}""#),
    )
}

fn route(shared: &Shared, req: &Req) -> Reply {
    if let Some(rest) = req.path.strip_prefix("/v1.0/") {
        return graph::handle(shared, rest, req);
    }
    if let Some(reply) = identity::managed_identity(shared, req) {
        return reply;
    }
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    let reply = match segments.as_slice() {
        ["devicelogin"] => Some(Reply::html(
            StatusCode::OK,
            "Device sign-in: the emulator approves device codes automatically.",
        )),
        ["upload", session] => Some(graph::upload(shared, session, req)),
        [tenant, "oauth2", "v2.0", endpoint] => identity::handle(shared, tenant, endpoint, req),
        [tenant, "v2.0", ".well-known", "openid-configuration"] => {
            Some(identity::openid_configuration(shared, tenant))
        }
        _ => None,
    };
    reply.unwrap_or_else(|| Reply::html(StatusCode::NOT_FOUND, "Not found."))
}

fn into_response(reply: Reply, req: &Req) -> hyper::Response<Full<Bytes>> {
    let mut response = hyper::Response::new(Full::new(reply.body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    let standard = [
        ("request-id", req.request_id.clone()),
        ("client-request-id", req.client_request_id()),
    ];
    for (name, value) in reply.headers.into_iter().chain(standard) {
        if let Ok(value) = http::HeaderValue::from_str(&value) {
            headers.append(name, value);
        }
    }
    response
}
