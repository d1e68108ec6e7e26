//! One walk, two drivers: the console and `workshop run` fed the same
//! recorded telemetry on the same fake clock give the same checks, in the
//! same order, with the same values and times.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use futures::executor::block_on;

use super::*;
use crate::cases::engine::io::Clock;
use crate::cases::engine::replay::{FakeClock, Replay};
use crate::cases::engine::session::Progress;
use crate::cases::engine::walk_tests::{case, walk_headless};
use crate::cases::engine::{CaseIo, CaseOutcome, RunEvent};
use crate::cases::{CaseSet, Lang, Phase};
use crate::telemetry::Signal;
use crate::tui::state::App;

/// Does what the console's driver would do with `effects`, on the replay.
fn perform(app: &mut App, replay: &Replay, effects: Vec<Effect>) {
    let mut queue = std::collections::VecDeque::from(effects);
    while let Some(effect) = queue.pop_front() {
        match effect {
            Effect::Observe(poll) => {
                let captures = app
                    .active
                    .as_ref()
                    .map(|a| a.session.captures.clone())
                    .unwrap_or_default();
                let seen = block_on(replay.observe(poll, captures));
                queue.extend(update(app, Msg::Observed(seen)).effects);
            }
            Effect::RunActions(actions) => {
                // The console's own driver task, on the replay.
                let said = std::sync::Mutex::new(Vec::new());
                let send = |m: Msg| said.lock().expect("not poisoned").push(m);
                block_on(crate::tui::driver::act_out(replay, &actions, &send));
                for m in said.into_inner().unwrap_or_default() {
                    queue.extend(update(app, m).effects);
                }
            }
            _ => {}
        }
    }
}

fn press(app: &mut App, replay: &Replay, c: char) {
    let effects = update(app, Msg::Key(KeyEvent::from(KeyCode::Char(c)))).effects;
    perform(app, replay, effects);
}

/// The student walks case 1 in the console: `i` as soon as the baseline
/// holds, `r` as soon as the detect phase has nothing left to wait for.
fn walk_in_console(replay: &Replay, clock: &FakeClock) -> (CaseOutcome, Vec<String>) {
    let app = console_walk(replay, clock);
    let outcome = match app.active.as_ref() {
        Some(a) => a.session.outcome("console", &|t| {
            crate::cases::engine::io::utc_after(crate::cases::engine::replay::FAKE_ORIGIN_UTC, t)
        }),
        None => CaseOutcome::default(),
    };
    let lines = app
        .log
        .iter()
        .map(|l| l.text.clone())
        .filter(|t| t.starts_with('✔') || t.starts_with('✘') || t.starts_with('🔔'))
        .collect();
    (outcome, lines)
}

/// The console after the walk of case 1, its case still open.
fn console_walk(replay: &Replay, clock: &FakeClock) -> App {
    let cases = CaseSet::shipped().expect("cases").cases().to_vec();
    let mut app = App::new(Lang::En, cases, "http://127.0.0.1:5000".into(), None);
    app.now = clock.now();
    let open = update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Enter))).effects;
    perform(&mut app, replay, open);
    let mut injected = false;
    let mut recovered = false;
    while clock.now() < 600.0 {
        app.now = clock.now();
        let effects = update(&mut app, Msg::Tick).effects;
        perform(&mut app, replay, effects);
        let Some(a) = app.active.as_ref() else {
            break;
        };
        if a.session.progress == Progress::Done {
            break;
        }
        if !injected && a.session.can_inject() {
            injected = true;
            press(&mut app, replay, 'i');
        }
        if !recovered
            && app
                .active
                .as_ref()
                .is_some_and(|a| a.session.detect_finished())
        {
            recovered = true;
            press(&mut app, replay, 'r');
        }
        clock.advance(0.25);
    }
    app
}

#[tokio::test]
async fn the_console_and_run_give_the_same_checks_values_and_times() {
    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let (headless, events) = walk_headless(&case("latency"), &replay).await;

    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let (console, lines) = walk_in_console(&replay, &clock);

    let printed: Vec<String> = events
        .iter()
        .filter(|e| {
            !matches!(
                e,
                RunEvent::CheckPassed {
                    phase: Phase::Teachable,
                    ..
                }
            )
        })
        .map(|e| e.text(Lang::En))
        .filter(|t| t.starts_with('✔') || t.starts_with('✘') || t.starts_with('🔔'))
        .collect();
    assert!(printed.len() >= 8, "{printed:#?}");
    assert_eq!(lines, printed, "the console's lines and run's lines");
    assert!(headless.passed && console.passed);
    assert_eq!(console.time_to_detect, headless.time_to_detect);
    assert_eq!(console.time_to_alert, headless.time_to_alert);
    assert_eq!(console.time_to_recover, headless.time_to_recover);
    assert_eq!(console.peak_p95, headless.peak_p95);
    let checks = |o: &CaseOutcome| -> Vec<(String, bool, Option<f64>, f64)> {
        o.checks
            .iter()
            .filter(|c| c.phase != Phase::Teachable)
            .map(|c| (c.id.clone(), c.passed, c.value, c.after.as_secs_f64()))
            .collect()
    };
    assert_eq!(checks(&console), checks(&headless));
}

