//! A phase's actions, run one way for both drivers of the case engine:
//! `workshop run`'s walk and the console's driver task call
//! [`run_actions`], so a failed action means the same in each.

use std::time::{Duration, Instant};

use crate::cases::model::Action;
use crate::cases::{Case, Lang, Phase};
use crate::words::{E, tf};

use super::io::{ActError, Acted, CaseIo};

/// A phase's actions, in order, with the case and phase they belong to:
/// what the session hands its driver to run.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseActions {
    /// An outcome that comes back after the student left this case
    /// changes nothing in the next one.
    pub case: String,
    pub phase: Phase,
    pub actions: Vec<Action>,
}

impl PhaseActions {
    /// The actions `case` gives `phase`.
    pub(crate) fn of(case: &Case, phase: Phase) -> Self {
        Self {
            case: case.id.clone(),
            phase,
            actions: case.phases.actions(phase).to_vec(),
        }
    }
}

/// What a phase does when one of its actions fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnFailure {
    /// No further action runs, and the case stops.
    Stop,
    /// The next action runs anyway; every failure is reported.
    CarryOn,
}

impl OnFailure {
    /// The one policy; see [`run_actions`].
    pub(crate) fn of(phase: Phase) -> Self {
        match phase {
            Phase::Rollback => OnFailure::CarryOn,
            _ => OnFailure::Stop,
        }
    }
}

/// An action that did not happen, and why.
#[derive(Debug, Clone)]
pub struct FailedAction {
    pub action: Action,
    pub error: ActError,
}

/// How a phase's actions went.
#[derive(Debug, Clone)]
pub struct ActionsOutcome {
    pub case: String,
    pub phase: Phase,
    /// Every action that failed, in order: at most one when the phase
    /// stops at the first.
    pub failed: Vec<FailedAction>,
}

impl ActionsOutcome {
    /// The failure that stopped the phase, when its policy is to stop.
    pub(crate) fn stopped_by(&self) -> Option<&FailedAction> {
        match OnFailure::of(self.phase) {
            OnFailure::Stop => self.failed.first(),
            OnFailure::CarryOn => None,
        }
    }
}

/// Why a failed action of `phase` matters, in `lang`: the reason an inject
/// or recover stops the case, or a rollback step that did not happen.
pub(crate) fn failure_reason(
    phase: Phase,
    action: &Action,
    error: &ActError,
    lang: Lang,
) -> String {
    let word = match phase {
        Phase::Rollback => E::RollbackFailed,
        _ => E::ActionFailed,
    };
    tf(lang, word, &[&action.text(lang), &error.text(lang)])
}

impl FailedAction {
    /// See [`failure_reason`].
    pub(crate) fn reason(&self, phase: Phase, lang: Lang) -> String {
        failure_reason(phase, &self.action, &self.error, lang)
    }
}

/// What a driver hears while the actions run, to say it its own way.
pub(crate) enum Acting<'a> {
    /// About to run: `workshop run` prints it first, so a slow action shows.
    Starting(&'a Action),
    /// Ran: what it left behind (the fault state the API answered with),
    /// or why it did not happen; `took` from its start.
    Done {
        action: &'a Action,
        acted: &'a Acted,
        took: Duration,
    },
}

/// Runs a phase's actions in order, with one policy for every driver:
///
/// - **inject and recover stop at the first action that fails.** The
///   system is then not in the state the case describes, so the checks
///   that follow would judge something else. The session is told
///   (`CaseSession::actions_done`) and stops the case: `workshop run` aborts and rolls back; the console
///   says why and offers to leave (the rollback runs) and open the case
///   again, instead of waiting in detect for a fault that never went in.
/// - **rollback carries on through every action** and reports each
///   failure: it must leave as little of the fault behind as it can.
pub(crate) async fn run_actions(
    io: &dyn CaseIo,
    actions: &PhaseActions,
    hear: &(dyn Fn(Acting<'_>) + Sync),
) -> ActionsOutcome {
    let mut failed = Vec::new();
    for action in &actions.actions {
        hear(Acting::Starting(action));
        let start = Instant::now();
        let acted = io.act(action).await;
        hear(Acting::Done {
            action,
            acted: &acted,
            took: start.elapsed(),
        });
        if let Err(error) = acted {
            failed.push(FailedAction {
                action: action.clone(),
                error,
            });
            if OnFailure::of(actions.phase) == OnFailure::Stop {
                break;
            }
        }
    }
    ActionsOutcome {
        case: actions.case.clone(),
        phase: actions.phase,
        failed,
    }
}
