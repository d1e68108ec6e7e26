//! The stack's images the way a student's laptop gets them, on this
//! machine's real engine: the app image built by `up` from the Dockerfile,
//! every image pulled through a classroom mirror (Debian's `docker-registry`,
//! a real registry, on loopback), and the coach's one-file bundle.
//!
//! No public registry is reachable here: `scripts/standin-images` makes local
//! stand-ins of the official base images under their official names, keeping
//! their entrypoints, users and paths (see docs/stack.md). A missing stand-in, registry
//! binary or engine fails these tests loudly; nothing is skipped.
//!
//! This file's name sorts before `stack_*`, so in a fresh CI run its first
//! test is the one that meets a machine without the app image.

use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bollard::query_parameters::{PushImageOptions, RemoveImageOptions, TagImageOptions};
use futures::StreamExt;
use serde_json::Value;
use tokio::sync::Mutex;
use workshop::stack::images::context::LABEL_SOURCE_HASH;
use workshop::stack::images::stack_images;
use workshop::stack::settings::APP_IMAGE;
use workshop::stack::{DockerStack, Health, ServiceState, StackSettings, engine};

const PROJECT: &str = "wsimg";
const API: u16 = 16000;
const PROMETHEUS: u16 = 16090;

fn settings() -> StackSettings {
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

async fn turn() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: OnceLock<Mutex<()>> = OnceLock::new();
    LOCK.get_or_init(|| Mutex::new(())).lock().await
}

