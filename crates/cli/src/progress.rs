//! Progress bars on standard error (hidden when it is not a terminal).

use indicatif::{ProgressBar, ProgressStyle};
use stemgap_sources::{FetchOutcome, FetchProgress, SourceEntry};

/// A spinner naming the stage and the file being read.
pub struct BuildBar(ProgressBar);

impl BuildBar {
    pub fn new(files: u64) -> Self {
        let bar = ProgressBar::new(files);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
            )
            .expect("valid template"),
        );
        BuildBar(bar)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl stemgap_ingest::Progress for BuildBar {
    fn stage(&self, name: &str) {
        self.0.set_message(name.to_owned());
    }

    fn source(&self, id: &str) {
        // A thread moves on to another file: what it freed goes back now.
        crate::trim_thread_heap();
        self.0.inc(1);
        self.0.set_message(id.to_owned());
    }
}

/// A byte-count bar over the whole fetch.
pub struct FetchBar(ProgressBar);

impl FetchBar {
    pub fn new(total_bytes: u64) -> Self {
        let bar = ProgressBar::new(total_bytes);
        bar.set_style(
            ProgressStyle::with_template(
                "[{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {msg}",
            )
            .expect("valid template"),
        );
        FetchBar(bar)
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl FetchProgress for FetchBar {
    fn begin(&self, entry: &SourceEntry) {
        self.0.set_message(entry.path.clone());
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn end(&self, entry: &SourceEntry, outcome: &FetchOutcome) {
        if let FetchOutcome::Failed(why) = outcome {
            self.0.println(format!("failed: {}: {why}", entry.path));
        }
    }
}
