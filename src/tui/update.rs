//! The console's state changes: `update(app, msg) -> Step`. Pure: no I/O, no
//! clock (time comes in `app.now`), so tests feed it messages and read the
//! state and the effects it asks for.

use crate::cases::engine::RunEvent;
use crate::cases::engine::io::ActError;
use crate::cases::engine::session::{Progress, Seen};
use crate::cases::model::Action as CaseAction;
use crate::faults::FaultConfig;
use crate::stack::{Backend, Service, StackEvent};

use super::board;
use super::keys::key_pressed;
use super::msg::{Blocked, Effect, Msg, Reading};
use super::state::{App, Fact, Link, LogKind, Overlay, StackLife, Topic};
use super::text::{T, backend_word, stack_line, t, tf};

/// What one message led to.
#[derive(Debug, Default, PartialEq)]
pub struct Step {
    pub effects: Vec<Effect>,
    /// Whether anything visible changed.
    pub redraw: bool,
}

impl Step {
    fn drawn(effects: Vec<Effect>) -> Self {
        Self {
            effects,
            redraw: true,
        }
    }
}

pub fn update(app: &mut App, msg: Msg) -> Step {
    match msg {
        Msg::Key(key) => Step::drawn(key_pressed(app, key)),
        Msg::Resize => Step::drawn(vec![]),
        Msg::Tick => tick(app),
        Msg::Shutdown => {
            app.overlay = Overlay::None;
            Step::drawn(super::actions::act(app, super::keymap::Command::Quit))
        }
        Msg::StackOpened {
            backend,
            api_url,
            prometheus_url,
        } => {
            stack_opened(app, backend, api_url, prometheus_url);
            Step::drawn(vec![])
        }
        Msg::StackOpenFailed(blocked) | Msg::StackUp(Err(blocked)) => {
            blocked_stack(app, blocked);
            Step::drawn(vec![])
        }
        Msg::StackEvent(e) => {
            stack_event(app, e);
            Step::drawn(vec![])
        }
        Msg::StackUp(Ok(skipped)) => {
            stack_up(app, &skipped);
            Step::drawn(vec![])
        }
        Msg::FaultsCleared(cleared) => {
            let text = format!("{} {}", t(app.lang, T::FaultsCleared), cleared.join(", "));
            app.note(Topic::Fault, LogKind::Info, text);
            Step::drawn(vec![])
        }
        Msg::StackStatus(result) => {
            let changed = match result {
                Ok(s) => {
                    let changed = app.stack.status.as_ref() != Some(&s);
                    let before = app.app_counts();
                    app.stack.status = Some(s);
                    board::counts(app, before);
                    changed
                }
                Err(_) => false,
            };
            Step {
                effects: vec![],
                redraw: changed,
            }
        }
        Msg::Telemetry(r) => {
            reading(app, r);
            Step::drawn(vec![])
        }
        Msg::Load(report) => {
            app.load.observe(report, app.now);
            Step::drawn(vec![])
        }
        Msg::FaultsSet { result, took_ms } => {
            faults_set(app, result, took_ms);
            Step::drawn(vec![])
        }
        Msg::ActionDone {
            action,
            result,
            took_ms,
        } => {
            action_done(app, &action, result, took_ms);
            Step::drawn(vec![])
        }
        Msg::ActionsDone(outcome) => {
            super::acted::actions_done(app, &outcome);
            Step::drawn(vec![])
        }
        Msg::Observed(seen) => Step::drawn(observed(app, seen)),
        Msg::Coach(news) => {
            board::news(app, news);
            Step::drawn(vec![])
        }
    }
}

/// A backend answered: where this console now reaches its API and Prometheus.
fn stack_opened(app: &mut App, backend: Backend, api_url: String, prometheus_url: String) {
    app.stack.backend = Some(backend);
    app.stack.phase = StackLife::Starting;
    app.api_url = api_url;
    app.prometheus_url = Some(prometheus_url);
    if app.overlay == Overlay::Blocked {
        app.overlay = Overlay::None;
    }
    let backend = t(app.lang, backend_word(backend));
    app.log(LogKind::Info, tf(app.lang, T::StackBackend, &[&backend]));
}

/// The stack is up; `skipped` are the services it came up without.
fn stack_up(app: &mut App, skipped: &[Service]) {
    app.stack.phase = StackLife::Up;
    if app.overlay == Overlay::Blocked {
        app.overlay = Overlay::None;
    }
    if skipped
        .iter()
        .any(|s| s.role == crate::stack::ServiceRole::Prometheus)
    {
        app.prometheus_url = None;
    }
    // The backend's own `Ready` event already said "ready".
    if !skipped.is_empty() {
        let names: Vec<String> = skipped.iter().map(|s| s.to_string()).collect();
        app.log(
            LogKind::Info,
            tf(app.lang, T::NotStarted, &[&names.join(", ")]),
        );
    }
}

