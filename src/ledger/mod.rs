//! The ledger: accounts and transfers, on PostgreSQL or an embedded SQLite.
//!
//! Invariants every backend keeps, whatever fault is injected:
//! - money is exact (`Decimal` in Rust, `NUMERIC(14,2)` or integer cents in SQL);
//! - a transfer is one database transaction: debit, credit and the transfer
//!   row commit together or not at all, so the sum of balances never changes;
//! - no balance goes below zero (checked under the row lock, and by a CHECK);
//! - an idempotency key moves money at most once (a UNIQUE column decides
//!   races between concurrent requests carrying the same key).
//!
//! The ledger knows nothing of HTTP; it is told how the database should
//! misbehave through [`DbMode`].

mod adopt;
mod conns;
mod found;
pub(crate) mod money;
mod postgres;
mod redact;
mod schema;
mod sqlite;

use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus_client::metrics::gauge::Gauge;
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::faults::DbMode;
pub(crate) use redact::redact;

pub(crate) use found::SchemaError;
pub(crate) use postgres::PgLedger;
pub(crate) use sqlite::SqliteLedger;

/// The account `/api/balance` reports and transfers come from by default.
pub(crate) const DEFAULT_ACCOUNT: &str = "ACC-001";
/// The largest single transfer accepted.
pub(crate) const MAX_TRANSFER: Decimal = Decimal::from_parts(100_000_000, 0, 0, false, 2);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Account {
    pub account: String,
    pub user_id: i32,
    pub owner: String,
    #[schema(value_type = f64)]
    #[serde(with = "crate::ledger::money")]
    pub balance: Decimal,
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransferRequest {
    pub from_account: String,
    pub to_account: String,
    pub amount: Decimal,
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub transaction_id: String,
    pub from_account: String,
    pub to_account: String,
    pub amount: Decimal,
    pub created_at: DateTime<Utc>,
}

/// A transfer that went through: new, or the replay of an earlier one with
/// the same idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub enum Transfer {
    Completed(Receipt),
    Replayed(Receipt),
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("account {0} does not exist")]
    UnknownAccount(String),
    #[error("insufficient funds in {account}: balance {balance}, transfer {amount}")]
    InsufficientFunds {
        account: String,
        balance: Decimal,
        amount: Decimal,
    },
    #[error("{0}")]
    InvalidTransfer(String),
    #[error("this Idempotency-Key was already used for a different transfer")]
    IdempotencyConflict,
    #[error("the database is unavailable (injected failure)")]
    InjectedFailure,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

/// Why the ledger did not open.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// The database answered, but its tables are not ours and cannot become
    /// ours without losing something: retrying cannot help.
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

impl OpenError {
    /// Whether trying again later may help: the database may still be
    /// starting. A bad URL or a foreign schema stays what it is.
    pub fn is_transient(&self) -> bool {
        matches!(self, OpenError::Database(e) if !matches!(e, sqlx::Error::Configuration(_)))
    }
}

/// Pool occupancy, for the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

#[derive(Clone)]
pub enum Ledger {
    Postgres(PgLedger),
    Sqlite(SqliteLedger),
}

impl Ledger {
    /// Connects to `url` (`postgres://…` or `sqlite:…`) and brings its
    /// schema to ours (see [`schema`]): migrations, or the adoption of a
    /// database the original workshop made, or a refusal.
    pub async fn connect(url: &str, pool_size: u32) -> Result<Self, OpenError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Ledger::Postgres(PgLedger::connect(url, pool_size).await?))
        } else if url.starts_with("sqlite:") {
            Ok(Ledger::Sqlite(SqliteLedger::connect(url, pool_size).await?))
        } else {
            Err(sqlx::Error::Configuration(
                format!(
                    "DATABASE_URL must start with postgres://, postgresql:// or sqlite:, got {:?}",
                    redact(url)
                )
                .into(),
            )
            .into())
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Ledger::Postgres(_) => "postgres",
            Ledger::Sqlite(_) => "sqlite",
        }
    }

    /// A small pool of its own on the same PostgreSQL database, for the
    /// fault controls. It must not share the ledger's pool: under a slow
    /// database that pool is saturated, and `POST /api/reset` — the way out —
    /// would queue behind the very transactions it is meant to release.
    pub async fn control_pool(&self) -> Result<Option<sqlx::PgPool>, sqlx::Error> {
        match self {
            Ledger::Postgres(l) => {
                // Named apart in `pg_stat_activity`, so the ledger's own
                // connections can be counted against `--pool-size`.
                let options = l
                    .connect_options()
                    .clone()
                    .application_name("workshop-serve-control");
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(3)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_with(options)
                    .await?;
                Ok(Some(pool))
            }
            Ledger::Sqlite(_) => Ok(None),
        }
    }

    /// Where a single `serve` keeps its fault state across restarts, when
    /// no PostgreSQL holds it: beside a SQLite file (none in memory).
    pub fn fault_file(&self) -> Option<std::path::PathBuf> {
        match self {
            Ledger::Postgres(_) => None,
            Ledger::Sqlite(l) => l.fault_file(),
        }
    }

    /// Transactions in flight, including those waiting for a pooled
    /// connection: under a slow database this is the queue a student sees grow.
    pub fn active_transactions(&self) -> Gauge {
        match self {
            Ledger::Postgres(l) => l.active.clone(),
            Ledger::Sqlite(l) => l.active.clone(),
        }
    }

    pub fn pool_stats(&self) -> PoolStats {
        match self {
            Ledger::Postgres(l) => l.pool_stats(),
            Ledger::Sqlite(l) => l.pool_stats(),
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Ledger::Postgres(l) => l.ping().await,
            Ledger::Sqlite(l) => l.ping().await,
        }
    }

    pub async fn account(&self, number: &str, mode: DbMode) -> Result<Account, LedgerError> {
        let _active = Active::enter(&self.active_transactions());
        match self {
            Ledger::Postgres(l) => l.account(number, mode).await,
            Ledger::Sqlite(l) => l.account(number, mode).await,
        }
    }

    pub async fn accounts(&self, mode: DbMode) -> Result<Vec<Account>, LedgerError> {
        let _active = Active::enter(&self.active_transactions());
        match self {
            Ledger::Postgres(l) => l.accounts(mode).await,
            Ledger::Sqlite(l) => l.accounts(mode).await,
        }
    }

    pub async fn transfer(
        &self,
        req: &TransferRequest,
        mode: DbMode,
    ) -> Result<Transfer, LedgerError> {
        validate_transfer(req)?;
        let _active = Active::enter(&self.active_transactions());
        match self {
            Ledger::Postgres(l) => l.transfer(req, mode).await,
            Ledger::Sqlite(l) => l.transfer(req, mode).await,
        }
    }
}

