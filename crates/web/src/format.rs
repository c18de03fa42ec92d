//! Numbers as people read them on the pages (the API and the downloads
//! carry the stored values unformatted).

/// Groups thousands with commas: `1234567` → `1,234,567`.
pub fn thousands(v: f64) -> String {
    let neg = v < 0.0;
    let digits = format!("{:.0}", v.abs());
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && out != "0" {
        out.insert(0, '-');
    }
    out
}

/// Whether values of this unit are fractions shown as percentages.
pub fn is_fraction(unit: &str) -> bool {
    matches!(unit, "share" | "rate")
}

/// A value in its unit, for a page: shares and rates as percentages,
/// counts and ranks with thousands separators.
pub fn value(v: f64, unit: &str) -> String {
    match unit {
        "share" | "rate" => percent(v * 100.0),
        "percent" => percent(v),
        "count" | "rank" => thousands(v),
        "decile" => format!("{v:.0}"),
        "rate_per_1000" => format!("{} per 1,000", sig(v, 3)),
        _ => sig(v, 3),
    }
}

/// A percentage with one decimal, or two significant figures below 1%
/// (so a small share never reads as 0.0%).
fn percent(p: f64) -> String {
    if p != 0.0 && p.abs() < 1.0 {
        format!("{}%", sig(p, 2))
    } else {
        format!("{p:.1}%")
    }
}

/// A mean of seats' values: like [`value`], but counts, ranks and deciles
/// keep two significant figures below 100 (a mean of 0.4 institutions is
/// not "0").
pub fn mean(v: f64, unit: &str) -> String {
    match unit {
        "count" | "rank" | "decile" if v.abs() < 100.0 => sig(v, 2),
        _ => value(v, unit),
    }
}

/// A value without its unit's words (for axes and compact tables).
pub fn short(v: f64, unit: &str) -> String {
    match unit {
        "rate_per_1000" => sig(v, 3),
        _ => value(v, unit),
    }
}

/// An interval, or an empty string when there is none (or it is a point).
pub fn interval(lower: Option<f64>, upper: Option<f64>, unit: &str) -> String {
    match (lower, upper) {
        (Some(l), Some(u)) if l != u => format!("{} to {}", short(l, unit), short(u, unit)),
        _ => String::new(),
    }
}

/// `v` with `digits` significant digits (at least 0 and at most 6 decimals).
pub fn sig(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    if v.abs() >= 10_000.0 {
        thousands(v)
    } else {
        s
    }
}

/// The unit in words, for headings and legends.
/// Nations by name, comma-separated: "England, Wales".
pub fn nation_list(nations: &[stemgap_core::Nation]) -> String {
    nations
        .iter()
        .map(|n| n.name())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn unit_words(unit: &str) -> &str {
    match unit {
        "share" => "share of the population (%)",
        "rate" => "rate (%)",
        "percent" => "per cent",
        "rate_per_1000" => "per 1,000",
        "count" => "count",
        "points" => "points",
        "score" => "score",
        "decile" => "decile (1 = most deprived)",
        "rank" => "rank (1 = most deprived)",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(-1000.0), "-1,000");
        assert_eq!(value(0.1234, "share"), "12.3%");
        assert_eq!(value(61.0, "percent"), "61.0%");
        assert_eq!(value(98765.0, "count"), "98,765");
        assert_eq!(value(0.992, "rate_per_1000"), "0.992 per 1,000");
        assert_eq!(value(38.33, "rate_per_1000"), "38.3 per 1,000");
        assert_eq!(value(3.0, "decile"), "3");
        assert_eq!(sig(0.000123456, 3), "0.000123");
        assert_eq!(value(0.000432, "share"), "0.043%");
        assert_eq!(value(0.0, "share"), "0.0%");
        assert_eq!(mean(0.4, "count"), "0.40");
        assert_eq!(mean(12.34, "count"), "12");
        assert_eq!(mean(1234.6, "count"), "1,235");
        assert_eq!(mean(0.004, "rate_per_1000"), "0.00400 per 1,000");
        assert_eq!(sig(23456.7, 3), "23,457");
        assert_eq!(interval(Some(0.1), Some(0.2), "share"), "10.0% to 20.0%");
        assert_eq!(interval(Some(0.1), Some(0.1), "share"), "");
        assert_eq!(interval(None, Some(0.1), "share"), "");
    }
}
