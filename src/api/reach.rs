//! Whether this API can reach its database: one answer for `/health`,
//! `/readyz` and the `fintech_database_up` gauge. An injected outage
//! (`db_fail`) counts as the database being gone, exactly as the ledger's
//! own paths treat it (`ledger::hold_for`), so no probe says ready while
//! every ledger request fails.

use std::time::Duration;

use super::ApiContext;
use crate::faults::DbMode;

/// What asking for the database found.
#[derive(Debug)]
pub(super) enum Reach {
    Reachable,
    /// `db_fail` is on: the ledger paths fail without asking the database.
    Injected,
    /// The ping failed: no connection, or the database refused it.
    Failed(sqlx::Error),
    /// No answer within the wait although a pooled connection was free:
    /// the database hangs.
    Silent,
    /// No answer within the wait while every pooled connection was busy:
    /// the ping queued behind the ledger's work (a slow database), which
    /// says nothing about whether the database can be reached.
    Busy,
}

impl Reach {
    /// Reached or not; `None` when the ping could not tell (see [`Reach::Busy`]).
    pub(super) fn up(&self) -> Option<bool> {
        match self {
            Reach::Reachable => Some(true),
            Reach::Injected | Reach::Failed(_) | Reach::Silent => Some(false),
            Reach::Busy => None,
        }
    }
}

impl ApiContext {
    /// Pings the database unless an outage is injected. `wait` bounds the
    /// ping (a scrape must not queue behind a slow database's transactions);
    /// `None` lets it wait as a ledger request would, for the pool's own
    /// acquire timeout.
    pub(super) async fn database_reach(&self, wait: Option<Duration>) -> Reach {
        if self.faults.current().db_mode() == DbMode::Down {
            return Reach::Injected;
        }
        let answer = match wait {
            None => self.ledger.ping().await,
            Some(wait) => match tokio::time::timeout(wait, self.ledger.ping()).await {
                Ok(answer) => answer,
                Err(_) => {
                    let pool = self.ledger.pool_stats();
                    let saturated = pool.idle == 0 && pool.size >= pool.max;
                    return if saturated {
                        Reach::Busy
                    } else {
                        Reach::Silent
                    };
                }
            },
        };
        match answer {
            Ok(()) => Reach::Reachable,
            Err(e) => Reach::Failed(e),
        }
    }
}
