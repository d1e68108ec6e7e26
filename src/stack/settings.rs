//! How the stack is configured: images, ports, the app's memory limit, the
//! number of app replicas, credentials.
//!
//! Every setting has one name, used both as an environment variable and as a
//! key in the optional config file (`KEY=value` lines, `#` comments), so a
//! corporate mirror or a local tag is set once in
//! `~/.config/workshop/stack.env` (or the file `WORKSHOP_CONFIG` names) and
//! overridden per run with the environment or a flag. Flags win over the
//! environment, the environment over the file, the file over the defaults.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

const MIB: u64 = 1024 * 1024;

/// A setting that could not be read; names the key and what is accepted.
#[derive(Debug, Error, PartialEq)]
pub enum SettingsError {
    #[error("{key}={value:?}: {accepted}")]
    Invalid {
        key: String,
        value: String,
        accepted: &'static str,
    },
    #[error("cannot read the config file {path}: {reason}")]
    File { path: String, reason: String },
}

/// Image references for each service.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    pub db: String,
    pub app: String,
    pub prometheus: String,
    pub grafana: String,
}

/// The app image this binary builds from its checkout. `localhost/` is a
/// registry host, so the engine can never resolve this name on Docker Hub,
/// where anyone could register a namespace and have it run on every laptop.
pub const APP_IMAGE: &str = concat!("localhost/workshop/app:", env!("CARGO_PKG_VERSION"));

impl Images {
    /// The default: official images pinned by tag, and the app built from
    /// the repository's Dockerfile. Prometheus 3.5 is the current LTS; the
    /// rules and every PromQL of the cases also load in 2.42 (the tests').
    pub fn official() -> Self {
        Self {
            db: "postgres:15-bookworm".into(),
            app: APP_IMAGE.into(),
            prometheus: "prom/prometheus:v3.5.0".into(),
            grafana: "grafana/grafana:11.6.0".into(),
        }
    }

    /// `WORKSHOP_IMAGES=debootstrap`: the images `scripts/build-images` makes
    /// on a Linux machine without any registry. Never pulled: `localhost/`.
    pub fn debootstrap() -> Self {
        Self {
            db: "localhost/workshop/postgres:15".into(),
            app: "localhost/workshop/app:local".into(),
            prometheus: "localhost/workshop/prometheus:local".into(),
            grafana: "grafana/grafana:11.6.0".into(),
        }
    }
}

/// Which set of images the stack starts from (`WORKSHOP_IMAGES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSet {
    /// Official images from a registry (or a classroom mirror, or a bundle);
    /// the app image built by the engine from the Dockerfile.
    Official,
    /// Everything made on this machine by `scripts/build-images`.
    Debootstrap,
}

/// Everything `up` needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct StackSettings {
    /// Prefix of every container, network and volume; the `io.workshop.project` label.
    pub project: String,
    pub image_set: ImageSet,
    pub images: Images,
    /// A classroom mirror (`host:port`) every image is pulled through
    /// (`WORKSHOP_REGISTRY`); the images keep their usual names once here.
    pub registry: Option<String>,
    /// The checkout the app image is built from (`WORKSHOP_SOURCE`); else
    /// the one this binary was built in, or the current directory, if either
    /// is a checkout of this project.
    pub source: Option<PathBuf>,
    /// A CA certificate file added to the app image's build stage
    /// (`WORKSHOP_BUILD_CA`), for builds behind a TLS-intercepting proxy.
    pub build_ca: Option<PathBuf>,
    /// Address published ports bind to (127.0.0.1: nothing is exposed to the LAN).
    pub bind: String,
    pub api_port: u16,
    pub prometheus_port: u16,
    pub grafana_port: u16,
    /// Publish PostgreSQL on this host port (unpublished when None).
    pub db_port: Option<u16>,
    /// The app container's memory limit: the OOM lesson depends on it.
    pub app_memory: u64,
    /// Number of app replicas.
    pub app_replicas: u16,
    pub db_user: String,
    pub db_password: String,
    pub db_name: String,
    pub grafana_password: String,
    /// How long `up` waits for one service to become healthy.
    pub health_timeout: Duration,
}

