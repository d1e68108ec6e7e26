//! `workshop completions SHELL`: the shell's completion script, generated
//! from the same clap definition that parses the command line, so a new flag
//! completes as soon as it exists.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Install (then open a new shell):
  bash        workshop completions bash > ~/.local/share/bash-completion/completions/workshop
  zsh         workshop completions zsh > ~/.zfunc/_workshop
              (and in ~/.zshrc, before compinit: fpath+=~/.zfunc)
  fish        workshop completions fish > ~/.config/fish/completions/workshop.fish
  powershell  workshop completions powershell >> $PROFILE
  elvish      workshop completions elvish >> ~/.config/elvish/rc.elv")]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

pub(super) fn run(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    // Rendered whole before printing: clap_complete panics on a write error,
    // and `workshop completions bash | head` closes the pipe early.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "workshop", &mut script);
    write_stdout(&script).context("cannot print the completion script")?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `bytes`; a reader that went away early (a closed pipe) is not an error.
pub(super) fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
