//! `workshop coach` refuses bad input over real HTTP, and the board stays as
//! it was: a wrong class code, a body too big, broken JSON, an unknown case,
//! a bad name, a retry, a broadcast without the coach's token; each
//! refusal in the API's shape, naming its field. Wrong class codes are
//! counted per source address, and past the limit refused with 429.

mod common;

use common::coach::Coach;
use serde_json::{Value, json};

const CODE: &str = "INPUT-7";
const TOKEN: &str = "the-coach-token-abcdef";

fn batch(name: &str, run: &str, events: Vec<Value>) -> Value {
    json!({"name": name, "run": run, "sent": chrono::Utc::now(), "events": events})
}

fn sent(seq: u64, event: Value) -> Value {
    json!({"seq": seq, "at": chrono::Utc::now(), "event": event})
}

/// The board without what moves with the clock alone.
async fn board(coach: &Coach) -> Value {
    let mut b = coach.board_json().await;
    b.as_object_mut().map(|o| o.remove("now"));
    for row in b["students"].as_array_mut().into_iter().flatten() {
        let o = row.as_object_mut().expect("a row is an object");
        o.remove("seen_s");
        o.remove("online");
        for cell in o
            .get_mut("cases")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|c| c.values_mut())
        {
            cell.as_object_mut().map(|c| c.remove("in_phase_s"));
        }
        o.remove("stuck");
    }
    b
}

async fn post(url: &str, body: &Value) -> (u16, Value) {
    post_raw(url, "application/json", body.to_string().into_bytes()).await
}

async fn post_raw(url: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn error_of(v: &Value) -> &str {
    v["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn bad_input_is_refused_and_the_board_does_not_change() {
    let coach = Coach::start(CODE, TOKEN).await;
    let events = format!("{}/events", coach.board);
    let started = json!({"kind": "case_started", "case": "latency"});
    let hint = json!({"kind": "hint", "case": "latency"});
    let (status, ack) = post(
        &events,
        &batch(
            "Ana",
            "run-1",
            vec![sent(1, started), sent(2, hint.clone())],
        ),
    )
    .await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack["have"], 2, "{ack}");
    let before = board(&coach).await;
    assert_eq!(before["students"][0]["name"], "Ana", "{before}");
    assert_eq!(
        before["students"][0]["cases"]["latency"]["hints"], 1,
        "{before}"
    );

    // A wrong class code.
    let wrong = events.replace(CODE, "GUESS-1");
    let (status, body) = post(&wrong, &batch("Eve", "run-9", vec![])).await;
    assert_eq!(status, 403, "{body}");
    assert!(error_of(&body).contains("class"), "{body}");
    let page = reqwest::get(coach.board.replace(CODE, "GUESS-1"))
        .await
        .expect("get");
    assert_eq!(page.status().as_u16(), 404);

    // Too big: 100 KiB of one name.
    let huge = batch(&"x".repeat(100 * 1024), "run-9", vec![]);
    let (status, _) = post(&events, &huge).await;
    assert_eq!(status, 413);

    // Not JSON, and the wrong shape: the field is named.
    let (status, body) =
        post_raw(&events, "application/json", b"{\"name\": \"Eve\",".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    let bad_kind = batch(
        "Eve",
        "run-9",
        vec![sent(1, json!({"kind": "explode", "case": "latency"}))],
    );
    let (status, body) = post(&events, &bad_kind).await;
    assert_eq!(status, 400, "{body}");
    assert!(error_of(&body).contains("events[0]"), "{body}");
    let (status, _) = post_raw(&events, "text/plain", b"hello".to_vec()).await;
    assert_eq!(status, 415);

    // An unknown case, after a good event in the same batch: none of it lands.
    let unknown = batch(
        "Eve",
        "run-9",
        vec![
            sent(1, json!({"kind": "case_started", "case": "latency"})),
            sent(2, json!({"kind": "case_started", "case": "rm-rf"})),
        ],
    );
    let (status, body) = post(&events, &unknown).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        error_of(&body).contains("rm-rf") && error_of(&body).contains("latency"),
        "{body}"
    );

    // A name with markup, and seqs that go backwards.
    let (status, body) = post(&events, &batch("<script>", "run-9", vec![])).await;
    assert_eq!(status, 422, "{body}");
    assert!(error_of(&body).starts_with("name"), "{body}");
    let backwards = batch(
        "Eve",
        "run-9",
        vec![sent(2, hint.clone()), sent(1, hint.clone())],
    );
    let (status, body) = post(&events, &backwards).await;
    assert_eq!(status, 422, "{body}");

    // A retry of what landed changes nothing either.
    let (status, ack) = post(&events, &batch("Ana", "run-1", vec![sent(2, hint.clone())])).await;
    assert_eq!((status, ack["have"].as_u64()), (200, Some(2)), "{ack}");

    // Broadcasting needs the coach's token.
    let messages = format!("{}/messages", coach.board);
    let http = reqwest::Client::new();
    for auth in [None, Some("Bearer not-the-token")] {
        let mut req = http
            .post(&messages)
            .json(&json!({"text": "5 minutes left"}));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let r = req.send().await.expect("post message");
        assert_eq!(r.status().as_u16(), 401, "{auth:?}");
    }
    let r = http
        .post(&messages)
        .bearer_auth(TOKEN)
        .json(&json!({"text": "x".repeat(201)}))
        .send()
        .await
        .expect("post message");
    assert_eq!(r.status().as_u16(), 422);

    let mut after = board(&coach).await;
    assert_eq!(after, before, "bad input changed the board");

    // The right token: every student's next answer carries the message.
    let r = http
        .post(&messages)
        .bearer_auth(TOKEN)
        .json(&json!({"text": "5 minutes left on case 1"}))
        .send()
        .await
        .expect("post message");
    assert_eq!(r.status().as_u16(), 201);
    let (status, ack) = post(&events, &batch("Ana", "run-1", vec![])).await;
    assert_eq!(status, 200);
    assert_eq!(
        ack["messages"][0]["text"], "5 minutes left on case 1",
        "{ack}"
    );
    after = board(&coach).await;
    assert_eq!(
        after["messages"][0]["text"], "5 minutes left on case 1",
        "{after}"
    );
}

#[tokio::test]
async fn a_restarted_console_stays_one_row() {
    let coach = Coach::start(CODE, TOKEN).await;
    let events = format!("{}/events", coach.board);
    let open = |case: &str| json!({"kind": "case_started", "case": case});
    let (status, _) = post(
        &events,
        &batch("Boris", "console-1", vec![sent(1, open("latency"))]),
    )
    .await;
    assert_eq!(status, 200);
    // The console restarts: a new run id, its seq from 1 again, the name
    // typed differently.
    let (status, ack) = post(
        &events,
        &batch(" boris ", "console-2", vec![sent(1, open("error-rate"))]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ack["have"], 1, "{ack}");
    let b = coach.board_json().await;
    let rows = b["students"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 1, "{b}");
    assert_eq!(rows[0]["current"], "error-rate", "{b}");
    assert_eq!(rows[0]["cases"]["latency"]["phase"], "baseline", "{b}");
}

/// The coach answers a refusal in the API's shape: `error` with the fix,
/// and `field` naming what was wrong where one field was (a JSON path, a
/// part of the route); a header or the body as a whole names none.
#[tokio::test]
async fn a_refusal_names_its_field_as_the_api_does() {
    let coach = Coach::start(CODE, TOKEN).await;
    let events = format!("{}/events", coach.board);
    let field_of = |v: &Value| v["field"].as_str().map(String::from);
    let case = |c: &str| sent(1, json!({"kind": "case_started", "case": c}));

    let wrong = events.replace(CODE, "GUESS-1");
    let (status, body) = post(&wrong, &batch("Eve", "run-9", vec![])).await;
    assert_eq!(
        (status, field_of(&body)),
        (403, Some("code".into())),
        "{body}"
    );

    let (status, body) = post(&events, &batch("<b>", "run-9", vec![])).await;
    assert_eq!(
        (status, field_of(&body)),
        (422, Some("name".into())),
        "{body}"
    );

    let (status, body) = post(&events, &batch("Eve", "run-9", vec![case("rm-rf")])).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        field_of(&body).as_deref(),
        Some("events[0].event.case"),
        "{body}"
    );
    assert!(
        error_of(&body).starts_with("events[0].event.case: "),
        "{body}"
    );

    let explode = sent(1, json!({"kind": "explode", "case": "latency"}));
    let (status, body) = post(&events, &batch("Eve", "run-9", vec![explode])).await;
    assert_eq!(status, 400, "{body}");
    let path = field_of(&body).expect("the JSON path is the field");
    assert!(path.starts_with("events[0].event"), "{body}");
    assert!(error_of(&body).starts_with(&format!("{path}: ")), "{body}");

    let (status, body) = post_raw(&events, "text/plain", b"hello".to_vec()).await;
    assert_eq!((status, field_of(&body)), (415, None), "{body}");
    let keys: Vec<&String> = body
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["error"], "no field, no key: {body}");
}

