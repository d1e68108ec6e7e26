//! `workshop cases …`: list, show, validate and export the failure cases.
//!
//! Without `--dir` the cases embedded in the binary are used, so the commands
//! work from any directory; `--dir` reads an instructor's own folder.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};

use crate::cases::{CaseSet, Lang, Problems, UnknownCase, export};

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// List the cases in session order.
    List(ListArgs),
    /// Print one case: briefing, phases, checks, hints, questions.
    Show(ShowArgs),
    /// Check case files; exit 0 when all are valid, 1 with every problem found.
    Validate(ValidateArgs),
    /// Write one Markdown page per case and language (`<out>/<id>.md`, `<out>/ru/<id>.md`).
    Export(ExportArgs),
    /// Prove cases teachable against a running API and Prometheus: detect
    /// checks fail at baseline, pass after injection, recovery restores it.
    /// Prints what each check's query returned in each phase.
    Check(super::run::RunArgs),
    /// Print the JSON Schema of the case format (`cases/case.schema.json`),
    /// for editors with the YAML language server.
    Schema,
    /// Write a new case that validates, every text marked to fill in, and
    /// the schema beside it: `DIR/NN-ID.yaml`.
    New(NewArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The new case's id, kebab-case: `db-fail`.
    pub id: String,
    /// The folder of the case (created if missing); the new case is ordered
    /// after the ones already there.
    #[arg(long, value_name = "DIR", default_value = "cases")]
    pub dir: PathBuf,
    /// Start from this case instead of the skeleton: one of DIR, else a
    /// built-in one (`workshop cases list`).
    #[arg(long, value_name = "CASE")]
    pub from: Option<String>,
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Read the cases from this folder instead of the ones built in.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Language of the titles: en or ru.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Case id, e.g. `latency` (see `workshop cases list`).
    pub id: String,
    /// Language: en or ru.
    #[arg(long, default_value = "en")]
    pub lang: Lang,
    #[command(flatten)]
    pub source: SourceArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// The folder as a bare argument, as before `--dir` (kept so old
    /// instructions still work).
    #[arg(hide = true, conflicts_with = "dir")]
    pub folder: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// Markdown.
    Md,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "md")]
    pub format: ExportFormat,
    /// Output folder.
    #[arg(long, default_value = "docs/cases")]
    pub out: PathBuf,
    #[command(flatten)]
    pub source: SourceArgs,
}

/// Prints every problem to stderr; the caller exits 1.
fn report(problems: &Problems) -> ExitCode {
    eprintln!("{problems}");
    ExitCode::FAILURE
}

pub(crate) async fn run(
    command: CasesCommand,
    interrupted: tokio_util::sync::CancellationToken,
) -> anyhow::Result<ExitCode> {
    match command {
        CasesCommand::Check(args) => super::run::run(args, interrupted, true).await,
        CasesCommand::List(args) => {
            let set = match CaseSet::load(args.source.dir.as_deref()) {
                Ok(set) => set,
                Err(p) => return Ok(report(&p)),
            };
            print!("{}", list(&set, args.lang));
            Ok(ExitCode::SUCCESS)
        }
        CasesCommand::Show(args) => {
            let set = match CaseSet::load(args.source.dir.as_deref()) {
                Ok(set) => set,
                Err(p) => return Ok(report(&p)),
            };
            match set.find(&args.id) {
                Ok(case) => {
                    print!("{}", export::markdown(case, args.lang));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(UnknownCase::EXIT_CODE))
                }
            }
        }
        CasesCommand::Schema => {
            print!("{}", crate::cases::schema::text());
            Ok(ExitCode::SUCCESS)
        }
        CasesCommand::New(args) => new(&args),
        CasesCommand::Validate(args) => {
            let dir = args.source.dir.or(args.folder);
            validate(dir)
        }
        CasesCommand::Export(args) => {
            let set = match CaseSet::load(args.source.dir.as_deref()) {
                Ok(set) => set,
                Err(p) => return Ok(report(&p)),
            };
            match args.format {
                ExportFormat::Md => {
                    let written = export::write_markdown(&set, &args.out).map_err(|e| {
                        anyhow::anyhow!("cannot write to {}: {e}", args.out.display())
                    })?;
                    for path in written {
                        println!("wrote {}", path.display());
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `cases new ID [--dir DIR] [--from CASE]`: says what it wrote and what next.
fn new(args: &NewArgs) -> anyhow::Result<ExitCode> {
    match crate::cases::scaffold::new_case(&args.id, &args.dir, args.from.as_deref()) {
        Ok(w) => {
            println!(
                "wrote {} (case {}, order {})",
                w.case.display(),
                args.id,
                w.order
            );
            if let Some(schema) = w.schema {
                println!(
                    "wrote {} (your editor completes the fields from it)",
                    schema.display()
                );
            }
            let dir = args.dir.display();
            println!(
                "next: replace each FILL IN / ЗАПОЛНИТЬ, then `workshop cases validate --dir {dir}`"
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(crate::cases::scaffold::ScaffoldError::From(e)) => {
            eprintln!("error: --from: {e}");
            Ok(ExitCode::from(UnknownCase::EXIT_CODE))
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::FAILURE)
        }
    }
}

/// `cases validate [--dir DIR]`: exit 0 with the ids, or 1 with every problem.
fn validate(dir: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    match CaseSet::load(dir.as_deref()) {
        Ok(set) => {
            for w in set.warnings() {
                eprintln!("warning: {w}");
            }
            let where_ = dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_else(|| "built in".to_string());
            println!(
                "{} {} valid ({where_}): {}",
                set.cases().len(),
                if set.cases().len() == 1 {
                    "case"
                } else {
                    "cases"
                },
                set.ids().join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(p) => Ok(report(&p)),
    }
}

/// One line per case: order, id, minutes, title. Stable enough to script.
pub(crate) fn list(set: &CaseSet, lang: Lang) -> String {
    let width = set.ids().iter().map(|id| id.len()).max().unwrap_or(2);
    let mut out = String::new();
    for c in set.cases() {
        out.push_str(&format!(
            "{:>2}  {:<width$}  {:>3} min  {}\n",
            c.order,
            c.id,
            c.est_minutes,
            c.title.get(lang)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_shows_every_shipped_case_in_order_in_the_language_asked() {
        let set = CaseSet::shipped().expect("shipped cases are valid");
        let en = list(&set, Lang::En);
        let ru = list(&set, Lang::Ru);
        let first_words: Vec<&str> = en
            .lines()
            .map(|l| l.split_whitespace().nth(1).unwrap_or(""))
            .collect();
        assert_eq!(
            first_words,
            [
                "latency",
                "error-rate",
                "db-slow",
                "memory-leak",
                "chaos-mix",
                "db-fail"
            ]
        );
        assert!(en.contains("Slow payments on the eve of the sale"), "{en}");
        assert!(ru.contains("Медленные платежи накануне распродажи"), "{ru}");
    }
}
