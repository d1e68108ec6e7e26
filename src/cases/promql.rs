//! Every PromQL query of a case, read before the class instead of in front
//! of it: parsed by a PromQL parser (`promql-parser`, a port of Prometheus's
//! own grammar), its metric names held to what the workshop's Prometheus
//! can hold, and a query that can read more than the app flagged.

use std::sync::OnceLock;

use promql_parser::label::MatchOp;
use promql_parser::parser::{self, Expr, VectorSelector};

use super::model::Case;
use super::problem::nearest;

/// The job Prometheus scrapes the app under (`compose/prometheus.yml`).
pub(crate) const APP_JOB: &str = "fintech-api";

/// Series Prometheus writes for its own use: the alerts' state.
const PROMETHEUS_SERIES: [&str; 2] = ["ALERTS", "ALERTS_FOR_STATE"];

/// Series every scrape target has, Prometheus's own included, so a query
/// on them without a job reads Prometheus too.
const PER_TARGET: [&str; 12] = [
    "up",
    "scrape_duration_seconds",
    "scrape_samples_scraped",
    "scrape_samples_post_metric_relabeling",
    "scrape_series_added",
    "process_cpu_seconds_total",
    "process_open_fds",
    "process_max_fds",
    "process_virtual_memory_bytes",
    "process_virtual_memory_max_bytes",
    "process_start_time_seconds",
    "process_resident_memory_bytes",
];

/// Every series name a case may query: the app's metrics, the recording
/// rules of `compose/alerts.yml`, the per-target series and the alerts.
fn known_names() -> &'static [String] {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = crate::metrics::Metrics::series_names();
        names.extend(super::rules::recording_names());
        for n in PER_TARGET.iter().chain(&PROMETHEUS_SERIES) {
            if !names.iter().any(|m| m == n) {
                names.push((*n).to_string());
            }
        }
        names
    })
}

/// Every query of a case with its field path, in the order a case file
/// holds them.
pub(crate) fn queries(c: &Case) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (i, l) in c.look_at.iter().enumerate() {
        if let Some(q) = &l.promql {
            out.push((format!("look_at[{i}].promql"), q.as_str()));
        }
    }
    for (name, cap) in &c.phases.baseline.captures {
        let path = format!("phases.baseline.captures.{name}.promql");
        out.push((path, cap.promql.as_str()));
    }
    use super::phase::Phase;
    out.extend(check_queries(c, Phase::Baseline));
    out.extend(check_queries(c, Phase::Detect));
    for (i, q) in c.phases.detect.questions.iter().enumerate() {
        let path = format!("phases.detect.questions[{i}].promql");
        out.push((path, q.promql.as_str()));
    }
    out.extend(check_queries(c, Phase::Recover));
    out
}

/// The queries of the checks of `phase`, with their paths.
fn check_queries(c: &Case, phase: super::phase::Phase) -> Vec<(String, &str)> {
    let checks = c.phases.checks(phase).iter().enumerate();
    checks
        .filter_map(|(i, check)| match &check.probe {
            super::check::Probe::Query(q) => Some((
                format!("phases.{phase}.checks[{i}].promql"),
                q.promql.as_str(),
            )),
            _ => None,
        })
        .collect()
}

/// A metric a query selects, and whether it names a job.
struct Selected {
    name: Option<String>,
    has_job: bool,
}

/// What is wrong with `query`: a syntax error with its position, or each
/// metric name the workshop's Prometheus does not hold, with the nearest.
pub(crate) fn problems(query: &str) -> Vec<String> {
    if query.trim().is_empty() {
        return vec!["the PromQL query is empty".into()];
    }
    let expr = match parser::parse(query) {
        Ok(expr) => expr,
        Err(e) => return vec![syntax_error(query, &e)],
    };
    let known: Vec<&str> = known_names().iter().map(String::as_str).collect();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in selected(&expr).into_iter().filter_map(|s| s.name) {
        if known.contains(&name.as_str()) || !seen.insert(name.clone()) {
            continue;
        }
        let hint = match nearest(&name, &known) {
            Some(best) => format!(", did you mean `{best}`?"),
            None => "; the names are the app's metrics (`curl localhost:5000/metrics`), \
                     the recording rules of compose/alerts.yml, `up` and `process_*`"
                .to_string(),
        };
        out.push(format!(
            "PromQL reads `{name}`, which the workshop's Prometheus does not hold{hint}"
        ));
    }
    out
}

