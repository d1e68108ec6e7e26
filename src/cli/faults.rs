//! The fault commands: `inject`, `reset`, `failures`, and `healthcheck`
//! (a container's probe of the API).

use std::process::ExitCode;

use clap::Args;

use super::ApiArgs;
use crate::client::ApiClient;
use crate::faults::{FaultConfig, FaultUpdate};

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

pub(super) async fn inject(args: InjectArgs) -> anyhow::Result<ExitCode> {
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
            "error: --{} must be {}, got {}; nothing was changed",
            e.kind.field().flag,
            e.accepted,
            e.got
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

pub(super) async fn reset(args: ApiArgs) -> anyhow::Result<ExitCode> {
    let client = ApiClient::new(&args.api_url);
    let before = client.failures().await?;
    let after = client.reset().await?;
    print_changes(&before, &after);
    println!("reset complete: no failures injected, leaked memory freed");
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn failures(args: ApiArgs) -> anyhow::Result<ExitCode> {
    let current = ApiClient::new(&args.api_url).failures().await?;
    print_config(&current);
    Ok(ExitCode::SUCCESS)
}

pub(super) async fn healthcheck(args: HealthcheckArgs) -> anyhow::Result<ExitCode> {
    match ApiClient::new(&args.api.api_url).probe(&args.path).await {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("unhealthy: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// The API's document and the CLI's help say the table's bounds: neither
/// can drift from what validation enforces.
#[cfg(test)]
mod contract {
    use crate::faults::FaultKind;

    #[test]
    fn the_openapi_document_states_every_fields_bounds_from_the_table() {
        use utoipa::OpenApi;
        let doc = serde_json::to_value(crate::api::ApiDoc::openapi()).expect("json");
        let props = &doc["components"]["schemas"]["FaultUpdate"]["properties"];
        for f in FaultKind::ALL.map(FaultKind::field) {
            let p = &props[f.name];
            assert_eq!(p["minimum"].as_f64(), Some(f.min as f64), "{}: {p}", f.name);
            assert_eq!(p["maximum"].as_f64(), Some(f.max as f64), "{}: {p}", f.name);
        }
    }

    #[test]
    fn the_inject_flags_state_every_fields_bounds_from_the_table() {
        use clap::CommandFactory;
        let cli = crate::cli::Cli::command();
        let inject = cli
            .get_subcommands()
            .find(|c| c.get_name() == "inject")
            .expect("inject");
        for f in FaultKind::ALL.map(FaultKind::field) {
            let arg = inject
                .get_arguments()
                .find(|a| a.get_long() == Some(f.flag))
                .unwrap_or_else(|| panic!("--{} exists", f.flag));
            let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
            assert!(
                help.contains(&format!("({}–{})", f.min, f.max)),
                "--{}: {help}",
                f.flag
            );
        }
    }
}

#[cfg(test)]
mod readme {
    use crate::faults::FaultKind;

    #[test]
    fn the_readmes_fault_table_states_every_fields_bounds_from_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).expect("README.md");
        for f in FaultKind::ALL.map(FaultKind::field) {
            let row = readme
                .lines()
                .find(|l| {
                    let first = l.split('|').nth(1).unwrap_or_default();
                    first.contains(&format!("`{}`", f.name))
                })
                .unwrap_or_else(|| panic!("README has a row for {}", f.name));
            assert!(
                row.contains(&format!("{}–{}", f.min, f.max)),
                "{}: {row}",
                f.name
            );
        }
    }
}
