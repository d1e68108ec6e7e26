//! A check: something the runner polls until it holds, and the sentence a
//! student reads when it does not.
//!
//! In a file a check is one flat mapping (`promql:` + `above:`, or `alert:`,
//! or `http:`), because that is what an instructor finds easy to write. It is
//! read into [`CheckSpec`] and turned into the typed [`Check`], so code that
//! runs checks never meets a check with two probes or none.

use std::fmt;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::bilingual::Text;
use super::duration::CaseDuration;

/// How often a check is polled unless it says otherwise: the scrape interval,
/// since Prometheus has no newer value to offer between scrapes.
pub(crate) const DEFAULT_POLL: CaseDuration = CaseDuration::from_secs(5);
/// How long a check may stay unmet unless it says otherwise.
pub(crate) const DEFAULT_TIMEOUT: CaseDuration = CaseDuration::from_secs(120);

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "CheckSpec")]
pub struct Check {
    /// Unique within the case; hints and reports refer to it.
    pub id: String,
    pub probe: Probe,
    /// The condition must hold this long without a break to pass.
    pub hold_for: CaseDuration,
    pub poll: CaseDuration,
    /// The check fails when it has not passed this long after it started.
    pub timeout: CaseDuration,
    /// Shown to the student: what the check looks for, and why.
    pub message: Text,
    /// A detect check that shows what does *not* change (the request rate
    /// under latency): it holds at baseline too, so `workshop cases check`
    /// does not require it to fail there.
    pub steady: bool,
}

/// What a check looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    Query(QueryProbe),
    Alert(AlertProbe),
    Http(HttpProbe),
}

/// A PromQL query whose value, reduced to one number, is compared.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryProbe {
    pub promql: String,
    pub reduce: Reduce,
    pub expect: Comparison,
    pub on_no_data: NoData,
}

/// An alert rule in a given state.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertProbe {
    pub name: String,
    pub state: AlertState,
}

/// A GET on the API answered with a given status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpProbe {
    /// Path on the API, e.g. `/health`.
    pub get: String,
    /// The status the answer must have, e.g. `200` or `503`.
    pub status: u16,
}

/// How the series a query returns become one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reduce {
    #[default]
    Max,
    Min,
    Avg,
    Sum,
    /// The first series as Prometheus returns it; for queries that return one.
    First,
}

/// What an empty result (or NaN, e.g. a ratio of zero requests) means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoData {
    Fail,
    /// Keep waiting: the series may not exist yet (no 5xx served so far).
    #[default]
    Pending,
    Pass,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    #[default]
    Firing,
    Pending,
    /// Neither pending nor firing: used to check that an alert has cleared.
    Inactive,
}

impl AlertState {
    /// The state as a case file writes it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Pending => "pending",
            AlertState::Inactive => "inactive",
        }
    }
}

/// The condition on the reduced value. Bounds are exclusive: `above: 1.5`
/// does not hold at exactly 1.5.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    Above(Threshold),
    Below(Threshold),
    Between { min: Threshold, max: Threshold },
}

