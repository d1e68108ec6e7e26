//! The workshop's stack — database, app replicas, Prometheus, Grafana — behind
//! one interface with two backends:
//!
//! - [`docker`]: containers on a Docker engine (bollard), the usual way;
//! - [`local`]: `workshop serve` as a supervised child process, for machines
//!   without Docker.
//!
//! Callers (the CLI now, the console later) hold a [`Runtime`] and read its
//! [`StackEvent`]s from a broadcast channel; they never learn which backend
//! answered except through [`StackStatus::backend`]. [`task`] puts a runtime
//! behind a message channel, so a render loop never awaits the engine.
//!
//! Files: [`model`] the plain data reported; [`settings`] images, ports,
//! limits; [`engine`] finding the Docker engine; [`files`] the configuration
//! embedded in the binary; [`error`] what can go wrong.

pub mod commands;
pub mod docker;
pub mod engine;
pub mod error;
pub mod files;
pub mod images;
pub mod local;
pub mod model;
pub mod settings;
pub mod task;

use futures::stream::BoxStream;
use tokio::sync::broadcast;

pub use docker::{DockerStack, Removed, Saved, checksum_file};
pub use error::StackError;
pub use local::{LocalOptions, LocalStack};
pub use model::{
    Backend, Health, LogRequest, ServiceAction, ServiceState, ServiceStatus, StackEvent,
    StackStatus,
};
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
                Ok(engine) => Ok(Runtime::Docker(DockerStack::with_engine(engine, settings))),
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

    /// Events from now on: progress of `up`, deaths, OOM kills, restarts, health.
    pub fn subscribe(&self) -> broadcast::Receiver<StackEvent> {
        match self {
            Runtime::Docker(d) => d.subscribe(),
            Runtime::Local(l) => l.subscribe(),
        }
    }

    /// Starts what is missing, adopts what runs, waits until all is healthy.
    /// Returns the services skipped because their image is missing.
    pub async fn up(&self) -> Result<Vec<String>, StackError> {
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

    pub async fn act(&self, service: &str, action: ServiceAction) -> Result<(), StackError> {
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
