//! The stack's images the way a student's laptop gets them, on this
//! machine's real engine: the app image built by `up` from the Dockerfile
//! with the Rust that Cargo.toml names, the default images named alike
//! everywhere, and the ports `status` reads back. Through a classroom mirror
//! and a bundle: `images_mirror.rs`.
//!
//! No public registry is reachable here: `scripts/standin-images` makes local
//! stand-ins of the official base images under their official names, keeping
//! their entrypoints, users and paths (see docs/stack.md). A missing stand-in, registry
//! binary or engine fails these tests loudly; nothing is skipped.
//!
//! This file's name sorts before `images_mirror` and `stack_*`, so in a
//! fresh CI run its first test is the one that meets a machine without the
//! app image.

mod common;

use std::time::Instant;

use common::images::{
    API, PROJECT, PROMETHEUS, assert_healthy, connected, dockerfile_bases, on_project, printed,
    remove_image,
};
use common::{turn, workshop};
use serde_json::Value;
use workshop::stack::images::context::LABEL_SOURCE_HASH;
use workshop::stack::settings::APP_IMAGE;
use workshop::stack::{DockerStack, StackSettings};

async fn image_id(stack: &DockerStack, image: &str) -> String {
    stack
        .docker()
        .inspect_image(image)
        .await
        .ok()
        .and_then(|i| i.id)
        .unwrap_or_default()
}

#[test]
fn the_dockerfile_builds_with_the_rust_version_cargo_toml_names() {
    let manifest = include_str!("../Cargo.toml");
    let want = manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("rust-version = "))
        .expect("rust-version in Cargo.toml")
        .trim_matches('"');
    let bases = dockerfile_bases();
    assert!(
        bases.contains(&format!("rust:{want}-bookworm")),
        "the Dockerfile builds with {bases:?}, Cargo.toml says rust-version {want}: \
         change ARG RUST_VERSION in the Dockerfile and rust-version together"
    );
}

#[tokio::test]
async fn up_builds_the_missing_app_image_from_the_dockerfile_and_a_second_up_does_not() {
    let _turn = turn().await;
    let stack = connected().await;
    remove_image(&stack, APP_IMAGE, true).await;

    let started = Instant::now();
    let out = on_project(&["up"], &[]);
    let took = started.elapsed();
    let all = printed(&out);
    assert!(out.status.success(), "workshop up failed:\n{all}");
    assert!(all.contains(&format!("building {APP_IMAGE}")), "{all}");
    assert!(all.contains("Step "), "build steps are shown: {all}");
    eprintln!(
        "FIGURE up with the app image built by the engine: {:.1} s",
        took.as_secs_f64()
    );
    assert_healthy(&stack).await;

    let app = stack
        .docker()
        .inspect_image(APP_IMAGE)
        .await
        .expect("built");
    let config = app.config.clone().unwrap_or_default();
    let labels = config.labels.clone().unwrap_or_default();
    assert!(
        labels.contains_key(LABEL_SOURCE_HASH),
        "labelled with its sources: {labels:?}"
    );
    let user = config.user.clone().unwrap_or_default();
    assert!(
        !user.is_empty() && user != "root" && user != "0",
        "runs as {user:?}"
    );
    assert!(config.healthcheck.is_some(), "the image has a health check");
    let base = stack
        .docker()
        .inspect_image("debian:bookworm-slim")
        .await
        .expect("base");
    let own = app.size.unwrap_or(0) - base.size.unwrap_or(0);
    eprintln!(
        "FIGURE app image: {:.1} MB, of which {:.1} MB over debian:bookworm-slim",
        app.size.unwrap_or(0) as f64 / 1e6,
        own as f64 / 1e6
    );
    // The official bookworm-slim is 74.8 MB; with it the image stays ≤ 120 MB.
    assert!(own <= 45_000_000, "the app's layers are {own} bytes");

    let id = image_id(&stack, APP_IMAGE).await;
    let again = on_project(&["up"], &[]);
    let all = printed(&again);
    assert!(again.status.success(), "second up failed:\n{all}");
    assert!(
        !all.contains("building"),
        "nothing changed, nothing rebuilt: {all}"
    );
    assert_eq!(image_id(&stack, APP_IMAGE).await, id);
    stack.down(true).await.expect("down");
}

#[tokio::test]
async fn status_reads_the_ports_the_containers_really_publish() {
    let _turn = turn().await;
    let stack = connected().await;
    let out = on_project(&["up"], &[]);
    assert!(out.status.success(), "{}", printed(&out));
    // Another environment than the `up` that made the stack: default ports.
    let status = workshop(&["status", "--json"])
        .env("WORKSHOP_PROJECT", PROJECT)
        .env("WORKSHOP_CONFIG", "/nonexistent/stack.env")
        .env_remove("WORKSHOP_PORT_API")
        .env_remove("WORKSHOP_PORT_PROMETHEUS")
        .output()
        .expect("status");
    let json: Value = serde_json::from_slice(&status.stdout).expect("json");
    let url = |name: &str| {
        json["services"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|s| s["name"] == name)
            .map(|s| s["url"].clone())
    };
    assert_eq!(
        url("app-1"),
        Some(Value::from(format!("http://127.0.0.1:{API}")))
    );
    assert_eq!(
        url("prometheus"),
        Some(Value::from(format!("http://127.0.0.1:{PROMETHEUS}")))
    );
    stack.down(true).await.expect("down");
}

#[test]
fn compose_and_the_stand_in_script_name_the_same_default_images_as_the_binary() {
    let compose = include_str!("../compose/docker-compose.yml");
    let standins = include_str!("../scripts/standin-images");
    let s = StackSettings::default();
    for (key, image) in [
        ("WORKSHOP_IMAGE_DB", &s.images.db),
        ("WORKSHOP_IMAGE_APP", &s.images.app),
        ("WORKSHOP_IMAGE_PROMETHEUS", &s.images.prometheus),
        ("WORKSHOP_IMAGE_GRAFANA", &s.images.grafana),
    ] {
        assert!(
            compose.contains(&format!("${{{key}:-{image}}}")),
            "compose/docker-compose.yml defaults {key} to {image}"
        );
    }
    assert!(standins.contains(&format!("POSTGRES={}\n", s.images.db)));
    assert!(standins.contains(&format!("PROMETHEUS={}\n", s.images.prometheus)));
}
