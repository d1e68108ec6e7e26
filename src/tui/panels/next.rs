//! The top of the case panel: what to do now, then the current phase's
//! essentials (the expected alert counted down, the check being waited
//! for), so that the first rows say it even at 80×24. Respond comes before
//! recover: once a detect check has passed, the line points at the runbook
//! and the questions before `r`.

use ratatui::text::Line;

use crate::cases::engine::session::{CaseSession, CheckStatus, Progress};
use crate::cases::{Case, Lang, Phase};
use crate::tui::text::{T, t, tf};
use crate::tui::theme::Theme;
use crate::words::{P, check_label};

/// After `Case finished`, what comes next: leave (the load stops), then
/// the next case by its number and title, or quit with the report.
fn what_next(next: Option<&Case>, lang: Lang) -> String {
    match next {
        Some(c) => format!(
            "{} {} · {}.",
            t(lang, T::DoneNext),
            c.order,
            c.title.get(lang)
        ),
        None => t(lang, T::DoneLast).to_string(),
    }
}

/// What the detect phase still waits for: the expected alerts not yet
/// fired, then the detect checks not yet ended, by name.
fn awaited(s: &CaseSession) -> Vec<String> {
    let alerts = s
        .alerts
        .iter()
        .filter(|a| !s.no_alerts && a.fired_after.is_none() && !a.missed)
        .map(|a| a.name.clone());
    let checks = s
        .checks
        .iter()
        .filter(|c| c.phase == Phase::Detect)
        .filter(|c| matches!(c.status, CheckStatus::Pending | CheckStatus::Waiting))
        .map(|c| c.check.id.clone());
    alerts.chain(checks).collect()
}

/// Respond before recover: the runbook, the questions still open, then
/// `r`; while the case still waits for an alert or a check, that first.
fn respond(s: &CaseSession, lang: Lang) -> String {
    let waiting = awaited(s);
    if !waiting.is_empty() {
        return tf(lang, T::NextWaitFor, &[&waiting.join(", ")]);
    }
    let open = s.questions.iter().any(|q| !q.settled());
    let answer = if open {
        format!(", {}", t(lang, T::NextAnswer))
    } else {
        String::new()
    };
    format!(
        "{}{answer}; {}",
        t(lang, T::NextRespond),
        t(lang, T::NextRecover)
    )
}

/// What the student does now, in the colour of where the student is.
pub(crate) fn next_step(
    s: &CaseSession,
    next: Option<&Case>,
    now: f64,
    lang: Lang,
    theme: Theme,
) -> Line<'static> {
    let sec = t(lang, T::Sec);
    let (text, style) = match s.progress {
        Progress::Settling => (
            format!(
                "{} {:.0} {sec}",
                t(lang, T::Settling),
                (s.settle_until - now).max(0.0)
            ),
            theme.warn(),
        ),
        Progress::Baseline => (t(lang, T::BaselineRunning).to_string(), theme.warn()),
        Progress::Ready => (t(lang, T::Ready).to_string(), theme.ok()),
        Progress::BaselineFailed => (t(lang, T::BaselineFailed).to_string(), theme.bad()),
        Progress::Detect if s.time_to_detect.is_some() => (respond(s, lang), theme.accent()),
        Progress::Detect => (t(lang, T::Detecting).to_string(), theme.bad()),
        Progress::Recover => (t(lang, T::Recovering).to_string(), theme.warn()),
        Progress::Done => (
            format!(
                "{} {} {}",
                t(lang, T::Done),
                if s.passed() { "✔" } else { "✘" },
                what_next(next, lang)
            ),
            if s.passed() { theme.ok() } else { theme.bad() },
        ),
        Progress::Stopped => (
            tf(
                lang,
                P::CaseStopped,
                &[&s.stopped.as_deref().unwrap_or_default()],
            ),
            theme.bad(),
        ),
    };
    Line::styled(text, style)
}

/// The expected alerts still counted down, and the check being waited for
/// with how long it has run of its timeout.
pub(crate) fn essentials(
    s: &CaseSession,
    now: f64,
    lang: Lang,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let sec = t(lang, T::Sec);
    if s.no_alerts {
        // Said at the top, in the first rows 80x24 shows: what this case
        // cannot show here, and that it is not the student's doing.
        lines.push(Line::styled(
            format!("– {}: {}", t(lang, T::Alerts), t(lang, T::NoAlertsHere)),
            theme.dim(),
        ));
    } else if let (Progress::Detect, Some(inj)) = (s.progress, s.injected_at) {
        for a in s
            .alerts
            .iter()
            .filter(|a| a.fired_after.is_none() && !a.missed && !a.active_before_injection)
        {
            lines.push(Line::styled(
                format!(
                    "… {}: {} {:.0} {sec} ({} {:.0} {sec})",
                    a.name,
                    t(lang, T::AlertAtMost),
                    (a.within - (now - inj)).max(0.0),
                    t(lang, T::AlertOf),
                    a.within
                ),
                theme.warn(),
            ));
        }
    }
    if let Some(c) = s
        .checks
        .iter()
        .find(|c| c.status == CheckStatus::Pending && c.phase != Phase::Baseline)
    {
        let value = c
            .value
            .map(|v| format!(" {}", crate::cases::engine::probe::show_in(v, lang)))
            .unwrap_or_default();
        // Short enough for 80 columns: the full line is in the checks below.
        lines.push(Line::styled(
            format!(
                "… {}{value} · {:.0}/{:.0} {sec}",
                check_label(lang, c.phase, &c.check.id),
                c.started.map_or(0.0, |st| now - st),
                c.check.timeout.get().as_secs_f64()
            ),
            theme.warn(),
        ));
    }
    lines
}
