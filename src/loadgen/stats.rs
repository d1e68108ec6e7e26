//! What the generator measured: latencies (hdrhistogram, from the *scheduled*
//! send time) and outcomes, overall and over the last second.

use std::time::Duration;

use hdrhistogram::Histogram;

/// The outcome of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Status(u16),
    /// Connection refused, reset, or timed out: no HTTP answer at all.
    NoAnswer,
}

/// A running tally.
#[derive(Debug, Clone)]
pub struct Tally {
    latency_us: Histogram<u64>,
    pub ok: u64,
    pub client_errors: u64,
    pub server_errors: u64,
    pub no_answer: u64,
}

/// Highest latency tracked: one hour, in microseconds.
const MAX_US: u64 = 3_600_000_000;

impl Default for Tally {
    fn default() -> Self {
        Self {
            // 3 significant digits: 0.1 % resolution, a few hundred KiB.
            latency_us: Histogram::new_with_bounds(1, MAX_US, 3)
                .expect("constant histogram bounds are valid"),
            ok: 0,
            client_errors: 0,
            server_errors: 0,
            no_answer: 0,
        }
    }
}

impl Tally {
    pub fn record(&mut self, outcome: Outcome, latency: Duration) {
        let us = u64::try_from(latency.as_micros())
            .unwrap_or(MAX_US)
            .clamp(1, MAX_US);
        let _ = self.latency_us.record(us);
        match outcome {
            Outcome::Status(s) if (200..400).contains(&s) => self.ok += 1,
            Outcome::Status(s) if (400..500).contains(&s) => self.client_errors += 1,
            Outcome::Status(_) => self.server_errors += 1,
            Outcome::NoAnswer => self.no_answer += 1,
        }
    }

    pub fn completed(&self) -> u64 {
        self.ok + self.client_errors + self.server_errors + self.no_answer
    }

    pub fn quantile(&self, q: f64) -> Duration {
        if self.latency_us.is_empty() {
            return Duration::ZERO;
        }
        Duration::from_micros(self.latency_us.value_at_quantile(q))
    }

    /// Share of completed requests that failed on the server side or got no
    /// answer: what a user would call "errors".
    pub fn error_ratio(&self) -> f64 {
        let n = self.completed();
        if n == 0 {
            0.0
        } else {
            (self.server_errors + self.no_answer) as f64 / n as f64
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        let _ = self.latency_us.add(&other.latency_us);
        self.ok += other.ok;
        self.client_errors += other.client_errors;
        self.server_errors += other.server_errors;
        self.no_answer += other.no_answer;
    }
}

/// What the generator reports, every second and at the end.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    pub target_rps: f64,
    /// Requests sent since the start.
    pub sent: u64,
    /// Requests in flight now.
    pub in_flight: u64,
    /// Time since the start; in the final report, the sending window.
    pub elapsed: Duration,
    /// Everything since the start.
    pub total: Tally,
    /// The last full second only.
    pub last_second: Tally,
}

impl LoadReport {
    /// Completed requests per second over the whole run.
    pub fn achieved_rps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs <= 0.0 {
            0.0
        } else {
            self.total.completed() as f64 / secs
        }
    }

    /// Requests sent per second over the whole run (the schedule kept).
    pub fn sent_rps(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs <= 0.0 {
            0.0
        } else {
            self.sent as f64 / secs
        }
    }

    /// One line for a terminal.
    pub fn progress_line(&self) -> String {
        let t = &self.total;
        format!(
            "{:>5.0}s  target {:.0}/s  achieved {:.1}/s  last 1s {}/s  in flight {}  2xx {}  4xx {}  5xx {}  no answer {}  p50 {}  p95 {}  p99 {}",
            self.elapsed.as_secs_f64(),
            self.target_rps,
            self.achieved_rps(),
            self.last_second.completed(),
            self.in_flight,
            t.ok,
            t.client_errors,
            t.server_errors,
            t.no_answer,
            ms(t.quantile(0.50)),
            ms(t.quantile(0.95)),
            ms(t.quantile(0.99)),
        )
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.1}ms", d.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_error_ratio_follow_what_was_recorded() {
        let mut t = Tally::default();
        for i in 1..=100 {
            t.record(Outcome::Status(200), Duration::from_millis(i));
        }
        t.record(Outcome::Status(503), Duration::from_millis(1));
        t.record(Outcome::NoAnswer, Duration::from_millis(1));
        t.record(Outcome::Status(422), Duration::from_millis(1));
        let p50 = t.quantile(0.5).as_millis();
        assert!((49..=52).contains(&p50), "{p50}");
        assert_eq!(t.completed(), 103);
        assert!((t.error_ratio() - 2.0 / 103.0).abs() < 1e-9);
    }
}
