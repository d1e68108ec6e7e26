//! The ledger on PostgreSQL.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus_client::metrics::gauge::Gauge;
use rust_decimal::Decimal;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, Postgres, Transaction};

use super::conns::{Conn, Conns};
use super::{
    Account, LedgerError, PoolStats, Receipt, Transfer, TransferRequest, check_funds, hold_for,
    lost_idempotency_race, new_transaction_id, same_request,
};
use crate::faults::DbMode;

#[derive(Clone)]
pub struct PgLedger {
    conns: Conns,
    pub(super) active: Gauge,
}

type AccountRow = (String, i32, String, Decimal, String);
type ReceiptRow = (String, String, String, Decimal, DateTime<Utc>);

fn account(row: AccountRow) -> Account {
    let (account, user_id, owner, balance, currency) = row;
    Account {
        account,
        user_id,
        owner,
        balance,
        currency,
    }
}

fn receipt(row: ReceiptRow) -> Receipt {
    let (transaction_id, from_account, to_account, amount, created_at) = row;
    Receipt {
        transaction_id,
        from_account,
        to_account,
        amount,
        created_at,
    }
}

const SELECT_ACCOUNT: &str =
    "SELECT number, user_id, owner, balance, currency FROM accounts WHERE number = $1";
const SELECT_RECEIPT: &str = "SELECT transaction_id, from_account, to_account, amount, created_at \
     FROM transfers WHERE idempotency_key = $1";

impl PgLedger {
    pub async fn connect(url: &str, pool_size: u32) -> Result<Self, super::OpenError> {
        let options = PgConnectOptions::from_str(url)?.application_name("workshop-serve");
        let mut first = options.connect().await?;
        super::schema::prepare_postgres(&mut first).await?;
        Ok(Self {
            conns: Conns::new(options, pool_size, first),
            active: Gauge::default(),
        })
    }

    /// How to reach the database, for the fault controls' own pool.
    pub(super) fn connect_options(&self) -> &PgConnectOptions {
        self.conns.options()
    }

    pub fn pool_stats(&self) -> PoolStats {
        let (size, idle) = self.conns.open_and_idle();
        PoolStats {
            size,
            idle,
            max: self.conns.max(),
        }
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        let mut conn = self.conns.acquire().await?;
        sqlx::query("SELECT 1").execute(&mut *conn).await?;
        conn.release();
        Ok(())
    }

    /// Opens a transaction and, under a slow database, keeps it open (and its
    /// pooled connection taken) for the injected delay before any work.
    async fn begin(
        conn: &mut PgConnection,
        hold: Duration,
    ) -> Result<Transaction<'_, Postgres>, LedgerError> {
        let tx = conn.begin().await?;
        tokio::time::sleep(hold).await;
        Ok(tx)
    }

    async fn acquire(&self) -> Result<Conn, LedgerError> {
        Ok(self.conns.acquire().await?)
    }

    pub async fn account(&self, number: &str, mode: DbMode) -> Result<Account, LedgerError> {
        let hold = hold_for(mode)?;
        let mut conn = self.acquire().await?;
        let query = sqlx::query_as(SELECT_ACCOUNT).bind(number);
        let row: Option<AccountRow> = match hold {
            None => query.fetch_optional(&mut *conn).await?,
            Some(hold) => {
                let mut tx = Self::begin(&mut conn, hold).await?;
                let row = query.fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                row
            }
        };
        conn.release();
        row.map(account)
            .ok_or_else(|| LedgerError::UnknownAccount(number.to_string()))
    }

    pub async fn accounts(&self, mode: DbMode) -> Result<Vec<Account>, LedgerError> {
        let hold = hold_for(mode)?;
        let mut conn = self.acquire().await?;
        let query = sqlx::query_as(
            "SELECT number, user_id, owner, balance, currency FROM accounts ORDER BY number",
        );
        let rows: Vec<AccountRow> = match hold {
            None => query.fetch_all(&mut *conn).await?,
            Some(hold) => {
                let mut tx = Self::begin(&mut conn, hold).await?;
                let rows = query.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows
            }
        };
        conn.release();
        Ok(rows.into_iter().map(account).collect())
    }

    pub async fn transfer(
        &self,
        req: &TransferRequest,
        mode: DbMode,
    ) -> Result<Transfer, LedgerError> {
        let hold = hold_for(mode)?;
        match self.try_transfer(req, hold).await {
            // Another request with the same key committed first: answer with its result.
            Err(e) if lost_idempotency_race(req, &e) => self.replay(req).await,
            other => other,
        }
    }

    async fn replay(&self, req: &TransferRequest) -> Result<Transfer, LedgerError> {
        let mut conn = self.acquire().await?;
        let row: Option<ReceiptRow> = sqlx::query_as(SELECT_RECEIPT)
            .bind(&req.idempotency_key)
            .fetch_optional(&mut *conn)
            .await?;
        conn.release();
        match row.map(receipt) {
            Some(r) => same_request(req, r),
            None => Err(LedgerError::Database(sqlx::Error::RowNotFound)),
        }
    }

    /// The whole transfer in one call of `ledger_transfer` (migration
    /// 0002), so the row locks are held only inside the server, never across
    /// network round trips: under load that is what decides throughput, as
    /// every transfer touching a popular account queues on its lock. Without
    /// a slow database it is its own implicit transaction: one round trip.
    async fn try_transfer(
        &self,
        req: &TransferRequest,
        hold: Option<Duration>,
    ) -> Result<Transfer, LedgerError> {
        let query = sqlx::query_as::<_, TransferRow>(TRANSFER)
            .bind(&req.from_account)
            .bind(&req.to_account)
            .bind(req.amount)
            .bind(&req.idempotency_key)
            .bind(new_transaction_id());
        let mut conn = self.acquire().await?;
        let row = match hold {
            None => query.fetch_one(&mut *conn).await?,
            Some(hold) => {
                let mut tx = Self::begin(&mut conn, hold).await?;
                let row = query.fetch_one(&mut *tx).await?;
                tx.commit().await?;
                row
            }
        };
        conn.release();
        let (kind, id, from, to, amount, created_at, from_balance, to_exists) = row;
        match (kind.as_str(), id, from, to, amount, created_at) {
            ("prior", Some(id), Some(from), Some(to), Some(amount), Some(at)) => {
                same_request(req, receipt((id, from, to, amount, at)))
            }
            ("done", Some(id), Some(from), Some(to), Some(amount), Some(at)) => {
                Ok(Transfer::Completed(receipt((id, from, to, amount, at))))
            }
            _ => {
                check_funds(req, from_balance, to_exists.unwrap_or(false))?;
                // Funds and accounts were fine yet nothing moved: cannot
                // happen under the locks; report it rather than guess.
                Err(LedgerError::Database(sqlx::Error::Protocol(
                    "transfer statement moved nothing".into(),
                )))
            }
        }
    }
}

type TransferRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<Decimal>,
    Option<DateTime<Utc>>,
    Option<Decimal>,
    Option<bool>,
);

const TRANSFER: &str = "SELECT kind, transaction_id, from_account, to_account, amount, created_at, \
     from_balance, to_exists FROM ledger_transfer($1, $2, $3, $4, $5)";
