//! `workshop run CASE|--all`: cases end to end, headless, against a running
//! API and Prometheus. Exit 0 only when every check of every case passed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::ApiArgs;
use crate::cases::model::ContainerStep;
use crate::cases::runner::io::ActError;
use crate::cases::runner::{AppCounts, CaseRecord, Runner, ServiceControl, Stamped, report};
use crate::cases::{CaseSet, Lang, UnknownCase};
use crate::client::ApiClient;
use crate::stack::task::StackHandle;
use crate::stack::{Choice, Runtime, StackSettings};
use crate::telemetry::Prometheus;

pub(crate) const DEFAULT_PROMETHEUS_URL: &str = "http://127.0.0.1:9090";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Case id (see `workshop cases list`).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub case: Option<String>,
    /// Every case, in session order.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub api: ApiArgs,
    /// Prometheus that scrapes the API and evaluates the workshop's rules.
    #[arg(long, env = "WORKSHOP_PROMETHEUS_URL", default_value = DEFAULT_PROMETHEUS_URL)]
    pub prometheus_url: String,
    /// Write a Markdown report here.
    #[arg(long, value_name = "FILE.md")]
    pub report: Option<PathBuf>,
    /// Write every event, timed, as JSON here.
    #[arg(long, value_name = "FILE.json")]
    pub journal: Option<PathBuf>,
    /// Language of the texts: en or ru.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    /// Read the cases from this folder instead of the ones built in.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `workshop run`, or with `prove_teachable` `workshop cases check`: the same
/// walk, plus the proof that no detect check holds before the fault.
pub(crate) async fn run(
    args: RunArgs,
    interrupted: CancellationToken,
    prove_teachable: bool,
) -> anyhow::Result<ExitCode> {
    let set = match CaseSet::load(args.dir.as_deref()) {
        Ok(s) => s,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let cases: Vec<_> = match &args.case {
        Some(id) => match set.find(id) {
            Ok(c) => vec![c.clone()],
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(UnknownCase::EXIT_CODE));
            }
        },
        None => set.cases().to_vec(),
    };
    // Both ends must answer before anything is injected.
    ApiClient::new(&args.api.api_url).probe("/livez").await?;
    let prometheus = Prometheus::new(&args.prometheus_url)?;
    prometheus.ready().await?;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Stamped>();
    let printer = tokio::spawn(async move {
        let mut journal = Vec::new();
        while let Some(event) = rx.recv().await {
            println!("{}", event.line());
            journal.push(event);
        }
        journal
    });
    let mut runner = Runner::new(
        &args.api.api_url,
        prometheus,
        args.lang,
        tx,
        interrupted.clone(),
    );
    runner.prove_teachable = prove_teachable;
    runner.services = Some(Arc::new(DockerServices::default()));
    let mut outcomes = Vec::new();
    for case in &cases {
        outcomes.push(runner.run_case(case).await);
        if interrupted.is_cancelled() {
            break;
        }
    }
    drop(runner);
    let journal = printer.await.unwrap_or_default();
    if let Some(path) = &args.report {
        let records: Vec<CaseRecord> = outcomes.iter().map(CaseRecord::from_outcome).collect();
        let files = report::write(path, report::Kind::Run, &records, args.lang, Utc::now())
            .map_err(|e| anyhow::anyhow!("cannot write the report to {}: {e}", path.display()))?;
        for f in files {
            println!("report written to {}", f.display());
        }
    }
    if let Some(path) = &args.journal {
        std::fs::write(path, report::journal(&journal))
            .map_err(|e| anyhow::anyhow!("cannot write the journal to {}: {e}", path.display()))?;
    }
    let passed = outcomes.iter().filter(|o| o.passed).count();
    println!(
        "{passed} of {} case(s) passed{}",
        outcomes.len(),
        if interrupted.is_cancelled() {
            " (interrupted; rollback done)"
        } else {
            ""
        }
    );
    Ok(if passed == cases.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A case's container actions (restart, kill) in `workshop run`: the Docker
/// stack that `workshop up` started (the same project), found on first use.
#[derive(Default)]
struct DockerServices {
    stack: tokio::sync::OnceCell<Result<StackHandle, ActError>>,
}

impl DockerServices {
    async fn open() -> Result<StackHandle, ActError> {
        let settings = StackSettings::from_env().map_err(|e| ActError::Service(e.to_string()))?;
        match Runtime::open(Choice::Docker, settings).await {
            Ok(rt) => Ok(crate::stack::task::spawn(rt)),
            Err(e) => {
                let t = e.trouble();
                Err(ActError::Service(format!(
                    "it acts on a container of the Docker stack, and {} ({})",
                    t.why, t.fix
                )))
            }
        }
    }
}

impl ServiceControl for DockerServices {
    fn act<'a>(
        &'a self,
        step: &'a ContainerStep,
    ) -> futures::future::BoxFuture<'a, Result<(), ActError>> {
        Box::pin(async move {
            match self.stack.get_or_init(Self::open).await {
                Ok(stack) => stack.act(step).await,
                Err(e) => Err(e.clone()),
            }
        })
    }

    /// From the Docker stack, when one runs the app; a local stack or an
    /// API elsewhere gives `None` (the report says it was not seen).
    fn app_counts(&self) -> futures::future::BoxFuture<'_, Option<AppCounts>> {
        Box::pin(async move {
            match self.stack.get_or_init(Self::open).await {
                Ok(stack) => stack.app_counts().await,
                Err(_) => None,
            }
        })
    }
}
