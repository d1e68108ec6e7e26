//! The console's words come from the one catalogue, [`crate::words`]; this
//! adds what only the console asks of it: a fault field's range in the
//! form, the word for a backend, a service's state, an alert's state
//! and a stack event, and the language of the screen.

use ratatui::text::{Line, Span};

use crate::cases::Lang;
use crate::faults::FaultKind;
use crate::stack::{Backend, Health, ServiceState, StackEvent};
use crate::telemetry::AlertStatus;

pub(crate) use crate::words::{T, t, tf, unit};

/// `s` in at most `width` columns: whole when it fits, else cut and ended
/// with `…`, so no text is ever cut without a sign.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut kept: String = s.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        kept.push('…');
    }
    kept
}

/// `line` in at most `width` columns, as [`fit`] cuts text: its spans
/// kept with their styles up to the column where `…` ends it.
pub(crate) fn fit_line(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut left = width.saturating_sub(1);
    let mut spans = Vec::new();
    for span in line.spans {
        if left == 0 {
            break;
        }
        let mut kept = String::new();
        for c in span.content.chars() {
            let w = Span::raw(c.to_string()).width();
            if w > left {
                left = 0;
                break;
            }
            left -= w;
            kept.push(c);
        }
        spans.push(Span::styled(kept, span.style));
    }
    let style = spans.last().map(|s| s.style).unwrap_or_default();
    spans.push(Span::styled("…", style));
    Line::from(spans).style(line.style)
}

/// What a fault field accepts, for the form: "an integer from 0 to 30000".
pub(crate) fn accepted(lang: Lang, kind: FaultKind) -> String {
    let field = kind.field();
    let word = if field.whole {
        T::AcceptInteger
    } else {
        T::AcceptPercent
    };
    tf(lang, word, &[&field.min, &field.max])
}

/// Where the stack runs, as the stack panel and the log name it.
pub(crate) fn backend_word(backend: Backend) -> T {
    match backend {
        Backend::Docker => T::BackendDocker,
        Backend::Local => T::BackendLocal,
    }
}

/// A service's state in the stack panel: its health while it runs
/// unhealthy, else its state.
pub(crate) fn state_word(state: ServiceState, health: Health) -> T {
    match (state, health) {
        (ServiceState::Running, Health::Unhealthy) => T::HealthUnhealthy,
        (ServiceState::Running, _) => T::StateRunning,
        (ServiceState::Restarting, _) => T::StateRestarting,
        (ServiceState::Stopped, _) => T::StateStopped,
        (ServiceState::Exited, _) => T::StateExited,
        (ServiceState::Missing, _) => T::StateMissing,
        (ServiceState::ImageMissing, _) => T::StateImageMissing,
    }
}

fn health(lang: Lang, health: Health) -> &'static str {
    match health {
        Health::Starting => t(lang, T::HealthStarting),
        Health::Healthy => t(lang, T::HealthHealthy),
        Health::Unhealthy => t(lang, T::HealthUnhealthy),
        Health::Unknown => "-",
    }
}

/// A stack event as the log says it. A step of `up` is the stack's own
/// words ("pulling image"), passed on as they come.
pub(crate) fn stack_line(lang: Lang, e: &StackEvent) -> String {
    match e {
        StackEvent::Progress { service, message } => format!("{service}: {message}"),
        StackEvent::Died {
            service,
            exit_code,
            signal,
        } => match (exit_code, signal) {
            (_, Some(sig)) => tf(lang, T::DiedSignal, &[service, sig]),
            (Some(code), None) => tf(lang, T::DiedCode, &[service, code]),
            (None, None) => tf(lang, T::Died, &[service]),
        },
        StackEvent::OomKilled { service } => {
            let oom = t(lang, crate::words::X::MemoryKill);
            tf(lang, T::OomKilled, &[service, &oom])
        }
        StackEvent::Restarted { service, count } => tf(lang, T::Restarted, &[service, count]),
        StackEvent::HealthChanged { service, health: h } => {
            format!("{service}: {}", health(lang, *h))
        }
        StackEvent::Ready => t(lang, T::StackReady).to_string(),
    }
}

/// An expected alert's state while the console waits for it.
pub(crate) fn alert_word(status: AlertStatus) -> T {
    match status {
        AlertStatus::Inactive => T::AlertInactive,
        AlertStatus::Pending => T::AlertPending,
        AlertStatus::Firing => T::AlertFiring,
    }
}

/// The language from `--lang`, else from `LC_ALL`/`LC_MESSAGES`/`LANG`.
pub(crate) fn lang_from_env(flag: Option<Lang>, var: impl Fn(&str) -> Option<String>) -> Lang {
    if let Some(l) = flag {
        return l;
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|k| var(k).filter(|v| !v.is_empty()))
        .next()
        .map(|v| {
            if v.to_ascii_lowercase().starts_with("ru") {
                Lang::Ru
            } else {
                Lang::En
            }
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_the_locale_decides() {
        let env = |k: &str| (k == "LANG").then(|| "ru_RU.UTF-8".to_string());
        assert_eq!(lang_from_env(None, env), Lang::Ru);
        assert_eq!(lang_from_env(Some(Lang::En), env), Lang::En);
        assert_eq!(lang_from_env(None, |_| None), Lang::En);
    }
}
