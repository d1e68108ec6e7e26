//! Turns the engine's event stream into [`StackEvent`]s.
//!
//! The engine reports an OOM kill as one or more `oom` events followed by a
//! `die` (exit code 137); a restart by the restart policy as `die` then
//! `start`. This task keeps just enough per-service memory (an OOM seen since
//! the last start, a death seen) to say "OOM-killed" once per kill and
//! "restarted" only after a death.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bollard::Docker;
use bollard::models::EventMessage;
use bollard::query_parameters::{EventsOptions, InspectContainerOptions};
use futures::StreamExt;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::spec::{LABEL_MANAGED, LABEL_PROJECT, LABEL_REPLICA, LABEL_SERVICE};
use crate::stack::model::{Health, StackEvent};
use crate::stack::service::Service;

/// Runs until `stop` is cancelled; reconnects when the stream breaks (the
/// engine restarted), so a long session keeps its events.
pub(super) async fn run(
    docker: Docker,
    project: String,
    events: broadcast::Sender<StackEvent>,
    stop: CancellationToken,
) {
    let filters = HashMap::from([
        ("type".to_string(), vec!["container".to_string()]),
        (
            "label".to_string(),
            vec![
                format!("{LABEL_MANAGED}=true"),
                format!("{LABEL_PROJECT}={project}"),
            ],
        ),
    ]);
    let mut memory = Memory::default();
    loop {
        let opts = EventsOptions {
            filters: Some(filters.clone()),
            ..Default::default()
        };
        let mut stream = docker.events(Some(opts));
        loop {
            let next = tokio::select! {
                _ = stop.cancelled() => return,
                next = stream.next() => next,
            };
            match next {
                Some(Ok(message)) => {
                    for event in memory.translate(&message) {
                        let event = match event {
                            Pending::Ready(e) => e,
                            Pending::RestartOf(service, id) => StackEvent::Restarted {
                                count: restart_count(&docker, &id).await,
                                service,
                            },
                        };
                        let _ = events.send(event);
                    }
                }
                Some(Err(_)) | None => break,
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

async fn restart_count(docker: &Docker, id: &str) -> u64 {
    docker
        .inspect_container(id, None::<InspectContainerOptions>)
        .await
        .ok()
        .and_then(|c| c.restart_count)
        .and_then(|n| u64::try_from(n).ok())
        .unwrap_or(0)
}

/// An event, or a restart whose count must first be read from the engine.
#[derive(Debug, PartialEq)]
pub(super) enum Pending {
    Ready(StackEvent),
    RestartOf(String, String),
}

/// What the translation remembers between events.
#[derive(Debug, Default)]
pub(super) struct Memory {
    oom_since_start: HashSet<String>,
    died: HashSet<String>,
}

impl Memory {
    pub(super) fn translate(&mut self, m: &EventMessage) -> Vec<Pending> {
        let Some(actor) = &m.actor else {
            return vec![];
        };
        let attrs = actor.attributes.clone().unwrap_or_default();
        let Some(service) = service_of(&attrs).map(|s| s.to_string()) else {
            return vec![];
        };
        let id = actor.id.clone().unwrap_or_default();
        let action = m.action.as_deref().unwrap_or_default();
        match action {
            "oom" => {
                if self.oom_since_start.insert(service.clone()) {
                    vec![Pending::Ready(StackEvent::OomKilled { service })]
                } else {
                    vec![]
                }
            }
            "die" => {
                self.died.insert(service.clone());
                let code: Option<i64> = attrs.get("exitCode").and_then(|c| c.parse().ok());
                let signal = code
                    .filter(|c| *c > 128 && *c < 160)
                    .and_then(|c| i32::try_from(c - 128).ok());
                vec![Pending::Ready(StackEvent::Died {
                    service,
                    exit_code: code,
                    signal,
                })]
            }
            "start" => {
                self.oom_since_start.remove(&service);
                if self.died.remove(&service) {
                    vec![Pending::RestartOf(service, id)]
                } else {
                    vec![]
                }
            }
            a if a.starts_with("health_status") => {
                let health = match a.rsplit(": ").next() {
                    Some("healthy") => Health::Healthy,
                    Some("unhealthy") => Health::Unhealthy,
                    Some("starting") => Health::Starting,
                    _ => Health::Unknown,
                };
                vec![Pending::Ready(StackEvent::HealthChanged {
                    service,
                    health,
                })]
            }
            _ => vec![],
        }
    }
}

/// `app-2` from the labels of a replica; `db`, `prometheus`… otherwise;
/// `None` for an object that is no service of the stack.
pub(super) fn service_of(labels: &HashMap<String, String>) -> Option<Service> {
    let role = labels.get(LABEL_SERVICE)?;
    let name = match labels.get(LABEL_REPLICA) {
        Some(n) => format!("{role}-{n}"),
        None => role.clone(),
    };
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::EventActor;

    fn event(action: &str, extra: &[(&str, &str)]) -> EventMessage {
        let mut attributes = HashMap::from([
            (LABEL_SERVICE.to_string(), "app".to_string()),
            (LABEL_REPLICA.to_string(), "1".to_string()),
        ]);
        for (k, v) in extra {
            attributes.insert(k.to_string(), v.to_string());
        }
        EventMessage {
            action: Some(action.into()),
            actor: Some(EventActor {
                id: Some("abc".into()),
                attributes: Some(attributes),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn an_oom_kill_then_a_restart_reads_as_one_kill_one_death_one_restart() {
        let mut m = Memory::default();
        let mut out = Vec::new();
        for e in [
            event("oom", &[]),
            event("oom", &[]),
            event("die", &[("exitCode", "137")]),
            event("start", &[]),
        ] {
            out.extend(m.translate(&e));
        }
        assert_eq!(
            out,
            vec![
                Pending::Ready(StackEvent::OomKilled {
                    service: "app-1".into()
                }),
                Pending::Ready(StackEvent::Died {
                    service: "app-1".into(),
                    exit_code: Some(137),
                    signal: Some(9)
                }),
                Pending::RestartOf("app-1".into(), "abc".into()),
            ]
        );
    }

    #[test]
    fn the_first_start_is_not_a_restart() {
        let mut m = Memory::default();
        assert!(m.translate(&event("start", &[])).is_empty());
    }
}
