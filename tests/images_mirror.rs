//! The stack's images the way a classroom hands them out, on this machine's
//! real engine: every image pulled through a classroom mirror (Debian's
//! `docker-registry`, a real registry, on loopback), and the coach's
//! one-file bundle loaded where the images are missing. The app image built
//! from the Dockerfile: `images_build.rs`.
//!
//! No public registry is reachable here: `scripts/standin-images` makes local
//! stand-ins of the official base images under their official names, keeping
//! their entrypoints, users and paths (see docs/stack.md). A missing stand-in, registry
//! binary or engine fails these tests loudly; nothing is skipped.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bollard::query_parameters::{PushImageOptions, RemoveImageOptions, TagImageOptions};
use common::images::{assert_healthy, connected, on_project, printed, remove_image};
use common::{free_port, turn};
use futures::StreamExt;
use workshop::stack::DockerStack;
use workshop::stack::images::stack_images;

/// Debian's `docker-registry` on a loopback port, stopped on drop.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
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
    let out = on_project(&["up"], &[("WORKSHOP_REGISTRY", &registry.host())]);
    let took = started.elapsed();
    let all = printed(&out);
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
    let pull = on_project(&["images", "pull"], &[]);
    assert!(pull.status.success(), "{}", printed(&pull));

    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("workshop-images.tar");
    let started = Instant::now();
    let out = on_project(&["images", "save", bundle.to_str().expect("utf-8")], &[]);
    assert!(out.status.success(), "save failed:\n{}", printed(&out));
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

    let refused = on_project(&["images", "load", damaged.to_str().expect("utf-8")], &[]);
    let all = printed(&refused);
    assert_eq!(refused.status.code(), Some(1), "{all}");
    assert!(all.contains("damaged or incomplete"), "{all}");
    assert!(
        stack.docker().inspect_image(&s.images.db).await.is_err(),
        "nothing loaded"
    );

    let started = Instant::now();
    let load = on_project(&["images", "load", bundle.to_str().expect("utf-8")], &[]);
    assert!(load.status.success(), "load failed:\n{}", printed(&load));
    let up = on_project(&["up"], &[]);
    let all = printed(&up);
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
