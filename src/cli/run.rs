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
use crate::words::{E, t, tf};

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
                eprintln!("{}", tf(args.lang, E::Error, &[&e]));
                return Ok(ExitCode::from(UnknownCase::EXIT_CODE));
            }
        },
        None => set.cases().to_vec(),
    };
    // Both ends must answer before anything is injected.
    ApiClient::new(&args.api.api_url).probe("/livez").await?;
    let prometheus = Prometheus::new(&args.prometheus_url)?;
    prometheus.ready().await?;

    let lang = args.lang;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Stamped>();
    let printer = tokio::spawn(async move {
        let mut journal = Vec::new();
        while let Some(event) = rx.recv().await {
            println!("{}", event.line(lang));
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
    runner.services = Some(Arc::new(DockerServices::new(lang)));
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
        let files = report::write(path, report::Kind::Run, &records, lang, Utc::now())
            .map_err(|e| anyhow::anyhow!(tf(lang, E::CannotWriteReport, &[&path.display(), &e])))?;
        for f in files {
            println!("{}", written(lang, &f));
        }
    }
    if let Some(path) = &args.journal {
        std::fs::write(path, report::journal(&journal)).map_err(|e| {
            anyhow::anyhow!(tf(lang, E::CannotWriteJournal, &[&path.display(), &e]))
        })?;
    }
    let passed = outcomes.iter().filter(|o| o.passed).count();
    println!(
        "{}",
        summary(lang, passed, outcomes.len(), interrupted.is_cancelled())
    );
    Ok(if passed == cases.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Where the report went.
fn written(lang: Lang, path: &std::path::Path) -> String {
    tf(lang, E::ReportWritten, &[&path.display()])
}

/// The last line of `workshop run`: how many cases passed, and whether an
/// interrupt cut the run short.
fn summary(lang: Lang, passed: usize, of: usize, interrupted: bool) -> String {
    let cut = if interrupted {
        t(lang, E::Interrupted)
    } else {
        ""
    };
    tf(lang, E::Summary, &[&passed, &of, &cut])
}

/// A case's container actions (restart, kill) in `workshop run`: the Docker
/// stack that `workshop up` started (the same project), found on first use.
struct DockerServices {
    lang: Lang,
    stack: tokio::sync::OnceCell<Result<StackHandle, ActError>>,
}

impl DockerServices {
    fn new(lang: Lang) -> Self {
        DockerServices {
            lang,
            stack: tokio::sync::OnceCell::new(),
        }
    }

    async fn open(lang: Lang) -> Result<StackHandle, ActError> {
        let settings = StackSettings::from_env().map_err(|e| ActError::Service(e.to_string()))?;
        match Runtime::open(Choice::Docker, settings).await {
            Ok(rt) => Ok(crate::stack::task::spawn(rt)),
            Err(e) => {
                let t = e.trouble_in(lang);
                Err(ActError::Service(tf(
                    lang,
                    E::ContainerUnreachable,
                    &[&t.why, &t.fix],
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
            match self.stack.get_or_init(|| Self::open(self.lang)).await {
                Ok(stack) => stack.act(step).await,
                Err(e) => Err(e.clone()),
            }
        })
    }

    /// From the Docker stack, when one runs the app; a local stack or an
    /// API elsewhere gives `None` (the report says it was not seen).
    fn app_counts(&self) -> futures::future::BoxFuture<'_, Option<AppCounts>> {
        Box::pin(async move {
            match self.stack.get_or_init(|| Self::open(self.lang)).await {
                Ok(stack) => stack.app_counts().await,
                Err(_) => None,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::runner::RunEvent;
    use crate::words::english_leaks;

    /// What `workshop run --lang ru` prints of its own, besides the event
    /// lines (each of them is held to the same in `runner::events`).
    fn printed(lang: Lang) -> Vec<String> {
        let stamped = Stamped {
            at: chrono::Utc::now(),
            t: 3.2,
            event: RunEvent::LoadStarted {
                rps: 10.0,
                mix: "transfer=7,balance=3".into(),
            },
        };
        vec![
            stamped.line(lang),
            written(lang, std::path::Path::new("report.md")),
            summary(lang, 4, 5, false),
            summary(lang, 1, 5, true),
            tf(lang, E::CannotWriteReport, &[&"report.md", &"EACCES"]),
            tf(lang, E::CannotWriteJournal, &[&"run.json", &"EACCES"]),
        ]
    }

    #[test]
    fn workshop_run_in_russian_prints_no_english_word_of_the_catalogue() {
        for line in &printed(Lang::Ru) {
            assert_eq!(english_leaks(line), Vec::<String>::new(), "{line}");
        }
        assert_eq!(
            printed(Lang::Ru)[..4],
            [
                "[   3.2с] нагрузка 10 запр/с (transfer=7,balance=3)",
                "отчёт записан в report.md",
                "пройдено кейсов: 4 из 5",
                "пройдено кейсов: 1 из 5 (прервано; откат выполнен)",
            ]
        );
    }

    #[test]
    fn workshop_run_in_english_prints_what_it_printed_before() {
        assert_eq!(
            printed(Lang::En)[..4],
            [
                "[   3.2s] load 10 req/s (transfer=7,balance=3)",
                "report written to report.md",
                "4 of 5 case(s) passed",
                "1 of 5 case(s) passed (interrupted; rollback done)",
            ]
        );
    }
}
