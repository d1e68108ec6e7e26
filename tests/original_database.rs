//! The original workshop's material against ours. A PostgreSQL database
//! made by the original workshop (its `init.sql`, as
//! `tests/fixtures/original-workshop-init.sql`) is adopted by
//! `workshop serve`: its accounts keep their numbers and balances, money is
//! conserved from there on, and a second start changes nothing. A database
//! holding an `accounts` table of another shape, or an original one whose
//! balance is not whole cents, is refused with what was found and what to
//! do, and left exactly as it was. Its scripts' habits hold too: answers
//! end with a newline, `balance-bulk` says `threads`.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Backend, Serve, Server, TestDb};
use rust_decimal::Decimal;
use serde_json::json;
use sqlx::PgPool;

const ORIGINAL_INIT: &str = include_str!("fixtures/original-workshop-init.sql");
const ADOPTED: &str = "adopted a database made by the original workshop";

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

/// `workshop serve` on `db_url` as these tests start it: a short wait for
/// the database, its log (without colours) in `log`.
fn serve_on(db_url: &str, log: &std::path::Path) -> Serve {
    Serve::on(db_url)
        .arg("--db-wait-s")
        .arg("5")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(std::fs::File::create(log).expect("log file"))
}

/// `workshop serve` on `db_url`, its log in `log`.
async fn serve(db_url: &str, log: &std::path::Path) -> Server {
    serve_on(db_url, log).start().await
}

/// Runs `workshop serve` expecting it to refuse the database: its exit
/// status and what it printed.
async fn refused(db_url: &str) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("serve.log");
    let mut server = serve_on(db_url, &log).spawn();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        if std::time::Instant::now() > deadline {
            server.kill();
            panic!(
                "serve kept running on a database it should refuse:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    (status, std::fs::read_to_string(&log).expect("log"))
}

async fn pool(db: &TestDb) -> PgPool {
    PgPool::connect(&db.url).await.expect("connect")
}

/// A pool on `db` after the original workshop's `init.sql` ran there.
async fn original_database(db: &TestDb) -> PgPool {
    let p = pool(db).await;
    sqlx::raw_sql(ORIGINAL_INIT)
        .execute(&p)
        .await
        .expect("the original's init.sql");
    p
}

/// Every table of the database with its columns, and `accounts`' rows as
/// text: what "unchanged" is compared on.
async fn snapshot(db: &TestDb) -> (Vec<(String, String, String)>, Vec<String>) {
    let p = pool(db).await;
    let columns = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text \
         FROM information_schema.columns WHERE table_schema = 'public' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&p)
    .await
    .expect("columns");
    let rows = sqlx::query_scalar("SELECT a::text FROM accounts a ORDER BY 1")
        .fetch_all(&p)
        .await
        .expect("rows");
    p.close().await;
    (columns, rows)
}

