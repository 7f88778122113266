//! `$filter` expressions: comparisons, functions, `any`/`all`, `not` and `and`/`or` chains.

use super::terms::{ComparisonOp, IterableOp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Junction {
    And,
    Or,
}

impl Junction {
    pub(super) fn separator(self) -> &'static str {
        match self {
            Junction::And => " and ",
            Junction::Or => " or ",
        }
    }
}

/// A `$filter` expression tree; attributes are already mapped and cased, values rendered.
/// `attribute: None` stands for the lambda item itself.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Filter {
    Compare {
        attribute: Option<String>,
        op: ComparisonOp,
        value: String,
    },
    Function {
        function: String,
        attribute: Option<String>,
        value: String,
    },
    Iterable {
        op: IterableOp,
        collection: Option<String>,
        item: String,
        inner: Box<Filter>,
    },
    Not(Box<Filter>),
    Chain {
        junction: Junction,
        items: Vec<Filter>,
    },
    Group(Box<Filter>),
    /// OData filter text given as it is.
    Raw(String),
}

impl Filter {
    /// Renders the expression; inside a lambda, attributes are prefixed with `item/`.
    pub(super) fn render(&self, item: Option<&str>) -> String {
        match self {
            Filter::Compare {
                attribute,
                op,
                value,
            } => format!("{} {} {value}", path(item, attribute), op.as_str()),
            Filter::Function {
                function,
                attribute,
                value,
            } => format!("{function}({}, {value})", path(item, attribute)),
            Filter::Iterable {
                op,
                collection,
                item: own,
                inner,
            } => format!(
                "{}/{}({own}: {})",
                path(item, collection),
                op.as_str(),
                inner.render(Some(own))
            ),
            Filter::Not(inner) => format!("not {}", inner.render(item)),
            Filter::Chain { junction, items } => items
                .iter()
                .map(|f| f.render(item))
                .collect::<Vec<_>>()
                .join(junction.separator()),
            Filter::Group(inner) => format!("({})", inner.render(item)),
            Filter::Raw(text) => text.clone(),
        }
    }

    /// Joins two filters, flattening chains of the same junction. An `or` chain that goes into an
    /// `and` is grouped so that it keeps its meaning (`and` binds tighter than `or`).
    pub(super) fn join(junction: Junction, left: Filter, right: Filter) -> Filter {
        let mut items = Vec::new();
        for filter in [left, right] {
            match filter {
                Filter::Chain {
                    junction: inner,
                    items: inner_items,
                } if inner == junction => items.extend(inner_items),
                chain @ Filter::Chain {
                    junction: Junction::Or,
                    ..
                } => items.push(Filter::Group(Box::new(chain))),
                raw @ Filter::Raw(_) => items.push(Filter::Group(Box::new(raw))),
                other => items.push(other),
            }
        }
        Filter::Chain { junction, items }
    }

    pub(super) fn negate(self) -> Filter {
        match self {
            chain @ Filter::Chain { .. } => Filter::Not(Box::new(Filter::Group(Box::new(chain)))),
            other => Filter::Not(Box::new(other)),
        }
    }

    /// The value of the first comparison/function whose attribute starts with `prefix`
    /// (ASCII case-insensitive), depth first.
    pub(super) fn value_for(&self, prefix: &str) -> Option<&str> {
        let matches = |attribute: &Option<String>| {
            attribute.as_deref().is_some_and(|a| {
                a.len() >= prefix.len()
                    && a.is_char_boundary(prefix.len())
                    && a[..prefix.len()].eq_ignore_ascii_case(prefix)
            })
        };
        match self {
            Filter::Compare {
                attribute, value, ..
            }
            | Filter::Function {
                attribute, value, ..
            } => matches(attribute).then_some(value.as_str()),
            Filter::Iterable { inner, .. } | Filter::Not(inner) | Filter::Group(inner) => {
                inner.value_for(prefix)
            }
            Filter::Chain { items, .. } => items.iter().find_map(|f| f.value_for(prefix)),
            Filter::Raw(_) => None,
        }
    }
}

pub(super) fn path(item: Option<&str>, attribute: &Option<String>) -> String {
    match (item, attribute) {
        (Some(item), Some(attribute)) => format!("{item}/{attribute}"),
        (Some(item), None) => item.to_owned(),
        (None, Some(attribute)) => attribute.clone(),
        (None, None) => String::new(),
    }
}
