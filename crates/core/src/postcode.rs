use std::fmt;

/// Why a string is not a postcode stemgap can look up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("no postcode given")]
    Empty,
    #[error("{0:?} is not a UK postcode: {1}")]
    Malformed(String, &'static str),
    #[error("{0:?} is not a UK postcode: there is no postcode area {1:?}")]
    UnknownArea(String, String),
}

/// A UK postcode, validated and normalised to `SW1A 0AA` form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Postcode(String);

/// The 121 postcode areas of the UK (Northern Ireland's BT included;
/// the Crown dependencies' GY, JE and IM are not in the UK).
pub const POSTCODE_AREAS: [&str; 121] = [
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "BT", "CA", "CB", "CF", "CH",
    "CM", "CO", "CR", "CT", "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E",
    "EC", "EH", "EN", "EX", "FK", "FY", "G", "GL", "GU", "HA", "HD", "HG", "HP", "HR", "HS", "HU",
    "HX", "IG", "IP", "IV", "KA", "KT", "KW", "KY", "L", "LA", "LD", "LE", "LL", "LN", "LS", "LU",
    "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX", "PA", "PE", "PH",
    "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP",
    "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA",
    "WC", "WD", "WF", "WN", "WR", "WS", "WV", "YO", "ZE",
];

impl Postcode {
    /// Accepts any common spelling (any case, with or without spaces) and
    /// checks the format: outward code `A9`, `A99`, `AA9`, `AA99`, `A9A` or
    /// `AA9A`; inward code `9AA` whose letters are not C, I, K, M, O or V.
    pub fn parse(input: &str) -> Result<Postcode, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err(PostcodeError::Empty);
        }
        let bad = |why| Err(PostcodeError::Malformed(input.trim().to_owned(), why));
        if !compact.is_ascii() || !compact.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return bad("only letters and digits are allowed");
        }
        if !(5..=7).contains(&compact.len()) {
            return bad("a postcode has 5 to 7 letters and digits");
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let i = inward.as_bytes();
        if !i[0].is_ascii_digit()
            || !i[1..]
                .iter()
                .all(|b| b.is_ascii_uppercase() && !b"CIKMOV".contains(b))
        {
            return bad("the last three characters must be a digit and two letters (not C, I, K, M, O or V)");
        }
        let o = outward.as_bytes();
        let letters = o.iter().take_while(|b| b.is_ascii_uppercase()).count();
        let rest = &o[letters..];
        let shape_ok = matches!(letters, 1 | 2)
            && match rest {
                [d] => d.is_ascii_digit(),
                [d, x] => d.is_ascii_digit() && x.is_ascii_alphanumeric(),
                _ => false,
            };
        if !shape_ok {
            return bad("the first part must be one or two letters, a digit, and an optional letter or digit");
        }
        let area = &outward[..letters];
        if !POSTCODE_AREAS.contains(&area) {
            return Err(PostcodeError::UnknownArea(
                input.trim().to_owned(),
                area.to_owned(),
            ));
        }
        Ok(Postcode(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The postcode area: the leading letters (`SW`, `M`, `BT`).
    pub fn area(&self) -> &str {
        let n = self.0.bytes().take_while(u8::is_ascii_uppercase).count();
        &self.0[..n]
    }

    /// Whether the postcode is in Northern Ireland (area BT).
    pub fn is_northern_ireland(&self) -> bool {
        self.area() == "BT"
    }

    /// The postcode without its space read as a base-36 number, the key of
    /// mySociety's range lookup (`SW1A0AA` → 36-ary digits S, W, 1, A, …).
    pub fn key(&self) -> u64 {
        self.0.bytes().filter(|b| *b != b' ').fold(0u64, |acc, b| {
            acc * 36 + (b as char).to_digit(36).expect("validated alphanumeric") as u64
        })
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_spellings_normalise() {
        for s in ["SW1A 0AA", "sw1a0aa", "  Sw1A   0aA ", "SW1A\t0AA"] {
            assert_eq!(Postcode::parse(s).unwrap().as_str(), "SW1A 0AA", "{s:?}");
        }
        assert_eq!(Postcode::parse("m11ae").unwrap().as_str(), "M1 1AE");
        assert_eq!(Postcode::parse("LS1 1UR").unwrap().area(), "LS");
        assert!(Postcode::parse("BT1 1AA").unwrap().is_northern_ireland());
    }

    #[test]
    fn malformed_and_unknown_areas_are_refused_clearly() {
        assert_eq!(Postcode::parse("  ").unwrap_err(), PostcodeError::Empty);
        for s in [
            "SW1A",
            "SW1A 0A",
            "12345",
            "SW1A 0AAA",
            "S-W1A 0AA",
            "SW1A 0CA",
            "SWAA 0AA",
            "ABC1 1AA",
        ] {
            assert!(
                matches!(Postcode::parse(s), Err(PostcodeError::Malformed(..))),
                "{s:?}"
            );
        }
        let e = Postcode::parse("ZZ99 9ZZ").unwrap_err();
        assert_eq!(
            e.to_string(),
            "\"ZZ99 9ZZ\" is not a UK postcode: there is no postcode area \"ZZ\""
        );
        assert!(matches!(
            Postcode::parse("JE2 3AB"),
            Err(PostcodeError::UnknownArea(..))
        ));
    }

    #[test]
    fn key_is_base_36() {
        // "A1 1AA" = [10, 1, 1, 10, 10] in base 36.
        let k = Postcode::parse("A1 1AA");
        assert!(k.is_err(), "A is not an area");
        let p = Postcode::parse("E1 1AA").unwrap();
        assert_eq!(p.key(), (((14 * 36 + 1) * 36 + 1) * 36 + 10) * 36 + 10);
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(area in proptest::sample::select(POSTCODE_AREAS.to_vec()), d in 0u8..10, x in "[0-9]?", i in 0u8..10, l in "[ABDEFGHJLNPQRSTUWXYZ]{2}") {
            let s = format!("{area}{d}{x} {i}{l}");
            let p = Postcode::parse(&s).unwrap();
            prop_assert_eq!(Postcode::parse(p.as_str()).unwrap(), p.clone());
            prop_assert_eq!(Postcode::parse(&s.to_lowercase().replace(' ', "")).unwrap(), p);
        }
    }
}
