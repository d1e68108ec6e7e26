//! The fault state of a single `serve` kept in a small JSON file beside its
//! SQLite ledger, so that a crash and a restart do not heal a fault: a leak
//! injected before an OOM kill climbs again after it, as a bug in the code
//! would. Only a reset (or `duration_s`) clears it.
//!
//! A file and not a table in the ledger: under an injected slow database the
//! ledger's connections sit inside open transactions, and the reset that
//! ends it must not queue behind them. The file is replaced whole (written
//! beside it, then renamed), so a crash mid-write leaves the previous state.

use std::path::PathBuf;

use super::{Applied, FaultError};

/// The file holds an [`Applied`] as JSON: the same fields as PostgreSQL's
/// `fault_state` row.
#[derive(Debug, Clone)]
pub(crate) struct FaultFile {
    path: PathBuf,
}

impl FaultFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    fn error(&self, error: std::io::Error) -> FaultError {
        FaultError::Stored {
            file: self.path.clone(),
            error,
        }
    }

    /// The stored state; none when there is no file yet. A file this
    /// version cannot read counts as none, with a warning, rather than
    /// keeping the API down.
    pub(crate) async fn load(&self) -> Result<Option<Applied>, FaultError> {
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.error(e)),
        };
        match serde_json::from_str::<Applied>(&text) {
            Ok(applied) => Ok(Some(applied)),
            Err(e) => {
                tracing::warn!(error = %e, file = %self.path.display(),
                    "stored fault state unreadable; starting with no fault injected");
                Ok(None)
            }
        }
    }

    pub(crate) async fn save(&self, applied: &Applied) -> Result<(), FaultError> {
        let text =
            serde_json::to_vec_pretty(applied).map_err(|e| self.error(std::io::Error::other(e)))?;
        let mut partial = self.path.clone().into_os_string();
        partial.push(".partial");
        tokio::fs::write(&partial, text)
            .await
            .map_err(|e| self.error(e))?;
        tokio::fs::rename(&partial, &self.path)
            .await
            .map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultConfig;

    #[tokio::test]
    async fn a_saved_state_loads_back_and_a_damaged_file_reads_as_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = FaultFile::new(dir.path().join("faults.json"));
        assert_eq!(file.load().await.expect("load"), None);

        let applied = Applied {
            config: FaultConfig {
                memory_leak_mb: 5,
                ..FaultConfig::default()
            },
            generation: 4,
            reset_generation: 1,
            expires_at: None,
        };
        file.save(&applied).await.expect("save");
        assert_eq!(file.load().await.expect("load"), Some(applied));

        std::fs::write(&file.path, "{\"config\": 3").expect("write");
        assert_eq!(file.load().await.expect("load"), None);
    }
}
