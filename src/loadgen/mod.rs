//! The load generator: an *open model*. Requests are scheduled at fixed
//! times (`start + i / rate`) whether or not earlier ones have answered, and
//! each latency is measured from its scheduled time. A slow server therefore
//! shows up as growing latency and a growing in-flight count, instead of
//! quietly lowering the rate the way a closed loop of "send, wait, send" does
//! (coordinated omission).
//!
//! The same engine serves `workshop load`, the console and `workshop run`.

mod mix;
mod stats;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

pub use mix::{Endpoint, Mix};
pub use stats::{LoadReport, Outcome, Tally, ms};

/// What to send.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    pub api_url: String,
    /// Requests per second (0 pauses).
    pub rps: f64,
    /// Stop by itself after this long; `None` runs until stopped.
    pub duration: Option<Duration>,
    pub mix: Mix,
    /// A request with no answer after this long counts as "no answer".
    pub timeout: Duration,
}

pub const MAX_RPS: f64 = 20_000.0;

/// A running load. Dropping the handle does not stop it; call [`LoadHandle::stop`].
pub struct LoadHandle {
    reports: watch::Receiver<LoadReport>,
    rate: watch::Sender<f64>,
    stop: CancellationToken,
    /// `None` once awaited.
    task: Option<JoinHandle<LoadReport>>,
}

