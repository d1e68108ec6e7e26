//! The command line. Parses flags, then calls library functions; nothing
//! here knows how a request is served or a fault applied.
//!
//! Exit codes: 0 success; 1 the command failed (message on stderr);
//! 2 the command line itself was wrong.

pub mod cases;
pub mod run;
pub mod tui;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::api::{self, ServeOptions};
use crate::client::{ApiClient, DEFAULT_API_URL};
use crate::config;
use crate::faults::{FaultConfig, FaultUpdate};
use crate::loadgen::{self, LoadPlan, Mix};
use crate::logging::{self, LogFormat};

mod completions;
mod doctor;
mod images;
mod manual;
mod stack;
pub use doctor::DoctorArgs;
pub use stack::{BackendArgs, DownArgs, LogsArgs, StatusArgs, UpArgs};

#[derive(Debug, Parser)]
#[command(
    name = "workshop",
    version,
    about = "A hands-on resilience workshop on a small fintech API"
)]
pub struct Cli {
    /// Without a command, the console opens (`workshop tui`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The guided console: stack, cases phase by phase, faults, load, live charts.
    Tui(tui::TuiArgs),
    /// Run the fintech API (ledger, failure injection, metrics).
    Serve(ServeArgs),
    /// Inject failures into a running API; prints what changed.
    Inject(InjectArgs),
    /// Clear every failure and free leaked memory.
    Reset(ApiArgs),
    /// Show the failures currently injected.
    Failures(ApiArgs),
    /// Exit 0 when the API answers its readiness probe (for container health checks).
    Healthcheck(HealthcheckArgs),
    /// Drive open-model load (fixed send schedule) and report latency and outcomes.
    Load(LoadArgs),
    /// The failure cases: list, show, validate, export.
    #[command(subcommand)]
    Cases(cases::CasesCommand),
    /// Run cases end to end, headless: load, baseline, inject, detect, recover, rollback.
    Run(run::RunArgs),
    /// Start the workshop stack (db, app, Prometheus, Grafana) and wait until healthy.
    Up(UpArgs),
    /// Remove everything the stack created (containers, network; volumes with -v).
    Down(DownArgs),
    /// Show each service: state, health, restarts, OOM kills, memory vs limit, URL.
    Status(StatusArgs),
    /// Print a service's log lines.
    Logs(LogsArgs),
    /// The stack's images: list, pull (or build), save to one file, load from it.
    #[command(subcommand)]
    Images(images::ImagesCommand),
    /// Pre-flight check: engine, memory limits, ports, RAM, disk, images, local
    /// mode, terminal. Changes nothing; exit 1 when something blocks the workshop.
    Doctor(DoctorArgs),
    /// Print the completion script for a shell (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --out-dir.
    Man(manual::ManArgs),
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    /// Requests per second (0.1–20000).
    #[arg(long, default_value_t = 20.0)]
    pub rps: f64,
    /// How long to run, e.g. 60s, 2m, 1h; unset runs until Ctrl-C.
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Endpoint weights: balance, transfer, health, accounts.
    #[arg(long, default_value = "balance=3,transfer=1,health=1")]
    pub mix: Mix,
    /// A request without an answer after this long counts as "no answer".
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
}

/// Durations as people write them: 500ms, 30s, 2m, 1h30m.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration ({e}); write it like 30s, 2m or 1h30m"))
}

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
    /// Keep the fault state stored in PostgreSQL across a restart (default: a
    /// start is a reset).
    #[arg(long, env = "WORKSHOP_KEEP_FAULTS")]
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

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// Base URL of the fintech API.
    #[arg(long, env = "WORKSHOP_API_URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,
}

