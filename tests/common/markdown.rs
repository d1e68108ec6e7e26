//! Markdown read the way GitHub renders it, for the tests that hold the
//! documentation to the binary (`docs_pages.rs`, `docs_console.rs`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every Markdown file of the repository (build output and hidden folders aside).
pub fn markdown_files() -> Vec<PathBuf> {
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

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

pub fn rel(path: &Path) -> String {
    path.strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A fenced code block: its info string, first line number (1-based) and body.
pub struct Fence {
    pub lang: String,
    pub line: usize,
    pub body: Vec<String>,
}

/// The fenced blocks of a page, and its other lines (prose) with their numbers.
pub fn split_fences(text: &str) -> (Vec<Fence>, Vec<(usize, String)>) {
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
pub fn headings(text: &str) -> Vec<(usize, String)> {
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
pub fn slug(heading: &str) -> String {
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
pub fn anchors(text: &str) -> Vec<String> {
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
pub fn link_targets(text: &str) -> Vec<(usize, String)> {
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
pub fn percent_decode(s: &str) -> String {
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

pub fn pages_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    names.sort();
    names
}
