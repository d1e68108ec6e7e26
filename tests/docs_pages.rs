//! The documentation's pages hold together, so they cannot drift from the
//! binary or from each other: every relative link of every Markdown file
//! resolves to a file, and every `#anchor` to a heading (GitHub's slug rules,
//! Cyrillic included); `docs/en` and `docs/ru` hold the same pages with the
//! same heading structure; the student checklist names every case and every
//! check of its Detect phase; every app image the docs name is the one this
//! version builds. The runnable examples are `docs_console.rs`.

mod common;

use std::path::Path;

use common::markdown::{
    anchors, headings, link_targets, markdown_files, pages_in, percent_decode, read, rel, repo,
    slug,
};

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
