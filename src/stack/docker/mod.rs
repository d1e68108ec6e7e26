//! The Docker backend: the stack as containers on one engine, driven through
//! the Engine API (bollard).
//!
//! Everything this backend creates carries the project's labels
//! (`io.workshop.managed`, `io.workshop.project`, `io.workshop.service`), and
//! `down` removes by those labels only: a student's other containers are never
//! touched, and nothing of ours is left behind.

mod bundle;
mod hash;
mod images;
mod inside;
mod spec;
mod status;
mod up;
mod watch;

use std::collections::HashMap;

use bollard::Docker;
use bollard::query_parameters::{
    KillContainerOptions, ListContainersOptions, ListNetworksOptions, ListVolumesOptions,
    LogsOptions, RemoveContainerOptions, RemoveVolumeOptions, RestartContainerOptions,
    StartContainerOptions, StopContainerOptions,
};
use futures::stream::{BoxStream, StreamExt};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::engine::{self, Engine};
use super::error::{StackError, is_not_found};
use super::model::{LogRequest, ServiceAction, StackEvent};
use super::service::Service;
use super::settings::StackSettings;

pub use bundle::{Saved, checksum_file};
pub(crate) use inside::{API_BY_NAME, PROMETHEUS_BY_NAME};
pub(crate) use spec::{LABEL_MANAGED, LABEL_PROJECT, stack};

/// What `down` removed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Removed {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
}

/// The stack on a Docker engine.
///
/// Owns the engine connection and a watcher task that turns the engine's
/// event stream into [`StackEvent`]s; the watcher stops when this is dropped.
pub struct DockerStack {
    docker: Docker,
    settings: StackSettings,
    events: broadcast::Sender<StackEvent>,
    stop_watch: CancellationToken,
    /// The container this process runs in, on this engine (the console in
    /// a container); `up` then connects it to the stack's network.
    inside: Option<String>,
}

impl Drop for DockerStack {
    fn drop(&mut self) {
        self.stop_watch.cancel();
    }
}

impl DockerStack {
    /// Finds the engine (see [`engine`]) and starts watching its events.
    pub async fn connect(settings: StackSettings) -> Result<Self, StackError> {
        let engine = engine::connect().await?;
        Ok(Self::on_engine(engine, settings).await)
    }

    /// [`Self::with_engine`], knowing whether this process runs in one of
    /// the engine's containers (the console in a container): `up` then
    /// joins it to the stack's network.
    pub async fn on_engine(engine: Engine, settings: StackSettings) -> Self {
        let inside = inside::own_container(&engine.docker).await;
        let mut stack = Self::with_engine(engine, settings);
        stack.inside = inside;
        stack
    }

    pub fn with_engine(engine: Engine, settings: StackSettings) -> Self {
        let (events, _) = broadcast::channel(1024);
        let stop_watch = CancellationToken::new();
        tokio::spawn(watch::run(
            engine.docker.clone(),
            settings.project.clone(),
            events.clone(),
            stop_watch.clone(),
        ));
        Self {
            docker: engine.docker,
            settings,
            events,
            stop_watch,
            inside: None,
        }
    }

    pub fn settings(&self) -> &StackSettings {
        &self.settings
    }

    pub fn subscribe(&self) -> broadcast::Receiver<StackEvent> {
        self.events.subscribe()
    }

