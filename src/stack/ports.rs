//! The host ports the stack publishes, the setting that moves each, and
//! whether one can be listened on now. `doctor` reports them; both backends'
//! `up` refuse a taken one with [`super::StackError::PortTaken`].

use super::{ServiceRole, StackError, StackSettings};

/// A host port the stack publishes, and the setting that moves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StackPort {
    /// The check's name: `port-api`, `port-api-2`, `port-prometheus`…
    pub name: String,
    pub service: ServiceRole,
    pub number: u16,
    /// The setting that moves it (the role's).
    pub env: &'static str,
}

/// Every port `up` would publish with these settings.
pub(crate) fn stack_ports(s: &StackSettings) -> Vec<StackPort> {
    let port = |name: String, service: ServiceRole, number| StackPort {
        name,
        service,
        number,
        env: service.port_env(),
    };
    let mut out: Vec<StackPort> = (1..=s.app_replicas.max(1))
        .map(|n| {
            let name = if n == 1 {
                "port-api".to_string()
            } else {
                format!("port-api-{n}")
            };
            port(name, ServiceRole::App, s.app_port(n))
        })
        .collect();
    let one = |role: ServiceRole, number| port(format!("port-{}", role.name()), role, number);
    out.push(one(ServiceRole::Prometheus, s.prometheus_port));
    out.push(one(ServiceRole::Grafana, s.grafana_port));
    if let Some(db) = s.db_port {
        out.push(one(ServiceRole::Db, db));
    }
    out
}

/// Why `bind:port` cannot be listened on now; `None` when it can. The
/// listener is dropped at once. A connection is tried too, because macOS
/// lets a specific address be bound over a wildcard listener (AirPlay's
/// `*:5000`) that Docker's port forwarding then collides with.
pub(crate) fn bind_error(bind: &str, port: u16) -> Option<String> {
    if let Err(e) = std::net::TcpListener::bind((bind, port)) {
        return Some(e.to_string());
    }
    let target = if bind == "0.0.0.0" { "127.0.0.1" } else { bind };
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(target, port))
        .ok()?
        .next()?;
    std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_millis(300))
        .ok()
        .map(|_| "something accepts connections there".into())
}

/// A free port a little above `port`, to name in the fix.
pub(crate) fn free_port_near(bind: &str, port: u16) -> Option<u16> {
    (50..70u16)
        .filter_map(|d| port.checked_add(d))
        .find(|p| bind_error(bind, *p).is_none())
}

impl StackPort {
    /// This port, held on `bind` by another program, as the error that
    /// names the setting moving it and a free port near it.
    pub(crate) fn taken(
        &self,
        service: impl std::fmt::Display,
        bind: &str,
        reason: String,
    ) -> StackError {
        StackError::PortTaken {
            service: service.to_string(),
            bind: bind.into(),
            port: self.number,
            env: self.env,
            reason,
            suggestion: free_port_near(bind, self.number).unwrap_or(self.number.saturating_add(50)),
        }
    }
}
