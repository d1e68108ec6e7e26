//! The Markdown pages under `docs/cases` are generated from the case files.
//! This test regenerates them and compares, so they never drift from the YAML.

use std::path::Path;

use workshop::cases::{CaseSet, export};

#[test]
fn the_committed_case_pages_equal_a_fresh_export() {
    let set = CaseSet::shipped().unwrap_or_else(|p| panic!("{p}"));
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cases");
    let pages = export::pages(&set);
    assert_eq!(pages.len(), 12, "six cases in two languages");
    for (rel, fresh) in pages {
        let path = docs.join(&rel);
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{} is missing ({e}); run `workshop cases export --format md --out docs/cases`",
                path.display()
            )
        });
        assert!(
            committed == fresh,
            "{} differs from the case file; run `workshop cases export --format md --out docs/cases` and commit the result",
            path.display()
        );
    }
}

#[test]
fn a_page_carries_the_story_checks_and_questions_of_its_case() {
    let set = CaseSet::shipped().unwrap_or_else(|p| panic!("{p}"));
    let case = set.get("latency").expect("the latency case is shipped");
    let en = export::markdown(case, workshop::cases::Lang::En);
    for needle in [
        "# Case 1: Slow payments on the eve of the sale",
        "`POST /api/failures {\"latency_ms\":2000}`",
        "- **p95-times-baseline**: `job:fintech_p95_latency:5m` (max) > 3 × p95_base — timeout 1m30s",
        "- `HighLatency` within 1m30s",
        "alert `HighLatency` firing",
        "## Post-mortem questions",
    ] {
        assert!(en.contains(needle), "missing {needle:?} in:\n{en}");
    }
    let ru = export::markdown(case, workshop::cases::Lang::Ru);
    assert!(
        ru.contains("# Кейс 1: Медленные платежи накануне распродажи"),
        "{ru}"
    );
}
