//! `workshop doctor`: the pre-flight check a coach sends students the day
//! before the workshop.
//!
//! It only reads and probes: no pull, no build, no container, no cgroup is
//! made; a port is bound for an instant and released; a registry is asked
//! for `/v2/` or merely connected to. Each check is a pure function over
//! facts gathered first, so the decisions are unit-tested without the machine.
//!
//! Files, one group of checks each: [`engine`] (the Docker engine and its
//! memory limits), [`host`] (ports, RAM, disk, local mode), [`images`] (the
//! stack's images and the classroom mirror), [`terminal`] (size, locale,
//! colours).
//!
//! What blocks the workshop (a `fail`, exit 1) — everything else is at most a
//! `warn` that does not:
//!
//! - no Docker engine *and* no local mode (local mode needs only this binary,
//!   so in practice: the binary cannot find itself);
//! - an engine that cannot limit memory (the leak lesson would eat the laptop
//!   instead of being OOM-killed at 256 MiB);
//! - a port of the stack taken by something other than this project's stack;
//! - less than 2 GB of free disk (the images alone do not fit);
//! - a required image that is not here and cannot be had from here: its
//!   registry does not answer, no checkout to build the app from, or a
//!   debootstrap image never made;
//! - `WORKSHOP_REGISTRY` set to a mirror that does not answer, or that the
//!   engine refuses to speak plain HTTP to; `WORKSHOP_SOURCE` not a checkout.
//!
//! Warnings: Docker missing while local mode works, images that `up` still
//! has to pull or build (network, minutes), little RAM or disk, local mode
//! without Prometheus or without a cgroup (when local mode is what will run),
//! the optional Grafana image, and anything about the terminal.

mod engine;
mod host;
mod images;
mod ports;
mod registry;
mod terminal;

use serde::Serialize;

use crate::stack::StackSettings;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Status {
    Ok,
    /// Worth fixing; the workshop still runs.
    Warn,
    /// The workshop cannot run as it is.
    Fail,
}

impl Status {
    fn mark(self) -> &'static str {
        match self {
            Status::Ok => "✔",
            Status::Warn => "!",
            Status::Fail => "✘",
        }
    }
}

/// One finding: what was checked, how it came out, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Check {
    /// A stable name: `engine`, `port-api`, `image-db`…
    pub check: String,
    pub status: Status,
    /// One line, for people.
    pub finding: String,
    /// What to do; always set for `warn` and `fail`.
    pub fix: Option<String>,
}

impl Check {
    pub(crate) fn ok(check: impl Into<String>, finding: impl Into<String>) -> Self {
        Self {
            check: check.into(),
            status: Status::Ok,
            finding: finding.into(),
            fix: None,
        }
    }

    pub(crate) fn warn(
        check: impl Into<String>,
        finding: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            status: Status::Warn,
            fix: Some(fix.into()),
            ..Self::ok(check, finding)
        }
    }

    pub(crate) fn fail(
        check: impl Into<String>,
        finding: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            status: Status::Fail,
            fix: Some(fix.into()),
            ..Self::ok(check, finding)
        }
    }
}

/// True when anything fails: the exit code is 1.
pub(crate) fn blocks(checks: &[Check]) -> bool {
    checks.iter().any(|c| c.status == Status::Fail)
}

