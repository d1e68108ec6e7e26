//! `workshop serve`: the fintech API.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use tokio_util::sync::CancellationToken;

use crate::api::{self, ServeOptions};
use crate::config;
use crate::logging::{self, LogFormat};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "WORKSHOP_LISTEN", default_value = "127.0.0.1:5000")]
    pub listen: SocketAddr,
    /// postgres://… or sqlite:PATH or sqlite::memory:. Unset: POSTGRES_USER/
    /// POSTGRES_PASSWORD/POSTGRES_DB if set, else an embedded SQLite file in
    /// the user's data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Database connections in the pool.
    #[arg(long, env = "WORKSHOP_DB_POOL", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=500))]
    pub pool_size: u32,
    /// Start with no fault injected, clearing a stored one. By default a
    /// restarted serve keeps the faults it had (in PostgreSQL, or in a file
    /// beside the SQLite ledger): a crash does not fix a bug.
    #[arg(long, env = "WORKSHOP_FRESH_FAULTS")]
    pub fresh_faults: bool,
    /// Kept faults across a restart when that was not the default; it is now.
    #[arg(long, env = "WORKSHOP_KEEP_FAULTS", hide = true)]
    pub keep_faults: bool,
    /// Seconds to keep retrying a database that is not up yet.
    #[arg(long, env = "WORKSHOP_DB_WAIT_S", default_value_t = 60)]
    pub db_wait_s: u64,
    /// Log lines as text or JSON.
    #[arg(long, env = "WORKSHOP_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,
    /// When set, `POST /api/failures` and `POST /api/reset` need this token.
    #[arg(long, env = "WORKSHOP_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

pub(super) async fn run(args: ServeArgs, stop: CancellationToken) -> anyhow::Result<ExitCode> {
    logging::init(args.log_format);
    let database_url = args
        .database_url
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| config::database_url(|k| std::env::var(k).ok()));
    let opts = ServeOptions {
        listen: args.listen,
        database_url,
        pool_size: args.pool_size,
        keep_faults: !args.fresh_faults,
        db_wait: Duration::from_secs(args.db_wait_s),
        admin_token: args.admin_token.filter(|t| !t.trim().is_empty()),
    };
    api::serve(opts, stop).await?;
    Ok(ExitCode::SUCCESS)
}
