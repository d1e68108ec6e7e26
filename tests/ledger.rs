//! The bank invariant: whatever the concurrency, money is conserved, no
//! balance goes negative, every acknowledged transfer is in the ledger, and
//! an idempotency key moves money once.

#[macro_use]
mod common;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use common::{Backend, Server, TestDb};
use futures::StreamExt;
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{Value, json};

async fn transfer(s: &Server, key: &str, from: &str, to: &str, amount: &str) -> (u16, Value) {
    let r = s
        .http
        .post(format!("{}/api/transfer", s.url))
        .header("Idempotency-Key", key)
        .json(&json!({"from_account": from, "to_account": to, "amount": amount.parse::<f64>().unwrap()}))
        .send()
        .await
        .expect("request");
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

async fn concurrent_random_transfers_conserve_money_and_apply_each_key_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    let before = s.balances().await;
    let total: Decimal = before.iter().map(|(_, b)| *b).sum();
    let accounts: Vec<String> = before.iter().map(|(n, _)| n.clone()).collect();

    // 2,000 transfers; one in ten reuses the key of an earlier transfer with
    // the same body (a client retrying), which must not move money again.
    let mut rng = rand::rng();
    let plan: Vec<(String, String, String, String)> = (0..2000)
        .map(|i| {
            let from = rng.random_range(0..accounts.len());
            let mut to = rng.random_range(0..accounts.len() - 1);
            if to >= from {
                to += 1;
            }
            let cents = rng.random_range(1..200_000);
            let key = if i % 10 == 9 {
                format!("k-{}", i - 1)
            } else {
                format!("k-{i}")
            };
            let amount = Decimal::new(cents, 2).to_string();
            (key, accounts[from].clone(), accounts[to].clone(), amount)
        })
        .collect();
    // A retry repeats the body of its original.
    let mut bodies: HashMap<String, (String, String, String)> = HashMap::new();
    let plan: Vec<_> = plan
        .into_iter()
        .map(|(k, f, t, a)| {
            let (f, t, a) = bodies.entry(k.clone()).or_insert((f, t, a)).clone();
            (k, f, t, a)
        })
        .collect();

    let results: Vec<(String, u16, Value)> = futures::stream::iter(plan)
        .map(|(k, f, t, a)| {
            let s = &s;
            async move {
                let (st, body) = transfer(s, &k, &f, &t, &a).await;
                (k, st, body)
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;

    let after = s.balances().await;
    let total_after: Decimal = after.iter().map(|(_, b)| *b).sum();
    assert_eq!(total_after, total, "money appeared or vanished");
    assert!(after.iter().all(|(_, b)| *b >= Decimal::ZERO), "{after:?}");

    let ok: Vec<_> = results.iter().filter(|(_, st, _)| *st == 200).collect();
    let unexpected: Vec<_> = results
        .iter()
        .filter(|(_, st, _)| ![200, 409].contains(st))
        .collect();
    assert!(
        unexpected.is_empty(),
        "unexpected replies: {:?}",
        &unexpected[..unexpected.len().min(5)]
    );
    assert!(ok.len() > 500, "only {} transfers succeeded", ok.len());

    let rows = db.transfer_rows().await;
    let ids: HashSet<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
    for (_, _, body) in &ok {
        let id = body["transaction_id"].as_str().expect("transaction_id");
        assert!(
            ids.contains(id),
            "acknowledged transfer {id} is not in the ledger"
        );
    }
    let keys: Vec<&str> = rows.iter().filter_map(|(_, k)| k.as_deref()).collect();
    let distinct: HashSet<&str> = keys.iter().copied().collect();
    assert_eq!(
        keys.len(),
        distinct.len(),
        "an idempotency key was applied twice"
    );
    // Same key, same answer.
    let mut by_key: HashMap<&str, HashSet<&str>> = HashMap::new();
    for (k, _, body) in &ok {
        by_key
            .entry(k)
            .or_default()
            .insert(body["transaction_id"].as_str().unwrap_or(""));
    }
    assert!(
        by_key.values().all(|ids| ids.len() == 1),
        "a key answered two transaction ids"
    );
}

async fn a_repeated_idempotency_key_returns_the_first_result_and_moves_money_once(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    let (st1, first) = transfer(&s, "order-42", "ACC-001", "ACC-002", "25.50").await;
    let (st2, second) = transfer(&s, "order-42", "ACC-001", "ACC-002", "25.50").await;
    assert_eq!((st1, st2), (200, 200));
    assert_eq!(first["transaction_id"], second["transaction_id"]);
    let balances: HashMap<_, _> = s.balances().await.into_iter().collect();
    assert_eq!(balances["ACC-001"], "9974.50".parse::<Decimal>().unwrap());
    assert_eq!(balances["ACC-002"], "5025.50".parse::<Decimal>().unwrap());
    let (st3, conflict) = transfer(&s, "order-42", "ACC-001", "ACC-002", "99").await;
    assert_eq!(st3, 409, "{conflict}");
    assert_eq!(db.transfer_rows().await.len(), 1);
}

async fn same_key_sent_concurrently_moves_money_once(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    let replies = futures::future::join_all(
        (0..20).map(|_| transfer(&s, "same", "ACC-003", "ACC-004", "1.00")),
    )
    .await;
    let ids: HashSet<String> = replies
        .iter()
        .map(|(st, b)| {
            assert_eq!(*st, 200, "{b}");
            b["transaction_id"].as_str().unwrap_or("").to_string()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    let balances: HashMap<_, _> = s.balances().await.into_iter().collect();
    assert_eq!(balances["ACC-003"], "4999.00".parse::<Decimal>().unwrap());
}

both_backends!(
    concurrent_random_transfers_conserve_money_and_apply_each_key_once,
    a_repeated_idempotency_key_returns_the_first_result_and_moves_money_once,
    same_key_sent_concurrently_moves_money_once,
);

/// Connections of `serve`'s ledger to the test's database, by state.
async fn ledger_sessions(db: &TestDb) -> Vec<String> {
    let pool = sqlx::PgPool::connect(&db.url).await.expect("connect");
    let states: Vec<(Option<String>,)> = sqlx::query_as(
        "SELECT state FROM pg_stat_activity \
         WHERE application_name = 'workshop-serve' AND datname = current_database()",
    )
    .fetch_all(&pool)
    .await
    .expect("pg_stat_activity");
    pool.close().await;
    states
        .into_iter()
        .map(|(s,)| s.unwrap_or_default())
        .collect()
}

/// The ledger keeps its own pool (no round trip when a connection goes
/// back): it must still hold to `--pool-size`, and a request abandoned while
/// a slow database keeps its transaction open must not leave that
/// transaction behind for the next request to inherit.
#[tokio::test(flavor = "multi_thread")]
async fn the_pool_keeps_its_size_and_an_abandoned_request_leaves_no_transaction_open() {
    let db = TestDb::new(Backend::Postgres).await;
    let s = Server::start_with(&db.url, &[("WORKSHOP_DB_POOL", "4")]).await;

    let statuses: Vec<u16> = futures::stream::iter(0..400)
        .map(|_| async { s.get("/api/balance").await.0 })
        .buffer_unordered(64)
        .collect()
        .await;
    assert!(statuses.iter().all(|&st| st == 200), "{statuses:?}");
    let open = ledger_sessions(&db).await;
    assert!(
        (1..=4).contains(&open.len()),
        "the ledger holds {} connections with --pool-size 4: {open:?}",
        open.len()
    );

    // A read that waits 20 s inside its transaction; the client gives up
    // after 0.5 s and the server drops the request.
    s.inject(json!({"db_slow": true, "db_slow_ms": 20_000}))
        .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let abandoned = impatient.get(format!("{}/api/balance", s.url)).send().await;
    assert!(abandoned.is_err(), "the slow read answered within 0.5 s");
    let (st, _) = s.post("/api/reset", json!({})).await;
    assert_eq!(st, 200);

    // Well before the 20 s hold would have ended on its own.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let states = ledger_sessions(&db).await;
        if !states
            .iter()
            .any(|st| st.starts_with("idle in transaction"))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a transaction of the abandoned request is still open: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for _ in 0..8 {
        let (st, body) = s.get("/api/balance").await;
        assert_eq!(st, 200, "{body}");
    }
    let open = ledger_sessions(&db).await;
    assert!(open.len() <= 4, "{open:?}");
}
