//! `Query::filter_value_for` (the Rust name) and `get_filter_by_attribute` (python-o365's, kept)
//! read the same value out of a `$filter`.

use o365::protocol::Protocol;

#[test]
fn filter_value_for_and_its_python_name_agree() {
    let p = Protocol::graph();
    let q = p.query();
    let query = q.equals("from", "bob@x.com") & q.select(["id"]);
    assert_eq!(query.filter_value_for("FROM/email"), Some("'bob@x.com'"));
    assert_eq!(query.filter_value_for("subject"), None);
    assert_eq!(
        query.get_filter_by_attribute("from"),
        query.filter_value_for("from")
    );
}