#[derive(Debug, Args)]
pub struct InjectArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    /// Added latency per request, ms (0–30000).
    #[arg(long)]
    pub latency_ms: Option<u64>,
    /// Random extra latency up to this many ms (0–10000).
    #[arg(long)]
    pub jitter_ms: Option<u64>,
    /// Percent of requests that fail (0–100).
    #[arg(long)]
    pub error_rate: Option<f64>,
    /// Status of an injected failure (500–599).
    #[arg(long)]
    pub error_status: Option<u16>,
    /// MiB leaked per request (0–100).
    #[arg(long)]
    pub memory_leak_mb: Option<u64>,
    /// Slow database on (or --db-slow=false to turn it off).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub db_slow: Option<bool>,
    /// How long a slow transaction holds its connection, ms (1–30000).
    #[arg(long)]
    pub db_slow_ms: Option<u64>,
    /// Database failure on (or --db-fail=false).
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    pub db_fail: Option<bool>,
    /// Revert everything by itself after this many seconds (1–86400).
    #[arg(long)]
    pub duration_s: Option<u64>,
}

impl InjectArgs {
    pub fn update(&self) -> FaultUpdate {
        FaultUpdate {
            latency_ms: self.latency_ms,
            latency_jitter_ms: self.jitter_ms,
            error_rate: self.error_rate,
            error_status: self.error_status,
            memory_leak_mb: self.memory_leak_mb,
            db_slow: self.db_slow,
            db_slow_ms: self.db_slow_ms,
            db_fail: self.db_fail,
            duration_s: self.duration_s.map(Some),
        }
    }
}

#[derive(Debug, Args)]
pub struct HealthcheckArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    /// Path to probe.
    #[arg(long, default_value = "/readyz")]
    pub path: String,
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    install_panic_hook();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let command = cli
        .command
        .unwrap_or_else(|| Command::Tui(tui::TuiArgs::default()));
    match runtime.block_on(async {
        let shutdown = crate::shutdown::on_signals();
        run(command, shutdown).await
    }) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A panic is a bug, but the person who hits it gets one line, not a trace.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("workshop hit an internal error{at}: {what}. Please report it.");
    }));
}

