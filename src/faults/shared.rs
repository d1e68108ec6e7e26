//! Fault state shared by every `serve` replica on one PostgreSQL database.
//!
//! The state lives in the single row of `fault_state`. A change is a
//! read-modify-write under `SELECT … FOR UPDATE` (so two replicas updating at
//! once merge, never overwrite), followed by `pg_notify` in the same
//! transaction. Each replica listens on the channel and also re-reads the row
//! every second, so a lost notification (a reconnect) delays a change by at
//! most that second.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio_util::sync::CancellationToken;

use super::{Applied, FaultConfig, FaultState, FaultUpdate};

const CHANNEL: &str = "workshop_faults";
const POLL: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub(crate) struct SharedFaults {
    pool: PgPool,
}

type Row = (String, i64, i64, Option<DateTime<Utc>>);

fn decode(row: Row) -> Applied {
    let (config, generation, reset_generation, expires_at) = row;
    // A row written by a newer version with fields we do not know decodes to
    // "no faults" rather than taking the service down.
    let config = serde_json::from_str(&config).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "stored fault configuration unreadable; treating as cleared");
        FaultConfig::default()
    });
    Applied {
        config,
        generation,
        reset_generation,
        expires_at,
    }
}

impl SharedFaults {
    pub(crate) fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub(crate) async fn load(&self) -> Result<Applied, sqlx::Error> {
        let row: Row = sqlx::query_as(
            "SELECT config, generation, reset_generation, expires_at FROM fault_state WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(decode(row))
    }

    /// Applies `change` to the stored state under a row lock and announces it.
    async fn write(
        &self,
        change: impl FnOnce(&Applied) -> Applied,
    ) -> Result<Applied, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let row: Row = sqlx::query_as(
            "SELECT config, generation, reset_generation, expires_at FROM fault_state WHERE id = 1 FOR UPDATE",
        )
        .fetch_one(&mut *tx)
        .await?;
        let next = change(&decode(row));
        let config =
            serde_json::to_string(&next.config).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "UPDATE fault_state SET config = $1, generation = $2, reset_generation = $3, \
             expires_at = $4, updated_at = now() WHERE id = 1",
        )
        .bind(&config)
        .bind(next.generation)
        .bind(next.reset_generation)
        .bind(next.expires_at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(next.generation.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(next)
    }

    pub(crate) async fn update(&self, update: &FaultUpdate) -> Result<Applied, sqlx::Error> {
        let now = Utc::now();
        self.write(|cur| cur.next(cur.config.apply(update), now))
            .await
    }

    pub(crate) async fn reset(&self) -> Result<Applied, sqlx::Error> {
        self.write(Applied::reset).await
    }

    /// Reverts the stored state if it is still the one that expired; returns
    /// the state in force afterwards.
    pub(crate) async fn revert_if(
        &self,
        expired: Option<DateTime<Utc>>,
    ) -> Result<Applied, sqlx::Error> {
        let now = Utc::now();
        let next = self
            .write(|cur| {
                if cur.expires_at == expired {
                    cur.next(FaultConfig::default(), now)
                } else {
                    cur.clone()
                }
            })
            .await?;
        Ok(next)
    }

    /// Follows changes made by other replicas until `stop`.
    pub(crate) async fn follow(self, faults: FaultState, stop: CancellationToken) {
        let mut listener = None;
        loop {
            if listener.is_none() {
                match PgListener::connect_with(&self.pool).await {
                    Ok(mut l) => match l.listen(CHANNEL).await {
                        Ok(()) => listener = Some(l),
                        Err(e) => tracing::warn!(error = %e, "LISTEN failed; polling only"),
                    },
                    Err(e) => tracing::warn!(error = %e, "no listener connection; polling only"),
                }
            }
            let notified = async {
                match listener.as_mut() {
                    Some(l) => l.try_recv().await.map(|_| ()),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = stop.cancelled() => return,
                got = notified => if got.is_err() { listener = None },
                _ = tokio::time::sleep(POLL) => {}
            }
            match self.load().await {
                Ok(stored) => faults.adopt(stored),
                Err(e) => tracing::debug!(error = %e, "could not read the shared fault state"),
            }
        }
    }
}
