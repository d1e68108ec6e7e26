//! Test databases: a fresh PostgreSQL database on the throwaway cluster
//! `scripts/test` starts, or a SQLite file in a temporary directory.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A database for one test: a fresh PostgreSQL database, or a SQLite file in
/// a temporary directory.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

/// The admin URL of the throwaway cluster. Missing is a loud failure, never a
/// skip: the test command starts the cluster.
pub fn pg_admin_url() -> String {
    std::env::var("WORKSHOP_TEST_PG").unwrap_or_else(|_| {
        panic!(
            "WORKSHOP_TEST_PG is unset: run the tests with `scripts/test`, which starts a \
             throwaway PostgreSQL cluster, or set WORKSHOP_TEST_PG to a server you own \
             (postgres://user@host:port/db with CREATE DATABASE rights)"
        )
    })
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
                TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let name = format!("t_{}", uuid::Uuid::new_v4().simple());
                let pool = sqlx::PgPool::connect(&admin)
                    .await
                    .expect("connect to the throwaway PostgreSQL");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&pool)
                    .await
                    .expect("create test database");
                pool.close().await;
                let (base, _) = admin.rsplit_once('/').expect("admin URL has a database");
                TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    _dir: None,
                }
            }
        }
    }

    /// (transfers in the table, distinct idempotency keys, keys used twice).
    pub async fn transfer_rows(&self) -> Vec<(String, Option<String>)> {
        let sql = "SELECT transaction_id, idempotency_key FROM transfers";
        match self.backend {
            Backend::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url).await.expect("connect");
                let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("rows");
                pool.close().await;
                rows
            }
            Backend::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&self.url).await.expect("connect");
                let rows = sqlx::query_as(sql).fetch_all(&pool).await.expect("rows");
                pool.close().await;
                rows
            }
        }
    }
}
