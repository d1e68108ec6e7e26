//! Telemetry without Prometheus: the API's own `/metrics`, scraped directly.
//!
//! Two scrapes some seconds apart give what the workshop's recording rules
//! give: the request rate, the share of 5xx, and p95 from the latency
//! histogram's buckets. The window is one minute, like the rules' `rate(…[1m])`,
//! so a chart fed from here and a check fed from Prometheus agree on what
//! "p95 now" means. Counter resets (the API restarted) count the new value
//! as the increase, as Prometheus does.

use std::collections::VecDeque;
use std::time::Duration;

/// One sample of the text exposition: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

impl Sample {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses the Prometheus text format; lines it cannot read are skipped (a
/// scrape is advisory: one odd line must not blank the whole chart).
pub(crate) fn parse(text: &str) -> Vec<Sample> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<Sample> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let (name, labels, rest) = match line.find('{') {
        Some(open) => {
            let close = line.rfind('}')?;
            (
                &line[..open],
                parse_labels(&line[open + 1..close])?,
                &line[close + 1..],
            )
        }
        None => {
            let (name, rest) = line.split_once(char::is_whitespace)?;
            (name, Vec::new(), rest)
        }
    };
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    Some(Sample {
        name: name.trim().to_string(),
        labels,
        value,
    })
}

fn parse_labels(text: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if chars.next()? != '"' {
            return None;
        }
        let mut value = String::new();
        loop {
            match chars.next()? {
                '\\' => match chars.next()? {
                    'n' => value.push('\n'),
                    c => value.push(c),
                },
                '"' => break,
                c => value.push(c),
            }
        }
        out.push((key.trim().to_string(), value));
    }
}

/// One scrape and when it was taken (seconds on the caller's clock).
#[derive(Debug, Clone, PartialEq)]
pub struct Scrape {
    pub at: f64,
    pub samples: Vec<Sample>,
}

impl Scrape {
    pub fn new(at: f64, text: &str) -> Self {
        Self {
            at,
            samples: parse(text),
        }
    }

    /// Sum of every series of `name` whose labels pass `keep`.
    pub fn sum(&self, name: &str, keep: impl Fn(&Sample) -> bool) -> Option<f64> {
        let mut found = false;
        let total = self
            .samples
            .iter()
            .filter(|s| s.name == name && keep(s))
            .inspect(|_| found = true)
            .map(|s| s.value)
            .sum();
        found.then_some(total)
    }

    /// Cumulative bucket counts of histogram `name`, summed over its other
    /// labels for the series `keep` passes, by upper bound ascending (the
    /// last is +Inf).
    pub fn buckets(&self, name: &str, keep: impl Fn(&Sample) -> bool) -> Vec<(f64, f64)> {
        let bucket = format!("{name}_bucket");
        let mut out: Vec<(f64, f64)> = Vec::new();
        for s in self.samples.iter().filter(|s| s.name == bucket && keep(s)) {
            let Some(le) = s.label("le").and_then(|le| match le {
                "+Inf" => Some(f64::INFINITY),
                v => v.parse::<f64>().ok(),
            }) else {
                continue;
            };
            match out.iter_mut().find(|(b, _)| *b == le) {
                Some((_, c)) => *c += s.value,
                None => out.push((le, s.value)),
            }
        }
        out.sort_by(|a, b| a.0.total_cmp(&b.0));
        out
    }
}

/// The increase of a counter between two readings, reset-aware.
fn increase(old: f64, new: f64) -> f64 {
    if new < old { new } else { new - old }
}

/// The `q` quantile from cumulative bucket increases, interpolated linearly
/// inside the bucket the rank falls in, as `histogram_quantile` does. A rank
/// in the +Inf bucket reads as the highest finite bound.
pub(crate) fn quantile(q: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    let total = buckets.last()?.1;
    if total <= 0.0 {
        return None;
    }
    let rank = q * total;
    let mut lower = (0.0, 0.0);
    for &(le, count) in buckets {
        if count >= rank {
            if le.is_infinite() {
                return Some(lower.0);
            }
            let in_bucket = count - lower.1;
            if in_bucket <= 0.0 {
                return Some(le);
            }
            return Some(lower.0 + (le - lower.0) * (rank - lower.1) / in_bucket);
        }
        lower = (le, count);
    }
    Some(lower.0)
}

const REQUESTS: &str = "fintech_requests_total";
const LATENCY: &str = "fintech_request_latency_seconds";

/// The routes the workshop's own tools call to watch and steer the API:
/// health probes (Docker, the supervisor, the console) and the fault
/// controls the console polls. The rates, ratios and p95 a student reads
/// leave them out, so 2/s of load reads as 2/s and not as 4.3/s; the rules
/// in `compose/alerts.yml` hold the same list (a test compares them).
pub(crate) const TOOL_ENDPOINTS: [&str; 4] = ["/livez", "/readyz", "/api/failures", "/api/reset"];

/// Whether a series counts the API's own traffic (not a tool's probe).
fn served(s: &Sample) -> bool {
    !s.label("endpoint")
        .is_some_and(|e| TOOL_ENDPOINTS.contains(&e))
}

/// What two scrapes tell, with the recording rules' meaning.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Derived {
    /// Requests per second (`job:fintech_request_rate:1m`).
    pub rps: Option<f64>,
    /// 5xx share from 0 to 1 (`job:fintech_error_rate:5m`).
    pub error_ratio: Option<f64>,
    /// Seconds (`job:fintech_p95_latency:5m`).
    pub p95: Option<f64>,
}