impl Default for StackSettings {
    fn default() -> Self {
        Self {
            project: "workshop".into(),
            image_set: ImageSet::Official,
            images: Images::official(),
            registry: None,
            source: None,
            build_ca: None,
            bind: "127.0.0.1".into(),
            api_port: 5000,
            prometheus_port: 9090,
            grafana_port: 3000,
            db_port: None,
            app_memory: 256 * MIB,
            app_replicas: 1,
            db_user: "fintech".into(),
            db_password: "fintech-workshop".into(),
            db_name: "fintech".into(),
            grafana_password: "workshop".into(),
            health_timeout: Duration::from_secs(90),
        }
    }
}

impl StackSettings {
    /// Defaults, then the config file, then the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_values(&config_values()?)
    }

    /// Defaults overridden by `values` (keys as in the module documentation).
    pub fn from_values(values: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let mut s = Self::default();
        let get = |k: &str| values.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let port = |k: &str, into: &mut u16| -> Result<(), SettingsError> {
            if let Some(v) = get(k) {
                *into = v.parse().map_err(|_| invalid(k, v, "a port, 1-65535"))?;
            }
            Ok(())
        };
        if let Some(v) = get("WORKSHOP_PROJECT") {
            if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                return Err(invalid("WORKSHOP_PROJECT", v, "letters, digits and '-'"));
            }
            s.project = v.to_string();
        }
        if let Some(v) = get("WORKSHOP_IMAGES") {
            (s.image_set, s.images) = match v {
                "official" => (ImageSet::Official, Images::official()),
                "debootstrap" => (ImageSet::Debootstrap, Images::debootstrap()),
                _ => {
                    return Err(invalid(
                        "WORKSHOP_IMAGES",
                        v,
                        "official (the default) or debootstrap (the images scripts/build-images makes)",
                    ));
                }
            };
        }
        if let Some(v) = get("WORKSHOP_REGISTRY") {
            s.registry = Some(parse_registry(v).ok_or_else(|| {
                invalid(
                    "WORKSHOP_REGISTRY",
                    v,
                    "a registry as host or host:port, without http:// or a path (e.g. 192.168.1.20:5000)",
                )
            })?);
        }
        for (key, slot) in [
            ("WORKSHOP_SOURCE", &mut s.source),
            ("WORKSHOP_BUILD_CA", &mut s.build_ca),
        ] {
            if let Some(v) = get(key) {
                *slot = Some(PathBuf::from(v));
            }
        }
        for (key, slot) in [
            ("WORKSHOP_IMAGE_DB", &mut s.images.db),
            ("WORKSHOP_IMAGE_APP", &mut s.images.app),
            ("WORKSHOP_IMAGE_PROMETHEUS", &mut s.images.prometheus),
            ("WORKSHOP_IMAGE_GRAFANA", &mut s.images.grafana),
            ("WORKSHOP_BIND", &mut s.bind),
            ("WORKSHOP_DB_USER", &mut s.db_user),
            ("WORKSHOP_DB_PASSWORD", &mut s.db_password),
            ("WORKSHOP_DB_NAME", &mut s.db_name),
            ("WORKSHOP_GRAFANA_PASSWORD", &mut s.grafana_password),
        ] {
            if let Some(v) = get(key) {
                *slot = v.to_string();
            }
        }
        port("WORKSHOP_PORT_API", &mut s.api_port)?;
        port("WORKSHOP_PORT_PROMETHEUS", &mut s.prometheus_port)?;
        port("WORKSHOP_PORT_GRAFANA", &mut s.grafana_port)?;
        if let Some(v) = get("WORKSHOP_PORT_DB") {
            s.db_port = Some(
                v.parse()
                    .map_err(|_| invalid("WORKSHOP_PORT_DB", v, "a port, 1-65535"))?,
            );
        }
        if let Some(v) = get("WORKSHOP_APP_MEMORY") {
            s.app_memory = parse_memory(v)
                .ok_or_else(|| invalid("WORKSHOP_APP_MEMORY", v, "a size like 256m or 1g"))?;
        }
        if let Some(v) = get("WORKSHOP_HEALTH_TIMEOUT_S") {
            let secs: u64 = v
                .parse()
                .map_err(|_| invalid("WORKSHOP_HEALTH_TIMEOUT_S", v, "whole seconds"))?;
            s.health_timeout = Duration::from_secs(secs);
        }
        s.refuse_default_passwords_on_a_network(|k| get(k).is_some())?;
        Ok(s)
    }

    /// Published beyond this machine (`WORKSHOP_BIND` not loopback), a
    /// password everybody can read in this tool's documentation opens
    /// Grafana's admin, and PostgreSQL when it is published, to the whole
    /// room: refused until one is chosen.
    fn refuse_default_passwords_on_a_network(
        &self,
        given: impl Fn(&str) -> bool,
    ) -> Result<(), SettingsError> {
        let local = self.bind == "localhost"
            || self
                .bind
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if local {
            return Ok(());
        }
        let published_db = self.db_port.is_some();
        for (key, needed) in [
            ("WORKSHOP_GRAFANA_PASSWORD", true),
            ("WORKSHOP_DB_PASSWORD", published_db),
        ] {
            if needed && !given(key) {
                return Err(SettingsError::Invalid {
                    key: key.into(),
                    value: format!("unset (its default) with WORKSHOP_BIND={}", self.bind),
                    accepted: "a password of your own whenever WORKSHOP_BIND opens the stack to a network \
                               (the default is in this tool's documentation), e.g. \
                               WORKSHOP_GRAFANA_PASSWORD=$(openssl rand -hex 12)",
                });
            }
        }
        Ok(())
    }

    /// Name of a container, network or volume of this project.
    pub fn object_name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.project)
    }

    /// Host port of app replica `n` (1-based): replica 1 on `api_port`, the
    /// next ones on the ports after it, so each can be reached directly.
    pub fn app_port(&self, n: u16) -> u16 {
        self.api_port.saturating_add(n.saturating_sub(1))
    }
}

