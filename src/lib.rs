//! `workshop` — a terminal-first runner for a hands-on resilience workshop on a
//! small fintech API.
//!
//! Module map (data flows one way, top to bottom):
//!
//! - [`config`]   — where settings come from: flags, environment, defaults.
//! - `cause`      — the innermost cause of an error, the part a person acts on.
//! - [`integer`]  — whole numbers on the wire: `688` and `688.0` alike (request bodies).
//! - [`ledger`]   — accounts and transfers on PostgreSQL or SQLite; exact money.
//! - [`faults`]   — the failure-injection state, its bounds, and how replicas share it.
//! - [`metrics`]  — the Prometheus metrics the API exposes.
//! - [`loadgen`]  — an open-model load generator (latency from the scheduled send time).
//! - [`telemetry`] — PromQL values and alert states from Prometheus.
//! - [`api`]      — `workshop serve`: the HTTP API (axum) over ledger, faults and metrics.
//! - `http_error` — the one error body the API and the coach's board both answer with.
//! - `words`      — the workshop's own words in English and Russian: one catalogue
//!   for the console, the event lines, `workshop run`, the stack's troubles and
//!   the session report with its chart.
//! - [`cases`]    — the failure cases as data: `cases/*.yaml`, loader, validation, export.
//! - `coach`      — `workshop coach`: the class board a coach projects, fed by
//!   every student's case events (`--coach URL --name NAME`).
//! - [`client`]   — a small HTTP client of that API, used by `inject`, `reset`, `failures`.
//! - [`stack`]    — the whole workshop stack (db, app, Prometheus, Grafana) on Docker
//!   or as local processes: `up`, `down`, `status`, `logs`, events.
//! - [`doctor`]   — `workshop doctor`: the pre-flight check of a student's machine
//!   (engine, memory limits, ports, disk, images, terminal); reads, never changes.
//! - [`tui`]      — `workshop tui`: the guided console over all of the above.
//! - `console_needs` — the terminal the console needs (size, colour), which `doctor` checks too.
//! - [`logging`]  — tracing set-up (human or JSON lines).
//! - `files`      — where the workshop keeps its user's files (a private folder),
//!   each replaced whole.
//! - [`serving`] — how both HTTP servers accept and hold connections, and the
//!   headers and refusals around every route.
//! - [`shutdown`] — signals become one cancellation token, passed down from
//!   `cli`; a second signal exits at once.
//! - [`cli`]      — the command line: parses flags and calls the functions above.
//!
//! The public surface is what the binary, the integration tests, the
//! benches and the fuzz targets use; the rest is `pub(crate)`, so the
//! compiler reports what nothing uses (`unreachable_pub` and dead code are
//! denied in CI by `-D warnings`).

#![warn(unreachable_pub)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod api;
pub mod cases;
pub(crate) mod cause;
pub mod cli;
pub(crate) mod client;
pub(crate) mod coach;
pub(crate) mod config;
pub(crate) mod console_needs;
pub(crate) mod doctor;
pub mod faults;
pub(crate) mod files;
pub(crate) mod http_error;
pub(crate) mod integer;
pub(crate) mod ledger;
pub mod loadgen;
pub(crate) mod logging;
pub(crate) mod memory;
pub(crate) mod metrics;
pub(crate) mod serving;
pub(crate) mod shutdown;
pub mod stack;
pub mod telemetry;
pub mod tui;
pub(crate) mod words;
