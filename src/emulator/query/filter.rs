//! `$filter`: the expression tree, its evaluation against a JSON entity, and its parser
//! (`and`/`or`/`not`, comparisons, `startswith`/`endswith`/`contains`, literals).

use serde_json::{Value, json};

use super::values::{compare, lookup};
use crate::emulator::util;
use crate::odata::ComparisonOp as Op;

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
}
