//! What flows into the console (messages, from input and from the tasks that
//! do the I/O) and out of it (effects, which those tasks carry out). The
//! state only ever changes in `update`, from one of these.

use crossterm::event::KeyEvent;

use crate::cases::model::Action as CaseAction;
use crate::cases::runner::session::{Poll, Seen};
use crate::faults::{FaultConfig, FaultUpdate};
use crate::loadgen::{LoadReport, Mix};
use crate::stack::{Backend, StackEvent, StackStatus};

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
    pub p95: Option<f64>,
    pub error_ratio: Option<f64>,
    pub rps: Option<f64>,
    pub active: Option<f64>,
    pub memory: Option<f64>,
    pub faults: Option<FaultConfig>,
}

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize,
    /// The slow tick (1 s): countdowns, timeouts, hints.
    Tick,
    StackOpened(Backend),
    StackOpenFailed(String),
    StackEvent(StackEvent),
    StackUp(Result<Vec<String>, String>),
    StackStatus(Result<StackStatus, String>),
    Telemetry(Reading),
    Load(LoadReport),
    /// The API answered a fault change; `took_ms` from the key press.
    FaultsSet {
        result: Result<FaultConfig, String>,
        took_ms: f64,
    },
    /// A case action ran.
    ActionDone {
        action: String,
        result: Result<(), String>,
        took_ms: f64,
    },
    Observed(Seen),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    SetFaults(FaultUpdate),
    ResetFaults,
    /// Run a case's actions in order.
    RunActions(Vec<CaseAction>),
    StartLoad {
        rps: f64,
        mix: Mix,
    },
    SetRate(f64),
    StopLoad,
    Observe(Poll),
    /// Write `app.progress` to its file.
    SaveProgress,
    Quit,
}
