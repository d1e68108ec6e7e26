//! What the console's state says about the stack it watches: whether the
//! API answers (and how, when its health check fails), whether there is a
//! Prometheus to evaluate alerts at all, and the app's memory limit.

use super::state::{App, Link};
use super::text::{T, state_word, t};

impl App {
    /// How an app whose health check (its `/readyz`) fails still answers:
    /// slowly when its p95 is a second or more, else alive but not ready
    /// (its database is gone; a restart would not bring it back).
    pub(crate) fn answers_word(&self) -> T {
        let p95 = self.signals.series[crate::telemetry::Signal::P95].latest();
        if p95.is_some_and(|v| v >= 1.0) {
            T::AnswersSlowly
        } else {
            T::AliveNotReady
        }
    }

    /// The API as the header shows it. The stack's view of the app wins
    /// when it has one: `/metrics` keeps answering while `/health` fails,
    /// and the header must not say ✔ beside a stack panel that says
    /// unhealthy.
    pub fn api_link(&self) -> Link {
        use crate::stack::{Health, ServiceState};
        let apps: Vec<_> = self.stack.status.iter().flat_map(|s| s.apps()).collect();
        let down = apps.iter().find(|s| {
            let stopped = s.state != ServiceState::Running
                && !matches!(s.state, ServiceState::Missing | ServiceState::ImageMissing);
            stopped || s.health == Health::Unhealthy
        });
        let answering = self.signals.api == Link::Up;
        match down {
            Some(s) if s.state == ServiceState::Running && answering => {
                Link::Answers(t(self.lang, self.answers_word()).to_string())
            }
            Some(s) => Link::Down(format!(
                "{} {}",
                s.name,
                t(self.lang, state_word(s.state, s.health))
            )),
            None if apps.iter().any(|s| s.health == Health::Starting)
                && self.signals.api == Link::Up =>
            {
                Link::Unknown
            }
            None => self.signals.api.clone(),
        }
    }

    /// The stack runs without Prometheus (a local stack with no
    /// `prometheus` binary, an image that is missing) and none answers: no
    /// alert is evaluated. A Prometheus that is only down for a while is
    /// not this: its alerts come back with it.
    pub(crate) fn no_prometheus(&self) -> bool {
        use crate::stack::{ServiceRole, ServiceState};
        let missing = self.stack.status.iter().any(|s| {
            s.services.iter().any(|svc| {
                svc.name.role == ServiceRole::Prometheus
                    && matches!(
                        svc.state,
                        ServiceState::Missing | ServiceState::ImageMissing
                    )
            })
        });
        missing && self.signals.prometheus != Link::Up
    }

    /// The app's memory limit in bytes, as the stack reports it (the
    /// largest of its replicas'); `None` when it has none.
    pub(crate) fn memory_limit(&self) -> Option<u64> {
        self.stack
            .status
            .iter()
            .flat_map(|s| s.apps())
            .filter_map(|s| s.memory_limit_bytes)
            .max()
    }
}
