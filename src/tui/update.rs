//! The console's state changes: `update(app, msg) -> Step`. Pure: no I/O, no
//! clock (time comes in `app.now`), so tests feed it messages and read the
//! state and the effects it asks for.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::cases::runner::session::{CaseSession, Stage};
use crate::cases::runner::{RunEvent, load_mix};
use crate::faults::FaultUpdate;
use crate::loadgen::Mix;
use crate::stack::StackEvent;

use super::keymap::{Action, action_for};
use super::msg::{Effect, Msg, Reading};
use super::progress::CaseRecord;
use super::state::{ActiveCase, App, Link, LogKind, Overlay, StackPhase};

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
        Msg::StackOpened(backend) => {
            app.stack.backend = Some(backend);
            app.stack.phase = StackPhase::Starting;
            app.log(LogKind::Info, format!("stack: {backend} backend"));
            Step::drawn(vec![])
        }
        Msg::StackOpenFailed(why) => {
            if app.stack.phase != StackPhase::Failed(why.clone()) {
                app.log(LogKind::Bad, why.clone());
            }
            app.stack.phase = StackPhase::Failed(why);
            Step::drawn(vec![])
        }
        Msg::StackEvent(e) => {
            stack_event(app, e);
            Step::drawn(vec![])
        }
        Msg::StackUp(result) => {
            match result {
                Ok(skipped) => {
                    app.stack.phase = StackPhase::Up;
                    // The backend's own `Ready` event already said "ready".
                    if !skipped.is_empty() {
                        app.log(
                            LogKind::Info,
                            format!(
                                "not started (image or binary missing): {}",
                                skipped.join(", ")
                            ),
                        );
                    }
                }
                Err(e) => {
                    if app.stack.phase != StackPhase::Failed(e.clone()) {
                        app.log(LogKind::Bad, e.clone());
                    }
                    app.stack.phase = StackPhase::Failed(e);
                }
            }
            Step::drawn(vec![])
        }
        Msg::StackStatus(result) => {
            let changed = match result {
                Ok(s) => {
                    let changed = app.stack.status.as_ref() != Some(&s);
                    app.stack.status = Some(s);
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
            app.load.report = Some(report);
            Step::drawn(vec![])
        }
        Msg::FaultsSet { result, took_ms } => {
            match result {
                Ok(c) => {
                    app.log(
                        LogKind::Info,
                        format!("API acknowledged the fault change in {took_ms:.0} ms"),
                    );
                    app.faults = Some(c);
                }
                Err(e) => app.log(LogKind::Bad, format!("fault change refused: {e}")),
            }
            Step::drawn(vec![])
        }
        Msg::ActionDone {
            action,
            result,
            took_ms,
        } => {
            match result {
                Ok(()) => app.log(LogKind::Info, format!("{action}: done in {took_ms:.0} ms")),
                Err(e) => app.log(LogKind::Bad, format!("{action}: {e}")),
            }
            Step::drawn(vec![])
        }
        Msg::Observed(seen) => {
            let now = app.now;
            let events = match app.active.as_mut() {
                Some(a) => a.session.seen(seen, now),
                None => vec![],
            };
            let mut effects = run_events(app, events);
            effects.extend(due(app));
            Step::drawn(effects)
        }
    }
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

/// Logs a session's events; a finished case is recorded and saved.
fn run_events(app: &mut App, events: Vec<RunEvent>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for e in events {
        let kind = match &e {
            RunEvent::CheckPassed { .. } | RunEvent::AlertFired { .. } => LogKind::Good,
            RunEvent::CheckFailed { .. } | RunEvent::AlertMissed { .. } => LogKind::Bad,
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
        app.log(kind, e.text());
    }
    effects
}

/// Stores the active case's result in the progress and asks to save it.
fn record(app: &mut App) -> Vec<Effect> {
    let restarts = app.app_restarts();
    let Some(a) = app.active.as_mut() else {
        return vec![];
    };
    let mut outcome = a.session.outcome(&a.title);
    outcome.peak_p95 = a.peak_p95;
    outcome.peak_error_ratio = a.peak_error_ratio;
    let rec = CaseRecord::from_outcome(&outcome, restarts.saturating_sub(a.restarts_at_start));
    a.saved = true;
    let keep_old = app
        .progress
        .cases
        .get(&outcome.id)
        .is_some_and(|old| old.finished && !rec.finished);
    if !keep_old {
        app.progress.cases.insert(outcome.id, rec);
    }
    vec![Effect::SaveProgress]
}

fn stack_event(app: &mut App, e: StackEvent) {
    let line = e.to_string();
    match &e {
        StackEvent::Progress { .. } => {
            app.stack.progress.push_back(line);
            while app.stack.progress.len() > 3 {
                app.stack.progress.pop_front();
            }
        }
        StackEvent::Died { .. } | StackEvent::OomKilled { .. } => app.log(LogKind::Bad, line),
        StackEvent::Ready => app.log(LogKind::Good, line),
        StackEvent::Restarted { .. } | StackEvent::HealthChanged { .. } => {
            app.log(LogKind::Info, line)
        }
    }
}

/// Logs a connection that was lost or came back, and the first answer (or
/// silence) of each.
fn link_change(app: &mut App, what: &str, old: &Link, new: &Link) {
    match (old, new) {
        (Link::Down(_), Link::Up) => app.log(LogKind::Good, format!("{what} is back")),
        (Link::Unknown | Link::Absent, Link::Up) => {
            app.log(LogKind::Good, format!("{what} answers"))
        }
        (Link::Up, Link::Down(why)) => app.log(LogKind::Bad, format!("{what} lost: {why}")),
        (Link::Unknown, Link::Down(why)) => {
            app.log(LogKind::Info, format!("{what} does not answer yet: {why}"))
        }
        _ => {}
    }
}

fn reading(app: &mut App, r: Reading) {
    let api = match &r.api {
        Ok(()) => Link::Up,
        Err(e) => Link::Down(e.clone()),
    };
    let prom = match &r.prometheus {
        None => Link::Absent,
        Some(Ok(())) => Link::Up,
        Some(Err(e)) => Link::Down(e.clone()),
    };
    let (old_api, old_prom) = (app.signals.api.clone(), app.signals.prometheus.clone());
    link_change(app, "API", &old_api, &api);
    link_change(app, "Prometheus", &old_prom, &prom);
    let s = &mut app.signals;
    s.api = api;
    s.prometheus = prom;
    s.source = r.source;
    let t = app.now;
    for (series, v) in [
        (&mut s.p95, r.p95),
        (&mut s.error_ratio, r.error_ratio),
        (&mut s.rps, r.rps),
        (&mut s.active, r.active),
        (&mut s.memory, r.memory),
    ] {
        if let Some(v) = v {
            series.push(t, v);
        }
    }
    s.markers
        .retain(|(at, _)| t - at <= super::state::CHART_WINDOW_S);
    if r.faults.is_some() {
        app.faults = r.faults;
    }
    if let Some(a) = app.active.as_mut()
        && matches!(a.session.stage, Stage::Detect | Stage::Recover)
    {
        let higher = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(x), Some(y)) => Some(x.max(y)),
            (x, y) => x.or(y),
        };
        a.peak_p95 = higher(a.peak_p95, r.p95);
        a.peak_error_ratio = higher(a.peak_error_ratio, r.error_ratio);
    }
}

