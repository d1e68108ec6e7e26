//! The faults' commands as a person types them: `workshop inject`,
//! `failures` and `reset` against a real `workshop serve` (SQLite), with
//! what they print, the clear errors of a bad flag or an unreachable API,
//! and the admin token they send.

mod common;

use std::process::Output;

use common::{Backend, Server, TestDb, free_port, text, workshop};
use serde_json::json;

/// An API client command, without a `WORKSHOP_API_URL` the test's own
/// environment may hold: each test names the API it means.
fn api_client(args: &[&str]) -> Output {
    workshop(args)
        .env_remove("WORKSHOP_API_URL")
        .output()
        .expect("run workshop")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inject_failures_and_reset_print_what_changed() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let api = ["--api-url", s.url.as_str()];

    let out = api_client(
        &[
            &["inject", "--latency-ms", "2000", "--error-rate", "30"][..],
            &api,
        ]
        .concat(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("latency_ms: 0 -> 2000"), "{said}");
    assert!(said.contains("error_rate: 0.0 -> 30.0"), "{said}");

    let out = api_client(&[&["failures"][..], &api].concat());
    assert!(
        text(&out.stdout).contains("latency_ms         2000"),
        "{}",
        text(&out.stdout)
    );

    let out = api_client(&[&["reset"][..], &api].concat());
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("latency_ms: 2000 -> 0"),
        "{}",
        text(&out.stdout)
    );
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_out_of_range_flag_names_the_flag_and_changes_nothing() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let out = api_client(&[
        "inject",
        "--error-rate",
        "150",
        "--latency-ms",
        "10",
        "--api-url",
        &s.url,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("--error-rate") && err.contains("0 to 100"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 0);

    // The jitter's API field is latency_jitter_ms; the flag is --jitter-ms.
    let out = api_client(&["inject", "--jitter-ms", "99999", "--api-url", &s.url]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: --jitter-ms must be an integer from 0 to 10000, got 99999; nothing was changed\n"
    );

    let out = api_client(&["inject", "--api-url", &s.url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nothing to inject"));
}

#[test]
fn an_unreachable_api_is_a_clear_error_without_a_stack_trace() {
    let url = format!("http://127.0.0.1:{}", free_port());
    for cmd in [
        vec!["failures"],
        vec!["reset"],
        vec!["inject", "--latency-ms", "5"],
    ] {
        let out = api_client(&[&cmd[..], &["--api-url", &url]].concat());
        assert_eq!(out.status.code(), Some(1), "{cmd:?}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("cannot reach the API at {url}")),
            "{err}"
        );
        assert!(err.contains("WORKSHOP_API_URL"), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("stack backtrace"),
            "{err}"
        );
    }
    let out = api_client(&["healthcheck", "--api-url", &url]);
    assert_eq!(out.status.code(), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_admin_token_changes_need_it_and_the_cli_sends_it() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start_with(&db.url, &[("WORKSHOP_ADMIN_TOKEN", "s3cret")]).await;
    let (st, body) = s.post("/api/failures", json!({"latency_ms": 100})).await;
    assert_eq!(st, 401, "{body}");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("admin token"))
    );
    assert_eq!(s.post("/api/reset", json!({})).await.0, 401);
    let wrong = s
        .http
        .post(format!("{}/api/reset", s.url))
        .bearer_auth("guess")
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status().as_u16(), 401);
    // Reading stays open; nothing changed.
    let (st, f) = s.get("/api/failures").await;
    assert_eq!(st, 200);
    assert_eq!(f["current_config"]["latency_ms"], 0);

    let out = workshop(&["inject", "--latency-ms", "100", "--api-url", &s.url])
        .env("WORKSHOP_ADMIN_TOKEN", "s3cret")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 100);

    let out = workshop(&["reset", "--api-url", &s.url])
        .env_remove("WORKSHOP_ADMIN_TOKEN")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("admin token"),
        "{}",
        text(&out.stderr)
    );
}