/// What `run` printed for check `id` of the case (not of the proof that
/// it is teachable): its time.
fn run_after(events: &[RunEvent], id: &str) -> f64 {
    events
        .iter()
        .find_map(|e| match e {
            RunEvent::CheckPassed {
                id: i,
                after_s,
                phase,
                ..
            } if i == id && *phase != Phase::Teachable => Some(*after_s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{id} passed: {events:#?}"))
}

#[tokio::test]
async fn the_console_panel_shows_each_check_timed_from_its_phase_like_run() {
    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let (_, events) = walk_headless(&case("latency"), &replay).await;
    // p95 rises 10 s after the injection: the check that follows the first
    // one passes at about the same time, counted from the injection too.
    let first = run_after(&events, "p95-above-objective");
    let second = run_after(&events, "p95-times-baseline");
    assert!((10.0..=12.0).contains(&first), "{first}");
    assert!(
        second >= first,
        "{second} is after the injection, not after {first}"
    );
    // Both recover checks start with the recover action; p95 is back at
    // about 20 s and the alert resolves at 30 s, each timed when it held.
    let back = run_after(&events, "p95-back-to-normal");
    let cleared = run_after(&events, "high-latency-cleared");
    assert!((15.0..=30.0).contains(&back), "{back}");
    assert!(cleared >= back, "{cleared} counts from the recover action");

    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let app = console_walk(&replay, &clock);
    let screen = crate::tui::fixtures::draw(110, 60, |f| {
        crate::tui::panels::phase::render(f, f.area(), &app, crate::tui::theme::Theme::PLAIN)
    });
    for (id, after) in [
        ("detect/p95-times-baseline", second),
        ("recover/high-latency-cleared", cleared),
    ] {
        let line = screen
            .lines()
            .find(|l| l.contains(id))
            .unwrap_or_else(|| panic!("{id} on screen:\n{screen}"));
        assert!(
            line.contains(&format!("{after:.1} s")),
            "the panel shows run's {after:.1} s for {id}: {line}"
        );
    }
}

#[tokio::test]
async fn a_finished_case_says_what_comes_next_in_both_languages() {
    for (lang, leave, next) in [
        (
            Lang::En,
            "Esc leaves it and stops the load",
            "Enter open 2 · Every third payment fails.",
        ),
        (
            Lang::Ru,
            "Esc — выйти из кейса и остановить нагрузку",
            "открыть 2 · Каждый третий платёж падает.",
        ),
    ] {
        let clock = Arc::new(FakeClock::default());
        let replay = Replay::new(clock.clone());
        let mut app = console_walk(&replay, &clock);
        assert!(
            app.active
                .as_ref()
                .is_some_and(|a| a.session.progress == Progress::Done)
        );
        app.lang = lang;
        let screen = crate::tui::fixtures::draw(200, 20, |f| {
            crate::tui::panels::phase::render(f, f.area(), &app, crate::tui::theme::Theme::PLAIN)
        });
        let status = screen.lines().nth(1).unwrap_or_default();
        assert!(status.contains(leave), "{status}");
        assert!(status.contains(next), "{status}");
    }
}

#[tokio::test]
async fn opening_a_case_starts_its_charts_on_a_window_of_their_own() {
    let clock = Arc::new(FakeClock::default());
    let replay = Replay::new(clock.clone());
    let mut app = console_walk(&replay, &clock);
    // The previous case's p95 peaked at 28 s; the next one's is 8 s.
    app.signals.series[Signal::P95].push(app.now, 28.0);
    app.signals.markers.push((app.now, true));
    update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Esc)));
    update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Down)));
    update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Enter)));
    assert_eq!(app.active.as_ref().map(|a| a.session.case.order), Some(2));
    assert!(
        app.signals.series[Signal::P95].is_empty(),
        "the old case's samples are gone"
    );
    assert!(app.signals.markers.is_empty(), "and so are its markers");
    app.now += 2.0;
    let p95 = &mut app.signals.series[Signal::P95];
    p95.push(app.now, 8.0);
    let bars = crate::tui::panels::charts::bars(p95, app.now, 10, Signal::P95.floor());
    assert_eq!(bars.last(), Some(&'█'), "8 s is the top of the new scale");
}

