//! `status`: each service's state, health, restarts, OOM kills and memory,
//! read from the engine alone — no state file, so any process (the CLI, the
//! console, a test) sees the same truth.
//!
//! OOM kills are counted from the engine's event log since the container was
//! created (an `oom` event before a `die`), because `State.OOMKilled` only
//! tells about the last exit. The engine keeps a bounded event buffer, so a
//! very long session can under-count; the last exit's flag is always honoured.

use std::collections::HashMap;

use bollard::Docker;
use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum, HealthStatusEnum};
use bollard::query_parameters::{EventsOptions, InspectContainerOptions, StatsOptions};
use futures::StreamExt;

use super::watch::service_of;
use super::{DockerStack, spec};
use crate::stack::error::StackError;
use crate::stack::exit::Exit;
use crate::stack::model::{Backend, Health, ServiceState, ServiceStatus, StackStatus};
use crate::stack::service::{Service, ServiceRole};

impl DockerStack {
    pub async fn status(&self) -> Result<StackStatus, StackError> {
        let list = self.project_containers().await?;
        let mut found: HashMap<Service, String> = HashMap::new();
        for c in list {
            if let (Some(id), Some(service)) = (c.id, c.labels.as_ref().and_then(service_of)) {
                found.insert(service, id);
            }
        }
        let mut services = Vec::new();
        let mut grafana_runs = false;
        for s in spec::stack(&self.settings) {
            let status = match found.remove(&s.service) {
                Some(id) => self.service_status(s.service, &id).await,
                None if self.docker.inspect_image(&s.image).await.is_err() => ServiceStatus {
                    state: ServiceState::ImageMissing,
                    image: Some(s.image.clone()),
                    ..ServiceStatus::missing(s.service)
                },
                None => ServiceStatus::missing(s.service),
            };
            if s.service.role == ServiceRole::Grafana && status.state == ServiceState::Running {
                grafana_runs = true;
            }
            services.push(status);
        }
        // Replicas left from a larger --scale still count: they still run.
        let mut extra: Vec<(Service, String)> = found.into_iter().collect();
        extra.sort();
        for (service, id) in extra {
            services.push(self.service_status(service, &id).await);
        }
        Ok(StackStatus {
            backend: Backend::Docker,
            project: self.settings.project.clone(),
            services,
            grafana_login: grafana_runs
                .then(|| ("admin".to_string(), self.settings.grafana_password.clone())),
        })
    }

    async fn service_status(&self, name: Service, id: &str) -> ServiceStatus {
        let Ok(c) = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
        else {
            return ServiceStatus::missing(name);
        };
        let (oom_from_events, last_die) = oom_history(&self.docker, id, &c).await;
        let url = published_url(&c);
        let state = c.state.clone().unwrap_or_default();
        let oom_last = state.oom_killed == Some(true);
        let run_state = match state.status {
            Some(ContainerStateStatusEnum::RUNNING) => ServiceState::Running,
            Some(ContainerStateStatusEnum::RESTARTING) => ServiceState::Restarting,
            Some(ContainerStateStatusEnum::EXITED) | Some(ContainerStateStatusEnum::DEAD) => {
                ServiceState::Exited
            }
            _ => ServiceState::Stopped,
        };
        let health =
            health_of(state.health.as_ref().and_then(|h| h.status)).unwrap_or(Health::Unknown);
        let last_exit = last_die
            .or(state
                .exit_code
                .filter(|_| run_state != ServiceState::Running))
            .map(|code| Exit::from_docker(code, oom_last));
        let memory_bytes = if run_state == ServiceState::Running {
            memory_usage(&self.docker, id).await
        } else {
            None
        };
        let memory_limit_bytes = c
            .host_config
            .as_ref()
            .and_then(|h| h.memory)
            .filter(|m| *m > 0)
            .and_then(|m| u64::try_from(m).ok());
        ServiceStatus {
            name,
            state: run_state,
            health,
            restarts: c
                .restart_count
                .and_then(|n| u64::try_from(n).ok())
                .unwrap_or(0),
            oom_kills: oom_from_events.max(u64::from(oom_last)),
            last_exit,
            memory_bytes,
            memory_limit_bytes,
            url,
            image: c.config.and_then(|cfg| cfg.image),
        }
    }
}