/// A client whose requests leave from `source`, one loopback address of
/// 127.0.0.0/8: two of them are two machines to the coach.
fn client_from(source: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(source))
        .build()
        .expect("client")
}

#[tokio::test]
async fn many_wrong_codes_from_one_address_get_429_and_the_right_code_still_works() {
    let coach = Coach::start(CODE, TOKEN).await;
    let guesser = client_from([127, 0, 0, 1]);
    let wrong = coach.board.replace(CODE, "GUESS-2");
    let mut statuses = Vec::new();
    let mut last = None;
    for _ in 0..12 {
        let r = guesser
            .get(format!("{wrong}/board.json"))
            .send()
            .await
            .expect("an answer");
        statuses.push(r.status().as_u16());
        last = Some(r);
    }
    assert_eq!(statuses[..10], [403; 10], "{statuses:?}");
    assert_eq!(statuses[10..], [429, 429], "{statuses:?}");
    let limited = last.expect("an answer");
    let retry: u64 = limited
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = limited.json().await.expect("a JSON refusal");
    assert_eq!(body["field"], "code", "{body}");
    assert!(error_of(&body).starts_with("class code: "), "{body}");

    // The right code from the same address is never limited.
    let (status, ack) = post(
        &format!("{}/events", coach.board),
        &batch("Ana", "run-1", vec![]),
    )
    .await;
    assert_eq!(status, 200, "{ack}");
    let right = guesser
        .get(format!("{}/board.json", coach.board))
        .send()
        .await
        .expect("an answer");
    assert_eq!(right.status().as_u16(), 200);
    // Another address has a budget of its own.
    let other = client_from([127, 0, 0, 2])
        .get(format!("{wrong}/board.json"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(other.status().as_u16(), 403);
}