/// The API answered a fault change.
fn faults_set(app: &mut App, result: Result<FaultConfig, ActError>, took_ms: f64) {
    match result {
        Ok(c) => {
            app.note(
                Topic::Fault,
                LogKind::Info,
                tf(app.lang, T::FaultAck, &[&format!("{took_ms:.0}")]),
            );
            let before = board::faults_active(app);
            app.faults = Some(c);
            board::faults(app, before);
        }
        Err(e) => app.note(
            Topic::Fault,
            LogKind::Bad,
            tf(app.lang, T::FaultRefused, &[&e.text(app.lang)]),
        ),
    }
}

/// One case action ran.
fn action_done(app: &mut App, action: &CaseAction, result: Result<(), ActError>, took_ms: f64) {
    match result {
        Ok(()) => {
            let took = format!("{took_ms:.0}");
            let line = tf(app.lang, T::ActionDone, &[&action.text(app.lang), &took]);
            app.note(Topic::Fault, LogKind::Info, line)
        }
        Err(e) => {
            let line = format!("{}: {}", action.text(app.lang), e.text(app.lang));
            app.note(Topic::Fault, LogKind::Bad, line)
        }
    }
}

/// The case engine saw what it asked for; an answer pending is judged.
fn observed(app: &mut App, seen: Seen) -> Vec<Effect> {
    let now = app.now;
    let judged = board::answer_pending(app, &seen);
    let mut stops = None;
    let events = match app.active.as_mut() {
        Some(a) => {
            let was_stopped = a.session.progress == Progress::Stopped;
            let events = a.session.seen(seen, now);
            if !was_stopped && a.session.progress == Progress::Stopped {
                stops = a.session.stopped.clone();
            }
            events
        }
        None => vec![],
    };
    if let Some(reason) = stops {
        super::acted::stopped(app, reason);
    }
    if let Some(index) = judged {
        board::answered(app, index);
    }
    let mut effects = run_events(app, events);
    effects.extend(due(app));
    effects
}

fn tick(app: &mut App) -> Step {
    let now = app.now;
    let Some(active) = app.active.as_mut() else {
        return Step::default();
    };
    let events = active.session.tick(now);
    let mut effects = run_events(app, events);
    effects.extend(due(app));
    // Countdowns move every second while a case runs.
    Step::drawn(effects)
}

fn due(app: &mut App) -> Vec<Effect> {
    let now = app.now;
    match app.active.as_mut() {
        Some(a) => a
            .session
            .due(now)
            .into_iter()
            .map(Effect::Observe)
            .collect(),
        None => vec![],
    }
}

/// Logs a session's events, pins the lasting ones to the case; a finished
/// case is recorded and saved.
fn run_events(app: &mut App, events: Vec<RunEvent>) -> Vec<Effect> {
    board::run_events(app, &events);
    let mut effects = Vec::new();
    for e in events {
        let topic = match &e {
            RunEvent::CheckPassed { .. }
            | RunEvent::CheckFailed { .. }
            | RunEvent::BaselineFailed { .. } => Topic::Check,
            RunEvent::AlertFired { .. }
            | RunEvent::AlertMissed { .. }
            | RunEvent::AlertBeforeInjection { .. } => Topic::Alert,
            RunEvent::Phase { .. } | RunEvent::Action { .. } => Topic::Fault,
            _ => Topic::Console,
        };
        match &e {
            RunEvent::CheckPassed { phase, id, .. } => app.pin(Fact::CheckPassed {
                phase: *phase,
                id: id.clone(),
            }),
            RunEvent::AlertFired { name, after_s, .. } => app.pin(Fact::AlertFired {
                name: name.clone(),
                after_s: *after_s,
            }),
            _ => {}
        }
        let kind = match &e {
            RunEvent::CheckPassed { .. } | RunEvent::AlertFired { .. } => LogKind::Good,
            RunEvent::CheckFailed { .. }
            | RunEvent::AlertMissed { .. }
            | RunEvent::AlertBeforeInjection { .. } => LogKind::Bad,
            RunEvent::CaseFinished { passed, .. } => {
                if *passed {
                    LogKind::Good
                } else {
                    LogKind::Bad
                }
            }
            _ => LogKind::Info,
        };
        if matches!(e, RunEvent::CaseFinished { .. }) {
            effects.extend(record(app));
        }
        app.note(topic, kind, e.text(app.lang));
    }
    effects
}

