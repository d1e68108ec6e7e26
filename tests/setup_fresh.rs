//! `scripts/setup` on a machine that has nothing yet: a container from
//! `debian:bookworm-slim` (no PostgreSQL, Prometheus, tmux, Python or
//! schemathesis), run as root with no sudo, the repository mounted read-only.
//! The set-up must install every tool from Debian's packages and PyPI, say
//! `ready`, leave the tools runnable, and change nothing when run again.
//!
//! The Rust toolchain and Docker are prerequisites the set-up checks but
//! never installs, so it runs with `--no-rust --no-docker` here.
//!
//! This test fails, never skips, without a Docker engine or without the image
//! (`scripts/standin-images debian` makes a stand-in where nothing can be
//! pulled). It needs Debian's mirror and PyPI; behind a TLS-intercepting
//! proxy, `WORKSHOP_BUILD_CA` (or else the host's
//! `/etc/ssl/certs/ca-certificates.crt`) is given to pip as its CA bundle.
//! It takes minutes: it downloads and installs some 150 MB of packages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const IMAGE: &str = "debian:bookworm-slim";
/// Where the host's CA bundle is seen inside the container.
const CA_IN_CONTAINER: &str = "/etc/workshop-host-ca.crt";

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// The end of a long output, enough to see why something failed.
fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Runs `command` to its end, or panics after `limit`; output captured.
/// A command that outlives its limit is ended by the caller's container
/// guard (removing the container ends every `docker exec` in it).
fn run_within(mut command: Command, limit: Duration, what: &str) -> Output {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => panic!("{what} failed to run: {e}"),
        Err(_) => panic!("{what} did not finish within {limit:?}"),
    }
}

/// A container that exists for as long as this value: removed (with
/// everything running in it) when the test ends, whether it passed or not.
struct FreshMachine {
    name: String,
}

impl FreshMachine {
    fn start(repo: &Path) -> FreshMachine {
        let docker = Command::new("docker")
            .args(["version", "--format", "{{.Server.Version}}"])
            .output();
        match docker {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!(
                "this test needs a Docker engine and none answers: {} — start Docker \
                 (or set DOCKER_HOST)",
                text(&out.stderr).trim()
            ),
            Err(e) => panic!("this test needs Docker and `docker` cannot run ({e}): install it"),
        }
        let image = Command::new("docker")
            .args(["image", "inspect", "--format", "{{.Id}}", IMAGE])
            .output()
            .expect("run docker image inspect");
        assert!(
            image.status.success(),
            "the image {IMAGE} is missing: `docker pull {IMAGE}`, or where nothing can be \
             pulled `scripts/standin-images debian`"
        );

        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let machine = FreshMachine {
            name: format!("workshop-setup-fresh-{}-{nanos}", std::process::id()),
        };
        let mut run = Command::new("docker");
        run.args(["run", "--detach", "--rm", "--name", &machine.name])
            .arg("--volume")
            .arg(format!("{}:/workshop:ro", repo.display()));
        if let Some(ca) = host_ca_bundle() {
            run.arg("--volume")
                .arg(format!("{}:{CA_IN_CONTAINER}:ro", ca.display()))
                .args(["--env", &format!("PIP_CERT={CA_IN_CONTAINER}")]);
        }
        for proxy in [
            "http_proxy",
            "https_proxy",
            "no_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "NO_PROXY",
        ] {
            if std::env::var_os(proxy).is_some() {
                run.args(["--env", proxy]);
            }
        }
        run.args([IMAGE, "sleep", "infinity"]);
        let out = run_within(run, Duration::from_secs(60), "docker run");
        assert!(
            out.status.success(),
            "cannot start a container from {IMAGE}: {}",
            text(&out.stderr)
        );
        machine
    }

    /// `bash -c script` inside, as root, from the repository's folder.
    fn bash(&self, script: &str, limit: Duration) -> Output {
        self.bash_as("root", script, limit)
    }

    /// `bash -c script` inside as `user` (a name, or uid:gid), from the
    /// repository's folder.
    fn bash_as(&self, user: &str, script: &str, limit: Duration) -> Output {
        let mut exec = Command::new("docker");
        exec.args(["exec", "--user", user, "--workdir", "/workshop"])
            .args([&self.name, "bash", "-c", script]);
        run_within(exec, limit, &format!("`{script}` in the container"))
    }
}

impl Drop for FreshMachine {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "--force", &self.name])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The CA bundle pip is told to trust, as `.ci/run` tells the app image's
/// build: `WORKSHOP_BUILD_CA`, else the host's bundle when there is one.
fn host_ca_bundle() -> Option<PathBuf> {
    std::env::var_os("WORKSHOP_BUILD_CA")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/etc/ssl/certs/ca-certificates.crt")))
        .filter(|p| p.is_file())
}

