//! The panels of the screen, each drawn from a snapshot of the state and
//! nothing else: the view lays them out.
//!
//! - [`stack`]   — each service's state, restarts, OOM kills and memory.
//! - [`cases`]   — the case list with a progress mark per case.
//! - [`phase`]   — the case being walked: checks, alerts, hints, runbook.
//! - [`charts`]  — one sparkline row per signal.
//! - [`faults`]  — what is injected right now.
//! - [`load`]    — the load generator: target, achieved, latency.
//! - [`log`]     — the event log.
//! - [`help`], [`input`], [`blocked`] — the boxes drawn over the rest.

pub mod blocked;
pub mod cases;
pub mod charts;
pub mod faults;
pub mod help;
pub mod input;
pub mod load;
pub mod log;
pub mod phase;
pub mod stack;
