//! The optional admin token. When `WORKSHOP_ADMIN_TOKEN` is set, changing
//! the faults (`POST /api/failures`, `POST /api/reset`) needs it, so on a
//! shared classroom network a stranger cannot break everyone's API. Reading
//! stays open: students look at `GET /api/failures` all the time.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::ApiContext;
use super::error::ApiError;

/// Proof that the request may change the faults.
pub(super) struct Admin;

/// Compares in time independent of where the strings differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<ApiContext> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &ApiContext) -> Result<Self, ApiError> {
        let Some(token) = ctx.admin_token.as_deref() else {
            return Ok(Admin);
        };
        let given = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .or_else(|| {
                parts
                    .headers
                    .get("x-admin-token")
                    .and_then(|v| v.to_str().ok())
            })
            .unwrap_or("");
        if same(given.trim().as_bytes(), token.as_bytes()) {
            Ok(Admin)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_whole() {
        assert!(super::same(b"abc", b"abc"));
        assert!(!super::same(b"abc", b"abd"));
        assert!(!super::same(b"abc", b"abcd"));
        assert!(!super::same(b"", b"a"));
    }
}
