//! What a case file says, as types. `cases/README.md` documents every field;
//! keep the two in step.
//!
//! Every struct refuses unknown fields: a misspelt `hold_fr` must be an
//! error the instructor sees when validating, not a check that silently
//! never holds during a session.

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;

use super::bilingual::{Lang, Text};
use super::check::{Check, Reduce};
use super::duration::CaseDuration;
use super::phase::Phase;
use crate::faults::FaultUpdate;
use crate::stack::ServiceRole;
use crate::words::{E, t, tf};

/// The case format this build reads.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// One failure case, walked through Baseline → Inject → Detect → Respond →
/// Recover, with a rollback that always runs.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Format version of the file; this workshop reads `1`.
    pub schema_version: u32,
    /// Kebab-case, unique among the cases loaded together: `latency`.
    pub id: String,
    /// Position in the session (1 = first).
    pub order: u32,
    /// Roughly how long the case takes a group, for planning a session.
    pub est_minutes: u32,
    /// One line: what goes wrong, as the case list shows it.
    pub title: Text,
    /// The story: what is at stake for the payment platform.
    pub briefing: Text,
    /// What the student can do afterwards. At least one.
    pub objectives: Vec<Text>,
    /// Where to look during the case, and why it tells the story.
    pub look_at: Vec<LookAt>,
    /// The steady traffic during the whole case.
    pub load: Load,
    /// The six phases, all required, written in the order they run:
    /// `baseline`, `inject`, `detect`, `respond`, `recover`, `rollback`.
    pub phases: CasePhases,
    /// Questions for the review after the incident.
    pub post_mortem: Vec<Text>,
}

/// A signal worth watching, with the reason it matters.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LookAt {
    /// The signal, in words; the console labels its live value with them.
    pub what: Text,
    /// A query that shows it, when there is one. The console shows its
    /// value live while the case runs, so a question can ask about it.
    pub promql: Option<String>,
    /// The unit of the query's value as shown beside it ("MiB", "ms").
    #[serde(default)]
    pub unit: Option<String>,
    /// Why it tells the story of this failure.
    pub why: Text,
}

/// The steady traffic during the whole case.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// Requests per second, all endpoints together.
    pub rate: f64,
    /// Relative weights per endpoint; absent means 0, at least one above 0.
    pub mix: EndpointMix,
}

/// Relative weights of the endpoints in the load; absent means 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointMix {
    /// Weight of `GET /api/balance/{account}`.
    #[serde(default)]
    pub balance: u32,
    /// Weight of `POST /api/transfer`.
    #[serde(default)]
    pub transfer: u32,
    /// Weight of `GET /health`.
    #[serde(default)]
    pub health: u32,
    /// Weight of `GET /api/accounts`.
    #[serde(default)]
    pub accounts: u32,
    /// Weight of `POST /api/balance-bulk`.
    #[serde(default)]
    pub balance_bulk: u32,
}

impl EndpointMix {
    /// `(name, weight)` of every endpoint with a weight above 0.
    pub fn weights(&self) -> Vec<(&'static str, u32)> {
        [
            ("balance", self.balance),
            ("transfer", self.transfer),
            ("health", self.health),
            ("accounts", self.accounts),
            ("balance_bulk", self.balance_bulk),
        ]
        .into_iter()
        .filter(|(_, w)| *w > 0)
        .collect()
    }

    pub fn total(&self) -> u64 {
        self.weights().iter().map(|(_, w)| u64::from(*w)).sum()
    }
}

/// What a case file says under `phases:`: every phase, all required, in
/// the order they run.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePhases {
    /// Let the load settle, remember what normal looks like, prove it normal.
    pub baseline: Baseline,
    /// What the case does to the system.
    pub inject: Inject,
    /// The effects the student should see, and when.
    pub detect: Detect,
    /// Runbook prompts for the on-call engineer.
    pub respond: Respond,
    /// Undo the fault and prove the system is back.
    pub recover: Recover,
    /// Runs at the end whatever happened: leaves no fault behind.
    pub rollback: Rollback,
}

impl CasePhases {
    /// The checks of `phase`: none for a phase that has no checks.
    pub(crate) fn checks(&self, phase: Phase) -> &[Check] {
        match phase {
            Phase::Baseline => &self.baseline.checks,
            Phase::Detect => &self.detect.checks,
            Phase::Recover => &self.recover.checks,
            Phase::Inject | Phase::Respond | Phase::Rollback | Phase::Teachable => &[],
        }
    }

    /// The actions of `phase`: none for a phase that has no actions.
    pub(crate) fn actions(&self, phase: Phase) -> &[Action] {
        match phase {
            Phase::Inject => &self.inject.actions,
            Phase::Recover => &self.recover.actions,
            Phase::Rollback => &self.rollback.actions,
            Phase::Baseline | Phase::Detect | Phase::Respond | Phase::Teachable => &[],
        }
    }
}

