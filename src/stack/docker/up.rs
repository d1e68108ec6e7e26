//! `up`: makes the engine's state match the stack's definition.
//!
//! Idempotent by design. A container whose definition (its config-hash label)
//! is unchanged is adopted — started if stopped, left alone if running — so a
//! second `up` is quick and loses nothing; a changed one is recreated. Start
//! order is db → app replicas → prometheus → grafana, each waiting for the
//! previous group to be healthy, because the app needs its database and an
//! alert needs its target.

use std::time::{Duration, Instant};

use bollard::models::{ContainerStateStatusEnum, NetworkCreateRequest};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, ListContainersOptions, RemoveContainerOptions,
    StartContainerOptions, UploadToContainerOptions,
};
use bollard::{Docker, body_full};

use super::hash::{LABEL_CONFIG_HASH, config_hash};
use super::spec::{self, LABEL_REPLICA, LABEL_SERVICE, ServiceSpec};
use super::{DockerStack, last_log_lines};
use crate::stack::error::{StackError, is_not_found};
use crate::stack::files;
use crate::stack::model::{Health, StackEvent};
use crate::stack::ports;
use crate::stack::service::{Service, ServiceRole};
use crate::stack::settings::StackSettings;

impl DockerStack {
    /// Brings the stack up and waits until every started service is healthy.
    /// Returns the services skipped because their image is missing (only
    /// optional ones are skipped; a missing required image is an error).
    pub async fn up(&self) -> Result<Vec<Service>, StackError> {
        self.ensure_network().await?;
        self.join_network().await?;
        self.ensure_volumes().await?;
        let specs = spec::stack(&self.settings);
        let mut skipped = Vec::new();
        let mut runnable = Vec::new();
        for s in specs {
            if self.ensure_image(&s).await? {
                runnable.push(s);
            } else {
                skipped.push(s.service);
            }
        }
        self.remove_surplus_replicas().await?;
        for group in [
            &[ServiceRole::Db][..],
            &[ServiceRole::App],
            &[ServiceRole::Prometheus, ServiceRole::Grafana],
        ] {
            let members: Vec<&ServiceSpec> = runnable
                .iter()
                .filter(|s| group.contains(&s.service.role))
                .collect();
            for s in &members {
                self.ensure_running(s).await?;
            }
            for s in &members {
                self.wait_healthy(s).await?;
            }
        }
        let _ = self.events.send(StackEvent::Ready);
        Ok(skipped)
    }

