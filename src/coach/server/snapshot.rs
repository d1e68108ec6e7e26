//! The board as JSON: what `board.json` answers and the stream sends. The
//! names are a contract (the page, tests and the load bench read them).
//!
//! Built from the [`Board`] at a given "now": time in phase, who is online
//! and who is stuck depend on it, so they are computed here, never stored.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::board::{Board, Cell, CellPhase, Student};
use crate::coach::wire::Message;

/// A student who posted within this long is online.
pub(crate) const ONLINE: TimeDelta = TimeDelta::seconds(15);
/// How long faults may stay active after a case closed before the row is
/// flagged: the rollback that follows a case takes a few seconds.
pub(crate) const FAULT_GRACE: TimeDelta = TimeDelta::seconds(10);

/// One column of the board: a case of the loaded set.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Column {
    pub(crate) id: String,
    pub(crate) title: String,
}

impl Column {
    /// One column per case of `cases`, titled in `lang`.
    pub(crate) fn of(cases: &[crate::cases::Case], lang: crate::cases::Lang) -> Vec<Column> {
        cases
            .iter()
            .map(|c| Column {
                id: c.id.clone(),
                title: c.title.get(lang).to_string(),
            })
            .collect()
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct Snapshot<'a> {
    now: DateTime<Utc>,
    cases: &'a [Column],
    students: Vec<StudentView<'a>>,
    stats: BTreeMap<&'a str, CaseStats>,
    messages: Vec<&'a Message>,
}

#[derive(Debug, Serialize)]
struct StudentView<'a> {
    name: &'a str,
    online: bool,
    seen_s: f64,
    seq: u64,
    current: Option<&'a str>,
    faults_active: Option<bool>,
    cases: BTreeMap<&'a str, CellView>,
    stuck: Vec<Stuck<'a>>,
}

#[derive(Debug, Serialize)]
struct CellView {
    phase: CellPhase,
    since: DateTime<Utc>,
    in_phase_s: f64,
    ttd_s: Option<f64>,
    tta_s: Option<f64>,
    ttr_s: Option<f64>,
    hints: u32,
    answers: u32,
    right: u32,
    oom_kills: u32,
    restarts: u32,
    checks_failed: u32,
    baseline_failed: bool,
    aborted: bool,
}

/// Why a row is highlighted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Stuck<'a> {
    pub(crate) case: Option<&'a str>,
    pub(crate) why: &'static str,
    pub(crate) for_s: f64,
}

/// A case's figures across the class.
#[derive(Debug, Default, Serialize)]
struct CaseStats {
    ttd_s: Vec<f64>,
    tta_s: Vec<f64>,
    ttr_s: Vec<f64>,
    hints: u32,
    started: u32,
    passed: u32,
}

/// `b - a` in seconds, to the millisecond, never negative.
fn seconds(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b.signed_duration_since(a).num_milliseconds().max(0)) as f64 / 1000.0
}

impl<'a> Snapshot<'a> {
    pub(crate) fn build(
        board: &'a Board,
        cases: &'a [Column],
        messages: impl Iterator<Item = &'a Message>,
        stuck_after: TimeDelta,
        now: DateTime<Utc>,
    ) -> Snapshot<'a> {
        let students = board
            .students
            .values()
            .map(|s| StudentView {
                name: &s.name,
                online: now.signed_duration_since(s.seen) < ONLINE,
                seen_s: seconds(s.seen, now),
                seq: s.seq(),
                current: s.current.as_deref(),
                faults_active: s.faults_active,
                cases: s
                    .cells
                    .iter()
                    .map(|(id, c)| (id.as_str(), cell_view(c, now)))
                    .collect(),
                stuck: stuck(s, stuck_after, now),
            })
            .collect();
        Snapshot {
            now,
            cases,
            students,
            stats: stats(board, cases),
            messages: messages.collect(),
        }
    }
}

fn cell_view(c: &Cell, now: DateTime<Utc>) -> CellView {
    CellView {
        phase: c.phase,
        since: c.since,
        in_phase_s: seconds(c.since, now),
        ttd_s: c.ttd_s,
        tta_s: c.tta_s,
        ttr_s: c.ttr_s,
        hints: c.hints,
        answers: c.answers,
        right: c.right,
        oom_kills: c.oom_kills,
        restarts: c.restarts,
        checks_failed: c.checks_failed,
        baseline_failed: c.baseline_failed.is_some(),
        aborted: c.aborted,
    }
}

/// The reasons a student looks stuck at `now`, in a fixed order.
pub(crate) fn stuck(s: &Student, stuck_after: TimeDelta, now: DateTime<Utc>) -> Vec<Stuck<'_>> {
    let mut out = Vec::new();
    if let Some((id, cell)) = s.open_case() {
        let idle = now.signed_duration_since(cell.progress);
        if idle >= stuck_after {
            out.push(Stuck {
                case: Some(id),
                why: "no_progress",
                for_s: seconds(cell.progress, now),
            });
        }
        if let Some(at) = cell.baseline_failed {
            out.push(Stuck {
                case: Some(id),
                why: "baseline",
                for_s: seconds(at, now),
            });
        }
        if let Some(at) = cell.oom_loop {
            out.push(Stuck {
                case: Some(id),
                why: "oom_loop",
                for_s: seconds(at, now),
            });
        }
    } else if s.faults_active == Some(true) {
        // Since the later of: the faults came on, the last case closed.
        let from = match (s.faults_since, s.closed_at) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let Some(from) = from
            && now.signed_duration_since(from) >= FAULT_GRACE
        {
            out.push(Stuck {
                case: None,
                why: "fault_left",
                for_s: seconds(from, now),
            });
        }
    }
    out
}

fn stats<'a>(board: &Board, cases: &'a [Column]) -> BTreeMap<&'a str, CaseStats> {
    let mut out: BTreeMap<&'a str, CaseStats> = cases
        .iter()
        .map(|c| (c.id.as_str(), CaseStats::default()))
        .collect();
    for s in board.students.values() {
        for (id, cell) in &s.cells {
            let Some(st) = out.get_mut(id.as_str()) else {
                continue;
            };
            st.started += 1;
            st.passed += u32::from(cell.phase == CellPhase::Passed);
            st.hints += cell.hints;
            st.ttd_s.extend(cell.ttd_s);
            st.tta_s.extend(cell.tta_s);
            st.ttr_s.extend(cell.ttr_s);
        }
    }
    for st in out.values_mut() {
        for v in [&mut st.ttd_s, &mut st.tta_s, &mut st.ttr_s] {
            v.sort_by(f64::total_cmp);
        }
    }
    out
}
