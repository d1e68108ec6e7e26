//! The class as the coach sees it: one [`Student`] per name, one [`Cell`]
//! per case a student touched, and the timeline of what each sent.
//!
//! Pure: nothing here reads the clock or does I/O. The caller passes the
//! coach's "now", and a batch that was already checked (see `check`), so
//! applying never fails half-way: the class is full, or everything applies.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Serialize, Serializer};

use crate::coach::wire::{Batch, CoachEvent, Phase};

/// The most students one board holds.
pub(crate) const MAX_STUDENTS: usize = 500;
/// The most timeline events kept per student (the oldest go first).
pub(crate) const MAX_TIMELINE: usize = 1000;
/// The most runs (console or `workshop run` processes) remembered per student.
pub(crate) const MAX_RUNS: usize = 16;

/// Where a student is in one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CellPhase {
    Open(Phase),
    Passed,
    Failed,
    Left,
}

impl CellPhase {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CellPhase::Open(p) => p.name(),
            CellPhase::Passed => "passed",
            CellPhase::Failed => "failed",
            CellPhase::Left => "left",
        }
    }

    fn is_open(self) -> bool {
        matches!(self, CellPhase::Open(_))
    }
}

impl Serialize for CellPhase {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// One student's progress in one case. Times are on the coach's clock.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) phase: CellPhase,
    pub(crate) since: DateTime<Utc>,
    /// The last case start, phase, passed check, fired alert or finish.
    pub(crate) progress: DateTime<Utc>,
    pub(crate) ttd_s: Option<f64>,
    pub(crate) tta_s: Option<f64>,
    pub(crate) ttr_s: Option<f64>,
    pub(crate) hints: u32,
    pub(crate) answers: u32,
    pub(crate) right: u32,
    pub(crate) oom_kills: u32,
    pub(crate) restarts: u32,
    pub(crate) checks_failed: u32,
    /// When the baseline was reported as failed.
    pub(crate) baseline_failed: Option<DateTime<Utc>>,
    /// When the OOM kills reached [`OOM_LOOP`].
    pub(crate) oom_loop: Option<DateTime<Utc>>,
    pub(crate) aborted: bool,
}

/// OOM kills in one case that make an OOM loop.
pub(crate) const OOM_LOOP: u32 = 3;

impl Cell {
    fn fresh(at: DateTime<Utc>) -> Cell {
        Cell {
            phase: CellPhase::Open(Phase::Baseline),
            since: at,
            progress: at,
            ttd_s: None,
            tta_s: None,
            ttr_s: None,
            hints: 0,
            answers: 0,
            right: 0,
            oom_kills: 0,
            restarts: 0,
            checks_failed: 0,
            baseline_failed: None,
            oom_loop: None,
            aborted: false,
        }
    }

    /// A check passed or failed: the first detect is the time to detect,
    /// the last recover the time to recover.
    fn check(&mut self, phase: Phase, passed: bool, after_s: f64, at: DateTime<Utc>) {
        match (passed, phase) {
            (true, Phase::Detect) => {
                self.ttd_s.get_or_insert(after_s);
            }
            (true, Phase::Recover) => {
                self.ttr_s = Some(self.ttr_s.map_or(after_s, |t| t.max(after_s)));
            }
            (true, _) => {}
            (false, _) => self.checks_failed += 1,
        }
        if passed {
            self.progress = at;
        }
    }

    /// The app's OOM kills and restarts; an OOM loop from [`OOM_LOOP`] kills.
    fn app_counts(&mut self, oom_kills: u32, restarts: u32, at: DateTime<Utc>) {
        self.oom_kills = oom_kills;
        self.restarts = restarts;
        if oom_kills < OOM_LOOP {
            self.oom_loop = None;
        } else {
            self.oom_loop.get_or_insert(at);
        }
    }

    fn finish(&mut self, passed: bool, aborted: bool, at: DateTime<Utc>) {
        let end = if passed {
            CellPhase::Passed
        } else {
            CellPhase::Failed
        };
        self.enter(end, at);
        self.aborted = aborted;
    }

    fn enter(&mut self, phase: CellPhase, at: DateTime<Utc>) {
        if self.phase != phase {
            self.phase = phase;
            self.since = at;
        }
        self.progress = at;
    }
}

