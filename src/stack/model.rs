//! What the stack reports: plain data, no I/O, so the CLI prints it and the
//! console renders it without knowing which backend produced it.

use std::fmt;

use serde::Serialize;

use super::exit::Exit;
use super::service::Service;
use crate::cases::bilingual::Lang;
use crate::words::{T, X, t, tf};

/// Which backend runs the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Docker,
    Local,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Docker => "docker",
            Backend::Local => "local",
        })
    }
}

/// The lifecycle state of one service, reduced to what a student acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceState {
    Running,
    Restarting,
    /// Created or stopped: exists but does not run.
    Stopped,
    /// Exited on its own (see the exit code).
    Exited,
    /// Not created: e.g. `up` has not run, or `down` removed it.
    Missing,
    /// Its image is not on this machine and cannot be pulled; skipped by `up`.
    ImageMissing,
}

impl fmt::Display for ServiceState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServiceState::Running => "running",
            ServiceState::Restarting => "restarting",
            ServiceState::Stopped => "stopped",
            ServiceState::Exited => "exited",
            ServiceState::Missing => "missing",
            ServiceState::ImageMissing => "image missing",
        })
    }
}

/// Health as the service's own check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Starting,
    Healthy,
    Unhealthy,
    /// The service has no health check, or does not run.
    Unknown,
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Health::Starting => "starting",
            Health::Healthy => "healthy",
            Health::Unhealthy => "unhealthy",
            Health::Unknown => "-",
        })
    }
}

/// One service (one replica of `app` counts as one service: `app-2`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceStatus {
    /// `db`, `app-1`, `prometheus`, `grafana`.
    pub name: Service,
    pub state: ServiceState,
    pub health: Health,
    /// Restarts done by the restart policy (Docker) or the supervisor (local).
    pub restarts: u64,
    /// Kills by the kernel at the memory limit, as far as the backend can see.
    pub oom_kills: u64,
    /// Why it last stopped.
    pub last_exit: Option<Exit>,
    pub memory_bytes: Option<u64>,
    pub memory_limit_bytes: Option<u64>,
    /// Where a person reaches it from this machine, if it is published.
    pub url: Option<String>,
    pub image: Option<String>,
}

impl ServiceStatus {
    /// A service that does not exist (yet).
    pub fn missing(name: Service) -> Self {
        Self {
            name,
            state: ServiceState::Missing,
            health: Health::Unknown,
            restarts: 0,
            oom_kills: 0,
            last_exit: None,
            memory_bytes: None,
            memory_limit_bytes: None,
            url: None,
            image: None,
        }
    }
}

/// The whole stack at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackStatus {
    pub backend: Backend,
    pub project: String,
    pub services: Vec<ServiceStatus>,
    /// Grafana's login (user, password), shown when Grafana runs.
    pub grafana_login: Option<(String, String)>,
}

impl StackStatus {
    /// The service named `name` as people type it (`app-1`, `grafana`).
    pub fn service(&self, name: &str) -> Option<&ServiceStatus> {
        let wanted: Service = name.parse().ok()?;
        self.of(wanted)
    }

    pub fn of(&self, service: Service) -> Option<&ServiceStatus> {
        self.services.iter().find(|s| s.name == service)
    }

    /// Every replica of the app, whatever its state.
    pub fn apps(&self) -> impl Iterator<Item = &ServiceStatus> {
        self.services.iter().filter(|s| s.name.is_app())
    }
}

/// Something that happened to the stack, in the order it happened.
///
/// Sent on a `tokio::sync::broadcast` channel: many readers (the CLI's
/// progress printer, the console's status bar, a test) and a slow reader
/// loses old events rather than stalling the stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum StackEvent {
    /// A step of `up`/`down`: "creating container", "waiting for health"…
    Progress {
        service: String,
        message: String,
    },
    /// The service's process ended. `exit_code` is None when a signal ended it.
    Died {
        service: String,
        exit_code: Option<i64>,
        signal: Option<i32>,
    },
    /// The kernel killed it at its memory limit.
    OomKilled {
        service: String,
    },
    /// It runs again after dying; `count` restarts so far.
    Restarted {
        service: String,
        count: u64,
    },
    HealthChanged {
        service: String,
        health: Health,
    },
    /// `up` finished: every started service is healthy.
    Ready,
}

impl StackEvent {
    /// The service the event is about, if any.
    pub fn service(&self) -> Option<&str> {
        match self {
            StackEvent::Progress { service, .. }
            | StackEvent::Died { service, .. }
            | StackEvent::OomKilled { service }
            | StackEvent::Restarted { service, .. }
            | StackEvent::HealthChanged { service, .. } => Some(service),
            StackEvent::Ready => None,
        }
    }
}

impl fmt::Display for StackEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StackEvent::Progress { service, message } => write!(f, "{service}: {message}"),
            StackEvent::Died {
                service,
                exit_code,
                signal,
            } => match (exit_code, signal) {
                (_, Some(sig)) => write!(f, "{service}: died (signal {sig})"),
                (Some(code), None) => write!(f, "{service}: died (exit code {code})"),
                (None, None) => write!(f, "{service}: died"),
            },
            StackEvent::OomKilled { service } => {
                let oom = t(Lang::En, X::MemoryKill);
                f.write_str(&tf(Lang::En, T::OomKilled, &[service, &oom]))
            }
            StackEvent::Restarted { service, count } => {
                write!(f, "{service}: restarted (restart #{count})")
            }
            StackEvent::HealthChanged { service, health } => write!(f, "{service}: {health}"),
            StackEvent::Ready => f.write_str("stack ready"),
        }
    }
}

/// What can be done to one running service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceAction {
    Start,
    Stop,
    Restart,
    /// SIGKILL. Docker counts a kill through its API as a deliberate stop,
    /// so the restart policy does not bring the service back; the local
    /// supervisor treats it the same way.
    Kill,
}

/// Which log lines to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRequest {
    /// Only the last N lines (all when None).
    pub tail: Option<usize>,
    /// Keep reading new lines until cancelled.
    pub follow: bool,
}

/// Formats bytes as MiB for people.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1024.0 * 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oom_kill_reads_as_a_kill_at_the_memory_limit() {
        let e = StackEvent::OomKilled {
            service: "app-1".into(),
        };
        assert_eq!(
            e.to_string(),
            "app-1: killed by the kernel at its memory limit (OOM)"
        );
        assert_eq!(e.service(), Some("app-1"));
    }

    #[test]
    fn a_death_by_signal_names_the_signal_rather_than_an_exit_code() {
        let e = StackEvent::Died {
            service: "app-1".into(),
            exit_code: None,
            signal: Some(9),
        };
        assert_eq!(e.to_string(), "app-1: died (signal 9)");
    }
}
