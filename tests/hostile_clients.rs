//! Careless and hostile clients on real sockets, against both servers
//! (`workshop serve` and `workshop coach`), each as a tester would attack
//! them on loopback: a thousand idle sockets under Linux's default
//! open-file limit, a header trickled a byte every two seconds, a request
//! half sent at SIGTERM, a NUL in an account number, amounts whose decimals
//! a float would lose, a web page's cross-origin POST, and the headers on
//! every answer. Each test failed before the servers shared `serving`.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::coach::Coach;
use common::{Backend, Serve, Server, TestDb, raise_own_open_files};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const CODE: &str = "HOSTILE";
const TOKEN: &str = "0123456789abcdef0123";

/// Linux's default open-file limit.
const LINUX_DEFAULT_FILES: u64 = 1024;

fn addr_of(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .expect("an http://IP:PORT URL")
}

/// A client with no pool: every request on a connection of its own, as a
/// newcomer's browser would open one.
fn newcomer() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(3))
        .build()
        .expect("client")
}

async fn serve_limited(log: &std::path::Path) -> (TestDb, Server) {
    let db = TestDb::new(Backend::Sqlite).await;
    let file = std::fs::File::create(log).expect("log file");
    let server = Serve::on(&db.url)
        .open_files(LINUX_DEFAULT_FILES)
        .stderr(file)
        .start()
        .await;
    (db, server)
}

/// Opens `n` connections to `addr` and sends nothing on them.
async fn idle_sockets(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut held = Vec::with_capacity(n);
    for _ in 0..n {
        held.push(TcpStream::connect(addr).await.expect("connect"));
    }
    held
}

