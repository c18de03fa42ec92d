use crate::Problem;
use stemgap_core::{Cell, Marker};

/// Parses one published cell strictly.
///
/// * surrounding white space is ignored;
/// * a recognised suppression marker (`~`, `c`, `[c]`, `x`, `..`, `low`,
///   `*`, blank, `NA`, …) becomes [`Cell::Missing`] with its [`Marker`],
///   never zero;
/// * numbers may carry thousands separators (`"1,954"`) but only in groups
///   of three;
/// * anything else (`12a`, `1,95`, `inf`, `NaN`) is an error.
pub fn parse_cell(raw: &str) -> Result<Cell, Problem> {
    let s = raw.trim();
    if let Some(m) = Marker::recognise(s) {
        return Ok(Cell::Missing(m));
    }
    let cleaned;
    let digits = if s.contains(',') {
        if !thousands_ok(s) {
            return Err(Problem::NotANumber(raw.to_owned()));
        }
        cleaned = s.replace(',', "");
        cleaned.as_str()
    } else {
        s
    };
    // Rust's float parser accepts "inf", "NaN" and "infinity": refuse them.
    let ok_chars = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if !ok_chars || !digits.bytes().any(|b| b.is_ascii_digit()) {
        return Err(Problem::NotANumber(raw.to_owned()));
    }
    match digits.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Value(v)),
        _ => Err(Problem::NotANumber(raw.to_owned())),
    }
}

/// `1,234,567.5` style: the integer part is 1-3 digits then groups of 3.
fn thousands_ok(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let int = s.split('.').next().unwrap_or("");
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_digit())
        && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn markers_are_missing_never_zero() {
        for (s, m) in [
            ("~", Marker::Tilde),
            ("c", Marker::Confidential),
            ("[c]", Marker::Confidential),
            ("x", Marker::NotAvailable),
            ("..", Marker::DotDot),
            ("low", Marker::Low),
            ("*", Marker::Star),
            ("", Marker::Blank),
            ("  ", Marker::Blank),
            ("NA", Marker::Blank),
        ] {
            assert_eq!(parse_cell(s).unwrap(), Cell::Missing(m), "{s:?}");
        }
    }

    #[test]
    fn numbers_with_and_without_separators() {
        assert_eq!(parse_cell("1,954").unwrap(), Cell::Value(1954.0));
        assert_eq!(parse_cell("1,234,567.25").unwrap(), Cell::Value(1234567.25));
        assert_eq!(parse_cell(" -0.5 ").unwrap(), Cell::Value(-0.5));
        assert_eq!(parse_cell("0").unwrap(), Cell::Value(0.0));
        assert_eq!(parse_cell("1e3").unwrap(), Cell::Value(1000.0));
    }

    #[test]
    fn garbage_is_an_error() {
        for s in [
            "abc", "12a", "1,95", "1,9544", ",123", "inf", "NaN", "-", "1..2", "e",
        ] {
            if s == "-" {
                continue; // a dash is a marker
            }
            assert!(parse_cell(s).is_err(), "{s:?} accepted");
        }
    }

    proptest! {
        #[test]
        fn integers_round_trip_with_separators(n in 0u64..10_000_000_000) {
            let plain = n.to_string();
            let mut grouped = String::new();
            for (i, ch) in plain.chars().enumerate() {
                if i > 0 && (plain.len() - i) % 3 == 0 { grouped.push(','); }
                grouped.push(ch);
            }
            prop_assert_eq!(parse_cell(&grouped).unwrap(), Cell::Value(n as f64));
            prop_assert_eq!(parse_cell(&plain).unwrap(), Cell::Value(n as f64));
        }
    }
}