/// Rates and p95 between an older and a newer scrape.
pub(crate) fn derive(old: &Scrape, new: &Scrape) -> Derived {
    let dt = new.at - old.at;
    if dt <= 0.0 {
        return Derived::default();
    }
    // 0, not "no data", while only the tools call an API that is up (as
    // the recording rule reads).
    let all = |s: &Scrape| {
        s.sum(REQUESTS, served)
            .or_else(|| s.sum(REQUESTS, |_| true).map(|_| 0.0))
    };
    let errors = |s: &Scrape| {
        s.sum(REQUESTS, |x| {
            served(x) && x.label("status").is_some_and(|c| c.starts_with('5'))
        })
        .unwrap_or(0.0)
    };
    let requests = match (all(old), all(new)) {
        (Some(a), Some(b)) => Some(increase(a, b)),
        (None, Some(b)) => Some(b),
        _ => None,
    };
    let rps = requests.map(|r| r / dt);
    let error_ratio = requests
        .filter(|r| *r > 0.0)
        .map(|r| increase(errors(old), errors(new)) / r);
    let before = old.buckets(LATENCY, served);
    let deltas: Vec<(f64, f64)> = new
        .buckets(LATENCY, served)
        .into_iter()
        .map(|(le, c)| {
            let prev = before
                .iter()
                .find(|(b, _)| *b == le)
                .map_or(0.0, |(_, p)| *p);
            (le, increase(prev, c))
        })
        .collect();
    Derived {
        rps,
        error_ratio,
        p95: quantile(0.95, &deltas),
    }
}

/// The scrapes of the last minute (plus one older, so a full minute is
/// always covered once the window is warm).
#[derive(Debug, Clone, Default)]
pub struct ScrapeWindow {
    scrapes: VecDeque<Scrape>,
}

/// The span the rates are taken over, as in the recording rules.
pub(crate) const RATE_WINDOW_S: f64 = 60.0;

/// A query the scrape window cannot answer (it is not PromQL).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "`{0}` needs Prometheus: without it only the workshop's recording rules and plain metric names can be read"
)]
pub struct Unsupported(pub String);

impl ScrapeWindow {
    pub fn push(&mut self, scrape: Scrape) {
        let now = scrape.at;
        self.scrapes.push_back(scrape);
        while self.scrapes.len() > 2 && now - self.scrapes[1].at >= RATE_WINDOW_S {
            self.scrapes.pop_front();
        }
    }

    pub fn latest(&self) -> Option<&Scrape> {
        self.scrapes.back()
    }

    /// Forgets everything, e.g. when the API went away.
    pub fn clear(&mut self) {
        self.scrapes.clear();
    }

    /// Rates over the last minute (or what there is of it).
    pub fn derived(&self) -> Derived {
        match (self.scrapes.front(), self.scrapes.back()) {
            (Some(a), Some(b)) if self.scrapes.len() >= 2 => derive(a, b),
            _ => Derived::default(),
        }
    }

    /// Sum of a plain metric in the newest scrape.
    pub fn gauge(&self, name: &str) -> Option<f64> {
        self.latest()?.sum(name, |_| true)
    }

    /// Answers the queries the workshop's cases write: the recording rules
    /// by name, and bare metric names (optionally wrapped in `sum(…)`,
    /// `max(…)` or with a label matcher, which is ignored: there is one API
    /// here). Anything else is [`Unsupported`]. The live signals do not come
    /// through here: each says how a scrape computes it (`Scraped`, beside
    /// the signals).
    pub fn values(&self, query: &str) -> Result<Vec<f64>, Unsupported> {
        let name = bare_name(query).ok_or_else(|| Unsupported(query.to_string()))?;
        let d = self.derived();
        let v = match name {
            "job:fintech_p95_latency:5m" => d.p95,
            "job:fintech_error_rate:5m" => d.error_ratio,
            "job:fintech_request_rate:1m" => d.rps,
            n if n.contains(':') => return Err(Unsupported(query.to_string())),
            n => self.gauge(n),
        };
        Ok(v.into_iter().collect())
    }
}

/// `max(job:x{a="b"})` → `job:x`; None for anything with operators or ranges.
fn bare_name(query: &str) -> Option<&str> {
    let mut q = query.trim();
    for agg in ["sum(", "max(", "min(", "avg("] {
        if let Some(inner) = q.strip_prefix(agg).and_then(|r| r.strip_suffix(')')) {
            q = inner.trim();
            break;
        }
    }
    let q = match q.find('{') {
        Some(i) if q.ends_with('}') => &q[..i],
        Some(_) => return None,
        None => q,
    };
    (!q.is_empty()
        && q.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'))
    .then_some(q)
}

/// Fetches `<api>/metrics` as text.
pub(crate) async fn fetch(http: &reqwest::Client, api_url: &str) -> Result<String, String> {
    let url = format!("{}/metrics", api_url.trim_end_matches('/'));
    let resp = http
        .get(&url)
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .map_err(|e| crate::cause::reason(&e))?;
    if !resp.status().is_success() {
        return Err(format!("{url} answered {}", resp.status()));
    }
    resp.text().await.map_err(|e| e.to_string())
}

#[cfg(test)]
#[path = "scrape_tests.rs"]
mod tests;
