//! The local backend: the stack without Docker, as child processes of this
//! process.
//!
//! - `app`: `workshop serve` on `127.0.0.1:<api port>`, under a memory limit
//!   (see [`limit`]), restarted on death with backoff (see [`supervisor`]).
//!   Its ledger is `DATABASE_URL` when set, else an SQLite file in the state
//!   directory.
//! - `prometheus`: started only when a `prometheus` binary is on `PATH`, with
//!   the embedded configuration pointed at the local app; otherwise absent and
//!   the console reads `/metrics` directly.
//!
//! The children live as long as the [`LocalStack`] (the `workshop up --local`
//! process); `down` or dropping it stops them.

mod child;
pub(crate) mod limit;
mod logs;
mod specs;
pub(crate) mod supervisor;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::stream::BoxStream;
use tokio::sync::{Mutex, broadcast};
use tokio_util::sync::CancellationToken;

use super::docker::Removed;
use super::error::StackError;
use super::model::{
    Backend, Health, LogRequest, ServiceAction, ServiceState, ServiceStatus, StackEvent,
    StackStatus,
};
use super::ports;
use super::service::{Service, ServiceRole};
use super::settings::StackSettings;
use crate::memory::resident_bytes;
use limit::MemoryLimit;
use supervisor::Supervisor;

/// Local children listen on loopback only.
const LOOPBACK: &str = "127.0.0.1";

/// What the local backend runs: one app (no replicas) and, when a
/// `prometheus` binary is on `PATH`, Prometheus.
const SERVICES: [Service; 2] = [
    Service::of(ServiceRole::App),
    Service::of(ServiceRole::Prometheus),
];

/// Where the local backend finds its program and keeps its files.
#[derive(Debug, Clone)]
pub struct LocalOptions {
    /// The `workshop` binary to run as `serve`.
    pub program: PathBuf,
    /// Logs, the SQLite ledger, Prometheus data.
    pub dir: PathBuf,
    /// `DATABASE_URL` of the app; None: SQLite in `dir`.
    pub database_url: Option<String>,
    /// Use `RLIMIT_DATA` even where a cgroup could be made.
    pub force_rlimit: bool,
}

impl LocalOptions {
    /// From the environment: `WORKSHOP_LOCAL_BIN` (default: this binary),
    /// `WORKSHOP_LOCAL_DIR` (default: `<data dir>/workshop/local-<project>`),
    /// `DATABASE_URL`.
    pub fn from_env(project: &str) -> Self {
        let program = match std::env::var_os("WORKSHOP_LOCAL_BIN") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => std::env::current_exe().unwrap_or_else(|_| PathBuf::from("workshop")),
        };
        Self {
            program,
            dir: state_dir(project),
            database_url: std::env::var("DATABASE_URL")
                .ok()
                .filter(|u| !u.trim().is_empty()),
            force_rlimit: false,
        }
    }
}

/// The stack as supervised local processes.
pub struct LocalStack {
    settings: StackSettings,
    options: LocalOptions,
    events: broadcast::Sender<StackEvent>,
    dir: PathBuf,
    running: Mutex<Option<Running>>,
}

struct Running {
    stop: CancellationToken,
    children: Vec<Supervisor>,
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        if let Ok(guard) = self.running.try_lock()
            && let Some(r) = guard.as_ref()
        {
            r.stop.cancel();
        }
    }
}

impl LocalStack {
    pub fn new(settings: StackSettings) -> Self {
        let options = LocalOptions::from_env(&settings.project);
        Self::with_options(settings, options)
    }

    pub fn with_options(settings: StackSettings, options: LocalOptions) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            dir: options.dir.clone(),
            settings,
            options,
            events,
            running: Mutex::new(None),
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StackEvent> {
        self.events.subscribe()
    }

    /// Where logs, the SQLite ledger and Prometheus data live.
    pub fn state_dir(&self) -> &Path {
        &self.dir
    }

    pub fn settings(&self) -> &StackSettings {
        &self.settings
    }

    fn emit(&self, service: impl ToString, message: impl Into<String>) {
        let _ = self.events.send(StackEvent::Progress {
            service: service.to_string(),
            message: message.into(),
        });
    }

    /// Starts the children (if not yet) and waits for them to be healthy.
    pub async fn up(&self) -> Result<Vec<Service>, StackError> {
        let mut guard = self.running.lock().await;
        let mut skipped = Vec::new();
        if guard.is_none() {
            std::fs::create_dir_all(&self.dir).map_err(StackError::io(format!(
                "creating the state directory {}",
                self.dir.display()
            )))?;
            let prometheus = which("prometheus");
            self.refuse_taken_ports(prometheus.is_some())?;
            let stop = CancellationToken::new();
            let mut children = vec![Supervisor::spawn(
                self.app_spec()?,
                self.events.clone(),
                stop.clone(),
            )];
            match prometheus {
                Some(bin) => children.push(Supervisor::spawn(
                    self.prometheus_spec(bin)?,
                    self.events.clone(),
                    stop.clone(),
                )),
                None => {
                    let prometheus = Service::of(ServiceRole::Prometheus);
                    self.emit(
                        prometheus,
                        "no `prometheus` on PATH: metrics are read from /metrics directly",
                    );
                    skipped.push(prometheus);
                }
            }
            *guard = Some(Running { stop, children });
        }
        let Some(running) = guard.as_ref() else {
            return Ok(skipped);
        };
        for child in &running.children {
            self.wait_healthy(child).await?;
        }
        let _ = self.events.send(StackEvent::Ready);
        Ok(skipped)
    }