fn key_pressed(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    // Ctrl-C leaves from anywhere, an open box included.
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.overlay = Overlay::None;
        return act(app, Action::Quit);
    }
    match app.overlay.clone() {
        Overlay::Help => {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q')
            ) {
                app.overlay = Overlay::None;
            }
            vec![]
        }
        Overlay::Form { field, texts } => form_key(app, key, field, texts),
        Overlay::Answer { index, text } => answer_key(app, key, index, text),
        Overlay::None => match action_for(&key) {
            Some(a) => act(app, a),
            None => vec![],
        },
    }
}

fn edit(text: &mut String, key: &KeyEvent) {
    match key.code {
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c)
            if (c.is_ascii_digit() || c == '.' || c == ',')
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && text.len() < 12 =>
        {
            text.push(if c == ',' { '.' } else { c })
        }
        _ => {}
    }
}

fn form_key(app: &mut App, key: KeyEvent, field: usize, mut texts: [String; 4]) -> Vec<Effect> {
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Tab | KeyCode::Down => {
            app.overlay = Overlay::Form {
                field: (field + 1) % 4,
                texts,
            }
        }
        KeyCode::BackTab | KeyCode::Up => {
            app.overlay = Overlay::Form {
                field: (field + 3) % 4,
                texts,
            }
        }
        KeyCode::Enter => {
            let v = &mut app.fault_values;
            let bad = |name: &str| format!("{name}: not a number in range; kept the old value");
            let mut problems = Vec::new();
            match texts[0].parse::<u64>() {
                Ok(x) if x <= 30_000 => v.latency_ms = x,
                _ => problems.push(bad("latency ms (0-30000)")),
            }
            match texts[1].parse::<f64>() {
                Ok(x) if (0.0..=100.0).contains(&x) => v.error_rate = x,
                _ => problems.push(bad("error % (0-100)")),
            }
            match texts[2].parse::<u64>() {
                Ok(x) if x <= 100 => v.leak_mb = x,
                _ => problems.push(bad("leak MB (0-100)")),
            }
            match texts[3].parse::<u64>() {
                Ok(x) if (1..=30_000).contains(&x) => v.db_slow_ms = x,
                _ => problems.push(bad("db slow ms (1-30000)")),
            }
            for p in problems {
                app.log(LogKind::Bad, p);
            }
            app.overlay = Overlay::None;
        }
        _ => {
            edit(&mut texts[field], &key);
            app.overlay = Overlay::Form { field, texts };
        }
    }
    vec![]
}

