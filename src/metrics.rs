//! The Prometheus metrics of `workshop serve`.
//!
//! Names and labels of the original workshop are kept (its alert rules and
//! dashboards use them): `fintech_requests_total{method,endpoint,status}`,
//! `fintech_request_latency_seconds{endpoint}`, `fintech_active_transactions`.
//! Gauges that mirror state (faults, memory, pool, the database's reach)
//! are refreshed at scrape time, so they cost nothing between scrapes.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::faults::FaultConfig;
use crate::ledger::PoolStats;
use crate::memory;

/// Latency buckets in seconds: fine at the bottom for a healthy API, and
/// reaching 30 s so that p95 under the largest injected latency (30 s) is
/// still inside a bucket instead of flattening at the top one.
pub(crate) const LATENCY_BUCKETS: [f64; 20] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0,
    15.0, 20.0, 30.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub method: String,
    pub endpoint: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct EndpointLabels {
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct OutcomeLabels {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PoolLabels {
    pub state: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<EndpointLabels, Histogram>,
    transfers: Family<OutcomeLabels, Counter>,
    failure_latency_ms: Gauge,
    failure_error_rate: FloatGauge,
    failure_db_slow: Gauge,
    failure_db_fail: Gauge,
    failure_memory_leak_mb: Gauge,
    leaked_bytes: Gauge,
    resident_bytes: Gauge,
    memory_limit_bytes: Gauge,
    memory_used_bytes: Gauge,
    database: DatabaseGauges,
}

/// The database as the API sees it: its pool, and whether it answers.
struct DatabaseGauges {
    pool: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    up: Gauge,
}

impl DatabaseGauges {
    fn register(registry: &mut Registry) -> Self {
        let pool = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "fintech_db_pool_connections",
            "Database pool connections by state (in_use, idle)",
            pool.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "fintech_db_pool_max",
            "Maximum connections in the database pool",
            pool_max.clone(),
        );
        let up = Gauge::default();
        registry.register(
            "fintech_database_up",
            "1 while the API can reach its database (what /readyz reports), 0 while it cannot",
            up.clone(),
        );
        // `serve` listens only once its ledger has answered.
        up.set(1);
        Self { pool, pool_max, up }
    }

    fn set(&self, pool: PoolStats, up: Option<bool>) {
        let in_use = pool.size.saturating_sub(pool.idle);
        self.pool
            .get_or_create(&PoolLabels { state: "in_use" })
            .set(i64::from(in_use));
        self.pool
            .get_or_create(&PoolLabels { state: "idle" })
            .set(i64::from(pool.idle));
        self.pool_max.set(i64::from(pool.max));
        if let Some(up) = up {
            self.up.set(i64::from(up));
        }
    }
}

/// What the scrape-time gauges read.
pub struct Snapshot<'a> {
    pub faults: &'a FaultConfig,
    pub leaked_bytes: u64,
    pub pool: PoolStats,
    /// Whether the API reaches its database, as `/readyz` says; `None`
    /// when this scrape's ping could not tell, and the gauge keeps its value.
    pub database_up: Option<bool>,
}

