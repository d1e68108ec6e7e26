//! What each service's container looks like, as pure data built from the
//! settings: no Docker calls here, so the shape of the stack is testable
//! without an engine and `up` only has to make reality match it.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, Mount, MountType,
    NetworkingConfig, PortBinding, RestartPolicy, RestartPolicyNameEnum,
};

use crate::stack::files::{self, EmbeddedFile};
use crate::stack::service::{Service, ServiceRole};
use crate::stack::settings::StackSettings;

pub(crate) const LABEL_MANAGED: &str = "io.workshop.managed";
pub(crate) const LABEL_PROJECT: &str = "io.workshop.project";
pub(crate) const LABEL_SERVICE: &str = "io.workshop.service";
pub(crate) const LABEL_REPLICA: &str = "io.workshop.replica";

const SECOND_NS: i64 = 1_000_000_000;

/// One container of the stack.
#[derive(Debug, Clone)]
pub(crate) struct ServiceSpec {
    /// `db`, `app-1`, `prometheus`, `grafana`: what people type and read.
    pub service: Service,
    /// `<project>-<name>`.
    pub container: String,
    pub image: String,
    pub body: ContainerCreateBody,
    /// Placed into the container before it starts.
    pub files: Vec<EmbeddedFile>,
    /// What a person opens, if published.
    pub url: Option<String>,
}

/// The labels every object of the project carries.
pub(super) fn project_labels(settings: &StackSettings) -> HashMap<String, String> {
    HashMap::from([
        (LABEL_MANAGED.to_string(), "true".to_string()),
        (LABEL_PROJECT.to_string(), settings.project.clone()),
    ])
}

pub(super) fn network_name(s: &StackSettings) -> String {
    s.object_name("net")
}

/// Named volumes: (volume name, mount point, service).
pub(super) fn volumes(s: &StackSettings) -> Vec<(String, &'static str, ServiceRole)> {
    [
        (ServiceRole::Db, "/var/lib/postgresql/data"),
        (ServiceRole::Prometheus, "/prometheus"),
        (ServiceRole::Grafana, "/var/lib/grafana"),
    ]
    .into_iter()
    .map(|(role, path)| (s.object_name(role.name()), path, role))
    .collect()
}

/// The whole stack in start order: db, the app replicas, prometheus, grafana.
pub(crate) fn stack(s: &StackSettings) -> Vec<ServiceSpec> {
    let mut out = vec![db(s)];
    out.extend((1..=s.app_replicas.max(1)).map(|n| app(s, n)));
    out.push(prometheus(s));
    out.push(grafana(s));
    out
}

fn db(s: &StackSettings) -> ServiceSpec {
    let env = vec![
        format!("POSTGRES_USER={}", s.db_user),
        format!("POSTGRES_PASSWORD={}", s.db_password),
        format!("POSTGRES_DB={}", s.db_name),
    ];
    let health = shell_check(&format!(
        "pg_isready -q -h 127.0.0.1 -U {} -d {}",
        s.db_user, s.db_name
    ));
    let inside = ServiceRole::Db.port_inside().0;
    let ports = s.db_port.map(|p| vec![(inside, p)]).unwrap_or_default();
    let mut spec = base(
        s,
        Service::of(ServiceRole::Db),
        &s.images.db,
        env,
        health,
        &ports,
    );
    spec.url = s
        .db_port
        .map(|p| format!("postgres://{}@{}:{p}/{}", s.db_user, s.bind, s.db_name));
    spec
}

