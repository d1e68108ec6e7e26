//! The load generator against a real `workshop serve`: it keeps its
//! schedule, and it reports slowness instead of hiding it.

mod common;

use std::time::Duration;

use common::{Backend, Server, TestDb};
use serde_json::json;
use workshop::loadgen::{self, LoadPlan, Mix};

fn plan(s: &Server, rps: f64, secs: u64, mix: &str) -> LoadPlan {
    LoadPlan {
        api_url: s.url.clone(),
        rps,
        duration: Some(Duration::from_secs(secs)),
        mix: mix.parse().expect("mix"),
        timeout: Duration::from_secs(60),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_holds_500_requests_per_second_within_2_percent_for_30_seconds() {
    let db = TestDb::new(Backend::Postgres).await;
    let s = Server::start(&db.url).await;
    let report = loadgen::start(plan(&s, 500.0, 30, "balance=3,transfer=1,health=1"))
        .finished()
        .await;
    let achieved = report.achieved_rps();
    assert!(
        (490.0..=510.0).contains(&achieved),
        "achieved {achieved:.1}/s of 500"
    );
    assert_eq!(report.total.server_errors + report.total.no_answer, 0);
    // Transfers of a few cents in both directions never drain an account.
    assert_eq!(report.total.client_errors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_200ms_injected_the_reported_median_is_between_200_and_230ms() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    s.inject(json!({"latency_ms": 200})).await;
    let report = loadgen::start(plan(&s, 50.0, 5, "balance=1,health=1"))
        .finished()
        .await;
    let p50 = report.total.quantile(0.5);
    assert!(
        (Duration::from_millis(200)..=Duration::from_millis(230)).contains(&p50),
        "p50 {p50:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offered_more_than_a_slow_database_can_take_latency_grows_with_the_backlog() {
    let db = TestDb::new(Backend::Postgres).await;
    let s = Server::start_with(&db.url, &[("WORKSHOP_DB_POOL", "2")]).await;
    // Two connections held 200 ms each: at most 10 balance reads per second.
    s.inject(json!({"db_slow": true, "db_slow_ms": 200})).await;
    let handle = loadgen::start(plan(&s, 30.0, 6, "balance=1"));
    let report = handle.finished().await;
    let p95 = report.total.quantile(0.95);
    // A closed loop would report ~200 ms; the backlog makes the truth seconds.
    assert!(
        p95 > Duration::from_secs(3),
        "p95 {p95:?} hides the backlog"
    );
    assert!(
        report.total.ok >= 170,
        "every request is still answered: {}",
        report.total.ok
    );
}

#[test]
fn the_mix_names_a_typo_and_the_accepted_names() {
    let err = "balance=3,trasnfer=1".parse::<Mix>().unwrap_err();
    assert!(
        err.contains("trasnfer") && err.contains("transfer"),
        "{err}"
    );
}

/// Balance requests the server has counted so far.
async fn balance_requests(s: &Server) -> f64 {
    s.metrics()
        .await
        .lines()
        .filter(|l| l.starts_with("fintech_requests_total{") && l.contains("\"/api/balance\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_handle_stops_the_load() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let handle = loadgen::start(plan(&s, 50.0, 600, "balance=1"));
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(balance_requests(&s).await > 20.0, "the load runs");
    drop(handle);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after_drop = balance_requests(&s).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let later = balance_requests(&s).await;
    assert_eq!(
        later, after_drop,
        "requests kept coming after the handle was dropped"
    );
}

/// The original workshop's API has `/health` and no `/livez`: `workshop
/// load` still drives it (a small axum server of that shape stands in).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_drives_an_api_without_livez_through_its_health() {
    use axum::routing::get;
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = hits.clone();
    let app = axum::Router::new()
        .route(
            "/health",
            get(|| async { axum::Json(serde_json::json!({"status": "healthy"})) }),
        )
        .route(
            "/api/balance",
            get(move || {
                counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                async { axum::Json(serde_json::json!({"account": "ACC-001", "balance": 10000.0})) }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let out = tokio::process::Command::from(common::workshop(&[
        "load",
        "--api-url",
        &url,
        "--rps",
        "20",
        "--duration",
        "2s",
        "--mix",
        "balance=1",
    ]))
    .output()
    .await
    .expect("workshop load");
    assert!(out.status.success(), "{}", common::text(&out.stderr));
    assert!(
        hits.load(std::sync::atomic::Ordering::Relaxed) >= 30,
        "the load reached the API"
    );
}