/// `host[:port]` of a registry: a host name or IPv4 address, an optional
/// port, nothing else (no scheme, no path: the engine adds those itself).
pub fn parse_registry(text: &str) -> Option<String> {
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (text, None),
    };
    let host_ok = !host.is_empty()
        && host.split('.').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
    (host_ok && port_ok).then(|| text.to_ascii_lowercase())
}

fn invalid(key: &str, value: &str, accepted: &'static str) -> SettingsError {
    SettingsError::Invalid {
        key: key.into(),
        value: value.into(),
        accepted,
    }
}

/// Every `WORKSHOP_*` setting: the config file's, overridden by the process
/// environment's. A missing file is no error; one that cannot be read is.
pub(crate) fn config_values() -> Result<HashMap<String, String>, SettingsError> {
    let mut values = HashMap::new();
    if let Some(path) = config_file() {
        match std::fs::read_to_string(&path) {
            Ok(text) => values.extend(parse_env_file(&text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(SettingsError::File {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                });
            }
        }
    }
    values.extend(std::env::vars().filter(|(k, _)| k.starts_with("WORKSHOP_")));
    Ok(values)
}

/// `$WORKSHOP_CONFIG`, else `<config dir>/workshop/stack.env`.
pub fn config_file() -> Option<PathBuf> {
    match std::env::var_os("WORKSHOP_CONFIG") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => dirs::config_dir().map(|d| d.join("workshop").join("stack.env")),
    }
}

/// `KEY=value` lines; blank lines and `#` comments ignored; values may be quoted.
pub fn parse_env_file(text: &str) -> HashMap<String, String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .collect()
}

/// `256m`, `256MiB`, `1g`, `1.5g`, `268435456` → bytes. At least 16 MiB: less
/// and the app cannot even start, which teaches nothing.
pub fn parse_memory(text: &str) -> Option<u64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num.parse().ok()?;
    let scale = match unit.trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => MIB as f64,
        "g" | "gb" | "gib" => (1024 * MIB) as f64,
        _ => return None,
    };
    let bytes = (num * scale) as u64;
    (bytes >= 16 * MIB).then_some(bytes)
}

#[cfg(test)]
#[path = "settings_tests.rs"]
mod tests;
