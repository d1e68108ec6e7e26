//! The case's checks and expected alerts as lines: every check with its
//! mark, value and time, and the finished ones of the current phase for
//! the top of the case panel.

use std::time::Duration;

use ratatui::text::{Line, Span};

use crate::cases::engine;
use crate::cases::engine::session::{CaseSession, CheckState, CheckStatus, Progress};
use crate::cases::{Lang, Phase};
use crate::tui::text::{T, alert_word, t};
use crate::tui::theme::Theme;
use crate::words::check_label;

/// Rounded as `workshop run` rounds its times, so both show one number.
pub(crate) fn secs(v: Option<f64>, lang: Lang) -> String {
    let s = t(lang, T::Sec);
    v.map(|v| {
        lang.decimal(format!(
            "{:.1} {s}",
            engine::secs(Duration::from_secs_f64(v.max(0.0)))
        ))
    })
    .unwrap_or_else(|| "—".into())
}

/// As the checks compare it (see [`engine::probe::show`]).
pub(crate) fn value(v: Option<f64>, lang: Lang) -> String {
    v.map(|v| engine::probe::show_in(v, lang))
        .unwrap_or_default()
}

/// One check: its mark, `phase/id`, the value last seen, and its time
/// (pending: since its phase began, then its own run against its timeout).
fn check_line(c: &CheckState, now: f64, lang: Lang, theme: Theme) -> Line<'static> {
    let sec = t(lang, T::Sec);
    let (mark, style, state) = match c.status {
        CheckStatus::Waiting => ("·", theme.dim(), t(lang, T::Waiting).to_string()),
        CheckStatus::Unavailable => ("–", theme.dim(), t(lang, T::NoAlertsHere).to_string()),
        CheckStatus::Pending => (
            "…",
            theme.warn(),
            format!(
                "{:.0} {sec} · {} {:.0}/{:.0} {sec}",
                c.phase_started.map_or(0.0, |st| now - st),
                t(lang, T::CheckTimeout),
                c.started.map_or(0.0, |st| now - st),
                c.check.timeout.get().as_secs_f64()
            ),
        ),
        CheckStatus::Passed => ("✔", theme.ok(), secs(c.after, lang)),
        CheckStatus::Failed => ("✘", theme.bad(), secs(c.after, lang)),
    };
    Line::from(vec![
        Span::styled(format!("{mark} "), style),
        Span::raw(format!("{} ", check_label(lang, c.phase, &c.check.id))),
        Span::styled(format!("{} ", value(c.value, lang)), theme.accent()),
        Span::styled(state, theme.dim()),
    ])
}

/// The checks of the current phase that have finished, right under the
/// essentials: what detected the fault (or showed it gone), with its time.
pub(crate) fn phase_results(
    s: &CaseSession,
    now: f64,
    lang: Lang,
    theme: Theme,
) -> Vec<Line<'static>> {
    let phase = match s.progress {
        Progress::Detect => Phase::Detect,
        Progress::Recover | Progress::Done => Phase::Recover,
        _ => return vec![],
    };
    s.checks
        .iter()
        .filter(|c| c.phase == phase)
        .filter(|c| c.status.is_over())
        .map(|c| check_line(c, now, lang, theme))
        .collect()
}

/// Every check with its mark, value and time, the baseline folded into
/// one line once it is over; then the expected alerts.
pub(crate) fn checks_and_alerts(
    s: &CaseSession,
    now: f64,
    lang: Lang,
    theme: Theme,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let clock = match s.progress {
        Progress::Detect => Some(T::TimesFromInjection),
        Progress::Recover | Progress::Done => Some(T::TimesFromRecovery),
        _ => None,
    };
    lines.push(Line::from(vec![
        Span::styled(t(lang, T::Checks).to_string(), theme.title()),
        Span::styled(
            clock
                .map(|c| format!(" ({})", t(lang, c)))
                .unwrap_or_default(),
            theme.dim(),
        ),
    ]));
    let baseline_over = !matches!(s.progress, Progress::Settling | Progress::Baseline);
    if baseline_over {
        let all: Vec<_> = s
            .checks
            .iter()
            .filter(|c| c.phase == Phase::Baseline)
            .collect();
        let passed = all
            .iter()
            .filter(|c| c.status == CheckStatus::Passed)
            .count();
        let (mark, style) = if passed == all.len() {
            ("✔", theme.ok())
        } else {
            ("✘", theme.bad())
        };
        lines.push(Line::styled(
            format!("{mark} {} {passed}/{}", t(lang, Phase::Baseline), all.len()),
            style,
        ));
    }
    for c in s
        .checks
        .iter()
        .filter(|c| !(baseline_over && c.phase == Phase::Baseline))
    {
        lines.push(check_line(c, now, lang, theme));
        if c.status == CheckStatus::Pending {
            lines.push(Line::styled(
                format!("  {}", c.check.message.get(lang)),
                theme.dim(),
            ));
        }
    }
    lines.extend(alert_lines(s, now, lang, theme));
    lines
}

/// The expected alerts: fired, missed, left over from before the
/// injection, counted down, or not available without Prometheus.
fn alert_lines(s: &CaseSession, now: f64, lang: Lang, theme: Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let sec = t(lang, T::Sec);
    if !s.alerts.is_empty() {
        lines.push(Line::styled(t(lang, T::Alerts).to_string(), theme.title()));
    }
    for a in &s.alerts {
        let line = match (a.fired_after, a.missed, s.injected_at) {
            _ if s.no_alerts => Line::styled(
                format!("– {} {}", a.name, t(lang, T::NoAlertsHere)),
                theme.dim(),
            ),
            (None, _, Some(_)) if a.active_before_injection => Line::styled(
                format!("✘ {} {}", a.name, t(lang, T::AlertLeftOver)),
                theme.bad(),
            ),
            (Some(after), _, _) => Line::styled(
                format!("✔ {} {} {after:.0} {sec}", a.name, t(lang, T::Fired)),
                theme.ok(),
            ),
            (None, true, _) => Line::styled(
                format!("✘ {} {} {:.0} {sec}", a.name, t(lang, T::Missed), a.within),
                theme.bad(),
            ),
            (None, false, Some(inj)) => Line::styled(
                format!(
                    "… {} {} ~{:.0} {sec}: {:.0} {sec}{}",
                    a.name,
                    t(lang, T::FiresWithin),
                    a.within,
                    (a.within - (now - inj)).max(0.0),
                    a.status
                        .map(|st| format!(" ({})", t(lang, alert_word(st))))
                        .unwrap_or_default()
                ),
                theme.warn(),
            ),
            (None, false, None) => Line::styled(
                format!(
                    "· {} {} ~{:.0} {sec}",
                    a.name,
                    t(lang, T::FiresWithin),
                    a.within
                ),
                theme.dim(),
            ),
        };
        lines.push(line);
    }
    lines
}
