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
        driver.iter().any(|d| d.ends_with("src/tui/context.rs")),
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

/// About a screen: one stage of the work a reader can hold.
const MOST_FN_LINES: usize = 100;

/// The code of `src/` a person maintains, without its tests: files named
/// `*tests.rs` and the `#[cfg(test)] mod tests` tails are left out.
fn code_files() -> Vec<(PathBuf, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .filter(|f| !f.to_string_lossy().contains("tests"))
        .filter_map(|f| {
            Some((
                f.clone(),
                without_tests(&std::fs::read_to_string(&f).ok()?).into(),
            ))
        })
        .collect()
}

/// The name of the function a line declares, if it declares one with a
/// body (`pub(crate) async fn name(`), and the line's indent.
fn declared_fn(line: &str) -> Option<(&str, &str)> {
    let rest = line.trim_start();
    let indent = &line[..line.len() - rest.len()];
    let mut rest = rest;
    if let Some(r) = rest.strip_prefix("pub") {
        rest = match r.strip_prefix('(') {
            Some(r) => r.split_once(')')?.1,
            None => r,
        }
        .trim_start();
    }
    for word in ["const ", "async ", "unsafe "] {
        rest = rest.strip_prefix(word).unwrap_or(rest);
    }
    let name = rest.strip_prefix("fn ")?;
    let end = name.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    Some((indent, &name[..end]))
}

/// Every function of `code` as (name, first line, lines), found the way
/// rustfmt lays them out: the body ends at the first `}` at the
/// declaration's indent.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some((indent, name)) = declared_fn(line) else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            out.push((name.to_string(), i + 1, end + 1));
        }
    }
    out
}

#[test]
fn no_function_in_src_is_longer_than_a_screen() {
    let mut long = Vec::new();
    let mut seen = 0;
    for (file, code) in code_files() {
        for (name, at, n) in functions(&code) {
            seen += 1;
            if n > MOST_FN_LINES {
                long.push(format!("{}:{at} {name} ({n} lines)", file.display()));
            }
        }
    }
    assert!(seen > 1000, "the functions were found: {seen}");
    assert!(
        long.is_empty(),
        "split these by stage of the work:\n{}",
        long.join("\n")
    );
}

#[test]
fn a_long_function_would_be_found() {
    let body = "    let x = 1;\n".repeat(MOST_FN_LINES);
    let code =
        format!("impl A {{\n    pub(crate) async fn long() {{\n{body}    }}\n    fn a() {{}}\n}}");
    let found = functions(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "long");
    assert_eq!(found[0].2, MOST_FN_LINES + 2);
}

/// The names of the workshop's phases and services: the code holds them as
/// types (`Phase`, `Service`), so comparing one as a string is a type that
/// was not used.
const DOMAIN_NAMES: &str =
    "baseline inject detect respond recover rollback app db prometheus grafana";

#[test]
fn no_phase_or_service_is_compared_as_a_string() {
    let mut found = Vec::new();
    for (file, code) in code_files() {
        for (n, line) in code.lines().enumerate() {
            let hit = DOMAIN_NAMES.split(' ').find(|name| {
                // A clap subcommand's name (`inject`) is a command, not a phase.
                !line.contains("get_name()")
                    && [
                        format!("== \"{name}\""),
                        format!("!= \"{name}\""),
                        format!("\"{name}\" =>"),
                        format!("\"{name}\" |"),
                        format!("starts_with(\"{name}\")"),
                        format!("starts_with(\"{name}-\")"),
                    ]
                    .iter()
                    .any(|p| line.contains(p.as_str()))
            });
            if let Some(name) = hit {
                found.push(format!(
                    "{}:{} {name}: {}",
                    file.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        found.is_empty(),
        "match the type instead:\n{}",
        found.join("\n")
    );
}

/// Data flows one way: the console (`src/tui/`) is drawn over the domain
/// and the command line (`src/cli/`) starts it; nothing else may import
/// it, or a domain module would move when the console's screens do.
#[test]
fn only_the_command_line_imports_the_console() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (tui, cli) = (src.join("tui"), src.join("cli"));
    let edges = graph();
    let doctor = src.join("doctor").join("terminal.rs");
    assert!(edges.contains_key(&doctor), "the sources were read");
    let wrong: Vec<String> = edges
        .iter()
        .filter(|(f, _)| !f.starts_with(&tui) && !f.starts_with(&cli) && **f != src.join("cli.rs"))
        .flat_map(|(f, deps)| {
            deps.iter()
                .filter(|d| d.starts_with(&tui))
                .map(move |d| format!("{} imports {}", f.display(), d.display()))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "only src/cli/ starts the console: {wrong:#?}"
    );
}
