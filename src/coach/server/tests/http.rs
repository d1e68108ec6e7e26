//! The routes, called in-process: statuses, bodies, and that a refusal
//! leaves the board byte for byte as it was.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures::StreamExt;
use tower::ServiceExt;

use super::*;
use crate::coach::server::router;
use crate::coach::wire;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn call(
    app: &Router,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn events_uri() -> String {
    format!("/class/{CODE}/events")
}

async fn board(app: &Router) -> String {
    let reply = call(
        app,
        "GET",
        &format!("/class/{CODE}/board.json"),
        &[],
        vec![],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

fn json_of(b: &Batch) -> Vec<u8> {
    serde_json::to_vec(b).expect("json")
}

#[tokio::test]
async fn a_batch_posted_is_acked_and_shown() {
    let (class, _now) = class();
    let app = router(class);
    let b = batch("Ana", "r1", t0(), latency_walk(t0(), 1));
    let reply = call(&app, "POST", &events_uri(), &[JSON], json_of(&b)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let ack: wire::Ack = serde_json::from_str(&reply.body).expect("ack");
    assert_eq!(ack.have, 16);
    let s: serde_json::Value = serde_json::from_str(&board(&app).await).expect("json");
    assert_eq!(s["students"][0]["cases"]["latency"]["phase"], "passed");
    let timeline = call(
        &app,
        "GET",
        &format!("/class/{CODE}/students/ana"),
        &[],
        vec![],
    )
    .await;
    assert_eq!(timeline.status, StatusCode::OK);
    assert!(
        timeline.body.contains(r#""kind":"case_finished""#),
        "{}",
        timeline.body
    );
    let nobody = call(
        &app,
        "GET",
        &format!("/class/{CODE}/students/Bob"),
        &[],
        vec![],
    )
    .await;
    assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    assert!(
        nobody.body.starts_with(r#"{"error":"name:"#),
        "{}",
        nobody.body
    );
}

/// One bad request: what it is, where it goes, its headers and body, and
/// the status and the start of the refusal it must get.
struct Bad<'a> {
    what: &'a str,
    uri: String,
    headers: Vec<(&'a str, &'a str)>,
    body: Vec<u8>,
    status: StatusCode,
    names: &'a str,
}

#[tokio::test]
async fn bad_input_is_refused_and_the_board_is_unchanged() {
    let (class, _now) = class();
    let app = router(class);
    let good = batch("Ana", "r1", t0(), latency_walk(t0(), 1)[..6].to_vec());
    call(&app, "POST", &events_uri(), &[JSON], json_of(&good)).await;
    let before = board(&app).await;

    let hint = |seq: u64, case: &str| (seq, t0(), CoachEvent::Hint { case: case.into() });
    let next = |events| json_of(&batch("Ana", "r1", t0(), events));
    let mut bad_name = batch("Ana", "r1", t0(), vec![hint(7, "latency")]);
    bad_name.name = "<img src=x>".into();
    let oversized = format!(
        r#"{{"name":"Ana","run":"r1","sent":"2026-12-02T10:00:00Z","events":[],"pad":"{}"}}"#,
        "x".repeat(wire::MAX_BODY)
    );
    let malformed = r#"{"name":"Ana","run":"r1","sent":"2026-12-02T10:00:00Z","events":[{"seq":7,"at":"2026-12-02T10:00:00Z","event":{"kind":"explode","case":"latency"}}]}"#;
    let auth = format!("Bearer {TOKEN}");
    let messages = format!("/class/{CODE}/messages");
    let long = format!(r#"{{"text":"{}"}}"#, "x".repeat(wire::MAX_MESSAGE + 1));
    let bad = |what, uri: &str, headers, body, status, names| Bad {
        what,
        uri: uri.to_string(),
        headers,
        body,
        status,
        names,
    };
    let all = [
        bad(
            "wrong code",
            "/class/NOPE42/events",
            vec![JSON],
            next(vec![hint(7, "latency")]),
            StatusCode::FORBIDDEN,
            "class code",
        ),
        bad(
            "oversized",
            &events_uri(),
            vec![JSON],
            oversized.into_bytes(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "body",
        ),
        bad(
            "malformed",
            &events_uri(),
            vec![JSON],
            malformed.as_bytes().to_vec(),
            StatusCode::BAD_REQUEST,
            "events[0].event",
        ),
        bad(
            "not json",
            &events_uri(),
            vec![JSON],
            b"name=Ana".to_vec(),
            StatusCode::BAD_REQUEST,
            "body",
        ),
        bad(
            "text/plain",
            &events_uri(),
            vec![("content-type", "text/plain")],
            next(vec![hint(7, "latency")]),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type",
        ),
        bad(
            "unknown case",
            &events_uri(),
            vec![JSON],
            next(vec![hint(7, "latency"), hint(8, "nope")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[1].event.case",
        ),
        bad(
            "bad name",
            &events_uri(),
            vec![JSON],
            json_of(&bad_name),
            StatusCode::UNPROCESSABLE_ENTITY,
            "name",
        ),
        bad(
            "seq down",
            &events_uri(),
            vec![JSON],
            next(vec![hint(8, "latency"), hint(7, "latency")]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "events[1].seq",
        ),
        bad(
            "no token",
            &messages,
            vec![JSON],
            br#"{"text":"hi"}"#.to_vec(),
            StatusCode::UNAUTHORIZED,
            "Authorization",
        ),
        bad(
            "bad token",
            &messages,
            vec![JSON, ("authorization", "Bearer coach-token-0123456780")],
            br#"{"text":"hi"}"#.to_vec(),
            StatusCode::UNAUTHORIZED,
            "Authorization",
        ),
        bad(
            "long message",
            &messages,
            vec![JSON, ("authorization", auth.as_str())],
            long.into_bytes(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "text",
        ),
    ];
    for b in all {
        let reply = call(&app, "POST", &b.uri, &b.headers, b.body).await;
        assert_eq!(reply.status, b.status, "{}: {}", b.what, reply.body);
        let refusal: wire::Refusal = serde_json::from_str(&reply.body).expect(b.what);
        assert!(
            refusal.error.starts_with(b.names),
            "{}: {}",
            b.what,
            refusal.error
        );
        assert_eq!(board(&app).await, before, "{} changed the board", b.what);
    }
}

#[tokio::test]
async fn a_full_class_refuses_a_new_name_only() {
    let (class, _now) = class();
    let app = router(class.clone());
    for i in 0..crate::coach::server::board::MAX_STUDENTS {
        class
            .post(&batch(&format!("s{i}"), "r1", t0(), vec![]))
            .expect("joins");
    }
    let before = board(&app).await;
    let newcomer = batch("Zoe", "r1", t0(), vec![]);
    let reply = call(&app, "POST", &events_uri(), &[JSON], json_of(&newcomer)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(board(&app).await, before);
    let known = batch("S7", "r2", t0(), vec![]);
    let reply = call(&app, "POST", &events_uri(), &[JSON], json_of(&known)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn the_coach_broadcasts_with_the_token() {
    let (class, _now) = class();
    let app = router(class);
    let auth = format!("Bearer {TOKEN}");
    let uri = format!("/class/{CODE}/messages");
    let reply = call(
        &app,
        "POST",
        &uri,
        &[JSON, ("authorization", &auth)],
        br#"{"text":"5 minutes left on case 2"}"#.to_vec(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body, r#"{"id":1}"#);
    assert!(board(&app).await.contains("5 minutes left on case 2"));
}

#[tokio::test]
async fn pages_keep_the_code_and_load_nothing_from_outside() {
    let (class, _now) = class();
    let app = router(class);
    let live = call(&app, "GET", "/livez", &[], vec![]).await;
    assert_eq!((live.status, live.body.as_str()), (StatusCode::OK, "ok"));
    let index = call(&app, "GET", "/", &[], vec![]).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(!index.body.contains(CODE));
    let wrong = call(&app, "GET", "/class/NOPE42", &[], vec![]).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(!wrong.body.contains(CODE));
    let wrong_json = call(&app, "GET", "/class/NOPE42/board.json", &[], vec![]).await;
    assert_eq!(wrong_json.status, StatusCode::FORBIDDEN);

    let page = call(&app, "GET", &format!("/class/{CODE}"), &[], vec![]).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body;
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "an external reference"
    );
    assert!(!html.contains("innerHTML"), "student data goes in as text");
    for hook in [
        r#"<table id="board">"#,
        "data-student",
        "data-case",
        "data-phase",
        "data-stuck",
        "data-stats",
        "EventSource",
        "textContent",
        "#token=",
        r#"lang="en""#,
        "--coach",
    ] {
        assert!(html.contains(hook), "the page lacks {hook}");
    }
    let tricky = crate::coach::server::page::board(Lang::En, r#"{"title":"</script><b>"}"#);
    assert!(
        tricky.contains(r#"{"title":"\u003c/script>\u003cb>"}"#),
        "the board JSON cannot end its script"
    );
    assert!(crate::coach::server::page::board(Lang::Ru, "{}").contains(r#"<html lang="ru">"#));
    let policy = page
        .headers
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
}

#[tokio::test]
async fn the_stream_sends_the_board_on_connect_and_after_a_change() {
    let (class, _now) = class();
    let app = router(class.clone());
    let request = Request::get(format!("/class/{CODE}/stream"))
        .body(Body::empty())
        .expect("request");
    let response = app.oneshot(request).await.expect("response");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("x-accel-buffering")
            .map(|v| v.as_bytes()),
        Some(&b"no"[..])
    );
    let mut body = response.into_body().into_data_stream();
    let mut next = async || {
        let chunk = tokio::time::timeout(Duration::from_secs(3), body.next())
            .await
            .expect("a board in time")
            .expect("open")
            .expect("chunk");
        String::from_utf8_lossy(&chunk).into_owned()
    };
    let first = next().await;
    assert!(first.starts_with("event: board\ndata: {"), "{first}");
    class.post(&batch("Ana", "r1", t0(), vec![])).expect("ack");
    let second = next().await;
    assert!(second.contains(r#""name":"Ana""#), "{second}");
}
