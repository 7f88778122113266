//! `o365 subscribe RESOURCE --change-type created --listen PORT`: serves a notification
//! receiver on `127.0.0.1:PORT`, creates the subscription (the service validates the URL against
//! the receiver first), prints every notification and lifecycle event as one JSON line on
//! stdout, renews the subscription shortly before it expires, and deletes it when it stops
//! (Ctrl-C, or after `--count` events).

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use o365::notifications::{ChangeType, Event, NewSubscription, Receiver, Subscription};
use tokio::sync::mpsc;

use crate::cli::SubscribeArgs;
use crate::failure::{CliResult, Failure};
use crate::output;
use crate::session::Session;

/// Runs `o365 subscribe`.
pub async fn run(session: &Session, args: SubscribeArgs) -> CliResult {
    let changes = change_types(&args.change_type)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.listen))
        .await
        .map_err(|e| Failure::io(&format!("cannot listen on 127.0.0.1:{}", args.listen), e))?;
    let port = listener
        .local_addr()
        .map_err(|e| Failure::io("the listener has no address", e))?
        .port();
    let client_state = args
        .client_state
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let (tx, events) = mpsc::unbounded_channel::<Event>();
    let receiver = Arc::new(Receiver::new(client_state.clone()));
    tokio::spawn(serve(listener, receiver, tx));

    let url = args
        .notification_url
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{port}/"));
    let lifetime = args
        .expires_in
        .map(|minutes| Duration::from_secs(minutes.saturating_mul(60)));
    let mut new = NewSubscription::new(&args.resource, &url).client_state(client_state);
    for change in changes {
        new = new.change_type(change);
    }
    if let Some(lifetime) = lifetime {
        new = new.expires_in(lifetime);
    }
    let conn = session.signed_in().await?;
    let subscription = conn.change_notifications().create(&new).await?;
    eprintln!(
        "subscribed {} to {} ({}) until {}; receiving on 127.0.0.1:{port}",
        subscription.id,
        subscription.resource,
        url,
        subscription.expiration.to_rfc3339()
    );
    // Renewed shortly before it expires for as long as this runs.
    let renewals = conn
        .change_notifications()
        .keep_renewed(subscription.clone(), lifetime);
    let outcome = print_events(events, renewals, args.count).await;
    match conn.change_notifications().delete(&subscription.id).await {
        Ok(()) => eprintln!("deleted subscription {}", subscription.id),
        Err(e) => eprintln!("could not delete subscription {}: {e}", subscription.id),
    }
    outcome
}

/// The `--change-type` values, each a name or a comma-separated list of names.
fn change_types(names: &[String]) -> CliResult<Vec<ChangeType>> {
    let mut changes: Vec<ChangeType> = Vec::new();
    for name in names {
        for part in name.split(',') {
            let parsed = ChangeType::parse(part).ok_or_else(|| {
                Failure::usage(format!(
                    "unknown change type {part:?} (created, updated, deleted)"
                ))
            })?;
            changes.push(parsed);
        }
    }
    Ok(changes)
}

/// Prints every event as a JSON line and reports renewals, until `count` events were printed,
/// the receiver stops, a renewal fails, or Ctrl-C.
async fn print_events(
    mut events: mpsc::UnboundedReceiver<Event>,
    mut renewals: BoxStream<'static, o365::Result<Subscription>>,
    count: Option<u64>,
) -> CliResult {
    let mut renewing = true;
    let mut printed = 0u64;
    loop {
        if count.is_some_and(|n| printed >= n) {
            return Ok(());
        }
        tokio::select! {
            event = events.recv() => {
                let Some(event) = event else { return Ok(()) };
                let line = serde_json::to_string(&event)
                    .map_err(|e| Failure::usage(format!("cannot print a notification: {e}")))?;
                output::write_line(&line)?;
                printed += 1;
            }
            renewed = renewals.next(), if renewing => match renewed {
                Some(Ok(renewed)) => eprintln!(
                    "renewed subscription {} until {}",
                    renewed.id,
                    renewed.expiration.to_rfc3339()
                ),
                Some(Err(e)) => return Err(e.into()),
                None => renewing = false,
            },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// Answers every connection with the receiver; events go to `tx`.
async fn serve(
    listener: tokio::net::TcpListener,
    receiver: Arc<Receiver>,
    tx: mpsc::UnboundedSender<Event>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (receiver, tx) = (receiver.clone(), tx.clone());
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let (receiver, tx) = (receiver.clone(), tx.clone());
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body.collect().await?.to_bytes();
                        let received = receiver.receive(http::Request::from_parts(parts, body));
                        if received.rejected > 0 {
                            eprintln!(
                                "dropped {} notification(s) with a wrong clientState",
                                received.rejected
                            );
                        }
                        for event in received.events {
                            // The printing loop has stopped: the process is ending.
                            let _ = tx.send(event);
                        }
                        let (parts, body) = received.response.into_parts();
                        Ok::<_, hyper::Error>(hyper::Response::from_parts(parts, Full::new(body)))
                    }
                });
            // A client closing its connection early is not an error of the receiver.
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
