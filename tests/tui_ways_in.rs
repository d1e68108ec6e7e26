//! The console for everyone, in a real terminal (tmux) on the real engine:
//!
//! - with the stack's images unavailable, the console says why and offers
//!   local mode; one key later the local stack is healthy and case 1 opens;
//!   quitting from the same box prints the fix;
//! - the console in a container (the app image `workshop up` built, the
//!   engine's socket mounted) brings its stack up, reaches it by name on the
//!   stack's network, lists the cases, and a fault key changes the
//!   API's failures.
//!
//! Each test runs under its own project name and ports, and removes what it
//! made (containers, network, volumes, the tmux session) whatever happens.

mod common;

use std::process::Command;
use std::time::Duration;

use common::tmux::Tmux;
use common::{free_port, workshop, workshop_bin};

/// The stack's settings for one test, as `KEY=value` pairs.
struct Env {
    pairs: Vec<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Env {
    fn new(project: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut pairs = vec![
            ("WORKSHOP_PROJECT".to_string(), project.to_string()),
            ("WORKSHOP_PORT_API".into(), free_port().to_string()),
            ("WORKSHOP_PORT_PROMETHEUS".into(), free_port().to_string()),
            ("WORKSHOP_PORT_GRAFANA".into(), free_port().to_string()),
            (
                "WORKSHOP_LOCAL_DIR".into(),
                dir.path().join("local").display().to_string(),
            ),
            (
                "WORKSHOP_PROGRESS".into(),
                dir.path().join("progress.json").display().to_string(),
            ),
            ("LANG".into(), "C.UTF-8".into()),
        ];
        if let Ok(ca) = std::env::var("WORKSHOP_BUILD_CA") {
            pairs.push(("WORKSHOP_BUILD_CA".into(), ca));
        }
        Self { pairs, _dir: dir }
    }

    fn get(&self, key: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    fn with(mut self, key: &str, value: &str) -> Self {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// `env K=V … ` for a shell line.
    fn prefix(&self) -> String {
        let mut s = String::from("env");
        for (k, v) in &self.pairs {
            s.push_str(&format!(" {k}={v}"));
        }
        s
    }

    /// `workshop ARGS` under this test's settings, run to its end.
    fn run(&self, args: &[&str]) -> std::process::Output {
        workshop(args)
            .envs(self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("workshop runs")
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.run(&["down", "-v"]);
    }
}

fn api_failures(env: &Env) -> Option<serde_json::Value> {
    let url = format!(
        "http://127.0.0.1:{}/api/failures",
        env.get("WORKSHOP_PORT_API")
    );
    let out = Command::new("curl").args(["-fsS", &url]).output().ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

#[test]
fn with_the_images_unavailable_the_console_offers_local_mode_and_one_key_starts_it() {
    let name = format!("wsways-local-{}", std::process::id());
    // A name no registry serves: the pull fails at once, nothing can build it.
    let env = Env::new(&name).with(
        "WORKSHOP_IMAGE_DB",
        "localhost:1/workshop-missing/postgres:0",
    );
    let tmux = Tmux::start(&name);
    tmux.keys(&[&format!("{} {} tui", env.prefix(), workshop_bin()), "Enter"]);

    tmux.wait(
        "the box saying why, with local mode on one key",
        Duration::from_secs(60),
        |s| {
            s.contains("The stack cannot start")
                && s.contains("workshop-missing/postgres")
                && s.contains("l   start it locally now")
                && s.contains("r   try again now")
        },
    );
    tmux.keys(&["l"]);
    let up = tmux.wait(
        "the local stack healthy after one key",
        Duration::from_secs(90),
        |s| s.contains("Stack · local") && s.contains("API ✔") && s.contains("Prometheus ✔"),
    );
    eprintln!("local stack healthy {up:?} after the key");
    let failures = api_failures(&env).expect("the local API answers on the stack's port");
    assert_eq!(failures["current_config"]["latency_ms"], 0, "{failures}");

    tmux.keys(&["Enter"]);
    tmux.wait("case 1 opened", Duration::from_secs(10), |s| {
        s.contains("▶ 1 Slow payments")
    });
    tmux.keys(&["q"]);
    tmux.wait(
        "the console gone, the shell back",
        Duration::from_secs(30),
        |s| s.contains("local stack stopped"),
    );
}

#[test]
fn quitting_when_the_stack_cannot_start_prints_the_fix() {
    let name = format!("wsways-quit-{}", std::process::id());
    let env = Env::new(&name).with(
        "WORKSHOP_IMAGE_DB",
        "localhost:1/workshop-missing/postgres:0",
    );
    let tmux = Tmux::start(&name);
    tmux.keys(&[&format!("{} {} tui", env.prefix(), workshop_bin()), "Enter"]);
    tmux.wait("the box", Duration::from_secs(60), |s| {
        s.contains("q   quit, and print the fix")
    });
    tmux.keys(&["q"]);
    tmux.wait(
        "the fix printed after the console",
        Duration::from_secs(30),
        |s| {
            s.contains("The stack did not start: the db image")
                && s.contains("To fix it:")
                && !s.contains("The stack cannot start")
        },
    );
}

#[test]
fn the_console_in_a_container_drives_the_stack_by_name() {
    let name = format!("wsways-box-{}", std::process::id());
    let env = Env::new(&name);
    // The app image, as `workshop up` builds it from the Dockerfile when
    // missing (its first run on a laptop); then the stack is left running
    // for the console to adopt, as a student's would be.
    let up = env.run(&["up"]);
    assert!(
        up.status.success(),
        "workshop up: {}{}",
        String::from_utf8_lossy(&up.stdout),
        String::from_utf8_lossy(&up.stderr)
    );
    let image = format!("localhost/workshop/app:{}", env!("CARGO_PKG_VERSION"));
    let container = format!("{name}-console");
    let _console = Container(container.clone());

    let mut line = format!(
        "docker run --rm -it --name {container} -u root \
         -v /var/run/docker.sock:/var/run/docker.sock"
    );
    for key in [
        "WORKSHOP_PROJECT",
        "WORKSHOP_PORT_API",
        "WORKSHOP_PORT_PROMETHEUS",
        "WORKSHOP_PORT_GRAFANA",
        "LANG",
    ] {
        line.push_str(&format!(" -e {key}={}", env.get(key)));
    }
    line.push_str(&format!(" {image} tui"));
    let tmux = Tmux::start(&name);
    tmux.keys(&[&line, "Enter"]);

    let ready = tmux.wait(
        "the console in its container, on the Docker stack, reaching it by name",
        Duration::from_secs(120),
        |s| {
            s.contains("Stack · docker")
                && s.contains("API ✔")
                && s.contains("Prometheus ✔")
                && s.contains("app:5000")
                && s.contains("5 Everything at once")
        },
    );
    eprintln!("console in a container ready after {ready:?}");
    let screen = tmux.screen();
    for title in ["1 Slow payments", "2 Every third payment", "4 A leak"] {
        assert!(screen.contains(title), "{title} not listed:\n{screen}");
    }

    tmux.keys(&["L"]);
    tmux.wait(
        "the latency fault shown as injected",
        Duration::from_secs(15),
        |s| s.contains("▲ latency 2000 ms"),
    );
    let failures = api_failures(&env).expect("the API answers on its published port");
    assert_eq!(failures["current_config"]["latency_ms"], 2000, "{failures}");

    tmux.keys(&["0"]);
    tmux.keys(&["q"]);
    tmux.wait("the console left", Duration::from_secs(30), |s| {
        s.contains("the Docker stack keeps running")
    });
}

/// Removes a named container whatever happens.
struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["rm", "-f", &self.0]).output();
    }
}
