//! The stack behind a message channel: one task owns the [`Runtime`] and does
//! what it is asked, one request at a time, replying on a oneshot channel.
//! A render loop sends a [`StackCommand`] and keeps drawing; it never awaits
//! the engine itself (the habit taken from oxker).

use std::sync::Arc;

use tokio::sync::{broadcast, mpsc, oneshot};

use super::{Removed, Runtime, Service, ServiceAction, StackError, StackEvent, StackStatus};

type Reply<T> = oneshot::Sender<Result<T, StackError>>;

/// What can be asked of the stack task.
pub enum StackCommand {
    /// Answers the services skipped (their image or program is missing).
    Up(Reply<Vec<Service>>),
    Down {
        volumes: bool,
        reply: Reply<Removed>,
    },
    Status(Reply<StackStatus>),
    Act {
        service: Service,
        action: ServiceAction,
        reply: Reply<()>,
    },
}

/// The sending side; cheap to clone. The task ends when every handle is dropped.
#[derive(Clone)]
pub struct StackHandle {
    commands: mpsc::Sender<StackCommand>,
    /// Never read: only resubscribed, so each subscriber gets events from
    /// the moment it subscribes, straight from the runtime (not delayed
    /// behind a request the task is busy with).
    events: Arc<broadcast::Receiver<StackEvent>>,
}

/// Starts the task owning `runtime`.
pub(crate) fn spawn(runtime: Runtime) -> StackHandle {
    let (tx, mut rx) = mpsc::channel::<StackCommand>(16);
    let events = Arc::new(runtime.subscribe());
    tokio::spawn(async move {
        while let Some(cmd) = rx.recv().await {
            match cmd {
                StackCommand::Up(reply) => {
                    let _ = reply.send(runtime.up().await);
                }
                StackCommand::Down { volumes, reply } => {
                    let _ = reply.send(runtime.down(volumes).await);
                }
                StackCommand::Status(reply) => {
                    let _ = reply.send(runtime.status().await);
                }
                StackCommand::Act {
                    service,
                    action,
                    reply,
                } => {
                    let _ = reply.send(runtime.act(service, action).await);
                }
            }
        }
    });
    StackHandle {
        commands: tx,
        events,
    }
}

impl StackHandle {
    pub fn subscribe(&self) -> broadcast::Receiver<StackEvent> {
        self.events.resubscribe()
    }

    /// Sends `make(reply)` and returns the receiver of the answer; the caller
    /// may await it later (or poll it from a render loop).
    pub async fn request<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> StackCommand,
    ) -> Result<oneshot::Receiver<Result<T, StackError>>, StackError> {
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(make(reply))
            .await
            .map_err(|_| StackError::TaskStopped)?;
        Ok(rx)
    }

    /// Sends and waits for the answer.
    pub async fn call<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> StackCommand,
    ) -> Result<T, StackError> {
        self.request(make)
            .await?
            .await
            .map_err(|_| StackError::TaskStopped)?
    }
}

/// The stack task as the case engine's hands on a service (restart, kill).
impl crate::cases::engine::ServiceControl for StackHandle {
    fn act<'a>(
        &'a self,
        step: &'a crate::cases::model::ContainerStep,
    ) -> futures::future::BoxFuture<'a, Result<(), crate::cases::engine::io::ActError>> {
        use crate::cases::model::ContainerAction;
        let action = match step.action {
            ContainerAction::Restart => ServiceAction::Restart,
            ContainerAction::Kill => ServiceAction::Kill,
        };
        let service = Service::of(step.service);
        Box::pin(async move {
            self.call(|reply| StackCommand::Act {
                service,
                action,
                reply,
            })
            .await
            .map_err(|e| crate::cases::engine::io::ActError::Service(e.to_string()))
        })
    }

    fn app_counts(
        &self,
    ) -> futures::future::BoxFuture<'_, Option<crate::cases::engine::AppCounts>> {
        Box::pin(async move {
            let status = self.call(StackCommand::Status).await.ok()?;
            crate::cases::engine::AppCounts::of(&status)
        })
    }
}
