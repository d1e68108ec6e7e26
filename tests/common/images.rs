//! The image tests' own project on this machine's real engine
//! (`images_build.rs`, `images_mirror.rs`): its name and ports, the base
//! images the Dockerfile names, a clean slate with every stand-in present,
//! and how they run `workshop` on it. They share the engine's ports, so each
//! takes its turn (`common::turn`).

use std::process::Output;

use bollard::query_parameters::RemoveImageOptions;
use serde_json::Value;
use workshop::stack::{DockerStack, Health, ServiceState, StackSettings, engine};

use super::workshop;

pub const PROJECT: &str = "wsimg";
pub const API: u16 = 16000;
pub const PROMETHEUS: u16 = 16090;

pub fn settings() -> StackSettings {
    StackSettings {
        project: PROJECT.into(),
        api_port: API,
        prometheus_port: PROMETHEUS,
        grafana_port: 16300,
        // The build's extra CA, as `workshop up` reads it from the environment.
        build_ca: std::env::var_os("WORKSHOP_BUILD_CA").map(Into::into),
        ..StackSettings::default()
    }
}

/// The base images the Dockerfile builds from, read from the Dockerfile.
pub fn dockerfile_bases() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Dockerfile"))
        .expect("Dockerfile");
    let rust = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("ARG RUST_VERSION="))
        .expect("ARG RUST_VERSION= line")
        .trim()
        .to_string();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("FROM "))
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap_or("")
                .replace("${RUST_VERSION}", &rust)
        })
        .collect()
}

/// Engine connected, the test project down, and every stand-in present.
pub async fn connected() -> DockerStack {
    let engine = engine::connect()
        .await
        .unwrap_or_else(|e| panic!("these tests need the Docker engine: {e}"));
    let stack = DockerStack::with_engine(engine, settings());
    let mut needed = dockerfile_bases();
    needed.push(stack.settings().images.db.clone());
    needed.push(stack.settings().images.prometheus.clone());
    for image in needed {
        assert!(
            stack.docker().inspect_image(&image).await.is_ok(),
            "stand-in {image} is missing: run scripts/standin-images (no registry is \
             reachable here, so the official images are made locally under their names)"
        );
    }
    stack.down(true).await.expect("clean slate");
    stack
}

/// `workshop ARGS` on the test project: its name and ports, no user config,
/// no mirror or bundle from the test's environment; `env` on top.
pub fn on_project(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = workshop(args);
    cmd.env("WORKSHOP_PROJECT", PROJECT)
        .env("WORKSHOP_PORT_API", API.to_string())
        .env("WORKSHOP_PORT_PROMETHEUS", PROMETHEUS.to_string())
        .env("WORKSHOP_PORT_GRAFANA", "16300")
        .env("WORKSHOP_CONFIG", "/nonexistent/stack.env")
        .env_remove("WORKSHOP_REGISTRY")
        .env_remove("WORKSHOP_IMAGES");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run workshop")
}

/// Both streams of a run, for a message or a search.
pub fn printed(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// db, app-1 and prometheus running and healthy; a balance read answers.
pub async fn assert_healthy(stack: &DockerStack) {
    let status = stack.status().await.expect("status");
    for name in ["db", "app-1", "prometheus"] {
        let s = status.service(name).expect(name);
        assert_eq!(
            (s.state, s.health),
            (ServiceState::Running, Health::Healthy),
            "{name}: {s:?}"
        );
    }
    let balance: Value = reqwest::get(format!("http://127.0.0.1:{API}/api/balance"))
        .await
        .expect("balance")
        .json()
        .await
        .expect("json");
    assert_eq!(balance["account"], "ACC-001");
}

/// Removes an image by name. `keep_cache` keeps its untagged parents (the
/// engine's build cache), so a later build of the same Dockerfile is quick.
pub async fn remove_image(stack: &DockerStack, image: &str, keep_cache: bool) {
    let opts = RemoveImageOptions {
        force: true,
        noprune: keep_cache,
        ..Default::default()
    };
    let _ = stack.docker().remove_image(image, Some(opts), None).await;
    assert!(
        stack.docker().inspect_image(image).await.is_err(),
        "{image} removed"
    );
}