/// Runs `command` until it ends or `shutdown` is cancelled (a signal).
pub async fn run(command: Command, shutdown: CancellationToken) -> anyhow::Result<ExitCode> {
    match command {
        Command::Tui(args) => tui::run(args, shutdown).await,
        Command::Serve(args) => serve(args, shutdown).await,
        Command::Inject(args) => inject(args).await,
        Command::Reset(args) => {
            let client = ApiClient::new(&args.api_url);
            let before = client.failures().await?;
            let after = client.reset().await?;
            print_changes(&before, &after);
            println!("reset complete: no failures injected, leaked memory freed");
            Ok(ExitCode::SUCCESS)
        }
        Command::Failures(args) => {
            let current = ApiClient::new(&args.api_url).failures().await?;
            print_config(&current);
            Ok(ExitCode::SUCCESS)
        }
        Command::Load(args) => load(args, shutdown).await,
        Command::Cases(command) => cases::run(command, shutdown).await,
        Command::Run(args) => run::run(args, shutdown, false).await,
        Command::Healthcheck(args) => {
            match ApiClient::new(&args.api.api_url).probe(&args.path).await {
                Ok(_) => Ok(ExitCode::SUCCESS),
                Err(e) => {
                    eprintln!("unhealthy: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        Command::Up(args) => stack::up(args, shutdown).await,
        Command::Down(args) => stack::down(args).await,
        Command::Status(args) => stack::status(args).await,
        Command::Logs(args) => stack::logs(args).await,
        Command::Images(cmd) => images::run(cmd).await,
        Command::Doctor(args) => doctor::run(args).await,
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => manual::run(args),
    }
}

async fn serve(args: ServeArgs, stop: CancellationToken) -> anyhow::Result<ExitCode> {
    logging::init(args.log_format);
    let database_url = args
        .database_url
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| config::database_url(|k| std::env::var(k).ok()));
    let opts = ServeOptions {
        listen: args.listen,
        database_url,
        pool_size: args.pool_size,
        keep_faults: args.keep_faults,
        db_wait: Duration::from_secs(args.db_wait_s),
        admin_token: args.admin_token.filter(|t| !t.trim().is_empty()),
    };
    api::serve(opts, stop).await?;
    Ok(ExitCode::SUCCESS)
}

async fn load(args: LoadArgs, interrupted: CancellationToken) -> anyhow::Result<ExitCode> {
    if !(0.1..=loadgen::MAX_RPS).contains(&args.rps) {
        eprintln!(
            "error: --rps must be from 0.1 to {}, got {}",
            loadgen::MAX_RPS,
            args.rps
        );
        return Ok(ExitCode::from(2));
    }
    // Fail fast with the usual message when nothing listens there.
    ApiClient::new(&args.api.api_url).probe("/livez").await?;
    let handle = loadgen::start(LoadPlan {
        api_url: args.api.api_url.trim_end_matches('/').to_string(),
        rps: args.rps,
        duration: args.duration,
        mix: args.mix.clone(),
        timeout: args.timeout,
    });
    eprintln!(
        "load: {} req/s, mix {}, {}",
        args.rps,
        args.mix,
        args.duration
            .map(|d| format!("for {}", humantime::format_duration(d)))
            .unwrap_or_else(|| "until Ctrl-C".into())
    );
    let mut reports = handle.subscribe();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    loop {
        tokio::select! {
            changed = reports.changed() => {
                if changed.is_err() { break; }
                let line = reports.borrow_and_update().progress_line();
                if tty { eprint!("\r\x1b[2K{line}"); } else { eprintln!("{line}"); }
            }
            _ = interrupted.cancelled() => break,
        }
    }
    let report = handle.stop().await;
    if tty {
        eprintln!();
    }
    let t = &report.total;
    println!(
        "sent {} in {:.1}s: target {:.1}/s, sent {:.1}/s, achieved {:.1}/s",
        report.sent,
        report.elapsed.as_secs_f64(),
        report.target_rps,
        report.sent_rps(),
        report.achieved_rps()
    );
    println!(
        "outcomes: 2xx/3xx {}  4xx {}  5xx {}  no answer {}  (error ratio {:.3})",
        t.ok,
        t.client_errors,
        t.server_errors,
        t.no_answer,
        t.error_ratio()
    );
    println!(
        "latency from scheduled send: p50 {}  p95 {}  p99 {}  max {}",
        loadgen::ms(t.quantile(0.50)),
        loadgen::ms(t.quantile(0.95)),
        loadgen::ms(t.quantile(0.99)),
        loadgen::ms(t.quantile(1.0))
    );
    Ok(ExitCode::SUCCESS)
}

async fn inject(args: InjectArgs) -> anyhow::Result<ExitCode> {
    let update = args.update();
    if update.is_empty() {
        eprintln!(
            "error: nothing to inject. Give at least one of --latency-ms, --jitter-ms, --error-rate, \
             --error-status, --memory-leak-mb, --db-slow, --db-slow-ms, --db-fail, --duration-s"
        );
        return Ok(ExitCode::from(2));
    }
    if let Err(e) = update.validate() {
        eprintln!(
            "error: --{} {}; nothing was changed",
            e.field.replace('_', "-"),
            e.to_string()
                .split_once(" must")
                .map(|(_, r)| format!("must{r}"))
                .unwrap_or_default()
        );
        return Ok(ExitCode::from(2));
    }
    let client = ApiClient::new(&args.api.api_url);
    let before = client.failures().await?;
    let after = client.inject(&update).await?;
    print_changes(&before, &after);
    Ok(ExitCode::SUCCESS)
}

fn print_changes(before: &FaultConfig, after: &FaultConfig) {
    let changes = after.changes_from(before);
    if changes.is_empty() {
        println!("no change");
    }
    for (field, old, new) in changes {
        println!("{field}: {old} -> {new}");
    }
}

fn print_config(c: &FaultConfig) {
    if c.is_clear() {
        println!("no failures injected");
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(c) {
        for (k, v) in map {
            println!("{k:<18} {v}");
        }
    }
}