/// What 1,100 idle sockets do to a server under 1,024 open files: a
/// newcomer is served at once (an idle socket makes room for it), again and
/// again, and once the header timeout closes the idle ones, the room is
/// back; the log never fills with failed accepts.
async fn survives_idle_sockets(url: &str, log: &std::path::Path) {
    assert!(
        raise_own_open_files() > 1500,
        "this test holds 1,100 sockets"
    );
    let held = idle_sockets(addr_of(url), 1100).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    for _ in 0..20 {
        let asked = Instant::now();
        let answer = newcomer().get(format!("{url}/livez")).send().await;
        let status = answer.map(|r| r.status().as_u16());
        assert!(
            matches!(status, Ok(200)),
            "a newcomer with 1,100 idle sockets open got {status:?} after {:?}",
            asked.elapsed()
        );
    }
    // The header timeout (10 s) hands the idle sockets' room back.
    let deadline = Instant::now() + Duration::from_secs(25);
    loop {
        let served = newcomer().get(format!("{url}/livez")).send().await;
        if served.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "idle sockets still lock newcomers out after 25 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    drop(held);
    let logged = std::fs::read_to_string(log).unwrap_or_default();
    assert!(
        !logged.contains("Too many open files"),
        "the server ran out of files: {}",
        logged.lines().take(5).collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_sockets_do_not_lock_students_out_of_the_api() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("serve.log");
    let (_db, server) = serve_limited(&log).await;
    survives_idle_sockets(&server.url, &log).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_idle_sockets_do_not_lock_the_class_out_of_the_board() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("coach.log");
    let file = std::fs::File::create(&log).expect("log file");
    let coach = Coach::start_limited(CODE, TOKEN, LINUX_DEFAULT_FILES, file).await;
    survives_idle_sockets(&format!("http://127.0.0.1:{}", coach.port), &log).await;
}

/// Sends a request's head one byte every two seconds; answers how long the
/// server kept the connection open (`None`: it still read after 40 s).
async fn trickle(addr: SocketAddr) -> Option<Duration> {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "GET /livez HTTP/1.1\r\nHost: {addr}\r\nX-Slow: {}\r\n\r\n",
        "a".repeat(40)
    );
    let started = Instant::now();
    let mut buf = [0u8; 256];
    for byte in head.bytes() {
        if stream.write_all(&[byte]).await.is_err() {
            return Some(started.elapsed());
        }
        match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => {} // an answer (408) before the close
            Err(_) => {}    // still open: the next byte
        }
        if started.elapsed() > Duration::from_secs(40) {
            return None;
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_header_is_cut_off_by_both_servers() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db.url).await;
    let coach = Coach::start(CODE, TOKEN).await;
    let coach_addr: SocketAddr = format!("127.0.0.1:{}", coach.port).parse().expect("addr");
    let (api, board) = tokio::join!(trickle(addr_of(&server.url)), trickle(coach_addr));
    for (who, held) in [("the API", api), ("the board", board)] {
        let held = held.unwrap_or_else(|| panic!("{who} read a trickled header for 40 s"));
        assert!(
            held < Duration::from_secs(15),
            "{who} held a trickled header for {held:?}"
        );
    }
}

/// Sends the head of a POST and a part of its body, then SIGTERMs `pid`
/// (twice when `twice`); answers how long the process took to exit, and
/// its exit status.
async fn stop_with_a_half_sent_request(
    child: &mut std::process::Child,
    addr: SocketAddr,
    path: &str,
    twice: bool,
) -> (Duration, std::process::ExitStatus) {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{{\"amount\":"
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("half a request");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = i32::try_from(child.id()).expect("pid");
    let started = Instant::now();
    // SAFETY: kill(2) on our own running child.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    if twice {
        tokio::time::sleep(Duration::from_millis(500)).await;
        // SAFETY: as above; the first signal only started the drain.
        unsafe { libc::kill(pid, libc::SIGTERM) };
    }
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return (started.elapsed(), status);
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM with a half-sent request open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_holds_a_stopping_server_for_the_drain_deadline_at_most() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut server = Server::start(&db.url).await;
    let addr = addr_of(&server.url);
    let (took, status) =
        stop_with_a_half_sent_request(&mut server.child, addr, "/api/transfer", false).await;
    assert!(
        took < Duration::from_secs(13),
        "serve took {took:?} to stop"
    );
    assert!(status.success(), "{status:?}");

    let mut coach = Coach::start(CODE, TOKEN).await;
    let addr: SocketAddr = format!("127.0.0.1:{}", coach.port).parse().expect("addr");
    let path = format!("/class/{CODE}/events");
    let (took, _) = stop_with_a_half_sent_request(&mut coach.child, addr, &path, false).await;
    assert!(
        took < Duration::from_secs(13),
        "coach took {took:?} to stop"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_stops_at_once() {
    let db = TestDb::new(Backend::Sqlite).await;
    let mut server = Server::start(&db.url).await;
    let addr = addr_of(&server.url);
    let (took, status) =
        stop_with_a_half_sent_request(&mut server.child, addr, "/api/transfer", true).await;
    assert!(
        took < Duration::from_secs(3),
        "serve took {took:?} after two signals"
    );
    assert_eq!(status.code(), Some(130), "{status:?}");

    let mut coach = Coach::start(CODE, TOKEN).await;
    let addr: SocketAddr = format!("127.0.0.1:{}", coach.port).parse().expect("addr");
    let path = format!("/class/{CODE}/events");
    let (took, status) = stop_with_a_half_sent_request(&mut coach.child, addr, &path, true).await;
    assert!(
        took < Duration::from_secs(3),
        "coach took {took:?} after two signals"
    );
    assert_eq!(status.code(), Some(130), "{status:?}");
}

/// The 5xx answers the API counted, from its own metrics.
async fn server_errors(server: &Server) -> f64 {
    server
        .metrics()
        .await
        .lines()
        .filter(|l| l.starts_with("fintech_requests_total{") && l.contains("status=\"5"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_in_an_account_number_is_the_clients_mistake_not_a_database_outage() {
    let db = TestDb::new(Backend::Postgres).await;
    let server = Server::start(&db.url).await;
    let (status, body) = server
        .post(
            "/api/transfer",
            json!({"to_account": "ACC-002\u{0}", "amount": 1}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "to_account", "{body}");
    let (status, body) = server.get("/api/accounts/ACC%00").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["field"], "number", "{body}");
    assert_eq!(
        server_errors(&server).await,
        0.0,
        "counted as the server's failure"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amounts_are_read_exactly_and_more_than_two_decimals_are_refused() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db.url).await;
    let (_, before) = server.get("/api/balance").await;
    for amount in [
        "1.0000000000000001",
        "0.009999999999999999999",
        "9999.999999999999999999",
    ] {
        let body = format!(r#"{{"to_account": "ACC-002", "amount": {amount}}}"#);
        let (status, reply) = server
            .post_raw("/api/transfer", "application/json", body.into_bytes())
            .await;
        assert_eq!(status, 422, "{amount}: {reply}");
        assert_eq!(reply["field"], "amount", "{amount}: {reply}");
        let error = reply["error"].as_str().unwrap_or_default();
        assert!(error.contains("2 decimal places"), "{amount}: {error}");
        assert!(
            error.contains(amount),
            "the refusal shows the amount sent: {error}"
        );
    }
    let (_, after) = server.get("/api/balance").await;
    assert_eq!(before["balance"], after["balance"], "no money moved");
}

async fn post_from(url: &str, headers: &[(&str, &str)], body: &str) -> (u16, Value) {
    let mut request = newcomer().post(url).body(body.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let r = request.send().await.expect("answer");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_page_of_another_site_cannot_reset_the_faults_or_post_to_the_board() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db.url).await;
    server.inject(json!({"latency_ms": 300})).await;
    // What a page's fetch(…, {mode: "no-cors"}) or a form sends.
    let page = [
        ("origin", "http://evil.test"),
        ("content-type", "text/plain"),
    ];
    let reset = format!("{}/api/reset", server.url);
    let (status, body) = post_from(&reset, &page, "").await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["field"], "Origin", "{body}");
    let fetch = [
        ("sec-fetch-site", "cross-site"),
        ("content-type", "application/json"),
    ];
    let failures = format!("{}/api/failures", server.url);
    let (status, _) = post_from(&failures, &fetch, r#"{"latency_ms": 0}"#).await;
    assert_eq!(status, 403);
    let (_, faults) = server.get("/api/failures").await;
    assert_eq!(
        faults["current_config"]["latency_ms"], 300,
        "the faults changed: {faults}"
    );
    // curl and the console (no Origin) still reset.
    let (status, _) = post_from(&reset, &[], "").await;
    assert_eq!(status, 200);

    let coach = Coach::start(CODE, TOKEN).await;
    let messages = format!("{}/messages", coach.board);
    let bearer = format!("Bearer {TOKEN}");
    let forged = [
        ("origin", "http://evil.test"),
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
    ];
    let (status, body) = post_from(&messages, &forged, r#"{"text": "hi"}"#).await;
    assert_eq!(status, 403, "{body}");
}

async fn assert_guarded(client: &reqwest::Client, url: &str) {
    let r = client.get(url).send().await.expect("answer");
    let headers = r.headers();
    assert_eq!(
        headers.get("x-content-type-options").map(|v| v.as_bytes()),
        Some(&b"nosniff"[..]),
        "{url}: {headers:?}"
    );
    let csp = headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(csp.contains("default-src 'none'"), "{url}: {csp:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_of_both_servers_says_nosniff_and_its_policy() {
    let db = TestDb::new(Backend::Sqlite).await;
    let server = Server::start(&db.url).await;
    let coach = Coach::start(CODE, TOKEN).await;
    let client = newcomer();
    for path in [
        "/",
        "/nope",
        "/api/balance",
        "/api/accounts/ACC-404",
        "/metrics",
        "/livez",
    ] {
        assert_guarded(&client, &format!("{}{path}", server.url)).await;
    }
    let base = format!("http://127.0.0.1:{}", coach.port);
    for path in ["/".to_string(), "/nope".into(), "/class/WRONG".into()] {
        assert_guarded(&client, &format!("{base}{path}")).await;
    }
    for path in ["", "/board.json"] {
        assert_guarded(&client, &format!("{}{path}", coach.board)).await;
    }
}
