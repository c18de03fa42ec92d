use std::fmt;
use std::str::FromStr;

/// Why a string is not a valid code or name of one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error(
        "malformed GSS code {0:?}: expected a letter, two digits and six digits, e.g. E14001063"
    )]
    Malformed(String),
    #[error("unknown boundary set {0:?}: expected 2010 or 2024")]
    UnknownBoundarySet(String),
    #[error("unknown nation {0:?}")]
    UnknownNation(String),
}

/// A GSS code such as `E14001063`: one upper-case letter then eight digits.
///
/// Stored inline (nine ASCII bytes), so it is `Copy` and cheap to hash.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GssCode([u8; 9]);

impl GssCode {
    /// Parses and validates a code; surrounding white space is an error,
    /// since it usually means a misaligned column.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let b = s.as_bytes();
        if b.len() != 9 || !b[0].is_ascii_uppercase() || !b[1..].iter().all(u8::is_ascii_digit) {
            return Err(CodeError::Malformed(s.to_owned()));
        }
        let mut out = [0u8; 9];
        out.copy_from_slice(b);
        Ok(GssCode(out))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored.
        std::str::from_utf8(&self.0).expect("GSS codes are ASCII")
    }

    /// The entity part, e.g. `E14` for an English constituency.
    pub fn entity(&self) -> &str {
        &self.as_str()[..3]
    }

    /// The nation a code belongs to, from its first letter.
    pub fn nation(&self) -> Option<Nation> {
        match self.0[0] {
            b'E' => Some(Nation::England),
            b'W' => Some(Nation::Wales),
            b'S' => Some(Nation::Scotland),
            b'N' => Some(Nation::NorthernIreland),
            _ => None,
        }
    }

    /// Whether the entity is a Westminster constituency of the given set:
    /// E14, W07, S14 in both; N06 for 2010-2024 and N05 for 2024.
    pub fn is_seat_of(&self, set: BoundarySet) -> bool {
        matches!(
            (self.entity(), set),
            ("E14" | "W07" | "S14", _)
                | ("N06", BoundarySet::Pcon2010)
                | ("N05", BoundarySet::Pcon2024)
        )
    }
}

impl FromStr for GssCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GssCode::parse(s)
    }
}

impl fmt::Display for GssCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for GssCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GssCode({})", self.as_str())
    }
}

/// The four nations of the UK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Nation {
    England,
    Wales,
    Scotland,
    NorthernIreland,
}

impl Nation {
    pub const ALL: [Nation; 4] = [
        Nation::England,
        Nation::Wales,
        Nation::Scotland,
        Nation::NorthernIreland,
    ];

    /// Stable identifier used in the store and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Nation::England => "england",
            Nation::Wales => "wales",
            Nation::Scotland => "scotland",
            Nation::NorthernIreland => "northern_ireland",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Nation::England => "England",
            Nation::Wales => "Wales",
            Nation::Scotland => "Scotland",
            Nation::NorthernIreland => "Northern Ireland",
        }
    }

    /// The one-letter code used in GSS codes and in several sources.
    pub fn letter(self) -> char {
        match self {
            Nation::England => 'E',
            Nation::Wales => 'W',
            Nation::Scotland => 'S',
            Nation::NorthernIreland => 'N',
        }
    }

    pub fn from_id(s: &str) -> Result<Nation, CodeError> {
        Nation::ALL
            .into_iter()
            .find(|n| n.id() == s || n.name() == s || s.len() == 1 && s.starts_with(n.letter()))
            .ok_or_else(|| CodeError::UnknownNation(s.to_owned()))
    }
}

impl fmt::Display for Nation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which set of Westminster constituency boundaries a figure refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BoundarySet {
    /// The 650 seats used at the 2010, 2015, 2017 and 2019 general elections.
    Pcon2010,
    /// The 650 seats first used at the July 2024 general election.
    Pcon2024,
}

impl BoundarySet {
    pub const ALL: [BoundarySet; 2] = [BoundarySet::Pcon2010, BoundarySet::Pcon2024];

    /// `2010` or `2024`: the identifier used in the store and the CLI.
    pub fn id(self) -> &'static str {
        match self {
            BoundarySet::Pcon2010 => "2010",
            BoundarySet::Pcon2024 => "2024",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            BoundarySet::Pcon2010 => "Westminster constituencies 2010-2024",
            BoundarySet::Pcon2024 => "Westminster constituencies from July 2024",
        }
    }
}

impl FromStr for BoundarySet {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "2010" | "pcon2010" => Ok(BoundarySet::Pcon2010),
            "2024" | "pcon2024" => Ok(BoundarySet::Pcon2024),
            _ => Err(CodeError::UnknownBoundarySet(s.to_owned())),
        }
    }
}

impl fmt::Display for BoundarySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_classifies_codes() {
        let c = GssCode::parse("N05000001").unwrap();
        assert_eq!(c.nation(), Some(Nation::NorthernIreland));
        assert!(c.is_seat_of(BoundarySet::Pcon2024));
        assert!(!c.is_seat_of(BoundarySet::Pcon2010));
        assert!(GssCode::parse("N06000001")
            .unwrap()
            .is_seat_of(BoundarySet::Pcon2010));
        assert!(!GssCode::parse("E06000001")
            .unwrap()
            .is_seat_of(BoundarySet::Pcon2010));
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "",
            "E1400106",
            "E140010630",
            "e14001063",
            " E14001063",
            "E14O01063",
            "95AA01S1",
        ] {
            assert!(GssCode::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn nations_round_trip() {
        for n in Nation::ALL {
            assert_eq!(Nation::from_id(n.id()).unwrap(), n);
            assert_eq!(Nation::from_id(n.name()).unwrap(), n);
        }
        assert!(Nation::from_id("Mercia").is_err());
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(l in "[A-Z]", d in "[0-9]{8}") {
            let s = format!("{l}{d}");
            let code = GssCode::parse(&s).unwrap();
            prop_assert_eq!(code.as_str(), s.as_str());
        }
    }
}
