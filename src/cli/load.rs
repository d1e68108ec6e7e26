//! `workshop load`: open-model load from the command line, with a progress
//! line while it runs and the outcome and latency when it stops.

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use tokio_util::sync::CancellationToken;

use super::ApiArgs;
use crate::client::{ApiClient, ClientError};
use crate::loadgen::{self, LoadPlan, Mix};

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

pub(super) async fn run(
    args: LoadArgs,
    interrupted: CancellationToken,
) -> anyhow::Result<ExitCode> {
    if !(0.1..=loadgen::MAX_RPS).contains(&args.rps) {
        eprintln!(
            "error: --rps must be from 0.1 to {}, got {}",
            loadgen::MAX_RPS,
            args.rps
        );
        return Ok(ExitCode::from(2));
    }
    // Fail fast with the usual message when nothing listens there. The
    // original workshop's API has no /livez: its /health says it is there.
    let api = ApiClient::new(&args.api.api_url);
    match api.probe("/livez").await {
        Err(ClientError::Refused { status: 404, .. }) => {
            api.probe("/health").await?;
        }
        other => {
            other?;
        }
    }
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