fn answer_key(app: &mut App, key: KeyEvent, index: usize, mut text: String) -> Vec<Effect> {
    let count = app.active.as_ref().map_or(0, |a| a.session.questions.len());
    match key.code {
        KeyCode::Esc => app.overlay = Overlay::None,
        KeyCode::Tab => {
            app.overlay = Overlay::Answer {
                index: (index + 1) % count.max(1),
                text: String::new(),
            }
        }
        KeyCode::Enter => {
            app.overlay = Overlay::None;
            let Ok(value) = text.parse::<f64>() else {
                app.log(LogKind::Bad, format!("`{text}` is not a number"));
                return vec![];
            };
            if let Some(poll) = app
                .active
                .as_mut()
                .and_then(|a| a.session.answer(index, value))
            {
                return vec![Effect::Observe(poll)];
            }
        }
        _ => {
            edit(&mut text, &key);
            app.overlay = Overlay::Answer { index, text };
        }
    }
    vec![]
}

fn fault_effect(app: &mut App, update: FaultUpdate, inject: bool) -> Vec<Effect> {
    app.fault_pressed_at = Some(app.now);
    app.signals.markers.push((app.now, inject));
    vec![Effect::SetFaults(update)]
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    let now = app.now;
    let faults = app.faults.clone().unwrap_or_default();
    let v = app.fault_values.clone();
    match action {
        Action::Quit => {
            app.quitting = true;
            let mut effects = leave(app);
            effects.push(Effect::Quit);
            effects
        }
        Action::Help => {
            app.overlay = Overlay::Help;
            vec![]
        }
        Action::Up => {
            app.selected = app.selected.saturating_sub(1);
            vec![]
        }
        Action::Down => {
            app.selected = (app.selected + 1).min(app.cases.len().saturating_sub(1));
            vec![]
        }
        Action::ScrollDown => {
            app.scroll = app.scroll.saturating_add(3);
            vec![]
        }
        Action::ScrollUp => {
            app.scroll = app.scroll.saturating_sub(3);
            vec![]
        }
        Action::Open => open(app),
        Action::Leave => leave(app),
        Action::Inject | Action::InjectNow => {
            let force = action == Action::InjectNow;
            let Some(a) = app.active.as_mut() else {
                app.log(LogKind::Info, "open a case first (Enter)");
                return vec![];
            };
            match a.session.inject(now, force) {
                Some((actions, event)) => {
                    app.log(LogKind::Info, event.text());
                    app.fault_pressed_at = Some(now);
                    app.signals.markers.push((now, true));
                    vec![Effect::RunActions(actions)]
                }
                None => {
                    let why = match a.session.stage {
                        Stage::Settling | Stage::Baseline => {
                            "the baseline is still being measured; I injects anyway"
                        }
                        _ => "the fault is already in",
                    };
                    app.log(LogKind::Info, why);
                    vec![]
                }
            }
        }
        Action::Recover => {
            let Some(a) = app.active.as_mut() else {
                return vec![Effect::ResetFaults];
            };
            match a.session.recover(now) {
                Some((actions, event)) => {
                    app.log(LogKind::Info, event.text());
                    app.signals.markers.push((now, false));
                    vec![Effect::RunActions(actions)]
                }
                None => {
                    app.log(LogKind::Info, "nothing to recover yet: inject first (i)");
                    vec![]
                }
            }
        }
        Action::Hint => {
            let hint = app.active.as_mut().and_then(|a| a.session.request_hint());
            match hint {
                Some(e) => app.log(LogKind::Info, e.text()),
                None => app.log(LogKind::Info, "no more hints on request"),
            }
            vec![]
        }
        Action::Answer => {
            if app
                .active
                .as_ref()
                .is_some_and(|a| !a.session.questions.is_empty())
            {
                app.overlay = Overlay::Answer {
                    index: 0,
                    text: String::new(),
                };
            }
            vec![]
        }
        Action::ToggleLatency => {
            let on = faults.latency_ms == 0;
            let ms = if on { v.latency_ms } else { 0 };
            fault_effect(
                app,
                FaultUpdate {
                    latency_ms: Some(ms),
                    ..Default::default()
                },
                on,
            )
        }
        Action::ToggleErrors => {
            let on = faults.error_rate == 0.0;
            let rate = if on { v.error_rate } else { 0.0 };
            fault_effect(
                app,
                FaultUpdate {
                    error_rate: Some(rate),
                    ..Default::default()
                },
                on,
            )
        }
        Action::ToggleDbSlow => {
            let on = !faults.db_slow;
            let update = FaultUpdate {
                db_slow: Some(on),
                db_slow_ms: on.then_some(v.db_slow_ms),
                ..Default::default()
            };
            fault_effect(app, update, on)
        }
        Action::ToggleDbFail => {
            let on = !faults.db_fail;
            fault_effect(
                app,
                FaultUpdate {
                    db_fail: Some(on),
                    ..Default::default()
                },
                on,
            )
        }
        Action::ToggleLeak => {
            let on = faults.memory_leak_mb == 0;
            let mb = if on { v.leak_mb } else { 0 };
            fault_effect(
                app,
                FaultUpdate {
                    memory_leak_mb: Some(mb),
                    ..Default::default()
                },
                on,
            )
        }
        Action::ResetFaults => {
            app.fault_pressed_at = Some(now);
            app.signals.markers.push((now, false));
            vec![Effect::ResetFaults]
        }
        Action::FaultForm => {
            app.overlay = Overlay::Form {
                field: 0,
                texts: [
                    v.latency_ms.to_string(),
                    v.error_rate.to_string(),
                    v.leak_mb.to_string(),
                    v.db_slow_ms.to_string(),
                ],
            };
            vec![]
        }
        Action::LoadToggle => {
            if app.load.on {
                app.load.on = false;
                vec![Effect::StopLoad]
            } else {
                app.load.on = true;
                let mix = app
                    .active
                    .as_ref()
                    .map(|a| load_mix(&a.session.case))
                    .unwrap_or_else(default_mix);
                vec![Effect::StartLoad {
                    rps: app.load.target,
                    mix,
                }]
            }
        }
        Action::RateUp | Action::RateDown => {
            let t = app.load.target;
            let step = if t >= 20.0 { 5.0 } else { 1.0 };
            app.load.target = if action == Action::RateUp {
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
    }
}

pub fn default_mix() -> Mix {
    use crate::loadgen::Endpoint;
    let by_name = |n: &str| Endpoint::ALL.into_iter().find(|e| e.name() == n);
    Mix([("balance", 3), ("transfer", 1), ("health", 1)]
        .into_iter()
        .filter_map(|(n, w)| by_name(n).map(|e| (e, w)))
        .collect())
}

fn open(app: &mut App) -> Vec<Effect> {
    if app.active.is_some() {
        app.log(LogKind::Info, "leave the current case first (Esc)");
        return vec![];
    }
    let Some(case) = app.cases.get(app.selected).cloned() else {
        return vec![];
    };
    let title = case.title.get(app.lang).to_string();
    let rps = case.load.rate;
    let mix = load_mix(&case);
    app.log(LogKind::Info, format!("case {}: {title}", case.id));
    let session = CaseSession::start(case, app.lang, app.now);
    app.active = Some(ActiveCase {
        session,
        title,
        restarts_at_start: app.app_restarts(),
        peak_p95: None,
        peak_error_ratio: None,
        saved: false,
    });
    app.scroll = 0;
    app.load.on = true;
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
    if !a.saved && a.session.stage != Stage::Settling {
        effects.extend(record(app));
    }
    if let Some(a) = app.active.take() {
        if matches!(
            a.session.stage,
            Stage::Detect | Stage::Recover | Stage::Done
        ) {
            effects.push(Effect::RunActions(
                a.session.case.phases.rollback.actions.clone(),
            ));
        }
        app.log(LogKind::Info, format!("left case {}", a.session.case.id));
    }
    if app.load.on {
        app.load.on = false;
        effects.push(Effect::StopLoad);
    }
    effects
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseSet;
    use crossterm::event::KeyEvent;

    fn app() -> App {
        let cases = CaseSet::shipped().expect("cases").cases().to_vec();
        App::new(Lang::En, cases, "http://127.0.0.1:5000".into(), None)
    }

    fn press(app: &mut App, c: char) -> Vec<Effect> {
        update(app, Msg::Key(KeyEvent::from(KeyCode::Char(c)))).effects
    }

    use crate::cases::Lang;

    #[test]
    fn a_fault_key_toggles_from_the_state_the_api_reports() {
        let mut a = app();
        let on = press(&mut a, 'L');
        assert_eq!(
            on,
            vec![Effect::SetFaults(FaultUpdate {
                latency_ms: Some(2000),
                ..Default::default()
            })]
        );
        a.faults = Some(crate::faults::FaultConfig {
            latency_ms: 2000,
            ..Default::default()
        });
        let off = press(&mut a, 'L');
        assert_eq!(
            off,
            vec![Effect::SetFaults(FaultUpdate {
                latency_ms: Some(0),
                ..Default::default()
            })]
        );
        assert_eq!(a.signals.markers.len(), 2, "inject and reset are marked");
    }

    #[test]
    fn opening_a_case_starts_its_load_and_leaving_rolls_back_and_stops_it() {
        let mut a = app();
        let open = update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Enter))).effects;
        assert!(matches!(open.as_slice(), [Effect::StartLoad { rps, .. }] if *rps == 10.0));
        a.now = 100.0;
        update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Char('I'))));
        let leave = update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Esc))).effects;
        assert!(leave.iter().any(|e| matches!(e, Effect::RunActions(_))));
        assert!(leave.contains(&Effect::StopLoad));
        assert!(
            leave.contains(&Effect::SaveProgress),
            "left halfway is recorded"
        );
        assert!(a.active.is_none());
        assert!(!a.progress.cases["latency"].finished);
    }

    #[test]
    fn ctrl_c_quits_even_from_the_answer_box() {
        let mut a = app();
        a.overlay = Overlay::Form {
            field: 0,
            texts: Default::default(),
        };
        let e = update(
            &mut a,
            Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        )
        .effects;
        assert!(e.contains(&Effect::Quit));
        assert!(a.quitting);
    }

    #[test]
    fn the_form_rejects_out_of_range_values_and_keeps_the_old_ones() {
        let mut a = app();
        press(&mut a, 'f');
        for _ in 0..4 {
            update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Backspace)));
        }
        for c in "99999".chars() {
            press(&mut a, c);
        }
        update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Tab)));
        for _ in 0..2 {
            update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Backspace)));
        }
        press(&mut a, '5');
        update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Enter)));
        assert_eq!(a.fault_values.latency_ms, 2000, "99999 ms is out of range");
        assert_eq!(a.fault_values.error_rate, 5.0);
        assert_eq!(a.overlay, Overlay::None);
    }

    #[test]
    fn an_idle_tick_draws_nothing() {
        let mut a = app();
        assert_eq!(update(&mut a, Msg::Tick), Step::default());
    }
}
