//! Adopting a PostgreSQL database made by the original workshop (its
//! `init.sql`): one `accounts` table, `id SERIAL`, `user_id`,
//! `account_number VARCHAR(20)`, `balance DECIMAL(19,4)`, `created_at
//! TIMESTAMP`, nullable and not UNIQUE as its `init.sql` made them. The schema module recognises it; this takes it over, inside
//! the transaction that recognised it, so a refusal half-way (a balance that
//! is not whole cents) leaves the database exactly as it was.
//!
//! Its account numbers have our form (`ACC-001`), so they stay the account
//! numbers; user ids, balances and creation times are kept, and its numeric
//! ids go to `adopted_accounts`. Our migrations then open the accounts it
//! lacked, as on a fresh database, so the workshop's material (transfers to
//! ACC-002, the load's ten accounts) works on it.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;
use sqlx::migrate::Migrator;

use super::OpenError;
use super::found::{FoundTable, SchemaError};

/// The original workshop's `accounts`, as PostgreSQL's `format_type` spells
/// each column: (name, type, NOT NULL). Its `init.sql` declares every
/// column but `id` nullable, with defaults (`user_id` 1, `account_number`
/// 'ACC-001', `balance` 10000.0000, `created_at` now()) and no UNIQUE; a
/// copy that added NOT NULL or UNIQUE is the same table, so NOT NULL is not
/// compared.
pub(super) const ORIGINAL_ACCOUNTS: [(&str, &str, bool); 5] = [
    ("id", "integer", true),
    ("user_id", "integer", false),
    ("account_number", "character varying(20)", false),
    ("balance", "numeric(19,4)", false),
    ("created_at", "timestamp without time zone", false),
];

/// The user of a row whose `user_id` is NULL: the original's default.
const DEFAULT_USER: i32 = 1;

/// The largest balance `NUMERIC(14,2)` holds.
const MAX_BALANCE: Decimal = Decimal::from_parts(276_447_231, 23_283, 0, false, 2); // 999999999999.99

/// The same columns and types as the original's, in any order.
pub(super) fn is_original(table: &FoundTable) -> bool {
    differences(table).is_empty()
}

/// How `table` differs from the original's `accounts`, column by column:
/// what a refusal says, so the fix is one `ALTER TABLE` away.
pub(super) fn differences(table: &FoundTable) -> Vec<String> {
    let mut out = Vec::new();
    for (name, sql_type, _) in ORIGINAL_ACCOUNTS {
        match table.columns.iter().find(|c| c.name == name) {
            None => out.push(format!("column `{name}` ({sql_type}) is missing")),
            Some(c) if c.sql_type != sql_type => out.push(format!(
                "column `{name}` is {}, the original's is {sql_type}",
                c.sql_type
            )),
            Some(_) => {}
        }
    }
    for c in &table.columns {
        if !ORIGINAL_ACCOUNTS.iter().any(|(name, _, _)| *name == c.name) {
            out.push(format!(
                "column `{}` ({}) is not the original's",
                c.name, c.sql_type
            ));
        }
    }
    out
}

/// Whether `table` looks like the original's `accounts` changed a little
/// (most of its columns there): then the refusal lists the differences.
pub(super) fn nearly_original(table: &FoundTable) -> bool {
    let shared = ORIGINAL_ACCOUNTS
        .iter()
        .filter(|(name, _, _)| table.columns.iter().any(|c| c.name == *name))
        .count();
    table.name == "accounts" && shared >= 3
}

/// A balance of the original (`DECIMAL(19,4)`) as the ledger's money
/// (whole cents, never negative, within `NUMERIC(14,2)`), or why it is not.
fn as_money(balance: Decimal) -> Result<Decimal, &'static str> {
    if balance < Decimal::ZERO {
        return Err("is negative, and the ledger allows no negative balance");
    }
    let mut cents = balance.round_dp(2);
    if cents != balance {
        return Err("has a fraction of a cent, and the ledger keeps whole cents");
    }
    if cents > MAX_BALANCE {
        return Err("is more than the ledger holds (999999999999.99)");
    }
    cents.rescale(2);
    Ok(cents)
}

