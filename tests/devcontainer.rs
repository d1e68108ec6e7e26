//! The Codespaces / dev-container definition: valid JSON, the set-up CI and
//! `scripts/test` use, and the stack's ports forwarded.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use serde_json::Value;
use workshop::stack::StackSettings;

fn devcontainer() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".devcontainer/devcontainer.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    // Plain JSON, no comments: every JSON tool reads it, not only VS Code's.
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

#[test]
fn the_dev_container_is_bookworm_rust_with_docker_in_docker() {
    let dc = devcontainer();
    let image = dc["image"].as_str().unwrap_or_default();
    assert!(
        image.starts_with("mcr.microsoft.com/devcontainers/rust:") && image.ends_with("bookworm"),
        "{image}"
    );
    let features = dc["features"].as_object().cloned().unwrap_or_default();
    assert!(
        features
            .keys()
            .any(|k| k.starts_with("ghcr.io/devcontainers/features/docker-in-docker:")),
        "no docker-in-docker feature: {features:?}"
    );
}

#[test]
fn the_dev_container_runs_the_same_setup_as_ci() {
    let dc = devcontainer();
    assert_eq!(dc["postCreateCommand"], "scripts/setup");
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/setup");
    let mode = std::fs::metadata(&script)
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()))
        .permissions()
        .mode();
    assert!(mode & 0o111 != 0, "scripts/setup is not executable");
}

#[test]
fn the_dev_container_forwards_the_api_prometheus_and_grafana_ports() {
    let dc = devcontainer();
    let forwarded: BTreeSet<u64> = dc["forwardPorts"]
        .as_array()
        .unwrap_or_else(|| panic!("no forwardPorts list: {dc}"))
        .iter()
        .filter_map(Value::as_u64)
        .collect();
    let stack = StackSettings::default();
    let expected: BTreeSet<u64> = [stack.api_port, stack.prometheus_port, stack.grafana_port]
        .into_iter()
        .map(u64::from)
        .collect();
    assert_eq!(forwarded, expected);
    for port in &forwarded {
        assert!(
            dc["portsAttributes"][port.to_string()]["label"].is_string(),
            "port {port} has no label"
        );
    }
}
