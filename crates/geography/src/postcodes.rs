//! mySociety's compact postcode range lookup (GB, 2024 seats), decoded into
//! ranges for the store.
//!
//! * `postcode_keys`: successive differences of range starts; a running sum
//!   gives each start, a postcode without its space read as base 36;
//! * `value_key`: one per range, an index into `value_values` plus one,
//!   where 0 means "the same as two entries back";
//! * `value_values`: `UKPARL.2025.XXX` short codes, `null` for no seat.
//!   30 ranges point one or two places past the end of the table; all of
//!   them are gaps between postcode sectors (e.g. DG6 9AB to DG7 1AA), which
//!   the publisher's JavaScript reads as `undefined`: no seat. Anything
//!   further out is an error.
//!
//! The lookup never says "not found": a postcode maps to the range below it.
//! Callers must validate postcodes and refuse Northern Ireland (not covered)
//! before looking up.

use crate::Registry;
use crate::Sources;
use serde::Deserialize;
use stemgap_sources::{parse_json, Problem, SourceError};

const SRC: &str = "mysociety_postcode_range_to_pcon2024_gb";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    postcode_keys: Vec<i64>,
    value_key: Vec<usize>,
    value_values: Vec<Option<String>>,
}

/// Range starts with their seat's GSS code (2024 set), in ascending order.
pub fn read(
    inputs: &impl Sources,
    reg: &Registry,
) -> Result<Vec<(u64, Option<String>)>, SourceError> {
    let loaded = inputs.load(SRC)?;
    let raw: Raw = parse_json(&loaded)?;
    let bad = |m: String| SourceError::new(loaded.location.clone(), Problem::Invalid(m));
    if raw.postcode_keys.len() != raw.value_key.len() {
        return Err(bad(format!(
            "{} postcode_keys but {} value_key entries",
            raw.postcode_keys.len(),
            raw.value_key.len()
        )));
    }
    let seats = raw
        .value_values
        .iter()
        .map(|v| match v {
            None => Ok(None),
            Some(short) => reg
                .short_code(short)
                .map(|c| Some(c.to_string()))
                .ok_or_else(|| {
                    bad(format!(
                        "value_values has {short:?}, not a 2024 seat's short code"
                    ))
                }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut decoded: Vec<usize> = Vec::with_capacity(raw.value_key.len());
    let mut out = Vec::with_capacity(raw.value_key.len());
    let mut key: i64 = 0;
    for (i, (&diff, &v)) in raw.postcode_keys.iter().zip(&raw.value_key).enumerate() {
        key += diff;
        if i > 0 && diff <= 0 {
            return Err(bad(format!("postcode_keys[{i}] does not increase")));
        }
        let v = match v {
            0 if i >= 2 => decoded[i - 2],
            0 => return Err(bad(format!("value_key[{i}] is 0 with no entry two back"))),
            v => v,
        };
        decoded.push(v);
        let seat = match seats.get(v - 1) {
            Some(seat) => seat.clone(),
            None if v <= seats.len() + 2 => None,
            None => {
                return Err(bad(format!(
                    "value_key[{i}] = {v} points past value_values"
                )))
            }
        };
        out.push((key as u64, seat));
    }
    Ok(out)
}