    /// The underlying client, for callers that need a call this module does not wrap.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    fn emit(&self, service: impl ToString, message: impl Into<String>) {
        let _ = self.events.send(StackEvent::Progress {
            service: service.to_string(),
            message: message.into(),
        });
    }

    /// Label filter matching everything of this project.
    fn project_filter(&self) -> HashMap<String, Vec<String>> {
        HashMap::from([(
            "label".to_string(),
            vec![
                format!("{LABEL_MANAGED}=true"),
                format!("{LABEL_PROJECT}={}", self.settings.project),
            ],
        )])
    }

    /// The container of `service` (`db`, `app-2`…), checked against the
    /// services this project can have; `app` is the first replica.
    fn container_of(&self, service: Service) -> Result<String, StackError> {
        let known: Vec<Service> = stack(&self.settings)
            .into_iter()
            .map(|s| s.service)
            .collect();
        let service = match service.replica {
            None if service.is_app() => Service::app(1),
            _ => service,
        };
        if known.contains(&service) {
            Ok(service.container(&self.settings))
        } else {
            Err(StackError::UnknownService {
                name: service.to_string(),
                known: names(&known),
            })
        }
    }

    /// The container of the service people named `name`, or an error that
    /// lists the services there are.
    fn container_named(&self, name: &str) -> Result<String, StackError> {
        match name.parse::<Service>() {
            Ok(service) => self.container_of(service),
            Err(_) => Err(StackError::UnknownService {
                name: name.into(),
                known: names(
                    &stack(&self.settings)
                        .into_iter()
                        .map(|s| s.service)
                        .collect::<Vec<_>>(),
                ),
            }),
        }
    }

    /// Every container of this project, running or not.
    pub(crate) async fn project_containers(
        &self,
    ) -> Result<Vec<bollard::models::ContainerSummary>, StackError> {
        self.docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(self.project_filter()),
                ..Default::default()
            }))
            .await
            .map_err(StackError::docker("listing the stack's containers"))
    }

    /// Removes every container, network and (with `volumes`) volume carrying
    /// this project's labels — and nothing else.
    pub async fn down(&self, volumes: bool) -> Result<Removed, StackError> {
        let mut removed = Removed::default();
        let containers = self.project_containers().await?;
        for c in containers {
            let Some(id) = c.id else { continue };
            let name = c
                .names
                .and_then(|n| n.first().cloned())
                .unwrap_or_else(|| id.clone());
            let name = name.trim_start_matches('/').to_string();
            self.emit(&name, "removing container");
            let opts = RemoveContainerOptions {
                force: true,
                v: false,
                ..Default::default()
            };
            match self.docker.remove_container(&id, Some(opts)).await {
                Ok(()) => removed.containers.push(name),
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(StackError::docker(format!("removing {name}"))(e)),
            }
        }
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptions {
                filters: Some(self.project_filter()),
            }))
            .await
            .map_err(StackError::docker("listing the stack's networks"))?;
        for n in networks {
            let Some(name) = n.name else { continue };
            match self.docker.remove_network(&name).await {
                Ok(()) => removed.networks.push(name),
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(StackError::docker(format!("removing network {name}"))(e)),
            }
        }
        if volumes {
            let list = self
                .docker
                .list_volumes(Some(ListVolumesOptions {
                    filters: Some(self.project_filter()),
                }))
                .await
                .map_err(StackError::docker("listing the stack's volumes"))?;
            for v in list.volumes.unwrap_or_default() {
                let opts = RemoveVolumeOptions { force: true };
                match self.docker.remove_volume(&v.name, Some(opts)).await {
                    Ok(()) => removed.volumes.push(v.name),
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => {
                        return Err(StackError::docker(format!("removing volume {}", v.name))(e));
                    }
                }
            }
        }
        Ok(removed)
    }

    /// Starts, stops, restarts or kills one service.
    pub async fn act(&self, service: Service, action: ServiceAction) -> Result<(), StackError> {
        let container = self.container_of(service)?;
        let doing = format!("{action:?} {service}").to_lowercase();
        let result = match action {
            ServiceAction::Start => {
                self.docker
                    .start_container(&container, None::<StartContainerOptions>)
                    .await
            }
            ServiceAction::Stop => {
                self.docker
                    .stop_container(&container, None::<StopContainerOptions>)
                    .await
            }
            ServiceAction::Restart => {
                self.docker
                    .restart_container(&container, None::<RestartContainerOptions>)
                    .await
            }
            ServiceAction::Kill => {
                self.docker
                    .kill_container(&container, None::<KillContainerOptions>)
                    .await
            }
        };
        result.map_err(StackError::docker(doing))
    }

    /// The service's log lines (stdout and stderr), the last `tail` of them,
    /// and new ones as they come when `follow` is set.
    pub fn logs(
        &self,
        service: &str,
        req: LogRequest,
    ) -> Result<BoxStream<'static, Result<String, StackError>>, StackError> {
        let container = self.container_named(service)?;
        Ok(log_lines(&self.docker, &container, req))
    }
}

/// `db, app-1, prometheus, grafana`: the services there are, for an error.
fn names(services: &[Service]) -> String {
    services
        .iter()
        .map(Service::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Log lines of `container` as a stream of strings (no trailing newline).
fn log_lines(
    docker: &Docker,
    container: &str,
    req: LogRequest,
) -> BoxStream<'static, Result<String, StackError>> {
    let opts = LogsOptions {
        follow: req.follow,
        stdout: true,
        stderr: true,
        tail: req
            .tail
            .map(|n| n.to_string())
            .unwrap_or_else(|| "all".into()),
        ..Default::default()
    };
    let doing = format!("reading the logs of {container}");
    docker
        .logs(container, Some(opts))
        .map(move |item| match item {
            Ok(out) => Ok(String::from_utf8_lossy(&out.into_bytes())
                .trim_end_matches('\n')
                .to_string()),
            Err(e) => Err(StackError::docker(doing.clone())(e)),
        })
        .boxed()
}

/// The last `n` log lines of `container`, for error messages; never fails.
async fn last_log_lines(docker: &Docker, container: &str, n: usize) -> String {
    let lines: Vec<String> = log_lines(
        docker,
        container,
        LogRequest {
            tail: Some(n),
            follow: false,
        },
    )
    .filter_map(|l| async move { l.ok() })
    .collect()
    .await;
    if lines.is_empty() {
        "  (no log output)".into()
    } else {
        lines
            .iter()
            .map(|l| format!("  | {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}
