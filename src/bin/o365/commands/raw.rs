//! `o365 get|post|put|patch|delete PATH_OR_URL`: any endpoint, with OData options built by the
//! runtime's query builder, paging with `--all`, bodies from `--data`.

use std::io::Read;

use futures_util::TryStreamExt;
use o365::odata::{OrderBy, Query};
use o365::protocol::Protocol;
use o365::{Body, Connection};
use reqwest::Method;
use serde_json::Value;

use crate::cli::{OutputFormat, QueryArgs, RawArgs};
use crate::failure::{CliResult, Failure};
use crate::output::{self, ItemSink};
use crate::session::Session;

/// Runs one raw request.
pub async fn run(
    session: &mut Session,
    method: Method,
    args: RawArgs,
    format: OutputFormat,
    validate: bool,
) -> CliResult {
    // The body is read and checked before signing in: a bad body sends nothing.
    let data = args.data.as_deref().map(read_data).transpose()?;
    if validate && let Some(bytes) = &data {
        super::schema::check_raw(method.as_str(), &args.path, bytes)?;
    }
    session.headers = args
        .header
        .iter()
        .map(|h| parse_header(h))
        .collect::<CliResult<_>>()?;
    let conn = session.signed_in().await?;
    let params = query_params(conn.protocol(), &args.query)?;
    if args.all {
        if method != Method::GET {
            return Err(Failure::usage("--all follows pages of a GET"));
        }
        return stream_all(&conn, &args.path, &params, format).await;
    }
    let mut request = conn.request(method, &args.path).query(&params);
    if let Some(bytes) = data {
        let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
        let has_type = session
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if is_json && !has_type {
            request = request.header("Content-Type", "application/json");
        }
        request = request.body(Body::bytes(bytes));
    }
    let reply = request.send().await?;
    let body = reply.bytes().await?;
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(value) => output::print_value(format, &value),
        Err(_) => {
            use std::io::Write;
            std::io::stdout()
                .write_all(&body)
                .map_err(|e| Failure::io("cannot write to stdout", e))
        }
    }
}

/// Streams every item of the collection at `path`, page after page.
async fn stream_all(
    conn: &Connection,
    path: &str,
    params: &[(String, String)],
    format: OutputFormat,
) -> CliResult {
    let mut items = conn.items::<Value, _>(path, params, None)?;
    let mut sink = ItemSink::new(format);
    let progress = output::item_progress(path);
    while let Some(item) = items.try_next().await? {
        progress.inc(1);
        progress.suspend(|| sink.push(item))?;
    }
    progress.finish_and_clear();
    tracing::debug!(count = sink.count(), "streamed all items");
    sink.finish()
}

/// The OData parameters of `args`, built with the protocol's query builder (casing, `$select`
/// joined, `$search` quoted); `--filter` is passed as written.
pub fn query_params(protocol: &Protocol, args: &QueryArgs) -> CliResult<Vec<(String, String)>> {
    let q = protocol.query();
    let mut parts: Vec<Query> = Vec::new();
    if !args.select.is_empty() {
        parts.push(q.select(&args.select));
    }
    if !args.orderby.is_empty() {
        let order: Vec<OrderBy> = args.orderby.iter().map(|o| order_by(o)).collect();
        parts.push(q.orderby(order));
    }
    parts.extend(args.expand.iter().map(|e| q.expand(e)));
    if let Some(text) = &args.search {
        parts.push(q.search(text));
    }
    if let Some(top) = args.top {
        parts.push(q.top(top));
    }
    let mut params = match parts.into_iter().reduce(Query::and) {
        Some(query) => query.params()?,
        None => Vec::new(),
    };
    if let Some(filter) = &args.filter {
        params.insert(0, ("$filter".to_owned(), filter.clone()));
    }
    Ok(params)
}

/// `property [asc|desc]`.
fn order_by(text: &str) -> OrderBy {
    let mut words = text.split_whitespace();
    let attribute = words.next().unwrap_or_default();
    match words.next() {
        Some(dir) if dir.eq_ignore_ascii_case("desc") => OrderBy::desc(attribute),
        _ => OrderBy::asc(attribute),
    }
}

/// `Name: value`.
fn parse_header(text: &str) -> CliResult<(String, String)> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| Failure::usage(format!("--header {text:?}: expected `Name: value`")))?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

/// `--data`: `-` reads stdin, `@path` a file, anything else is the body itself.
pub fn read_data(data: &str) -> CliResult<Vec<u8>> {
    if data == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure::io("cannot read the body from stdin", e))?;
        return Ok(bytes);
    }
    match data.strip_prefix('@') {
        Some(path) => {
            std::fs::read(path).map_err(|e| Failure::io(&format!("cannot read {path}"), e))
        }
        None => Ok(data.as_bytes().to_vec()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_options_use_the_builder_and_keep_the_raw_filter_first() {
        let args = QueryArgs {
            select: vec!["subject".into(), "isRead".into()],
            filter: Some("isRead eq false".into()),
            orderby: vec!["receivedDateTime desc".into()],
            expand: vec![],
            search: None,
            top: Some(5),
        };
        let params = query_params(&Protocol::graph(), &args).unwrap();
        let expected = [
            ("$filter", "isRead eq false"),
            ("$orderby", "receivedDateTime desc"),
            ("$select", "subject,isRead"),
            ("$top", "5"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        assert_eq!(params, expected);
    }

    #[test]
    fn headers_need_a_colon() {
        assert_eq!(
            parse_header("ConsistencyLevel: eventual").unwrap(),
            ("ConsistencyLevel".into(), "eventual".into())
        );
        assert!(parse_header("nocolon").is_err());
    }
}
