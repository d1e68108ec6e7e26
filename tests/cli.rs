//! The command line as a person uses it: `inject`, `failures`, `reset`,
//! `healthcheck`, clear errors, and a graceful stop of `serve`.

mod common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{Backend, Server, TestDb, free_port, workshop_bin};
use serde_json::json;

fn workshop(args: &[&str]) -> Output {
    Command::new(workshop_bin())
        .args(args)
        .env_remove("WORKSHOP_API_URL")
        .output()
        .expect("run workshop")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inject_failures_and_reset_print_what_changed() {
    let db = TestDb::new(Backend::Sqlite).await;
    let s = Server::start(&db.url).await;
    let api = ["--api-url", s.url.as_str()];

    let out = workshop(
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

    let out = workshop(&[&["failures"][..], &api].concat());
    assert!(
        text(&out.stdout).contains("latency_ms         2000"),
        "{}",
        text(&out.stdout)
    );

    let out = workshop(&[&["reset"][..], &api].concat());
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
    let out = workshop(&[
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

    let out = workshop(&["inject", "--api-url", &s.url]);
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
        let out = workshop(&[&cmd[..], &["--api-url", &url]].concat());
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
    let out = workshop(&["healthcheck", "--api-url", &url]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_bad_database_url_is_named_with_the_fix() {
    let out = Command::new(workshop_bin())
        .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
        .env("DATABASE_URL", "mysql://nope")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("DATABASE_URL must start with postgres://"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_in_flight_requests_finish_then_exits_cleanly() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut s = Server::start(&db.url).await;
    s.inject(json!({"latency_ms": 1000})).await;
    let url = format!("{}/api/balance", s.url);
    let http = s.http.clone();
    let in_flight =
        tokio::spawn(async move { http.get(url).send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = s.pid().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success()
    );
    let status = in_flight
        .await
        .expect("join")
        .expect("the in-flight request was cut off");
    assert_eq!(status, 200);
    let t = Instant::now();
    loop {
        if let Some(code) = s.child.try_wait().expect("wait") {
            assert!(code.success(), "exit {code:?}");
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "serve did not exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
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

    let out = Command::new(workshop_bin())
        .args(["inject", "--latency-ms", "100", "--api-url", &s.url])
        .env("WORKSHOP_ADMIN_TOKEN", "s3cret")
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, f) = s.get("/api/failures").await;
    assert_eq!(f["current_config"]["latency_ms"], 100);

    let out = Command::new(workshop_bin())
        .args(["reset", "--api-url", &s.url])
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