/// Checks that need no database: positive amount, cents only, not to itself.
fn validate_transfer(req: &TransferRequest) -> Result<(), LedgerError> {
    if req.amount <= Decimal::ZERO {
        return Err(LedgerError::InvalidTransfer(format!(
            "`amount` must be greater than 0, got {}",
            req.amount
        )));
    }
    if req.amount.normalize().scale() > 2 {
        return Err(LedgerError::InvalidTransfer(format!(
            "`amount` must have at most 2 decimal places (cents), got {}",
            req.amount
        )));
    }
    if req.amount > MAX_TRANSFER {
        return Err(LedgerError::InvalidTransfer(format!(
            "`amount` must be at most {MAX_TRANSFER}, got {}",
            req.amount
        )));
    }
    if req.from_account == req.to_account {
        return Err(LedgerError::InvalidTransfer(
            "`to_account` must differ from `from_account`".into(),
        ));
    }
    Ok(())
}

/// Counts a transaction in flight for as long as it lives, cancellation
/// included (a dropped request future decrements too).
struct Active(Gauge);

impl Active {
    fn enter(gauge: &Gauge) -> Self {
        gauge.inc();
        Active(gauge.clone())
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// How long a slow transaction holds its connection, if at all; fails when
/// the database is down by injection.
fn hold_for(mode: DbMode) -> Result<Option<Duration>, LedgerError> {
    match mode {
        DbMode::Normal => Ok(None),
        DbMode::Slow(d) => Ok(Some(d)),
        DbMode::Down => Err(LedgerError::InjectedFailure),
    }
}

/// The checks made under the row locks: both accounts exist, funds suffice.
fn check_funds(
    req: &TransferRequest,
    from_balance: Option<Decimal>,
    to_exists: bool,
) -> Result<(), LedgerError> {
    let from_balance =
        from_balance.ok_or_else(|| LedgerError::UnknownAccount(req.from_account.clone()))?;
    if !to_exists {
        return Err(LedgerError::UnknownAccount(req.to_account.clone()));
    }
    if from_balance < req.amount {
        return Err(LedgerError::InsufficientFunds {
            account: req.from_account.clone(),
            balance: from_balance,
            amount: req.amount,
        });
    }
    Ok(())
}

/// A replayed key must carry the same transfer; otherwise it is a client bug
/// worth telling apart from success.
fn same_request(req: &TransferRequest, r: Receipt) -> Result<Transfer, LedgerError> {
    if r.from_account == req.from_account
        && r.to_account == req.to_account
        && r.amount == req.amount
    {
        Ok(Transfer::Replayed(r))
    } else {
        Err(LedgerError::IdempotencyConflict)
    }
}

/// Whether a failed transfer lost a race to another request with the same
/// idempotency key (the UNIQUE constraint fired): then the answer is a replay.
fn lost_idempotency_race(req: &TransferRequest, err: &LedgerError) -> bool {
    matches!(err, LedgerError::Database(e)
        if req.idempotency_key.is_some()
            && e.as_database_error().is_some_and(|d| d.is_unique_violation()))
}

fn new_transaction_id() -> String {
    format!("TXN-{}", uuid::Uuid::new_v4().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(amount: &str) -> TransferRequest {
        TransferRequest {
            from_account: "ACC-001".into(),
            to_account: "ACC-002".into(),
            amount: amount.parse().unwrap(),
            idempotency_key: None,
        }
    }

    #[test]
    fn amounts_must_be_positive_whole_cents_within_the_limit() {
        assert!(validate_transfer(&req("10")).is_ok());
        assert!(validate_transfer(&req("10.50")).is_ok());
        assert!(validate_transfer(&req("0")).is_err());
        assert!(validate_transfer(&req("-1")).is_err());
        assert!(validate_transfer(&req("0.001")).is_err());
        assert!(validate_transfer(&req("1000000.01")).is_err());
    }
}
