//! What is wrong with a case file, located well enough to fix it without
//! searching: `cases/01-latency.yaml:41:19: phases.detect.checks[0].hold_for: …`.

use std::fmt;

use super::locate::Pos;

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problem {
    /// The file as the user named it (or `cases/<name>` for a shipped case).
    pub file: String,
    /// Unknown only when the file could not be read at all.
    pub pos: Option<Pos>,
    /// Field path in the file (`phases.detect.checks[0].hold_for`); empty
    /// for the whole file.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(p) = self.pos {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        if !self.path.is_empty() {
            write!(f, ": {}", self.path)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found, not just the first, so an instructor fixes a case
/// file in one round instead of one error per run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Problems(pub Vec<Problem>);

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        let n = self.0.len();
        write!(f, "{n} problem{} found", if n == 1 { "" } else { "s" })
    }
}

impl Problems {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when no problem was found.
    pub fn or_ok<T>(self, value: T) -> Result<T, Problems> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// The valid name `word` most plausibly meant: the shortest candidate that
/// `word` begins (`latency` → `latency_ms`), else the closest by edit
/// distance when at most about a third of the word differs.
pub(crate) fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let prefixed = candidates
        .iter()
        .filter(|c| word.len() >= 3 && c.starts_with(word))
        .min_by_key(|c| c.len())
        .copied();
    let limit = (word.chars().count() / 3).max(2);
    prefixed.or_else(|| {
        candidates
            .iter()
            .map(|c| (strsim::damerau_levenshtein(word, c), *c))
            .filter(|(d, _)| *d <= limit)
            .min_by_key(|(d, _)| *d)
            .map(|(_, c)| c)
    })
}

/// "unknown field `hold_fr`, did you mean `hold_for`?" — or the whole list
/// when nothing is close.
pub(crate) fn unknown(kind: &str, word: &str, expected: &[&str]) -> String {
    match nearest(word, expected) {
        Some(best) => format!("unknown {kind} `{word}`, did you mean `{best}`?"),
        None if expected.is_empty() => format!("unknown {kind} `{word}`; nothing is expected here"),
        None => format!(
            "unknown {kind} `{word}`; expected one of {}",
            expected
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_is_answered_with_the_nearest_valid_name() {
        let fields = ["id", "promql", "hold_for", "timeout", "poll"];
        assert_eq!(
            unknown("field", "hold_fr", &fields),
            "unknown field `hold_fr`, did you mean `hold_for`?"
        );
        assert_eq!(
            unknown("field", "hold", &fields),
            "unknown field `hold`, did you mean `hold_for`?"
        );
        assert_eq!(
            unknown("field", "colour", &fields),
            "unknown field `colour`; expected one of `id`, `promql`, `hold_for`, `timeout`, `poll`"
        );
    }

    #[test]
    fn problems_print_one_per_line_with_a_count() {
        let p = |line, msg: &str| Problem {
            file: "cases/x.yaml".into(),
            pos: Some(Pos { line, column: 3 }),
            path: "id".into(),
            message: msg.into(),
        };
        let all = Problems(vec![p(1, "a"), p(2, "b")]);
        assert_eq!(
            all.to_string(),
            "cases/x.yaml:1:3: id: a\ncases/x.yaml:2:3: id: b\n2 problems found"
        );
    }
}