fn app(s: &StackSettings, n: u16) -> ServiceSpec {
    let service = Service::app(n);
    // WORKSHOP_LEAK_CAP_MB is deliberately not set: the app then caps its leak
    // above its cgroup limit, so the kernel kills it first.
    let mut env = vec![
        format!(
            "DATABASE_URL=postgres://{}:{}@db:5432/{}",
            s.db_user, s.db_password, s.db_name
        ),
        "WORKSHOP_LISTEN=0.0.0.0:5000".into(),
        "WORKSHOP_DB_WAIT_S=120".into(),
    ];
    // The admin token of whoever runs `up` protects the app's fault controls
    // (the CLI and console send the same variable).
    if let Some(token) = std::env::var("WORKSHOP_ADMIN_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        env.push(format!("WORKSHOP_ADMIN_TOKEN={token}"));
    }
    let health = HealthConfig {
        test: Some(vec!["CMD".into(), "workshop".into(), "healthcheck".into()]),
        ..fast_checks()
    };
    let port = s.app_port(n);
    let mut spec = base(
        s,
        service,
        &s.images.app,
        env,
        health,
        &[(ServiceRole::App.port_inside().0, port)],
    );
    spec.body.cmd = Some(vec!["serve".into()]);
    if let Some(labels) = spec.body.labels.as_mut() {
        labels.insert(LABEL_REPLICA.into(), n.to_string());
    }
    if let Some(host) = spec.body.host_config.as_mut() {
        let limit = i64::try_from(s.app_memory).unwrap_or(i64::MAX);
        host.memory = Some(limit);
        // No swap: the limit is a hard wall and the kernel's OOM killer acts at it.
        host.memory_swap = Some(limit);
        host.restart_policy = Some(RestartPolicy {
            name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
            maximum_retry_count: None,
        });
    }
    spec.url = Some(format!("http://{}:{port}", s.bind));
    spec
}

fn prometheus(s: &StackSettings) -> ServiceSpec {
    let health = shell_check(
        "curl -fsS http://127.0.0.1:9090/-/ready >/dev/null 2>&1 || wget -qO- http://127.0.0.1:9090/-/ready >/dev/null",
    );
    let mut spec = base(
        s,
        Service::of(ServiceRole::Prometheus),
        &s.images.prometheus,
        vec![],
        health,
        &[(ServiceRole::Prometheus.port_inside().0, s.prometheus_port)],
    );
    spec.body.cmd = Some(vec![
        "--config.file=/etc/workshop/prometheus.yml".into(),
        "--storage.tsdb.path=/prometheus".into(),
        "--web.listen-address=:9090".into(),
    ]);
    let targets: Vec<String> = (1..=s.app_replicas.max(1))
        .map(|n| format!("{}:{}", Service::app(n), ServiceRole::App.port_inside().0))
        .collect();
    spec.files = vec![
        EmbeddedFile {
            path: "/etc/workshop/prometheus.yml".into(),
            // Inside its container it listens on 9090 whatever the host port.
            contents: files::prometheus_config(&targets, "localhost:9090", &s.project).into_bytes(),
        },
        EmbeddedFile {
            path: "/etc/workshop/alerts.yml".into(),
            contents: files::ALERT_RULES.as_bytes().to_vec(),
        },
    ];
    spec.url = Some(format!("http://{}:{}", s.bind, s.prometheus_port));
    spec
}

fn grafana(s: &StackSettings) -> ServiceSpec {
    let env = vec![
        "GF_SECURITY_ADMIN_USER=admin".into(),
        format!("GF_SECURITY_ADMIN_PASSWORD={}", s.grafana_password),
        "GF_USERS_ALLOW_SIGN_UP=false".into(),
        "GF_ANALYTICS_REPORTING_ENABLED=false".into(),
    ];
    let health = shell_check("wget -qO- http://127.0.0.1:3000/api/health >/dev/null");
    let mut spec = base(
        s,
        Service::of(ServiceRole::Grafana),
        &s.images.grafana,
        env,
        health,
        &[(ServiceRole::Grafana.port_inside().0, s.grafana_port)],
    );
    spec.files = vec![
        EmbeddedFile {
            path: "/etc/grafana/provisioning/datasources/workshop.yml".into(),
            contents: files::GRAFANA_DATASOURCE.as_bytes().to_vec(),
        },
        EmbeddedFile {
            path: "/etc/grafana/provisioning/dashboards/workshop.yml".into(),
            contents: files::GRAFANA_DASHBOARD_PROVIDER.as_bytes().to_vec(),
        },
        EmbeddedFile {
            path: "/etc/workshop/grafana/dashboards/overview.json".into(),
            contents: files::GRAFANA_OVERVIEW.as_bytes().to_vec(),
        },
    ];
    spec.url = Some(format!("http://{}:{}", s.bind, s.grafana_port));
    spec
}

/// Health checks every 2 s, so `up` notices readiness quickly.
fn fast_checks() -> HealthConfig {
    HealthConfig {
        test: None,
        interval: Some(2 * SECOND_NS),
        timeout: Some(3 * SECOND_NS),
        retries: Some(5),
        start_period: Some(60 * SECOND_NS),
        start_interval: None,
    }
}

