//! What a database holds when `serve` starts, and how it becomes ours.
//!
//! - Ours (sqlx's `_sqlx_migrations` is there) or empty: the embedded
//!   migrations bring it up to date.
//! - Made by the original workshop (PostgreSQL, its `init.sql`, and nothing
//!   of ours): adopted in one transaction, see [`super::adopt`].
//! - Anything else holding one of our tables: refused, changing nothing,
//!   with what was found and what to do. A raw migration error ("relation
//!   accounts already exists") says neither.
//!
//! Looking and adopting happen under one advisory lock, so replicas that
//! start together on an original database adopt it once: the others find
//! it ours.

use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection, SqlitePool};

use super::OpenError;
use super::adopt::{adopt, differences, is_original, nearly_original};
use super::found::{FoundColumn, FoundTable, SchemaError};

static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");
static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");

/// The tables our migrations create (SQLite has the first two). Any of
/// them in a database without sqlx's bookkeeping was made by someone else.
const OUR_TABLES: [&str; 4] = ["accounts", "transfers", "fault_state", "adopted_accounts"];

/// The advisory lock held while looking at the schema and adopting.
const ADOPTION_LOCK: i64 = 0x776f_726b_7368_6f70; // "workshop"

/// What a database holds, before we change anything.
#[derive(Debug, PartialEq)]
enum Found {
    /// sqlx's bookkeeping is there: a database we migrated.
    Ours,
    /// None of our tables: migrations start from nothing.
    Empty,
    /// The original workshop's `accounts` and nothing else of ours.
    Original,
    /// Some of our tables, made by someone else.
    Foreign(Vec<FoundTable>),
}

impl Found {
    fn of(tables: Vec<FoundTable>) -> Self {
        match tables.as_slice() {
            [] => Found::Empty,
            [accounts] if accounts.name == "accounts" && is_original(accounts) => Found::Original,
            _ => Found::Foreign(tables),
        }
    }
}

/// Why `tables` cannot be adopted: the differences from the original's
/// `accounts` when that is all there is and it nearly is one.
fn refusal(tables: Vec<FoundTable>) -> SchemaError {
    match tables.as_slice() {
        [accounts] if nearly_original(accounts) => {
            SchemaError::NearlyOriginal(differences(accounts))
        }
        _ => SchemaError::Foreign(tables),
    }
}

/// Brings a PostgreSQL database to our schema: adopts an original
/// workshop's database, refuses a foreign one, then migrates.
pub(super) async fn prepare_postgres(conn: &mut PgConnection) -> Result<(), OpenError> {
    let mut tx = conn.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(ADOPTION_LOCK)
        .execute(&mut *tx)
        .await?;
    match found_in_postgres(&mut tx).await? {
        Found::Ours | Found::Empty => tx.commit().await?,
        Found::Foreign(tables) => return Err(refusal(tables).into()),
        Found::Original => {
            let adopted = adopt(&mut tx, &POSTGRES).await?;
            tx.commit().await?;
            tracing::info!(
                accounts = adopted,
                "adopted a database made by the original workshop: its accounts keep their \
                 numbers and balances, the ledger's tables were added"
            );
        }
    }
    POSTGRES.run(conn).await.map_err(SchemaError::Migrate)?;
    Ok(())
}

async fn found_in_postgres(conn: &mut PgConnection) -> Result<Found, sqlx::Error> {
    let migrated: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if migrated {
        return Ok(Found::Ours);
    }
    let mut tables = Vec::new();
    for name in OUR_TABLES {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
        if !exists {
            continue;
        }
        let columns: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull \
             FROM pg_attribute a \
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY a.attnum",
        )
        .bind(name)
        .fetch_all(&mut *conn)
        .await?;
        tables.push(found_table(name, columns));
    }
    Ok(Found::of(tables))
}

fn found_table(name: &str, columns: Vec<(String, String, bool)>) -> FoundTable {
    FoundTable {
        name: name.to_string(),
        columns: columns
            .into_iter()
            .map(|(name, sql_type, not_null)| FoundColumn {
                name,
                sql_type,
                not_null,
            })
            .collect(),
    }
}

