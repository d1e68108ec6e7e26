//! `workshop serve` as a process: a bad `DATABASE_URL` is named with the
//! fix, and SIGTERM lets the requests in flight finish before a clean exit.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{Backend, Server, TestDb, free_port, text, workshop};
use serde_json::json;

#[test]
fn a_bad_database_url_is_named_with_the_fix() {
    let out = workshop(&["serve", "--listen", &format!("127.0.0.1:{}", free_port())])
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
