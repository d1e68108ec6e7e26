//! Each fault, made real, measured from outside over HTTP.

#[macro_use]
mod common;

use std::time::{Duration, Instant};

use common::{Backend, Server, TestDb, metric_value, rss_bytes};
use futures::StreamExt;
use serde_json::json;

async fn latency_of_300ms_puts_the_median_request_between_300_and_360ms(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    s.inject(json!({"latency_ms": 300})).await;
    let mut took: Vec<Duration> = futures::stream::iter(0..40)
        .map(|_| async {
            let t = Instant::now();
            let (st, _) = s.get("/api/balance").await;
            assert_eq!(st, 200);
            t.elapsed()
        })
        .buffer_unordered(10)
        .collect()
        .await;
    took.sort();
    let median = took[took.len() / 2];
    assert!(
        (Duration::from_millis(300)..=Duration::from_millis(360)).contains(&median),
        "median {median:?}"
    );
    // The controls are never delayed: the way out stays open.
    let t = Instant::now();
    assert_eq!(s.get("/api/failures").await.0, 200);
    assert!(
        t.elapsed() < Duration::from_millis(200),
        "{:?}",
        t.elapsed()
    );
}

async fn an_error_rate_of_30_fails_between_26_and_34_percent_of_2000_requests(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    s.inject(json!({"error_rate": 30})).await;
    let statuses: Vec<u16> = futures::stream::iter(0..2000)
        .map(|_| async { s.get("/api/balance").await.0 })
        .buffer_unordered(32)
        .collect()
        .await;
    let failed = statuses
        .iter()
        .filter(|&&st| (500..600).contains(&st))
        .count();
    let other = statuses
        .iter()
        .filter(|&&st| st != 200 && !(500..600).contains(&st))
        .count();
    assert_eq!(other, 0);
    assert!((520..=680).contains(&failed), "{failed} of 2000 failed");
    let metrics = s.metrics().await;
    assert!(
        metrics.contains(
            r#"fintech_requests_total{method="GET",endpoint="/api/balance",status="500"}"#
        ),
        "injected errors are counted by status"
    );
}

async fn a_slow_database_queues_transactions_and_the_gauge_shows_the_queue(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    s.inject(json!({"db_slow": true, "db_slow_ms": 2000})).await;
    let n = 12;
    let reads = futures::future::join_all((0..n).map(|_| s.get("/api/balance")));
    let watch = async {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let asked = Instant::now();
        (s.metrics().await, asked.elapsed())
    };
    let (replies, (scraped, took)) = tokio::join!(reads, watch);
    let active = metric_value(&scraped, "fintech_active_transactions").unwrap_or(f64::NAN);
    assert!(
        active >= f64::from(n - 1),
        "active transactions {active} with {n} waiting"
    );
    // The scrape's ping of the database does not wait in the queue, and a
    // queue is not an outage: the database still counts as reachable.
    assert!(
        took < Duration::from_millis(1800),
        "the scrape took {took:?}"
    );
    assert_eq!(
        metric_value(&scraped, "fintech_database_up"),
        Some(1.0),
        "{scraped}"
    );
    assert!(replies.iter().all(|(st, _)| *st == 200));
    assert_eq!(s.metric("fintech_active_transactions").await, 0.0);
}

/// Readiness says what the ledger paths meet: with the database gone by
/// injection, `/readyz` and `fintech_database_up` say so as `/health` does,
/// while `/livez` (the process runs) stays 200.
async fn a_database_failure_fails_the_db_paths_health_and_readiness_but_not_liveness(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    s.inject(json!({"db_fail": true})).await;
    let (st, body) = s.get("/api/balance").await;
    assert!((500..600).contains(&st), "{st} {body}");
    assert!(body["error"].is_string());
    let (st, t) = s
        .post(
            "/api/transfer",
            json!({"amount": 1, "to_account": "ACC-002"}),
        )
        .await;
    assert!((500..600).contains(&st), "{st} {t}");
    let (st, h) = s.get("/health").await;
    assert_eq!(st, 503);
    assert_eq!(h["status"], "unhealthy");
    let (st, r) = s.get("/readyz").await;
    assert_eq!(st, 503, "ready while every ledger request fails: {r}");
    assert_eq!(r["status"], "database unreachable");
    assert_eq!(s.metric("fintech_database_up").await, 0.0);
    assert_eq!(s.get("/livez").await.0, 200);
    s.post("/api/reset", json!({})).await;
    assert_eq!(s.get("/health").await.0, 200);
    assert_eq!(s.get("/readyz").await.0, 200);
    assert_eq!(s.metric("fintech_database_up").await, 1.0);
}

