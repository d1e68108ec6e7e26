//! The Docker backend's tests' own project on this machine's real engine
//! (`stack_docker.rs`, `stack_docker_oom.rs`): its name and ports, and a
//! clean slate with the images present. The tests share the engine's
//! ports, so each takes its turn (`common::turn`).

use std::time::Duration;

use workshop::stack::{DockerStack, StackSettings, engine};

pub const PROJECT: &str = "wstest";
pub const API: u16 = 15000;
pub const PROMETHEUS: u16 = 19090;

pub fn settings(replicas: u16) -> StackSettings {
    StackSettings {
        project: PROJECT.into(),
        api_port: API,
        prometheus_port: PROMETHEUS,
        grafana_port: 13000,
        app_replicas: replicas,
        // The build's extra CA, as `workshop up` reads it from the environment.
        build_ca: std::env::var_os("WORKSHOP_BUILD_CA").map(Into::into),
        ..StackSettings::default()
    }
}

/// A connected stack with a clean slate and the images present.
pub async fn fresh_stack(replicas: u16) -> DockerStack {
    let engine = engine::connect()
        .await
        .unwrap_or_else(|e| panic!("these tests need the Docker engine: {e}"));
    let stack = DockerStack::with_engine(engine, settings(replicas));
    let s = stack.settings().clone();
    for image in [&s.images.db, &s.images.prometheus] {
        assert!(
            stack.docker().inspect_image(image).await.is_ok(),
            "image {image} is missing: run scripts/standin-images (it makes local stand-ins \
             of the official images; no registry is needed)"
        );
    }
    // The app image is the one `up` builds from the Dockerfile when missing.
    for image in workshop::stack::images::stack_images(&s) {
        if image.service == "app" {
            stack
                .obtain(&image)
                .await
                .expect("the app image, built from the Dockerfile");
        }
    }
    stack.down(true).await.expect("clean slate");
    stack
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}