/// Stores the active case's result in the progress and asks to save it.
pub(super) fn record(app: &mut App) -> Vec<Effect> {
    if app.record_case() {
        vec![Effect::SaveProgress]
    } else {
        vec![]
    }
}

fn stack_event(app: &mut App, e: StackEvent) {
    let line = stack_line(app.lang, &e);
    match &e {
        StackEvent::Progress { .. } => {
            app.stack.progress.push_back(line);
            while app.stack.progress.len() > 3 {
                app.stack.progress.pop_front();
            }
        }
        StackEvent::OomKilled { service } => {
            app.pin(Fact::OomKill {
                service: service.clone(),
            });
            app.note(Topic::Restart, LogKind::Bad, line)
        }
        StackEvent::Died { .. } => app.note(Topic::Restart, LogKind::Bad, line),
        StackEvent::Ready => app.log(LogKind::Good, line),
        StackEvent::Restarted { .. } | StackEvent::HealthChanged { .. } => {
            app.note(Topic::Restart, LogKind::Info, line)
        }
    }
}

/// Logs a connection that was lost or came back, and the first answer (or
/// silence) of each.
fn link_change(app: &mut App, what: &str, old: &Link, new: &Link) {
    match (old, new) {
        (Link::Down(_), Link::Up) => app.log(LogKind::Good, tf(app.lang, T::LinkBack, &[&what])),
        (Link::Unknown | Link::NotYet(_) | Link::Absent, Link::Up) => {
            app.log(LogKind::Good, tf(app.lang, T::LinkAnswers, &[&what]))
        }
        (Link::Up, Link::Down(why)) => {
            let why = crate::words::cause(app.lang, why);
            app.log(LogKind::Bad, tf(app.lang, T::LinkLost, &[&what, &why]))
        }
        (Link::Unknown, Link::NotYet(why)) => {
            let why = crate::words::cause(app.lang, why);
            app.log(LogKind::Info, tf(app.lang, T::LinkNotYet, &[&what, &why]))
        }
        _ => {}
    }
}

fn reading(app: &mut App, r: Reading) {
    let (old_api, old_prom) = (app.signals.api.clone(), app.signals.prometheus.clone());
    // Silence is a loss only after an answer: before the first one the
    // service is not up yet, and its first answer is not a comeback.
    let silent = |old: &Link, why: &String| match old {
        Link::Up | Link::Down(_) => Link::Down(why.clone()),
        _ => Link::NotYet(why.clone()),
    };
    let api = match &r.api {
        Ok(()) => Link::Up,
        Err(e) => silent(&old_api, e),
    };
    let prom = match &r.prometheus {
        None => Link::Absent,
        Some(Ok(())) => Link::Up,
        Some(Err(e)) => silent(&old_prom, e),
    };
    link_change(app, "API", &old_api, &api);
    link_change(app, "Prometheus", &old_prom, &prom);
    let s = &mut app.signals;
    s.api = api;
    s.prometheus = prom;
    s.source = r.source;
    let t = app.now;
    for (signal, series) in s.series.iter_mut() {
        if let Some(v) = r.values[signal] {
            series.push(t, v);
        }
    }
    s.markers
        .retain(|(at, _)| t - at <= super::state::CHART_WINDOW_S);
    if r.faults.is_some() {
        let before = board::faults_active(app);
        app.faults = r.faults;
        board::faults(app, before);
    }
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "walk_tests.rs"]
mod walk_tests;

#[cfg(test)]
#[path = "input_tests.rs"]
mod input_tests;

#[cfg(test)]
#[path = "logview_tests.rs"]
mod logview_tests;

/// The stack cannot come up. A new cause is logged once and opens the box
/// with the ways out (unless another box is open: then `s` opens it).
fn blocked_stack(app: &mut App, blocked: Blocked) {
    let new = match &app.stack.phase {
        StackLife::Failed(old) => old.trouble.why != blocked.trouble.why,
        _ => true,
    };
    if new {
        app.log(LogKind::Bad, blocked.trouble.why.clone());
        let fix = format!("{}: {}", t(app.lang, T::BlockedFix), blocked.trouble.fix);
        app.log(LogKind::Info, fix);
        if app.overlay == Overlay::None {
            app.overlay = Overlay::Blocked;
        }
    }
    app.stack.phase = StackLife::Failed(blocked);
}
