//! The fault state of a single `serve` kept in a small JSON file beside its
//! SQLite ledger, so that a crash and a restart do not heal a fault: a leak
//! injected before an OOM kill climbs again after it, as a bug in the code
//! would. Only a reset (or `duration_s`) clears it.
//!
//! A file and not a table in the ledger: under an injected slow database the
//! ledger's connections sit inside open transactions, and the reset that
//! ends it must not queue behind them. The file is replaced whole (written
//! beside it, then renamed), so a crash mid-write leaves the previous state.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Applied, FaultConfig};

/// What is stored: the same fields as PostgreSQL's `fault_state` row.
#[derive(Serialize, Deserialize)]
struct Stored {
    config: FaultConfig,
    generation: i64,
    reset_generation: i64,
    expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub(crate) struct FaultFile {
    path: PathBuf,
}

impl FaultFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The stored state; none when there is no file yet. A file this
    /// version cannot read counts as none, with a warning, rather than
    /// keeping the API down.
    pub(crate) async fn load(&self) -> std::io::Result<Option<Applied>> {
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        match serde_json::from_str::<Stored>(&text) {
            Ok(s) => Ok(Some(Applied {
                config: s.config,
                generation: s.generation,
                reset_generation: s.reset_generation,
                expires_at: s.expires_at,
            })),
            Err(e) => {
                tracing::warn!(error = %e, file = %self.path.display(),
                    "stored fault state unreadable; starting with no fault injected");
                Ok(None)
            }
        }
    }

    pub(crate) async fn save(&self, applied: &Applied) -> std::io::Result<()> {
        let stored = Stored {
            config: applied.config.clone(),
            generation: applied.generation,
            reset_generation: applied.reset_generation,
            expires_at: applied.expires_at,
        };
        let text = serde_json::to_vec_pretty(&stored).map_err(std::io::Error::other)?;
        let mut partial = self.path.clone().into_os_string();
        partial.push(".partial");
        tokio::fs::write(&partial, text).await?;
        tokio::fs::rename(&partial, &self.path).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

        std::fs::write(file.path(), "{\"config\": 3").expect("write");
        assert_eq!(file.load().await.expect("load"), None);
    }
}
