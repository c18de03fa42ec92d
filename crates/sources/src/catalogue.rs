use crate::{Location, Problem, SourceError};
use serde::Deserialize;
use stemgap_core::Nation;

/// The repository's own catalogue, compiled in so the binary is complete.
const EMBEDDED: &str = include_str!("../../../catalogue/sources.toml");

/// One catalogued file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceEntry {
    /// Stable identifier, e.g. `census21_pcon2024_quals`.
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    /// Published location; empty when no fetchable location is known.
    #[serde(default)]
    pub url: String,
    /// The publisher's own page for the data (its statistics site where no
    /// dataset page is known for sure); empty where not recorded.
    #[serde(default)]
    pub publisher_url: String,
    /// The repository and commit the file was taken from, where it was.
    #[serde(default)]
    pub repository: String,
    /// Path relative to the sources directory, with `/` separators.
    pub path: String,
    /// Lower-case hex SHA-256 of the exact bytes.
    pub sha256: String,
    pub bytes: u64,
    /// `csv`, `xlsx`, `json`, `hexjson`, `topojson`, `geojson`, `parquet`, `text`.
    pub format: String,
    /// Geography level: `pcon`, `lad`, `lsoa11`, `msoa21`, `small_area`, …
    pub geography: String,
    /// `2010`, `2024`, `2010-2024` or empty when not about constituencies.
    #[serde(default)]
    pub boundary: String,
    pub period: String,
    nations: Vec<String>,
    /// `utf-8` (default) or `windows-1252`.
    #[serde(default)]
    pub encoding: Option<String>,
    #[serde(default)]
    pub notes: String,
}

impl SourceEntry {
    pub fn nations(&self) -> Vec<Nation> {
        // Validated when the catalogue was parsed.
        self.nations
            .iter()
            .filter_map(|n| Nation::from_id(n).ok())
            .collect()
    }
}

/// An optional source that cannot be pinned in advance (no copy was
/// available when it was catalogued): no build reads it from the catalogue;
/// `stemgap fetch` downloads it and records the SHA-256 it got in the
/// sources directory's lock file ([`LOCK_FILE`]), and a later fetch refuses
/// a different file. Its recipe (`catalogue/recipes/optional/<id>.toml`)
/// adds it to a build as a contribution.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionalEntry {
    pub id: String,
    pub title: String,
    pub publisher: String,
    pub licence: String,
    /// Where to download it.
    pub url: String,
    /// The publisher's own page for the data; empty where not recorded.
    #[serde(default)]
    pub publisher_url: String,
    /// Path relative to the sources directory, with `/` separators.
    pub path: String,
    /// The most bytes accepted: a larger download is refused.
    pub max_bytes: u64,
    #[serde(default)]
    pub notes: String,
}

/// The lock file, in the sources directory, recording the SHA-256 of each
/// optional source as `stemgap fetch` got it.
pub const LOCK_FILE: &str = "sources.lock";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    source: Vec<SourceEntry>,
    #[serde(default)]
    optional: Vec<OptionalEntry>,
}

/// The list of sources, in catalogue order, with unique ids and paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    /// Where the catalogue came from (a path, or `embedded`).
    pub origin: String,
    entries: Vec<SourceEntry>,
    optional: Vec<OptionalEntry>,
}

impl Catalogue {
    /// The catalogue shipped in the repository (`catalogue/sources.toml`).
    pub fn embedded() -> Catalogue {
        Catalogue::parse(EMBEDDED, "catalogue/sources.toml (embedded)")
            .expect("the embedded catalogue is checked by the tests")
    }

    /// Parses and validates a catalogue. `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Catalogue, SourceError> {
        let err = |row: Option<u64>, msg: String| {
            SourceError::new(
                Location {
                    row,
                    ..Location::file(origin)
                },
                Problem::Catalogue(msg),
            )
        };
        let file: CatalogueFile = toml::from_str(text).map_err(|e| {
            let row = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count() as u64);
            err(row, e.message().to_owned())
        })?;
        let mut ids = std::collections::HashSet::new();
        let mut paths = std::collections::HashSet::new();
        for e in &file.source {
            if !ids.insert(e.id.as_str()) {
                return Err(err(None, format!("duplicate source id `{}`", e.id)));
            }
            if !paths.insert(e.path.as_str()) {
                return Err(err(None, format!("duplicate path `{}`", e.path)));
            }
            if e.sha256.len() != 64
                || !e
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            {
                return Err(err(
                    None,
                    format!("source `{}`: sha256 must be 64 lower-case hex digits", e.id),
                ));
            }
            if !safe_path(&e.path) {
                return Err(err(
                    None,
                    format!("source `{}`: path `{}` must be relative and stay inside the sources directory", e.id, e.path),
                ));
            }
            for n in &e.nations {
                if Nation::from_id(n).is_err() {
                    return Err(err(
                        None,
                        format!("source `{}`: unknown nation `{n}`", e.id),
                    ));
                }
            }
            if let Some(enc) = &e.encoding {
                if enc != "utf-8" && enc != "windows-1252" {
                    return Err(err(
                        None,
                        format!("source `{}`: unknown encoding `{enc}`", e.id),
                    ));
                }
            }
        }
        for e in &file.optional {
            if !ids.insert(e.id.as_str()) {
                return Err(err(None, format!("duplicate source id `{}`", e.id)));
            }
            if !paths.insert(e.path.as_str()) || e.path == LOCK_FILE {
                return Err(err(None, format!("duplicate path `{}`", e.path)));
            }
            if !safe_path(&e.path) {
                return Err(err(
                    None,
                    format!("optional source `{}`: path `{}` must be relative and stay inside the sources directory", e.id, e.path),
                ));
            }
            if !(e.url.starts_with("https://") || e.url.starts_with("http://")) {
                return Err(err(
                    None,
                    format!("optional source `{}`: url must be http(s)", e.id),
                ));
            }
        }
        Ok(Catalogue {
            origin: origin.to_owned(),
            entries: file.source,
            optional: file.optional,
        })
    }

    /// The optional, unpinned sources (`[[optional]]`), in catalogue order.
    pub fn optional(&self) -> &[OptionalEntry] {
        &self.optional
    }

    pub fn entries(&self) -> &[SourceEntry] {
        &self.entries
    }

    pub fn get(&self, id: &str) -> Option<&SourceEntry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// A relative path that stays inside the sources directory.