/// A bound: a number, or a value captured at baseline scaled as
/// `capture × factor + offset`. Relative bounds keep a case meaningful on a
/// slow laptop and a fast one alike: "three times the baseline p95".
#[derive(Debug, Clone, PartialEq)]
pub enum Threshold {
    Value(f64),
    Capture(CaptureRef),
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaptureRef {
    /// A capture of `phases.baseline.captures`.
    #[serde(rename = "capture")]
    pub name: String,
    /// Multiplies the captured value (default 1).
    #[serde(default = "one")]
    pub factor: f64,
    /// Added after the factor (default 0).
    #[serde(default)]
    pub offset: f64,
}

fn one() -> f64 {
    1.0
}

impl Threshold {
    pub fn capture(&self) -> Option<&CaptureRef> {
        match self {
            Threshold::Value(_) => None,
            Threshold::Capture(c) => Some(c),
        }
    }
}

impl Comparison {
    pub fn thresholds(&self) -> Vec<&Threshold> {
        match self {
            Comparison::Above(t) | Comparison::Below(t) => vec![t],
            Comparison::Between { min, max } => vec![min, max],
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Threshold::Value(v) => write!(f, "{v}"),
            Threshold::Capture(c) => {
                if c.factor != 1.0 {
                    write!(f, "{} × ", c.factor)?;
                }
                write!(f, "{}", c.name)?;
                if c.offset != 0.0 {
                    write!(f, " + {}", c.offset)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Comparison::Above(t) => write!(f, "> {t}"),
            Comparison::Below(t) => write!(f, "< {t}"),
            Comparison::Between { min, max } => write!(f, "between {min} and {max}"),
        }
    }
}

impl<'de> Deserialize<'de> for Threshold {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Bound;
        impl<'de> Visitor<'de> for Bound {
            type Value = Threshold;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or `{capture: NAME, factor: N, offset: N}`")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Threshold, E> {
                Ok(Threshold::Value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Threshold, E> {
                Ok(Threshold::Value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Threshold, E> {
                Ok(Threshold::Value(v as f64))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Threshold, A::Error> {
                CaptureRef::deserialize(MapAccessDeserializer::new(map)).map(Threshold::Capture)
            }
        }
        de.deserialize_any(Bound)
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Range {
    /// The lower bound (exclusive).
    pub min: Threshold,
    /// The upper bound (exclusive).
    pub max: Threshold,
}

/// A check as written in a file; see the module doc.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    /// Kebab-case, unique within the case; hints and reports name it.
    id: String,
    /// A PromQL query, reduced to one number and compared with `above`,
    /// `below` or `between`. It must read the app only: `{job="fintech-api"}`
    /// on a metric Prometheus also has about itself (`up`, `process_*`).
    promql: Option<String>,
    /// How the series of the result become one number: `max` (default),
    /// `min`, `avg`, `sum`, or `first` for a query that returns one.
    reduce: Option<Reduce>,
    /// Passes while the value is above this bound (exclusive).
    above: Option<Threshold>,
    /// Passes while the value is below this bound (exclusive).
    below: Option<Threshold>,
    /// Passes while the value lies between `min` and `max` (exclusive).
    between: Option<Range>,
    /// What an empty result or NaN means: `fail`, `pending` (default: keep
    /// polling, the series may not exist yet) or `pass`.
    on_no_data: Option<NoData>,
    /// An alerting rule of `compose/alerts.yml`, in the state `state`.
    alert: Option<String>,
    /// The alert's state for `alert`: `firing` (default), `pending`, or
    /// `inactive` (neither: the alert has cleared).
    state: Option<AlertState>,
    /// A GET on the API answered with a given status:
    /// `{get: /health, status: 200}`.
    http: Option<HttpProbe>,
    /// The condition must hold this long without a break (default `0s`);
    /// at most `timeout`.
    hold_for: Option<CaseDuration>,
    /// How often the check is evaluated (default `5s`, the scrape interval).
    poll: Option<CaseDuration>,
    /// The check fails when it has not passed this long after it started
    /// (default `2m`).
    timeout: Option<CaseDuration>,
    /// A detect check that shows what does not change: it holds at baseline
    /// too, so `workshop cases check` does not require it to fail there.
    steady: Option<bool>,
    /// Shown to the student: what the check looks for, and why.
    message: Text,
}

/// Names the fields present among `names`, for messages.
fn present(fields: &[(&'static str, bool)]) -> Vec<&'static str> {
    fields.iter().filter(|(_, p)| *p).map(|(n, _)| *n).collect()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(" and ")
}

impl TryFrom<CheckSpec> for Check {
    type Error = String;

    fn try_from(s: CheckSpec) -> Result<Self, String> {
        let kinds = present(&[
            ("promql", s.promql.is_some()),
            ("alert", s.alert.is_some()),
            ("http", s.http.is_some()),
        ]);
        let comparisons = present(&[
            ("above", s.above.is_some()),
            ("below", s.below.is_some()),
            ("between", s.between.is_some()),
        ]);
        let query_only = present(&[
            ("reduce", s.reduce.is_some()),
            ("on_no_data", s.on_no_data.is_some()),
        ]);
        let probe = match (s.promql, s.alert, s.http) {
            (Some(promql), None, None) => {
                let expect = match (s.above, s.below, s.between) {
                    (Some(t), None, None) => Comparison::Above(t),
                    (None, Some(t), None) => Comparison::Below(t),
                    (None, None, Some(r)) => Comparison::Between {
                        min: r.min,
                        max: r.max,
                    },
                    (None, None, None) => {
                        return Err(format!(
                            "check `{}` has `promql` but no comparison; add one of `above`, `below` or `between`",
                            s.id
                        ));
                    }
                    _ => {
                        return Err(format!(
                            "check `{}` has {}; keep exactly one comparison",
                            s.id,
                            quoted(&comparisons)
                        ));
                    }
                };
                if s.state.is_some() {
                    return Err(format!(
                        "check `{}`: `state` belongs to `alert` checks; remove it",
                        s.id
                    ));
                }
                Probe::Query(QueryProbe {
                    promql,
                    reduce: s.reduce.unwrap_or_default(),
                    expect,
                    on_no_data: s.on_no_data.unwrap_or_default(),
                })
            }
            (None, alert, http) if kinds.len() == 1 => {
                if let Some(extra) = comparisons.first().or(query_only.first()) {
                    return Err(format!(
                        "check `{}`: `{extra}` belongs to `promql` checks; remove it",
                        s.id
                    ));
                }
                match (alert, http) {
                    (Some(name), _) => Probe::Alert(AlertProbe {
                        name,
                        state: s.state.unwrap_or_default(),
                    }),
                    (None, Some(http)) if s.state.is_none() => Probe::Http(http),
                    (None, _) => {
                        return Err(format!(
                            "check `{}`: `state` belongs to `alert` checks; remove it",
                            s.id
                        ));
                    }
                }
            }
            _ if kinds.is_empty() => {
                return Err(format!(
                    "check `{}` says nothing to look at; add one of `promql`, `alert` or `http`",
                    s.id
                ));
            }
            _ => {
                return Err(format!(
                    "check `{}` has {}; a check looks at exactly one of `promql`, `alert` or `http`",
                    s.id,
                    quoted(&kinds)
                ));
            }
        };
        Ok(Check {
            id: s.id,
            probe,
            hold_for: s.hold_for.unwrap_or_default(),
            poll: s.poll.unwrap_or(DEFAULT_POLL),
            timeout: s.timeout.unwrap_or(DEFAULT_TIMEOUT),
            message: s.message,
            steady: s.steady.unwrap_or(false),
        })
    }
}