/// Before anything is injected: let the load settle, remember what normal
/// looks like, and make sure it is normal.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Time under load before captures are taken and checks start.
    pub settle: CaseDuration,
    /// Values taken at the end of `settle`, for relative thresholds.
    #[serde(default)]
    pub captures: BTreeMap<String, Capture>,
    /// Must all pass before the injection is allowed.
    #[serde(default)]
    pub checks: Vec<Check>,
}

/// A PromQL value remembered under a name.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// The query whose value is remembered; it must read the app only
    /// (`{job="fintech-api"}` on a metric Prometheus also has about itself).
    pub promql: String,
    /// How several series become one number: `max` (default), `min`, `avg`,
    /// `sum` or `first`.
    #[serde(default)]
    pub reduce: Reduce,
}

/// Put the fault in.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// What is done to the system; at least one.
    pub actions: Vec<Action>,
    /// After this long the tool recovers by itself (runs `rollback`), so a
    /// forgotten fault never outlives the session.
    pub max_duration: Option<CaseDuration>,
}

/// What the case does to the system.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// `POST /api/failures` with these fields.
    SetFailures(FaultUpdate),
    /// `POST /api/reset`: no failure, leaked memory freed.
    Reset,
    /// Restart or kill a container of the stack.
    Container(ContainerStep),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerStep {
    /// `restart` or `kill`.
    pub action: ContainerAction,
    /// Parsed by role, so a service no backend runs is refused as the case
    /// loads, with the services there are.
    pub service: ServiceRole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContainerAction {
    Restart,
    Kill,
}

impl Action {
    /// The action as a person reads it, in `lang`.
    pub(crate) fn text(&self, lang: Lang) -> String {
        match self {
            Action::SetFailures(update) => {
                let fields = serde_json::to_string(update).unwrap_or_default();
                tf(lang, E::SetFailures, &[&fields])
            }
            Action::Reset => t(lang, E::ResetFailures).to_string(),
            Action::Container(step) => {
                let verb = match step.action {
                    ContainerAction::Restart => E::RestartContainer,
                    ContainerAction::Kill => E::KillContainer,
                };
                tf(lang, verb, &[&step.service])
            }
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// The fault is in: the effects the student should see, and when.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Detect {
    /// Evaluated in order; each starts when the one before has passed.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Alert rules of `compose/alerts.yml` that should fire, each within
    /// its duration of the injection.
    #[serde(default)]
    pub expected_alerts: Vec<ExpectedAlert>,
    /// Questions answered with a number read off the screen.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Help released when a student is stuck.
    #[serde(default)]
    pub hints: Vec<super::hint::Hint>,
}

/// An alert rule that should fire, and how soon after the injection.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedAlert {
    /// An alerting rule of `compose/alerts.yml`.
    pub name: String,
    /// How soon after the injection it should fire.
    pub within: CaseDuration,
}

/// A question whose answer is a number the student reads off a graph; it is
/// right when it is within `tolerance` of the live value.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique among the questions of the case.
    pub id: String,
    /// The question, naming the figure by the words the screen shows it with.
    pub ask: Text,
    /// The live value the answer is compared with; a `look_at` query, so the
    /// screen shows it.
    pub promql: String,
    /// How several series become one number (default `max`).
    #[serde(default)]
    pub reduce: Reduce,
    /// Accepted distance from the live value: `0.05` or `"20%"`.
    pub tolerance: super::tolerance::Tolerance,
    /// Shown next to the answer field: `s`, `req/s`, `%`.
    pub unit: Option<String>,
}

/// What the on-call engineer does: prompts for writing the runbook.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Respond {
    /// What the on-call engineer decides, says and does. At least one.
    pub prompts: Vec<Text>,
}

/// Undo the fault and prove the system is back to normal.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recover {
    /// What undoes the fault (usually `reset`).
    pub actions: Vec<Action>,
    /// Proof that the system is back to its baseline.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Recovery slower than this counts as missed in the report.
    pub time_limit: CaseDuration,
}

/// Run whatever happens (success, failure, Ctrl-C): leaves no fault behind.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    /// Always run at the end, whatever happened. At least one.
    pub actions: Vec<Action>,
}

impl Case {
    /// Every check of the case with the phase it belongs to, in running order.
    pub fn checks(&self) -> Vec<(Phase, usize, &Check)> {
        Phase::WITH_CHECKS
            .into_iter()
            .flat_map(|phase| {
                let list = self.phases.checks(phase);
                list.iter().enumerate().map(move |(i, c)| (phase, i, c))
            })
            .collect()
    }
}
