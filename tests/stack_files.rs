//! The files the stack ships — embedded Prometheus configuration, the compose
//! file, Grafana provisioning — checked by the tools that will read them.

use std::process::Command;

use serde_json::Value;
use workshop::stack::files;

fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_embedded_prometheus_config_and_rules_pass_promtool() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("prometheus.yml");
    let targets = ["app-1:5000".to_string(), "app-2:5000".to_string()];
    std::fs::write(
        &config,
        files::prometheus_config(&targets, "localhost:9090", "workshop"),
    )
    .expect("write config");
    std::fs::write(dir.path().join("alerts.yml"), files::ALERT_RULES).expect("write rules");
    let out = Command::new("promtool")
        .args(["check", "config"])
        .arg(&config)
        .output()
        .expect("promtool is needed (Debian package `prometheus`; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_compose_file_is_valid_for_the_compose_tool_on_this_machine() {
    let file = manifest_dir().join("compose/docker-compose.yml");
    let env = manifest_dir().join("compose/.env.example");
    let out = Command::new("docker-compose")
        .arg("-f")
        .arg(&file)
        .arg("--env-file")
        .arg(&env)
        .args(["config", "-q"])
        .output()
        .expect("docker-compose is needed to validate the compose file");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_grafana_provisioning_points_the_dashboard_at_the_provisioned_datasource() {
    assert!(files::GRAFANA_DATASOURCE.contains("type: prometheus"));
    assert!(files::GRAFANA_DATASOURCE.contains("url: http://prometheus:9090"));
    assert!(files::GRAFANA_DATASOURCE.contains("uid: workshop-prometheus"));
    assert!(
        files::GRAFANA_DASHBOARD_PROVIDER.contains("path: /etc/workshop/grafana/dashboards"),
        "the provider reads where `workshop up` and the compose file put the dashboards"
    );
    let dashboard: Value = serde_json::from_str(files::GRAFANA_OVERVIEW).expect("JSON");
    assert_eq!(dashboard["uid"], "workshop-overview");
    let titles: Vec<&str> = dashboard["panels"]
        .as_array()
        .expect("panels")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or(""))
        .collect();
    for want in [
        "Requests per second",
        "Latency p50 / p95 / p99",
        "5xx ratio",
        "Active transactions",
        "Memory vs limit",
        "Restarts (15 min)",
    ] {
        assert!(titles.contains(&want), "missing panel {want}: {titles:?}");
    }
    for panel in dashboard["panels"].as_array().into_iter().flatten() {
        assert_eq!(
            panel["datasource"]["uid"], "workshop-prometheus",
            "{}",
            panel["title"]
        );
        for t in panel["targets"].as_array().into_iter().flatten() {
            assert!(t["expr"].as_str().is_some_and(|e| !e.is_empty()));
        }
    }
}
