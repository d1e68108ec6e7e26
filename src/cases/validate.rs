//! Checks that a parsed case makes sense: what types alone cannot say.
//!
//! Every problem is reported through `report(path, message)` and checking
//! goes on, so one run lists everything wrong with a file.

use std::collections::HashSet;

use super::bilingual::Text;
use super::check::{Check, Probe, Threshold};
use super::hint::Release;
use super::locate::Locator;
use super::model::{Action, Case, CasePhases, SCHEMA_VERSION};
use super::phase::Phase;
use super::problem::{nearest, unknown};
use super::rules;

pub(crate) type Report<'a> = dyn FnMut(&str, String) + 'a;

/// True for `latency`, `error-rate`, `db-slow-2`.
pub(crate) fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// True for `p95_base`, `rate1`.
fn is_snake_case(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// All checks of one case.
pub(crate) fn case(c: &Case, report: &mut Report<'_>) {
    if c.schema_version != SCHEMA_VERSION {
        report(
            "schema_version",
            format!(
                "schema version {} is not supported; this workshop reads version {SCHEMA_VERSION}",
                c.schema_version
            ),
        );
    }
    if !is_kebab_case(&c.id) {
        report(
            "id",
            format!(
                "`{}` is not kebab-case; use lowercase letters, digits and dashes, e.g. `error-rate`",
                c.id
            ),
        );
    }
    if c.order == 0 {
        report("order", "must be 1 or more".into());
    }
    if c.est_minutes == 0 {
        report("est_minutes", "must be 1 or more".into());
    }
    text("title", &c.title, report);
    text("briefing", &c.briefing, report);
    super::figures::questions_on_screen(c, report);
    texts("objectives", &c.objectives, report);
    texts("post_mortem", &c.post_mortem, report);
    for (i, l) in c.look_at.iter().enumerate() {
        text(&format!("look_at[{i}].what"), &l.what, report);
        text(&format!("look_at[{i}].why"), &l.why, report);
    }
    if !(c.load.rate > 0.0 && c.load.rate <= 1000.0) {
        report(
            "load.rate",
            format!(
                "must be above 0 and at most 1000 requests per second, got {}",
                c.load.rate
            ),
        );
    }
    if c.load.mix.total() == 0 {
        report(
            "load.mix",
            "give at least one endpoint a weight above 0".into(),
        );
    }
    phases(&c.phases, report);
    for (path, query) in super::promql::queries(c) {
        for problem in super::promql::problems(query) {
            report(&path, problem);
        }
    }
}

fn phases(p: &CasePhases, report: &mut Report<'_>) {
    let alerts = rules::alert_names();
    let alerts: Vec<&str> = alerts.iter().map(String::as_str).collect();
    let captures: Vec<&str> = p.baseline.captures.keys().map(String::as_str).collect();

    for name in p.baseline.captures.keys() {
        let path = format!("phases.baseline.captures.{name}");
        if !is_snake_case(name) {
            report(
                &path,
                format!("capture name `{name}` is not snake_case, e.g. `p95_base`"),
            );
        }
    }

    let mut ids = HashSet::new();
    for phase in Phase::WITH_CHECKS {
        for (i, c) in p.checks(phase).iter().enumerate() {
            let path = format!("phases.{phase}.checks[{i}]");
            if !ids.insert(c.id.as_str()) {
                report(
                    &format!("{path}.id"),
                    format!("check id `{}` is used twice in this case", c.id),
                );
            }
            check(&path, c, &captures, &alerts, report);
        }
    }

    actions("phases.inject.actions", &p.inject.actions, report);
    if p.inject.actions.is_empty() {
        report(
            "phases.inject.actions",
            "inject nothing? give at least one action".into(),
        );
    }
    if p.inject.max_duration.is_some_and(|d| d.get().is_zero()) {
        report(
            "phases.inject.max_duration",
            "must be longer than 0s".into(),
        );
    }

    for (i, a) in p.detect.expected_alerts.iter().enumerate() {
        let path = format!("phases.detect.expected_alerts[{i}]");
        alert_name(&format!("{path}.name"), &a.name, &alerts, report);
        if a.within.get().is_zero() {
            report(&format!("{path}.within"), "must be longer than 0s".into());
        }
    }
    let mut question_ids = HashSet::new();
    for (i, q) in p.detect.questions.iter().enumerate() {
        let path = format!("phases.detect.questions[{i}]");
        if !question_ids.insert(q.id.as_str()) {
            report(
                &format!("{path}.id"),
                format!("question id `{}` is used twice", q.id),
            );
        }
        text(&format!("{path}.ask"), &q.ask, report);
        let t = q.tolerance.amount();
        if !(t.is_finite() && t > 0.0) {
            report(
                &format!("{path}.tolerance"),
                format!("must be above 0, got {t}"),
            );
        }
    }
    let detect_checks: Vec<&str> = p.detect.checks.iter().map(|c| c.id.as_str()).collect();
    for (i, h) in p.detect.hints.iter().enumerate() {
        let path = format!("phases.detect.hints[{i}]");
        text(&format!("{path}.text"), &h.text, report);
        if let Release::Pending { check, .. } = &h.release
            && !detect_checks.contains(&check.as_str())
        {
            report(
                &format!("{path}.pending.check"),
                unknown("check", check, &detect_checks)
                    .replace("unknown check", "no detect check named"),
            );
        }
    }

    texts("phases.respond.prompts", &p.respond.prompts, report);
    actions("phases.recover.actions", &p.recover.actions, report);
    if p.recover.time_limit.get().is_zero() {
        report("phases.recover.time_limit", "must be longer than 0s".into());
    }
    actions("phases.rollback.actions", &p.rollback.actions, report);
    if p.rollback.actions.is_empty() {
        report(
            "phases.rollback.actions",
            "give at least one action (usually `reset`), so no fault outlives the case".into(),
        );
    }
}

fn check(path: &str, c: &Check, captures: &[&str], alerts: &[&str], report: &mut Report<'_>) {
    if !is_kebab_case(&c.id) {
        report(
            &format!("{path}.id"),
            format!("check id `{}` is not kebab-case", c.id),
        );
    }
    text(&format!("{path}.message"), &c.message, report);
    match &c.probe {
        Probe::Query(q) => {
            let field = match q.expect {
                super::check::Comparison::Above(_) => "above",
                super::check::Comparison::Below(_) => "below",
                super::check::Comparison::Between { .. } => "between",
            };
            for t in q.expect.thresholds() {
                match t {
                    Threshold::Value(v) if !v.is_finite() => {
                        report(
                            &format!("{path}.{field}"),
                            format!("must be a finite number, got {v}"),
                        );
                    }
                    Threshold::Capture(r) => {
                        if !captures.contains(&r.name.as_str()) {
                            let msg = match nearest(&r.name, captures) {
                                Some(best) => format!(
                                    "capture `{}` is not defined in phases.baseline.captures, did you mean `{best}`?",
                                    r.name
                                ),
                                None => format!(
                                    "capture `{}` is not defined in phases.baseline.captures",
                                    r.name
                                ),
                            };
                            report(&format!("{path}.{field}"), msg);
                        }
                        if !(r.factor.is_finite() && r.offset.is_finite()) {
                            report(
                                &format!("{path}.{field}"),
                                "factor and offset must be finite numbers".into(),
                            );
                        }
                    }
                    Threshold::Value(_) => {}
                }
            }
            if let super::check::Comparison::Between {
                min: Threshold::Value(lo),
                max: Threshold::Value(hi),
            } = q.expect
                && lo >= hi
            {
                report(
                    &format!("{path}.between"),
                    format!("min ({lo}) must be below max ({hi})"),
                );
            }
        }
        Probe::Alert(a) => alert_name(&format!("{path}.alert"), &a.name, alerts, report),
        Probe::Http(h) => {
            if !h.get.starts_with('/') {
                report(
                    &format!("{path}.http.get"),
                    format!(
                        "`{}` must be a path starting with `/`, e.g. `/health`",
                        h.get
                    ),
                );
            }
            if !(100..=599).contains(&h.status) {
                report(
                    &format!("{path}.http.status"),
                    format!("{} is not an HTTP status", h.status),
                );
            }
        }
    }
    if c.poll.get().is_zero() {
        report(&format!("{path}.poll"), "must be longer than 0s".into());
    }
    if c.hold_for > c.timeout {
        report(
            &format!("{path}.hold_for"),
            format!(
                "hold_for ({}) is longer than timeout ({}); the check could never pass",
                c.hold_for, c.timeout
            ),
        );
    }
    if c.poll > c.timeout {
        report(
            &format!("{path}.poll"),
            format!("poll ({}) is longer than timeout ({})", c.poll, c.timeout),
        );
    }
}

fn actions(path: &str, list: &[Action], report: &mut Report<'_>) {
    for (i, a) in list.iter().enumerate() {
        match a {
            Action::SetFailures(update) => {
                let at = format!("{path}[{i}].set_failures");
                if update.is_empty() {
                    report(
                        &at,
                        "sets no failure; name at least one field, e.g. `latency_ms: 2000`".into(),
                    );
                }
                if let Err(e) = update.validate() {
                    report(&format!("{at}.{}", e.field()), e.to_string());
                }
            }
            // A container step's service is a role: the parser refused any other.
            Action::Reset | Action::Container(_) => {}
        }
    }
}

fn alert_name(path: &str, name: &str, alerts: &[&str], report: &mut Report<'_>) {
    if !alerts.contains(&name) {
        report(
            path,
            unknown("alert", name, alerts) + " (rules: compose/alerts.yml)",
        );
    }
}

fn text(path: &str, t: &Text, report: &mut Report<'_>) {
    for (lang, s) in [("en", &t.en), ("ru", &t.ru)] {
        if s.trim().is_empty() {
            report(&format!("{path}.{lang}"), "the text is empty".into());
        }
    }
}

fn texts(path: &str, list: &[Text], report: &mut Report<'_>) {
    if list.is_empty() {
        report(path, "give at least one entry".into());
    }
    for (i, t) in list.iter().enumerate() {
        text(&format!("{path}[{i}]"), t, report);
    }
}

/// Phases are written in the order they run, so the file reads as the story.
pub(crate) fn phase_order(locator: &Locator, report: &mut Report<'_>) {
    let mut last: Option<(&str, super::locate::Pos)> = None;
    for name in Phase::OF_A_CASE.map(Phase::name) {
        let path = format!("phases.{name}");
        let Some(pos) = locator.key(&path) else {
            continue;
        };
        if let Some((before, at)) = last
            && pos < at
        {
            report(
                &path,
                format!(
                    "`{name}` is written before `{before}`; write the phases in the order they run: {}",
                    Phase::case_names()
                ),
            );
        }
        last = Some((name, pos));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_kebab_case() {
        assert!(is_kebab_case("latency"));
        assert!(is_kebab_case("chaos-mix-2"));
        for bad in ["", "Latency", "error_rate", "-x", "x-", "a--b"] {
            assert!(!is_kebab_case(bad), "{bad}");
        }
    }

    #[test]
    fn capture_names_are_snake_case() {
        assert!(is_snake_case("p95_base"));
        assert!(!is_snake_case("p95-base"));
        assert!(!is_snake_case("_x"));
    }
}
