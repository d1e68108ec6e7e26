//! `workshop serve`: the fintech API.
//!
//! Handlers are thin: they parse, call the domain (`ledger`, `faults`) and
//! shape the reply. Two route groups share one state: the *injected* routes
//! (what a student's failures apply to: `/health` and the banking endpoints)
//! and the *plain* ones (index, probes, metrics, the fault controls), which
//! keep answering whatever is injected, so the way out is never blocked.

mod accounts;
mod admin;
mod body;
mod control;
pub(crate) mod error;
mod layers;
mod reach;
mod service;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use tokio_util::sync::CancellationToken;
use utoipa::OpenApi;

use crate::faults::file::FaultFile;
use crate::faults::{FaultState, leak};
use crate::ledger::{Ledger, redact};
use crate::metrics::Metrics;
use crate::serving::{self, Limits, Policy};

pub use body::BODY_LIMIT;
pub use service::{VERSION, endpoints};

/// The API answers JSON and text only: nothing of it is ever a page.
const CONTENT_SECURITY: &str = "default-src 'none'; frame-ancestors 'none'";

/// What every handler can reach.
#[derive(Clone)]
pub struct ApiContext {
    pub ledger: Ledger,
    pub faults: FaultState,
    pub metrics: Arc<Metrics>,
    /// When set, changing the faults needs this token (see [`admin`]).
    pub admin_token: Option<Arc<str>>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "fintech-api",
        description = "The workshop's fintech API: a ledger with failure injection"
    ),
    paths(
        service::index,
        service::health,
        service::livez,
        service::readyz,
        service::metrics,
        service::openapi,
        accounts::balance,
        accounts::accounts,
        accounts::account,
        accounts::transfer,
        accounts::balance_bulk,
        control::get_failures,
        control::post_failures,
        control::reset
    )
)]
pub struct ApiDoc;

/// Parses and validates a `POST /api/failures` body exactly as the handler
/// does (the fuzz target drives this).
pub fn parse_fault_update(body: &[u8]) -> Result<crate::faults::FaultUpdate, error::ApiError> {
    let update: crate::faults::FaultUpdate = body::parse(body)?;
    update.validate()?;
    Ok(update)
}

/// The whole router over `ctx`.
pub fn router(ctx: ApiContext) -> Router {
    let injected = Router::new()
        .route("/health", get(service::health))
        .route("/api/balance", get(accounts::balance))
        .route("/api/accounts", get(accounts::accounts))
        .route("/api/accounts/{number}", get(accounts::account))
        .route("/api/transfer", post(accounts::transfer))
        .route("/api/balance-bulk", post(accounts::balance_bulk))
        .route_layer(from_fn_with_state(ctx.clone(), layers::inject_faults));
    let plain = Router::new()
        .route("/", get(service::index))
        .route("/livez", get(service::livez))
        .route("/readyz", get(service::readyz))
        .route(
            "/api/failures",
            get(control::get_failures).post(control::post_failures),
        )
        .route("/api/reset", post(control::reset))
        .route("/api/openapi.json", get(service::openapi));
    Router::new()
        .merge(injected)
        .merge(plain)
        .route_layer(from_fn_with_state(ctx.clone(), layers::record_metrics))
        // Scrapes are not traffic: keep them out of the request metrics.
        .route("/metrics", get(service::metrics))
        .layer(axum::middleware::from_fn(layers::end_json_with_newline))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(ctx)
}

/// How `serve` runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub database_url: String,
    pub pool_size: u32,
    /// Adopt the fault state stored in PostgreSQL instead of resetting it.
    pub keep_faults: bool,
    /// How long to keep retrying a database that does not answer yet.
    pub db_wait: Duration,
    /// `WORKSHOP_ADMIN_TOKEN`: required to change the faults when set.
    pub admin_token: Option<String>,
}

/// Connects, retrying while the database starts (a container's `db` may come
/// up after `app`), and says what it is waiting for.
async fn connect_ledger(opts: &ServeOptions) -> anyhow::Result<Ledger> {
    let deadline = tokio::time::Instant::now() + opts.db_wait;
    let mut delay = Duration::from_millis(200);
    loop {
        match Ledger::connect(&opts.database_url, opts.pool_size).await {
            Ok(ledger) => return Ok(ledger),
            Err(e) if !e.is_transient() => {
                return Err(anyhow::anyhow!(e)).with_context(|| {
                    format!("cannot use the database at {}", redact(&opts.database_url))
                });
            }
            Err(e) if tokio::time::Instant::now() + delay > deadline => {
                return Err(anyhow::anyhow!(e)).with_context(|| {
                    format!(
                        "cannot open the ledger at {} (tried for {:?}); check DATABASE_URL and that the database is running",
                        redact(&opts.database_url),
                        opts.db_wait
                    )
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, url = %redact(&opts.database_url), "database not ready; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(3));
            }
        }
    }
}

/// Runs the API until `stop` is cancelled; requests in flight then have
/// the drain deadline to finish (see [`serving`]).
pub async fn serve(opts: ServeOptions, stop: CancellationToken) -> anyhow::Result<()> {
    let ledger = connect_ledger(&opts).await?;
    let cap = leak::default_cap();
    let control = ledger
        .control_pool()
        .await
        .context("cannot open the fault-control connections")?;
    let faults = match (control, ledger.fault_file()) {
        (Some(pool), _) => FaultState::shared(cap, pool),
        (None, Some(file)) => FaultState::stored(cap, FaultFile::new(file)),
        (None, None) => FaultState::local(cap),
    };
    faults
        .start(opts.keep_faults, stop.clone())
        .await
        .context("cannot load the shared fault state")?;
    let metrics = Arc::new(Metrics::new(ledger.active_transactions()));
    let ctx = ApiContext {
        ledger: ledger.clone(),
        faults,
        metrics,
        admin_token: opts.admin_token.clone().map(Arc::from),
    };
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another `workshop serve` running there? Choose another address with --listen",
                opts.listen
            )
        })?;
    let local = listener.local_addr().unwrap_or(opts.listen);
    tracing::info!(
        listen = %local,
        database = ledger.backend(),
        url = %redact(&opts.database_url),
        leak_cap_mb = cap / (1024 * 1024),
        "fintech API ready"
    );
    let limits = Limits::for_this_process(opts.pool_size);
    tracing::debug!(?limits, "connection limits");
    let app = serving::guarded(
        router(ctx),
        Policy {
            content_security: CONTENT_SECURITY,
            origins: Vec::new(),
        },
        &limits,
    );
    serving::run(listener, app, stop.clone(), limits, "api").await;
    stop.cancel();
    Ok(())
}
