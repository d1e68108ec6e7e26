//! The Docker engine: where it answered, and whether it can hold a container
//! to a memory limit (the leak lesson is an OOM kill at the limit).

use std::path::Path;

use bollard::models::{ContainerSummaryStateEnum, SystemInfo};

use super::Check;
use crate::stack::engine::{self, NoEngine};
use crate::stack::{DockerStack, StackSettings};

/// An engine that answered, and what it says about itself.
pub(super) struct EngineFacts {
    /// e.g. "Docker on Linux (unix:///var/run/docker.sock)".
    pub place: String,
    pub api_version: String,
    /// `None` when `info` failed.
    pub info: Option<InfoFacts>,
    /// Host ports the project's running containers publish.
    pub own_ports: Vec<u16>,
    pub stack: DockerStack,
}

/// The parts of the engine's `info` the checks read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct InfoFacts {
    pub memory_limit: Option<bool>,
    pub swap_limit: Option<bool>,
    pub cgroup_version: Option<String>,
    /// What containers can use: the VM's memory on Docker Desktop or Colima.
    pub mem_total: Option<u64>,
    /// Where the engine keeps images, when that is a directory of this host
    /// (not inside Docker Desktop's or Colima's VM).
    pub host_root_dir: Option<String>,
    /// Registries the engine pulls from over plain HTTP: CIDRs…
    pub insecure_cidrs: Vec<String>,
    /// …and `host:port` entries.
    pub insecure_names: Vec<String>,
}

impl InfoFacts {
    fn read(info: SystemInfo, place: &str) -> Self {
        let in_vm = info
            .operating_system
            .as_deref()
            .is_some_and(|os| os.contains("Docker Desktop"))
            || place.starts_with("Colima")
            || !cfg!(target_os = "linux");
        let registry = info.registry_config.unwrap_or_default();
        Self {
            memory_limit: info.memory_limit,
            swap_limit: info.swap_limit,
            cgroup_version: info
                .cgroup_version
                .map(|v| v.to_string())
                .filter(|v| !v.is_empty()),
            mem_total: info.mem_total.and_then(|m| u64::try_from(m).ok()),
            host_root_dir: info
                .docker_root_dir
                .filter(|d| !in_vm && Path::new(d).is_dir()),
            insecure_cidrs: registry.insecure_registry_cidrs.unwrap_or_default(),
            insecure_names: registry
                .index_configs
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, i)| i.secure == Some(false))
                .map(|(name, _)| name)
                .collect(),
        }
    }
}

impl EngineFacts {
    /// Finds the engine the way `up` does; asks it about itself and about
    /// this project's running containers.
    pub(super) async fn gather(settings: &StackSettings) -> Result<Self, NoEngine> {
        let engine = engine::connect().await?;
        let place = engine.place.clone();
        let api_version = engine.api_version.clone();
        let info = engine
            .docker
            .info()
            .await
            .ok()
            .map(|i| InfoFacts::read(i, &place));
        let stack = DockerStack::with_engine(engine, settings.clone());
        let own_ports = stack
            .project_containers()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.state == Some(ContainerSummaryStateEnum::RUNNING))
            .flat_map(|c| c.ports.unwrap_or_default())
            .filter_map(|p| p.public_port)
            .collect();
        Ok(Self {
            place,
            api_version,
            info,
            own_ports,
            stack,
        })
    }
}

/// Found: where and which API. Missing: every place tried; a warning when
/// local mode can stand in, a failure when it cannot.
/// `local_mode`: whether local mode can stand in (the binary finds itself).
pub(super) fn check_engine(found: &Result<EngineFacts, NoEngine>, local_mode: bool) -> Check {
    let miss = match found {
        Ok(e) => {
            return Check::ok(
                "engine",
                format!("Docker engine at {}, API {}", e.place, e.api_version),
            );
        }
        Err(miss) => miss,
    };
    no_engine(miss, local_mode)
}

fn no_engine(miss: &NoEngine, local_mode: bool) -> Check {
    let tried: Vec<String> = miss
        .tried
        .iter()
        .map(|a| format!("{}: {}", a.place, a.outcome))
        .collect();
    let finding = format!("no Docker engine answered (tried {})", tried.join("; "));
    let mut fix =
        String::from("start Docker (or Colima/Podman), or point DOCKER_HOST at a running engine");
    if miss.only_docker_host() {
        fix.push_str(" (DOCKER_HOST is set, so nothing else was tried: unset it to search the usual sockets)");
    }
    if local_mode {
        fix.push_str("; without Docker the workshop runs in local mode: `workshop up --local`");
        Check::warn("engine", finding, fix)
    } else {
        fix.push_str("; local mode is not possible either: this binary cannot find itself (set WORKSHOP_LOCAL_BIN to the workshop binary)");
        Check::fail("engine", finding, fix)
    }
}

