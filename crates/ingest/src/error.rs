use stemgap_sources::SourceError;
use stemgap_store::StoreError;

/// Why a build failed. Data problems carry the file, row and column.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Geography read back from a store that this version cannot use.
    #[error(transparent)]
    Geography(#[from] stemgap_geography::GeographyError),
}

impl IngestError {
    /// Whether the input data (not the machine) is at fault.
    pub fn is_data_error(&self) -> bool {
        matches!(self, IngestError::Source(_))
    }
}
