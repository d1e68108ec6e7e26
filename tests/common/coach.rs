//! A real `workshop coach` on a loopback port, and headless Chromium reading
//! its board page.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{free_port, workshop};

/// A running `workshop coach`; killed when dropped.
pub struct Coach {
    pub child: Child,
    pub port: u16,
    /// The class URL it printed (`board: …`): the page, and the base students post to.
    pub board: String,
}

impl Coach {
    pub async fn start(code: &str, token: &str) -> Self {
        Self::start_on(free_port(), code, token).await
    }

    /// On a given port, e.g. to bring it back where students expect it.
    pub async fn start_on(port: u16, code: &str, token: &str) -> Self {
        Self::launch(port, code, token, |_| {}).await
    }

    /// On a given port, with more flags (`--state-dir DIR`).
    pub async fn start_with(port: u16, code: &str, token: &str, flags: &[&str]) -> Self {
        let flags: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
        Self::launch(port, code, token, move |cmd| {
            cmd.args(&flags);
        })
        .await
    }

    /// Under an open-file limit of `n`, its log (stderr) into `log`.
    pub async fn start_limited(code: &str, token: &str, n: u64, log: std::fs::File) -> Self {
        Self::launch(free_port(), code, token, move |cmd| {
            super::limit_open_files(cmd, n);
            cmd.stderr(log);
        })
        .await
    }

    async fn launch(port: u16, code: &str, token: &str, adjust: impl FnOnce(&mut Command)) -> Self {
        let mut cmd = workshop(&["coach", "--listen", &format!("127.0.0.1:{port}")]);
        cmd.args(["--code", code, "--token", token])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        adjust(&mut cmd);
        let mut child = cmd.spawn().expect("spawn workshop coach");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let board = loop {
            match rx.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("board: ") {
                        break url.trim().to_string();
                    }
                }
                Err(e) => panic!("workshop coach printed no `board:` line: {e}"),
            }
        };
        let coach = Coach { child, port, board };
        let deadline = Instant::now() + Duration::from_secs(30);
        let http = reqwest::Client::new();
        let livez = format!("http://127.0.0.1:{port}/livez");
        loop {
            if let Ok(r) = http.get(&livez).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "workshop coach never answered /livez"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        coach
    }

    pub async fn board_json(&self) -> Value {
        reqwest::get(format!("{}/board.json", self.board))
            .await
            .expect("board.json")
            .json()
            .await
            .expect("board.json is JSON")
    }

    /// Sends `text` to every console with `token`; the message's id.
    pub async fn broadcast(&self, token: &str, text: &str) -> u64 {
        let r = reqwest::Client::new()
            .post(format!("{}/messages", self.board))
            .bearer_auth(token)
            .json(&serde_json::json!({ "text": text }))
            .send()
            .await
            .expect("a broadcast");
        assert_eq!(r.status().as_u16(), 201, "the coach refused the message");
        let body: Value = r.json().await.expect("the message's id");
        body["id"].as_u64().expect("an id")
    }

    /// Kills it at once, as a crash or a closed laptop lid would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Coach {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Debian's `chromium`; missing is a loud failure (scripts/setup installs it).
fn chromium() -> Command {
    let mut cmd = Command::new("chromium");
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
    ]);
    cmd
}

fn run_chromium(mut cmd: Command) -> std::process::Output {
    let profile = tempfile::tempdir().expect("temp dir");
    cmd.arg(format!("--user-data-dir={}", profile.path().display()))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot start `chromium` ({e}): install it with `apt-get install chromium` (scripts/setup does)")
        })
}

/// The page's DOM after its script ran for `settle` (the stream's first
/// snapshot arrives right after load).
pub fn dom(url: &str, settle: Duration) -> String {
    let mut cmd = chromium();
    cmd.arg(format!("--timeout={}", settle.as_millis()))
        .arg("--dump-dom")
        .arg(url);
    let out = run_chromium(cmd);
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A PNG of the page at `width`×`height`.
pub fn screenshot(url: &str, path: &std::path::Path, width: u32, height: u32) {
    let mut cmd = chromium();
    // No --timeout: headless Chromium runs the page's clock fast while it
    // waits, and the page draws its first board before `load` anyway.
    cmd.arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", path.display()))
        .arg(url);
    let out = run_chromium(cmd);
    assert!(
        out.status.success() && path.exists(),
        "chromium made no screenshot of {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The value of attribute `name` in the tag `tag` (`<td …>`), if any.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// From a board's DOM: each student's row → the `data-phase` of its cell of
/// case `case` (empty when the row has no such cell).
pub fn phases(dom: &str, case: &str) -> std::collections::BTreeMap<String, String> {
    let mut rows = std::collections::BTreeMap::new();
    for (i, _) in dom.match_indices("<tr ") {
        let tag_end = i + dom[i..].find('>').unwrap_or(0);
        let tag = &dom[i..=tag_end];
        let Some(name) = attribute(tag, "data-student") else {
            continue;
        };
        let row_end = tag_end + dom[tag_end..].find("</tr>").unwrap_or(dom.len() - tag_end);
        let row = &dom[tag_end..row_end];
        let phase = row
            .match_indices("<td ")
            .map(|(j, _)| &row[j..j + row[j..].find('>').unwrap_or(0) + 1])
            .find(|td| attribute(td, "data-case") == Some(case))
            .and_then(|td| attribute(td, "data-phase"))
            .unwrap_or_default();
        rows.insert(html_unescape(name), phase.to_string());
    }
    rows
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Debian's nginx in front of a coach, on HTTPS, configured as the coach
/// guide tells a coach with a remote class to configure it; its certificate
/// is signed by a throwaway CA (`ca_file`: give it to clients as
/// `SSL_CERT_FILE`). Stopped when dropped.
pub struct TlsProxy {
    pub child: Child,
    /// `https://localhost:PORT`
    pub url: String,
    pub ca_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run openssl ({e}): apt-get install openssl"));
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TlsProxy {
    pub async fn start(upstream_port: u16) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=workshop test CA",
            ],
        );
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "site.key",
                "-out",
                "site.csr",
                "-subj",
                "/CN=localhost",
            ],
        );
        std::fs::write(
            d.join("site.ext"),
            "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n",
        )
        .expect("write ext");
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "site.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "site.ext",
                "-out",
                "site.pem",
            ],
        );
        let port = free_port();
        let conf = format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\ndaemon off;\nmaster_process off;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             \x20 fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             \x20 server {{\n    listen 127.0.0.1:{port} ssl;\n    server_name localhost;\n\
             \x20   ssl_certificate {d}/site.pem;\n    ssl_certificate_key {d}/site.key;\n\
             \x20   location / {{\n      proxy_pass http://127.0.0.1:{upstream_port};\n\
             \x20     proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n\
             \x20     proxy_buffering off;\n      proxy_read_timeout 1h;\n    }}\n  }}\n}}\n",
            d = d.display()
        );
        std::fs::write(d.join("nginx.conf"), conf).expect("write nginx.conf");
        let child = Command::new("nginx")
            .arg("-c")
            .arg(d.join("nginx.conf"))
            .arg("-p")
            .arg(d)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start nginx ({e}): apt-get install nginx-light (scripts/setup does)")
            });
        let proxy = TlsProxy {
            child,
            url: format!("https://localhost:{port}"),
            ca_file: d.join("ca.pem"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "nginx never listened on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        proxy
    }
}

impl Drop for TlsProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