    async fn ensure_network(&self) -> Result<(), StackError> {
        let name = spec::network_name(&self.settings);
        match self.docker.inspect_network(&name, None).await {
            Ok(_) => return Ok(()),
            Err(e) if is_not_found(&e) => {}
            Err(e) => return Err(StackError::docker(format!("inspecting network {name}"))(e)),
        }
        self.emit("network", format!("creating {name}"));
        let req = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".into()),
            labels: Some(spec::project_labels(&self.settings)),
            ..Default::default()
        };
        self.docker
            .create_network(req)
            .await
            .map_err(StackError::docker(format!("creating network {name}")))?;
        Ok(())
    }

    async fn ensure_volumes(&self) -> Result<(), StackError> {
        for (name, _, role) in spec::volumes(&self.settings) {
            if self.docker.inspect_volume(&name).await.is_ok() {
                continue;
            }
            let mut labels = spec::project_labels(&self.settings);
            labels.insert(LABEL_SERVICE.into(), role.name().into());
            let req = bollard::models::VolumeCreateRequest {
                name: Some(name.clone()),
                labels: Some(labels),
                ..Default::default()
            };
            self.docker
                .create_volume(req)
                .await
                .map_err(StackError::docker(format!("creating volume {name}")))?;
        }
        Ok(())
    }

    /// Replicas above the wanted count (after `--scale app=1` following 3).
    async fn remove_surplus_replicas(&self) -> Result<(), StackError> {
        let mut filters = self.project_filter();
        if let Some(labels) = filters.get_mut("label") {
            labels.push(format!("{LABEL_SERVICE}={}", ServiceRole::App));
        }
        let list = self
            .docker
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(filters),
                ..Default::default()
            }))
            .await
            .map_err(StackError::docker("listing app replicas"))?;
        for c in list {
            let replica: u16 = c
                .labels
                .as_ref()
                .and_then(|l| l.get(LABEL_REPLICA))
                .and_then(|r| r.parse().ok())
                .unwrap_or(0);
            if replica > self.settings.app_replicas.max(1)
                && let Some(id) = c.id
            {
                self.emit(Service::app(replica), "removing (scaled down)");
                self.remove(&id).await?;
            }
        }
        Ok(())
    }

    async fn remove(&self, container: &str) -> Result<(), StackError> {
        let opts = RemoveContainerOptions {
            force: true,
            ..Default::default()
        };
        match self.docker.remove_container(container, Some(opts)).await {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(StackError::docker(format!("removing {container}"))(e)),
        }
    }

    /// Adopts, recreates or creates the container, then starts it.
    async fn ensure_running(&self, s: &ServiceSpec) -> Result<(), StackError> {
        let hash = config_hash(s);
        let existing = match self
            .docker
            .inspect_container(&s.container, None::<InspectContainerOptions>)
            .await
        {
            Ok(c) => Some(c),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(StackError::docker(format!("inspecting {}", s.container))(e)),
        };
        if let Some(c) = existing {
            let same = c
                .config
                .as_ref()
                .and_then(|cfg| cfg.labels.as_ref())
                .and_then(|l| l.get(LABEL_CONFIG_HASH))
                == Some(&hash);
            let running = c.state.as_ref().and_then(|st| st.running) == Some(true);
            if same && running {
                self.emit(s.service, "already running (adopted)");
                return Ok(());
            }
            if same {
                self.emit(s.service, "starting existing container");
                return self.start(s).await;
            }
            self.emit(s.service, "definition changed: recreating");
            self.remove(&s.container).await?;
        }
        self.emit(s.service, format!("creating container from {}", s.image));
        let mut body = s.body.clone();
        if let Some(labels) = body.labels.as_mut() {
            labels.insert(LABEL_CONFIG_HASH.into(), hash);
        }
        let opts = CreateContainerOptions {
            name: Some(s.container.clone()),
            ..Default::default()
        };
        self.docker
            .create_container(Some(opts), body)
            .await
            .map_err(StackError::docker(format!("creating {}", s.container)))?;
        if !s.files.is_empty() {
            let tar = files::tar_archive(&s.files)
                .map_err(StackError::io(format!("packing files for {}", s.service)))?;
            let opts = UploadToContainerOptions {
                path: "/".into(),
                ..Default::default()
            };
            self.docker
                .upload_to_container(&s.container, Some(opts), body_full(tar.into()))
                .await
                .map_err(StackError::docker(format!(
                    "putting configuration into {}",
                    s.container
                )))?;
        }
        self.start(s).await
    }

    async fn start(&self, s: &ServiceSpec) -> Result<(), StackError> {
        self.emit(s.service, "starting container");
        self.docker
            .start_container(&s.container, None::<StartContainerOptions>)
            .await
            .map_err(|e| {
                port_taken(&self.settings, s, &e.to_string())
                    .unwrap_or_else(|| StackError::docker(format!("starting {}", s.container))(e))
            })
    }

    /// Polls the container's health until healthy or the timeout; on timeout
    /// the error names the service and shows its last log lines.
    async fn wait_healthy(&self, s: &ServiceSpec) -> Result<(), StackError> {
        // Health changes reach the event stream through the engine's events
        // (see watch.rs); this loop only decides when to go on.
        let started = Instant::now();
        loop {
            let (state, health) = inspect_health(&self.docker, &s.container).await;
            if health == Health::Healthy {
                return Ok(());
            }
            if started.elapsed() >= self.settings.health_timeout {
                return Err(StackError::Unhealthy {
                    service: s.service.to_string(),
                    waited: self.settings.health_timeout,
                    state: format!("{state}, {health}"),
                    last_logs: last_log_lines(&self.docker, &s.container, 15).await,
                });
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
}

/// (state, health) of a container; unknown when it cannot be inspected.
async fn inspect_health(docker: &Docker, container: &str) -> (String, Health) {
    let Ok(c) = docker
        .inspect_container(container, None::<InspectContainerOptions>)
        .await
    else {
        return ("missing".into(), Health::Unknown);
    };
    let state = c.state.unwrap_or_default();
    let status = state
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "unknown".into());
    let health = match super::status::health_of(state.health.and_then(|h| h.status)) {
        Some(h) => h,
        // No health check: running is as healthy as it gets.
        None if state.status == Some(ContainerStateStatusEnum::RUNNING) => Health::Healthy,
        None => Health::Unknown,
    };
    (status, health)
}

/// The engine's "port is already allocated" (another container) or "address
/// already in use" (another program) as [`StackError::PortTaken`], naming the
/// setting that moves the port.
fn port_taken(settings: &StackSettings, s: &ServiceSpec, message: &str) -> Option<StackError> {
    let lower = message.to_ascii_lowercase();
    if !lower.contains("already allocated") && !lower.contains("address already in use") {
        return None;
    }
    let port = ports::stack_ports(settings)
        .into_iter()
        .filter(|p| p.service == s.service.role)
        .find(|p| message.contains(&format!(":{}", p.number)))?;
    Some(port.taken(
        s.service,
        &settings.bind,
        message.lines().next().unwrap_or_default().to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engines_port_conflict_names_the_port_and_the_setting_that_moves_it() {
        let s = StackSettings::default();
        let app = spec::stack(&s)
            .into_iter()
            .find(|x| x.service.is_app())
            .expect("an app service");
        let e = port_taken(
            &s,
            &app,
            "Docker responded with status code 500: driver failed programming external \
             connectivity on endpoint workshop-app-1: Bind for 127.0.0.1:5000 failed: port is \
             already allocated",
        )
        .expect("a port conflict");
        let t = e.trouble();
        assert_eq!(t.why, "port 5000 (app-1) is taken by another program");
        assert!(t.fix.contains("WORKSHOP_PORT_API="), "{}", t.fix);
        assert!(port_taken(&s, &app, "no such image: x").is_none());
    }
}
