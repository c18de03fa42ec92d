use stemgap_sources::SourceError;
use stemgap_store::StoreError;

/// Why a build failed. Data problems carry the file, row and column.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IngestError {
    /// Whether the input data (not the machine) is at fault.
    pub fn is_data_error(&self) -> bool {
        matches!(self, IngestError::Source(_))
    }
}
