//! OData query options over JSON collections: `$filter`, `$orderby`, `$skip`/`$skiptoken`,
//! `$top`, `$select`, `$count`, and `@odata.nextLink` paging.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use super::util;
use crate::odata::ComparisonOp as Op;

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

/// A `$filter` expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Compare(String, Op, Value),
    /// `startswith`/`endswith`/`contains(path, 'text')`.
    Text(String, String, String),
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

/// The value at a `/`-separated property path (`from/emailAddress/address`).
pub(crate) fn lookup<'a>(entity: &'a Value, path: &str) -> &'a Value {
    path.split('/').fold(entity, |v, key| {
        v.as_object()
            .and_then(|m| {
                m.get(key).or_else(|| {
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v)
                })
            })
            .unwrap_or(&Value::Null)
    })
}

/// OData ordering: null first, then numbers, then date-times by instant, strings without case.
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => match (util::parse_iso(x), util::parse_iso(y)) {
            (Some(tx), Some(ty)) if x.len() >= 10 && y.len() >= 10 => tx.cmp(&ty),
            _ => x.to_lowercase().cmp(&y.to_lowercase()),
        },
        _ => a.to_string().cmp(&b.to_string()),
    }
}

impl Filter {
    /// Whether `entity` satisfies the filter.
    pub fn matches(&self, entity: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(entity) && b.matches(entity),
            Filter::Or(a, b) => a.matches(entity) || b.matches(entity),
            Filter::Not(f) => !f.matches(entity),
            Filter::Compare(path, op, literal) => {
                let value = lookup(entity, path);
                let ordering = compare(value, literal);
                let comparable =
                    !(value.is_null() || literal.is_null()) || matches!(op, Op::Eq | Op::Ne);
                comparable
                    && match op {
                        Op::Eq => ordering.is_eq(),
                        Op::Ne => ordering.is_ne(),
                        Op::Gt => ordering.is_gt(),
                        Op::Ge => ordering.is_ge(),
                        Op::Lt => ordering.is_lt(),
                        Op::Le => ordering.is_le(),
                    }
            }
            Filter::Text(function, path, text) => {
                let value = lookup(entity, path)
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase();
                let text = text.to_lowercase();
                match function.as_str() {
                    "startswith" => value.starts_with(&text),
                    "endswith" => value.ends_with(&text),
                    _ => value.contains(&text),
                }
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn tokenize(input: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            s.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => s.push(c),
                        None => return Err("Unterminated string literal in $filter.".into()),
                    }
                }
                tokens.push(Token::Str(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&c) = chars.peek() {
                    if matches!(c, ' ' | '\t' | '(' | ')' | ',' | '\'') {
                        break;
                    }
                    w.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(w));
            }
        }
    }
    Ok(tokens)
}

/// Parses a `$filter` expression: comparisons (`eq ne gt ge lt le`) of a property path with a
/// literal, `startswith`/`endswith`/`contains`, `not`, `and`, `or`, parentheses.
pub(crate) fn parse_filter(input: &str) -> Result<Filter, String> {
    let tokens = tokenize(input)?;
    let mut parser = Parser { tokens, pos: 0 };
    let filter = parser.or()?;
    if parser.pos != parser.tokens.len() {
        return Err(format!(
            "Invalid filter clause: unexpected token at position {}.",
            parser.pos
        ));
    }
    Ok(filter)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&mut self, word: &str) -> bool {
        let hit = matches!(self.tokens.get(self.pos), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word));
        self.pos += usize::from(hit);
        hit
    }

    fn expect(&mut self, token: Token) -> Result<(), String> {
        (self.next() == Some(token))
            .then_some(())
            .ok_or_else(|| "Invalid filter clause.".to_owned())
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.primary()?;
        while self.keyword("and") {
            left = Filter::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Filter, String> {
        if self.keyword("not") {
            return Ok(Filter::Not(Box::new(self.primary()?)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close)?;
                Ok(inner)
            }
            Some(Token::Word(function))
                if matches!(
                    function.to_ascii_lowercase().as_str(),
                    "startswith" | "endswith" | "contains"
                ) && self.tokens.get(self.pos) == Some(&Token::Open) =>
            {
                self.expect(Token::Open)?;
                let Some(Token::Word(path)) = self.next() else {
                    return Err("Invalid filter clause.".into());
                };
                self.expect(Token::Comma)?;
                let Some(Token::Str(text)) = self.next() else {
                    return Err("Invalid filter clause.".into());
                };
                self.expect(Token::Close)?;
                Ok(Filter::Text(function.to_ascii_lowercase(), path, text))
            }
            Some(Token::Word(path)) => {
                let op = match self.next() {
                    Some(Token::Word(op)) => match Op::parse(&op) {
                        Some(op) => op,
                        None => {
                            return Err(format!(
                                "Invalid filter clause: unsupported operator '{op}'."
                            ));
                        }
                    },
                    _ => return Err("Invalid filter clause: expected an operator.".into()),
                };
                let literal = match self.next() {
                    Some(Token::Str(s)) => Value::String(s),
                    Some(Token::Word(w)) => literal(&w)?,
                    _ => return Err("Invalid filter clause: expected a value.".into()),
                };
                Ok(Filter::Compare(path, op, literal))
            }
            _ => Err("Invalid filter clause.".into()),
        }
    }
}

fn literal(word: &str) -> Result<Value, String> {
    match word.to_ascii_lowercase().as_str() {
        "true" => Ok(json!(true)),
        "false" => Ok(json!(false)),
        "null" => Ok(Value::Null),
        _ => {
            if let Ok(n) = word.parse::<i64>() {
                Ok(json!(n))
            } else if let Ok(n) = word.parse::<f64>() {
                Ok(json!(n))
            } else if let Some(t) = util::parse_iso(word) {
                Ok(json!(util::iso(t)))
            } else {
                Err(format!(
                    "Invalid filter clause: unsupported literal '{word}'."
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_parses_and_or_not_and_functions() {
        let f =
            parse_filter("isRead eq false and (importance eq 'high' or startswith(subject,'Re:'))")
                .unwrap();
        let m = |read: bool, imp: &str, subj: &str| json!({"isRead": read, "importance": imp, "subject": subj});
        assert!(f.matches(&m(false, "high", "x")));
        assert!(f.matches(&m(false, "normal", "re: y")));
        assert!(!f.matches(&m(true, "high", "x")));
        assert!(!f.matches(&m(false, "normal", "x")));
        assert!(
            parse_filter("not isRead eq true")
                .unwrap()
                .matches(&m(false, "", ""))
        );
        assert!(parse_filter("isRead eq").is_err());
        assert!(parse_filter("isRead like 1").is_err());
    }

    #[test]
    fn datetimes_compare_by_instant_and_nested_paths_resolve() {
        let f = parse_filter(
            "receivedDateTime ge 2025-03-04T00:00:00Z and from/emailAddress/address eq 'a@b.c'",
        )
        .unwrap();
        let m = json!({"receivedDateTime": "2025-03-04T08:00:00Z", "from": {"emailAddress": {"address": "A@b.c"}}});
        assert!(f.matches(&m));
        assert!(
            !f.matches(&json!({"receivedDateTime": "2025-03-03T23:59:59Z", "from": m["from"]}))
        );
    }

    #[test]
    fn skiptoken_round_trips() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(30)), Some(30));
        assert_eq!(decode_skiptoken("bogus"), None);
    }
}
