//! What flows into the console (messages, from input and from the tasks that
//! do the I/O) and out of it (effects, which those tasks carry out). The
//! state only ever changes in `update`, from one of these.

use crossterm::event::KeyEvent;

use crate::cases::engine::actions::{ActionsOutcome, PhaseActions};
use crate::cases::engine::io::ActError;
use crate::cases::engine::session::{Poll, Seen};
use crate::cases::model::Action as CaseAction;
use crate::faults::{FaultConfig, FaultUpdate};
use crate::loadgen::{LoadReport, Mix};
use crate::stack::{Backend, StackError, StackEvent, StackStatus, Trouble};
use crate::telemetry::BySignal;

/// Which source the charts and checks read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Prometheus,
    Scrape,
    None,
}

/// One round of the telemetry task.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub source: SourceKind,
    /// `Err` names why the API's `/metrics` did not answer.
    pub api: Result<(), String>,
    /// `None` when no Prometheus is configured.
    pub prometheus: Option<Result<(), String>>,
    /// Each live signal's value; `None` is no data.
    pub values: BySignal<Option<f64>>,
    pub faults: Option<FaultConfig>,
}

/// The stack cannot come up: why and the fix, whether local mode is a way
/// out (it is not when local mode is what failed), and when the console
/// tries again by itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocked {
    pub trouble: Trouble,
    pub local_offered: bool,
    pub retry_in_s: u64,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize,
    /// The slow tick (1 s): countdowns, timeouts, hints.
    Tick,
    /// A signal asked the console to leave: as `q`, from any box.
    Shutdown,
    /// A backend was opened; where this console reaches its API and Prometheus.
    StackOpened {
        backend: Backend,
        api_url: String,
        prometheus_url: String,
    },
    StackOpenFailed(Blocked),
    StackEvent(StackEvent),
    StackUp(Result<Vec<crate::stack::Service>, Blocked>),
    /// The session began by clearing faults left injected before it
    /// (`field=value` in the API's names).
    FaultsCleared(Vec<String>),
    StackStatus(Result<StackStatus, StackError>),
    Telemetry(Reading),
    Load(LoadReport),
    /// The API answered a fault change; `took_ms` from the key press.
    FaultsSet {
        result: Result<FaultConfig, ActError>,
        took_ms: f64,
    },
    /// A case action ran.
    ActionDone {
        action: CaseAction,
        result: Result<(), ActError>,
        took_ms: f64,
    },
    /// A phase's actions ran, the engine's one way: a failed inject or
    /// recover stops the case.
    ActionsDone(ActionsOutcome),
    Observed(Seen),
    /// The coach's link changed state, or the coach said something.
    Coach(super::coach::CoachNews),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SetFaults(FaultUpdate),
    ResetFaults,
    /// Run a phase's actions, the engine's one way
    /// ([`run_actions`](crate::cases::engine::actions::run_actions)).
    RunActions(PhaseActions),
    StartLoad {
        rps: f64,
        mix: Mix,
    },
    SetRate(f64),
    StopLoad,
    Observe(Poll),
    /// Try to bring the blocked stack up now.
    StackRetry,
    /// Give up on Docker: the local stack (serve and Prometheus as processes).
    StackLocal,
    /// Write `app.progress` to its file.
    SaveProgress,
    Quit,
}
