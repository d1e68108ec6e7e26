//! Finding the Docker engine the way students' machines put it.
//!
//! `DOCKER_HOST` is an explicit choice, so when it is set it is the only place
//! tried (falling back to another engine would start the stack somewhere the
//! user did not ask for). Otherwise: the current Docker context, then the
//! sockets Linux, Docker Desktop, Colima and Podman create. Every connection
//! negotiates the API version, because the engine may be older than the
//! version bollard speaks by default. When nothing answers the error lists
//! every place tried and what to do.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::Docker;
use thiserror::Error;
use tokio_util::sync::CancellationToken;

/// How long one candidate gets to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(4);
/// Requests to a found engine; image builds and health waits are not single requests.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// One place an engine could be, and what happened there.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// e.g. "$DOCKER_HOST (tcp://127.0.0.1:1)" or "unix:///var/run/docker.sock".
    pub place: String,
    pub outcome: String,
}

/// No engine answered anywhere.
#[derive(Debug, Clone, PartialEq, Error)]
pub struct NoEngine {
    pub tried: Vec<Attempt>,
}

impl fmt::Display for NoEngine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "no Docker engine answered. Tried:")?;
        for a in &self.tried {
            writeln!(f, "  - {}: {}", a.place, a.outcome)?;
        }
        if self.only_docker_host() {
            writeln!(
                f,
                "  (DOCKER_HOST is set, so no other place was tried; unset it to search the usual sockets)"
            )?;
        }
        write!(
            f,
            "Fix: start Docker (or Colima/Podman), or point DOCKER_HOST at a running engine; \
             or run without Docker: `workshop up --local`"
        )
    }
}

impl NoEngine {
    /// True when `DOCKER_HOST` was set, so it was the only place tried.
    pub fn only_docker_host(&self) -> bool {
        self.tried.len() == 1 && self.tried[0].place.starts_with("$DOCKER_HOST")
    }
}

/// A connected engine, API version negotiated.
#[derive(Debug, Clone)]
pub struct Engine {
    pub docker: Docker,
    /// Where it was found, for messages.
    pub place: String,
    pub api_version: String,
}

/// Where to look, in order (see the module documentation).
pub fn candidates() -> Vec<(String, String)> {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return vec![(format!("$DOCKER_HOST ({host})"), host)];
    }
    let home = dirs::home_dir();
    let mut out = Vec::new();
    if let Some(home) = &home
        && let Some((name, host)) = current_context(&home.join(".docker"))
    {
        out.push((format!("docker context {name:?} ({host})"), host));
    }
    let mut socket = |label: &str, path: PathBuf| {
        let host = format!("unix://{}", path.display());
        if !out.iter().any(|(_, h)| *h == host) {
            out.push((format!("{label} ({host})"), host));
        }
    };
    socket("Docker on Linux", PathBuf::from("/var/run/docker.sock"));
    if let Some(home) = &home {
        socket("Docker Desktop", home.join(".docker/run/docker.sock"));
        socket("Colima", home.join(".colima/default/docker.sock"));
    }
    if let Some(runtime) = std::env::var_os("XDG_RUNTIME_DIR") {
        socket("Podman", PathBuf::from(runtime).join("podman/podman.sock"));
    }
    socket("Podman (root)", PathBuf::from("/run/podman/podman.sock"));
    out
}

/// The current context's engine address: `DOCKER_CONTEXT`, else
/// `currentContext` in `config.json`; its endpoint from `contexts/meta/*/meta.json`.
/// The meta directories are named by a hash of the context name, so they are
/// scanned for the matching `Name` rather than hashed here.
pub fn current_context(docker_dir: &Path) -> Option<(String, String)> {
    let name = std::env::var("DOCKER_CONTEXT")
        .ok()
        .filter(|n| !n.is_empty())
        .or_else(|| {
            let text = std::fs::read_to_string(docker_dir.join("config.json")).ok()?;
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            json.get("currentContext")?.as_str().map(str::to_string)
        })
        .filter(|n| n != "default")?;
    let metas = std::fs::read_dir(docker_dir.join("contexts/meta")).ok()?;
    for entry in metas.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path().join("meta.json")) else {
            continue;
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if json.get("Name").and_then(|n| n.as_str()) == Some(name.as_str())
            && let Some(host) = json
                .pointer("/Endpoints/docker/Host")
                .and_then(|h| h.as_str())
        {
            return Some((name, host.to_string()));
        }
    }
    None
}