/// Observes case 1's recorded telemetry; acts on an API that refuses
/// every connection, so the fault never goes in.
struct RefusingApi {
    replay: Replay,
    api: crate::cases::engine::LiveIo,
}

impl RefusingApi {
    fn new(clock: Arc<FakeClock>, url: &str) -> Self {
        Self {
            replay: Replay::new(clock),
            api: crate::cases::engine::LiveIo {
                source: crate::telemetry::Source::Scrape(Default::default()),
                http: reqwest::Client::new(),
                api: crate::client::ApiClient::new(url),
                services: None,
            },
        }
    }
}

impl CaseIo for RefusingApi {
    fn observe(
        &self,
        poll: crate::cases::engine::session::Poll,
        captures: crate::cases::engine::Captures,
    ) -> futures::future::BoxFuture<'_, crate::cases::engine::session::Seen> {
        self.replay.observe(poll, captures)
    }
    fn act<'a>(
        &'a self,
        action: &'a crate::cases::model::Action,
    ) -> futures::future::BoxFuture<'a, crate::cases::engine::io::Acted> {
        self.api.act(action)
    }
}

#[tokio::test]
async fn a_failed_inject_stops_the_case_in_the_console_as_it_stops_run() {
    // A port nothing listens on: the same refusal for both drivers.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let url = format!("http://127.0.0.1:{port}");
    let clock = Arc::new(FakeClock::default());
    let io = RefusingApi::new(clock.clone(), &url);
    let stop = tokio_util::sync::CancellationToken::new();
    let opts = crate::cases::engine::walk::WalkOptions {
        lang: Lang::En,
        prove_teachable: false,
        stop: &stop,
    };
    let said = std::sync::Mutex::new(Vec::new());
    let emit = |e: RunEvent| said.lock().expect("not poisoned").push(e);
    let c = case("latency");
    let headless = crate::cases::engine::walk::walk(&c, opts, &io, clock.as_ref(), &emit).await;
    let run_reason = headless.aborted.clone().expect("run stops");
    let failed = c.phases.inject.actions[0].text(Lang::En);
    assert!(
        run_reason.starts_with(&format!("`{failed}` failed: ")),
        "{run_reason}"
    );
    let events = said.into_inner().unwrap_or_default();
    assert!(
        !events.iter().any(|e| matches!(
            e,
            RunEvent::Phase {
                phase: Phase::Detect,
                ..
            }
        )),
        "run never reaches detect: {events:#?}"
    );

    // The console: the student presses `i` once the baseline holds; its
    // driver task runs the actions on the same refusing API.
    let clock = Arc::new(FakeClock::default());
    let io = RefusingApi::new(clock.clone(), &url);
    let cases = CaseSet::shipped().expect("cases").cases().to_vec();
    let mut app = App::new(Lang::En, cases, "http://127.0.0.1:5000".into(), None);
    let open = update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Enter))).effects;
    perform(&mut app, &io.replay, open);
    while !app.active.as_ref().is_some_and(|a| a.session.can_inject()) && clock.now() < 300.0 {
        clock.advance(0.25);
        app.now = clock.now();
        let effects = update(&mut app, Msg::Tick).effects;
        perform(&mut app, &io.replay, effects);
    }
    let effects = update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Char('i')))).effects;
    for effect in effects {
        if let Effect::RunActions(actions) = effect {
            let sent = std::sync::Mutex::new(Vec::new());
            let send = |m: Msg| sent.lock().expect("not poisoned").push(m);
            crate::tui::driver::act_out(&io, &actions, &send).await;
            for m in sent.into_inner().unwrap_or_default() {
                update(&mut app, m);
            }
        }
    }
    let a = app.active.as_ref().expect("the case is still open");
    assert_eq!(
        a.session.progress,
        Progress::Stopped,
        "not waiting in detect"
    );
    let outcome = a.session.outcome("console", &|t| clock.utc(t));
    assert_eq!(outcome.aborted, Some(run_reason.clone()), "the same reason");
    assert!(!outcome.passed && !headless.passed);
    let logged = app
        .log
        .iter()
        .any(|l| l.text == format!("aborted: {run_reason}"));
    assert!(logged, "the console says why, as run does");
    app.now += 30.0;
    let effects = update(&mut app, Msg::Tick).effects;
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Observe(_))),
        "nothing is polled once the case stopped: {effects:?}"
    );
    let leave = update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Esc))).effects;
    assert!(
        leave
            .iter()
            .any(|e| matches!(e, Effect::RunActions(r) if r.phase == Phase::Rollback)),
        "leaving runs the rollback: {leave:?}"
    );
}
