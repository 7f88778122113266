use super::*;

#[test]
fn graph_body_is_decoded_with_inner_details() {
    let body = br#"{"error":{"code":"ErrorItemNotFound","message":"The item was not found.",
        "innerError":{"code":"inner","request-id":"r-1","date":"2026-01-01T00:00:00"}}}"#;
    let url = url::Url::parse("https://graph.microsoft.com/v1.0/me/x?$filter=secret").unwrap();
    let e = Error::from_status(StatusCode::NOT_FOUND, &url, body, None);
    assert_eq!(e.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(e.graph_error().unwrap().code, "ErrorItemNotFound");
    assert_eq!(e.request_id(), Some("r-1"));
    assert_eq!(
        e.graph_error()
            .unwrap()
            .inner_error
            .as_ref()
            .unwrap()
            .code
            .as_deref(),
        Some("inner")
    );
    assert_eq!(
        e.to_string(),
        "HTTP 404 Not Found from https://graph.microsoft.com/v1.0/me/x: ErrorItemNotFound: The item was not found."
    );
}

#[test]
fn html_body_gives_status_and_short_excerpt() {
    let mut body = b"<html>\n<body>  <h1>502 Bad Gateway</h1>".to_vec();
    body.extend(std::iter::repeat_n(b'x', 1000));
    let url = url::Url::parse("http://127.0.0.1/v1.0/me").unwrap();
    let e = Error::from_status(StatusCode::BAD_GATEWAY, &url, &body, None);
    assert!(e.graph_error().is_none());
    let ex = e.body_excerpt().unwrap();
    assert!(ex.starts_with("<html> <body> <h1>502 Bad Gateway</h1>"));
    assert_eq!(ex.chars().count(), EXCERPT_CHARS + 1);
}

#[test]
fn throttling_is_queryable() {
    let url = url::Url::parse("http://127.0.0.1/").unwrap();
    let e = Error::from_status(
        StatusCode::TOO_MANY_REQUESTS,
        &url,
        b"",
        Some(Duration::from_secs(3)),
    );
    assert!(e.is_throttled());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
    let e = Error::from_status(StatusCode::SERVICE_UNAVAILABLE, &url, b"", None);
    assert!(!e.is_throttled());
}
