//! The class code under guessing, through the routes in-process (where
//! every request comes from one unknown address): wrong codes are counted
//! and, past the limit, refused with 429 and `Retry-After` on every route
//! under a class URL; the right code is never refused.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

use super::*;
use crate::coach::server::guesses::{WINDOW, WRONG_PER_WINDOW};
use crate::coach::server::router;
use crate::coach::wire;

/// `GET uri`: the status, the `Retry-After` header and the body.
async fn get(app: &axum::Router, uri: &str) -> (StatusCode, Option<String>, String) {
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, retry, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn many_wrong_codes_get_429_with_retry_after_and_the_right_code_still_works() {
    let (class, now) = class();
    let app = router(class);
    for i in 0..WRONG_PER_WINDOW {
        let (status, retry, _) = get(&app, &format!("/class/GUESS{i}/board.json")).await;
        assert_eq!((status, retry), (StatusCode::FORBIDDEN, None), "guess {i}");
    }
    advance(&now, 15);
    for uri in [
        "/class/GUESSX/board.json",
        "/class/GUESSX",
        "/class/GUESSX/stream",
        "/class/GUESSX/students/Ana",
    ] {
        let (status, retry, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{uri}: {body}");
        assert_eq!(retry.as_deref(), Some("45"), "{uri}");
        let refusal: wire::Refusal = serde_json::from_str(&body).expect("a refusal");
        assert_eq!(refusal.field.as_deref(), Some("code"));
        assert!(refusal.error.contains("wait 45 s"), "{}", refusal.error);
    }
    // The right code from the same address is never limited.
    let (status, _, _) = get(&app, &format!("/class/{CODE}/board.json")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = get(&app, &format!("/class/{CODE}")).await;
    assert_eq!(status, StatusCode::OK);
    // Once the window is over, a wrong code is only wrong again.
    advance(&now, WINDOW.num_seconds() - 15);
    let (status, retry, _) = get(&app, "/class/GUESSY/board.json").await;
    assert_eq!((status, retry), (StatusCode::FORBIDDEN, None));
    let (status, _, _) = get(&app, "/class/GUESSY").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a page says nothing");
}