async fn balances(s: &Server) -> BTreeMap<String, Decimal> {
    s.balances().await.into_iter().collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_made_by_the_original_workshop_is_adopted_keeping_its_balances() {
    let db = TestDb::new(Backend::Postgres).await;
    let p = original_database(&db).await;
    // What students did to it afterwards: an account of ours with another
    // balance, one we never open, and a created_at left empty.
    sqlx::raw_sql(
        "INSERT INTO accounts (user_id, account_number, balance) VALUES (2, 'ACC-002', 250.5000); \
         INSERT INTO accounts (user_id, account_number, balance, created_at) \
             VALUES (7, 'SAV-7', 0.0100, NULL);",
    )
    .execute(&p)
    .await
    .expect("more original rows");
    let original_ids: Vec<(i32, String)> =
        sqlx::query_as("SELECT id, account_number::text FROM accounts ORDER BY id")
            .fetch_all(&p)
            .await
            .expect("ids");

    let dir = tempfile::tempdir().expect("temp dir");
    let first_log = dir.path().join("first.log");
    let s = serve(&db.url, &first_log).await;
    let log = std::fs::read_to_string(&first_log).expect("log");
    assert_eq!(log.matches(ADOPTED).count(), 1, "one line says so:\n{log}");

    // The original's accounts read through the API as they were.
    let (st, b) = s.get("/api/balance").await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["account"], "ACC-001");
    assert_eq!(b["balance"].as_f64(), Some(10000.0));
    let before = balances(&s).await;
    assert_eq!(before["ACC-001"], dec("10000.00"));
    assert_eq!(
        before["ACC-002"],
        dec("250.50"),
        "the original's balance wins"
    );
    assert_eq!(before["SAV-7"], dec("0.01"));
    let (st, sav) = s.get("/api/accounts/SAV-7").await;
    assert_eq!((st, &sav["user_id"]), (200, &json!(7)), "{sav}");
    // The accounts it lacked are opened as on a fresh database.
    assert_eq!(before["ACC-003"], dec("5000.00"));
    assert_eq!(before.len(), 11, "{before:?}");
    // Its ids are kept.
    let kept: Vec<(i32, String)> =
        sqlx::query_as("SELECT original_id, number FROM adopted_accounts ORDER BY original_id")
            .fetch_all(&p)
            .await
            .expect("adopted_accounts");
    assert_eq!(kept, original_ids);

    // Money is conserved through transfers, adopted accounts included.
    let total: Decimal = before.values().sum();
    let plan = [
        ("ACC-001", "SAV-7", "120.35"),
        ("SAV-7", "ACC-002", "100.00"),
        ("ACC-002", "ACC-001", "350.49"),
        ("ACC-003", "SAV-7", "0.01"),
        ("SAV-7", "ACC-001", "20.37"),
        ("ACC-002", "ACC-009", "0.01"),
    ];
    for (from, to, amount) in plan {
        let (st, t) = s
            .post(
                "/api/transfer",
                json!({"from_account": from, "to_account": to, "amount": amount.parse::<f64>().unwrap()}),
            )
            .await;
        assert_eq!(st, 200, "{from} -> {to} {amount}: {t}");
    }
    let (st, t) = s
        .post(
            "/api/transfer",
            json!({"from_account": "SAV-7", "to_account": "ACC-001", "amount": 1000}),
        )
        .await;
    assert_eq!(st, 409, "no overdraft on an adopted account: {t}");
    let after = balances(&s).await;
    assert_eq!(
        after.values().sum::<Decimal>(),
        total,
        "money appeared or vanished"
    );
    assert_eq!(after["SAV-7"], dec("0.00"));
    assert_eq!(after["ACC-001"], dec("10250.51"));
    drop(s);

    // A second start adopts nothing and changes nothing.
    let second_log = dir.path().join("second.log");
    let s = serve(&db.url, &second_log).await;
    assert_eq!(balances(&s).await, after);
    let log = std::fs::read_to_string(&second_log).expect("log");
    assert!(!log.contains(ADOPTED), "adopted twice:\n{log}");
    let migrations: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&p)
        .await
        .expect("migrations");
    assert_eq!(migrations, 3);
    p.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accounts_table_of_another_shape_is_refused_clearly_and_left_unchanged() {
    let db = TestDb::new(Backend::Postgres).await;
    let p = pool(&db).await;
    sqlx::raw_sql(
        "CREATE TABLE accounts (id SERIAL PRIMARY KEY, holder TEXT NOT NULL, amount NUMERIC(10, 2)); \
         INSERT INTO accounts (holder, amount) VALUES ('someone else', 12.34);",
    )
    .execute(&p)
    .await
    .expect("a foreign accounts table");
    p.close().await;
    let before = snapshot(&db).await;

    let (status, log) = refused(&db.url).await;
    assert!(!status.success(), "serve must exit non-zero:\n{log}");
    for said in [
        "table `accounts` (id integer not null, holder text not null, amount numeric(10,2))",
        "nothing was changed",
        "empty database",
        "DATABASE_URL",
        "docker volume rm",
    ] {
        assert!(
            log.contains(said),
            "the refusal does not say {said:?}:\n{log}"
        );
    }
    for raw in [
        "already exists",
        "panicked",
        "stack backtrace",
        "RUST_BACKTRACE",
    ] {
        assert!(!log.contains(raw), "a raw error ({raw}):\n{log}");
    }
    assert_eq!(snapshot(&db).await, before, "the database changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_original_balance_finer_than_cents_stops_the_adoption_before_any_change() {
    let db = TestDb::new(Backend::Postgres).await;
    let p = original_database(&db).await;
    sqlx::raw_sql(
        "INSERT INTO accounts (user_id, account_number, balance) VALUES (3, 'ACC-003', 99.1234)",
    )
    .execute(&p)
    .await
    .expect("a balance in hundredths of a cent");
    p.close().await;
    let before = snapshot(&db).await;

    let (status, log) = refused(&db.url).await;
    assert!(!status.success(), "serve must exit non-zero:\n{log}");
    assert!(
        log.contains("account ACC-003 has balance 99.1234") && log.contains("whole cents"),
        "the refusal names the account and the value:\n{log}"
    );
    assert!(log.contains("nothing was changed"), "{log}");
    assert_eq!(snapshot(&db).await, before, "the database changed");
}

/// The original's table has no UNIQUE and defaults `account_number` to
/// ACC-001: a second ACC-001 row, or a row without a number, is refused
/// naming the row and the column, and the database stays as it was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_original_row_the_ledger_cannot_hold_stops_the_adoption_naming_it() {
    for (row, says) in [
        (
            "INSERT INTO accounts (balance) VALUES (5.00)",
            "id 2 cannot be kept: its `account_number` is ACC-001, as in row id 1",
        ),
        (
            "INSERT INTO accounts (account_number, balance) VALUES (NULL, 5.00)",
            "id 2 cannot be kept: its `account_number` is NULL",
        ),
        (
            "INSERT INTO accounts (account_number, balance) VALUES ('ACC-005', NULL)",
            "id 2 cannot be kept: its `balance` is NULL",
        ),
    ] {
        let db = TestDb::new(Backend::Postgres).await;
        let p = original_database(&db).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(row))
            .execute(&p)
            .await
            .expect("a row the original allows");
        p.close().await;
        let before = snapshot(&db).await;
        let (status, log) = refused(&db.url).await;
        assert!(!status.success(), "serve must exit non-zero:\n{log}");
        assert!(
            log.contains(says),
            "{row}: the refusal names the row:\n{log}"
        );
        assert!(log.contains("nothing was changed"), "{log}");
        assert_eq!(snapshot(&db).await, before, "the database changed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_file_with_a_foreign_accounts_table_is_refused_too() {
    let db = TestDb::new(Backend::Sqlite).await;
    let p = sqlx::SqlitePool::connect(&format!("{}?mode=rwc", db.url))
        .await
        .expect("create the file");
    sqlx::raw_sql("CREATE TABLE accounts (id INTEGER PRIMARY KEY, holder TEXT)")
        .execute(&p)
        .await
        .expect("a foreign accounts table");
    p.close().await;

    let (status, log) = refused(&db.url).await;
    assert!(!status.success(), "serve must exit non-zero:\n{log}");
    assert!(
        log.contains("table `accounts` (id integer, holder text)"),
        "{log}"
    );
    assert!(!log.contains("already exists"), "{log}");
}

/// What the original workshop's scripts rely on: each JSON answer ends with
/// a newline (they print answers back to back), errors included, and
/// `balance-bulk` says `threads` beside our own fields.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_keep_the_original_scripts_habits() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    for path in ["/", "/health", "/api/balance", "/api/accounts/ACC-404"] {
        let body = s.text(path).await;
        assert!(body.ends_with("}\n"), "{path}: {body:?}");
    }
    let (status, bulk) = s
        .post("/api/balance-bulk", serde_json::json!({"count": 5}))
        .await;
    assert_eq!(status, 200, "{bulk}");
    assert_eq!(bulk["threads"], 5, "{bulk}");
    assert_eq!(bulk["succeeded"], 5, "{bulk}");
}