async fn a_memory_leak_grows_resident_memory_and_reset_frees_it(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    let before = rss_bytes(s.pid());
    s.inject(json!({"memory_leak_mb": 20})).await;
    for _ in 0..5 {
        assert_eq!(s.get("/api/balance").await.0, 200);
    }
    let leaked = s.metric("fintech_leaked_bytes").await;
    assert_eq!(leaked, 100.0 * 1024.0 * 1024.0);
    let grown = rss_bytes(s.pid()).saturating_sub(before) as f64;
    assert!(
        (0.8 * leaked..1.3 * leaked).contains(&grown),
        "resident memory grew {grown} for {leaked} leaked"
    );
    let (st, _) = s.post("/api/reset", json!({})).await;
    assert_eq!(st, 200);
    assert_eq!(s.metric("fintech_leaked_bytes").await, 0.0);
    let after = rss_bytes(s.pid());
    assert!(
        after < before + 30 * 1024 * 1024,
        "reset kept {after} bytes resident"
    );
}

async fn duration_s_reverts_an_injection_by_itself(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    s.inject(json!({"error_rate": 100, "duration_s": 1})).await;
    assert_eq!(s.get("/api/balance").await.0, 500);
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(s.get("/api/balance").await.0, 200);
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["error_rate"], 0.0);
}

/// A fault is a property of the running code: a restarted serve (after a
/// crash, an OOM kill) still has it and still applies it, until a reset;
/// `--fresh-faults` is the start that clears it.
async fn a_fault_survives_a_restart_of_serve_until_a_reset(backend: Backend) {
    let db = TestDb::new(backend).await;
    let first = Server::start(&db.url).await;
    first
        .inject(json!({"latency_ms": 300, "memory_leak_mb": 1}))
        .await;
    drop(first); // killed, as by the kernel

    let again = Server::start(&db.url).await;
    let (_, f) = again.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 300, "{f}");
    assert_eq!(f["current_config"]["memory_leak_mb"], 1, "{f}");
    let t = Instant::now();
    let (st, _) = again.get("/api/balance").await;
    assert_eq!(st, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    let (st, _) = again.get("/livez").await;
    assert_eq!(st, 200, "liveness is never injected");
    drop(again);

    let fresh = Server::start_with(&db.url, &[("WORKSHOP_FRESH_FAULTS", "true")]).await;
    let (_, f) = fresh.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 0, "{f}");
    fresh.inject(json!({"error_rate": 50})).await;
    let (st, _) = fresh.post("/api/reset", json!({})).await;
    assert_eq!(st, 200);
    drop(fresh);

    let after_reset = Server::start(&db.url).await;
    let (_, f) = after_reset.get("/api/failures").await;
    assert_eq!(
        f["current_config"]["error_rate"].as_f64(),
        Some(0.0),
        "a reset is kept too: {f}"
    );
}

both_backends!(
    latency_of_300ms_puts_the_median_request_between_300_and_360ms,
    an_error_rate_of_30_fails_between_26_and_34_percent_of_2000_requests,
    a_slow_database_queues_transactions_and_the_gauge_shows_the_queue,
    a_database_failure_fails_the_db_paths_health_and_readiness_but_not_liveness,
    a_memory_leak_grows_resident_memory_and_reset_frees_it,
    duration_s_reverts_an_injection_by_itself,
    a_fault_survives_a_restart_of_serve_until_a_reset,
);

/// Two replicas on one PostgreSQL share the fault state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_set_on_one_replica_is_seen_by_another_within_a_second() {
    let db = TestDb::new(Backend::Postgres).await;
    let a = Server::start(&db.url).await;
    let b = Server::start(&db.url).await;
    for round in 0..3 {
        let latency = 100 + round;
        let t = Instant::now();
        a.inject(json!({"latency_ms": latency})).await;
        loop {
            let (_, f) = b.get("/api/failures").await;
            if f["current_config"]["latency_ms"] == latency {
                break;
            }
            assert!(
                t.elapsed() < Duration::from_secs(1),
                "replica b lagged past 1 s"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // A reset through b frees a's leak too.
    a.inject(json!({"memory_leak_mb": 8, "latency_ms": 0}))
        .await;
    assert_eq!(a.get("/api/balance").await.0, 200);
    assert!(a.metric("fintech_leaked_bytes").await > 0.0);
    b.post("/api/reset", json!({})).await;
    let t = Instant::now();
    while a.metric("fintech_leaked_bytes").await > 0.0 {
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "reset did not reach replica a"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
