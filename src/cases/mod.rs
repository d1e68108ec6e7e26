//! Cases as data: the failure scenarios of the workshop, read from
//! `cases/*.yaml` instead of being written into the code, so an instructor can
//! change a threshold, a hint or a story without a Rust toolchain.
//!
//! - [`model`]     — what a case file says, as types (the format is
//!   documented in `cases/README.md`).
//! - [`phase`]     — a case's phases, as one type.
//! - [`check`]     — a check and its probe (PromQL, alert, HTTP) and bounds.
//! - [`hint`], [`tolerance`], [`duration`], [`text`] — the small value types.
//! - [`load`]      — one file: YAML → [`Case`], errors with file:line:column.
//! - [`validate`]  — what types alone cannot say (captures exist, alerts
//!   are real rules, bounds of the fault fields).
//! - [`locate`]    — field path → position in the file, for those messages.
//! - [`export`]    — Markdown pages generated from the cases (`docs/cases`).
//! - [`runner`]    — the one case engine (`engine::session`), its senses and
//!   hands (`engine::io`), and `workshop run`'s driver (`engine::walk`).
//!
//! The shipped cases are embedded in the binary, so `workshop cases …` works
//! from any directory; `--dir` reads an instructor's own folder instead.

pub(crate) mod bilingual;
pub(crate) mod check;
pub(crate) mod duration;
pub(crate) mod engine;
pub mod export;
pub(crate) mod figures;
pub(crate) mod hint;
pub(crate) mod lint;
pub(crate) mod load;
pub(crate) mod locate;
pub(crate) mod model;
pub(crate) mod phase;
pub(crate) mod problem;
pub(crate) mod promql;
pub mod rules;
pub mod scaffold;
pub mod schema;
pub(crate) mod tolerance;
pub(crate) mod validate;

use std::collections::HashMap;
use std::path::Path;

pub use bilingual::{Lang, Text};
pub use check::{Check, Comparison, Probe, Threshold};
pub use duration::CaseDuration;
pub use load::parse_case;
pub use model::{Action, Case};
pub use phase::Phase;
pub use problem::{Problem, Problems};

/// The shipped case files, by file name, in session order.
pub const SHIPPED: [(&str, &str); 6] = [
    (
        "01-latency.yaml",
        include_str!("../../cases/01-latency.yaml"),
    ),
    (
        "02-error-rate.yaml",
        include_str!("../../cases/02-error-rate.yaml"),
    ),
    (
        "03-db-slow.yaml",
        include_str!("../../cases/03-db-slow.yaml"),
    ),
    (
        "04-memory-leak.yaml",
        include_str!("../../cases/04-memory-leak.yaml"),
    ),
    (
        "05-chaos-mix.yaml",
        include_str!("../../cases/05-chaos-mix.yaml"),
    ),
    (
        "06-db-fail.yaml",
        include_str!("../../cases/06-db-fail.yaml"),
    ),
];

/// A set of cases loaded together: ids unique, sorted by `order`.
#[derive(Debug, Clone)]
pub struct CaseSet {
    cases: Vec<Case>,
    /// What `cases validate` warns about; none of it stops a case.
    warnings: Vec<Problem>,
}

/// A case id the set does not hold; says the nearest id, or lists them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no case `{id}`{hint}")]
pub struct UnknownCase {
    pub id: String,
    hint: String,
}

impl UnknownCase {
    /// The exit code of a case id that does not exist: a usage mistake, as
    /// for any other wrong argument (clap's own code), in every command.
    pub const EXIT_CODE: u8 = 2;

    /// `id` is none of `ids`: says the nearest, or lists them all.
    pub(crate) fn among(id: &str, ids: &[&str]) -> Self {
        let hint = problem::nearest(id, ids)
            .map(|best| format!(", did you mean `{best}`?"))
            .unwrap_or_else(|| format!("; the cases are: {}", ids.join(", ")));
        UnknownCase {
            id: id.to_string(),
            hint,
        }
    }
}

