//! `workshop man`: the manual page in roff, generated from the clap
//! definition, so `man workshop` says what `workshop --help` says.
//!
//! Without flags it prints workshop(1) to stdout (`workshop man | man -l -`);
//! with `--out-dir` it writes one page per command (workshop.1,
//! workshop-up.1, workshop-cases-list.1, …), the set the release archives carry.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Command, CommandFactory};

use super::Cli;
use super::completions::write_stdout;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Read it now:      workshop man | man -l -
Install for you:  workshop man --out-dir ~/.local/share/man/man1   (then: man workshop-up)")]
pub struct ManArgs {
    /// Write workshop.1 and one page per subcommand into this directory
    /// (created if missing) instead of printing workshop(1).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// The manual every page names in its header.
const MANUAL: &str = "Workshop Manual";

/// A page of the manual: clap_mangen's, with the header every page shares
/// (a subcommand has no version of its own to name).
fn page(command: Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command)
        .manual(MANUAL)
        .source(concat!("workshop ", env!("CARGO_PKG_VERSION")))
        .date(page_date())
}

/// The date in the page's footer: `$SOURCE_DATE_EPOCH` when set (the
/// reproducible-builds convention; the release workflow sets it to the tagged
/// commit's time), else today. It must not be empty: `.TH` arguments are
/// separated by spaces, so an empty date would shift the source and the
/// manual's name into the wrong places.
fn page_date() -> String {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    let when = epoch
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .unwrap_or_else(chrono::Utc::now);
    when.format("%Y-%m-%d").to_string()
}

pub(super) fn run(args: ManArgs) -> anyhow::Result<ExitCode> {
    match args.out_dir {
        None => {
            let mut roff = Vec::new();
            page(documented_command())
                .render(&mut roff)
                .context("cannot render the manual page")?;
            write_stdout(&roff).context("cannot print the manual page")?;
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            let mut written = Vec::new();
            write_pages(documented_command(), &dir, &mut written)
                .with_context(|| format!("cannot write the manual pages into {}", dir.display()))?;
            for page in written {
                println!("{}", page.display());
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The command line as the pages describe it: built once from the top, so
/// each subcommand knows its full name (workshop-cases-list) before it gets
/// a page of its own; without clap's `help` subcommand, which would be
/// named on every page but have none (`--help` is on every page instead).
fn documented_command() -> Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// A page for `command`, then one for each visible subcommand, depth first.
fn write_pages(command: Command, dir: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let subcommands: Vec<Command> = command
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    written.push(page(command).generate_to(dir)?);
    for sub in subcommands {
        write_pages(sub, dir, written)?;
    }
    Ok(())
}