/// The URL a person opens, from the port the container really publishes
/// (not from this process's settings: `status` may run with another
/// environment than the `up` that made the stack).
fn published_url(c: &ContainerInspectResponse) -> Option<String> {
    let labels = c.config.as_ref()?.labels.as_ref()?;
    let role: ServiceRole = labels
        .get(spec::LABEL_SERVICE)?
        .parse::<Service>()
        .ok()?
        .role;
    let (inside, scheme) = role.port_inside();
    let key = format!("{inside}/tcp");
    let bound = c
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.as_ref())
        .and_then(|p| p.get(&key).cloned().flatten())
        .filter(|b| !b.is_empty())
        .or_else(|| {
            c.host_config
                .as_ref()
                .and_then(|h| h.port_bindings.as_ref())
                .and_then(|p| p.get(&key).cloned().flatten())
        })?;
    let b = bound.first()?;
    let port = b
        .host_port
        .as_deref()
        .filter(|p| !p.is_empty() && *p != "0")?;
    let host = match b.host_ip.as_deref() {
        None | Some("") | Some("0.0.0.0") => "127.0.0.1",
        Some(ip) => ip,
    };
    Some(match role {
        ServiceRole::Db => {
            let env = c.config.as_ref().and_then(|cfg| cfg.env.as_ref());
            let var = |k: &str| {
                env.and_then(|e| e.iter().find_map(|v| v.strip_prefix(&format!("{k}="))))
                    .unwrap_or("postgres")
                    .to_string()
            };
            format!(
                "postgres://{}@{host}:{port}/{}",
                var("POSTGRES_USER"),
                var("POSTGRES_DB")
            )
        }
        _ => format!("{scheme}://{host}:{port}"),
    })
}

/// (OOM kills since creation, exit code of the last death) from the event log.
async fn oom_history(
    docker: &Docker,
    id: &str,
    c: &ContainerInspectResponse,
) -> (u64, Option<i64>) {
    let since = c
        .created
        .as_ref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t.to_string()).ok())
        .map(|t| t.timestamp().saturating_sub(1).to_string());
    let opts = EventsOptions {
        since: Some(since.unwrap_or_else(|| "0".into())),
        until: Some(chrono::Utc::now().timestamp().saturating_add(1).to_string()),
        filters: Some(HashMap::from([
            ("type".to_string(), vec!["container".to_string()]),
            ("container".to_string(), vec![id.to_string()]),
        ])),
    };
    let mut stream = docker.events(Some(opts));
    let (mut kills, mut oom_pending, mut last_die) = (0u64, false, None);
    // The stream ends at `until`; a short timeout guards against an engine
    // that keeps it open anyway.
    let read = async {
        while let Some(Ok(e)) = stream.next().await {
            match e.action.as_deref() {
                Some("oom") => oom_pending = true,
                Some("die") => {
                    if oom_pending {
                        kills += 1;
                    }
                    oom_pending = false;
                    last_die = e
                        .actor
                        .and_then(|a| a.attributes)
                        .and_then(|a| a.get("exitCode").and_then(|c| c.parse().ok()));
                }
                Some("start") => oom_pending = false,
                _ => {}
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), read).await;
    (kills, last_die)
}

/// Memory in use, as `docker stats` shows it: usage minus reclaimable page cache.
async fn memory_usage(docker: &Docker, id: &str) -> Option<u64> {
    let opts = StatsOptions {
        stream: false,
        one_shot: true,
    };
    let stats = docker.stats(id, Some(opts)).next().await?.ok()?;
    let mem = stats.memory_stats?;
    let usage = mem.usage?;
    let cache = mem
        .stats
        .as_ref()
        .and_then(|s| {
            s.get("total_inactive_file")
                .or_else(|| s.get("inactive_file"))
        })
        .copied()
        .unwrap_or(0);
    Some(usage.saturating_sub(cache))
}

/// The engine's health check result; `None` when the container has none.
pub(super) fn health_of(status: Option<HealthStatusEnum>) -> Option<Health> {
    match status? {
        HealthStatusEnum::HEALTHY => Some(Health::Healthy),
        HealthStatusEnum::UNHEALTHY => Some(Health::Unhealthy),
        HealthStatusEnum::STARTING => Some(Health::Starting),
        _ => None,
    }
}
