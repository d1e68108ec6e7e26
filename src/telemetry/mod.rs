//! Telemetry: where the numbers a student watches come from.
//!
//! - [`prom`]: PromQL instant queries and alert states from a Prometheus
//!   server (prometheus-http-query).
//! - [`scrape`]: the same signals from the API's `/metrics` when no
//!   Prometheus answers (rates and p95 from two scrapes).
//! - [`series`]: a ring buffer of timed samples, for charts and peaks.
//! - [`signal`]: the live signals, each with its query, its scrape
//!   fallback, its chart's floor, unit and name.
//! - [`source`]: Prometheus or the scrape, chosen in one place; it answers
//!   a query or a signal.
//!
//! Nothing here knows about cases or the console; they ask for values (a
//! signal's name comes from the one catalogue, `words`).

pub(crate) mod prom;
pub(crate) mod scrape;
pub(crate) mod series;
pub(crate) mod signal;
pub(crate) mod source;

pub use prom::{APP_JOB, AlertStatus, Prometheus, TelemetryError};
pub use series::Series;
pub use signal::{BySignal, MEMORY_LIMIT_QUERY, Signal};
pub use source::Source;
