//! Evaluating one check: a probe's observation, the comparison against its
//! bounds, and the polling loop with `hold_for` and `timeout`.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::cases::check::{AlertState, Check, Comparison, NoData, Probe, Reduce, Threshold};
use crate::telemetry::{AlertStatus, Source};

/// Values captured at baseline, by name.
pub type Captures = BTreeMap<String, f64>;

/// What one poll saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation {
    Holds(Option<f64>),
    Fails(Option<f64>),
    /// No series, NaN, or the source did not answer.
    NoData,
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub phase: &'static str,
    pub id: String,
    pub passed: bool,
    /// The last value seen (for a query probe).
    pub value: Option<f64>,
    /// From the start of the check to its pass (or to its timeout).
    pub after: Duration,
    pub message: String,
}

/// Reduces the series of a query to one number; NaN values are ignored.
pub fn reduce(values: &[f64], how: Reduce) -> Option<f64> {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    Some(match how {
        Reduce::Max => v.iter().copied().fold(f64::MIN, f64::max),
        Reduce::Min => v.iter().copied().fold(f64::MAX, f64::min),
        Reduce::Sum => v.iter().sum(),
        Reduce::Avg => v.iter().sum::<f64>() / v.len() as f64,
        Reduce::First => v[0],
    })
}

fn bound(t: &Threshold, captures: &Captures) -> Option<f64> {
    match t {
        Threshold::Value(v) => Some(*v),
        Threshold::Capture(c) => captures.get(&c.name).map(|v| v * c.factor + c.offset),
    }
}

/// Whether `value` meets the comparison; `None` when a capture it needs is missing.
pub fn compare(value: f64, cmp: &Comparison, captures: &Captures) -> Option<bool> {
    Some(match cmp {
        Comparison::Above(t) => value > bound(t, captures)?,
        Comparison::Below(t) => value < bound(t, captures)?,
        Comparison::Between { min, max } => {
            value > bound(min, captures)? && value < bound(max, captures)?
        }
    })
}

/// What the runner observes with.
pub struct Senses<'a> {
    pub source: &'a Source,
    pub http: &'a reqwest::Client,
    pub api_url: &'a str,
}

pub async fn observe(senses: &Senses<'_>, probe: &Probe, captures: &Captures) -> Observation {
    match probe {
        Probe::Query(q) => {
            let Ok(values) = senses.source.values(&q.promql).await else {
                return Observation::NoData;
            };
            match reduce(&values, q.reduce) {
                None => match q.on_no_data {
                    NoData::Pass => Observation::Holds(None),
                    NoData::Fail | NoData::Pending => Observation::NoData,
                },
                Some(v) => match compare(v, &q.expect, captures) {
                    Some(true) => Observation::Holds(Some(v)),
                    Some(false) | None => Observation::Fails(Some(v)),
                },
            }
        }
        Probe::Alert(a) => {
            let Ok(status) = senses.source.alert(&a.name).await else {
                return Observation::NoData;
            };
            let wanted = match a.state {
                AlertState::Firing => status == AlertStatus::Firing,
                AlertState::Pending => status == AlertStatus::Pending,
                AlertState::Inactive => status == AlertStatus::Inactive,
            };
            if wanted {
                Observation::Holds(None)
            } else {
                Observation::Fails(None)
            }
        }
        Probe::Http(h) => {
            let url = format!("{}{}", senses.api_url, h.get);
            match senses.http.get(url).send().await {
                Ok(r) if r.status().as_u16() == h.status => Observation::Holds(None),
                Ok(r) => Observation::Fails(Some(f64::from(r.status().as_u16()))),
                Err(_) => Observation::NoData,
            }
        }
    }
}

/// Polls `check` until it has held for `hold_for` (passed), its timeout
/// runs out (failed), or `stop` is cancelled (failed).
pub async fn watch(
    senses: &Senses<'_>,
    phase: &'static str,
    check: &Check,
    captures: &Captures,
    message: String,
    stop: &CancellationToken,
) -> CheckResult {
    let started = Instant::now();
    let mut holding_since: Option<Instant> = None;
    let mut last = None;
    loop {
        let seen = observe(senses, &check.probe, captures).await;
        let now = Instant::now();
        match seen {
            Observation::Holds(v) => {
                last = v.or(last);
                let since = *holding_since.get_or_insert(now);
                if now - since >= check.hold_for.get() {
                    return result(phase, check, true, last, started.elapsed(), message);
                }
            }
            Observation::Fails(v) => {
                last = v.or(last);
                holding_since = None;
            }
            Observation::NoData => holding_since = None,
        }
        if started.elapsed() >= check.timeout.get() {
            return result(phase, check, false, last, started.elapsed(), message);
        }
        tokio::select! {
            _ = stop.cancelled() => return result(phase, check, false, last, started.elapsed(), message),
            _ = tokio::time::sleep(check.poll.get()) => {}
        }
    }
}

fn result(
    phase: &'static str,
    check: &Check,
    passed: bool,
    value: Option<f64>,
    after: Duration,
    message: String,
) -> CheckResult {
    CheckResult {
        phase,
        id: check.id.clone(),
        passed,
        value,
        after,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::check::CaptureRef;

    #[test]
    fn reduce_ignores_nan_and_empty_is_no_data() {
        assert_eq!(reduce(&[1.0, f64::NAN, 3.0], Reduce::Max), Some(3.0));
        assert_eq!(reduce(&[1.0, 3.0], Reduce::Avg), Some(2.0));
        assert_eq!(reduce(&[f64::NAN], Reduce::Sum), None);
        assert_eq!(reduce(&[], Reduce::Min), None);
    }

    #[test]
    fn relative_bounds_read_the_capture() {
        let mut caps = Captures::new();
        caps.insert("p95_base".into(), 0.1);
        let three_times = Comparison::Above(Threshold::Capture(CaptureRef {
            name: "p95_base".into(),
            factor: 3.0,
            offset: 0.0,
        }));
        assert_eq!(compare(0.31, &three_times, &caps), Some(true));
        assert_eq!(compare(0.29, &three_times, &caps), Some(false));
        assert_eq!(compare(0.5, &three_times, &Captures::new()), None);
        let band = Comparison::Between {
            min: Threshold::Value(0.25),
            max: Threshold::Value(0.35),
        };
        assert_eq!(compare(0.3, &band, &caps), Some(true));
        assert_eq!(
            compare(0.35, &band, &caps),
            Some(false),
            "bounds are exclusive"
        );
    }
}
