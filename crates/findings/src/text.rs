//! Numbers in words: every statement is made from these, never typed.

/// A number to 3 significant figures (at least 1 decimal place below 100).
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let a = v.abs();
    if a >= 1e6 {
        // Only degenerate estimates (a handful of seats) get this large.
        return format!("{v:.2e}");
    }
    let dp = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else if a == 0.0 {
        1
    } else {
        (2 - a.log10().floor() as i32).clamp(1, 6) as usize
    };
    format!("{v:.dp$}")
}

/// A p-value as usually written.
pub fn p(v: f64) -> String {
    if v < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {v:.3}")
    }
}

/// "95% CI a to b".
pub fn ci(lo: f64, hi: f64, unit: &str) -> String {
    format!("95% CI {}{unit} to {}{unit}", num(lo), num(hi))
}

/// Whether an interval excludes `null`.
pub fn excludes(lo: f64, hi: f64, null: f64) -> bool {
    lo > null || hi < null
}

/// The lower-cased first letter of a title, for use mid-sentence.
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) if !s.starts_with("UK") && !s.starts_with("FE") && !s.starts_with("HE") => {
            f.to_lowercase().collect::<String>() + c.as_str()
        }
        _ => s.to_owned(),
    }
}

/// "a" or "an" before a number written in digits, as it is read aloud
/// (an 8, an 18.8, an 80, an 11; a 1.5, a 100).
pub fn article(number: &str) -> &'static str {
    let int = number
        .trim_start_matches('-')
        .split('.')
        .next()
        .unwrap_or("");
    let an = matches!(int, "8" | "11" | "18") || (int.len() == 2 && int.starts_with('8'));
    if an {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(num(23.456), "23.5");
        assert_eq!(num(-0.01234), "-0.0123");
        assert_eq!(num(1.5), "1.50");
        assert_eq!(num(150.4), "150");
        assert_eq!(num(6.25e31), "6.25e31");
        assert_eq!(p(0.0004), "p < 0.001");
        assert_eq!(p(0.0123), "p = 0.012");
        assert_eq!(ci(1.0, 2.0, "%"), "95% CI 1.00% to 2.00%");
        assert!(excludes(0.1, 0.2, 0.0) && !excludes(-0.1, 0.2, 0.0));
        assert_eq!(lower_first("Share of adults"), "share of adults");
        assert_eq!(lower_first("FE achievements"), "FE achievements");
        assert_eq!(article("18.8"), "an");
        assert_eq!(article("8.20"), "an");
        assert_eq!(article("83.1"), "an");
        assert_eq!(article("1.50"), "a");
        assert_eq!(article("180"), "a");
        assert_eq!(article("21.8"), "a");
    }
}
