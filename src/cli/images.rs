//! `workshop images`: the stack's images — which, whether here, and the
//! classroom's ways to get them (pull, save to one file, load from it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use super::stack::stack_settings;
use crate::stack::images::{StackImage, stack_images};
use crate::stack::{DockerStack, StackError, StackEvent, checksum_file};

#[derive(Debug, Subcommand)]
pub enum ImagesCommand {
    /// Each image of the stack: its name, whether it is here, its size, where it comes from.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Get every missing image: pulled (through WORKSHOP_REGISTRY when set), the app built.
    Pull,
    /// Write every image of the stack into FILE (plus FILE.sha256), for `images load`.
    Save { file: PathBuf },
    /// Load the images from a FILE `images save` wrote, after checking FILE.sha256.
    Load {
        file: PathBuf,
        /// Load without checking FILE.sha256 (when only the bundle was copied).
        #[arg(long)]
        no_verify: bool,
    },
}

#[derive(Debug, Serialize)]
struct Row {
    #[serde(flatten)]
    image: StackImage,
    present: bool,
    size_bytes: Option<i64>,
}

pub(super) async fn run(cmd: ImagesCommand) -> anyhow::Result<ExitCode> {
    let stack = DockerStack::connect(stack_settings(None)?).await?;
    let printer = tokio::spawn(print_progress(stack.subscribe()));
    let result = dispatch(&stack, cmd).await;
    printer.abort();
    result
}

async fn dispatch(stack: &DockerStack, cmd: ImagesCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImagesCommand::List { json } => list(stack, json).await,
        ImagesCommand::Pull => pull(stack).await,
        ImagesCommand::Save { file } => save(stack, &file).await,
        ImagesCommand::Load { file, no_verify } => load(stack, &file, !no_verify).await,
    }
}

/// `images list`: each image of the stack, whether it is here, its size.
async fn list(stack: &DockerStack, json: bool) -> anyhow::Result<ExitCode> {
    let mut rows = Vec::new();
    for image in stack_images(stack.settings()) {
        let inspect = stack.docker().inspect_image(&image.reference).await.ok();
        rows.push(Row {
            present: inspect.is_some(),
            size_bytes: inspect.and_then(|i| i.size),
            image,
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        println!(
            "{:<11} {:<40} {:<8} {:>9}  ORIGIN",
            "SERVICE", "IMAGE", "HERE", "SIZE"
        );
        for r in &rows {
            let size = r
                .size_bytes
                .map(|b| format!("{} MB", b / 1_000_000))
                .unwrap_or_else(|| "-".into());
            let origin = serde_json::to_value(r.image.origin)?;
            println!(
                "{:<11} {:<40} {:<8} {:>9}  {}{}",
                r.image.service,
                r.image.reference,
                if r.present { "yes" } else { "no" },
                size,
                origin.as_str().unwrap_or("-"),
                if r.image.optional { " (optional)" } else { "" }
            );
        }
        if let Some(reg) = &stack.settings().registry {
            println!("missing images are pulled through the classroom mirror {reg}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `images pull`: every image made ready; an optional one may be missing.
async fn pull(stack: &DockerStack) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for image in stack_images(stack.settings()) {
        match stack.obtain(&image).await {
            Ok(()) => println!("{:<11} {} ready", image.service, image.reference),
            Err(e @ StackError::ImageMissing { .. }) if image.optional => {
                println!("{:<11} not available (optional): {e}", image.service);
            }
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `images save FILE`: the coach's bundle, with its checksum beside it.
async fn save(stack: &DockerStack, file: &Path) -> anyhow::Result<ExitCode> {
    let saved = stack.save_images(file).await?;
    for i in &saved.images {
        println!("saved {i}");
    }
    for i in &saved.left_out {
        println!("left out {i}: not on this machine (optional; the stack runs without it)");
    }
    println!(
        "{}: {:.1} MB, sha256 {} (in {})",
        saved.file.display(),
        saved.bytes as f64 / 1e6,
        saved.sha256,
        checksum_file(&saved.file).display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `images load FILE`: the bundle into the engine, warning of images built
/// for another architecture.
async fn load(stack: &DockerStack, file: &Path, verify: bool) -> anyhow::Result<ExitCode> {
    let loaded = stack.load_images(file, verify).await?;
    let engine_arch = stack.docker().version().await.ok().and_then(|v| v.arch);
    for i in loaded {
        println!("loaded {i}");
        let arch = stack
            .docker()
            .inspect_image(&i)
            .await
            .ok()
            .and_then(|x| x.architecture);
        if let (Some(image), Some(engine)) = (&arch, &engine_arch)
            && image != engine
        {
            eprintln!(
                "warning: {i} is built for {image}, this engine runs {engine}: it runs \
                 emulated, slower and with noisier latency graphs. Ask the coach for a \
                 bundle made on a {engine} machine."
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn print_progress(mut rx: tokio::sync::broadcast::Receiver<StackEvent>) {
    use tokio::sync::broadcast::error::RecvError;
    loop {
        match rx.recv().await {
            Ok(StackEvent::Progress { service, message }) => eprintln!("  {service}: {message}"),
            Ok(_) | Err(RecvError::Lagged(_)) => {}
            Err(RecvError::Closed) => return,
        }
    }
}
