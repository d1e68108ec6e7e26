//! The failure-injection state: the one piece of shared mutable state in the
//! service, owned by [`FaultState`].
//!
//! Every request reads the current configuration through a `watch` channel
//! (cheap, never blocks). Changes go through [`FaultState::update`] and
//! [`FaultState::reset`]; with a PostgreSQL ledger they are written to a table
//! and announced with `NOTIFY`, so every `serve` replica on that database
//! applies them (see [`shared`]).
//!
//! [`fields`] is the one table of the numeric fault fields, keyed by
//! [`FaultKind`] (name, flag, word, bounds), that validation, the CLI and
//! the console's form read; [`switch`] the faults the console's keys turn
//! on and off; [`leak`] the real memory leak and its cap.

mod config;
pub(crate) mod fields;
pub(crate) mod file;
pub(crate) mod leak;
pub(crate) mod shared;
pub(crate) mod switch;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub use config::{FaultConfig, FaultUpdate};
pub use fields::{FaultField, FaultKind, Num, OutOfRange};
use file::FaultFile;
pub use leak::Leak;
use shared::SharedFaults;
pub(crate) use switch::FaultSwitch;

/// The configuration in force, with what replicas need to agree on it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Applied {
    pub config: FaultConfig,
    /// Bumped on every change; replicas compare it to know they are behind.
    pub generation: i64,
    /// Bumped on every reset; a replica that sees it move frees its leak.
    pub reset_generation: i64,
    /// When a `duration_s` was given: the moment the configuration reverts.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Applied {
    /// The state after `config` is set at `now`.
    fn next(&self, config: FaultConfig, now: DateTime<Utc>) -> Self {
        let expires_at = config
            .duration_s
            .and_then(|s| chrono::Duration::try_seconds(s as i64))
            .map(|d| now + d);
        Self {
            config,
            generation: self.generation + 1,
            reset_generation: self.reset_generation,
            expires_at,
        }
    }

    fn reset(&self) -> Self {
        Self {
            config: FaultConfig::default(),
            generation: self.generation + 1,
            reset_generation: self.reset_generation + 1,
            expires_at: None,
        }
    }
}

/// What the database paths must do under the current faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbMode {
    Normal,
    /// Hold the connection inside an open transaction this long.
    Slow(Duration),
    /// Fail every database call.
    Down,
}

/// What the fault layer does to one request, decided up front.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestFault {
    pub delay: Duration,
    pub fail_with: Option<u16>,
    pub leak_mb: u64,
}

impl FaultConfig {
    /// Decides the fate of one request. Error rate is drawn per request, so
    /// over many requests the failing share converges on `error_rate`.
    pub fn decide(&self, rng: &mut impl Rng) -> RequestFault {
        let jitter = if self.latency_jitter_ms > 0 {
            rng.random_range(0..=self.latency_jitter_ms)
        } else {
            0
        };
        let fail = self.error_rate > 0.0 && rng.random_range(0.0..100.0) < self.error_rate;
        RequestFault {
            delay: Duration::from_millis(self.latency_ms + jitter),
            fail_with: fail.then_some(self.error_status),
            leak_mb: self.memory_leak_mb,
        }
    }

