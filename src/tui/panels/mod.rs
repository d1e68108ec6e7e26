//! The panels of the screen, each drawn from a snapshot of the state and
//! nothing else: the view lays them out.
//!
//! - [`stack`]   — each service's state, restarts, OOM kills and memory.
//! - [`cases`]   — the case list with a progress mark per case.
//! - [`phase`]   — the case being walked: checks, alerts, hints, runbook;
//!   [`next`] its first rows (what to do now, the phase's essentials),
//!   [`checks`] its checks and alerts, [`scroll`] how far it scrolls.
//! - [`charts`]  — one sparkline row per signal.
//! - [`faults`]  — what is injected right now.
//! - [`load`]    — the load generator: target, sent by the generator, in flight.
//! - [`log`]     — the event log: the case's facts pinned, the newest lines.
//! - [`logview`] — the whole log over the screen: scrolled, filtered.
//! - [`help`], [`input`], [`blocked`] — the boxes drawn over the rest.

pub(crate) mod blocked;
pub(crate) mod cases;
pub(crate) mod charts;
pub(crate) mod checks;
pub(crate) mod faults;
pub(crate) mod help;
pub(crate) mod input;
pub(crate) mod load;
pub(crate) mod log;
pub(crate) mod logview;
pub(crate) mod next;
pub(crate) mod phase;
pub(crate) mod scroll;
pub(crate) mod stack;