/// The base images the Dockerfile builds from, read from the Dockerfile.
fn dockerfile_bases() -> Vec<String> {
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
async fn connected() -> DockerStack {
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

fn workshop(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_workshop"));
    cmd.args(args)
        .env("WORKSHOP_PROJECT", PROJECT)
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

fn text(out: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// db, app-1 and prometheus running and healthy; a balance read answers.
async fn assert_healthy(stack: &DockerStack) {
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
async fn remove_image(stack: &DockerStack, image: &str, keep_cache: bool) {
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
    let out = workshop(&["up"], &[]);
    let took = started.elapsed();
    let all = text(&out);
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
    let again = workshop(&["up"], &[]);
    let all = text(&again);
    assert!(again.status.success(), "second up failed:\n{all}");
    assert!(
        !all.contains("building"),
        "nothing changed, nothing rebuilt: {all}"
    );
    assert_eq!(image_id(&stack, APP_IMAGE).await, id);
    stack.down(true).await.expect("down");
}

/// Debian's `docker-registry` on a loopback port, stopped on drop.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\n\
                 http:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("data").display()
            ),
        )
        .expect("config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("docker-registry could not start ({e}): apt-get install docker-registry")
            });
        let registry = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/v2/")).await
                && r.status() == 200
            {
                return registry;
            }
            assert!(
                Instant::now() < deadline,
                "the registry did not answer on {port}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Pushes `image` to the registry under its mirror name, as a coach would.
async fn push(stack: &DockerStack, registry: &Registry, image: &str) {
    let mirror = workshop::stack::images::reference::Reference::parse(image)
        .expect("reference")
        .on_mirror(&registry.host());
    let (repo, tag) = (mirror.repository(), mirror.tag.clone().unwrap_or_default());
    let opts = TagImageOptions {
        repo: Some(repo.clone()),
        tag: Some(tag.clone()),
    };
    stack
        .docker()
        .tag_image(image, Some(opts))
        .await
        .expect("tag");
    let mut stream = stack.docker().push_image(
        &repo,
        Some(PushImageOptions {
            tag: Some(tag.clone()),
            ..Default::default()
        }),
        None,
    );
    while let Some(item) = stream.next().await {
        item.unwrap_or_else(|e| panic!("pushing {repo}:{tag}: {e}"));
    }
    let _ = stack
        .docker()
        .remove_image(&format!("{repo}:{tag}"), None::<RemoveImageOptions>, None)
        .await;
}

#[tokio::test]
async fn a_classroom_mirror_serves_every_image_with_per_layer_progress() {
    let _turn = turn().await;
    let stack = connected().await;
    let app = stack_images(stack.settings())
        .into_iter()
        .find(|i| i.service == "app")
        .expect("app");
    stack.obtain(&app).await.expect("the app image");
    let registry = Registry::start().await;
    let s = stack.settings().clone();
    for image in [&s.images.db, &s.images.prometheus, &s.images.app] {
        push(&stack, &registry, image).await;
    }
    remove_image(&stack, &s.images.db, false).await;
    remove_image(&stack, &s.images.prometheus, false).await;
    remove_image(&stack, &s.images.app, true).await;

    let started = Instant::now();
    let out = workshop(&["up"], &[("WORKSHOP_REGISTRY", &registry.host())]);
    let took = started.elapsed();
    let all = text(&out);
    assert!(out.status.success(), "up through the mirror failed:\n{all}");
    eprintln!(
        "FIGURE up pulling db, app, prometheus from the loopback mirror: {:.1} s",
        took.as_secs_f64()
    );
    assert!(
        all.contains(&format!(
            "pulling {}/library/postgres:15-bookworm",
            registry.host()
        )),
        "{all}"
    );
    let layer_lines = all
        .lines()
        .filter(|l| {
            l.contains("db: layer ") && (l.contains("Download") || l.contains("Pull complete"))
        })
        .count();
    assert!(layer_lines >= 2, "per-layer progress of the db pull: {all}");
    assert!(
        !all.contains("building"),
        "the mirror's app image matches the checkout: {all}"
    );
    for image in [&s.images.db, &s.images.prometheus, &s.images.app] {
        assert!(
            stack.docker().inspect_image(image).await.is_ok(),
            "{image} under its usual name"
        );
    }
    assert_healthy(&stack).await;
    stack.down(true).await.expect("down");
}

#[tokio::test]
async fn a_saved_bundle_loaded_on_a_machine_without_the_images_brings_the_stack_up() {
    let _turn = turn().await;
    let stack = connected().await;
    let pull = workshop(&["images", "pull"], &[]);
    assert!(pull.status.success(), "{}", text(&pull));

    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("workshop-images.tar");
    let started = Instant::now();
    let out = workshop(&["images", "save", bundle.to_str().expect("utf-8")], &[]);
    assert!(out.status.success(), "save failed:\n{}", text(&out));
    let save_s = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&bundle).expect("bundle").len();
    let sums =
        std::fs::read_to_string(dir.path().join("workshop-images.tar.sha256")).expect("sha256");
    assert!(
        sums.ends_with("  workshop-images.tar\n"),
        "sha256sum format: {sums}"
    );
    eprintln!(
        "FIGURE bundle: {:.0} MB, saved in {save_s:.1} s",
        bytes as f64 / 1e6
    );

    // A damaged copy is refused before anything is loaded.
    let damaged = dir.path().join("damaged.tar");
    std::fs::write(
        &damaged,
        &std::fs::read(&bundle).expect("read")[..(bytes / 2) as usize],
    )
    .expect("write");
    std::fs::copy(
        dir.path().join("workshop-images.tar.sha256"),
        dir.path().join("damaged.tar.sha256"),
    )
    .expect("copy");

    let s = stack.settings().clone();
    remove_image(&stack, &s.images.db, false).await;
    remove_image(&stack, &s.images.prometheus, false).await;
    remove_image(&stack, &s.images.app, true).await;

    let refused = workshop(&["images", "load", damaged.to_str().expect("utf-8")], &[]);
    let all = text(&refused);
    assert_eq!(refused.status.code(), Some(1), "{all}");
    assert!(all.contains("damaged or incomplete"), "{all}");
    assert!(
        stack.docker().inspect_image(&s.images.db).await.is_err(),
        "nothing loaded"
    );

    let started = Instant::now();
    let load = workshop(&["images", "load", bundle.to_str().expect("utf-8")], &[]);
    assert!(load.status.success(), "load failed:\n{}", text(&load));
    let up = workshop(&["up"], &[]);
    let all = text(&up);
    assert!(up.status.success(), "up after load failed:\n{all}");
    eprintln!(
        "FIGURE load + up from the bundle: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Grafana is not in the bundle (it cannot be had here) and is tried, as
    // an optional service; nothing the stack needs is pulled or built.
    for service in ["db", "app", "prometheus"] {
        for doing in ["pulling", "building"] {
            assert!(
                !all.contains(&format!("{service}: {doing}")),
                "{service} was not {doing}: {all}"
            );
        }
    }
    assert_healthy(&stack).await;
    stack.down(true).await.expect("down");
}

#[tokio::test]
async fn status_reads_the_ports_the_containers_really_publish() {
    let _turn = turn().await;
    let stack = connected().await;
    let out = workshop(&["up"], &[]);
    assert!(out.status.success(), "{}", text(&out));
    // Another environment than the `up` that made the stack: default ports.
    let status = Command::new(env!("CARGO_BIN_EXE_workshop"))
        .args(["status", "--json"])
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
