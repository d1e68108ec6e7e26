//! A ring buffer of timed samples: the last few minutes of one signal, for a
//! sparkline and for "the highest p95 this case reached".
//!
//! Times are seconds on the caller's clock (the console counts from its own
//! start), so the buffer is plain data and tests need no real clock.

use std::collections::VecDeque;

/// Samples of one signal within a sliding time window.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    window_s: f64,
    points: VecDeque<(f64, f64)>,
}

impl Series {
    /// Keeps samples no older than `window_s` seconds before the newest one.
    pub fn new(window_s: f64) -> Self {
        Self {
            window_s,
            points: VecDeque::new(),
        }
    }

    pub fn window_s(&self) -> f64 {
        self.window_s
    }

    /// Adds a sample at `t`; NaN and infinities are dropped (a ratio of zero
    /// requests is "no data", not a point on the chart). Samples must come in
    /// time order; an older one is ignored.
    pub fn push(&mut self, t: f64, value: f64) {
        if !value.is_finite() {
            return;
        }
        if let Some(&(last, _)) = self.points.back()
            && t < last
        {
            return;
        }
        self.points.push_back((t, value));
        while let Some(&(first, _)) = self.points.front() {
            if t - first > self.window_s {
                self.points.pop_front();
            } else {
                break;
            }
        }
    }

    pub fn latest(&self) -> Option<f64> {
        self.points.back().map(|&(_, v)| v)
    }

    pub fn max(&self) -> Option<f64> {
        self.points
            .iter()
            .map(|&(_, v)| v)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn points(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.points.iter().copied()
    }

    /// The window ending at `now` cut into `n` equal slots, each holding the
    /// highest sample that fell into it (a spike must not vanish because it
    /// shares a column with calm samples).
    pub fn buckets(&self, now: f64, n: usize) -> Vec<Option<f64>> {
        let mut out = vec![None; n];
        if n == 0 {
            return out;
        }
        let start = now - self.window_s;
        let width = self.window_s / n as f64;
        for &(t, v) in &self.points {
            if t < start || t > now {
                continue;
            }
            let i = (((t - start) / width) as usize).min(n - 1);
            out[i] = Some(out[i].map_or(v, |m: f64| m.max(v)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_older_than_the_window_fall_out() {
        let mut s = Series::new(300.0);
        s.push(0.0, 1.0);
        s.push(100.0, 5.0);
        s.push(301.0, 2.0);
        assert_eq!(s.len(), 2);
        assert_eq!(s.max(), Some(5.0));
        assert_eq!(s.latest(), Some(2.0));
    }

    #[test]
    fn nan_is_no_data_and_out_of_order_samples_are_ignored() {
        let mut s = Series::new(60.0);
        s.push(10.0, f64::NAN);
        s.push(10.0, 1.0);
        s.push(5.0, 9.0);
        assert_eq!(s.len(), 1);
        assert_eq!(s.max(), Some(1.0));
    }

    #[test]
    fn a_bucket_keeps_its_highest_sample() {
        let mut s = Series::new(10.0);
        for (t, v) in [(1.0, 1.0), (1.5, 7.0), (9.0, 2.0)] {
            s.push(t, v);
        }
        let b = s.buckets(10.0, 5);
        assert_eq!(b, vec![Some(7.0), None, None, None, Some(2.0)]);
    }
}
