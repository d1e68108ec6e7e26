//! What each action of the keymap does to the state, and the effects it
//! asks for: cases opened and left, faults toggled, load changed.

use crate::cases::Phase;
use crate::cases::engine::actions::PhaseActions;
use crate::cases::engine::load_mix;
use crate::cases::engine::session::{CaseSession, Progress};
use crate::faults::FaultSwitch;
use crate::words::P;

use crate::coach::wire::CoachEvent;

use super::board;
use super::keymap::Command;
use super::msg::Effect;
use super::state::{ActiveCase, App, FORM, LogKind, LogView, Overlay, Topic};
use super::text::{T, t, tf};

/// Turns one fault on (with the form's value for it) or off, whichever it
/// is not now as the API last reported; the chart marks the change.
fn toggle(app: &mut App, switch: FaultSwitch) -> Vec<Effect> {
    let on = !app.faults.as_ref().is_some_and(|c| switch.is_on(c));
    let amount = switch.amount().and_then(|k| app.fault_values.of(k));
    app.signals.markers.push((app.now, on));
    vec![Effect::SetFaults(switch.update(on, amount))]
}

pub(crate) fn act(app: &mut App, action: Command) -> Vec<Effect> {
    let now = app.now;
    let v = app.fault_values.clone();
    match action {
        Command::Quit => {
            app.quitting = true;
            let mut effects = leave(app);
            effects.push(Effect::Quit);
            effects
        }
        Command::Help => {
            app.overlay = Overlay::Help(0);
            vec![]
        }
        Command::Events => {
            app.overlay = Overlay::Log(LogView::default());
            vec![]
        }
        Command::Up => {
            app.selected = app.selected.saturating_sub(1);
            vec![]
        }
        Command::Down => {
            app.selected = (app.selected + 1).min(app.cases.len().saturating_sub(1));
            vec![]
        }
        Command::ScrollDown => {
            // No further than the last line at the panel's bottom, as drawn.
            let most = app.drawn.case_scroll_max.get();
            app.scroll = app.scroll.saturating_add(3).min(most);
            vec![]
        }
        Command::ScrollUp => {
            let most = app.drawn.case_scroll_max.get();
            app.scroll = app.scroll.min(most).saturating_sub(3);
            vec![]
        }
        Command::StackChoices => {
            if matches!(app.stack.phase, super::state::StackLife::Failed(_)) {
                app.overlay = Overlay::Blocked;
            } else {
                app.log(LogKind::Info, t(app.lang, T::NotBlocked));
            }
            vec![]
        }
        Command::Open => open(app),
        Command::Leave => leave(app),
        Command::Inject => inject(app, false),
        Command::InjectNow => inject(app, true),
        Command::Recover => recover(app),
        Command::Hint => {
            let hint = app.active.as_mut().and_then(|a| a.session.request_hint());
            match hint {
                Some(e) => {
                    board::run_events(app, std::slice::from_ref(&e));
                    app.log(LogKind::Info, e.text(app.lang))
                }
                None => app.log(LogKind::Info, t(app.lang, T::NoMoreHints)),
            }
            vec![]
        }
        Command::Answer => answer(app),
        Command::Toggle(switch) => toggle(app, switch),
        Command::ResetFaults => {
            app.signals.markers.push((now, false));
            vec![Effect::ResetFaults]
        }
        Command::FaultForm => {
            app.overlay = Overlay::Form {
                field: 0,
                texts: FORM.each_ref().map(|f| (f.get)(&v).to_string()),
                refused: false,
            };
            vec![]
        }
        Command::LoadToggle => load_toggle(app),
        Command::RateUp => rate(app, true),
        Command::RateDown => rate(app, false),
    }
}

/// The case's inject actions, once its baseline holds (or at once when forced).
fn inject(app: &mut App, force: bool) -> Vec<Effect> {
    let now = app.now;
    let Some(a) = app.active.as_mut() else {
        app.log(LogKind::Info, t(app.lang, T::OpenFirst));
        return vec![];
    };
    match a.session.inject(now, force) {
        Some((actions, events)) => {
            board::run_events(app, &events);
            for e in events {
                app.note(Topic::Fault, LogKind::Info, e.text(app.lang));
            }
            app.signals.markers.push((now, true));
            vec![Effect::RunActions(actions)]
        }
        None => {
            let why = match a.session.progress {
                Progress::Settling | Progress::Baseline => t(app.lang, T::StillMeasuring),
                Progress::Stopped => t(app.lang, P::StoppedLeaveFirst),
                _ => t(app.lang, T::AlreadyIn),
            };
            app.log(LogKind::Info, why);
            vec![]
        }
    }
}

