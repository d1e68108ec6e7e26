//! The stack's ports (listed by [`crate::stack::ports`]): each one free, or held by this project's own stack
//! (then fine), or by something else (then the setting that moves it).

use super::Check;
use crate::stack::ports::StackPort;
#[cfg(test)]
use crate::stack::{StackSettings, ports::stack_ports};

/// Free, or held by this project's own running stack: fine. Taken by
/// anything else: `up` would fail to publish it.
pub(super) fn check_port(
    port: &StackPort,
    taken: Option<&str>,
    own: bool,
    suggestion: Option<u16>,
    os: &str,
) -> Check {
    let n = port.number;
    match taken {
        None => Check::ok(&port.name, format!("port {n} ({}) is free", port.service)),
        Some(_) if own => Check::ok(
            &port.name,
            format!(
                "port {n} ({}) is held by this project's running stack",
                port.service
            ),
        ),
        Some(why) => {
            let other = suggestion.unwrap_or(n.saturating_add(50));
            let mut fix = format!(
                "stop what listens there, or move the stack's port: {}={other} (environment or \
                 the config file)",
                port.env
            );
            if os == "macos" && n == 5000 {
                fix.push_str(
                    "; on macOS port 5000 is usually the AirPlay Receiver (System Settings → \
                     General → AirDrop & Handoff)",
                );
            }
            Check::fail(
                &port.name,
                format!("port {n} ({}) is taken: {why}", port.service),
                fix,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    fn api(number: u16) -> StackPort {
        StackPort {
            name: "port-api".into(),
            service: crate::stack::ServiceRole::App,
            number,
            env: "WORKSHOP_PORT_API",
        }
    }

    #[test]
    fn every_replica_and_a_published_db_get_a_port_check() {
        let s = StackSettings {
            app_replicas: 3,
            db_port: Some(5432),
            ..Default::default()
        };
        let names: Vec<(String, u16)> = stack_ports(&s)
            .into_iter()
            .map(|p| (p.name, p.number))
            .collect();
        assert_eq!(
            names,
            vec![
                ("port-api".into(), 5000),
                ("port-api-2".into(), 5001),
                ("port-api-3".into(), 5002),
                ("port-prometheus".into(), 9090),
                ("port-grafana".into(), 3000),
                ("port-db".into(), 5432),
            ]
        );
    }

    #[test]
    fn a_taken_port_fails_and_names_the_setting_that_moves_it() {
        let c = check_port(
            &api(5000),
            Some("Address in use"),
            false,
            Some(5050),
            "linux",
        );
        assert_eq!(c.status, Status::Fail);
        assert!(c.finding.contains("5000"), "{}", c.finding);
        let fix = c.fix.expect("fix");
        assert!(fix.contains("WORKSHOP_PORT_API=5050"), "{fix}");
        assert!(!fix.contains("AirPlay"), "{fix}");
    }

    #[test]
    fn port_5000_taken_on_a_mac_names_airplay() {
        let c = check_port(&api(5000), Some("Address in use"), false, None, "macos");
        assert!(c.fix.is_some_and(|f| f.contains("AirPlay")));
    }

    #[test]
    fn a_port_held_by_the_projects_own_stack_is_fine() {
        let c = check_port(&api(5000), Some("Address in use"), true, None, "linux");
        assert_eq!(c.status, Status::Ok);
        assert!(c.finding.contains("this project"), "{}", c.finding);
    }
}
