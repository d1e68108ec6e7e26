//! The stack's subcommands: flags parsed here, the commands (and what they
//! print) in [`commands`].

use std::process::ExitCode;

use clap::Args;
use tokio_util::sync::CancellationToken;

mod commands;

use crate::stack::{self, Choice, LogRequest, Service, ServiceRole, StackSettings, UnknownService};

#[derive(Debug, Args)]
pub struct BackendArgs {
    /// Run without Docker: `workshop serve` as a supervised local process.
    #[arg(long, conflicts_with = "docker")]
    pub local: bool,
    /// Use the Docker engine (the default).
    #[arg(long)]
    pub docker: bool,
}

impl BackendArgs {
    fn choice(&self) -> Choice {
        if self.local {
            Choice::Local
        } else {
            Choice::Docker
        }
    }
}

#[derive(Debug, Args)]
pub struct UpArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Replicas of a service, as SERVICE=N; only `app` scales (e.g. --scale app=3).
    #[arg(long, value_parser = parse_scale)]
    pub scale: Option<u16>,
    /// Memory limit of each app container (e.g. 256m, 1g) [env: WORKSHOP_APP_MEMORY].
    #[arg(long, value_parser = parse_memory_flag)]
    pub memory: Option<u64>,
    /// Publish PostgreSQL on this port of 127.0.0.1 [env: WORKSHOP_PORT_DB].
    #[arg(long)]
    pub publish_db: Option<u16>,
    /// Image of the database [env: WORKSHOP_IMAGE_DB].
    #[arg(long)]
    pub image_db: Option<String>,
    /// Image of the app [env: WORKSHOP_IMAGE_APP].
    #[arg(long)]
    pub image_app: Option<String>,
    /// Image of Prometheus [env: WORKSHOP_IMAGE_PROMETHEUS].
    #[arg(long)]
    pub image_prometheus: Option<String>,
    /// Image of Grafana [env: WORKSHOP_IMAGE_GRAFANA].
    #[arg(long)]
    pub image_grafana: Option<String>,
}

#[derive(Debug, Args)]
pub struct DownArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Also delete the volumes (the ledger's data, Prometheus' history).
    #[arg(short = 'v', long)]
    pub volumes: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    #[command(flatten)]
    pub backend: BackendArgs,
    /// db, app (= app-1), app-2…, prometheus, grafana.
    pub service: String,
    /// Only the last N lines.
    #[arg(long)]
    pub tail: Option<usize>,
    /// Keep printing new lines.
    #[arg(short, long)]
    pub follow: bool,
}

fn parse_scale(text: &str) -> Result<u16, String> {
    let (service, n) = text
        .split_once('=')
        .ok_or_else(|| format!("{text:?}: expected SERVICE=N, e.g. app=3"))?;
    // Only the app has replicas; a name that is no service says which are.
    let named: Service = service.parse().map_err(|e: UnknownService| e.to_string())?;
    if named != Service::of(ServiceRole::App) {
        return Err(format!("only `app` scales, not {service:?}"));
    }
    match n.parse::<u16>() {
        Ok(n) if (1..=20).contains(&n) => Ok(n),
        _ => Err(format!("{n:?}: replicas must be 1-20")),
    }
}

fn parse_memory_flag(text: &str) -> Result<u64, String> {
    stack::settings::parse_memory(text)
        .ok_or_else(|| format!("{text:?}: a size of at least 16m, like 256m or 1g"))
}

/// Settings from the environment and config file, with the flags on top.
pub(super) fn stack_settings(args: Option<&UpArgs>) -> anyhow::Result<StackSettings> {
    let mut s = StackSettings::from_env()?;
    if let Some(a) = args {
        if let Some(n) = a.scale {
            s.app_replicas = n;
        }
        if let Some(m) = a.memory {
            s.app_memory = m;
        }
        if a.publish_db.is_some() {
            s.db_port = a.publish_db;
        }
        for (flag, slot) in [
            (&a.image_db, &mut s.images.db),
            (&a.image_app, &mut s.images.app),
            (&a.image_prometheus, &mut s.images.prometheus),
            (&a.image_grafana, &mut s.images.grafana),
        ] {
            if let Some(image) = flag {
                *slot = image.clone();
            }
        }
    }
    Ok(s)
}

pub(super) async fn up(args: UpArgs, shutdown: CancellationToken) -> anyhow::Result<ExitCode> {
    let opts = commands::UpOptions {
        choice: args.backend.choice(),
        settings: stack_settings(Some(&args))?,
    };
    Ok(commands::up(opts, shutdown).await?)
}

pub(super) async fn down(args: DownArgs) -> anyhow::Result<ExitCode> {
    Ok(commands::down(args.backend.choice(), stack_settings(None)?, args.volumes).await?)
}

pub(super) async fn status(args: StatusArgs) -> anyhow::Result<ExitCode> {
    Ok(commands::status(args.backend.choice(), stack_settings(None)?, args.json).await?)
}

pub(super) async fn logs(args: LogsArgs) -> anyhow::Result<ExitCode> {
    let req = LogRequest {
        tail: args.tail,
        follow: args.follow,
    };
    Ok(commands::logs(
        args.backend.choice(),
        stack_settings(None)?,
        &args.service,
        req,
    )
    .await?)
}
