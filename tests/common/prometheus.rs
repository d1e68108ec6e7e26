//! A real Prometheus for the tests that read the console's or a case's
//! signals the way the classroom does.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;

/// A real Prometheus (Debian's `prometheus` binary) scraping `target`
/// (host:port) every 5 s with the workshop's rules, and itself as every
/// workshop stack's does; killed when dropped.
pub struct PrometheusServer {
    pub child: Child,
    pub url: String,
    _dir: tempfile::TempDir,
}

impl PrometheusServer {
    pub async fn start(target: &str) -> Self {
        Self::start_on(target, free_port()).await
    }

    /// On a given port, e.g. to bring one back where a client expects it.
    pub async fn start_on(target: &str, port: u16) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = env!("CARGO_MANIFEST_DIR");
        let config = std::fs::read_to_string(format!("{root}/compose/prometheus.yml"))
            .expect("compose/prometheus.yml")
            .replace("app:5000", target)
            .replace("localhost:9090", &format!("127.0.0.1:{port}"));
        std::fs::write(dir.path().join("prometheus.yml"), config).expect("write config");
        std::fs::copy(
            format!("{root}/compose/alerts.yml"),
            dir.path().join("alerts.yml"),
        )
        .expect("copy rules");
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start `prometheus` ({e}): install it with `apt-get install prometheus`"
                )
            });
        let server = PrometheusServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        let http = reqwest::Client::new();
        loop {
            if let Ok(r) = http.get(format!("{}/-/ready", server.url)).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "prometheus never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }
}

impl PrometheusServer {
    /// Waits (up to 60 s) until `query` returns at least one series.
    pub async fn wait_for_series(&self, query: &str) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = http
                .get(format!("{}/api/v1/query", self.url))
                .query(&[("query", query)])
                .send()
                .await;
            if let Ok(r) = answer
                && let Ok(body) = r.json::<serde_json::Value>().await
                && body["data"]["result"]
                    .as_array()
                    .is_some_and(|series| !series.is_empty())
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{query}` returned nothing for 60 s"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
