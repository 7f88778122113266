//! OData query options over JSON collections: `$filter`, `$orderby`, `$skip`/`$skiptoken`,
//! `$top`, `$select`, `$count`, and `@odata.nextLink` paging.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

mod filter;
mod values;

use super::util;

pub(crate) use filter::{Filter, parse_filter};
pub(crate) use values::{compare, lookup};

/// Largest `$top` Graph accepts for mail items.
pub const MAX_TOP: usize = 1000;

/// Parsed query options of a collection request.
#[derive(Debug, Default)]
pub(crate) struct QueryOptions {
    pub top: Option<usize>,
    pub skip: usize,
    pub select: Option<Vec<String>>,
    pub orderby: Vec<(String, bool)>,
    pub filter: Option<Filter>,
    pub count: bool,
}

impl QueryOptions {
    /// Parses the `$…` parameters; the error is a message for a 400 `BadRequest`.
    pub fn parse(query: &[(String, String)]) -> Result<QueryOptions, String> {
        let mut opts = QueryOptions::default();
        for (name, value) in query {
            match name.to_ascii_lowercase().as_str() {
                "$top" => {
                    let top: usize = value
                        .parse()
                        .map_err(|_| format!("Invalid $top value '{value}'."))?;
                    if !(1..=MAX_TOP).contains(&top) {
                        return Err(format!(
                            "The value of $top must be between 1 and {MAX_TOP}."
                        ));
                    }
                    opts.top = Some(top);
                }
                "$skip" => {
                    opts.skip = value
                        .parse()
                        .map_err(|_| format!("Invalid $skip value '{value}'."))?
                }
                "$skiptoken" => opts.skip = decode_skiptoken(value).ok_or("Invalid $skiptoken.")?,
                "$select" => {
                    opts.select = Some(
                        value
                            .split(',')
                            .map(|s| s.trim().to_owned())
                            .filter(|s| !s.is_empty())
                            .collect(),
                    )
                }
                "$orderby" => {
                    for clause in value.split(',') {
                        let mut words = clause.split_whitespace();
                        let path = words.next().ok_or("Invalid $orderby.")?.to_owned();
                        let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                            None | Some("asc") => false,
                            Some("desc") => true,
                            Some(other) => {
                                return Err(format!("Invalid $orderby direction '{other}'."));
                            }
                        };
                        opts.orderby.push((path, desc));
                    }
                }
                "$filter" => opts.filter = Some(parse_filter(value)?),
                "$count" => opts.count = value.eq_ignore_ascii_case("true"),
                _ => {}
            }
        }
        Ok(opts)
    }

    /// Filters and sorts `items`, then returns the page body with `@odata.nextLink` (built on
    /// `link_base` = absolute URL without query, and `query` = the request's query) and
    /// `@odata.count` when asked for.
    pub fn page(
        &self,
        items: Vec<Value>,
        default_top: usize,
        context: &str,
        link_base: &str,
        query: &[(String, String)],
    ) -> Value {
        let mut items: Vec<Value> = items
            .into_iter()
            .filter(|v| self.filter.as_ref().is_none_or(|f| f.matches(v)))
            .collect();
        if !self.orderby.is_empty() {
            items.sort_by(|a, b| {
                self.orderby
                    .iter()
                    .map(|(path, desc)| {
                        let o = compare(lookup(a, path), lookup(b, path));
                        if *desc { o.reverse() } else { o }
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        }
        let total = items.len();
        let top = self.top.unwrap_or(default_top);
        let page: Vec<Value> = items
            .iter()
            .skip(self.skip)
            .take(top)
            .map(|v| self.project(v))
            .collect();
        let mut body = Map::new();
        body.insert("@odata.context".into(), json!(context));
        if self.count {
            body.insert("@odata.count".into(), json!(total));
        }
        body.insert("value".into(), Value::Array(page));
        if self.skip + top < total {
            body.insert(
                "@odata.nextLink".into(),
                json!(next_link(link_base, query, self.skip + top)),
            );
        }
        Value::Object(body)
    }

    /// Applies `$select` to one entity (keeping `id` and `@odata.*` annotations).
    pub fn project(&self, entity: &Value) -> Value {
        let (Some(select), Value::Object(map)) = (&self.select, entity) else {
            return entity.clone();
        };
        Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    *k == "id"
                        || k.starts_with("@odata.")
                        || select.iter().any(|s| s.eq_ignore_ascii_case(k))
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

/// The request's query with `$skip`/`$skiptoken` set to `skip`: `$skiptoken` when the caller
/// paged with one (the users collection), `$skip` otherwise.
fn next_link(base: &str, query: &[(String, String)], skip: usize) -> String {
    let uses_token = query
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("$skiptoken"));
    let mut parts: Vec<String> = query
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("$skip") && !k.eq_ignore_ascii_case("$skiptoken"))
        .map(|(k, v)| format!("{k}={}", util::query_encode(v)))
        .collect();
    parts.push(if uses_token {
        format!("$skiptoken={}", encode_skiptoken(skip))
    } else {
        format!("$skip={skip}")
    });
    format!("{base}?{}", parts.join("&"))
}

/// An opaque `$skiptoken` for an offset.
pub(crate) fn encode_skiptoken(skip: usize) -> String {
    format!(
        "RFNwdAIAAQAAA{}",
        util::b64url(format!("emu:{skip}").as_bytes())
    )
}

fn decode_skiptoken(token: &str) -> Option<usize> {
    use base64::Engine;
    let raw = token.strip_prefix("RFNwdAIAAQAAA")?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("emu:")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skiptoken_round_trips() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(30)), Some(30));
        assert_eq!(decode_skiptoken("bogus"), None);
    }
}