/// Each tool the workshop's tests run, as a command that prints its version.
/// The venv's tools are found the way `scripts/test` finds them.
const TOOL_CHECKS: &[(&str, &str)] = &[
    ("pg_ctl", "/usr/lib/postgresql/*/bin/pg_ctl --version"),
    ("initdb", "/usr/lib/postgresql/*/bin/initdb --version"),
    ("promtool", "promtool --version"),
    ("tmux", "tmux -V"),
    ("python3", "python3 --version"),
    (
        "chromium",
        "chromium --headless --no-sandbox --disable-gpu --dump-dom 'data:text/html,<p>board</p>'",
    ),
    (
        "schemathesis",
        ". scripts/lib/tools-path.sh && schemathesis --version",
    ),
    ("zizmor", ". scripts/lib/tools-path.sh && zizmor --version"),
    (
        "check-jsonschema",
        ". scripts/lib/tools-path.sh && check-jsonschema --version",
    ),
];

#[test]
fn setup_installs_every_tool_on_a_fresh_bookworm_and_says_ready() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let machine = FreshMachine::start(&repo);

    // The machine really is fresh: none of the tools is there, nor sudo.
    for (tool, check) in TOOL_CHECKS.iter().chain(&[("sudo", "sudo --version")]) {
        let out = machine.bash(check, Duration::from_secs(30));
        assert!(
            !out.status.success(),
            "{tool} is already in {IMAGE}: the test proves nothing ({})",
            text(&out.stdout).trim()
        );
    }

    let started = Instant::now();
    let out = machine.bash(
        "scripts/setup --no-rust --no-docker",
        Duration::from_secs(20 * 60),
    );
    let took = started.elapsed();
    let (said, progress) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "scripts/setup failed on a fresh {IMAGE}:\n{said}\n--- stderr ---\n{}",
        tail(&progress)
    );
    eprintln!("scripts/setup on a fresh {IMAGE}: {took:.0?}\n{said}");
    assert!(
        said.lines()
            .last()
            .is_some_and(|l| l.starts_with("ready: ")),
        "{said}"
    );
    assert!(!said.contains("MISSING"), "{said}");
    for tool in [
        "pg_ctl, initdb",
        "promtool",
        "tmux",
        "schemathesis",
        "docker-registry",
    ] {
        assert!(
            said.lines().any(|l| l.trim_start().starts_with(tool)),
            "the summary does not list {tool}:\n{said}"
        );
    }
    assert!(
        progress.contains("installing from Debian's packages")
            && progress.contains("installing from PyPI"),
        "it said nothing of what it installed:\n{}",
        tail(&progress)
    );

    for (tool, check) in TOOL_CHECKS {
        let out = machine.bash(check, Duration::from_secs(60));
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "{tool} does not run after the set-up ({check}): {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }

    // A second run finds everything and installs nothing.
    let again = machine.bash(
        "scripts/setup --no-rust --no-docker",
        Duration::from_secs(120),
    );
    assert!(again.status.success(), "{}", text(&again.stdout));
    assert!(
        text(&again.stdout)
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("ready: ")),
        "{}",
        text(&again.stdout)
    );
    assert!(
        !text(&again.stderr).contains("installing"),
        "the second run installed again:\n{}",
        text(&again.stderr)
    );
}

#[test]
fn setup_names_what_it_cannot_install_and_fails() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let machine = FreshMachine::start(&repo);
    // No Debian mirror answers (apt's sources emptied) and no Rust: the
    // set-up cannot install anything and must say so, tool by tool.
    let out = machine.bash(
        "rm -f /etc/apt/sources.list /etc/apt/sources.list.d/* && scripts/setup --no-docker",
        Duration::from_secs(120),
    );
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}\n{}", text(&out.stderr));
    let last = said.lines().last().unwrap_or_default();
    assert!(last.starts_with("not ready: missing "), "{said}");
    for tool in [
        "postgresql",
        "promtool",
        "tmux",
        "schemathesis",
        "cargo",
        "cargo-deny",
    ] {
        assert!(
            last.split_whitespace().any(|w| w == tool),
            "{tool} is not named in: {last}"
        );
    }
    assert!(
        said.lines()
            .any(|l| l.trim_start().starts_with("cargo ") && l.contains("rustup")),
        "the missing Rust toolchain does not say how to get it:\n{said}"
    );
}

#[test]
fn setup_without_root_or_sudo_says_so_instead_of_failing_obscurely() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let machine = FreshMachine::start(&repo);
    // A uid with no account: no home either, so the venv would go to /tmp.
    let out = machine.bash_as(
        "1000:1000",
        "HOME=/tmp scripts/setup --no-rust --no-docker",
        Duration::from_secs(120),
    );
    let said = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}\n{}", text(&out.stderr));
    let tmux = said
        .lines()
        .find(|l| l.trim_start().starts_with("tmux "))
        .unwrap_or_else(|| panic!("no tmux line in:\n{said}"));
    assert!(
        tmux.contains("MISSING") && tmux.contains("not root and no sudo"),
        "{tmux}"
    );
    assert!(
        said.lines()
            .last()
            .is_some_and(|l| l.starts_with("not ready: ")),
        "{said}"
    );
}