type OriginalRow = (
    i32,
    Option<i32>,
    Option<String>,
    Option<Decimal>,
    Option<DateTime<Utc>>,
);

/// (original id, user, account number, balance in cents, created at).
type AdoptedRow = (i32, i32, String, Decimal, Option<DateTime<Utc>>);

/// A row as the ledger keeps it, or why it cannot be: no account number or
/// no balance (the ledger has no account without them), or a number held
/// by an earlier row (the original has no UNIQUE; merging would guess).
fn adoptable(
    row: OriginalRow,
    seen: &mut std::collections::HashMap<String, i32>,
) -> Result<AdoptedRow, SchemaError> {
    let (id, user_id, number, balance, created_at) = row;
    let refused =
        |column: &'static str, reason: String| SchemaError::UnadoptableRow { id, column, reason };
    let number = number.ok_or_else(|| refused("account_number", "is NULL".into()))?;
    if let Some(first) = seen.insert(number.clone(), id) {
        return Err(refused(
            "account_number",
            format!("is {number}, as in row id {first}: each account must be one row"),
        ));
    }
    let balance = balance.ok_or_else(|| refused("balance", "is NULL".into()))?;
    let money = as_money(balance).map_err(|reason| SchemaError::Unadoptable {
        account: number.clone(),
        balance,
        reason,
    })?;
    Ok((
        id,
        user_id.unwrap_or(DEFAULT_USER),
        number,
        money,
        created_at,
    ))
}

/// Takes the original's accounts over, inside the caller's transaction:
/// read them (locked against a still-running original app), check every
/// balance, drop the table, run our migrations, write the rows back into
/// ours. Returns how many accounts were adopted.
pub(super) async fn adopt(
    conn: &mut PgConnection,
    migrator: &Migrator,
) -> Result<usize, OpenError> {
    sqlx::query("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *conn)
        .await?;
    // `created_at` has no time zone. sqlx's sessions run in UTC, as the
    // original's PostgreSQL image did by default, so it is read as UTC.
    let rows: Vec<OriginalRow> = sqlx::query_as(
        "SELECT id, user_id, account_number, balance, created_at::timestamptz \
         FROM accounts ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut seen = std::collections::HashMap::new();
    let adopted = rows
        .into_iter()
        .map(|row| adoptable(row, &mut seen))
        .collect::<Result<Vec<_>, _>>()?;
    sqlx::query("DROP TABLE accounts")
        .execute(&mut *conn)
        .await?;
    migrator
        .run(&mut *conn)
        .await
        .map_err(SchemaError::Migrate)?;
    // An account we also open keeps its owner's name from our seed; the
    // original had no names.
    for (id, user_id, number, balance, created_at) in &adopted {
        sqlx::query(
            "INSERT INTO accounts (number, user_id, owner, balance, created_at) \
             VALUES ($1, $2, 'user ' || $2, $3, COALESCE($4, now())) \
             ON CONFLICT (number) DO UPDATE SET user_id = EXCLUDED.user_id, \
                 balance = EXCLUDED.balance, created_at = EXCLUDED.created_at",
        )
        .bind(number)
        .bind(user_id)
        .bind(balance)
        .bind(created_at)
        .execute(&mut *conn)
        .await?;
        sqlx::query("INSERT INTO adopted_accounts (number, original_id) VALUES ($1, $2)")
            .bind(number)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(adopted.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_whole_cents_within_the_ledger_are_adopted() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(as_money(d("10000.0000")), Ok(d("10000.00")));
        assert_eq!(as_money(d("10000.0000")).unwrap().scale(), 2);
        assert_eq!(as_money(d("0.1000")), Ok(d("0.10")));
        assert_eq!(as_money(d("999999999999.9900")), Ok(MAX_BALANCE));
        let fraction = as_money(d("10.0050")).unwrap_err();
        assert!(fraction.contains("fraction of a cent"), "{fraction}");
        assert!(as_money(d("10.0001")).is_err());
        assert!(as_money(d("-1.0000")).unwrap_err().contains("negative"));
        let large = as_money(d("1000000000000.0000")).unwrap_err();
        assert!(large.contains("more than"), "{large}");
        assert_eq!(MAX_BALANCE.to_string(), "999999999999.99");
    }
}
