//! The banking endpoints: balances, accounts, transfers, bulk reads.
//! Thin: they translate HTTP to ledger calls and back.

use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ApiContext;
use super::body::ValidJson;
use super::error::{ApiError, ErrorBody};
use crate::ledger::{Account, DEFAULT_ACCOUNT, LedgerError, Receipt, Transfer, TransferRequest};

/// The 5xx of a banking route other than a transfer, as the document says it.
const FAILED: &str = "the database is unavailable (503); an injected failure answers `error_status` \
     with the original workshop's words, `{\"error\":\"Simulated random failure\",\"fault\":\"injected failure\"}`";

/// `GET /api/balance`: the contract's shape, for the default account.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Balance {
    pub account: String,
    #[schema(value_type = f64)]
    #[serde(with = "crate::ledger::money")]
    pub balance: Decimal,
    pub currency: String,
}

#[utoipa::path(get, path = "/api/balance", tag = "ledger",
    responses((status = 200, body = Balance), (status = "5XX", body = ErrorBody, description = FAILED)))]
pub(super) async fn balance(State(ctx): State<ApiContext>) -> Result<Json<Balance>, ApiError> {
    let a = ctx
        .ledger
        .account(DEFAULT_ACCOUNT, ctx.faults.current().db_mode())
        .await?;
    Ok(Json(Balance {
        account: a.account,
        balance: a.balance,
        currency: a.currency,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct AccountList {
    pub accounts: Vec<Account>,
}

#[utoipa::path(get, path = "/api/accounts", tag = "ledger",
    responses((status = 200, body = AccountList), (status = "5XX", body = ErrorBody, description = FAILED)))]
pub(super) async fn accounts(State(ctx): State<ApiContext>) -> Result<Json<AccountList>, ApiError> {
    let accounts = ctx.ledger.accounts(ctx.faults.current().db_mode()).await?;
    Ok(Json(AccountList { accounts }))
}

#[utoipa::path(get, path = "/api/accounts/{number}", tag = "ledger",
    params(("number" = String, Path, description = "Account number, e.g. ACC-001", example = "ACC-002",
            pattern = "^[^\\u0000-\\u001f\\u007f]*$")),
    responses((status = 200, body = Account), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody, description = "a control character (NUL, a line break) in `number`"),
              (status = "5XX", body = ErrorBody, description = FAILED)))]
pub(super) async fn account(
    State(ctx): State<ApiContext>,
    Path(number): Path<String>,
) -> Result<Json<Account>, ApiError> {
    account_number("number", &number)?;
    let a = ctx
        .ledger
        .account(&number, ctx.faults.current().db_mode())
        .await?;
    Ok(Json(a))
}

/// `POST /api/transfer` body. `from_account` defaults to ACC-001 and must
/// differ from `to_account` (a rule a schema cannot state: it compares two
/// fields).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TransferBody {
    /// Amount in the account currency: positive, whole cents (at most 2
    /// decimal places), at most 1,000,000.
    #[schema(value_type = f64, minimum = 0.01, maximum = 1000000, multiple_of = 0.01)]
    #[serde(with = "crate::ledger::money")]
    pub amount: Decimal,
    #[schema(example = "ACC-002", pattern = "^[^\\u0000-\\u001f\\u007f]*$")]
    pub to_account: String,
    #[serde(default)]
    #[schema(example = "ACC-001", pattern = "^[^\\u0000-\\u001f\\u007f]*$")]
    pub from_account: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TransferReply {
    pub status: String,
    pub transaction_id: String,
    #[schema(value_type = f64)]
    #[serde(with = "crate::ledger::money")]
    pub amount: Decimal,
    pub from_account: String,
    pub to_account: String,
    pub timestamp: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

impl From<Receipt> for TransferReply {
    fn from(r: Receipt) -> Self {
        Self {
            status: "completed".into(),
            transaction_id: r.transaction_id,
            amount: r.amount,
            from_account: r.from_account,
            to_account: r.to_account,
            timestamp: rfc3339(r.created_at),
        }
    }
}

/// An account number is printed text: a control character in one (a NUL,
/// which PostgreSQL refuses to store or compare, a line break) is the
/// client's mistake, answered 422 naming the field, as the document's
/// `pattern` says; never sent to the database to come back as its failure.
fn account_number(field: &str, value: &str) -> Result<(), ApiError> {
    match value.chars().find(|c| c.is_ascii_control()) {
        None => Ok(()),
        Some(c) => Err(ApiError::unprocessable(
            field,
            format!(
                "`{field}` must not contain control characters, found {:?}; \
                 account numbers look like ACC-001",
                c
            ),
        )),
    }
}

/// Longest accepted `Idempotency-Key`.
const MAX_KEY_LEN: usize = 200;

/// An `Idempotency-Key` is 1 to 200 printable ASCII characters with spaces
/// only inside (HTTP drops the spaces around a header value before we see
/// it): exactly what the `pattern` of the header in [`transfer`]'s document
/// says, `^[!-~]([ -~]{0,198}[!-~])?$`, so the two cannot disagree on a key.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(raw) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = raw.as_bytes();
    let printable = |b: &u8| (b' '..=b'~').contains(b);
    let spaced = key.first() == Some(&b' ') || key.last() == Some(&b' ');
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.iter().all(printable) || spaced {
        return Err(ApiError::BadRequest {
            message: format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} printable ASCII characters \
                 (letters, digits, punctuation; spaces only inside), e.g. a UUID; got {} bytes",
                key.len()
            ),
        });
    }
    Ok(Some(String::from_utf8_lossy(key).into_owned()))
}

