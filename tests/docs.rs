//! The documentation is tested like code, so it cannot drift from the binary.
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
//!
//! The other tests: every relative link of every Markdown file resolves to a
//! file, and every `#anchor` to a heading (GitHub's slug rules, Cyrillic
//! included); `docs/en` and `docs/ru` hold the same pages with the same
//! heading structure; the student checklist names every case and every check
//! of its Detect phase.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Backend, Server, TestDb};
use serde_json::Value;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every Markdown file of the repository (build output and hidden folders aside).
fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    walk(&path, out);
                }
            } else if name.ends_with(".md") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo(), &mut out);
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn rel(path: &Path) -> String {
    path.strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string()
}

// ---------------------------------------------------------------- Markdown

/// A fenced code block: its info string, first line number (1-based) and body.
struct Fence {
    lang: String,
    line: usize,
    body: Vec<String>,
}

/// The fenced blocks of a page, and its other lines (prose) with their numbers.
fn split_fences(text: &str) -> (Vec<Fence>, Vec<(usize, String)>) {
    let mut fences = Vec::new();
    let mut prose = Vec::new();
    // The opening marker (its character and length) and the block so far.
    let mut open: Option<(char, usize, Fence)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|&c| c == m).count());
        match open.take() {
            None if run >= 3 => {
                let lang = trimmed[run..].trim().to_string();
                let fence = Fence {
                    lang,
                    line: i + 2,
                    body: Vec::new(),
                };
                open = Some((marker.unwrap_or('`'), run, fence));
            }
            None => prose.push((i + 1, line.to_string())),
            Some((m, len, fence))
                if marker == Some(m) && run >= len && trimmed[run..].trim().is_empty() =>
            {
                fences.push(fence);
            }
            Some((m, len, mut fence)) => {
                fence.body.push(line.to_string());
                open = Some((m, len, fence));
            }
        }
    }
    if let Some((_, _, fence)) = open {
        panic!(
            "a code fence opened on line {} is never closed",
            fence.line - 1
        );
    }
    (fences, prose)
}

/// ATX headings outside code blocks: (level, text).
fn headings(text: &str) -> Vec<(usize, String)> {
    let (_, prose) = split_fences(text);
    prose
        .iter()
        .filter_map(|(_, line)| {
            let hashes = line.chars().take_while(|&c| c == '#').count();
            let rest = &line[hashes..];
            ((1..=6).contains(&hashes) && (rest.is_empty() || rest.starts_with(' ')))
                .then(|| (hashes, rest.trim().trim_end_matches('#').trim().to_string()))
        })
        .collect()
}

/// GitHub's anchor for a heading: the rendered text lowercased, everything but
/// letters, marks, digits, connector punctuation, spaces and hyphens dropped,
/// spaces turned into hyphens. Links `[t](u)` render as `t`.
fn slug(heading: &str) -> String {
    let mut rendered = String::new();
    let mut rest = heading;
    while let Some(open) = rest.find('[') {
        rendered.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find("](").and_then(|close| {
            after[close + 2..]
                .find(')')
                .map(|end| (close, close + 2 + end))
        }) {
            Some((close, end)) => {
                rendered.push_str(&after[..close]);
                rest = &after[end + 1..];
            }
            None => {
                rendered.push('[');
                rest = after;
            }
        }
    }
    rendered.push_str(rest);
    rendered
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == ' ' || *c == '-')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a page, with GitHub's `-1`, `-2` suffixes for repeats.
fn anchors(text: &str) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    headings(text)
        .iter()
        .map(|(_, h)| {
            let base = slug(h);
            let n = seen.entry(base.clone()).or_insert(0);
            let anchor = if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            *n += 1;
            anchor
        })
        .collect()
}

/// Link targets in prose (inline code spans removed): `[text](target)` and
/// reference definitions `[name]: target`.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let (_, prose) = split_fences(text);
    let mut out = Vec::new();
    for (n, line) in prose {
        let mut clean = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                clean.push_str(part);
            }
        }
        let trimmed = clean.trim_start();
        if trimmed.starts_with('[')
            && let Some(idx) = trimmed.find("]: ")
        {
            out.push((n, trimmed[idx + 3..].trim().to_string()));
            continue;
        }
        let mut rest = clean.as_str();
        while let Some(i) = rest.find("](") {
            let after = &rest[i + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            out.push((n, target.trim_matches(|c| c == '<' || c == '>').to_string()));
            rest = &after[end..];
        }
    }
    out
}

/// `%D0%B1…` → the characters, as GitHub accepts percent-encoded anchors.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if bytes[i] == b'%'
            && let Some(b) = hex
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

// ---------------------------------------------------------------- links

