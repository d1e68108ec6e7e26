//! The ledger on an embedded SQLite file (or `sqlite::memory:`), so
//! `workshop serve` works on a fresh machine with no database server.
//!
//! SQLite has one writer at a time: a transfer starts with `BEGIN IMMEDIATE`,
//! taking the write lock up front, so two transfers can never both read a
//! balance and then race to write it.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use prometheus_client::metrics::gauge::Gauge;
use rust_decimal::Decimal;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Sqlite, SqlitePool, Transaction};

use super::{
    Account, LedgerError, PoolStats, Receipt, Transfer, TransferRequest, check_funds, hold_for,
    lost_idempotency_race, new_transaction_id, same_request,
};
use crate::faults::DbMode;

#[derive(Clone)]
pub struct SqliteLedger {
    pool: SqlitePool,
    max: u32,
    /// The database file; none for `sqlite::memory:`.
    file: Option<std::path::PathBuf>,
    pub(super) active: Gauge,
}

type AccountRow = (String, i32, String, i64, String);
type ReceiptRow = (String, String, String, i64, String);

fn cents_to_money(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// Exact conversion; amounts were validated to whole cents before this.
fn money_to_cents(amount: Decimal) -> Result<i64, LedgerError> {
    let cents = amount * Decimal::ONE_HUNDRED;
    if cents.fract() != Decimal::ZERO {
        return Err(LedgerError::InvalidTransfer(format!(
            "`amount` must have at most 2 decimal places, got {amount}"
        )));
    }
    i64::try_from(cents)
        .map_err(|_| LedgerError::InvalidTransfer(format!("`amount` is too large: {amount}")))
}

fn account(row: AccountRow) -> Account {
    let (account, user_id, owner, cents, currency) = row;
    Account {
        account,
        user_id,
        owner,
        balance: cents_to_money(cents),
        currency,
    }
}

/// A stored transfer as its receipt. A `created_at` that is not RFC 3339
/// (a row written by hand) is an error that names the column, never a
/// receipt dated 1970.
fn receipt(row: ReceiptRow) -> Result<Receipt, LedgerError> {
    let (transaction_id, from_account, to_account, cents, created_at) = row;
    let created_at = DateTime::parse_from_rfc3339(&created_at)
        .map_err(|e| sqlx::Error::ColumnDecode {
            index: "transfers.created_at".into(),
            source: format!("{created_at:?} is not an RFC 3339 time: {e}").into(),
        })?
        .with_timezone(&Utc);
    Ok(Receipt {
        transaction_id,
        from_account,
        to_account,
        amount: cents_to_money(cents),
        created_at,
    })
}

const SELECT_ACCOUNT: &str =
    "SELECT number, user_id, owner, balance_cents, currency FROM accounts WHERE number = ?1";
const SELECT_RECEIPT: &str = "SELECT transaction_id, from_account, to_account, amount_cents, created_at \
     FROM transfers WHERE idempotency_key = ?1";

impl SqliteLedger {
    pub async fn connect(url: &str, pool_size: u32) -> Result<Self, super::OpenError> {
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            .journal_mode(if in_memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            });
        if let Some(dir) = options.get_filename().parent()
            && !in_memory
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        // Each connection to `:memory:` is its own empty database: one
        // connection, kept for the life of the process.
        let max = if in_memory { 1 } else { pool_size.max(1) };
        let mut pool_options = SqlitePoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(30));
        if in_memory {
            pool_options = pool_options
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None);
        }
        let file = (!in_memory).then(|| options.get_filename().to_path_buf());
        let pool = pool_options.connect_with(options).await?;
        super::schema::prepare_sqlite(&pool).await?;
        Ok(Self {
            pool,
            max,
            file,
            active: Gauge::default(),
        })
    }

    /// Where this ledger's fault state is kept across restarts: beside the
    /// database file (`ledger.sqlite` → `ledger.faults.json`).
    pub fn fault_file(&self) -> Option<std::path::PathBuf> {
        let file = self.file.as_ref()?;
        let stem = file.file_stem()?.to_string_lossy();
        Some(file.with_file_name(format!("{stem}.faults.json")))
    }

    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.max,
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    async fn begin(
        &self,
        statement: &'static str,
        hold: Option<Duration>,
    ) -> Result<Transaction<'static, Sqlite>, LedgerError> {
        let tx = self.pool.begin_with(statement).await?;
        if let Some(d) = hold {
            tokio::time::sleep(d).await;
        }
        Ok(tx)
    }

    pub async fn account(&self, number: &str, mode: DbMode) -> Result<Account, LedgerError> {
        let hold = hold_for(mode)?;
        let mut tx = self.begin("BEGIN", hold).await?;
        let row: Option<AccountRow> = sqlx::query_as(SELECT_ACCOUNT)
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?;
        tx.commit().await?;
        row.map(account)
            .ok_or_else(|| LedgerError::UnknownAccount(number.to_string()))
    }

    pub async fn accounts(&self, mode: DbMode) -> Result<Vec<Account>, LedgerError> {
        let hold = hold_for(mode)?;
        let mut tx = self.begin("BEGIN", hold).await?;
        let rows: Vec<AccountRow> = sqlx::query_as(
            "SELECT number, user_id, owner, balance_cents, currency FROM accounts ORDER BY number",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(account).collect())
    }

    pub async fn transfer(
        &self,
        req: &TransferRequest,
        mode: DbMode,
    ) -> Result<Transfer, LedgerError> {
        let hold = hold_for(mode)?;
        match self.try_transfer(req, hold).await {
            Err(e) if lost_idempotency_race(req, &e) => {
                let row: Option<ReceiptRow> = sqlx::query_as(SELECT_RECEIPT)
                    .bind(&req.idempotency_key)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(r) => same_request(req, receipt(r)?),
                    None => Err(e),
                }
            }
            other => other,
        }
    }

    async fn try_transfer(
        &self,
        req: &TransferRequest,
        hold: Option<Duration>,
    ) -> Result<Transfer, LedgerError> {
        let amount = money_to_cents(req.amount)?;
        let mut tx = self.begin("BEGIN IMMEDIATE", hold).await?;
        if let Some(key) = &req.idempotency_key {
            let seen: Option<ReceiptRow> = sqlx::query_as(SELECT_RECEIPT)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(r) = seen {
                return same_request(req, receipt(r)?);
            }
        }
        let balance = |number: &str| {
            sqlx::query_as::<_, (i64,)>("SELECT balance_cents FROM accounts WHERE number = ?1")
                .bind(number.to_string())
        };
        let from = balance(&req.from_account).fetch_optional(&mut *tx).await?;
        let to = balance(&req.to_account).fetch_optional(&mut *tx).await?;
        check_funds(req, from.map(|(c,)| cents_to_money(c)), to.is_some())?;
        sqlx::query("UPDATE accounts SET balance_cents = balance_cents - ?1 WHERE number = ?2")
            .bind(amount)
            .bind(&req.from_account)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE accounts SET balance_cents = balance_cents + ?1 WHERE number = ?2")
            .bind(amount)
            .bind(&req.to_account)
            .execute(&mut *tx)
            .await?;
        let created_at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        let row: ReceiptRow = sqlx::query_as(
            "INSERT INTO transfers (transaction_id, from_account, to_account, amount_cents, idempotency_key, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
             RETURNING transaction_id, from_account, to_account, amount_cents, created_at",
        )
        .bind(new_transaction_id())
        .bind(&req.from_account)
        .bind(&req.to_account)
        .bind(amount)
        .bind(&req.idempotency_key)
        .bind(created_at)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Transfer::Completed(receipt(row)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_receipt_time_that_does_not_parse_is_an_error_naming_the_column() {
        let row = |at: &str| -> ReceiptRow {
            (
                "tx-1".into(),
                "ACC-001".into(),
                "ACC-002".into(),
                1050,
                at.into(),
            )
        };
        let ok = receipt(row("2026-12-02T01:02:03.000004Z")).expect("parses");
        assert_eq!(
            ok.created_at.to_rfc3339(),
            "2026-12-02T01:02:03.000004+00:00"
        );
        let err = receipt(row("yesterday")).expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("transfers.created_at"), "{text}");
        assert!(text.contains("yesterday"), "{text}");
    }
}
