//! Judging one observation: a query's values reduced to one number and
//! compared against the check's bounds (the I/O that fetches them is in
//! `io`).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::cases::check::{Comparison, Reduce, Threshold};
use crate::cases::{Lang, Phase};

/// Values captured at baseline, by name.
pub(crate) type Captures = BTreeMap<String, f64>;

/// What one poll saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observation {
    Holds(Option<f64>),
    Fails(Option<f64>),
    /// No series, NaN, or the source did not answer: keep polling.
    NoData,
    /// No series or NaN where the check says `on_no_data: fail`: the check
    /// has failed.
    Refuted,
}

/// How a check ended.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub phase: Phase,
    pub id: String,
    pub passed: bool,
    /// The last value seen (for a query probe).
    pub value: Option<f64>,
    /// From the start of its phase (the injection, the recover action) to
    /// its pass (or to its timeout).
    pub after: Duration,
    pub message: String,
}

/// Reduces the series of a query to one number; NaN values are ignored.
pub(crate) fn reduce(values: &[f64], how: Reduce) -> Option<f64> {
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

pub(crate) fn bound(t: &Threshold, captures: &Captures) -> Option<f64> {
    match t {
        Threshold::Value(v) => Some(*v),
        Threshold::Capture(c) => captures.get(&c.name).map(|v| v * c.factor + c.offset),
    }
}

/// A value as people read it: whole above 100, else to three decimals.
/// Checks compare this, so `above 0.1` never passes on a value shown as
/// `0.100`.
pub(crate) fn shown(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 1000.0).round() / 1000.0
    }
}

/// A value as [`shown`], in text.
pub(crate) fn show(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{:.0}", shown(v))
    } else {
        format!("{:.3}", shown(v))
    }
}

/// [`show`] as `lang` writes numbers.
pub(crate) fn show_in(v: f64, lang: Lang) -> String {
    lang.decimal(show(v))
}

/// Whether `value`, as shown, meets the comparison (strictly: `above`
/// means above); `None` when a capture it needs is missing.
pub(crate) fn compare(value: f64, cmp: &Comparison, captures: &Captures) -> Option<bool> {
    let value = shown(value);
    Some(match cmp {
        Comparison::Above(t) => value > bound(t, captures)?,
        Comparison::Below(t) => value < bound(t, captures)?,
        Comparison::Between { min, max } => {
            value > bound(min, captures)? && value < bound(max, captures)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::check::CaptureRef;

    #[test]
    fn above_means_strictly_above_the_value_as_shown() {
        let caps = Captures::new();
        let above = Comparison::Above(Threshold::Value(0.1));
        assert_eq!(show(0.1004), "0.100");
        assert_eq!(compare(0.1004, &above, &caps), Some(false), "shown 0.100");
        assert_eq!(compare(0.1, &above, &caps), Some(false));
        assert_eq!(compare(0.1006, &above, &caps), Some(true), "shown 0.101");
        let below = Comparison::Below(Threshold::Value(0.5));
        assert_eq!(compare(0.4998, &below, &caps), Some(false), "shown 0.500");
        assert_eq!(show(54525952.4), "54525952");
    }

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
