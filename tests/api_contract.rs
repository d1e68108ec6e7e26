//! Every endpoint answers with the contract's status and JSON shape, and bad
//! input is refused with a message naming the field, changing nothing. An
//! injected failure answers in the original workshop's words, plus our
//! `fault` field.

#[macro_use]
mod common;

use common::{Backend, Server, TestDb};
use serde_json::json;

async fn every_endpoint_answers_with_the_contract_shape(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;

    let (st, idx) = s.get("/").await;
    assert_eq!(st, 200);
    assert_eq!(idx["service"], "fintech-api");
    assert!(idx["version"].is_string());
    assert!(
        idx["endpoints"].as_array().is_some_and(|e| e.len() >= 10),
        "{idx}"
    );

    let (st, h) = s.get("/health").await;
    assert_eq!(st, 200);
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["database"], "connected");
    assert!(h["timestamp"].is_string());

    assert_eq!(s.get("/livez").await.0, 200);
    assert_eq!(s.get("/readyz").await.0, 200);

    let (st, b) = s.get("/api/balance").await;
    assert_eq!(st, 200);
    assert_eq!(b["account"], "ACC-001");
    assert!(
        b["balance"].is_number(),
        "balance must be a JSON number: {b}"
    );
    assert_eq!(b["balance"].as_f64(), Some(10000.0));
    assert_eq!(b["currency"], "USD");

    let (st, list) = s.get("/api/accounts").await;
    assert_eq!(st, 200);
    assert_eq!(list["accounts"].as_array().map(Vec::len), Some(10));
    let (st, one) = s.get("/api/accounts/ACC-002").await;
    assert_eq!(st, 200);
    assert_eq!(one["account"], "ACC-002");
    assert_eq!(s.get("/api/accounts/ACC-999").await.0, 404);

    let (st, t) = s
        .post(
            "/api/transfer",
            json!({"amount": 10, "to_account": "ACC-002"}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["status"], "completed");
    assert!(t["transaction_id"].is_string());
    assert!(t["amount"].is_number());
    assert_eq!(t["to_account"], "ACC-002");
    assert!(t["timestamp"].is_string());

    let (st, bulk) = s.post("/api/balance-bulk", json!({"count": 5})).await;
    assert_eq!(st, 200, "{bulk}");
    assert_eq!(bulk["succeeded"], 5);
    // JSON Schema's `integer` includes 688.0: so does the API.
    let (st, bulk) = s.post("/api/balance-bulk", json!({"count": 7.0})).await;
    assert_eq!(st, 200, "{bulk}");
    assert_eq!(bulk["count"], 7);

    let (st, f) = s.get("/api/failures").await;
    assert_eq!(st, 200);
    assert_eq!(f["current_config"]["latency_ms"], 0);
    assert_eq!(f["current_config"]["error_rate"], 0.0);
    assert_eq!(f["current_config"]["db_slow"], false);

    let (st, u) = s.post("/api/failures", json!({"latency_ms": 5})).await;
    assert_eq!(st, 200);
    assert_eq!(u["status"], "updated");
    assert_eq!(u["config"]["latency_ms"], 5);
    let (st, u) = s
        .post("/api/failures", json!({"latency_jitter_ms": 241.0}))
        .await;
    assert_eq!(st, 200, "{u}");
    assert_eq!(u["config"]["latency_jitter_ms"], 241);

    let (st, r) = s.post("/api/reset", json!({})).await;
    assert_eq!(st, 200);
    assert_eq!(r["status"], "reset complete");

    let metrics = s.metrics().await;
    for name in [
        "fintech_requests_total{",
        "fintech_request_latency_seconds_bucket{",
        "fintech_active_transactions ",
        "fintech_failure_latency_ms ",
        "fintech_leaked_bytes ",
        "process_resident_memory_bytes ",
        "fintech_memory_used_bytes ",
        "fintech_memory_limit_bytes ",
        "fintech_db_pool_connections{",
        "fintech_database_up 1",
        "fintech_transfers_total{",
    ] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    assert!(
        metrics.contains(r#"le="30.0""#),
        "latency buckets must reach 30 s"
    );

    let (st, doc) = s.get("/api/openapi.json").await;
    assert_eq!(st, 200);
    assert!(doc["paths"]["/api/transfer"]["post"].is_object(), "{doc}");
}

/// Sends a bad request, checks its status and the named field, and checks
/// that neither faults nor balances moved.
async fn refused(s: &Server, path: &str, ct: &str, body: &[u8], status: u16, field: Option<&str>) {
    let before = s.balances().await;
    let (st, reply) = s.post_raw(path, ct, body.to_vec()).await;
    assert_eq!(
        st,
        status,
        "{path} {:?} -> {reply}",
        String::from_utf8_lossy(body)
    );
    assert!(
        reply["error"].is_string(),
        "error body must be JSON: {reply}"
    );
    if let Some(f) = field {
        assert_eq!(reply["field"], f, "{reply}");
    }
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(
        f["current_config"]["latency_ms"], 0,
        "faults changed by a refused request"
    );
    assert_eq!(f["current_config"]["error_rate"], 0.0);
    assert_eq!(
        s.balances().await,
        before,
        "ledger changed by a refused request"
    );
}

async fn bad_input_is_refused_with_its_status_and_changes_nothing(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    let (f, t, bulk) = ("/api/failures", "/api/transfer", "/api/balance-bulk");
    let huge = format!(r#"{{"latency_ms":5,"pad":"{}"}}"#, "x".repeat(100_000));
    // (path, content type, body, status, field named in the reply)
    type BadInput<'a> = (&'a str, &'a str, &'a [u8], u16, Option<&'a str>);
    let cases: Vec<BadInput> = vec![
        (f, "application/json", b"{not json", 400, None),
        (f, "text/plain", br#"{"latency_ms":5}"#, 415, None),
        (
            f,
            "application/json",
            br#"{"latency_ms":"slow"}"#,
            422,
            Some("latency_ms"),
        ),
        (
            f,
            "application/json",
            br#"{"latency":5}"#,
            422,
            Some("latency"),
        ),
        (
            f,
            "application/json",
            br#"{"latency_ms":5,"error_rate":101}"#,
            422,
            Some("error_rate"),
        ),
        (
            f,
            "application/json",
            br#"{"latency_ms":-1}"#,
            422,
            Some("latency_ms"),
        ),
        (
            f,
            "application/json",
            br#"{"memory_leak_mb":101}"#,
            422,
            Some("memory_leak_mb"),
        ),
        (f, "application/json", b"[1,2]", 422, None),
        (f, "application/json", huge.as_bytes(), 413, None),
        (
            t,
            "application/json",
            br#"{"amount":0,"to_account":"ACC-002"}"#,
            422,
            Some("amount"),
        ),
        (
            t,
            "application/json",
            br#"{"amount":-5,"to_account":"ACC-002"}"#,
            422,
            Some("amount"),
        ),
        (
            t,
            "application/json",
            br#"{"amount":0.001,"to_account":"ACC-002"}"#,
            422,
            Some("amount"),
        ),
        (
            t,
            "application/json",
            br#"{"amount":"10.50","to_account":"ACC-002"}"#,
            422,
            Some("amount"),
        ),
        // Well formed, refused by the ledger's state: 409, never 422.
        (
            t,
            "application/json",
            br#"{"amount":20000,"to_account":"ACC-002"}"#,
            409,
            Some("amount"),
        ),
        (
            t,
            "application/json",
            br#"{"amount":5,"to_account":"ACC-404"}"#,
            404,
            None,
        ),
        (
            t,
            "application/json",
            br#"{"amount":5,"to_account":"ACC-001"}"#,
            422,
            Some("to_account"),
        ),
        (t, "application/json", br#"{"amount":5}"#, 422, None),
        (
            t,
            "application/json",
            br#"{"amount":5,"to_account":"ACC-002","memo":1}"#,
            422,
            Some("memo"),
        ),
        (
            bulk,
            "application/json",
            br#"{"count":0}"#,
            422,
            Some("count"),
        ),
        (
            bulk,
            "application/json",
            br#"{"count":1.5}"#,
            422,
            Some("count"),
        ),
        (
            f,
            "application/json",
            br#"{"latency_jitter_ms":241.5}"#,
            422,
            Some("latency_jitter_ms"),
        ),
        (
            bulk,
            "application/json",
            br#"{"count":100000}"#,
            422,
            Some("count"),
        ),
    ];
    for (path, content_type, body, status, field) in cases {
        refused(&s, path, content_type, body, status, field).await;
    }
}

/// The original answered an injected failure with its own words; its curl
/// scripts and checkers read them. Ours keeps them and adds `fault`.
async fn injected_failures_answer_in_the_original_workshops_words(backend: Backend) {
    let db = TestDb::new(backend).await;
    let s = Server::start(&db.url).await;
    let before = s.balances().await;
    s.inject(json!({"error_rate": 100})).await;

    let (st, health) = s.get("/health").await;
    assert_eq!(st, 500, "{health}");
    assert_eq!(
        health,
        json!({"status": "error", "error": "Simulated random failure", "fault": "injected failure"})
    );

    let (st, transfer) = s
        .post(
            "/api/transfer",
            json!({"amount": 10, "to_account": "ACC-002"}),
        )
        .await;
    assert_eq!(st, 500, "{transfer}");
    assert_eq!(
        transfer,
        json!({"error": "Transfer failed", "details": "Simulated random failure", "fault": "injected failure"})
    );

    let (st, balance) = s.get("/api/balance").await;
    assert_eq!(st, 500, "{balance}");
    assert_eq!(
        balance,
        json!({"error": "Simulated random failure", "fault": "injected failure"})
    );

    s.inject(json!({"error_status": 503})).await;
    let (st, health) = s.get("/health").await;
    assert_eq!(st, 503, "the injected status is the configured one");
    assert_eq!(health["status"], "error");

    let (st, _) = s.post("/api/reset", json!({})).await;
    assert_eq!(st, 200);
    assert_eq!(
        s.balances().await,
        before,
        "an injected failure moved money"
    );

    // The document says so: the fields, and /health's two kinds of failure.
    let (_, doc) = s.get("/api/openapi.json").await;
    let error_body = &doc["components"]["schemas"]["ErrorBody"]["properties"];
    for field in ["error", "details", "status", "fault"] {
        assert!(
            error_body[field].is_object(),
            "ErrorBody lacks {field}: {error_body}"
        );
    }
    let health_5xx = &doc["paths"]["/health"]["get"]["responses"]["5XX"];
    assert!(
        health_5xx["description"]
            .as_str()
            .is_some_and(|d| d.contains("Simulated random failure")),
        "{health_5xx}"
    );
    let one_of = doc["components"]["schemas"]["HealthFailure"]["oneOf"].to_string();
    assert!(
        one_of.contains("HealthReply") && one_of.contains("ErrorBody"),
        "{one_of}"
    );
    let transfer_5xx = doc["paths"]["/api/transfer"]["post"]["responses"]["5XX"]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(transfer_5xx.contains("Transfer failed"), "{transfer_5xx}");
}

both_backends!(
    every_endpoint_answers_with_the_contract_shape,
    bad_input_is_refused_with_its_status_and_changes_nothing,
    injected_failures_answer_in_the_original_workshops_words,
);

/// The index lists the routes from the OpenAPI document; each is served
/// (no 404, no 405), and the document lists every path the index does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_the_index_lists_is_documented_and_served() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let (_, idx) = s.get("/").await;
    let (_, doc) = s.get("/api/openapi.json").await;
    let listed: Vec<String> = idx["endpoints"]
        .as_array()
        .expect("endpoints")
        .iter()
        .filter_map(|e| e.as_str().map(String::from))
        .collect();
    let documented: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(listed.len(), documented, "{listed:?}");
    assert_eq!(listed.len(), 14, "{listed:?}");
    for route in &listed {
        let (method, path) = route.split_once(' ').expect("METHOD /path");
        let url = format!("{}{}", s.url, path.replace("{number}", "ACC-001"));
        let resp = match method {
            "GET" => s.http.get(&url),
            "POST" => s
                .http
                .post(&url)
                .header("content-type", "application/json")
                .body("{}"),
            other => panic!("a method the API does not use: {other}"),
        }
        .send()
        .await
        .expect("an answer");
        let st = resp.status().as_u16();
        assert!(st != 404 && st != 405, "{route} answered {st}");
        let doc_path = &doc["paths"][path][method.to_lowercase()];
        assert!(doc_path.is_object(), "{route} is documented");
    }
}