/// What reads more than the app: a per-target series (`up`, `process_*`)
/// selected without a job, which returns Prometheus's own series beside
/// the app's. A warning: the engine stops such a case when it runs.
pub(crate) fn warnings(query: &str) -> Vec<String> {
    let Ok(expr) = parser::parse(query) else {
        return Vec::new();
    };
    selected(&expr)
        .into_iter()
        .filter(|s| !s.has_job)
        .filter_map(|s| s.name)
        .filter(|n| PER_TARGET.contains(&n.as_str()))
        .map(|n| {
            format!(
                "`{n}` has a series per scrape target, Prometheus's own included; \
                 select the app's: `{n}{{job=\"{APP_JOB}\"}}`"
            )
        })
        .collect()
}

fn selected(expr: &Expr) -> Vec<Selected> {
    let mut out = Vec::new();
    walk(expr, &mut out);
    out
}

fn walk(expr: &Expr, out: &mut Vec<Selected>) {
    match expr {
        Expr::VectorSelector(vs) => out.push(selector(vs)),
        Expr::MatrixSelector(m) => out.push(selector(&m.vs)),
        Expr::Aggregate(a) => {
            walk(&a.expr, out);
            if let Some(p) = &a.param {
                walk(p, out);
            }
        }
        Expr::Unary(u) => walk(&u.expr, out),
        Expr::Paren(p) => walk(&p.expr, out),
        Expr::Subquery(s) => walk(&s.expr, out),
        Expr::Binary(b) => {
            walk(&b.lhs, out);
            walk(&b.rhs, out);
        }
        Expr::Call(c) => c.args.args.iter().for_each(|a| walk(a, out)),
        Expr::NumberLiteral(_) | Expr::StringLiteral(_) | Expr::Extension(_) => {}
    }
}

fn selector(vs: &VectorSelector) -> Selected {
    let matchers = &vs.matchers.matchers;
    let by_name = matchers
        .iter()
        .find(|m| m.name == "__name__" && matches!(m.op, MatchOp::Equal))
        .map(|m| m.value.clone());
    Selected {
        name: vs.name.clone().or(by_name),
        has_job: matchers.iter().any(|m| m.name == "job"),
    }
}

/// The parser says what is wrong but not where; find where: a character the
/// lexer refuses, an unbalanced bracket, or the end of the longest start of
/// the query that is a whole expression.
fn syntax_error(query: &str, message: &str) -> String {
    let at = error_offset(query);
    let column = query[..at].chars().count() + 1;
    let rest: String = query[at..].chars().take(20).collect();
    let near = if rest.trim().is_empty() {
        "at the end".to_string()
    } else {
        format!("at `{}`", rest.trim_end())
    };
    format!("PromQL syntax error at character {column} of the query ({near}): {message}")
}

fn error_offset(query: &str) -> usize {
    let ends = || query.char_indices().map(|(i, c)| i + c.len_utf8());
    if let Err(refusal) = parser::lexer(query) {
        // The first start of the query the lexer refuses for the same reason.
        let first_bad =
            ends().find(|&end| parser::lexer(&query[..end]).err() == Some(refusal.clone()));
        if let Some(end) = first_bad {
            let last = query[..end].chars().next_back().map_or(0, char::len_utf8);
            // An unterminated string is refused from its opening quote on.
            return quote_start(query, end).unwrap_or(end - last);
        }
    }
    if let Some(at) = unbalanced(query) {
        return at;
    }
    let longest = ends()
        .rev()
        .find(|&end| parser::parse(&query[..end]).is_ok())
        .unwrap_or(0);
    longest + query[longest..].len() - query[longest..].trim_start().len()
}

