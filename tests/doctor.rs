//! `workshop doctor` as a student runs it, on this machine's real engine:
//! first with a clean environment (every line that can be true here is),
//! then with one thing broken at a time — the ✘, its fix, and exit 1.
//! Other test runs share the engine and may remove its images meanwhile, so
//! the image lines are held against what the engine has during the run.
//!
//! Needs this machine's engine (at /var/run/docker.sock) and no registry
//! reachable; a missing engine fails these tests loudly, nothing is skipped.

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use common::tmux::Tmux;
use common::{free_port, workshop, workshop_bin};
use serde_json::Value;

/// A run: the JSON report, its exit code, and the text report's.
struct Report {
    checks: Vec<Value>,
    code: i32,
    text: String,
    text_code: i32,
}

impl Report {
    fn get(&self, name: &str) -> &Value {
        self.checks
            .iter()
            .find(|c| c["check"] == name)
            .unwrap_or_else(|| panic!("no check {name:?} in {:#?}", self.checks))
    }

    fn status(&self, name: &str) -> &str {
        self.get(name)["status"]
            .as_str()
            .expect("status is a string")
    }

    fn finding(&self, name: &str) -> &str {
        self.get(name)["finding"]
            .as_str()
            .expect("finding is a string")
    }

    fn fix(&self, name: &str) -> &str {
        self.get(name)["fix"]
            .as_str()
            .unwrap_or_else(|| panic!("{name} has no fix: {:#?}", self.get(name)))
    }

    /// The text line of a check and the line after it.
    fn lines_of(&self, name: &str) -> (String, String) {
        let lines: Vec<&str> = self.text.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{}", self.text));
        (
            lines[i].to_string(),
            lines.get(i + 1).copied().unwrap_or("").to_string(),
        )
    }
}

/// `workshop doctor` (text and `--json`) in a clean environment plus `env`:
/// no user config, free ports, a project of its own.
fn doctor(env: &[(&str, String)]) -> Report {
    let run = |json: bool| {
        let mut cmd = workshop(&["doctor"]);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", std::env::var("HOME").unwrap_or_default())
            .env("LANG", "C.UTF-8")
            .env("TERM", "xterm")
            .env("WORKSHOP_CONFIG", "/nonexistent/stack.env")
            .env("WORKSHOP_PROJECT", "doctortest")
            .env("WORKSHOP_PORT_API", free_port().to_string())
            .env("WORKSHOP_PORT_PROMETHEUS", free_port().to_string())
            .env("WORKSHOP_PORT_GRAFANA", free_port().to_string());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().expect("run workshop doctor");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code().expect("an exit code, not a signal"),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (json, code, stderr) = run(true);
    let checks: Vec<Value> = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("--json printed no JSON array ({e}):\n{json}\n{stderr}"));
    let (text, text_code, _) = run(false);
    let report = Report {
        checks,
        code,
        text,
        text_code,
    };
    for c in &report.checks {
        let status = c["status"].as_str().expect("status");
        assert!(
            ["ok", "warn", "fail"].contains(&status),
            "unknown status: {c}"
        );
        if status != "ok" {
            assert!(c["fix"].as_str().is_some_and(|f| !f.is_empty()), "{c}");
        }
    }
    let fails = report.checks.iter().any(|c| c["status"] == "fail");
    assert_eq!(
        report.code,
        i32::from(fails),
        "exit code against the JSON:\n{:#?}",
        report.checks
    );
    assert_eq!(report.text_code, report.code, "text and JSON exit alike");
    report
}

/// Whether the engine has `image` right now.
fn image_here(image: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", image])
        .output()
        .expect("the docker CLI")
        .status
        .success()
}

/// The stack's images (check name, reference, required) with the defaults.
const IMAGES: [(&str, &str, bool); 4] = [
    ("image-db", "postgres:15-bookworm", true),
    ("image-app", "localhost/workshop/app:0.1.0", true),
    ("image-prometheus", "prom/prometheus:v3.5.0", true),
    ("image-grafana", "grafana/grafana:11.6.0", false),
];

