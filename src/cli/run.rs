//! `workshop run CASE|--all`: cases end to end, headless, against a running
//! API and Prometheus. Exit 0 only when every check of every case passed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use clap::Args;
use tokio_util::sync::CancellationToken;

use super::ApiArgs;
use crate::cases::engine::headless::HeadlessRun;
use crate::cases::engine::io::ActError;
use crate::cases::engine::{AppCounts, CaseOutcome, CaseRecord, ServiceControl, Stamped, report};
use crate::cases::model::ContainerStep;
use crate::cases::{Case, CaseSet, Lang, UnknownCase};
use crate::client::ApiClient;
use crate::coach::link::{CoachLink, Join, LinkState};
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
    #[command(flatten)]
    pub coach: JoinArgs,
}

/// Joining a class: the same flags in `workshop run` and `workshop tui`.
#[derive(Debug, Args, Default)]
pub struct JoinArgs {
    /// Send this run's progress to the coach's board: the class URL the
    /// coach shows (http://HOST:PORT/class/CODE). Also WORKSHOP_COACH in the
    /// config file.
    #[arg(long, env = "WORKSHOP_COACH", value_name = "URL")]
    pub coach: Option<String>,
    /// The name the coach's board shows for you (with --coach). Also
    /// WORKSHOP_NAME in the config file.
    #[arg(long, env = "WORKSHOP_NAME", value_name = "NAME")]
    pub name: Option<String>,
}

impl JoinArgs {
    /// The class to join, if any: the flags, else the environment, else
    /// the config file. Errors name the flag and the fix. A config file
    /// that cannot be read matters only to a student joining a class (it
    /// may hold the name): without `--coach` it is read as empty, and the
    /// run goes on as it did before classes existed.
    pub(crate) fn join(&self) -> Result<Option<Join>, String> {
        let config = match crate::stack::settings::config_values() {
            Ok(c) => c,
            Err(e) if self.coach.is_some() => return Err(e.to_string()),
            Err(_) => Default::default(),
        };
        Join::resolve(self.coach.clone(), self.name.clone(), &config)
    }
}

/// `workshop run`, or with `prove_teachable` `workshop cases check`: the same
/// walk, plus the proof that no detect check holds before the fault.
pub(crate) async fn run(
    args: RunArgs,
    interrupted: CancellationToken,
    prove_teachable: bool,
) -> anyhow::Result<ExitCode> {
    let (join, cases) = match chosen(&args) {
        Ok(chosen) => chosen,
        Err(code) => return Ok(code),
    };
    // Both ends must answer before anything is injected.
    ApiClient::new(&args.api.api_url).probe("/livez").await?;
    let prometheus = Prometheus::new(&args.prometheus_url)?;
    prometheus.ready().await?;
    let lang = args.lang;
    let run = HeadlessRun {
        api_url: args.api.api_url.clone(),
        prometheus,
        lang,
        stop: interrupted.clone(),
        prove_teachable,
        services: Some(Arc::new(DockerServices::new(lang))),
        coach: join,
    };
    let result = run.run(&cases, |line| println!("{line}")).await;
    if let Some(link) = result.link {
        finish_coach(link, lang).await;
    }
    write_files(&args, &result.outcomes, &result.journal)?;
    for outcome in result.outcomes.iter().filter(|o| !o.examined.is_empty()) {
        print!(
            "{}",
            crate::cases::engine::examine::render(&outcome.examined, lang)
        );
    }
    let passed = result.outcomes.iter().filter(|o| o.passed).count();
    println!(
        "{}",
        summary(
            lang,
            passed,
            result.outcomes.len(),
            interrupted.is_cancelled()
        )
    );
    Ok(if passed == cases.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The class to join and the cases to run, as the flags say; `Err`: the
/// exit code, once the problem is printed.
fn chosen(args: &RunArgs) -> Result<(Option<Join>, Vec<Case>), ExitCode> {
    let join = args.coach.join().map_err(|e| {
        eprintln!("{}", tf(args.lang, E::Error, &[&e]));
        ExitCode::from(2)
    })?;
    let set = CaseSet::load(args.dir.as_deref()).map_err(|problems| {
        eprintln!("{problems}");
        ExitCode::FAILURE
    })?;
    let cases = match &args.case {
        Some(id) => match set.find(id) {
            Ok(c) => vec![c.clone()],
            Err(e) => {
                eprintln!("{}", tf(args.lang, E::Error, &[&e]));
                return Err(ExitCode::from(UnknownCase::EXIT_CODE));
            }
        },
        None => set.cases().to_vec(),
    };
    Ok((join, cases))
}

/// Sends the board what is left, never waiting on it for long, and says
/// what did not reach it.
async fn finish_coach(link: CoachLink, lang: Lang) {
    if link.state() == LinkState::Refused {
        eprintln!("{}", t(lang, E::CoachRefused));
    }
    // The run's result never waits on the coach for more than this.
    let lost = link.finish(Duration::from_secs(3)).await;
    if lost > 0 {
        eprintln!("{}", tf(lang, E::CoachUndelivered, &[&lost]));
    }
}

/// The report and the journal, where the flags ask for them.
fn write_files(
    args: &RunArgs,
    outcomes: &[CaseOutcome],
    journal: &[Stamped],
) -> anyhow::Result<()> {
    let lang = args.lang;
    if let Some(path) = &args.report {
        let records: Vec<CaseRecord> = outcomes.iter().map(CaseRecord::from_outcome).collect();
        let files = report::write(path, report::Kind::Run, &records, lang, Utc::now())
            .map_err(|e| anyhow::anyhow!(tf(lang, E::CannotWriteReport, &[&path.display(), &e])))?;
        for f in files {
            println!("{}", written(lang, &f));
        }
    }
    if let Some(path) = &args.journal {
        std::fs::write(path, report::journal(journal)).map_err(|e| {
            anyhow::anyhow!(tf(lang, E::CannotWriteJournal, &[&path.display(), &e]))
        })?;
    }
    Ok(())
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
    use crate::cases::engine::RunEvent;
    use crate::words::english_leaks;

    /// What `workshop run --lang ru` prints of its own, besides the event
    /// lines (each of them is held to the same in `engine::events`).
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