/// One event as the student's timeline shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Entry {
    pub(crate) seq: u64,
    /// On the coach's clock.
    pub(crate) at: DateTime<Utc>,
    pub(crate) event: CoachEvent,
}

/// What the coach holds of one sender process.
#[derive(Debug, Clone)]
struct RunSeen {
    run: String,
    have: u64,
    used: DateTime<Utc>,
}

/// One row of the board.
#[derive(Debug, Clone)]
pub(crate) struct Student {
    /// The latest spelling the student sent.
    pub(crate) name: String,
    pub(crate) seen: DateTime<Utc>,
    /// The run that posted last.
    run: String,
    runs: Vec<RunSeen>,
    pub(crate) current: Option<String>,
    /// When the last case closed (finished or left).
    pub(crate) closed_at: Option<DateTime<Utc>>,
    pub(crate) faults_active: Option<bool>,
    /// When the faults became active.
    pub(crate) faults_since: Option<DateTime<Utc>>,
    pub(crate) cells: BTreeMap<String, Cell>,
    pub(crate) timeline: VecDeque<Entry>,
}

impl Student {
    fn new(name: &str, run: &str, now: DateTime<Utc>) -> Student {
        Student {
            name: name.to_string(),
            seen: now,
            run: run.to_string(),
            runs: Vec::new(),
            current: None,
            closed_at: None,
            faults_active: None,
            faults_since: None,
            cells: BTreeMap::new(),
            timeline: VecDeque::new(),
        }
    }

    /// The highest seq applied from `run`; `None` for a run never seen.
    fn have(&self, run: &str) -> Option<u64> {
        self.runs.iter().find(|r| r.run == run).map(|r| r.have)
    }

    /// The highest seq applied from the run that posted last.
    pub(crate) fn seq(&self) -> u64 {
        self.have(&self.run).unwrap_or(0)
    }

    /// Remembers `run` at `have`, forgetting the least recently used run
    /// beyond [`MAX_RUNS`].
    fn remember(&mut self, run: &str, have: u64, now: DateTime<Utc>) {
        if let Some(r) = self.runs.iter_mut().find(|r| r.run == run) {
            r.have = have;
            r.used = now;
            return;
        }
        if self.runs.len() >= MAX_RUNS
            && let Some(oldest) = self
                .runs
                .iter()
                .enumerate()
                .min_by_key(|(_, r)| r.used)
                .map(|(i, _)| i)
        {
            self.runs.remove(oldest);
        }
        self.runs.push(RunSeen {
            run: run.to_string(),
            have,
            used: now,
        });
    }

    /// Whether a case is open: started and not yet finished or left.
    pub(crate) fn open_case(&self) -> Option<(&str, &Cell)> {
        let id = self.current.as_deref()?;
        let cell = self.cells.get(id)?;
        cell.phase.is_open().then_some((id, cell))
    }

    fn cell(&mut self, case: &str, at: DateTime<Utc>) -> &mut Cell {
        self.cells
            .entry(case.to_string())
            .or_insert_with(|| Cell::fresh(at))
    }

    fn close(&mut self, case: &str, at: DateTime<Utc>) {
        if self.current.as_deref() == Some(case) {
            self.current = None;
            self.closed_at = Some(at);
        }
    }

