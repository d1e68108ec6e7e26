//! Configuration files the stack's services read, embedded in the binary so
//! `workshop up` works from any directory (a student may run the binary from
//! a download, far from a checkout).

use std::fmt::Write as _;

/// Recording and alerting rules (`compose/alerts.yml`), shared with the compose path.
pub use crate::cases::rules::ALERTS_YML as ALERT_RULES;

/// Grafana's Prometheus datasource.
pub const GRAFANA_DATASOURCE: &str =
    include_str!("../../grafana/provisioning/datasources/prometheus.yml");
/// Tells Grafana where the dashboards are.
pub const GRAFANA_DASHBOARD_PROVIDER: &str =
    include_str!("../../grafana/provisioning/dashboards/workshop.yml");
/// The overview dashboard: traffic, latency, errors, memory, restarts.
pub const GRAFANA_OVERVIEW: &str = include_str!("../../grafana/dashboards/overview.json");

/// One file to place into a container before it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedFile {
    /// Absolute path inside the container.
    pub path: String,
    pub contents: Vec<u8>,
}

/// `prometheus.yml` scraping `targets` (`host:port`) and itself at `own`
/// (where this Prometheus listens, never another one's port), labelled
/// with the stack's `project`, with the rules beside it.
///
/// The scrape and evaluation intervals are 5 s, so an injected fault reaches
/// an alert within the minute a student is willing to wait.
pub fn prometheus_config(targets: &[String], own: &str, project: &str) -> String {
    let mut out = format!(
        "# Written by `workshop up`; regenerated on every start.\n\
         global:\n  scrape_interval: 5s\n  evaluation_interval: 5s\n  external_labels:\n    stack: {project:?}\n\
         rule_files:\n  - alerts.yml\n\
         scrape_configs:\n  - job_name: fintech-api\n    metrics_path: /metrics\n    static_configs:\n      - targets:\n",
    );
    for t in targets {
        let _ = writeln!(out, "          - {t:?}");
    }
    let _ = writeln!(
        out,
        "  - job_name: prometheus\n    static_configs:\n      - targets: [{own:?}]"
    );
    out
}

/// A tar archive (as `PUT /containers/{id}/archive` takes it, extracted at `/`)
/// holding `files`, readable by any user: the service may run unprivileged.
pub fn tar_archive(files: &[EmbeddedFile]) -> std::io::Result<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    for f in files {
        append_file(
            &mut builder,
            f.path.trim_start_matches('/'),
            0o644,
            &f.contents,
        )?;
    }
    builder.into_inner()
}

/// One regular file owned by root and dated at the epoch: the same files
/// give the same archive (the engine's layer cache relies on it).
pub(crate) fn append_file(
    builder: &mut tar::Builder<Vec<u8>>,
    name: &str,
    mode: u32,
    contents: &[u8],
) -> std::io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_size(contents.len() as u64);
    header.set_mode(mode);
    header.set_uid(0);
    header.set_gid(0);
    header.set_mtime(0);
    header.set_cksum();
    builder.append_data(&mut header, name, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prometheus_config_lists_every_app_replica() {
        let cfg = prometheus_config(
            &["app-1:5000".into(), "app-2:5000".into()],
            "localhost:9090",
            "room-12",
        );
        assert!(cfg.contains("- \"app-1:5000\""), "{cfg}");
        assert!(cfg.contains("stack: \"room-12\""), "{cfg}");
        assert!(cfg.contains("targets: [\"localhost:9090\"]"), "{cfg}");
        assert!(cfg.contains("- \"app-2:5000\""), "{cfg}");
        assert!(cfg.contains("rule_files:\n  - alerts.yml"), "{cfg}");
    }

    #[test]
    fn the_archive_holds_the_files_at_their_paths() {
        let tar = tar_archive(&[EmbeddedFile {
            path: "/etc/workshop/prometheus.yml".into(),
            contents: b"global: {}\n".to_vec(),
        }])
        .expect("archive");
        let mut archive = tar::Archive::new(tar.as_slice());
        let names: Vec<String> = archive
            .entries()
            .expect("entries")
            .map(|e| {
                e.expect("entry")
                    .path()
                    .expect("path")
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, vec!["etc/workshop/prometheus.yml"]);
    }
}
