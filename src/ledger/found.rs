//! What was found in a database that `serve` did not set up, and why it
//! cannot hold the ledger as it is (shared by looking and adopting).

use std::fmt;

use rust_decimal::Decimal;
use sqlx::migrate::MigrateError;

/// A column of a table found in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundColumn {
    pub name: String,
    pub sql_type: String,
    pub not_null: bool,
}

/// A table of ours found in a database that sqlx did not migrate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundTable {
    pub name: String,
    pub columns: Vec<FoundColumn>,
}

impl fmt::Display for FoundTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "table `{}` (", self.name)?;
        for (i, c) in self.columns.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let null = if c.not_null { " not null" } else { "" };
            write!(f, "{sep}{} {}{null}", c.name, c.sql_type)?;
        }
        f.write_str(")")
    }
}

/// Why a database cannot hold the ledger as it is. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the database already has {}, which workshop did not create and cannot adopt; \
         nothing was changed. workshop needs an empty database, or one made by the original \
         workshop's init.sql (table `accounts` with id, user_id, account_number, balance, \
         created_at). Point DATABASE_URL at an empty database (e.g. `createdb workshop`), \
         or, if this data may go, remove it: `workshop down --volumes` for workshop's own \
         stack, `docker volume rm <volume>` for another Docker volume (the original \
         workshop's compose named it <project>_postgres_data)",
        list(.0)
    )]
    Foreign(Vec<FoundTable>),
    #[error(
        "cannot adopt the original workshop's database: account {account} has balance \
         {balance}, which {reason}; nothing was changed. Correct that balance in the \
         original database, or point DATABASE_URL at an empty database"
    )]
    Unadoptable {
        account: String,
        balance: Decimal,
        reason: &'static str,
    },
    #[error(
        "cannot adopt the original workshop's database: in table `accounts`, the row with \
         id {id} cannot be kept: its `{column}` {reason}; nothing was changed. Correct that row in the \
         original database, or point DATABASE_URL at an empty database"
    )]
    UnadoptableRow {
        id: i32,
        column: &'static str,
        reason: String,
    },
    #[error(
        "the database has a table `accounts` like the original workshop's, but not the same, \
         so it cannot be adopted; nothing was changed. What differs: {}. Make the table match \
         (e.g. `ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(19,4)`), or point \
         DATABASE_URL at an empty database",
        .0.join("; ")
    )]
    NearlyOriginal(Vec<String>),
    #[error(
        "cannot bring the ledger's tables up to date ({0}); if another program or another \
         workshop version changed this database, point DATABASE_URL at an empty database"
    )]
    Migrate(#[source] MigrateError),
}

fn list(tables: &[FoundTable]) -> String {
    let shown: Vec<String> = tables.iter().map(ToString::to_string).collect();
    shown.join(" and ")
}