/// A dropped handle stops the load: nobody could stop it any more.
impl Drop for LoadHandle {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl LoadHandle {
    /// The latest report (updated every second).
    pub fn report(&self) -> LoadReport {
        self.reports.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<LoadReport> {
        self.reports.clone()
    }

    /// Changes the rate from now on.
    pub fn set_rate(&self, rps: f64) {
        let _ = self.rate.send(rps.clamp(0.0, MAX_RPS));
    }

    /// Stops sending, waits for the requests in flight, returns the final report.
    pub async fn stop(self) -> LoadReport {
        self.stop.cancel();
        self.finished().await
    }

    /// Waits until the planned duration ends.
    pub async fn finished(mut self) -> LoadReport {
        let last = self.reports.borrow().clone();
        match self.task.take() {
            Some(task) => task.await.unwrap_or(last),
            None => last,
        }
    }
}

struct Shared {
    window: Mutex<Tally>,
    in_flight: AtomicU64,
}

/// Starts sending. Must be called inside a tokio runtime.
pub fn start(plan: LoadPlan) -> LoadHandle {
    let (report_tx, reports) = watch::channel(LoadReport {
        target_rps: plan.rps,
        ..LoadReport::default()
    });
    let (rate, rate_rx) = watch::channel(plan.rps.clamp(0.0, MAX_RPS));
    let stop = CancellationToken::new();
    let task = tokio::spawn(run(plan, rate_rx, report_tx, stop.clone()));
    LoadHandle {
        reports,
        rate,
        stop,
        task: Some(task),
    }
}

async fn run(
    plan: LoadPlan,
    mut rate: watch::Receiver<f64>,
    reports: watch::Sender<LoadReport>,
    stop: CancellationToken,
) -> LoadReport {
    let client = reqwest::Client::builder()
        .timeout(plan.timeout)
        .pool_max_idle_per_host(1024)
        .build()
        .unwrap_or_default();
    let shared = Arc::new(Shared {
        window: Mutex::new(Tally::default()),
        in_flight: AtomicU64::new(0),
    });
    let started = Instant::now();
    let ends = plan.duration.map(|d| started + d);
    let mut report = LoadReport {
        target_rps: *rate.borrow(),
        ..LoadReport::default()
    };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick.tick().await;

    // The schedule: request i of the current rate goes at base + i / rps.
    let mut base = Instant::now();
    let mut index: u64 = 0;
    let mut rps = *rate.borrow_and_update();
    let spacing = |rps: f64| Duration::from_secs_f64(1.0 / rps.max(1e-9));
    let mut requests = tokio::task::JoinSet::new();

    loop {
        let next = if rps > 0.0 {
            base + spacing(rps).mul_f64(index as f64)
        } else {
            Instant::now() + Duration::from_secs(3600)
        };
        let deadline = ends.unwrap_or(next + Duration::from_secs(3600));
        tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep_until(deadline), if ends.is_some() && deadline <= next => break,
            _ = tick.tick() => {
                publish(&mut report, &shared, started, rps, &reports);
            }
            changed = rate.changed() => {
                if changed.is_err() { break; }
                rps = *rate.borrow_and_update();
                base = Instant::now();
                index = 0;
            }
            _ = tokio::time::sleep_until(next) => {
                // Send everything due (catching up if the timer fired late),
                // each stamped with its own scheduled time.
                let now = Instant::now();
                while rps > 0.0 && base + spacing(rps).mul_f64(index as f64) <= now {
                    let scheduled = base + spacing(rps).mul_f64(index as f64);
                    index += 1;
                    report.sent += 1;
                    let endpoint = plan.mix.pick(&mut rand::rng());
                    requests.spawn(send(client.clone(), plan.api_url.clone(), endpoint, scheduled, shared.clone()));
                }
            }
        }
        // Reap finished request tasks so the set does not grow without bound.
        while requests.try_join_next().is_some() {}
    }
    // Rates are over the sending window; what is still in flight finishes
    // afterwards, and its latency is part of the truth.
    let sending = started.elapsed();
    while requests.join_next().await.is_some() {}
    publish(&mut report, &shared, started, rps, &reports);
    report.elapsed = sending;
    report
}

fn publish(
    report: &mut LoadReport,
    shared: &Shared,
    started: Instant,
    rps: f64,
    reports: &watch::Sender<LoadReport>,
) {
    let window = match shared.window.lock() {
        Ok(mut w) => std::mem::take(&mut *w),
        Err(_) => Tally::default(),
    };
    report.total.merge(&window);
    report.last_second = window;
    report.elapsed = started.elapsed();
    report.target_rps = rps;
    report.in_flight = shared.in_flight.load(Ordering::Relaxed);
    let _ = reports.send(report.clone());
}

const ACCOUNTS: usize = 10;

fn account(i: usize) -> String {
    format!("ACC-{:03}", i + 1)
}

async fn send(
    client: reqwest::Client,
    base: String,
    endpoint: Endpoint,
    scheduled: Instant,
    shared: Arc<Shared>,
) {
    shared.in_flight.fetch_add(1, Ordering::Relaxed);
    let request = match endpoint {
        Endpoint::Balance => client.get(format!("{base}/api/balance")),
        Endpoint::Health => client.get(format!("{base}/health")),
        Endpoint::Accounts => client.get(format!("{base}/api/accounts")),
        Endpoint::BalanceBulk => client
            .post(format!("{base}/api/balance-bulk"))
            .header("content-type", "application/json")
            .body(r#"{"count":5}"#),
        Endpoint::Transfer => {
            // A few cents between two random accounts, either direction with
            // equal chance: balances wander but do not drain.
            let mut rng = rand::rng();
            let from = rng.random_range(0..ACCOUNTS);
            let to = (from + rng.random_range(1..ACCOUNTS)) % ACCOUNTS;
            let cents: u32 = rng.random_range(1..=100);
            let body = format!(
                r#"{{"from_account":"{}","to_account":"{}","amount":{}.{:02}}}"#,
                account(from),
                account(to),
                cents / 100,
                cents % 100
            );
            client
                .post(format!("{base}/api/transfer"))
                .header("content-type", "application/json")
                .body(body)
        }
    };
    let outcome = match request.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16();
            // Read the body so the connection can be reused.
            let _ = resp.bytes().await;
            Outcome::Status(status)
        }
        Err(_) => Outcome::NoAnswer,
    };
    let latency = scheduled.elapsed();
    if let Ok(mut w) = shared.window.lock() {
        w.record(outcome, latency);
    }
    shared.in_flight.fetch_sub(1, Ordering::Relaxed);
}