/// Brings a SQLite file to our schema. The original workshop never ran on
/// SQLite, so there is nothing to adopt; a foreign table is refused.
pub(super) async fn prepare_sqlite(pool: &SqlitePool) -> Result<(), OpenError> {
    let migrated: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await?;
    if !migrated {
        let mut tables = Vec::new();
        for name in OUR_TABLES {
            let columns: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT name, lower(type), \"notnull\" FROM pragma_table_info(?1) ORDER BY cid",
            )
            .bind(name)
            .fetch_all(pool)
            .await?;
            if !columns.is_empty() {
                tables.push(found_table(name, columns));
            }
        }
        if !tables.is_empty() {
            return Err(SchemaError::Foreign(tables).into());
        }
    }
    SQLITE.run(pool).await.map_err(SchemaError::Migrate)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::adopt::ORIGINAL_ACCOUNTS;

    fn table(name: &str, columns: &[(&str, &str, bool)]) -> FoundTable {
        FoundTable {
            name: name.into(),
            columns: columns
                .iter()
                .map(|(n, t, nn)| FoundColumn {
                    name: (*n).into(),
                    sql_type: (*t).into(),
                    not_null: *nn,
                })
                .collect(),
        }
    }

    #[test]
    fn only_the_original_accounts_alone_is_adopted() {
        let mut shuffled = ORIGINAL_ACCOUNTS.to_vec();
        shuffled.reverse();
        assert_eq!(
            Found::of(vec![table("accounts", &shuffled)]),
            Found::Original
        );
        assert_eq!(Found::of(vec![]), Found::Empty);

        let mut wider = ORIGINAL_ACCOUNTS.to_vec();
        wider.push(("email", "text", false));
        let wider = table("accounts", &wider);
        assert_eq!(Found::of(vec![wider.clone()]), Found::Foreign(vec![wider]));

        let mut retyped = ORIGINAL_ACCOUNTS.to_vec();
        retyped[3] = ("balance", "numeric(14,2)", true);
        assert!(matches!(
            Found::of(vec![table("accounts", &retyped)]),
            Found::Foreign(_)
        ));

        let with_ours = vec![
            table("accounts", &ORIGINAL_ACCOUNTS),
            table("transfers", &[("id", "bigint", true)]),
        ];
        assert!(matches!(Found::of(with_ours), Found::Foreign(_)));
    }

    #[test]
    fn a_nearly_original_table_is_refused_naming_each_difference() {
        let mut changed = ORIGINAL_ACCOUNTS.to_vec();
        changed[3] = ("balance", "numeric(10,2)", true);
        changed.remove(4);
        changed.push(("email", "text", false));
        let text = refusal(vec![table("accounts", &changed)]).to_string();
        assert!(
            text.contains("column `balance` is numeric(10,2), the original's is numeric(19,4)"),
            "{text}"
        );
        assert!(
            text.contains("column `created_at` (timestamp without time zone) is missing"),
            "{text}"
        );
        assert!(
            text.contains("column `email` (text) is not the original's"),
            "{text}"
        );
        // NOT NULL is not a difference: a copy that added it is adopted.
        let strict: Vec<_> = ORIGINAL_ACCOUNTS
            .iter()
            .map(|(n, t, _)| (*n, *t, true))
            .collect();
        assert_eq!(Found::of(vec![table("accounts", &strict)]), Found::Original);
    }

    #[test]
    fn a_refusal_names_the_table_and_its_columns() {
        let found = table(
            "accounts",
            &[("id", "integer", true), ("name", "text", false)],
        );
        let text = SchemaError::Foreign(vec![found]).to_string();
        assert!(
            text.contains("table `accounts` (id integer not null, name text)"),
            "{text}"
        );
        assert!(text.contains("docker volume rm"), "{text}");
        assert!(text.contains("DATABASE_URL"), "{text}");
    }
}
