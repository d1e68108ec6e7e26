//! What both servers put around every route.
//!
//! - Every response says `X-Content-Type-Options: nosniff` and carries the
//!   server's content security policy, so no answer (a 404, a JSON error)
//!   is ever run as a page or a script.
//! - A state-changing request (any method but GET, HEAD and OPTIONS) sent
//!   by a web page of another site is refused with 403. A page may send a
//!   "simple" cross-origin POST (`text/plain`, a form) without asking
//!   first; such a page could reset a student's faults while they read it.
//!   Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`);
//!   curl, scripts and the console send neither and are let through.
//! - A request body must arrive within the body timeout.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, ORIGIN, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

use super::Limits;
use crate::http_error::ErrorBody;

/// One server's policy.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// The `Content-Security-Policy` of responses that set none themselves.
    pub(crate) content_security: &'static str,
    /// Origins besides the server's own `Host` that may change its state:
    /// the public URL of a board behind a reverse proxy, whose `Host` the
    /// proxy may have rewritten.
    pub(crate) origins: Vec<String>,
}

/// `router` with the guards of `policy` and the body timeout of `limits`.
pub(crate) fn guarded(router: Router, policy: Policy, limits: &Limits) -> Router {
    let csp = HeaderValue::from_static(policy.content_security);
    router
        .layer(from_fn_with_state(Arc::new(policy), refuse_cross_site))
        .layer(RequestBodyTimeoutLayer::new(limits.body_timeout))
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

async fn refuse_cross_site(
    State(policy): State<Arc<Policy>>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    match from_another_site(req.headers(), &policy.origins) {
        None => next.run(req).await,
        Some(origin) => {
            let body = ErrorBody {
                error: format!(
                    "refused: a web page of another site ({origin}) cannot change this server's \
                     state; send the request from the server's own page, a script or curl"
                ),
                field: Some("Origin".into()),
                ..Default::default()
            };
            let text = serde_json::to_string(&body).unwrap_or_default() + "\n";
            let json = [(CONTENT_TYPE, HeaderValue::from_static("application/json"))];
            (StatusCode::FORBIDDEN, json, text).into_response()
        }
    }
}

/// Where a request comes from when that is a web page of another site.
fn from_another_site(headers: &HeaderMap, origins: &[String]) -> Option<String> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let origin = text(ORIGIN);
    if let Some(site) = text(axum::http::HeaderName::from_static("sec-fetch-site")) {
        return match site {
            "same-origin" | "none" => None,
            other => Some(origin.map_or_else(|| format!("Sec-Fetch-Site: {other}"), String::from)),
        };
    }
    let origin = origin?;
    let host = text(HOST);
    let own = origin
        .split_once("://")
        .is_some_and(|(_, authority)| Some(authority) == host);
    let listed = origins.iter().any(|o| o.trim_end_matches('/') == origin);
    (!own && !listed).then(|| origin.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| {
                (
                    axum::http::HeaderName::from_static(k),
                    HeaderValue::from_static(v),
                )
            })
            .collect()
    }

    #[test]
    fn scripts_and_the_servers_own_pages_pass() {
        assert_eq!(from_another_site(&headers(&[]), &[]), None);
        let own = headers(&[
            ("host", "127.0.0.1:5000"),
            ("origin", "http://127.0.0.1:5000"),
        ]);
        assert_eq!(from_another_site(&own, &[]), None);
        let fetch = headers(&[("sec-fetch-site", "same-origin"), ("origin", "http://x")]);
        assert_eq!(from_another_site(&fetch, &[]), None);
        let proxied = headers(&[
            ("host", "127.0.0.1:7070"),
            ("origin", "https://coach.example.org"),
        ]);
        assert_eq!(
            from_another_site(&proxied, &["https://coach.example.org/".into()]),
            None
        );
    }

    #[test]
    fn another_sites_page_is_named() {
        let page = headers(&[("host", "127.0.0.1:5000"), ("origin", "http://evil.test")]);
        assert_eq!(
            from_another_site(&page, &[]).as_deref(),
            Some("http://evil.test")
        );
        let sandboxed = headers(&[("host", "127.0.0.1:5000"), ("origin", "null")]);
        assert_eq!(from_another_site(&sandboxed, &[]).as_deref(), Some("null"));
        let grafana = headers(&[("sec-fetch-site", "same-site")]);
        assert_eq!(
            from_another_site(&grafana, &[]).as_deref(),
            Some("Sec-Fetch-Site: same-site")
        );
    }
}
