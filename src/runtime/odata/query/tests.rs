use super::*;
use crate::ErrorKind;
use crate::protocol::Protocol;
use chrono::{FixedOffset, NaiveDate, TimeZone as _, Utc};
use proptest::prelude::*;

fn graph() -> Protocol {
    Protocol::graph().with_timezone("UTC").unwrap()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn filter_of(query: &Query) -> String {
    let params = query.params().unwrap();
    assert_eq!(params.len(), 1, "{params:?}");
    assert_eq!(params[0].0, "$filter");
    params[0].1.clone()
}

fn error_of(query: &Query) -> String {
    let err = query.params().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    err.to_string()
}

#[test]
fn python_example_comparisons_joined_with_and() {
    let p = graph();
    let q = p.query();
    let query = q.equals("is_read", false) & q.unequal("x", None::<&str>) & q.greater("size", 10);
    assert_eq!(
        query.params().unwrap(),
        pairs(&[("$filter", "isRead eq false and x ne null and size gt 10")])
    );
}

#[test]
fn python_example_grouped_or_chain() {
    let p = graph();
    let q = p.query();
    let query = q.chain_or([q.equals("a", 1), q.equals("b", 2)], true) & q.equals("c", 3);
    assert_eq!(filter_of(&query), "(a eq 1 or b eq 2) and c eq 3");
}

#[test]
fn python_example_any() {
    let p = graph();
    let q = p.query();
    let query = q.any("email_addresses", q.equals("address", "g@b.com"));
    assert_eq!(
        filter_of(&query),
        "emailAddresses/any(a: a/address eq 'g@b.com')"
    );
}

#[test]
fn python_example_all_parts_with_orderby_casing() {
    let p = graph();
    let q = p.query();
    let query = q.equals("is_read", false)
        & q.orderby([("received_date_time", false)])
        & q.select(["subject"])
        & q.expand("attachments");
    assert_eq!(
        query.params().unwrap(),
        pairs(&[
            ("$filter", "isRead eq false"),
            ("$orderby", "receivedDateTime desc"),
            ("$expand", "attachments"),
            ("$select", "subject"),
        ])
    );
    assert_eq!(
        query.to_string(),
        "Filters: isRead eq false\nSearch: \nOrderBy: receivedDateTime desc\nSelect: subject\nExpand: attachments"
    );
}

#[test]
fn every_comparison_and_function() {
    let p = graph();
    let q = p.query();
    let cases = [
        (q.equals("a", 1), "a eq 1"),
        (q.unequal("a", 1), "a ne 1"),
        (q.greater("a", 1), "a gt 1"),
        (q.greater_equal("a", 1), "a ge 1"),
        (q.less("a", 1), "a lt 1"),
        (q.less_equal("a", 1), "a le 1"),
        (
            q.logical_operation(ComparisonOp::Ne, "a", true),
            "a ne true",
        ),
        (q.contains("subject", "it's"), "contains(subject, 'it''s')"),
        (
            q.startswith("display_name", "Jo"),
            "startswith(displayName, 'Jo')",
        ),
        (q.endswith("mail", "@x.com"), "endswith(mail, '@x.com')"),
        (
            q.function_operation("startswith", "display_name", "x"),
            "startswith(displayName, 'x')",
        ),
    ];
    for (query, expected) in cases {
        assert_eq!(filter_of(&query), expected);
    }
}

#[test]
fn attribute_shortcuts_and_paths() {
    let p = graph();
    let q = p.query();
    let cases = [
        ("from", "from/emailAddress/address"),
        ("to", "toRecipients/emailAddress/address"),
        ("start", "start/dateTime"),
        ("end", "end/dateTime"),
        ("due", "dueDateTime/dateTime"),
        ("reminder", "reminderDateTime/dateTime"),
        ("flag", "flag/flagStatus"),
        ("body", "body/content"),
        ("received_date_time", "receivedDateTime"),
        ("flag/flag_status", "flag/flagStatus"),
        (
            "microsoft.graph.eventMessage/meeting_message_type",
            "microsoft.graph.eventMessage/meetingMessageType",
        ),
    ];
    for (attribute, path) in cases {
        assert_eq!(
            filter_of(&q.equals(attribute, 1)),
            format!("{path} eq 1"),
            "{attribute}"
        );
    }
    let outlook = Protocol::office365();
    assert_eq!(
        filter_of(&outlook.query().equals("from", "b")),
        "From/EmailAddress/Address eq 'b'"
    );
    let custom = Protocol::custom("x", "y");
    assert_eq!(
        filter_of(&custom.query().equals("is_read", true)),
        "is_read eq true"
    );
}

#[test]
fn lambdas_negation_and_grouping() {
    let p = graph();
    let q = p.query();
    assert_eq!(
        filter_of(&q.all("tags", q.equals("", "x"))),
        "tags/all(a: a eq 'x')"
    );
    let nested = q.any(
        "attendees",
        q.iterable_operation(
            IterableOp::Any,
            "email_addresses",
            "b",
            q.equals("address", "x"),
        ),
    );
    assert_eq!(
        filter_of(&nested),
        "attendees/any(a: a/emailAddresses/any(b: b/address eq 'x'))"
    );
    let chained_inner = q.any(
        "to_recipients",
        q.equals("address", "x") | q.startswith("name", "J"),
    );
    assert_eq!(
        filter_of(&chained_inner),
        "toRecipients/any(a: a/address eq 'x' or startswith(a/name, 'J'))"
    );
    assert_eq!(filter_of(&q.negate(q.equals("a", 1))), "not a eq 1");
    assert_eq!(
        filter_of(&q.negate(q.chain_and([q.equals("a", 1), q.equals("b", 2)], false))),
        "not (a eq 1 and b eq 2)"
    );
    assert_eq!(
        filter_of(&q.negate(q.any("tags", q.equals("", "x")))),
        "not tags/any(a: a eq 'x')"
    );
    assert_eq!(filter_of(&q.group(q.equals("a", 1))), "(a eq 1)");
    assert_eq!(
        filter_of(&q.chain_and(
            [q.equals("a", 1), q.equals("b", 2), q.equals("c", 3)],
            false
        )),
        "a eq 1 and b eq 2 and c eq 3"
    );
    assert_eq!(
        filter_of(&q.chain_or([q.equals("a", 1), q.equals("b", 2)], false)),
        "a eq 1 or b eq 2"
    );
}

#[test]
fn or_inside_and_keeps_its_meaning() {
    let p = graph();
    let q = p.query();
    let query = (q.equals("a", 1) | q.equals("b", 2)) & q.equals("c", 3);
    assert_eq!(filter_of(&query), "(a eq 1 or b eq 2) and c eq 3");
    let query = q.equals("a", 1) & q.equals("b", 2) | q.equals("c", 3);
    assert_eq!(filter_of(&query), "a eq 1 and b eq 2 or c eq 3");
    let query = q.equals("a", 1) | q.equals("b", 2) | q.equals("c", 3);
    assert_eq!(filter_of(&query), "a eq 1 or b eq 2 or c eq 3");
    assert_eq!(filter_of(&(Query::default() & q.equals("a", 1))), "a eq 1");
    assert_eq!(filter_of(&(q.equals("a", 1) | Query::default())), "a eq 1");
    assert_eq!(Query::default().params().unwrap(), vec![]);
}

#[test]
fn values_render_as_odata_literals() {
    let p = graph();
    let q = p.query();
    let madrid = Protocol::graph().with_timezone("Europe/Madrid").unwrap();
    let naive = NaiveDate::from_ymd_opt(2024, 1, 2)
        .unwrap()
        .and_hms_opt(3, 4, 5)
        .unwrap();
    let summer = NaiveDate::from_ymd_opt(2024, 7, 2)
        .unwrap()
        .and_hms_opt(3, 4, 5)
        .unwrap();
    let utc = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
    let offset = FixedOffset::east_opt(2 * 3600)
        .unwrap()
        .with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
        .unwrap();
    let cases: Vec<(FilterValue, &Protocol, &str)> = vec![
        ("it's".into(), &p, "'it''s'"),
        (String::from("''").into(), &p, "''''''"),
        (true.into(), &p, "true"),
        (None::<i32>.into(), &p, "null"),
        (Some(7u8).into(), &p, "7"),
        ((-42i64).into(), &p, "-42"),
        (u64::MAX.into(), &p, "18446744073709551615"),
        (1.0f64.into(), &p, "1.0"),
        (2.5f32.into(), &p, "2.5"),
        (f64::NAN.into(), &p, "NaN"),
        (f64::INFINITY.into(), &p, "INF"),
        (f64::NEG_INFINITY.into(), &p, "-INF"),
        (utc.into(), &p, "2024-01-02T03:04:05Z"),
        (
            (utc + chrono::Duration::milliseconds(250)).into(),
            &p,
            "2024-01-02T03:04:05.250Z",
        ),
        (offset.into(), &p, "2024-01-02T03:04:05+02:00"),
        (naive.into(), &p, "2024-01-02T03:04:05+00:00"),
        (naive.into(), &madrid, "2024-01-02T03:04:05+01:00"),
        (summer.into(), &madrid, "2024-07-02T03:04:05+02:00"),
        (naive.date().into(), &p, "2024-01-02"),
        (
            FilterValue::raw("microsoft.graph.importance'high'"),
            &p,
            "microsoft.graph.importance'high'",
        ),
    ];
    for (value, protocol, literal) in cases {
        assert_eq!(value.to_literal(protocol), literal, "{value:?}");
    }
    assert_eq!(
        filter_of(&q.greater("start", utc)),
        "start/dateTime gt 2024-01-02T03:04:05Z"
    );
}

#[test]
fn search_is_quoted_once() {
    let p = graph();
    let q = p.query();
    assert_eq!(
        q.search("hello world").params().unwrap(),
        pairs(&[("$search", "\"hello world\"")])
    );
    assert_eq!(
        q.search(r#"say "hi" \o/"#).search().unwrap(),
        r#""say \"hi\" \\o/""#
    );
    assert_eq!(
        q.search_attribute("from", "bob").search().unwrap(),
        "\"from:bob\""
    );
    assert_eq!(
        q.search_attribute("has_attachments", "true")
            .search()
            .unwrap(),
        "\"hasAttachments:true\""
    );
    let both = q.search("a") & q.search("b") & q.search("a");
    assert_eq!(both.search().unwrap(), "\"a AND b\"");
    let with_select = q.search("a") & q.select(["subject"]) & q.top(5);
    assert_eq!(
        with_select.params().unwrap(),
        pairs(&[("$search", "\"a\""), ("$select", "subject"), ("$top", "5")])
    );
}

#[test]
fn select_and_expand() {
    let p = graph();
    let q = p.query();
    let query = q.select([
        "meetingMessageType",
        "subject",
        "received_date_time",
        "subject",
    ]);
    assert_eq!(
        query.select().unwrap(),
        "microsoft.graph.eventMessage/meetingMessageType,subject,receivedDateTime"
    );
    assert_eq!(
        q.expand_with_select("event", ["subject", "start"])
            .expand()
            .unwrap(),
        "microsoft.graph.eventMessage/event($select=subject,start)"
    );
    let merged = q.expand("attachments")
        & q.expand("event")
        & q.expand("attachments")
        & q.select(["a"])
        & q.select(["b", "a"]);
    assert_eq!(
        merged.expand().unwrap(),
        "attachments,microsoft.graph.eventMessage/event"
    );
    assert_eq!(merged.select().unwrap(), "a,b");
    let outlook = Protocol::office365();
    assert_eq!(
        outlook.query().expand("event").expand().unwrap(),
        "Microsoft.OutlookServices.EventMessage/Event"
    );
    assert_eq!(
        Protocol::custom("x", "y")
            .query()
            .expand("event")
            .expand()
            .unwrap(),
        "event"
    );
}

#[test]
fn orderby_items_casing_and_duplicates() {
    let p = graph();
    let q = p.query();
    let query = q.orderby([
        OrderBy::asc("start"),
        OrderBy::desc("importance"),
        OrderBy::desc("start"),
    ]);
    assert_eq!(query.order_by().unwrap(), "start/dateTime,importance desc");
    let merged = q.orderby(["subject"]) & q.orderby([("subject", false), ("size", true)]);
    assert_eq!(merged.order_by().unwrap(), "subject,size");
    assert_eq!(
        Protocol::office365()
            .query()
            .orderby(["received_date_time"])
            .order_by()
            .unwrap(),
        "ReceivedDateTime"
    );
}

#[test]
fn top_skip_count_and_parameter_order() {
    let p = graph();
    let q = p.query();
    let query = q.count(true)
        & q.skip(10)
        & q.top(5)
        & q.select(["id"])
        & q.expand("attachments")
        & q.orderby(["size"])
        & q.equals("a", 1);
    assert_eq!(
        query.params().unwrap(),
        pairs(&[
            ("$filter", "a eq 1"),
            ("$orderby", "size"),
            ("$expand", "attachments"),
            ("$select", "id"),
            ("$top", "5"),
            ("$skip", "10"),
            ("$count", "true"),
        ])
    );
    assert_eq!(
        query.to_string(),
        "Filters: a eq 1\nSearch: \nOrderBy: size\nSelect: id\nExpand: attachments\nTop: 5\nSkip: 10\nCount: true"
    );
    assert!((q.top(5) & q.top(5)).check().is_ok());
}

#[test]
fn invalid_combinations_are_reported_by_params() {
    let p = graph();
    let q = p.query();
    assert!(error_of(&(q.search("a") & q.equals("b", 1))).contains("can't mix $search"));
    assert!(error_of(&(q.orderby(["b"]) & q.search("a"))).contains("can't mix $search"));
    assert!(error_of(&(q.equals("a", 1) | q.select(["b"]))).contains("'or'"));
    assert!(error_of(&(q.orderby(["a"]) | q.orderby(["b"]))).contains("'or'"));
    assert!(error_of(&(q.top(5) & q.top(6))).contains("conflicting $top values 5 and 6"));
    assert!(error_of(&(q.count(true) & q.count(false))).contains("$count"));
    assert!(
        error_of(&q.negate(q.select(["a"]))).contains("not needs a query made only of filters")
    );
    assert!(error_of(&q.any("tags", Query::default())).contains("any needs"));
    // The first error survives further combination, and shows in Display.
    let bad = (q.search("a") & q.equals("b", 1)) & q.select(["c"]);
    assert!(error_of(&bad).contains("can't mix $search"));
    assert!(
        bad.to_string()
            .ends_with("\nError: can't mix $search with $filter or $orderby")
    );
    assert!(bad.check().is_err());
}

#[test]
fn inspection_helpers() {
    let p = graph();
    let q = p.query();
    let mut query = q.equals("from", "bob@x.com") & q.select(["id"]);
    assert!(query.has_filters() && query.has_selects());
    assert!(
        !query.has_only_filters()
            && !query.has_search()
            && !query.has_order_by()
            && !query.has_expands()
    );
    assert_eq!(
        query.get_filter_by_attribute("FROM/email"),
        Some("'bob@x.com'")
    );
    assert_eq!(query.get_filter_by_attribute("subject"), None);
    query.clear_filters();
    assert!(!query.has_filters());
    assert!(q.equals("a", 1).has_only_filters());
}

#[test]
fn wire_encoding_of_params() {
    let p = graph();
    let q = p.query();
    let query = q.equals("a", "b") & q.top(5);
    let mut url = reqwest::Url::parse("https://graph.microsoft.com/v1.0/me/messages").unwrap();
    url.query_pairs_mut().extend_pairs(query.params().unwrap());
    assert_eq!(url.query(), Some("%24filter=a+eq+%27b%27&%24top=5"));

    let query = q.any("email_addresses", q.equals("address", "it's@x.com"))
        & q.select(["subject", "from"])
        & q.orderby([("received_date_time", false)]);
    let mut url = reqwest::Url::parse("https://graph.microsoft.com/v1.0/me/messages").unwrap();
    url.query_pairs_mut().extend_pairs(query.params().unwrap());
    assert_eq!(
        url.query(),
        Some(
            "%24filter=emailAddresses%2Fany%28a%3A+a%2Faddress+eq+%27it%27%27s%40x.com%27%29\
             &%24orderby=receivedDateTime+desc&%24select=subject%2Cfrom"
        )
    );

    let mut url = reqwest::Url::parse("https://graph.microsoft.com/v1.0/me/messages").unwrap();
    url.query_pairs_mut()
        .extend_pairs(q.search("hello world").params().unwrap());
    assert_eq!(url.query(), Some("%24search=%22hello+world%22"));
}

/// Undoes [`string_literal`]: strips the outer quotes and un-doubles inner ones; `None` if the
/// literal is malformed (missing quotes or a lone quote inside).
fn parse_literal(literal: &str) -> Option<String> {
    let inner = literal.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next()? != '\'' {
            return None;
        }
        out.push(c);
    }
    Some(out)
}

proptest! {
    #[test]
    fn string_literals_round_trip(text in any::<String>()) {
        let literal = FilterValue::from(text.as_str()).to_literal(&graph());
        prop_assert_eq!(parse_literal(&literal), Some(text));
    }
}

/// Splits an OData expression into its shape (each string literal replaced by `?`) and the
/// decoded literals, scanning quotes as an OData parser would (`''` inside a literal is one
/// quote); `None` if a literal is left open.
fn split_literals(expression: &str) -> Option<(String, Vec<String>)> {
    let (mut shape, mut literals) = (String::new(), Vec::new());
    let mut chars = expression.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\'' {
            shape.push(c);
            continue;
        }
        let mut literal = String::new();
        loop {
            match chars.next()? {
                '\'' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    literal.push('\'');
                }
                '\'' => break,
                other => literal.push(other),
            }
        }
        shape.push('?');
        literals.push(literal);
    }
    Some((shape, literals))
}

