//! Values that generated methods put into URLs: path segments, OData function-call literals
//! and date-times.

use chrono::{DateTime, SecondsFormat, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What stays as it is in a path segment: RFC 3986 `pchar` minus `%` (always encoded).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// One path parameter (an id, a user principal name): `/`, `?`, `#`, `%` and anything outside
/// `pchar` are percent-encoded, so the value can never change the path.
pub fn encode_path(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// A string argument of an OData function call in the path (`…(token='{token}')`): quotes
/// doubled as OData requires, then encoded as a path segment.
pub fn function_literal(value: &str) -> String {
    encode_path(&value.replace('\'', "''"))
}

/// A date-time parameter, in UTC with a `Z` suffix (`2026-12-01T10:00:00Z`).
pub fn date_time(value: &DateTime<Utc>) -> String {
    value.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_value_stays_one_segment_and_decodes_back(value in any::<String>()) {
            let encoded = encode_path(&value);
            prop_assert!(!encoded.contains(['/', '?', '#', ' ']), "{}", encoded);
            let decoded = percent_encoding::percent_decode_str(&encoded).decode_utf8().unwrap();
            prop_assert_eq!(decoded, value.as_str());
        }

        #[test]
        fn function_literals_never_close_their_quotes(value in any::<String>()) {
            let decoded = percent_encoding::percent_decode_str(&function_literal(&value))
                .decode_utf8()
                .unwrap()
                .into_owned();
            // Every quote is doubled, so the literal cannot end early.
            prop_assert_eq!(decoded.replace("''", ""), value.replace('\'', ""));
            prop_assert_eq!(decoded.replace("''", "'"), value);
        }
    }

    #[test]
    fn path_values_cannot_escape_their_segment() {
        assert_eq!(encode_path("adele@contoso.com"), "adele@contoso.com");
        assert_eq!(encode_path("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_path("AAMk=+-_"), "AAMk=+-_");
        assert_eq!(function_literal("it's/1"), "it''s%2F1");
    }

    #[test]
    fn date_times_are_utc_with_z() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T11:00:00+01:00").unwrap();
        assert_eq!(date_time(&t.with_timezone(&Utc)), "2026-12-01T10:00:00Z");
    }
}
