//! The documentation's examples are run like code, so they cannot drift
//! from the binary. Links, the en/ru pages and the checklist: `docs_pages.rs`.
//!
//! Conventions for whoever writes Markdown in this repository:
//!
//! - A ```` ```console ```` block is **executed**. Each line starting with `$ `
//!   is a command (a trailing `\` continues it on the next line); the lines
//!   after it, up to the next `$ ` line, are the output it must print.
//!   Commands run with `sh -c` in a scratch copy of the repository root
//!   (links to its entries; new files land in a temporary folder), against a fresh
//!   `workshop serve` started for that Markdown file (SQLite ledger in a
//!   temporary directory, a free port). Docs are written with
//!   `http://127.0.0.1:5000`; the test rewrites that address to the real port,
//!   sets `WORKSHOP_API_URL` for the `workshop` client commands, and puts the
//!   binary under test first on `PATH`. Every command must exit 0. The blocks
//!   of one file run in order and share that server's state.
//! - Output is compared line by line. A line that parses as JSON is compared
//!   by *shape*: the same keys, the same value types, equal strings (except
//!   timestamps, ids and the version), numbers by type only; arrays of the
//!   length shown element by element, of another length each actual element
//!   against the first one shown. A line
//!   `...` stands for any number of lines. Any other line must be equal
//!   (trailing spaces aside). Standard error is not compared.
//! - ```` ```sh ````, ```` ```bash ````, ```` ```shell ```` and
//!   ```` ```text ```` blocks are **shown, never run**: commands that need
//!   Docker or a long run (`workshop up`, `tui`, `run`, `load`), or that
//!   change the machine (`cargo`, `scripts/…`). So that a runnable line cannot
//!   hide in them, such blocks in `README.md`, `docs/en` and `docs/ru` may not
//!   contain `curl` or the API client commands (`workshop inject`, `failures`,
//!   `reset`, `healthcheck`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::markdown::{Fence, markdown_files, pages_in, read, rel, repo, split_fences};
use common::{Backend, Server, TestDb};
use serde_json::Value;

const SHOWN: [&str; 4] = ["sh", "bash", "shell", "text"];
const CLIENT_COMMANDS: [&str; 4] = [
    "workshop inject",
    "workshop failures",
    "workshop reset",
    "workshop healthcheck",
];

fn guide_pages() -> Vec<PathBuf> {
    let mut pages = vec![repo().join("README.md")];
    for lang in ["en", "ru"] {
        let dir = repo().join("docs").join(lang);
        pages.extend(pages_in(&dir).into_iter().map(|n| dir.join(n)));
    }
    pages
}

#[test]
fn blocks_that_are_only_shown_hold_no_command_the_test_could_run() {
    let mut hidden = Vec::new();
    for page in guide_pages() {
        let (fences, _) = split_fences(&read(&page));
        for fence in fences.iter().filter(|f| SHOWN.contains(&f.lang.as_str())) {
            for (i, line) in fence.body.iter().enumerate() {
                let runnable =
                    line.contains("curl ") || CLIENT_COMMANDS.iter().any(|c| line.contains(c));
                if runnable {
                    hidden.push(format!("{}:{}: {line}", rel(&page), fence.line + i));
                }
            }
        }
    }
    assert!(
        hidden.is_empty(),
        "these lines can run against `workshop serve`; put them in a ```console block \
         with their output so the test runs them:\n{}",
        hidden.join("\n")
    );
}

// ---------------------------------------------------------------- console blocks

/// One command of a console block and the output it must print.
struct Step {
    line: usize,
    command: String,
    expected: Vec<String>,
}

