//! The services of the stack as one type, shared by both backends, the
//! console and the cases: what a service is for ([`ServiceRole`]) and which
//! replica of it ([`Service`]). A role carries its facts (its name, the port
//! it listens on inside its container, the setting that moves its host port,
//! whether `up` may go on without it), so no caller spells a service's name
//! or tests one by its prefix.
//!
//! A service reads and parses as people type it: `db`, `app-1`,
//! `prometheus`, `grafana`; the local backend's single app is `app`.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::settings::StackSettings;

/// What a service is for. The stack runs one of each; `app` may run in
/// replicas. Declared in start order: the app needs its database, an alert
/// needs its target.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum ServiceRole {
    Db,
    App,
    Prometheus,
    Grafana,
}

impl ServiceRole {
    /// Every role, in start order.
    pub const ALL: [ServiceRole; 4] = [
        ServiceRole::Db,
        ServiceRole::App,
        ServiceRole::Prometheus,
        ServiceRole::Grafana,
    ];

    /// Its name as people type it, in the `io.workshop.service` label and
    /// in the names of its container and volume.
    pub fn name(self) -> &'static str {
        match self {
            ServiceRole::Db => "db",
            ServiceRole::App => "app",
            ServiceRole::Prometheus => "prometheus",
            ServiceRole::Grafana => "grafana",
        }
    }

    /// The port it listens on inside its container, and the scheme of the
    /// URL a person opens to reach it there.
    pub(crate) fn port_inside(self) -> (u16, &'static str) {
        match self {
            ServiceRole::Db => (5432, "postgres"),
            ServiceRole::App => (5000, "http"),
            ServiceRole::Prometheus => (9090, "http"),
            ServiceRole::Grafana => (3000, "http"),
        }
    }

    /// The setting that moves its host port.
    pub(crate) fn port_env(self) -> &'static str {
        match self {
            ServiceRole::Db => "WORKSHOP_PORT_DB",
            ServiceRole::App => "WORKSHOP_PORT_API",
            ServiceRole::Prometheus => "WORKSHOP_PORT_PROMETHEUS",
            ServiceRole::Grafana => "WORKSHOP_PORT_GRAFANA",
        }
    }

    /// `up` succeeds without it when its image is missing: no registry, no
    /// Grafana, and the workshop still works.
    pub(crate) fn optional(self) -> bool {
        self == ServiceRole::Grafana
    }
}

impl fmt::Display for ServiceRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// One service of the stack: a role, and for the Docker backend's app the
/// replica (`app-2`); the local backend runs one app, named `app`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Service {
    pub role: ServiceRole,
    /// 1-based; `None` for a service that has no replicas.
    pub replica: Option<u16>,
}

impl Service {
    /// The one service of `role` (`db`, `prometheus`; the local `app`).
    pub const fn of(role: ServiceRole) -> Self {
        Self {
            role,
            replica: None,
        }
    }

    /// Replica `n` (1-based) of the app: `app-n`.
    pub const fn app(n: u16) -> Self {
        Self {
            role: ServiceRole::App,
            replica: Some(n),
        }
    }

    /// Whether it is the app, whichever replica.
    pub fn is_app(self) -> bool {
        self.role == ServiceRole::App
    }

    /// Its container (or other object) of this project: `<project>-app-1`.
    pub(crate) fn container(self, settings: &StackSettings) -> String {
        settings.object_name(&self.to_string())
    }
}

impl From<ServiceRole> for Service {
    fn from(role: ServiceRole) -> Self {
        Self::of(role)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.replica {
            None => f.pad(self.role.name()),
            Some(n) => f.pad(&format!("{}-{n}", self.role.name())),
        }
    }
}

/// A name that is no service of the stack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service `{0}`; the services are db, app (app-1, app-2…), prometheus, grafana")]
pub struct UnknownService(pub String);

impl FromStr for Service {
    type Err = UnknownService;

    /// `db`, `app`, `app-2`, `prometheus`, `grafana`; only the app has replicas.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownService(s.to_string());
        let (role, replica) = match s.split_once('-') {
            Some((role, n)) => {
                let n: u16 = n.parse().ok().filter(|n| *n > 0).ok_or_else(unknown)?;
                (role, Some(n))
            }
            None => (s, None),
        };
        let role = ServiceRole::ALL
            .into_iter()
            .find(|r| r.name() == role)
            .ok_or_else(unknown)?;
        if replica.is_some() && role != ServiceRole::App {
            return Err(unknown());
        }
        Ok(Self { role, replica })
    }
}

/// Written as people read it (`app-1`), so `status --json` says what the
/// table says.
impl Serialize for Service {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_reads_and_parses_as_people_type_it() {
        for (text, service) in [
            ("db", Service::of(ServiceRole::Db)),
            ("app", Service::of(ServiceRole::App)),
            ("app-2", Service::app(2)),
            ("prometheus", Service::of(ServiceRole::Prometheus)),
            ("grafana", Service::of(ServiceRole::Grafana)),
        ] {
            assert_eq!(service.to_string(), text);
            assert_eq!(text.parse::<Service>(), Ok(service));
        }
    }

    #[test]
    fn a_name_no_backend_runs_is_refused() {
        for text in ["cadvisor", "app-0", "app-x", "db-1", "", "App"] {
            assert!(text.parse::<Service>().is_err(), "{text}");
        }
    }

    #[test]
    fn a_service_pads_like_the_text_it_replaced() {
        assert_eq!(format!("{:<7}|", Service::app(1)), "app-1  |");
    }
}
