//! A JSON body extractor whose every refusal names what to fix: the wrong
//! content type (415), a body over the limit (413), malformed JSON (400), or
//! a field of the wrong type or unknown (422, with the field's path).

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use utoipa::openapi::{RefOr, Schema};

use super::error::ApiError;

/// The largest request body accepted, in bytes. Every body the API takes is a
/// small JSON object; anything bigger is a mistake or an attack.
pub const BODY_LIMIT: usize = 16 * 1024;

pub(super) struct ValidJson<T>(pub T);

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Turns a serde error into the status and message a client can act on.
pub(super) fn reject(err: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = err.path().to_string();
    let inner = err.inner();
    match inner.classify() {
        serde_json::error::Category::Data => {
            let message = inner.to_string();
            let field = (path != ".").then(|| path.clone());
            ApiError::Unprocessable {
                message: match &field {
                    Some(f) => format!("invalid field `{f}`: {message}"),
                    None => format!("invalid body: {message}"),
                },
                field,
                accepted: None,
            }
        }
        _ => ApiError::BadRequest {
            message: format!("request body is not valid JSON: {inner}"),
        },
    }
}

/// The fields a body type accepts, read from its OpenAPI schema: what the
/// document says is what is accepted.
fn accepted_fields<T: ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(o)) => o.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A key of a JSON object body that its type does not have, named as a
/// field, with the accepted ones (and the nearest, for a typo).
fn unknown_field<T: ToSchema>(bytes: &[u8]) -> Option<ApiError> {
    let serde_json::Value::Object(map) = serde_json::from_slice(bytes).ok()? else {
        return None;
    };
    let known = accepted_fields::<T>();
    let key = map.keys().find(|k| !known.contains(k))?;
    let names: Vec<&str> = known.iter().map(String::as_str).collect();
    let hint = crate::cases::problem::nearest(key, &names)
        .map(|n| format!(", did you mean `{n}`?"))
        .unwrap_or_default();
    Some(ApiError::Unprocessable {
        message: format!("invalid field `{key}`: unknown field `{key}`{hint}"),
        field: Some(key.clone()),
        accepted: Some(format!("one of {}", names.join(", "))),
    })
}

/// A body as `T`. A valid body is read once; only a refused one is looked
/// at again, to name an unknown field from the schema.
pub(super) fn parse<T: DeserializeOwned + ToSchema>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| match unknown_field::<T>(bytes) {
        Some(refused) => refused,
        None => reject(e),
    })
}

impl<S, T> FromRequest<S> for ValidJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned + ToSchema,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError::UnsupportedMediaType {
                message: format!(
                    "expected Content-Type: application/json, got {:?}; send the body as JSON \
                     (curl: -H 'Content-Type: application/json')",
                    content_type
                ),
            });
        }
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        parse(&bytes).map(ValidJson)
    }
}

/// Only a body over the limit is 413; one that could not be read (the
/// client stopped sending, the stream broke) is a bad request.
fn body_error(e: BytesRejection) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge { limit: BODY_LIMIT }
    } else {
        ApiError::BadRequest {
            message: format!(
                "the request body could not be read ({}): send the whole JSON body",
                e.body_text()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::FaultUpdate;

    fn request(body: axum::body::Body) -> Request {
        let mut req = Request::new(body);
        req.headers_mut()
            .insert(CONTENT_TYPE, "application/json".parse().expect("header"));
        req
    }

    #[tokio::test]
    async fn a_body_that_breaks_off_is_a_bad_request_not_too_large() {
        let broken = futures::stream::iter(vec![
            Ok(Bytes::from_static(b"{\"latency_ms\": ")),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "client went away",
            )),
        ]);
        let req = request(axum::body::Body::from_stream(broken));
        let err = ValidJson::<FaultUpdate>::from_request(req, &())
            .await
            .err()
            .expect("refused");
        assert!(matches!(err, ApiError::BadRequest { .. }), "{err:?}");
        assert!(err.to_string().contains("could not be read"), "{err}");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_too_large() {
        let app = axum::Router::new()
            .route(
                "/",
                axum::routing::post(|ValidJson(_): ValidJson<FaultUpdate>| async { "ok" }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT));
        let big = vec![b' '; BODY_LIMIT + 1];
        let mut req = request(axum::body::Body::from(big));
        *req.method_mut() = axum::http::Method::POST;
        let resp = tower::ServiceExt::oneshot(app, req).await.expect("answer");
        assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn json_content_types_are_recognised_with_parameters() {
        assert!(is_json("application/json"));
        assert!(is_json("Application/JSON; charset=utf-8"));
        assert!(is_json("application/merge-patch+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }

    #[test]
    fn an_unknown_field_is_named() {
        let err = parse::<FaultUpdate>(br#"{"latency": 5}"#).err().unwrap();
        match err {
            ApiError::Unprocessable {
                field,
                message,
                accepted,
            } => {
                assert_eq!(field.as_deref(), Some("latency"));
                assert!(message.contains("did you mean `latency_ms`?"), "{message}");
                let accepted = accepted.unwrap_or_default();
                assert!(accepted.contains("db_slow_ms"), "{accepted}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_names_the_field_and_bad_syntax_is_a_400() {
        match parse::<FaultUpdate>(br#"{"db_slow": "yes"}"#)
            .err()
            .unwrap()
        {
            ApiError::Unprocessable { field, .. } => assert_eq!(field.as_deref(), Some("db_slow")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse::<FaultUpdate>(b"{not json").err().unwrap(),
            ApiError::BadRequest { .. }
        ));
    }
}