/// Tries each candidate in order; the first that answers wins.
pub async fn connect() -> Result<Engine, NoEngine> {
    let mut tried = Vec::new();
    for (place, host) in candidates() {
        match probe(&host).await {
            Ok((docker, api_version)) => {
                return Ok(Engine {
                    docker,
                    place,
                    api_version,
                });
            }
            Err(outcome) => tried.push(Attempt { place, outcome }),
        }
    }
    Err(NoEngine { tried })
}

/// Like [`connect`], but keeps trying every `every` until an engine answers
/// or `stop` is cancelled — for long-running modes, where a student may
/// start Docker after the tool.
pub async fn connect_waiting(
    every: Duration,
    stop: &CancellationToken,
    mut on_miss: impl FnMut(&NoEngine),
) -> Result<Engine, NoEngine> {
    loop {
        match connect().await {
            Ok(engine) => return Ok(engine),
            Err(miss) => {
                on_miss(&miss);
                tokio::select! {
                    _ = stop.cancelled() => return Err(miss),
                    _ = tokio::time::sleep(every) => {}
                }
            }
        }
    }
}

async fn probe(host: &str) -> Result<(Docker, String), String> {
    if let Some(path) = host.strip_prefix("unix://")
        && !Path::new(path).exists()
    {
        return Err("no socket there".into());
    }
    let docker = Docker::connect_with_host(host)
        .map_err(|e| format!("cannot use this address: {e}"))?
        .with_timeout(PROBE_TIMEOUT);
    let negotiated = tokio::time::timeout(PROBE_TIMEOUT, docker.negotiate_version())
        .await
        .map_err(|_| format!("no answer within {PROBE_TIMEOUT:?}"))?
        .map_err(|e| describe(&e))?;
    let version = negotiated.client_version().to_string();
    Ok((negotiated.with_timeout(REQUEST_TIMEOUT), version))
}

/// Bollard's errors carry the whole hyper chain; people need the first cause.
fn describe(e: &bollard::errors::Error) -> String {
    let text = crate::cause::innermost(e).to_string();
    if text.contains("Permission denied") {
        return "permission denied (add yourself to the `docker` group, then log in again)".into();
    }
    if text.contains("Connection refused") || text.contains("connection refused") {
        return "connection refused (nothing listens there)".into();
    }
    text.lines().next().unwrap_or("failed").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_context_is_found_by_its_name_in_the_meta_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let docker = dir.path();
        std::fs::write(docker.join("config.json"), r#"{"currentContext":"colima"}"#)
            .expect("write");
        let meta = docker.join("contexts/meta/0123abcd");
        std::fs::create_dir_all(&meta).expect("mkdir");
        std::fs::write(
            meta.join("meta.json"),
            r#"{"Name":"colima","Endpoints":{"docker":{"Host":"unix:///home/u/.colima/default/docker.sock"}}}"#,
        )
        .expect("write");
        let found = current_context(docker);
        assert_eq!(
            found,
            Some((
                "colima".into(),
                "unix:///home/u/.colima/default/docker.sock".into()
            ))
        );
    }

    #[test]
    fn the_no_engine_message_lists_every_place_and_the_fix() {
        let e = NoEngine {
            tried: vec![
                Attempt {
                    place: "Docker on Linux (unix:///var/run/docker.sock)".into(),
                    outcome: "no socket there".into(),
                },
                Attempt {
                    place: "Colima (unix:///x)".into(),
                    outcome: "no socket there".into(),
                },
            ],
        };
        let text = e.to_string();
        assert!(text.contains("/var/run/docker.sock"), "{text}");
        assert!(text.contains("Colima"), "{text}");
        assert!(text.contains("start Docker"), "{text}");
        assert!(text.contains("--local"), "{text}");
    }
}