/// A clean run, with which images the engine had during it. Other test
/// runs share this engine and may remove or rebuild images meanwhile, so a
/// run during which that changed is repeated (and three such runs fail).
fn clean_run() -> (Report, Vec<bool>) {
    for _ in 0..3 {
        let before: Vec<bool> = IMAGES.iter().map(|(_, i, _)| image_here(i)).collect();
        let report = doctor(&[]);
        let after: Vec<bool> = IMAGES.iter().map(|(_, i, _)| image_here(i)).collect();
        if before == after {
            return (report, before);
        }
    }
    panic!("the engine's images kept changing during three runs of `workshop doctor`");
}

#[test]
fn on_this_machine_every_line_that_can_be_true_is_and_the_exit_code_follows() {
    let (r, here) = clean_run();
    for ok in [
        "engine",
        "memory-limit",
        "port-api",
        "port-prometheus",
        "port-grafana",
        "memory",
        "disk",
        "local-prometheus",
        "local-memory-limit",
        "locale",
        "colour",
    ] {
        assert_eq!(r.status(ok), "ok", "{ok}: {}", r.finding(ok));
        let (line, _) = r.lines_of(ok);
        assert!(line.starts_with('✔'), "{line}");
    }
    assert!(
        r.finding("engine").contains("/var/run/docker.sock"),
        "{}",
        r.finding("engine")
    );
    assert!(
        r.finding("engine").contains("API 1."),
        "{}",
        r.finding("engine")
    );
    // Each image as the engine has it; no registry answers here, so a
    // missing image blocks unless `up` can build it (the app, in this
    // checkout) or the stack runs without it (Grafana).
    for ((check, reference, required), here) in IMAGES.iter().zip(&here) {
        let status = r.status(check);
        assert!(r.finding(check).contains(reference), "{}", r.finding(check));
        let expected = match (here, *check, required) {
            (true, _, _) => "ok",
            (false, "image-app", _) => "warn",
            (false, _, true) => "fail",
            (false, _, false) => "warn",
        };
        assert_eq!(status, expected, "{check}: {}", r.finding(check));
        if !here && *check == "image-app" {
            assert!(r.finding(check).contains("builds it from"));
        }
        if !here && *check != "image-app" {
            assert!(r.fix(check).contains("WORKSHOP_IMAGE_"), "{}", r.fix(check));
        }
    }
    let blocked = IMAGES
        .iter()
        .zip(&here)
        .any(|((check, _, required), here)| !here && *required && *check != "image-app");
    assert_eq!(r.code, i32::from(blocked), "{}", r.text);
    let verdict = r.text.lines().last().unwrap_or("");
    if blocked {
        assert!(verdict.starts_with("not ready:"), "{verdict}");
    } else {
        assert!(
            verdict.starts_with("ready: nothing blocks the workshop"),
            "{verdict}"
        );
    }
    // What cannot be true in a test: a terminal.
    assert_eq!(r.status("terminal-size"), "warn");
    assert!(r.finding("terminal-size").contains("not a terminal"));
    let (line, fix) = r.lines_of("terminal-size");
    assert!(line.starts_with('!'), "{line}");
    assert!(fix.trim_start().starts_with("fix: "), "{fix}");
}

#[test]
fn a_taken_port_fails_with_the_setting_that_moves_it() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let r = doctor(&[("WORKSHOP_PORT_API", port.to_string())]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.status("port-api"), "fail");
    assert!(r.finding("port-api").contains(&port.to_string()));
    assert!(
        r.fix("port-api").contains("WORKSHOP_PORT_API="),
        "{}",
        r.fix("port-api")
    );
    let (line, fix) = r.lines_of("port-api");
    assert!(line.starts_with('✘'), "{line}");
    assert!(
        fix.contains("fix: ") && fix.contains("WORKSHOP_PORT_API="),
        "{fix}"
    );
    let verdict = r.text.lines().last().unwrap_or("");
    assert!(
        verdict.starts_with("not ready:") && verdict.contains("port-api"),
        "{verdict}"
    );
    drop(taken);
}

