//! The server on a real socket: a board watched over a stream still stops
//! at once when the shutdown token is cancelled.

use std::time::Duration;

use super::*;
use crate::coach::server::serve;

#[tokio::test]
async fn an_open_stream_does_not_hold_up_the_shutdown() {
    let (class, _now) = class();
    let stop = class.stop.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(serve(
        listener,
        class,
        format!("http://{addr}"),
        stop.clone(),
    ));
    let client = reqwest::Client::new();
    let mut stream = client
        .get(format!("http://{addr}/class/{CODE}/stream"))
        .send()
        .await
        .expect("the stream answers");
    assert_eq!(stream.status(), reqwest::StatusCode::OK);
    let first = stream.chunk().await.expect("read").expect("a board");
    assert!(first.starts_with(b"event: board\n"));

    let posted = client
        .post(format!("http://{addr}/class/{CODE}/events"))
        .json(&batch("Ana", "r1", t0(), latency_walk(t0(), 1)))
        .send()
        .await
        .expect("posted");
    assert_eq!(posted.status(), reqwest::StatusCode::OK);
    let ack: crate::coach::wire::Ack = posted.json().await.expect("an ack");
    assert_eq!(ack.have, 16);

    stop.cancel();
    let stopped = tokio::time::timeout(Duration::from_secs(3), server)
        .await
        .expect("the server stops within 3 s");
    assert!(stopped.is_ok(), "{stopped:?}");
}
