//! The workshop's stack — database, app replicas, Prometheus, Grafana — behind
//! one interface with two backends:
//!
//! - [`docker`]: containers on a Docker engine (bollard), the usual way;
//! - [`local`]: `workshop serve` as a supervised child process, for machines
//!   without Docker.
//!
//! Callers (the CLI and the console) hold a [`Runtime`] and read its
//! [`StackEvent`]s from a broadcast channel; they never learn which backend
//! answered except through [`StackStatus::backend`]. [`task`] puts a runtime
//! behind a message channel, so a render loop never awaits the engine.
//!
//! Files: [`model`] the plain data reported; [`service`] which service,
//! its role and replica; [`exit`] why a service's process ended;
//! [`settings`] images, ports,
//! limits; [`engine`] finding the Docker engine; [`files`] the configuration
//! embedded in the binary; [`ports`] the host ports published and whether
//! they are free; [`error`] what can go wrong, and [`Trouble`]: the one
//! sentence and the fix a person reads when the stack cannot come up.

pub(crate) mod docker;
pub mod engine;
pub(crate) mod error;
pub(crate) mod exit;
pub mod files;
pub mod images;
pub(crate) mod local;
pub(crate) mod model;
pub(crate) mod ports;
pub(crate) mod service;
pub mod settings;
pub(crate) mod task;

use futures::stream::BoxStream;
use tokio::sync::broadcast;

pub use docker::{DockerStack, Removed, Saved, checksum_file};
pub use error::{StackError, Trouble};
pub use exit::Exit;
pub use local::{LocalOptions, LocalStack};
pub use model::{
    Backend, Health, LogRequest, ServiceAction, ServiceState, ServiceStatus, StackEvent,
    StackStatus,
};
pub use service::{Service, ServiceRole, UnknownService};
pub use settings::StackSettings;

/// The stack on one backend.
pub enum Runtime {
    Docker(DockerStack),
    Local(LocalStack),
}

/// Which backend to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)]
pub enum Choice {
    Docker,
    Local,
    /// Docker when an engine answers, else local.
    Auto,
}

impl Runtime {
    /// Opens the backend chosen. With [`Choice::Auto`] a missing engine falls
    /// back to the local backend; with [`Choice::Docker`] it is an error that
    /// lists every place tried.
    pub async fn open(choice: Choice, settings: StackSettings) -> Result<Self, StackError> {
        match choice {
            Choice::Local => Ok(Runtime::Local(LocalStack::new(settings))),
            Choice::Docker => Ok(Runtime::Docker(DockerStack::connect(settings).await?)),
            Choice::Auto => match engine::connect().await {
                Ok(engine) => Ok(Runtime::Docker(
                    DockerStack::on_engine(engine, settings).await,
                )),
                Err(_) => Ok(Runtime::Local(LocalStack::new(settings))),
            },
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Runtime::Docker(_) => Backend::Docker,
            Runtime::Local(_) => Backend::Local,
        }
    }

    /// Where this process reaches the API and Prometheus: the published
    /// ports on the host, or, for the console in a container of the same
    /// engine, the services by name on the stack's network.
    pub fn urls(&self) -> (String, String) {
        let s = match self {
            Runtime::Docker(d) => d.settings(),
            Runtime::Local(l) => l.settings(),
        };
        if let Runtime::Docker(d) = self
            && d.inside().is_some()
        {
            return (
                docker::API_BY_NAME.to_string(),
                docker::PROMETHEUS_BY_NAME.to_string(),
            );
        }
        let host = match (self, s.bind.as_str()) {
            (Runtime::Local(_), _) | (_, "0.0.0.0") => "127.0.0.1",
            (_, bind) => bind,
        };
        (
            format!("http://{host}:{}", s.api_port),
            format!("http://{host}:{}", s.prometheus_port),
        )
    }

    /// Events from now on: progress of `up`, deaths, OOM kills, restarts, health.
    pub fn subscribe(&self) -> broadcast::Receiver<StackEvent> {
        match self {
            Runtime::Docker(d) => d.subscribe(),
            Runtime::Local(l) => l.subscribe(),
        }
    }

    /// Starts what is missing, adopts what runs, waits until all is healthy.
    /// Returns the services skipped because their image is missing.
    pub async fn up(&self) -> Result<Vec<Service>, StackError> {
        match self {
            Runtime::Docker(d) => d.up().await,
            Runtime::Local(l) => l.up().await,
        }
    }

    /// Stops and removes the stack; `volumes` also deletes its data.
    pub async fn down(&self, volumes: bool) -> Result<Removed, StackError> {
        match self {
            Runtime::Docker(d) => d.down(volumes).await,
            Runtime::Local(l) => l.down(volumes).await,
        }
    }

    pub async fn status(&self) -> Result<StackStatus, StackError> {
        match self {
            Runtime::Docker(d) => d.status().await,
            Runtime::Local(l) => l.status().await,
        }
    }

    pub async fn act(&self, service: Service, action: ServiceAction) -> Result<(), StackError> {
        match self {
            Runtime::Docker(d) => d.act(service, action).await,
            Runtime::Local(l) => l.act(service, action).await,
        }
    }

    pub fn logs(
        &self,
        service: &str,
        req: LogRequest,
    ) -> Result<BoxStream<'static, Result<String, StackError>>, StackError> {
        match self {
            Runtime::Docker(d) => d.logs(service, req),
            Runtime::Local(l) => l.logs(service, req),
        }
    }
}