#[test]
fn no_engine_is_a_warning_while_local_mode_stands_in_and_the_images_go_unchecked() {
    let r = doctor(&[("DOCKER_HOST", "tcp://127.0.0.1:1".into())]);
    assert_eq!(r.status("engine"), "warn", "{}", r.finding("engine"));
    assert!(r.finding("engine").contains("tcp://127.0.0.1:1"));
    let fix = r.fix("engine");
    assert!(fix.contains("workshop up --local"), "{fix}");
    assert!(fix.contains("DOCKER_HOST is set"), "{fix}");
    assert_eq!(r.status("images"), "warn");
    assert!(
        r.finding("images").contains("not checked"),
        "{}",
        r.finding("images")
    );
    assert!(
        !r.checks.iter().any(|c| c["check"] == "memory-limit"),
        "no engine, no engine memory-limit line"
    );
    assert!(r.finding("disk").contains("the filesystem of"));
    let (line, _) = r.lines_of("engine");
    assert!(line.starts_with('!'), "{line}");
    assert_eq!(r.code, 0, "a warning does not block:\n{}", r.text);
}

#[test]
fn a_missing_image_fails_with_a_fix_naming_its_setting() {
    let r = doctor(&[("WORKSHOP_IMAGE_DB", "localhost/nothing/here:1".into())]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.status("image-db"), "fail");
    assert!(r.finding("image-db").contains("localhost/nothing/here:1"));
    assert!(r.finding("image-db").contains("does not answer"));
    assert!(r.fix("image-db").contains("WORKSHOP_IMAGE_DB"));
    let (line, fix) = r.lines_of("image-db");
    assert!(line.starts_with('✘'), "{line}");
    assert!(fix.contains("WORKSHOP_IMAGE_DB"), "{fix}");
}

#[test]
fn a_classroom_mirror_that_does_not_answer_fails() {
    let r = doctor(&[("WORKSHOP_REGISTRY", "127.0.0.1:1".into())]);
    assert_eq!(r.code, 1, "{}", r.text);
    assert_eq!(r.status("mirror"), "fail");
    assert!(
        r.finding("mirror")
            .contains("WORKSHOP_REGISTRY=127.0.0.1:1")
    );
    assert!(r.finding("mirror").contains("does not answer"));
    assert!(r.fix("mirror").contains("unset WORKSHOP_REGISTRY"));
    let (line, _) = r.lines_of("mirror");
    assert!(line.starts_with('✘'), "{line}");
    // Grafana's image is never here: it would come through the mirror.
    assert!(r.finding("image-grafana").contains("127.0.0.1:1"));
}

#[test]
fn a_terminal_smaller_than_the_console_needs_fails_with_the_size_to_reach() {
    let name = format!("doctor-tiny-{}", std::process::id());
    let tmux = Tmux::start(&name);
    Tmux::run(&["resize-window", "-t", &name, "-x", "60", "-y", "20"]);
    tmux.keys(&[
        &format!(
            "env WORKSHOP_PORT_API={} WORKSHOP_PORT_PROMETHEUS={} WORKSHOP_PORT_GRAFANA={} \
             WORKSHOP_PROJECT=doctortiny LANG=C.UTF-8 {} doctor; echo exit=$?",
            free_port(),
            free_port(),
            free_port(),
            workshop_bin()
        ),
        "Enter",
    ]);
    // The typed command holds "exit=$?" too, and at 60 columns it wraps so
    // that a line may start with it: wait for the shell's "exit=<digits>".
    tmux.wait("doctor's verdict", Duration::from_secs(60), |s| {
        s.lines().any(|l| {
            l.strip_prefix("exit=")
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
    });
    let all = tmux.history();
    assert!(all.contains("exit=1"), "{all}");
    let line = all
        .lines()
        .find(|l| l.contains("60×20"))
        .unwrap_or_else(|| panic!("no line names the size:\n{all}"));
    assert!(line.contains("✘"), "{line}");
    assert!(
        all.contains("at least 80×24"),
        "the fix names the size:\n{all}"
    );
}