fn steps(fence: &Fence) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    let mut continuing = false;
    for (i, line) in fence.body.iter().enumerate() {
        if continuing {
            let step = out.last_mut().expect("a continued command");
            step.command.push('\n');
            step.command.push_str(line);
            continuing = line.trim_end().ends_with('\\');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Step {
                line: fence.line + i,
                command: cmd.to_string(),
                expected: Vec::new(),
            });
            continuing = cmd.trim_end().ends_with('\\');
        } else if let Some(step) = out.last_mut() {
            step.expected.push(line.clone());
        } else {
            panic!(
                "console block at line {}: output before any `$ ` command: {line}",
                fence.line
            );
        }
    }
    out
}

/// Values whose content changes from run to run; only their type is compared.
const VOLATILE_KEYS: [&str; 4] = ["timestamp", "transaction_id", "expires_at", "version"];

fn shape_mismatch(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let ek: Vec<_> = e.keys().collect();
            let ak: Vec<_> = a.keys().collect();
            if ek != ak {
                return Some(format!("{path}: keys {ek:?} shown, {ak:?} printed"));
            }
            e.iter().find_map(|(k, ev)| {
                let av = &a[k];
                if VOLATILE_KEYS.contains(&k.as_str()) {
                    let same = std::mem::discriminant(ev) == std::mem::discriminant(av);
                    return (!same).then(|| format!("{path}.{k}: {ev} shown, {av} printed"));
                }
                shape_mismatch(ev, av, &format!("{path}.{k}"))
            })
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (ev, av))| shape_mismatch(ev, av, &format!("{path}[{i}]"))),
        (Value::Array(e), Value::Array(a)) => match e.first() {
            None => {
                (!a.is_empty()).then(|| format!("{path}: [] shown, {} elements printed", a.len()))
            }
            Some(first) => {
                if a.is_empty() {
                    return Some(format!("{path}: elements shown, [] printed"));
                }
                a.iter()
                    .enumerate()
                    .find_map(|(i, av)| shape_mismatch(first, av, &format!("{path}[{i}]")))
            }
        },
        (Value::Number(_), Value::Number(_)) => None,
        (Value::String(e), Value::String(a)) => {
            let volatile = chrono::DateTime::parse_from_rfc3339(e).is_ok();
            (!volatile && e != a).then(|| format!("{path}: {e:?} shown, {a:?} printed"))
        }
        (e, a) if e == a => None,
        (e, a) => Some(format!("{path}: {e} shown, {a} printed")),
    }
}

fn line_matches(expected: &str, actual: &str) -> Result<(), String> {
    let e = expected.trim_end();
    let a = actual.trim_end();
    if let Ok(ev) = serde_json::from_str::<Value>(e) {
        let av: Value = serde_json::from_str(a).map_err(|_| {
            format!("JSON shown, not JSON printed:\n  shown:   {e}\n  printed: {a}")
        })?;
        return match shape_mismatch(&ev, &av, "$") {
            None => Ok(()),
            Some(why) => Err(format!("{why}\n  shown:   {e}\n  printed: {a}")),
        };
    }
    if e == a {
        Ok(())
    } else {
        Err(format!("  shown:   {e}\n  printed: {a}"))
    }
}

/// Matches the output against the lines shown, where a line `...` stands for
/// any number of lines.
fn output_matches(expected: &[String], actual: &[&str]) -> Result<(), String> {
    match expected.split_first() {
        None if actual.is_empty() => Ok(()),
        None => Err(format!(
            "more output than shown:\n  {}",
            actual.join("\n  ")
        )),
        Some((first, rest)) if first.trim() == "..." => {
            let mut last = Err("nothing after `...` matched".to_string());
            for skip in 0..=actual.len() {
                last = output_matches(rest, &actual[skip..]);
                if last.is_ok() {
                    return last;
                }
            }
            last
        }
        Some((first, rest)) => match actual.split_first() {
            None => Err(format!("output ended; still shown: {first}")),
            Some((a, arest)) => {
                line_matches(first, a)?;
                output_matches(rest, arest)
            }
        },
    }
}

