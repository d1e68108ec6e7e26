//! What the coach's board hears from the console: `update` and the
//! actions call these as things happen; each queues the board's event on
//! [`CoachView::out`](super::coach::CoachView) when the student joined a
//! class, and does nothing otherwise.

use crate::cases::engine::session::Seen;
use crate::cases::engine::{AppCounts, RunEvent};
use crate::coach::link::LinkState;
use crate::coach::wire::CoachEvent;

use super::coach::{CoachNews, News};
use super::state::{App, LogKind, Topic};
use super::text::{T, t};

/// Takes in news from the link.
pub(crate) fn news(app: &mut App, news: CoachNews) {
    let Some(c) = app.coach.as_mut() else {
        return;
    };
    match news.0 {
        News::Link(state) => {
            let refused = state == LinkState::Refused && c.link != LinkState::Refused;
            c.link = state;
            // The header's one word says it; the log says what to do.
            if refused {
                app.log(LogKind::Bad, t(app.lang, T::CoachRefusedFix));
            }
        }
        News::Said(text) => {
            c.message = Some(text.clone());
            let line = format!("{}: {text}", t(app.lang, T::CoachLabel));
            app.note(Topic::Console, LogKind::Info, line);
        }
    }
}

/// Queues `event` for the board.
pub(crate) fn send(app: &mut App, event: CoachEvent) {
    if let Some(c) = app.coach.as_mut() {
        c.out.push(event);
    }
}

/// The open case's engine events, as the board's.
pub(crate) fn run_events(app: &mut App, events: &[RunEvent]) {
    let (Some(c), Some(a)) = (app.coach.as_mut(), app.active.as_ref()) else {
        return;
    };
    let case = &a.session.case.id;
    c.out
        .extend(events.iter().filter_map(|e| CoachEvent::from_run(case, e)));
}

/// The question an observation will judge, if it judges an answer given.
pub(crate) fn answer_pending(app: &App, seen: &Seen) -> Option<usize> {
    let Seen::Question { index, .. } = seen else {
        return None;
    };
    app.coach.as_ref()?;
    let q = app.active.as_ref()?.session.questions.get(*index)?;
    (q.answer.is_some() && q.correct.is_none() && !q.settled()).then_some(*index)
}

/// The answer to question `index` was judged: right, wrong, or not
/// judgeable (no live value).
pub(crate) fn answered(app: &mut App, index: usize) {
    let Some(a) = app.active.as_ref() else {
        return;
    };
    let (Some(q), Some(state)) = (
        a.session.case.phases.detect.questions.get(index),
        a.session.questions.get(index),
    ) else {
        return;
    };
    let event = CoachEvent::Answer {
        case: a.session.case.id.clone(),
        question: q.id.clone(),
        correct: state.correct,
    };
    send(app, event);
}

/// The app's restarts and OOM kills changed from `before`: the board gets
/// them counted from the case's opening.
pub(crate) fn counts(app: &mut App, before: AppCounts) {
    let now = app.app_counts();
    let (Some(c), Some(a)) = (app.coach.as_mut(), app.active.as_ref()) else {
        return;
    };
    if now == before {
        return;
    }
    let since = now.since(a.counts_at_start);
    let small = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
    c.out.push(CoachEvent::AppCounts {
        case: a.session.case.id.clone(),
        oom_kills: small(since.oom_kills),
        restarts: small(since.restarts),
    });
}

/// Whether any fault is injected, as far as the console knows.
/// `None` without a coach: nobody asks.
pub(crate) fn faults_active(app: &App) -> Option<bool> {
    app.coach.as_ref()?;
    app.faults.as_ref().map(|f| !f.set_fields().is_empty())
}

/// The faults were read again: the board hears when they go from none to
/// some or back (and the first time they are known).
pub(crate) fn faults(app: &mut App, before: Option<bool>) {
    if app.coach.is_none() {
        return;
    }
    let now = faults_active(app);
    if let Some(active) = now
        && now != before
    {
        send(app, CoachEvent::Faults { active });
    }
}

#[cfg(test)]
#[path = "board_tests.rs"]
mod tests;
