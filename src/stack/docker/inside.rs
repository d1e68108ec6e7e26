//! The console in a container (`docker run … -v /var/run/docker.sock:… tui`):
//! it finds its own container on the engine it drives, joins the stack's
//! network after `up`, and reaches the services by name, because the ports
//! the stack publishes on the host's loopback are not its loopback.

use bollard::Docker;
use bollard::models::NetworkConnectRequest;
use bollard::query_parameters::InspectContainerOptions;

use super::DockerStack;
use super::spec::network_name;
use crate::stack::error::StackError;

/// Where the console inside the stack's network finds the API and Prometheus
/// (the services' network aliases and their own ports).
pub(crate) const API_BY_NAME: &str = "http://app:5000";
pub(crate) const PROMETHEUS_BY_NAME: &str = "http://prometheus:9090";

/// The id of the container this process runs in, when that container is one
/// of `docker`'s (not a container of some other engine, not the host).
pub(super) async fn own_container(docker: &Docker) -> Option<String> {
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    // A container's hostname is only worth trying inside a container.
    let in_a_container = ["/.dockerenv", "/run/.containerenv"]
        .iter()
        .any(|p| std::path::Path::new(p).exists());
    let hostname = if in_a_container {
        std::fs::read_to_string("/etc/hostname").unwrap_or_default()
    } else {
        String::new()
    };
    for candidate in candidates(&mountinfo, hostname.trim()) {
        if let Ok(c) = docker
            .inspect_container(&candidate, None::<InspectContainerOptions>)
            .await
        {
            return c.id;
        }
    }
    None
}

/// Container ids this process may be in: the engine bind-mounts
/// `/etc/hostname`, `/etc/hosts` and `/etc/resolv.conf` from
/// `…/containers/<id>/`, so `mountinfo` names the id; only mounts *on* those
/// files count (a Docker host's own mountinfo lists every running
/// container's `…/containers/<id>/mounts/shm`). A container's hostname is
/// its short id unless set otherwise.
fn candidates(mountinfo: &str, hostname: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in mountinfo.lines() {
        let mut fields = line.split_whitespace();
        let (Some(root), Some(target)) = (fields.nth(3), fields.next()) else {
            continue;
        };
        if !["/etc/hostname", "/etc/hosts", "/etc/resolv.conf"].contains(&target) {
            continue;
        }
        for part in root.split("/containers/").skip(1) {
            let id: String = part.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
            if id.len() == 64 && !out.contains(&id) {
                out.push(id);
            }
        }
    }
    if hostname.len() == 12 && hostname.chars().all(|c| c.is_ascii_hexdigit()) {
        out.push(hostname.to_string());
    }
    out
}

impl DockerStack {
    /// The console's own container, when it runs in one of this engine's.
    pub fn inside(&self) -> Option<&str> {
        self.inside.as_deref()
    }

    /// Connects the console's container to the stack's network (once).
    pub(super) async fn join_network(&self) -> Result<(), StackError> {
        let Some(id) = &self.inside else {
            return Ok(());
        };
        let network = network_name(&self.settings);
        let joined = self
            .docker
            .inspect_container(id, None::<InspectContainerOptions>)
            .await
            .ok()
            .and_then(|c| c.network_settings)
            .and_then(|n| n.networks)
            .is_some_and(|n| n.contains_key(&network));
        if joined {
            return Ok(());
        }
        self.emit("console", format!("joining the network {network}"));
        self.docker
            .connect_network(
                &network,
                NetworkConnectRequest {
                    container: id.clone(),
                    ..Default::default()
                },
            )
            .await
            .map_err(StackError::docker(format!(
                "connecting the console's container to {network}"
            )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_container_id_is_read_from_the_engines_bind_mounts() {
        let id = "3f1c0c2b9d7e4a5b8c6d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";
        let mountinfo = format!(
            "612 598 0:52 / / rw,relatime master:1 - overlay overlay rw\n\
             640 612 254:1 /var/lib/docker/containers/{id}/hostname /etc/hostname rw - ext4 /dev/vda1 rw\n\
             641 612 254:1 /var/lib/docker/containers/{id}/hosts /etc/hosts rw - ext4 /dev/vda1 rw\n"
        );
        assert_eq!(candidates(&mountinfo, "laptop"), vec![id.to_string()]);
    }

    #[test]
    fn a_docker_hosts_own_mounts_of_other_containers_are_not_this_process() {
        let id = "3f1c0c2b9d7e4a5b8c6d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";
        let host = format!(
            "1 0 254:1 / / rw - ext4 /dev/vda1 rw\n\
             300 1 0:60 / /var/lib/docker/containers/{id}/mounts/shm rw - tmpfs shm rw\n"
        );
        assert!(candidates(&host, "").is_empty());
    }

    #[test]
    fn a_short_hex_hostname_is_tried_and_a_hosts_name_is_not() {
        assert_eq!(candidates("", "3f1c0c2b9d7e"), vec!["3f1c0c2b9d7e"]);
        assert!(candidates("", "my-laptop").is_empty());
        assert!(candidates("1 2 0:1 / / rw - ext4 /dev/sda1 rw", "").is_empty());
    }
}