fn outcome(result: &Result<Transfer, LedgerError>) -> &'static str {
    match result {
        Ok(Transfer::Completed(_)) => "completed",
        Ok(Transfer::Replayed(_)) => "replayed",
        Err(LedgerError::InsufficientFunds { .. }) => "insufficient_funds",
        Err(LedgerError::UnknownAccount(_)) => "unknown_account",
        Err(LedgerError::InvalidTransfer(_)) => "invalid",
        Err(LedgerError::IdempotencyConflict) => "conflict",
        Err(_) => "failed",
    }
}

#[utoipa::path(post, path = "/api/transfer", tag = "ledger", request_body = TransferBody,
    params(("Idempotency-Key" = Option<String>, Header,
            description = "Repeat a request with the same key to get the first result; money moves once",
            nullable = false, min_length = 1, max_length = 200,
            pattern = "^[!-~]([ -~]{0,198}[!-~])?$")),
    responses((status = 200, body = TransferReply),
              (status = 400, body = ErrorBody, description = "malformed JSON, or a bad Idempotency-Key"),
              (status = 404, body = ErrorBody, description = "`from_account` or `to_account` does not exist"),
              (status = 409, body = ErrorBody,
               description = "refused by the ledger's state: insufficient funds in `from_account`, \
                              or the Idempotency-Key was used for a different transfer"),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody,
               description = "a body the document refuses, or `to_account` equal to `from_account`"),
              (status = "5XX", body = ErrorBody,
               description = "the database is unavailable (503); an injected failure answers `error_status` with \
                              `{\"error\":\"Transfer failed\",\"details\":\"Simulated random failure\",\"fault\":\"injected failure\"}`")))]
pub(super) async fn transfer(
    State(ctx): State<ApiContext>,
    headers: HeaderMap,
    ValidJson(body): ValidJson<TransferBody>,
) -> Result<Response, ApiError> {
    account_number("to_account", &body.to_account)?;
    if let Some(from) = &body.from_account {
        account_number("from_account", from)?;
    }
    let req = TransferRequest {
        from_account: body
            .from_account
            .unwrap_or_else(|| DEFAULT_ACCOUNT.to_string()),
        to_account: body.to_account,
        amount: body.amount,
        idempotency_key: idempotency_key(&headers)?,
    };
    let result = ctx
        .ledger
        .transfer(&req, ctx.faults.current().db_mode())
        .await;
    ctx.metrics.count_transfer(outcome(&result));
    let (receipt, replayed) = match result? {
        Transfer::Completed(r) => (r, false),
        Transfer::Replayed(r) => (r, true),
    };
    let mut response = Json(TransferReply::from(receipt)).into_response();
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BulkBody {
    /// How many balance reads to run at once.
    #[schema(minimum = 1, maximum = 1000)]
    #[serde(deserialize_with = "crate::integer::whole")]
    pub count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub(super) struct BulkReply {
    pub status: String,
    pub count: u32,
    pub succeeded: u32,
    pub failed: u32,
    pub duration_ms: u64,
    /// The reads run at once: all of them. The original workshop's field
    /// (a thread per read there), kept for its scripts.
    pub threads: u32,
}

pub(super) const MAX_BULK: u32 = 1000;

#[utoipa::path(post, path = "/api/balance-bulk", tag = "ledger", request_body = BulkBody,
    responses((status = 200, body = BulkReply), (status = 400, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = "5XX", body = ErrorBody, description = FAILED)))]
pub(super) async fn balance_bulk(
    State(ctx): State<ApiContext>,
    ValidJson(body): ValidJson<BulkBody>,
) -> Result<Json<BulkReply>, ApiError> {
    if body.count == 0 || body.count > MAX_BULK {
        return Err(ApiError::Unprocessable {
            message: format!("`count` must be from 1 to {MAX_BULK}, got {}", body.count),
            field: Some("count".into()),
            accepted: Some(format!("an integer from 1 to {MAX_BULK}")),
        });
    }
    let mode = ctx.faults.current().db_mode();
    let started = Instant::now();
    let reads = (0..body.count).map(|_| ctx.ledger.account(DEFAULT_ACCOUNT, mode));
    let results = futures::future::join_all(reads).await;
    let failed = u32::try_from(results.iter().filter(|r| r.is_err()).count()).unwrap_or(u32::MAX);
    if failed == body.count
        && let Some(Err(e)) = results.into_iter().next()
    {
        return Err(e.into());
    }
    Ok(Json(BulkReply {
        status: "completed".into(),
        count: body.count,
        succeeded: body.count - failed,
        failed,
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        threads: body.count,
    }))
}
