//! Key casing used on the wire by each protocol (camelCase for Graph, PascalCase for Outlook REST).
//!
//! Conversion is done by [`heck`], which splits words on `_`, `-`, `.`, whitespace and case changes,
//! so `some-key` becomes `someKey` (python-o365 gave `somey`) and `odata.type` becomes `odataType`.
//!
//! A key that is already in the target casing is returned as it is (`HTTPResponse` stays PascalCase
//! `HTTPResponse`, `iCalUId` stays camelCase). This makes every conversion idempotent, which heck
//! alone is not: it reads `AAa` as the acronym `AA` followed by `a`.

use heck::{ToLowerCamelCase, ToSnakeCase, ToUpperCamelCase};

/// How a protocol spells JSON keys and query attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Casing {
    /// `receivedDateTime` (Microsoft Graph, Business Central).
    Camel,
    /// `ReceivedDateTime` (Outlook REST v2.0).
    Pascal,
    /// `received_date_time`.
    Snake,
    /// Keys are sent exactly as given (custom protocols).
    Unchanged,
}

impl Casing {
    /// Converts `key` to this casing.
    pub fn apply(self, key: &str) -> String {
        if self.is_applied_to(key) {
            return key.to_owned();
        }
        match self {
            Casing::Camel => key.to_lower_camel_case(),
            Casing::Pascal => key.to_upper_camel_case(),
            Casing::Snake => key.to_snake_case(),
            Casing::Unchanged => key.to_owned(),
        }
    }

    /// True when `key` is already spelled in this casing (ASCII letters and digits only; for
    /// snake_case, lowercase words joined by single underscores).
    fn is_applied_to(self, key: &str) -> bool {
        let Some(first) = key.chars().next() else {
            return true;
        };
        let alphanumeric = key.chars().all(|c| c.is_ascii_alphanumeric());
        match self {
            Casing::Camel => alphanumeric && !first.is_ascii_uppercase(),
            Casing::Pascal => alphanumeric && !first.is_ascii_lowercase(),
            Casing::Snake => key.split('_').all(|word| {
                !word.is_empty()
                    && word
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            }),
            Casing::Unchanged => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Casing;
    use proptest::prelude::*;

    /// The conversions python-o365's casing helpers are known for, with heck's results. Differences from python are deliberate:
    /// separators are word boundaries (python deleted the characters around them), acronyms are
    /// one word (`HTTPResponse` → `http_response`/`httpResponse`, not `h_t_t_p_response`;
    /// PascalCase keeps `HTTPResponse` because it already is PascalCase), leading or doubled
    /// underscores are dropped (`__private` → `private`, `A_B` → `a_b`/`aB`/`AB`), and a digit
    /// does not start a word (`a_1b` → `a1b`).
    #[test]
    fn casing_table() {
        let table: &[(&str, &str, &str, &str)] = &[
            // input, snake, camel, pascal
            ("CaseTest", "case_test", "caseTest", "CaseTest"),
            ("case_test", "case_test", "caseTest", "CaseTest"),
            (
                "HTTPResponse",
                "http_response",
                "httpResponse",
                "HTTPResponse",
            ),
            ("some-key", "some_key", "someKey", "SomeKey"),
            ("hello world", "hello_world", "helloWorld", "HelloWorld"),
            ("a.b", "a_b", "aB", "AB"),
            ("Some Key", "some_key", "someKey", "SomeKey"),
            ("odata.type", "odata_type", "odataType", "OdataType"),
            ("A_B", "a_b", "aB", "AB"),
            ("a_1b", "a_1b", "a1b", "A1b"),
            ("__private", "private", "private", "Private"),
            (
                "receivedDateTime",
                "received_date_time",
                "receivedDateTime",
                "ReceivedDateTime",
            ),
            ("", "", "", ""),
        ];
        for &(input, snake, camel, pascal) in table {
            assert_eq!(Casing::Snake.apply(input), snake, "snake of {input:?}");
            assert_eq!(Casing::Camel.apply(input), camel, "camel of {input:?}");
            assert_eq!(Casing::Pascal.apply(input), pascal, "pascal of {input:?}");
            assert_eq!(Casing::Unchanged.apply(input), input, "unchanged {input:?}");
        }
    }

    /// Words of two letters or more: two one-letter words in a row read back as an acronym in any
    /// camelCase scheme (`a_b_c` → `aBC` → `a_bc`).
    fn snake_words() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-z]{2,8}", 1..5).prop_map(|words| words.join("_"))
    }

    proptest! {
        #[test]
        fn camel_and_pascal_round_trip_through_snake(snake in snake_words()) {
            for casing in [Casing::Camel, Casing::Pascal] {
                let converted = casing.apply(&snake);
                prop_assert!(converted.chars().all(|c| c.is_ascii_alphabetic()), "{converted}");
                prop_assert_eq!(Casing::Snake.apply(&converted), snake.clone());
            }
        }

        #[test]
        fn apply_is_idempotent(key in "[ -~]{0,24}") {
            for casing in [Casing::Camel, Casing::Pascal, Casing::Snake, Casing::Unchanged] {
                let once = casing.apply(&key);
                prop_assert_eq!(casing.apply(&once), once.clone(), "{:?} of {:?}", casing, key);
            }
        }
    }
}