/// The case's recover actions; without a case, the faults reset.
fn recover(app: &mut App) -> Vec<Effect> {
    let now = app.now;
    let Some(a) = app.active.as_mut() else {
        return vec![Effect::ResetFaults];
    };
    match a.session.recover(now) {
        Some((actions, event)) => {
            board::run_events(app, std::slice::from_ref(&event));
            app.note(Topic::Fault, LogKind::Info, event.text(app.lang));
            app.signals.markers.push((now, false));
            vec![Effect::RunActions(actions)]
        }
        None => {
            app.log(LogKind::Info, t(app.lang, T::NothingToRecover));
            vec![]
        }
    }
}

/// The answer box for the first question still open.
fn answer(app: &mut App) -> Vec<Effect> {
    // The first question still open, not always the first one.
    let has_questions = app
        .active
        .as_ref()
        .is_some_and(|a| !a.session.questions.is_empty());
    match app.first_open_question() {
        Some(index) => {
            app.overlay = Overlay::Answer {
                index,
                text: String::new(),
                not_a_number: false,
            };
            return question_opened(app, index);
        }
        None if has_questions => app.log(LogKind::Info, t(app.lang, T::AllAnswered)),
        None => {}
    }
    vec![]
}

/// The answer box opened on question `index`: its figure is read now, to
/// judge the answer against what the screen showed.
pub(crate) fn question_opened(app: &App, index: usize) -> Vec<Effect> {
    app.active
        .as_ref()
        .and_then(|a| a.session.question_opened(index))
        .map(Effect::Observe)
        .into_iter()
        .collect()
}

/// Steady load on or off, with the open case's mix.
fn load_toggle(app: &mut App) -> Vec<Effect> {
    if app.load.on {
        app.load.on = false;
        vec![Effect::StopLoad]
    } else {
        app.load.on = true;
        let mix = app
            .active
            .as_ref()
            .map(|a| load_mix(&a.session.case))
            .unwrap_or_default();
        vec![Effect::StartLoad {
            rps: app.load.target,
            mix,
        }]
    }
}

/// The load's target rate a step up or down (5 req/s from 20, else 1).
fn rate(app: &mut App, up: bool) -> Vec<Effect> {
    let t = app.load.target;
    let step = if t >= 20.0 { 5.0 } else { 1.0 };
    app.load.target = if up {
        (t + step).min(1000.0)
    } else {
        (t - step).max(1.0)
    };
    if app.load.on {
        vec![Effect::SetRate(app.load.target)]
    } else {
        vec![]
    }
}

fn open(app: &mut App) -> Vec<Effect> {
    if app.active.is_some() {
        app.log(LogKind::Info, t(app.lang, T::LeaveFirst));
        return vec![];
    }
    let Some(case) = app.cases.get(app.selected).cloned() else {
        return vec![];
    };
    let title = case.title.get(app.lang).to_string();
    let rps = case.load.rate;
    let mix = load_mix(&case);
    app.log(
        LogKind::Info,
        tf(app.lang, T::CaseOpened, &[&case.order, &title]),
    );
    let id = case.id.clone();
    let mut session = CaseSession::start(case, app.lang, app.now);
    if app.no_prometheus() && session.needs_alerts() {
        session.without_alerts();
        app.log(LogKind::Bad, t(app.lang, T::AlertsNeedPrometheus));
    }
    app.active = Some(ActiveCase {
        session,
        title,
        counts_at_start: app.app_counts(),
        saved: false,
        facts: Vec::new(),
    });
    board::send(app, CoachEvent::CaseStarted { case: id });
    app.scroll = 0;
    app.signals.new_window();
    app.load.on = true;
    app.load.short_since = None;
    app.load.target = rps;
    vec![Effect::StartLoad { rps, mix }]
}

/// Leaves the active case: its rollback runs, load stops, and a case left
/// halfway is recorded as not finished.
fn leave(app: &mut App) -> Vec<Effect> {
    let mut effects = Vec::new();
    let Some(a) = app.active.as_ref() else {
        return effects;
    };
    if !a.saved && a.session.progress != Progress::Settling && app.record_case() {
        effects.push(Effect::SaveProgress);
    }
    if let Some(a) = app.active.take() {
        // A stopped case already told the board it ended, as `run` does.
        if !matches!(a.session.progress, Progress::Done | Progress::Stopped) {
            let case = a.session.case.id.clone();
            board::send(app, CoachEvent::CaseLeft { case });
        }
        if matches!(
            a.session.progress,
            Progress::Detect | Progress::Recover | Progress::Done | Progress::Stopped
        ) {
            effects.push(Effect::RunActions(PhaseActions::of(
                &a.session.case,
                Phase::Rollback,
            )));
        }
        app.log(
            LogKind::Info,
            tf(app.lang, T::CaseLeft, &[&a.session.case.order]),
        );
    }
    if app.load.on {
        app.load.on = false;
        effects.push(Effect::StopLoad);
    }
    effects
}