/// The leak lesson needs the engine to enforce the app's memory limit, and
/// to count swap in it (or the app swaps past the limit instead of dying).
pub(super) fn check_memory_limits(info: Option<&InfoFacts>) -> Check {
    let Some(info) = info else {
        return Check::warn(
            "memory-limit",
            "the engine did not say whether it can limit memory (`info` failed)",
            "run `docker info` and look for \"No memory limit support\" among the warnings",
        );
    };
    let cgroup = info
        .cgroup_version
        .as_deref()
        .map(|v| format!("cgroup v{v}"))
        .unwrap_or_else(|| "cgroup version not reported".into());
    match (info.memory_limit, info.swap_limit) {
        (Some(false), _) => Check::fail(
            "memory-limit",
            format!(
                "the engine cannot limit a container's memory ({cgroup}): the leak case would \
                 fill the machine instead of being OOM-killed at the limit"
            ),
            "enable the kernel's memory cgroup (e.g. `cgroup_enable=memory cgroup_memory=1` on \
             the kernel command line, or a cgroup v2 system), reboot, restart Docker",
        ),
        (_, Some(false)) => Check::warn(
            "memory-limit",
            format!(
                "memory is limited but swap is not ({cgroup}): past the limit the app swaps, \
                 and the OOM kill comes late or never"
            ),
            "turn swap off for the session (`sudo swapoff -a`), or enable swap accounting \
             (`swapaccount=1` on the kernel command line)",
        ),
        (Some(true), _) => Check::ok(
            "memory-limit",
            format!("the engine enforces memory limits, swap included ({cgroup})"),
        ),
        (None, _) => Check::warn(
            "memory-limit",
            format!("the engine did not say whether it can limit memory ({cgroup})"),
            "run `docker info` and look for \"No memory limit support\" among the warnings",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::engine::Attempt;

    fn miss(places: &[&str]) -> NoEngine {
        NoEngine {
            tried: places
                .iter()
                .map(|p| Attempt {
                    place: p.to_string(),
                    outcome: "connection refused (nothing listens there)".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_missing_engine_is_a_warning_while_local_mode_can_stand_in() {
        let c = no_engine(
            &miss(&[
                "Docker on Linux (unix:///var/run/docker.sock)",
                "Colima (unix:///x)",
            ]),
            true,
        );
        assert_eq!(c.status, super::super::Status::Warn);
        assert!(c.finding.contains("/var/run/docker.sock"), "{}", c.finding);
        assert!(c.finding.contains("Colima"), "{}", c.finding);
        assert!(c.fix.as_deref().is_some_and(|f| f.contains("--local")));
    }

    #[test]
    fn a_missing_engine_fails_when_local_mode_cannot_run_either() {
        let c = no_engine(
            &miss(&["Docker on Linux (unix:///var/run/docker.sock)"]),
            false,
        );
        assert_eq!(c.status, super::super::Status::Fail);
        assert!(
            c.fix
                .as_deref()
                .is_some_and(|f| f.contains("WORKSHOP_LOCAL_BIN"))
        );
    }

    #[test]
    fn a_docker_host_that_does_not_answer_says_nothing_else_was_tried() {
        let c = no_engine(&miss(&["$DOCKER_HOST (tcp://127.0.0.1:1)"]), true);
        assert!(c.finding.contains("tcp://127.0.0.1:1"), "{}", c.finding);
        assert!(
            c.fix.as_deref().is_some_and(|f| f.contains("unset it")),
            "{:?}",
            c.fix
        );
    }

    #[test]
    fn no_memory_limit_support_blocks_and_no_swap_limit_warns() {
        use super::super::Status;
        let info = |memory, swap| InfoFacts {
            memory_limit: memory,
            swap_limit: swap,
            cgroup_version: Some("2".into()),
            ..Default::default()
        };
        assert_eq!(
            check_memory_limits(Some(&info(Some(true), Some(true)))).status,
            Status::Ok
        );
        assert_eq!(
            check_memory_limits(Some(&info(Some(true), Some(false)))).status,
            Status::Warn
        );
        assert_eq!(
            check_memory_limits(Some(&info(Some(false), Some(false)))).status,
            Status::Fail
        );
        assert_eq!(check_memory_limits(None).status, Status::Warn);
    }
}
