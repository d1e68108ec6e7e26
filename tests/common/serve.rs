//! `workshop serve` as the tests run it: the one way to spawn it (a free
//! port unless a test needs the same port back, the test's database, quiet
//! logs), and a handle that kills it, and anything it started, on drop, so
//! a failing assertion leaves no process behind.

use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{free_port, metric_value, workshop};

/// How a test starts `workshop serve`; `spawn` or `start` it.
pub struct Serve {
    cmd: std::process::Command,
    port: u16,
    stderr: Option<Stdio>,
}

impl Serve {
    /// On `db_url` (a `TestDb`'s URL or a cluster's), on a free port.
    pub fn on(db_url: &str) -> Self {
        Self::on_port(db_url, free_port())
    }

    /// On a given port, e.g. to bring it back where a client expects it.
    pub fn on_port(db_url: &str, port: u16) -> Self {
        let mut cmd = workshop(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
        cmd.env("DATABASE_URL", db_url).env("RUST_LOG", "warn");
        Serve {
            cmd,
            port,
            stderr: None,
        }
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    /// Under an open-file limit of `n` (see [`super::limit_open_files`]).
    pub fn open_files(mut self, n: u64) -> Self {
        super::limit_open_files(&mut self.cmd, n);
        self
    }

    /// Where its log goes (inherited from the test unless told).
    pub fn stderr(mut self, to: impl Into<Stdio>) -> Self {
        self.stderr = Some(to.into());
        self
    }

    /// Started, not waited for: for a test that watches it come up, or
    /// expects it to refuse and exit.
    pub fn spawn(mut self) -> Server {
        // A process group of its own, so that drop reaches its children too.
        let child = self
            .cmd
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(self.stderr.take().unwrap_or_else(Stdio::inherit))
            .spawn()
            .expect("spawn workshop serve");
        Server {
            child,
            url: format!("http://127.0.0.1:{}", self.port),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client"),
        }
    }

    /// Started and answering `/readyz`.
    pub async fn start(self) -> Server {
        let server = self.spawn();
        server.wait_ready().await;
        server
    }
}

/// A running `workshop serve`; killed, with its children, when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    pub http: reqwest::Client,
}

impl Server {
    pub async fn start(db_url: &str) -> Self {
        Serve::on(db_url).start().await
    }

    pub async fn start_with(db_url: &str, env: &[(&str, &str)]) -> Self {
        env.iter()
            .fold(Serve::on(db_url), |serve, (k, v)| serve.env(k, v))
            .start()
            .await
    }

    /// SIGKILL to it and its children, as a crash would; then reaped. Once
    /// reaped its pid may be another's, so only a running one is signalled.
    pub fn kill(&mut self) {
        if let (Ok(None), Ok(pid)) = (self.child.try_wait(), i32::try_from(self.child.id())) {
            // SAFETY: kill(2) on the process group of our own running child.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = self.http.get(format!("{}/readyz", self.url)).send().await
                && r.status().is_success()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "serve at {} never became ready",
                self.url
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// A raw POST on a connection of its own: a refused body (413) makes the
    /// server close the connection, which must not break the next request.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let fresh = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .expect("client");
        let r = fresh
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn inject(&self, body: Value) {
        let (status, reply) = self.post("/api/failures", body).await;
        assert_eq!(status, 200, "inject refused: {reply}");
    }

    pub async fn metrics(&self) -> String {
        self.text("/metrics").await
    }

    /// The body of `GET path`, as the server sent it.
    pub async fn text(&self, path: &str) -> String {
        self.http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap_or_else(|e| panic!("body of GET {path}: {e}"))
    }

    /// The value of an unlabelled metric (or the first series of it).
    pub async fn metric(&self, name: &str) -> f64 {
        let text = self.metrics().await;
        metric_value(&text, name).unwrap_or_else(|| panic!("no metric {name} in:\n{text}"))
    }

    /// Every balance, as exact decimals.
    pub async fn balances(&self) -> Vec<(String, rust_decimal::Decimal)> {
        let (status, body) = self.get("/api/accounts").await;
        assert_eq!(status, 200, "{body}");
        body["accounts"]
            .as_array()
            .expect("accounts array")
            .iter()
            .map(|a| {
                let n = a["account"].as_str().expect("account").to_string();
                let b: rust_decimal::Decimal = a["balance"].to_string().parse().expect("decimal");
                (n, b)
            })
            .collect()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}
