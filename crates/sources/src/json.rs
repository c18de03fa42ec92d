use crate::{Loaded, Problem, SourceError};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Parses a JSON source into `T`; errors name the file and line.
pub fn parse_json<T: DeserializeOwned>(loaded: &Loaded<'_>) -> Result<T, SourceError> {
    serde_json::from_slice(&loaded.bytes).map_err(|e| {
        // serde ends its message with " at line L column C": said once, by us.
        let text = e.to_string();
        let text = text
            .rsplit_once(" at line ")
            .map_or(text.as_str(), |(m, _)| m);
        SourceError::new(
            loaded.location.at_row(e.line() as u64),
            Problem::Json(format!("column {}: {text}", e.column())),
        )
    })
}

/// A JSON object read into a sorted map that refuses a repeated key (serde's
/// own maps keep the last one silently, so a duplicated seat or authority
/// would overwrite the first).
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueMap<V>(pub BTreeMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visitor<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = m.next_entry::<String, V>()? {
                    if out.contains_key(&k) {
                        return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                    }
                    out.insert(k, v);
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

/// A HexJSON hex cartogram (<https://open-innovations.org/projects/hexmaps/hexjson>).
#[derive(Debug, Clone, Deserialize)]
pub struct HexJson {
    pub layout: String,
    pub hexes: UniqueMap<HexTile>,
}

/// One hex: its name, axial coordinates and optional region.
#[derive(Debug, Clone, Deserialize)]
pub struct HexTile {
    pub n: String,
    pub q: i32,
    pub r: i32,
    /// Region GSS code (2024 file).
    #[serde(default)]
    pub region: Option<String>,
    /// Region name (2010 file).
    #[serde(default)]
    pub a: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_refused() {
        let ok: UniqueMap<u8> = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
        assert_eq!(ok.0.len(), 2);
        let e = serde_json::from_str::<UniqueMap<u8>>("{\"a\":1,\n\"a\":2}").unwrap_err();
        assert!(e.to_string().starts_with("duplicate key \"a\""), "{e}");
        assert_eq!(e.line(), 2);
    }
}