#[test]
fn every_relative_link_in_the_markdown_resolves_to_a_file_or_heading() {
    let root = repo().canonicalize().expect("repo root");
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in markdown_files() {
        let text = read(&page);
        for (line, target) in link_targets(&text) {
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(percent_decode(a))),
                None => (target.as_str(), None),
            };
            let dest = if file.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap_or(&root).join(percent_decode(file))
            };
            let Ok(dest) = dest.canonicalize() else {
                broken.push(format!("{}:{line}: `{target}`: no such file", rel(&page)));
                continue;
            };
            if !dest.starts_with(&root) {
                broken.push(format!(
                    "{}:{line}: `{target}` leaves the repository",
                    rel(&page)
                ));
                continue;
            }
            if let Some(anchor) = anchor
                && dest.extension().is_some_and(|e| e == "md")
            {
                let known = anchors(&read(&dest));
                if !known.contains(&anchor.to_lowercase()) {
                    broken.push(format!(
                        "{}:{line}: `{target}`: no heading with anchor `{anchor}` in {} (anchors: {})",
                        rel(&page),
                        rel(&dest),
                        known.join(", ")
                    ));
                }
            }
        }
    }
    assert!(
        checked > 30,
        "only {checked} relative links found: is the link parser broken?"
    );
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn slugs_follow_github_rules_for_code_punctuation_and_cyrillic() {
    assert_eq!(slug("Быстрый старт"), "быстрый-старт");
    assert_eq!(
        slug("`job:fintech_p95_latency:5m`"),
        "jobfintech_p95_latency5m"
    );
    assert_eq!(slug("1. Baseline → Inject"), "1-baseline--inject");
    assert_eq!(slug("See [the guide](x.md) now"), "see-the-guide-now");
    assert_eq!(
        anchors("# A\n## A\n```\n# not a heading\n```\n### A\n"),
        ["a", "a-1", "a-2"]
    );
    assert_eq!(percent_decode("%D0%B1%D0%B4"), "бд");
}

// ---------------------------------------------------------------- en / ru

fn pages_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names
}

#[test]
fn english_and_russian_pages_have_the_same_files_and_sections() {
    let en = repo().join("docs/en");
    let ru = repo().join("docs/ru");
    let names = pages_in(&en);
    assert_eq!(
        names,
        pages_in(&ru),
        "docs/en and docs/ru must hold the same files"
    );
    assert!(names.len() >= 6, "expected the six guides, found {names:?}");
    for name in names {
        let levels = |dir: &Path| -> Vec<usize> {
            headings(&read(&dir.join(&name)))
                .iter()
                .map(|(l, _)| *l)
                .collect()
        };
        let (e, r) = (levels(&en), levels(&ru));
        for level in 1..=6 {
            let count = |v: &[usize]| v.iter().filter(|&&l| l == level).count();
            assert_eq!(
                count(&e),
                count(&r),
                "{name}: {} sections of level {level} in English, {} in Russian",
                count(&e),
                count(&r)
            );
        }
        assert_eq!(
            e, r,
            "{name}: the heading levels differ in order between en and ru"
        );
    }
}

// ---------------------------------------------------------------- checklist

#[test]
fn the_student_checklist_names_every_case_and_detect_check() {
    let set = workshop::cases::CaseSet::shipped().unwrap_or_else(|p| panic!("{p}"));
    for lang in ["en", "ru"] {
        let path = repo().join(format!("docs/{lang}/student-checklist.md"));
        let text = read(&path);
        let mut missing = Vec::new();
        for case in set.cases() {
            let mut names = vec![format!("`{}`", case.id)];
            names.extend(
                case.phases
                    .detect
                    .checks
                    .iter()
                    .map(|c| format!("`{}`", c.id)),
            );
            names.extend(
                case.phases
                    .detect
                    .expected_alerts
                    .iter()
                    .map(|a| format!("`{}`", a.name)),
            );
            missing.extend(
                names
                    .into_iter()
                    .filter(|n| !text.contains(n.as_str()))
                    .map(|n| format!("{}: {n}", case.id)),
            );
        }
        assert!(
            missing.is_empty(),
            "{} does not name (in backticks):\n{}",
            rel(&path),
            missing.join("\n")
        );
    }
}

// ---------------------------------------------------------------- shown blocks

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

#[test]
fn every_app_image_named_in_the_docs_is_the_one_this_version_builds() {
    let wanted = format!("localhost/workshop/app:{}", env!("CARGO_PKG_VERSION"));
    let mut pages = markdown_files();
    pages.push(repo().join("compose/docker-compose.yml"));
    let mut stale = Vec::new();
    for page in pages {
        for (i, line) in read(&page).lines().enumerate() {
            for (at, _) in line.match_indices("localhost/workshop/app:") {
                let named: String = line[at..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && !"`'\")}".contains(*c))
                    .collect();
                let named = named.trim_end_matches(['.', ',', ';']);
                if named != wanted && !named.ends_with(":local") && !named.ends_with(":<version>") {
                    stale.push(format!("{}:{}: {named}", rel(&page), i + 1));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these name an app image this version does not build ({wanted}):\n{}",
        stale.join("\n")
    );
}
