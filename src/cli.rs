//! The command line. Parses flags, then calls library functions; nothing
//! here knows how a request is served or a fault applied.
//!
//! Exit codes: 0 success; 1 the command failed (message on stderr);
//! 2 the command line itself was wrong (an unknown case id included).
//!
//! One file per command group: `serve`, `load`, `faults` (inject, reset,
//! failures, healthcheck), `stack` (up, down, status, logs, and what they
//! print), `images`, `cases`, `run`, `tui`, `coach`, `doctor`, `completions`,
//! `manual`. Printing lives here, never in the library.

pub(crate) mod cases;
pub(crate) mod run;
pub(crate) mod tui;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use tokio_util::sync::CancellationToken;

use crate::client::DEFAULT_API_URL;

mod coach;
mod completions;
mod doctor;
mod faults;
mod images;
mod load;
mod manual;
mod serve;
mod stack;
pub use coach::CoachArgs;
pub use doctor::DoctorArgs;
pub use faults::{HealthcheckArgs, InjectArgs};
pub use load::{LoadArgs, parse_duration};
pub use serve::ServeArgs;
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
    /// The class board: every student's progress, live, for the room's screen.
    Coach(CoachArgs),
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
pub struct ApiArgs {
    /// Base URL of the fintech API.
    #[arg(long, env = "WORKSHOP_API_URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,
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
        Command::Serve(args) => serve::run(args, shutdown).await,
        Command::Coach(args) => coach::run(args, shutdown).await,
        Command::Inject(args) => faults::inject(args).await,
        Command::Reset(args) => faults::reset(args).await,
        Command::Failures(args) => faults::failures(args).await,
        Command::Load(args) => load::run(args, shutdown).await,
        Command::Cases(command) => cases::run(command, shutdown).await,
        Command::Run(args) => run::run(args, shutdown, false).await,
        Command::Healthcheck(args) => faults::healthcheck(args).await,
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