#[test]
fn output_lines_are_compared_by_shape_and_dots_skip_lines() {
    let shown = |s: &str| s.lines().map(String::from).collect::<Vec<_>>();
    let ok = |e: &str, a: &str| output_matches(&shown(e), &a.lines().collect::<Vec<_>>());
    assert!(
        ok(
            r#"{"status":"healthy","timestamp":"2026-01-01T00:00:00Z"}"#,
            r#"{"status":"healthy","timestamp":"2027-05-05T10:10:10.123Z"}"#
        )
        .is_ok()
    );
    assert!(ok(r#"{"status":"healthy"}"#, r#"{"status":"unhealthy"}"#).is_err());
    assert!(ok(r#"{"balance":10000.0}"#, r#"{"balance":9990.5}"#).is_ok());
    assert!(ok(r#"{"balance":10000.0}"#, r#"{"balance":"9990.5"}"#).is_err());
    assert!(ok(r#"{"a":1}"#, r#"{"a":1,"b":2}"#).is_err());
    assert!(ok("first\n...\nlast", "first\nx\ny\nlast").is_ok());
    assert!(ok("first\n...", "first").is_ok());
    assert!(ok("HTTP 422", "HTTP 200").is_err());
}

/// A folder that reads like the repository root (a symbolic link to each of
/// its entries) but where files a page creates (`my-cases/…`) go to a
/// temporary folder, not into the checkout.
fn scratch_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(repo())
        .expect("list the repository")
        .flatten()
    {
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        std::os::unix::fs::symlink(entry.path(), dir.path().join(&name))
            .expect("link a repository entry");
    }
    dir
}

#[tokio::test(flavor = "multi_thread")]
async fn every_console_block_in_the_docs_runs_against_a_fresh_serve_and_prints_what_it_shows() {
    let bin_dir = Path::new(common::workshop_bin())
        .parent()
        .expect("the binary has a folder")
        .to_path_buf();
    let path_var = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut failures = Vec::new();
    let mut ran = BTreeMap::new();
    for page in markdown_files() {
        let (fences, _) = split_fences(&read(&page));
        let blocks: Vec<&Fence> = fences.iter().filter(|f| f.lang == "console").collect();
        if blocks.is_empty() {
            continue;
        }
        let db = TestDb::new(Backend::Sqlite).await;
        let workdir = scratch_checkout();
        let server = Server::start(&db.url).await;
        let addr = server.url.trim_start_matches("http://").to_string();
        let rewrite = |s: &str| {
            s.replace("127.0.0.1:5000", &addr)
                .replace("localhost:5000", &addr)
        };
        for fence in blocks {
            for step in steps(fence) {
                *ran.entry(rel(&page)).or_insert(0) += 1;
                let command = rewrite(&step.command);
                let out = Command::new("sh")
                    .arg("-c")
                    .arg(&command)
                    .current_dir(workdir.path())
                    .env("PATH", &path_var)
                    .env("WORKSHOP_API_URL", &server.url)
                    .env_remove("DATABASE_URL")
                    .output()
                    .unwrap_or_else(|e| panic!("cannot run sh: {e}"));
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                let expected: Vec<String> = step.expected.iter().map(|l| rewrite(l)).collect();
                let actual: Vec<&str> = stdout.lines().collect();
                let verdict = if !out.status.success() {
                    Err(format!("exit status {}", out.status))
                } else {
                    output_matches(&expected, &actual)
                };
                if let Err(why) = verdict {
                    failures.push(format!(
                        "{}:{}: $ {}\n{why}\n--- stdout:\n{stdout}--- stderr:\n{stderr}",
                        rel(&page),
                        step.line,
                        step.command
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} doc command(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    for guide in [
        "docs/en/curl-guide.md",
        "docs/ru/curl-guide.md",
        "README.md",
    ] {
        assert!(
            ran.get(guide).copied().unwrap_or(0) >= 3,
            "{guide} should carry executed ```console blocks; ran: {ran:?}"
        );
    }
}