/// Calls `each` with every character of `query` outside its strings, and
/// returns where a string still open at the end begins. A backquoted string
/// is raw: a backslash in it escapes nothing.
fn outside_strings(query: &str, mut each: impl FnMut(usize, char)) -> Option<usize> {
    let mut open: Option<(usize, char)> = None;
    let mut escaped = false;
    for (i, c) in query.char_indices() {
        match open {
            Some(_) if escaped => escaped = false,
            Some((_, q)) if c == '\\' && q != '`' => escaped = true,
            Some((_, q)) if c == q => open = None,
            Some(_) => {}
            None if matches!(c, '"' | '\'' | '`') => open = Some((i, c)),
            None => each(i, c),
        }
    }
    open.map(|(i, _)| i)
}

/// The opening quote of a string still open at `end`.
fn quote_start(query: &str, end: usize) -> Option<usize> {
    outside_strings(&query[..end], |_, _| {})
}

/// The first bracket that closes nothing, or the last one left open.
fn unbalanced(query: &str) -> Option<usize> {
    let mut stack = Vec::new();
    let mut stray = None;
    outside_strings(query, |i, c| {
        let opener = match c {
            '(' | '{' | '[' => return stack.push((i, c)),
            ')' => '(',
            '}' => '{',
            ']' => '[',
            _ => return,
        };
        if stray.is_none() && stack.pop().map(|(_, o)| o) != Some(opener) {
            stray = Some(i);
        }
    });
    stray.or_else(|| stack.pop().map(|(i, _)| i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_query_parses_and_reads_names_the_workshop_exports() {
        let set = crate::cases::CaseSet::shipped().expect("shipped cases");
        for case in set.cases() {
            for (path, q) in queries(case) {
                assert_eq!(
                    problems(q),
                    Vec::<String>::new(),
                    "{}: {path}: {q}",
                    case.id
                );
                assert_eq!(
                    warnings(q),
                    Vec::<String>::new(),
                    "{}: {path}: {q}",
                    case.id
                );
            }
        }
    }

    #[test]
    fn a_misspelt_metric_is_named_with_the_nearest_one() {
        let p = problems("sum(rate(fintech_request_totl[1m]))");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("`fintech_request_totl`"), "{}", p[0]);
        assert!(
            p[0].contains("did you mean `fintech_requests_total`?"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn a_misspelt_recording_rule_is_named_with_the_nearest_rule() {
        let p = problems("job:fintech_p95_latncy:5m > 1");
        assert!(
            p[0].contains("did you mean `job:fintech_p95_latency:5m`?"),
            "{p:?}"
        );
    }

    #[test]
    fn a_syntax_error_says_where_it_is() {
        let p = problems("sum(rate(fintech_requests_total[1m])");
        assert_eq!(p.len(), 1);
        for (query, said) in [
            (
                "sum(rate(fintech_requests_total[1m])",
                "PromQL syntax error at character 4 ",
            ),
            (
                "fintech_active_transactions >",
                "character 29 of the query (at `>`)",
            ),
            (
                "fintech_active_transactions{state=\"in_use}",
                "character 35 of the query (at `\"in_use}`)",
            ),
            (
                "rate(fintech_requests_total[1m]) $ 2",
                "character 34 of the query (at `$ 2`)",
            ),
        ] {
            let p = problems(query);
            assert!(p[0].contains(said), "{query}: {}", p[0]);
        }
    }

    #[test]
    fn an_unknown_function_is_a_syntax_error() {
        let p = problems("rates(fintech_requests_total[1m])");
        assert!(p[0].starts_with("PromQL syntax error"), "{p:?}");
    }

    #[test]
    fn a_per_target_series_without_a_job_is_a_warning_naming_the_fix() {
        let w = warnings("process_resident_memory_bytes / 1048576");
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("`process_resident_memory_bytes{job=\"fintech-api\"}`"),
            "{}",
            w[0]
        );
        assert!(warnings("up{job=\"fintech-api\"} == 0").is_empty());
        assert!(warnings("fintech_active_transactions").is_empty());
    }
}