fn shell_check(command: &str) -> HealthConfig {
    HealthConfig {
        test: Some(vec!["CMD-SHELL".into(), command.into()]),
        ..fast_checks()
    }
}

fn base(
    s: &StackSettings,
    service: Service,
    image: &str,
    env: Vec<String>,
    healthcheck: HealthConfig,
    ports: &[(u16, u16)],
) -> ServiceSpec {
    let mut labels = project_labels(s);
    labels.insert(LABEL_SERVICE.into(), service.role.name().into());
    let port_bindings: HashMap<String, Option<Vec<PortBinding>>> = ports
        .iter()
        .map(|(inside, outside)| {
            (
                format!("{inside}/tcp"),
                Some(vec![PortBinding {
                    host_ip: Some(s.bind.clone()),
                    host_port: Some(outside.to_string()),
                }]),
            )
        })
        .collect();
    let mounts: Vec<Mount> = volumes(s)
        .into_iter()
        .filter(|(_, _, role)| *role == service.role)
        .map(|(volume, target, _)| Mount {
            target: Some(target.into()),
            source: Some(volume),
            typ: Some(MountType::VOLUME),
            ..Default::default()
        })
        .collect();
    let endpoint = EndpointSettings {
        // On the stack's network a service answers to its role (`app`) and,
        // for a replica, to its own name (`app-2`).
        aliases: Some(
            std::iter::once(service.role.name().to_string())
                .chain(service.replica.map(|_| service.to_string()))
                .collect(),
        ),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(image.into()),
        env: Some(env),
        labels: Some(labels),
        healthcheck: Some(healthcheck),
        exposed_ports: Some(ports.iter().map(|(p, _)| format!("{p}/tcp")).collect()),
        host_config: Some(HostConfig {
            port_bindings: Some(port_bindings),
            mounts: Some(mounts),
            network_mode: Some(network_name(s)),
            restart_policy: Some(RestartPolicy {
                name: Some(RestartPolicyNameEnum::UNLESS_STOPPED),
                maximum_retry_count: None,
            }),
            ..Default::default()
        }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(network_name(s), endpoint)])),
        }),
        ..Default::default()
    };
    ServiceSpec {
        service,
        container: service.container(s),
        image: image.into(),
        body,
        files: Vec::new(),
        url: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_has_a_memory_limit_without_swap_and_comes_back_on_its_own() {
        let s = StackSettings::default();
        let app = stack(&s)
            .into_iter()
            .find(|x| x.service == Service::app(1))
            .expect("app");
        let host = app.body.host_config.expect("host config");
        assert_eq!(host.memory, Some(256 * 1024 * 1024));
        assert_eq!(host.memory_swap, host.memory);
        assert_eq!(
            host.restart_policy.and_then(|p| p.name),
            Some(RestartPolicyNameEnum::UNLESS_STOPPED)
        );
        let env = app.body.env.expect("env");
        assert!(!env.iter().any(|e| e.starts_with("WORKSHOP_LEAK_CAP_MB")));
    }

    #[test]
    fn published_ports_bind_loopback_and_the_database_stays_private() {
        let s = StackSettings::default();
        for spec in stack(&s) {
            let ports = spec
                .body
                .host_config
                .and_then(|h| h.port_bindings)
                .unwrap_or_default();
            if spec.service.role == ServiceRole::Db {
                assert!(ports.is_empty(), "db is not published by default");
            }
            for binding in ports.values().flatten().flatten() {
                assert_eq!(binding.host_ip.as_deref(), Some("127.0.0.1"));
            }
        }
    }

    #[test]
    fn three_replicas_get_their_own_ports_and_prometheus_lists_them_all() {
        let s = StackSettings {
            app_replicas: 3,
            ..Default::default()
        };
        let specs = stack(&s);
        let names: Vec<String> = specs.iter().map(|x| x.service.to_string()).collect();
        assert_eq!(
            names,
            ["db", "app-1", "app-2", "app-3", "prometheus", "grafana"]
        );
        assert_eq!(specs[3].url.as_deref(), Some("http://127.0.0.1:5002"));
        let prom = &specs[4].files[0];
        let text = String::from_utf8_lossy(&prom.contents);
        assert!(text.contains("app-3:5000"), "{text}");
    }
}
