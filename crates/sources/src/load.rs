use crate::{Catalogue, Location, Problem, SourceEntry, SourceError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A file as found in a sources directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Present,
    Missing,
    ChecksumMismatch { found: String },
    Unreadable(String),
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Missing => "missing",
            Status::ChecksumMismatch { .. } => "checksum mismatch",
            Status::Unreadable(_) => "unreadable",
        }
    }
}

/// A catalogued file read into memory and verified against its checksum.
#[derive(Debug)]
pub struct Loaded<'c> {
    pub entry: &'c SourceEntry,
    pub bytes: Vec<u8>,
    /// Where errors should say the file is (its catalogued path).
    pub location: Location,
}

/// A sources directory read through a catalogue.
#[derive(Debug, Clone)]
pub struct SourceDir {
    root: PathBuf,
    catalogue: Catalogue,
}

impl SourceDir {
    pub fn new(root: impl Into<PathBuf>, catalogue: Catalogue) -> Self {
        SourceDir {
            root: root.into(),
            catalogue,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    pub fn path_of(&self, entry: &SourceEntry) -> PathBuf {
        self.root.join(&entry.path)
    }

    /// Checks one entry without keeping its bytes.
    pub fn status(&self, entry: &SourceEntry) -> Status {
        match std::fs::read(self.path_of(entry)) {
            Ok(bytes) => {
                let found = sha256_hex(&bytes);
                if found == entry.sha256 {
                    Status::Present
                } else {
                    Status::ChecksumMismatch { found }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Status::Missing,
            Err(e) => Status::Unreadable(e.to_string()),
        }
    }

    /// Reads a catalogued file and verifies its SHA-256.
    pub fn load(&self, id: &str) -> Result<Loaded<'_>, SourceError> {
        let entry = self.catalogue.get(id).ok_or_else(|| {
            SourceError::new(
                Location::file(&self.catalogue.origin),
                Problem::Catalogue(format!("no source with id `{id}` is catalogued")),
            )
        })?;
        let location = Location::file(&entry.path);
        let bytes = match std::fs::read(self.path_of(entry)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SourceError::new(
                    location,
                    Problem::Missing(entry.id.clone()),
                ))
            }
            Err(e) => return Err(SourceError::new(location, Problem::Io(e.to_string()))),
        };
        let found = sha256_hex(&bytes);
        if found != entry.sha256 {
            return Err(SourceError::new(
                location,
                Problem::Checksum {
                    expected: entry.sha256.clone(),
                    found,
                },
            ));
        }
        if bytes.is_empty() {
            return Err(SourceError::new(location, Problem::Empty));
        }
        Ok(Loaded {
            entry,
            bytes,
            location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_input() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