    /// A port held by another program would leave a child failing to bind
    /// (or, worse, answering someone else's health check): refused first.
    fn refuse_taken_ports(&self, with_prometheus: bool) -> Result<(), StackError> {
        // One app, on the first replica's port.
        let wanted = ports::stack_ports(&self.settings)
            .into_iter()
            .filter(|p| match p.service {
                ServiceRole::App => p.number == self.settings.api_port,
                ServiceRole::Prometheus => with_prometheus,
                ServiceRole::Db | ServiceRole::Grafana => false,
            });
        for p in wanted {
            if let Some(reason) = ports::bind_error(LOOPBACK, p.number) {
                return Err(p.taken(p.service, LOOPBACK, reason));
            }
        }
        Ok(())
    }

    async fn wait_healthy(&self, child: &Supervisor) -> Result<(), StackError> {
        let started = Instant::now();
        loop {
            if child.snapshot().health == Some(Health::Healthy) {
                return Ok(());
            }
            if started.elapsed() > self.settings.health_timeout {
                return Err(StackError::Unhealthy {
                    service: child.spec.service.to_string(),
                    waited: self.settings.health_timeout,
                    state: describe_state(&child.snapshot()),
                    last_logs: logs::tail_file(&child.spec.log, 15).await.join("\n"),
                });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the children; `volumes` also deletes the ledger and Prometheus data.
    pub async fn down(&self, volumes: bool) -> Result<Removed, StackError> {
        let mut removed = Removed::default();
        if let Some(running) = self.running.lock().await.take() {
            running.stop.cancel();
            for child in running.children {
                let limit = child.spec.limit.clone();
                removed.containers.push(child.spec.service.to_string());
                child.join().await;
                if let Some(l) = limit {
                    l.remove();
                }
            }
        }
        if volumes && self.dir.exists() {
            std::fs::remove_dir_all(&self.dir)
                .map_err(StackError::io(format!("removing {}", self.dir.display())))?;
            removed.volumes.push(self.dir.display().to_string());
        }
        Ok(removed)
    }

    pub async fn status(&self) -> Result<StackStatus, StackError> {
        let guard = self.running.lock().await;
        let mut services = Vec::new();
        for service in SERVICES {
            let child = guard
                .as_ref()
                .and_then(|r| r.children.iter().find(|c| c.spec.service == service));
            services.push(match child {
                Some(c) => self.child_status(c),
                None => ServiceStatus::missing(service),
            });
        }
        Ok(StackStatus {
            backend: Backend::Local,
            project: self.settings.project.clone(),
            services,
            grafana_login: None,
        })
    }

    fn child_status(&self, c: &Supervisor) -> ServiceStatus {
        let s = c.snapshot();
        let memory_bytes = c
            .spec
            .limit
            .as_ref()
            .and_then(MemoryLimit::usage)
            .or_else(|| s.pid.and_then(|pid| resident_bytes(Some(pid))));
        let port = match c.spec.service.role {
            ServiceRole::App => self.settings.api_port,
            _ => self.settings.prometheus_port,
        };
        ServiceStatus {
            name: c.spec.service,
            state: if s.running {
                ServiceState::Running
            } else if s.last_exit.is_some() {
                ServiceState::Restarting
            } else {
                ServiceState::Stopped
            },
            health: s.health.unwrap_or(Health::Unknown),
            restarts: s.restarts,
            oom_kills: s.oom_kills,
            last_exit: s.last_exit,
            memory_bytes: if s.running { memory_bytes } else { None },
            memory_limit_bytes: c.spec.limit.as_ref().map(MemoryLimit::bytes),
            url: Some(format!("http://{LOOPBACK}:{port}")),
            image: Some(c.spec.program.display().to_string()),
        }
    }

    pub async fn act(&self, service: Service, action: ServiceAction) -> Result<(), StackError> {
        let guard = self.running.lock().await;
        let child = guard
            .as_ref()
            .and_then(|r| r.children.iter().find(|c| c.spec.service == service))
            .ok_or_else(|| StackError::UnknownService {
                name: service.to_string(),
                known: "app, prometheus (when running)".into(),
            })?;
        child.send(action).await;
        Ok(())
    }

    /// Lines of the service's log file; `follow` polls it for new lines.
    pub fn logs(
        &self,
        service: &str,
        req: LogRequest,
    ) -> Result<BoxStream<'static, Result<String, StackError>>, StackError> {
        let ours = service
            .parse::<Service>()
            .is_ok_and(|s| SERVICES.contains(&s));
        if !ours {
            return Err(StackError::UnknownService {
                name: service.into(),
                known: "app, prometheus".into(),
            });
        }
        Ok(logs::lines(self.dir.join(format!("{service}.log")), req))
    }
}

/// `$WORKSHOP_LOCAL_DIR`, else `<data dir>/workshop/local-<project>`.
fn state_dir(project: &str) -> PathBuf {
    match std::env::var_os("WORKSHOP_LOCAL_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => crate::files::data_dir().join(format!("local-{project}")),
    }
}

fn describe_state(s: &supervisor::ChildState) -> String {
    match (&s.running, &s.last_exit) {
        (true, _) => "running, not ready".into(),
        (false, Some(why)) => format!("not running, last exit: {why}"),
        (false, None) => "not started".into(),
    }
}

/// The first `name` on PATH.
pub(crate) fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