/// Every check on this machine, in the order a person reads them: the
/// engine, what it can do, the host, the images, local mode, the terminal.
pub(crate) async fn examine(settings: &StackSettings) -> Vec<Check> {
    let env = |k: &str| std::env::var(k).ok();
    let local = host::LocalFacts::gather();
    let found = engine::EngineFacts::gather(settings).await;
    let docker = found.as_ref().ok();
    let mut checks = vec![engine::check_engine(&found, local.program_found())];
    if let Some(e) = docker {
        checks.push(engine::check_memory_limits(e.info.as_ref()));
    }
    let own_ports = docker.map(|e| e.own_ports.as_slice()).unwrap_or_default();
    for port in crate::stack::ports::stack_ports(settings) {
        let taken = crate::stack::ports::bind_error(&settings.bind, port.number);
        let suggestion = taken
            .is_some()
            .then(|| crate::stack::ports::free_port_near(&settings.bind, port.number))
            .flatten();
        checks.push(ports::check_port(
            &port,
            taken.as_deref(),
            own_ports.contains(&port.number),
            suggestion,
            std::env::consts::OS,
        ));
    }
    let info = docker.and_then(|e| e.info.as_ref());
    checks.push(host::check_memory(host::MemoryFacts::gather(info)));
    checks.push(host::check_disk(&host::DiskFacts::gather(info)));
    checks.extend(images::examine(settings, docker).await);
    checks.push(host::check_local_prometheus(&local, docker.is_some()));
    checks.push(host::check_local_memory_limit(&local, docker.is_some()));
    let term = terminal::TerminalFacts::gather(env);
    checks.push(terminal::check_size(&term));
    checks.push(terminal::check_locale(&term));
    checks.push(terminal::check_colour(&term));
    checks
}

/// The report for people: a mark and the finding per line, the fix indented
/// below it, then one line on whether anything blocks.
pub(crate) fn render_text(checks: &[Check]) -> String {
    let width = checks.iter().map(|c| c.check.len()).max().unwrap_or(0);
    let mut out = String::new();
    for c in checks {
        out.push_str(&format!(
            "{} {:<width$}  {}\n",
            c.status.mark(),
            c.check,
            c.finding
        ));
        if let Some(fix) = c.fix.as_ref().filter(|_| c.status != Status::Ok) {
            out.push_str(&format!("  {:<width$}  fix: {fix}\n", ""));
        }
    }
    let failed: Vec<&str> = checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .map(|c| c.check.as_str())
        .collect();
    let warned = checks.iter().filter(|c| c.status == Status::Warn).count();
    if failed.is_empty() {
        out.push_str(&format!(
            "\nready: nothing blocks the workshop ({warned} warning{})\n",
            if warned == 1 { "" } else { "s" }
        ));
    } else {
        out.push_str(&format!(
            "\nnot ready: {} block{} the workshop: {}\n",
            failed.len(),
            if failed.len() == 1 { "s" } else { "" },
            failed.join(", ")
        ));
    }
    out
}

/// The same report as a JSON array of `{check, status, finding, fix}`.
pub(crate) fn render_json(checks: &[Check]) -> serde_json::Result<String> {
    serde_json::to_string_pretty(checks)
}

/// Bytes for people: "3.2 GB".
pub(crate) fn gb(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_failure_blocks_the_workshop() {
        let warned = vec![
            Check::ok("engine", "found"),
            Check::warn("locale", "not UTF-8", "export LANG=C.UTF-8"),
        ];
        assert!(!blocks(&warned));
        let mut failed = warned.clone();
        failed.push(Check::fail("port-api", "taken", "WORKSHOP_PORT_API=5050"));
        assert!(blocks(&failed));
    }

    #[test]
    fn the_text_report_puts_the_fix_under_the_finding_and_ends_with_the_verdict() {
        let text = render_text(&[
            Check::ok("engine", "Docker on Linux, API 1.47"),
            Check::fail("port-api", "5000 is taken", "WORKSHOP_PORT_API=5050"),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("✔ engine"), "{text}");
        assert!(lines[1].starts_with("✘ port-api"), "{text}");
        assert!(
            lines[2]
                .trim_start()
                .starts_with("fix: WORKSHOP_PORT_API=5050"),
            "{text}"
        );
        assert_eq!(
            lines.last(),
            Some(&"not ready: 1 blocks the workshop: port-api")
        );
    }

    #[test]
    fn the_json_report_has_the_four_fields_and_lowercase_statuses() {
        let json =
            render_json(&[Check::warn("locale", "C", "export LANG=C.UTF-8")]).expect("serialises");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(
            v,
            serde_json::json!([{
                "check": "locale",
                "status": "warn",
                "finding": "C",
                "fix": "export LANG=C.UTF-8"
            }])
        );
    }
}