    fn apply(&mut self, event: &CoachEvent, at: DateTime<Utc>) {
        match event {
            CoachEvent::CaseStarted { case } => {
                self.cells.insert(case.clone(), Cell::fresh(at));
                self.current = Some(case.clone());
            }
            CoachEvent::Phase { case, phase } => {
                self.cell(case, at).enter(CellPhase::Open(*phase), at);
                self.current = Some(case.clone());
            }
            CoachEvent::Check {
                case,
                phase,
                passed,
                after_s,
                ..
            } => {
                self.cell(case, at).check(*phase, *passed, *after_s, at);
            }
            CoachEvent::Alert {
                case,
                fired,
                after_s,
                ..
            } => {
                let cell = self.cell(case, at);
                if *fired {
                    cell.progress = at;
                    if let Some(after) = after_s {
                        cell.tta_s.get_or_insert(*after);
                    }
                }
            }
            CoachEvent::BaselineFailed { case } => {
                self.cell(case, at).baseline_failed.get_or_insert(at);
            }
            CoachEvent::Hint { case } => self.cell(case, at).hints += 1,
            CoachEvent::Answer { case, correct, .. } => {
                let cell = self.cell(case, at);
                cell.answers += 1;
                if *correct == Some(true) {
                    cell.right += 1;
                }
            }
            CoachEvent::AppCounts {
                case,
                oom_kills,
                restarts,
            } => {
                self.cell(case, at).app_counts(*oom_kills, *restarts, at);
            }
            CoachEvent::Faults { active } => {
                if *active && self.faults_active != Some(true) {
                    self.faults_since = Some(at);
                }
                self.faults_active = Some(*active);
            }
            CoachEvent::CaseFinished {
                case,
                passed,
                aborted,
            } => {
                self.cell(case, at).finish(*passed, *aborted, at);
                self.close(case, at);
            }
            CoachEvent::CaseLeft { case } => {
                let cell = self.cell(case, at);
                if cell.phase.is_open() {
                    cell.enter(CellPhase::Left, at);
                }
                self.close(case, at);
            }
        }
    }
}

/// The class is full: a new name cannot join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ClassFull;

/// Every student, keyed by the lowercase form of their name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Board {
    pub(crate) students: BTreeMap<String, Student>,
}

/// The key of a (checked) name: one row whatever its case.
pub(crate) fn key(name: &str) -> String {
    name.to_lowercase()
}

/// `at`, a sender's time, on the coach's clock: shifted by how far the
/// sender's clock is from the coach's, and never in the coach's future.
fn on_coach_clock(at: DateTime<Utc>, offset: TimeDelta, now: DateTime<Utc>) -> DateTime<Utc> {
    at.checked_add_signed(offset).map_or(now, |t| t.min(now))
}

impl Board {
    pub(crate) fn student(&self, name: &str) -> Option<&Student> {
        self.students.get(&key(name))
    }

    /// Applies a checked `batch` from the student `name` (already passed
    /// through `wire::check_name`) and returns the highest seq the coach now
    /// holds for its run.
    ///
    /// Events at or below that seq are a retry and change nothing. A run the
    /// coach has never seen whose first event is not seq 1 means the coach
    /// lost what came before (a restart): nothing is applied and the answer
    /// is 0, so the sender sends again what it kept; its next batch applies
    /// whatever it starts with, so a sender that no longer holds seq 1 is not
    /// asked twice.
    pub(crate) fn apply(
        &mut self,
        name: &str,
        batch: &Batch,
        now: DateTime<Utc>,
    ) -> Result<u64, ClassFull> {
        let k = key(name);
        if !self.students.contains_key(&k) && self.students.len() >= MAX_STUDENTS {
            return Err(ClassFull);
        }
        let student = self
            .students
            .entry(k)
            .or_insert_with(|| Student::new(name, &batch.run, now));
        student.name = name.to_string();
        student.seen = now;
        student.run = batch.run.clone();
        let have = match student.have(&batch.run) {
            Some(have) => apply_events(student, batch, have, now),
            // A run is remembered from its first post, even when nothing of
            // it applies: its next batch is taken as it comes.
            None if batch.events.first().is_some_and(|e| e.seq > 1) => 0,
            None => apply_events(student, batch, 0, now),
        };
        student.remember(&batch.run, have, now);
        Ok(have)
    }
}

/// Applies the events of `batch` above `have`; returns the last seq applied.
fn apply_events(student: &mut Student, batch: &Batch, have: u64, now: DateTime<Utc>) -> u64 {
    let offset = now.signed_duration_since(batch.sent);
    let mut last = have;
    for sent in batch.events.iter().filter(|e| e.seq > have) {
        let at = on_coach_clock(sent.at, offset, now);
        student.apply(&sent.event, at);
        student.timeline.push_back(Entry {
            seq: sent.seq,
            at,
            event: sent.event.clone(),
        });
        while student.timeline.len() > MAX_TIMELINE {
            student.timeline.pop_front();
        }
        last = sent.seq;
    }
    last
}