    pub fn db_mode(&self) -> DbMode {
        if self.db_fail {
            DbMode::Down
        } else if self.db_slow {
            DbMode::Slow(Duration::from_millis(self.db_slow_ms))
        } else {
            DbMode::Normal
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    #[error(transparent)]
    OutOfRange(#[from] OutOfRange),
    #[error("the shared fault state could not be written: {0}")]
    Shared(#[from] sqlx::Error),
    #[error("the fault state could not be saved to {file}: {error}")]
    Stored {
        file: std::path::PathBuf,
        error: std::io::Error,
    },
}

/// The owner of the failure configuration of this process.
#[derive(Clone)]
pub struct FaultState {
    inner: Arc<Inner>,
}

struct Inner {
    applied: watch::Sender<Applied>,
    leak: Leak,
    shared: Option<SharedFaults>,
    file: Option<FaultFile>,
}

impl FaultState {
    /// Faults local to this process (SQLite ledger, or tests).
    pub fn local(leak_cap: u64) -> Self {
        Self::build(leak_cap, None, None)
    }

    /// Faults of this process, kept in `file` across restarts.
    pub(crate) fn stored(leak_cap: u64, file: FaultFile) -> Self {
        Self::build(leak_cap, None, Some(file))
    }

    /// Faults shared through PostgreSQL with every replica on `pool`.
    pub fn shared(leak_cap: u64, pool: sqlx::PgPool) -> Self {
        Self::build(leak_cap, Some(SharedFaults::new(pool)), None)
    }

    fn build(leak_cap: u64, shared: Option<SharedFaults>, file: Option<FaultFile>) -> Self {
        let (applied, _) = watch::channel(Applied::default());
        Self {
            inner: Arc::new(Inner {
                applied,
                leak: Leak::new(leak_cap),
                shared,
                file,
            }),
        }
    }

    /// Keeps a state computed here (no PostgreSQL) in the fault file, if
    /// there is one, before it is adopted: a state that could not be saved
    /// changes nothing.
    async fn keep_local(&self, next: Applied) -> Result<Applied, FaultError> {
        if let Some(file) = &self.inner.file {
            file.save(&next).await?;
        }
        Ok(next)
    }

    /// Starts the background work: auto-revert, and (when shared) following
    /// the other replicas. `keep` adopts the stored state, so a fault
    /// survives a crash and a restart as a bug in the code would (the leak
    /// climbs again after an OOM kill); otherwise a start is a reset.
    pub async fn start(&self, keep: bool, stop: CancellationToken) -> Result<(), FaultError> {
        if let Some(file) = &self.inner.file {
            match file.load().await? {
                Some(stored) if keep => self.adopt(stored),
                Some(stored) => {
                    let next = self.keep_local(stored.reset()).await?;
                    self.adopt(next);
                }
                None => {}
            }
        }
        if let Some(shared) = &self.inner.shared {
            if keep {
                let stored = shared.load().await?;
                self.adopt(stored);
            } else {
                let stored = shared.reset().await?;
                self.adopt(stored);
            }
            tokio::spawn(shared.clone().follow(self.clone(), stop.clone()));
        }
        tokio::spawn(self.clone().revert_when_expired(stop));
        Ok(())
    }

    /// The configuration in force now.
    pub fn current(&self) -> FaultConfig {
        self.inner.applied.borrow().config.clone()
    }

    pub fn applied(&self) -> Applied {
        self.inner.applied.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<Applied> {
        self.inner.applied.subscribe()
    }

    /// Validates and applies a partial update; nothing changes when invalid.
    pub async fn update(&self, update: &FaultUpdate) -> Result<FaultConfig, FaultError> {
        update.validate()?;
        let next = match &self.inner.shared {
            Some(shared) => shared.update(update).await?,
            None => {
                let now = Utc::now();
                let cur = self.applied();
                self.keep_local(cur.next(cur.config.apply(update), now))
                    .await?
            }
        };
        self.adopt(next.clone());
        Ok(next.config)
    }

    /// Clears every fault and frees leaked memory (on every replica).
    pub async fn reset(&self) -> Result<FaultConfig, FaultError> {
        let next = match &self.inner.shared {
            Some(shared) => shared.reset().await?,
            None => self.keep_local(self.applied().reset()).await?,
        };
        self.adopt(next.clone());
        Ok(next.config)
    }

    /// Takes a state as the one in force, if it is newer than ours.
    fn adopt(&self, next: Applied) {
        let freed = self.inner.applied.send_if_modified(|cur| {
            if next.generation < cur.generation && next.reset_generation <= cur.reset_generation {
                return false;
            }
            let reset_moved = next.reset_generation != cur.reset_generation;
            let changed = *cur != next;
            *cur = next.clone();
            if reset_moved {
                self.inner.leak.free();
            }
            changed
        });
        if freed {
            tracing::info!(config = ?self.current(), "fault configuration changed");
        }
    }

    /// Leaks `mb` MiB on a blocking thread (allocation and page-touching of
    /// up to 100 MiB must not stall the async workers).
    pub async fn leak(&self, mb: u64) -> u64 {
        let state = self.clone();
        tokio::task::spawn_blocking(move || state.inner.leak.grow(mb))
            .await
            .unwrap_or(0)
    }

    pub fn leaked_bytes(&self) -> u64 {
        self.inner.leak.bytes()
    }

    pub fn leak_cap(&self) -> u64 {
        self.inner.leak.cap()
    }

    /// Reverts the configuration when its `duration_s` runs out.
    async fn revert_when_expired(self, stop: CancellationToken) {
        let mut rx = self.subscribe();
        // After a failed revert the expiry is still in the past: without a
        // growing pause the loop would retry at once, forever.
        let mut backoff = Duration::ZERO;
        loop {
            let expires_at = rx.borrow_and_update().expires_at;
            let wait = match expires_at {
                Some(at) => (at - Utc::now()).to_std().unwrap_or(Duration::ZERO),
                None => Duration::from_secs(3600),
            }
            .max(backoff);
            tokio::select! {
                _ = stop.cancelled() => return,
                changed = rx.changed() => {
                    if changed.is_err() { return }
                    backoff = Duration::ZERO;
                }
                _ = tokio::time::sleep(wait) => {
                    if expires_at.is_some() {
                        backoff = if self.revert(expires_at).await {
                            Duration::ZERO
                        } else {
                            next_backoff(backoff)
                        };
                    }
                }
            }
        }
    }

    /// True when the expired configuration is gone (reverted here or by
    /// another replica).
    async fn revert(&self, expired: Option<DateTime<Utc>>) -> bool {
        let result = match &self.inner.shared {
            Some(shared) => shared
                .revert_if(expired)
                .await
                .map(|a| self.adopt(a))
                .map_err(FaultError::from),
            None => {
                let cur = self.applied();
                if cur.expires_at == expired {
                    let next = cur.next(FaultConfig::default(), Utc::now());
                    self.keep_local(next).await.map(|next| self.adopt(next))
                } else {
                    Ok(())
                }
            }
        };
        match result {
            Ok(_) => {
                tracing::info!("faults reverted: their duration_s ran out");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not revert expired faults; will retry");
                false
            }
        }
    }
}

/// The pause before the next try after a failure: 0.5 s, doubling, at most 30 s.
fn next_backoff(previous: Duration) -> Duration {
    (previous * 2).clamp(Duration::from_millis(500), Duration::from_secs(30))
}

#[cfg(test)]
mod tests;
