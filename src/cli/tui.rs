//! `workshop tui` (and `workshop` alone): flags → [`crate::tui::run`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use tokio_util::sync::CancellationToken;

use super::run::JoinArgs;
use crate::cases::Lang;
use crate::logging;
use crate::stack::{Choice, StackSettings};
use crate::tui::{self, Mode, Options, progress::Progress, text, theme::Theme};

/// The console's log file, beside its progress file.
const LOG_FILE: &str = "console.log";

#[derive(Debug, Args, Default)]
pub struct TuiArgs {
    /// Run without Docker: `workshop serve` (and `prometheus` if on PATH) as local processes.
    #[arg(long, conflicts_with_all = ["docker", "attach"])]
    pub local: bool,
    /// Insist on Docker (default: Docker when an engine answers, else local).
    #[arg(long, conflicts_with = "attach")]
    pub docker: bool,
    /// Use a stack that already runs elsewhere; nothing is started or stopped.
    #[arg(long, requires = "api_url")]
    pub attach: bool,
    /// The API of an attached stack.
    #[arg(long, env = "WORKSHOP_API_URL")]
    pub api_url: Option<String>,
    /// Prometheus of an attached stack (without it, /metrics is scraped directly).
    #[arg(long, env = "WORKSHOP_PROMETHEUS_URL")]
    pub prometheus_url: Option<String>,
    /// Language: en or ru (default: from LANG).
    #[arg(long)]
    pub lang: Option<Lang>,
    /// Read the cases from this folder instead of the ones built in.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub coach: JoinArgs,
}

pub(crate) async fn run(args: TuiArgs, shutdown: CancellationToken) -> anyhow::Result<ExitCode> {
    let env = |k: &str| std::env::var(k).ok();
    let lang = text::lang_from_env(args.lang, env);
    let coach = match args.coach.join() {
        Ok(j) => j,
        Err(e) => {
            eprintln!("{}", crate::words::tf(lang, crate::words::E::Error, &[&e]));
            return Ok(ExitCode::from(2));
        }
    };
    let set = match crate::cases::CaseSet::load(args.dir.as_deref()) {
        Ok(s) => s,
        Err(problems) => {
            eprintln!("{problems}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mode = if args.attach {
        Mode::Attach {
            api_url: args.api_url.clone().unwrap_or_default(),
            prometheus_url: args.prometheus_url.clone(),
        }
    } else if args.local {
        Mode::Managed(Choice::Local)
    } else if args.docker {
        Mode::Managed(Choice::Docker)
    } else {
        Mode::Managed(Choice::Auto)
    };
    let progress_path = Progress::default_path();
    // No log file is no reason not to run: the console only loses its notes.
    let _ = logging::init_file(&progress_path.with_file_name(LOG_FILE));
    let finished = tui::run(Options {
        mode,
        lang,
        settings: StackSettings::from_env()?,
        cases: set.cases().to_vec(),
        progress_path,
        theme: Theme::from_env(env),
        shutdown,
        coach,
    })
    .await?;
    if let Some(report) = finished.report {
        println!(
            "{}",
            text::tf(lang, text::T::SessionReport, &[&report.display()])
        );
    }
    println!("{}", finished.note);
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn no_command_opens_the_console() {
        let cli = Cli::try_parse_from(["workshop"]).expect("parses");
        assert!(cli.command.is_none());
        let cli =
            Cli::try_parse_from(["workshop", "tui", "--local", "--lang", "ru"]).expect("parses");
        assert!(
            matches!(cli.command, Some(Command::Tui(a)) if a.local && a.lang == Some(crate::cases::Lang::Ru))
        );
    }

    #[test]
    fn the_console_and_a_run_join_a_class_with_the_same_flags() {
        let url = "http://192.168.1.20:7070/class/K7P2QX";
        let tui = Cli::try_parse_from(["workshop", "tui", "--coach", url, "--name", "Ana"])
            .expect("parses");
        assert!(matches!(
            tui.command,
            Some(Command::Tui(a)) if a.coach.coach.as_deref() == Some(url)
                && a.coach.name.as_deref() == Some("Ana")
        ));
        let run = Cli::try_parse_from([
            "workshop", "run", "latency", "--coach", url, "--name", "Ana",
        ])
        .expect("parses");
        assert!(matches!(
            run.command,
            Some(Command::Run(a)) if a.coach.coach.as_deref() == Some(url)
        ));
    }

    #[test]
    fn backends_exclude_each_other_and_attach_needs_an_api() {
        assert!(Cli::try_parse_from(["workshop", "tui", "--local", "--docker"]).is_err());
        assert!(Cli::try_parse_from(["workshop", "tui", "--attach"]).is_err());
        let attach = Cli::try_parse_from([
            "workshop",
            "tui",
            "--attach",
            "--api-url",
            "http://10.0.0.5:5000",
        ]);
        assert!(attach.is_ok());
    }
}
