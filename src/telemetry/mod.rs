//! Telemetry: where the numbers a student watches come from.
//!
//! - [`prom`]: PromQL instant queries and alert states from a Prometheus
//!   server (prometheus-http-query).
//! - [`scrape`]: the same signals from the API's `/metrics` when no
//!   Prometheus answers (rates and p95 from two scrapes).
//! - [`series`]: a ring buffer of timed samples, for charts and peaks.
//! - [`source`]: one of the two above, chosen by who asks.
//!
//! Nothing here knows about cases or the console; they ask for values.

pub(crate) mod prom;
pub(crate) mod scrape;
pub(crate) mod series;
pub(crate) mod source;

pub use prom::{AlertStatus, Prometheus, TelemetryError};
pub use series::Series;
pub use source::Source;

/// The queries behind the five live signals, shared by the runner's peak
/// tracking and the console's charts so they always agree. They read the
/// recording rules of `compose/alerts.yml`.
pub mod queries {
    pub const P95_SECONDS: &str = "max(job:fintech_p95_latency:5m)";
    pub const ERROR_RATIO: &str = "max(job:fintech_error_rate:5m)";
    pub const REQUEST_RATE: &str = "sum(job:fintech_request_rate:1m)";
    pub const ACTIVE_TRANSACTIONS: &str = "sum(fintech_active_transactions)";
    pub const RESIDENT_BYTES: &str = r#"max(process_resident_memory_bytes{job="fintech-api"})"#;
}
