//! The stack's commands as a student runs them: `up`, `down`, `status`,
//! `logs` on a [`Runtime`], with what they print and the exit code. The
//! printing lives here, in the CLI; the stack itself only returns data.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

use futures::StreamExt;
use tokio::sync::broadcast;

use crate::stack::model::mib;
use crate::stack::{
    Choice, LogRequest, Runtime, StackError, StackEvent, StackSettings, StackStatus,
};

/// `workshop up`.
#[derive(Debug, Clone)]
pub(super) struct UpOptions {
    pub choice: Choice,
    pub settings: StackSettings,
}

/// Brings the stack up, printing progress on stderr and the status on stdout.
/// With the local backend the children live as long as this process, so it
/// stays in the foreground, printing what happens, until Ctrl-C.
/// Brings the stack up and prints its status; a local stack then runs
/// until `shutdown` (Ctrl-C, SIGTERM, SIGHUP), and is stopped (children
/// gone, ports free, cgroup removed).
pub(super) async fn up(
    opts: UpOptions,
    shutdown: CancellationToken,
) -> Result<ExitCode, StackError> {
    let started = std::time::Instant::now();
    let runtime = Runtime::open(opts.choice, opts.settings).await?;
    let printer = tokio::spawn(print_events(runtime.subscribe()));
    let result = runtime.up().await;
    let skipped = match result {
        Ok(s) => s,
        Err(e) => {
            printer.abort();
            return Err(e);
        }
    };
    let status = runtime.status().await?;
    print!("{}", render_status(&status));
    for s in skipped {
        eprintln!("note: {s} was not started (see above); the workshop works without it");
    }
    eprintln!("stack healthy in {:.1} s", started.elapsed().as_secs_f64());
    // A new session begins with no fault injected; faults outlive restarts.
    let (api_url, _) = runtime.urls();
    match crate::client::ApiClient::new(&api_url)
        .clear_leftover_faults()
        .await
    {
        Ok(Some(cleared)) => eprintln!(
            "cleared the faults an earlier session left injected: {}",
            cleared.join(", ")
        ),
        Ok(None) => {}
        Err(e) => eprintln!("note: could not check for faults left injected: {e}"),
    }
    if let Runtime::Local(_) = runtime {
        eprintln!("local stack running; Ctrl-C stops it");
        shutdown.cancelled().await;
        eprintln!("stopping…");
        runtime.down(false).await?;
    }
    printer.abort();
    Ok(ExitCode::SUCCESS)
}

async fn print_events(mut rx: broadcast::Receiver<StackEvent>) {
    loop {
        match rx.recv().await {
            Ok(StackEvent::Ready) => {}
            Ok(e) => eprintln!("  {e}"),
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// `workshop down [-v]`.
pub(super) async fn down(
    choice: Choice,
    settings: StackSettings,
    volumes: bool,
) -> Result<ExitCode, StackError> {
    let runtime = Runtime::open(choice, settings).await?;
    let removed = runtime.down(volumes).await?;
    if removed.containers.is_empty() && removed.networks.is_empty() && removed.volumes.is_empty() {
        println!("nothing to remove");
    }
    for (what, names) in [
        ("removed", &removed.containers),
        ("removed network", &removed.networks),
        ("removed volume", &removed.volumes),
    ] {
        for n in names {
            println!("{what} {n}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `workshop status [--json]`.
pub(super) async fn status(
    choice: Choice,
    settings: StackSettings,
    json: bool,
) -> Result<ExitCode, StackError> {
    let runtime = Runtime::open(choice, settings).await?;
    let status = runtime.status().await?;
    if json {
        let text = serde_json::to_string_pretty(&status).map_err(|e| StackError::Io {
            doing: "writing the status as JSON".into(),
            source: std::io::Error::other(e),
        })?;
        println!("{text}");
    } else {
        print!("{}", render_status(&status));
    }
    Ok(ExitCode::SUCCESS)
}

/// `workshop logs SERVICE [--tail N] [-f]`.
pub(super) async fn logs(
    choice: Choice,
    settings: StackSettings,
    service: &str,
    req: LogRequest,
) -> Result<ExitCode, StackError> {
    let runtime = Runtime::open(choice, settings).await?;
    let mut lines = runtime.logs(service, req)?;
    let mut out = std::io::stdout().lock();
    while let Some(line) = lines.next().await {
        // A closed pipe (`| head`) ends the command quietly.
        if writeln!(out, "{}", line?).is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The status as a table people read (and scripts can still cut).
pub(super) fn render_status(s: &StackStatus) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "stack {} ({})", s.project, s.backend);
    let _ = writeln!(
        out,
        "{:<12} {:<13} {:<10} {:>8} {:>4}  {:<19} URL",
        "SERVICE", "STATE", "HEALTH", "RESTARTS", "OOM", "MEMORY"
    );
    for svc in &s.services {
        let memory = match (svc.memory_bytes, svc.memory_limit_bytes) {
            (Some(m), Some(l)) => format!("{} / {}", mib(m), mib(l)),
            (Some(m), None) => mib(m),
            (None, Some(l)) => format!("- / {}", mib(l)),
            (None, None) => "-".into(),
        };
        let _ = writeln!(
            out,
            "{:<12} {:<13} {:<10} {:>8} {:>4}  {:<19} {}",
            svc.name,
            svc.state.to_string(),
            svc.health.to_string(),
            svc.restarts,
            svc.oom_kills,
            memory,
            svc.url.as_deref().unwrap_or("-")
        );
        if let Some(why) = &svc.last_exit {
            let _ = writeln!(out, "{:<12} last exit: {why}", "");
        }
    }
    if let Some((user, password)) = &s.grafana_login {
        let _ = writeln!(out, "Grafana login: {user} / {password}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::model::{Backend, Health, ServiceState, ServiceStatus};
    use crate::stack::{Exit, Service};

    #[test]
    fn the_status_table_shows_restarts_oom_kills_and_memory_against_the_limit() {
        let status = StackStatus {
            backend: Backend::Docker,
            project: "workshop".into(),
            services: vec![ServiceStatus {
                state: ServiceState::Running,
                health: Health::Healthy,
                restarts: 1,
                oom_kills: 1,
                last_exit: Some(Exit::OomKilled { signal: 9 }),
                memory_bytes: Some(30 * 1024 * 1024),
                memory_limit_bytes: Some(256 * 1024 * 1024),
                url: Some("http://127.0.0.1:5000".into()),
                ..ServiceStatus::missing(Service::app(1))
            }],
            grafana_login: None,
        };
        let text = render_status(&status);
        assert!(text.contains("app-1"), "{text}");
        assert!(text.contains("30 MiB / 256 MiB"), "{text}");
        assert!(
            text.contains("last exit: signal 9 (killed by the kernel at its memory limit)"),
            "{text}"
        );
        let row = text
            .lines()
            .find(|l| l.starts_with("app-1"))
            .unwrap_or_default();
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            &cols[..5],
            ["app-1", "running", "healthy", "1", "1"],
            "{row}"
        );
    }
}
