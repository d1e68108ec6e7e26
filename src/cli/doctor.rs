//! `workshop doctor`: flags and output; the checks live in [`crate::doctor`].

use std::process::ExitCode;

use clap::Args;

use super::stack::stack_settings;
use crate::doctor;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print a JSON array of {check, status, finding, fix} instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Exit 0 when nothing blocks the workshop, 1 when something does (in both
/// output forms).
pub(super) async fn run(args: DoctorArgs) -> anyhow::Result<ExitCode> {
    let checks = doctor::examine(&stack_settings(None)?).await;
    if args.json {
        println!("{}", doctor::render_json(&checks)?);
    } else {
        print!("{}", doctor::render_text(&checks));
    }
    Ok(if doctor::blocks(&checks) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