/// Undoes `$search` quoting: one pair of outer quotes, `\\` and `\"` inside; `None` if a quote
/// inside is not escaped or an escape is dangling.
fn parse_search(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    let (mut out, mut chars) = (String::new(), inner.chars());
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                escaped @ ('\\' | '"') => out.push(escaped),
                _ => return None,
            },
            '"' => return None,
            other => out.push(other),
        }
    }
    Some(out)
}

/// The `$filter` value after a trip through a URL query (as the server reads it).
fn filter_on_the_wire(query: &Query) -> String {
    let mut url = url::Url::parse("https://graph.microsoft.com/v1.0/me/messages").unwrap();
    url.query_pairs_mut().extend_pairs(query.params().unwrap());
    let sent: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, "$filter");
    sent[0].1.clone()
}

/// Any text, or text dense in the characters that could break out of a literal or a search.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "['\"\\() a-z/:%&=+#]{0,24}"]
}

proptest! {
    #[test]
    fn filter_values_never_leave_their_quotes(
        a in hostile_text(),
        b in hostile_text(),
        c in hostile_text(),
    ) {
        let p = graph();
        let q = p.query();
        let cases = [
            (q.equals("subject", a.as_str()), "subject eq ?", vec![a.clone()]),
            (q.contains("subject", b.as_str()), "contains(subject, ?)", vec![b.clone()]),
            (q.startswith("display_name", c.as_str()), "startswith(displayName, ?)", vec![c.clone()]),
            (
                q.any("email_addresses", q.equals("address", a.as_str())),
                "emailAddresses/any(a: a/address eq ?)",
                vec![a.clone()],
            ),
            (
                q.chain_or([q.equals("subject", a.as_str()), q.contains("body", b.as_str())], true)
                    & q.any("email_addresses", q.startswith("address", c.as_str())),
                "(subject eq ? or contains(body/content, ?)) and emailAddresses/any(a: startswith(a/address, ?))",
                vec![a.clone(), b.clone(), c.clone()],
            ),
        ];
        for (query, shape, values) in cases {
            let expression = filter_on_the_wire(&query);
            let (found, literals) = split_literals(&expression)
                .unwrap_or_else(|| panic!("a literal is left open: {expression:?}"));
            prop_assert_eq!(&found, shape, "{:?}", expression);
            prop_assert_eq!(literals, values);
        }
    }

    #[test]
    fn search_text_is_quoted_and_escaped_for_any_input(text in hostile_text()) {
        let p = graph();
        let q = p.query();
        let quoted = q.search(&text).search().unwrap();
        prop_assert_eq!(parse_search(&quoted), Some(text.clone()), "{:?}", quoted);
        let quoted = q.search_attribute("from", &text).search().unwrap();
        prop_assert_eq!(parse_search(&quoted), Some(format!("from:{text}")), "{:?}", quoted);
    }
}
