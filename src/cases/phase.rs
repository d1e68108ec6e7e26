//! A case's phases as one type: the key of a case file's `phases:`, of a
//! check's reference (`detect/p95-up`), of the engine's events, of the
//! coach's board and of the reports. Its serde form is the lowercase name
//! every one of those already writes; its words in both languages are in
//! the catalogue (`words::phase`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One phase of a case, in running order; and `Teachable`, the proof
/// `workshop cases check` runs before the fault goes in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Load runs, normal is measured and must be healthy.
    #[default]
    Baseline,
    /// The fault goes in.
    Inject,
    /// The fault is in: its effects are checked, alerts expected.
    Detect,
    /// The on-call engineer writes the runbook.
    Respond,
    /// The fault comes out and the system must be back to normal.
    Recover,
    /// Runs whatever happens: no fault is left behind.
    Rollback,
    /// Not a phase of a case file: that no detect check already holds
    /// before the fault (a check that passes without it teaches nothing).
    Teachable,
}

impl Phase {
    /// Every phase, the case file's first, in running order: for the
    /// tests that hold each one's words and serde form.
    #[cfg(test)]
    pub(crate) const ALL: [Phase; 7] = [
        Phase::Baseline,
        Phase::Inject,
        Phase::Detect,
        Phase::Respond,
        Phase::Recover,
        Phase::Rollback,
        Phase::Teachable,
    ];

    /// The phases a case file holds, in the order it lists them.
    pub(crate) const OF_A_CASE: [Phase; 6] = [
        Phase::Baseline,
        Phase::Inject,
        Phase::Detect,
        Phase::Respond,
        Phase::Recover,
        Phase::Rollback,
    ];

    /// The phases whose checks a case file lists, in running order.
    pub(crate) const WITH_CHECKS: [Phase; 3] = [Phase::Baseline, Phase::Detect, Phase::Recover];

    /// The name a case file, a check reference, the wire and a report use:
    /// the same in every language.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Phase::Baseline => "baseline",
            Phase::Inject => "inject",
            Phase::Detect => "detect",
            Phase::Respond => "respond",
            Phase::Recover => "recover",
            Phase::Rollback => "rollback",
            Phase::Teachable => "teachable",
        }
    }

    /// The names of a case file's phases, in order, for a message:
    /// `baseline, inject, …`.
    pub(crate) fn case_names() -> String {
        Phase::OF_A_CASE.map(Phase::name).join(", ")
    }

    /// The phase a name stands for, if it is one: for the test that tells
    /// a check reference (`detect/…`) from a word.
    #[cfg(test)]
    pub(crate) fn named(name: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Phase {
    /// The name, as a check reference writes it (`detect/p95-up`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_is_written_as_the_case_files_and_the_wire_write_it() {
        for p in Phase::ALL {
            let json = serde_json::to_string(&p).expect("json");
            assert_eq!(json, format!("\"{}\"", p.name()));
            assert_eq!(serde_json::from_str::<Phase>(&json).ok(), Some(p));
            assert_eq!(Phase::named(p.name()), Some(p));
        }
        assert_eq!(Phase::named("panic"), None);
    }
}
