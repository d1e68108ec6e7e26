//! A real `workshop coach` on a loopback port, and headless Chromium reading
//! its board page.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{free_port, workshop_bin};

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
        let mut child = Command::new(workshop_bin())
            .args(["coach", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--code", code, "--token", token])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn workshop coach");
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
            assert!(Instant::now() < deadline, "workshop coach never answered /livez");
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
    cmd.arg("--timeout=3000")
        .arg(format!("--window-size={width},{height}"))
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