fn safe_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalogue_is_valid_and_complete() {
        let c = Catalogue::embedded();
        assert_eq!(c.entries().len(), 100);
        // The DfE constituency data sets, optional and not pinned.
        let optional: Vec<&str> = c.optional().iter().map(|o| o.id.as_str()).collect();
        assert_eq!(optional, ["dfe_apprenticeships_pcon", "dfe_fe_skills_pcon"]);
        assert!(c.get("dfe_fe_et_geography_detailed").is_some());
        assert!(c.get("census21_pcon2024_quals").is_some());
        for e in c.entries() {
            assert!(!e.title.is_empty() && !e.licence.is_empty(), "{}", e.id);
            assert!(!e.nations().is_empty(), "{}", e.id);
        }
    }

    #[test]
    fn rejects_escaping_paths_and_bad_checksums() {
        let entry = |path: &str, sha: &str| {
            format!(
                "[[source]]\nid = \"a\"\ntitle = \"t\"\npublisher = \"p\"\nlicence = \"l\"\npath = \"{path}\"\nsha256 = \"{sha}\"\nbytes = 1\nformat = \"csv\"\ngeography = \"pcon\"\nperiod = \"2021\"\nnations = [\"england\"]\n"
            )
        };
        let good = "0".repeat(64);
        assert!(Catalogue::parse(&entry("a/b.csv", &good), "t").is_ok());
        for p in ["../x.csv", "/etc/passwd", "a/../../b", "a//b"] {
            let e = Catalogue::parse(&entry(p, &good), "t").unwrap_err();
            assert!(
                e.to_string().contains("inside the sources directory"),
                "{e}"
            );
        }
        let e = Catalogue::parse(&entry("a.csv", "ABC"), "t").unwrap_err();
        assert!(e.to_string().contains("64 lower-case hex"), "{e}");
        let e = Catalogue::parse("[[source]]\nid = 3\n", "cat.toml").unwrap_err();
        assert!(e.to_string().starts_with("cat.toml, row 2"), "{e}");
    }

    #[test]
    fn optional_sources_are_listed_apart_and_checked() {
        let pinned = "[[source]]\nid = \"a\"\ntitle = \"t\"\npublisher = \"p\"\nlicence = \"l\"\npath = \"a.csv\"\nsha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\nbytes = 1\nformat = \"csv\"\ngeography = \"pcon\"\nperiod = \"2021\"\nnations = [\"england\"]\n";
        let optional = |id: &str, url: &str, path: &str| {
            format!("{pinned}[[optional]]\nid = \"{id}\"\ntitle = \"t\"\npublisher = \"p\"\nlicence = \"l\"\nurl = \"{url}\"\npath = \"{path}\"\nmax_bytes = 100\n")
        };
        let c =
            Catalogue::parse(&optional("o", "https://x.invalid/o.csv", "opt/o.csv"), "t").unwrap();
        assert_eq!(c.entries().len(), 1);
        assert_eq!(c.optional().len(), 1);
        assert_eq!(c.optional()[0].max_bytes, 100);
        assert!(c.get("o").is_none(), "not a source a build reads");
        for (text, msg) in [
            (
                optional("a", "https://x.invalid/o.csv", "o.csv"),
                "duplicate source id `a`",
            ),
            (
                optional("o", "https://x.invalid/o.csv", "a.csv"),
                "duplicate path `a.csv`",
            ),
            (
                optional("o", "https://x.invalid/o.csv", LOCK_FILE),
                "duplicate path",
            ),
            (
                optional("o", "https://x.invalid/o.csv", "../o.csv"),
                "inside the sources directory",
            ),
            (
                optional("o", "file:///etc/passwd", "o.csv"),
                "url must be http(s)",
            ),
        ] {
            let e = Catalogue::parse(&text, "t").unwrap_err();
            assert!(e.to_string().contains(msg), "{e}");
        }
    }
}
