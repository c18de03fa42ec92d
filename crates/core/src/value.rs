use std::fmt;

/// Why a published cell carries no number. Each marker is kept as the
/// publisher wrote it, so a figure can say "suppressed (`~`)", not "0".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Marker {
    /// Blank cell, `NA` or `null`: not published.
    Blank,
    /// `~`: DfE, fewer than 5 (rounded to zero).
    Tilde,
    /// `low`: DfE, fewer than 0.5 per cent or a small count.
    Low,
    /// `c` or `[c]`: confidential (suppressed to protect individuals).
    Confidential,
    /// `x` or `[x]`: not available or not applicable.
    NotAvailable,
    /// `..`: not available (ONS and Nomis).
    DotDot,
    /// `*`: statistically unreliable or a Nomis footnote marker.
    Star,
    /// `-`: nil or not applicable.
    Dash,
}

impl Marker {
    /// Recognises a suppression marker; `None` when the text is something
    /// else (a number, or garbage that must be reported as an error).
    pub fn recognise(s: &str) -> Option<Marker> {
        Some(match s {
            "" | "NA" | "N/A" | "null" => Marker::Blank,
            "~" => Marker::Tilde,
            "low" => Marker::Low,
            "c" | "[c]" => Marker::Confidential,
            "x" | "[x]" | "z" | "[z]" => Marker::NotAvailable,
            ".." => Marker::DotDot,
            "*" | "!" | "#" => Marker::Star,
            "-" => Marker::Dash,
            _ => return None,
        })
    }

    pub fn id(self) -> &'static str {
        match self {
            Marker::Blank => "blank",
            Marker::Tilde => "tilde",
            Marker::Low => "low",
            Marker::Confidential => "confidential",
            Marker::NotAvailable => "not_available",
            Marker::DotDot => "dotdot",
            Marker::Star => "unreliable",
            Marker::Dash => "dash",
        }
    }

    pub fn from_id(s: &str) -> Option<Marker> {
        [
            Marker::Blank,
            Marker::Tilde,
            Marker::Low,
            Marker::Confidential,
            Marker::NotAvailable,
            Marker::DotDot,
            Marker::Star,
            Marker::Dash,
        ]
        .into_iter()
        .find(|m| m.id() == s)
    }
}

impl fmt::Display for Marker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One published cell: a finite number, or a reason there is none.
/// There is deliberately no way to turn a [`Cell::Missing`] into zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Value(f64),
    Missing(Marker),
}

impl Cell {
    pub fn value(self) -> Option<f64> {
        match self {
            Cell::Value(v) => Some(v),
            Cell::Missing(_) => None,
        }
    }
}