fn as_gauge(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Metrics {
    /// `active_transactions` is owned by the ledger (it counts its own
    /// transactions); it is registered here so it is exposed.
    pub fn new(active_transactions: Gauge) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "fintech_requests",
            "HTTP requests by method, endpoint and status",
            requests.clone(),
        );
        let latency = Family::<EndpointLabels, Histogram>::new_with_constructor(
            (|| Histogram::new(LATENCY_BUCKETS)) as fn() -> Histogram,
        );
        registry.register(
            "fintech_request_latency_seconds",
            "Request latency in seconds, injected delays included",
            latency.clone(),
        );
        registry.register(
            "fintech_active_transactions",
            "Database transactions in flight, including those waiting for a pooled connection",
            active_transactions,
        );
        let transfers = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "fintech_transfers",
            "Transfers by outcome (completed, replayed, insufficient_funds, unknown_account, invalid, conflict, failed)",
            transfers.clone(),
        );
        let mut gauge = |name: &str, help: &str| {
            let g = Gauge::default();
            registry.register(name, help, g.clone());
            g
        };
        let failure_latency_ms = gauge(
            "fintech_failure_latency_ms",
            "Injected latency in milliseconds",
        );
        let failure_db_slow = gauge(
            "fintech_failure_db_slow",
            "1 while the slow-database fault is on",
        );
        let failure_db_fail = gauge(
            "fintech_failure_db_fail",
            "1 while the database-failure fault is on",
        );
        let failure_memory_leak_mb = gauge(
            "fintech_failure_memory_leak_mb",
            "Injected leak per request in MiB",
        );
        let leaked_bytes = gauge(
            "fintech_leaked_bytes",
            "Bytes held by the memory-leak fault",
        );
        let resident_bytes = gauge(
            "process_resident_memory_bytes",
            "Resident memory of the serve process in bytes",
        );
        let memory_limit_bytes = gauge(
            "fintech_memory_limit_bytes",
            "Memory limit of the process's cgroup in bytes (0 when unlimited)",
        );
        let memory_used_bytes = gauge(
            "fintech_memory_used_bytes",
            "Memory the kernel holds against the process's limit in bytes: its cgroup's charge \
             less inactive file cache, or its resident memory when it has no limited cgroup",
        );
        let failure_error_rate = FloatGauge::default();
        registry.register(
            "fintech_failure_error_rate",
            "Injected error rate in percent of requests",
            failure_error_rate.clone(),
        );
        let database = DatabaseGauges::register(&mut registry);
        Self {
            registry,
            requests,
            latency,
            transfers,
            failure_latency_ms,
            failure_error_rate,
            failure_db_slow,
            failure_db_fail,
            failure_memory_leak_mb,
            leaked_bytes,
            resident_bytes,
            memory_limit_bytes,
            memory_used_bytes,
            database,
        }
    }

    pub fn observe_request(&self, method: &str, endpoint: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                endpoint: endpoint.to_string(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.to_string(),
            })
            .observe(seconds);
    }

    pub fn count_transfer(&self, outcome: &'static str) {
        self.transfers
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// Every series name this process exports, as a query names it: a
    /// counter `x` is `x_total`, a histogram `x` is `x_bucket`, `x_sum` and
    /// `x_count`. Read from the registry itself, so it cannot drift.
    pub fn series_names() -> Vec<String> {
        let metrics = Metrics::new(Gauge::default());
        // A family writes its TYPE line once it has a series.
        metrics.observe_request("GET", "/health", 200, 0.0);
        metrics.count_transfer("completed");
        let text = metrics.render(Snapshot {
            faults: &FaultConfig::default(),
            leaked_bytes: 0,
            pool: PoolStats {
                size: 0,
                idle: 0,
                max: 0,
            },
            database_up: Some(true),
        });
        let mut names = Vec::new();
        for line in text.lines() {
            let mut words = line.strip_prefix("# TYPE ").unwrap_or("").split(' ');
            let (Some(name), Some(kind)) = (words.next(), words.next()) else {
                continue;
            };
            let suffixes: &[&str] = match kind {
                "counter" => &["_total"],
                "histogram" => &["_bucket", "_sum", "_count"],
                "info" => &["_info"],
                _ => &[""],
            };
            names.extend(suffixes.iter().map(|s| format!("{name}{s}")));
        }
        names
    }

    /// Refreshes the state gauges and encodes everything in the text format.
    pub fn render(&self, now: Snapshot<'_>) -> String {
        let f = now.faults;
        self.failure_latency_ms.set(as_gauge(f.latency_ms));
        self.failure_error_rate.set(f.error_rate);
        self.failure_db_slow.set(i64::from(f.db_slow));
        self.failure_db_fail.set(i64::from(f.db_fail));
        self.failure_memory_leak_mb.set(as_gauge(f.memory_leak_mb));
        self.leaked_bytes.set(as_gauge(now.leaked_bytes));
        if let Some(rss) = memory::resident_bytes(None) {
            self.resident_bytes.set(as_gauge(rss));
        }
        let (used, limit) = memory::own();
        if let Some(used) = used {
            self.memory_used_bytes.set(as_gauge(used));
        }
        self.memory_limit_bytes.set(as_gauge(limit.unwrap_or(0)));
        self.database.set(now.pool, now.database_up);
        let mut out = String::with_capacity(8 * 1024);
        // Encoding into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