impl CaseSet {
    /// The cases of `dir`, or the built-in ones when there is none.
    pub fn load(dir: Option<&Path>) -> Result<Self, Problems> {
        match dir {
            Some(d) => Self::from_dir(d),
            None => Self::shipped(),
        }
    }

    /// The case `id`, or why there is none.
    pub fn find(&self, id: &str) -> Result<&Case, UnknownCase> {
        self.get(id)
            .ok_or_else(|| UnknownCase::among(id, &self.ids()))
    }

    /// The cases embedded in the binary (named `cases/<file>` in messages).
    pub fn shipped() -> Result<Self, Problems> {
        Self::from_sources(
            SHIPPED
                .iter()
                .map(|(name, text)| (format!("cases/{name}"), (*text).to_string()))
                .collect(),
        )
    }

    /// Every `*.yaml` / `*.yml` file of `dir`.
    pub fn from_dir(dir: &Path) -> Result<Self, Problems> {
        let unreadable = |message: String| {
            Problems(vec![Problem {
                file: dir.display().to_string(),
                pos: None,
                path: String::new(),
                message,
            }])
        };
        let entries = std::fs::read_dir(dir)
            .map_err(|e| unreadable(format!("cannot read the case directory: {e}")))?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        if paths.is_empty() {
            return Err(unreadable(
                "no case files here (looked for *.yaml and *.yml)".into(),
            ));
        }
        let mut sources = Vec::new();
        let mut problems = Vec::new();
        for p in paths {
            match std::fs::read_to_string(&p) {
                Ok(text) => sources.push((p.display().to_string(), text)),
                Err(e) => problems.push(Problem {
                    file: p.display().to_string(),
                    pos: None,
                    path: String::new(),
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        match Self::from_sources(sources) {
            Ok(set) if problems.is_empty() => Ok(set),
            Ok(_) => Err(Problems(problems)),
            Err(Problems(more)) => {
                problems.extend(more);
                Err(Problems(problems))
            }
        }
    }

    /// Parses every `(file name, text)`; reports the problems of all files.
    pub fn from_sources(sources: Vec<(String, String)>) -> Result<Self, Problems> {
        let mut problems = Vec::new();
        let mut cases: Vec<(String, String, Case)> = Vec::new();
        for (file, text) in sources {
            match parse_case(&file, &text) {
                Ok(case) => cases.push((file, text, case)),
                Err(Problems(p)) => problems.extend(p),
            }
        }
        let warnings = cases
            .iter()
            .flat_map(|(file, text, case)| lint::warnings(file, text, case))
            .collect();
        let mut seen_id: HashMap<&str, &str> = HashMap::new();
        let mut seen_order: HashMap<u32, &str> = HashMap::new();
        for (file, text, case) in &cases {
            let at = |path: &str| locate::Locator::scan(text).value(path);
            if let Some(first) = seen_id.insert(&case.id, file) {
                problems.push(Problem {
                    file: file.clone(),
                    pos: at("id"),
                    path: "id".into(),
                    message: format!("case id `{}` is also used by {first}", case.id),
                });
            }
            if let Some(first) = seen_order.insert(case.order, file) {
                problems.push(Problem {
                    file: file.clone(),
                    pos: at("order"),
                    path: "order".into(),
                    message: format!("order {} is also used by {first}", case.order),
                });
            }
        }
        let mut cases: Vec<Case> = cases.into_iter().map(|(_, _, c)| c).collect();
        cases.sort_by(|a, b| (a.order, &a.id).cmp(&(b.order, &b.id)));
        Problems(problems).or_ok(CaseSet { cases, warnings })
    }

    /// What deserves a look without stopping any case (see [`lint`]).
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    pub fn get(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }

    pub fn ids(&self) -> Vec<&str> {
        self.cases.iter().map(|c| c.id.as_str()).collect()
    }
}
