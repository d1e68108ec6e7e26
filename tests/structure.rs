//! The shape of the code, held: no two files of `src/` import each other
//! (directly or round a longer loop), and no file of `src/` or `tests/`
//! grows past what a newcomer reads in one sitting. A parent module and its own children are
//! one unit (a `mod.rs` declares them), so only `crate::`, `super::` and
//! `self::` paths between files count; test modules are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// About 400 lines, what a newcomer reads in one sitting (STYLE.md: past
/// that a file is two concepts); a little slack for a file that grows by a
/// doc comment.
const MOST_LINES: usize = 420;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/a/b.rs` and `src/a/b/mod.rs` are module `a::b`; `lib.rs` is the root.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The code of a file without its `#[cfg(test)] mod tests { … }` tail.
fn without_tests(text: &str) -> &str {
    match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    }
}

/// Every `crate::a::b`, `super::x` or `self::y` path, including the names
/// inside `use super::{a, b}` groups, as segments.
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes: Vec<char> = code.chars().collect();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < bytes.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|p| bytes[i..].iter().take(p.len()).copied().eq(p.chars()))
            .filter(|_| i == 0 || !word(bytes[i - 1]));
        let Some(_) = starts else {
            i += 1;
            continue;
        };
        let mut segs = Vec::new();
        let mut cur = String::new();
        let mut j = i;
        while j < bytes.len() {
            let c = bytes[j];
            if word(c) {
                cur.push(c);
                j += 1;
            } else if c == ':' && bytes.get(j + 1) == Some(&':') {
                segs.push(std::mem::take(&mut cur));
                j += 2;
                if bytes.get(j) == Some(&'{') {
                    // A group: each name in it, one level deep.
                    let end = bytes[j..].iter().position(|&c| c == '}').map(|p| j + p);
                    if let Some(end) = end {
                        let inner: String = bytes[j + 1..end].iter().collect();
                        for name in inner.split(',') {
                            let first = name.trim().split("::").next().unwrap_or("");
                            if !first.is_empty() && first != "self" {
                                let mut p = segs.clone();
                                p.push(first.to_string());
                                out.push(p);
                            }
                        }
                        j = end;
                    }
                    segs.clear();
                    break;
                }
            } else {
                break;
            }
        }
        if !cur.is_empty() {
            segs.push(cur);
        }
        if !segs.is_empty() {
            out.push(segs);
        }
        i = j.max(i + 1);
    }
    out
}

/// The file a path lands in: the longest prefix that is a module file.
fn resolve(
    here: &[String],
    path: &[String],
    modules: &BTreeMap<Vec<String>, PathBuf>,
) -> Option<PathBuf> {
    let (mut base, mut rest): (Vec<String>, &[String]) = match path.first()?.as_str() {
        "crate" => (Vec::new(), &path[1..]),
        "self" => (here.to_vec(), &path[1..]),
        "super" => (here.to_vec(), path),
        _ => return None,
    };
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    let full: Vec<String> = base.into_iter().chain(rest.iter().cloned()).collect();
    (1..=full.len())
        .rev()
        .find_map(|n| modules.get(&full[..n]).cloned())
}

fn graph() -> BTreeMap<PathBuf, BTreeSet<PathBuf>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let modules: BTreeMap<Vec<String>, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .collect();
    let mut edges = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        // A file's `super` is its parent module; a mod.rs's is the one above.
        let here = module_of(&src, f);
        let deps: BTreeSet<PathBuf> = paths(without_tests(&text))
            .iter()
            .filter_map(|p| resolve(&here, p, &modules))
            .filter(|t| t != f)
            .collect();
        edges.insert(f.clone(), deps);
    }
    edges
}

/// Files that can reach themselves through the graph, as loops.
fn loops(edges: &BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<PathBuf>> {
    let mut found = Vec::new();
    for start in edges.keys() {
        // Depth-first search for a way back to `start`.
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, trail)) = stack.pop() {
            for next in edges.get(&node).into_iter().flatten() {
                if next == start {
                    found.push(trail.clone());
                } else if seen.insert(next.clone()) {
                    let mut t = trail.clone();
                    t.push(next.clone());
                    stack.push((next.clone(), t));
                }
            }
        }
    }
    found
}

#[test]
fn no_two_files_import_each_other() {
    let edges = graph();
    assert!(edges.len() > 100, "the sources were read: {}", edges.len());
    // The walk follows real imports: the console's driver uses the shared handle.
    let driver = edges
        .iter()
        .find(|(f, _)| f.ends_with("src/tui/driver.rs"))
        .map(|(_, d)| d.clone())
        .unwrap_or_default();
    assert!(
        driver.iter().any(|d| d.ends_with("src/tui/shared.rs")),
        "{driver:?}"
    );
    let found = loops(&edges);
    let shown: Vec<String> = found
        .iter()
        .take(5)
        .map(|l| {
            l.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" → ")
        })
        .collect();
    assert!(found.is_empty(), "import loops:\n{}", shown.join("\n"));
}

#[test]
fn a_parent_and_child_in_a_loop_would_be_found() {
    // The same search on a made-up graph: a → b → c → a.
    let p = |s: &str| PathBuf::from(s);
    let mut edges = BTreeMap::new();
    edges.insert(p("a"), BTreeSet::from([p("b")]));
    edges.insert(p("b"), BTreeSet::from([p("c")]));
    edges.insert(p("c"), BTreeSet::from([p("a")]));
    edges.insert(p("d"), BTreeSet::from([p("a")]));
    assert_eq!(loops(&edges).len(), 3, "a, b and c each lie on the loop");
}

#[test]
fn no_file_under_tests_is_longer_than_a_sitting() {
    // The helpers in tests/common/ too: a test is read to learn what holds.
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    rust_files(&tests, &mut files);
    assert!(
        files.iter().any(|f| f.ends_with("common/mod.rs")),
        "the helpers were read: {files:?}"
    );
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > MOST_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these by what they test: {long:?}");
}

#[test]
fn no_file_in_src_is_longer_than_a_sitting() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(f).ok()?.lines().count();
            (n > MOST_LINES).then(|| format!("{} ({n} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "split these: {long:?}");
}
