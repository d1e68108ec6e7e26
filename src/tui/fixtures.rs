//! The console in each state the snapshot tests draw, built through the same `update` the console runs.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::cases::engine::probe::Observation;
use crate::cases::engine::session::{Poll, Seen};
use crate::cases::{CaseSet, Lang};
use crate::faults::FaultConfig;
use crate::loadgen::LoadReport;
use crate::stack::engine::{Attempt, NoEngine};
use crate::stack::{
    Backend, Exit, Health, Service, ServiceRole, ServiceState, ServiceStatus, StackError,
    StackEvent, StackStatus,
};
use crate::telemetry::{AlertStatus, BySignal, Signal};

use super::keymap::Command;
use super::msg::{Blocked, Msg, Reading, SourceKind};
use super::state::App;
use super::update::update;

/// Draws with `render` on a `w`×`h` test terminal and returns the screen.
pub(super) fn draw(w: u16, h: u16, render: impl FnOnce(&mut ratatui::Frame)) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    term.draw(render).expect("drawn");
    term.backend().to_string()
}

/// What the stack, Docker, a registry and the system say in these states,
/// in their own words: English whatever the console's language.
const STEPS: [&str; 3] = [
    "creating container",
    "waiting for health",
    "pulling image: 12/40 MiB",
];
const REFUSED: &str = "connection refused";
const IMAGE_REASON: &str = "pull failed: no registry reachable";
const IMAGE_FIX: &str = "load the coach's bundle: `workshop images load FILE`, or use the \
                         classroom mirror: WORKSHOP_REGISTRY=host:port";

/// All of the above, for a test that holds the console's own words only.
pub(super) fn stack_says() -> String {
    let theirs = [REFUSED, IMAGE_REASON, IMAGE_FIX];
    format!("{}\n{}", STEPS.join("\n"), theirs.join("\n"))
}

/// The console's clock starts at 09:00:00 UTC in every fixture, so the
/// log's times of day are the same on every run.
fn base(lang: Lang) -> App {
    let cases = CaseSet::shipped().expect("shipped cases").cases().to_vec();
    let mut app = App::new(
        lang,
        cases,
        "http://127.0.0.1:5000".into(),
        Some("http://127.0.0.1:9090".into()),
    );
    app.started_utc = chrono::DateTime::parse_from_rfc3339("2026-03-17T09:00:00Z")
        .expect("a fixed time")
        .to_utc();
    app
}

fn svc(name: Service, state: ServiceState, health: Health) -> ServiceStatus {
    ServiceStatus {
        state,
        health,
        url: match name.role {
            ServiceRole::App => Some("http://127.0.0.1:5000".into()),
            ServiceRole::Prometheus => Some("http://127.0.0.1:9090".into()),
            ServiceRole::Grafana => Some("http://127.0.0.1:3000".into()),
            ServiceRole::Db => None,
        },
        memory_bytes: Some(48 * 1024 * 1024),
        memory_limit_bytes: name.is_app().then_some(256 * 1024 * 1024),
        ..ServiceStatus::missing(name)
    }
}

fn docker_status() -> StackStatus {
    use Health::*;
    use ServiceState::*;
    StackStatus {
        backend: Backend::Docker,
        project: "workshop".into(),
        services: vec![
            svc(Service::of(ServiceRole::Db), Running, Healthy),
            svc(Service::app(1), Running, Healthy),
            svc(Service::of(ServiceRole::Prometheus), Running, Healthy),
            svc(Service::of(ServiceRole::Grafana), Running, Healthy),
        ],
        grafana_login: Some(("admin".into(), "workshop".into())),
    }
}

pub(super) fn at(app: &mut App, now: f64, msg: Msg) {
    app.now = now;
    update(app, msg);
}

pub(super) fn key(app: &mut App, action: Command) {
    let code = super::keymap::KEYMAP
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first())
        .copied();
    let ev = match code {
        Some(super::keymap::Key::Char(c)) => {
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Char(c))
        }
        Some(super::keymap::Key::Enter) => {
            crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Enter)
        }
        _ => return,
    };
    update(app, Msg::Key(ev));
}

pub(super) fn reading(p95: f64, err: f64, faults: FaultConfig, prom: bool) -> Reading {
    Reading {
        source: if prom {
            SourceKind::Prometheus
        } else {
            SourceKind::Scrape
        },
        api: Ok(()),
        prometheus: prom.then_some(Ok(())),
        values: BySignal::from_fn(|s| {
            Some(match s {
                Signal::P95 => p95,
                Signal::ErrorRatio => err,
                Signal::RequestRate => 10.0,
                Signal::ActiveTransactions => 1.0,
                Signal::Memory => 48.0 * 1024.0 * 1024.0,
            })
        }),
        faults: Some(faults),
    }
}

/// Runs the console's clock from `from` to `to`: a tick every second (its
/// polls answered by `seen`, and the polls those answers lead to), a
/// telemetry reading from `read` every two seconds.
pub(super) fn run(
    app: &mut App,
    from: f64,
    to: f64,
    read: impl Fn(f64) -> Option<Reading>,
    seen: impl Fn(&Poll, f64) -> Seen,
) {
    let mut t = from;
    while t < to {
        app.now = t;
        if (t - from) % 2.0 == 0.0
            && let Some(r) = read(t)
        {
            update(app, Msg::Telemetry(r));
        }
        let mut queue: Vec<super::msg::Effect> = update(app, Msg::Tick).effects;
        while let Some(e) = queue.pop() {
            if let super::msg::Effect::Observe(p) = e {
                queue.extend(update(app, Msg::Observed(seen(&p, t))).effects);
            }
        }
        t += 1.0;
    }
}

pub(super) fn calm(prom: bool) -> impl Fn(f64) -> Option<Reading> {
    move |t| {
        let wobble = 0.04 + 0.01 * (t / 10.0).sin();
        Some(reading(wobble, 0.0, FaultConfig::default(), prom))
    }
}

pub(super) fn healthy_seen(p: &Poll, _t: f64) -> Seen {
    match p {
        Poll::Capture { name, .. } => Seen::Captured {
            name: name.clone(),
            value: Some(if name.starts_with("p95") { 0.045 } else { 10.0 }),
        },
        Poll::Check { index, .. } => Seen::Check {
            index: *index,
            seen: Observation::Holds(Some(0.045)),
        },
        Poll::Alert { index, .. } => Seen::Alert {
            index: *index,
            status: Some(AlertStatus::Inactive),
            active_for_s: None,
        },
        Poll::Question { index, .. } => Seen::Question {
            index: *index,
            live: Some(2.1),
        },
        &Poll::Figure { index, .. } => Seen::Figure { index, live: None },
        Poll::Peaks => Seen::Peaks {
            p95: Some(0.045),
            error_ratio: Some(0.0),
            memory_bytes: Some(42.0 * 1024.0 * 1024.0),
            memory_limit_bytes: Some(256.0 * 1024.0 * 1024.0),
        },
    }
}

pub(super) fn empty() -> App {
    empty_in(Lang::En)
}

pub(super) fn empty_in(lang: Lang) -> App {
    base(lang)
}

pub(super) fn loading() -> App {
    loading_in(Lang::En)
}

pub(super) fn loading_in(lang: Lang) -> App {
    let mut app = base(lang);
    at(&mut app, 1.0, opened(Backend::Docker));
    for (s, m) in [("db", STEPS[0]), ("db", STEPS[1]), ("app-1", STEPS[2])] {
        at(
            &mut app,
            2.0,
            Msg::StackEvent(StackEvent::Progress {
                service: s.into(),
                message: m.into(),
            }),
        );
    }
    app
}

fn opened(backend: Backend) -> Msg {
    Msg::StackOpened {
        backend,
        api_url: "http://127.0.0.1:5000".into(),
        prometheus_url: "http://127.0.0.1:9090".into(),
    }
}

fn docker_up(app: &mut App) {
    at(app, 1.0, opened(Backend::Docker));
    at(app, 20.0, Msg::StackUp(Ok(vec![])));
    at(app, 20.0, Msg::StackStatus(Ok(docker_status())));
}

pub(super) fn healthy() -> App {
    healthy_in(Lang::En)
}

pub(super) fn healthy_in(lang: Lang) -> App {
    let mut app = base(lang);
    docker_up(&mut app);
    run(&mut app, 20.0, 320.0, calm(true), healthy_seen);
    key(&mut app, Command::Open);
    app.load.report = Some(LoadReport {
        target_rps: 10.0,
        sent: 600,
        elapsed: Duration::from_secs(60),
        ..LoadReport::default()
    });
    run(&mut app, 320.0, 400.0, calm(true), healthy_seen);
    app
}

pub(super) fn failing() -> App {
    failing_in(Lang::En)
}

/// The fault in at 400 s and watched until `to`: p95 climbs past the
/// detect checks' thresholds at 410 s, the alert stays pending.
pub(super) fn injected_until_in(lang: Lang, to: f64) -> App {
    let mut app = healthy_in(lang);
    at(
        &mut app,
        400.0,
        Msg::Key(crossterm::event::KeyCode::Char('i').into()),
    );
    let slow = FaultConfig {
        latency_ms: 2000,
        ..FaultConfig::default()
    };
    let read = |t: f64| {
        let p95 = if t < 410.0 { 0.05 } else { 2.3 };
        Some(reading(p95, 0.0, slow.clone(), true))
    };
    run(&mut app, 400.0, to, read, |p, t| match p {
        Poll::Check {
            index,
            probe: crate::cases::Probe::Alert(_),
        } => Seen::Check {
            index: *index,
            seen: Observation::Fails(None),
        },
        Poll::Check { index, .. } => Seen::Check {
            index: *index,
            seen: if t < 410.0 {
                Observation::Fails(Some(0.05))
            } else {
                Observation::Holds(Some(2.3))
            },
        },
        Poll::Alert { index, .. } => Seen::Alert {
            index: *index,
            status: Some(AlertStatus::Pending),
            active_for_s: None,
        },
        other => healthy_seen(other, t),
    });
    app
}

/// Detected (TTD 16 s), the alert still pending, and app-1 OOM-killed.
pub(super) fn failing_in(lang: Lang) -> App {
    let mut app = injected_until_in(lang, 440.0);
    let mut status = docker_status();
    status.services[1].restarts = 2;
    status.services[1].oom_kills = 2;
    status.services[1].health = Health::Starting;
    status.services[1].last_exit = Some(Exit::OomKilled { signal: 9 });
    at(&mut app, 440.0, Msg::StackStatus(Ok(status)));
    at(
        &mut app,
        440.0,
        Msg::StackEvent(StackEvent::OomKilled {
            service: "app-1".into(),
        }),
    );
    app
}

pub(super) fn docker_absent() -> App {
    docker_absent_in(Lang::En)
}

pub(super) fn docker_absent_in(lang: Lang) -> App {
    let mut app = base(lang);
    at(
        &mut app,
        3.0,
        Msg::StackOpenFailed(Blocked {
            trouble: StackError::NoEngine(NoEngine {
                tried: vec![Attempt {
                    place: "unix:///var/run/docker.sock".into(),
                    outcome: "no such file".into(),
                }],
            })
            .trouble_in(lang),
            local_offered: true,
            retry_in_s: 5,
        }),
    );
    at(
        &mut app,
        4.0,
        Msg::Telemetry(Reading {
            source: SourceKind::None,
            api: Err(REFUSED.into()),
            prometheus: Some(Err(REFUSED.into())),
            values: BySignal::default(),
            faults: None,
        }),
    );
    app
}

/// Docker answers, but an image can be neither found nor pulled nor built.
pub(super) fn blocked_on_images(lang: Lang) -> App {
    let mut app = base(lang);
    at(&mut app, 1.0, opened(Backend::Docker));
    at(
        &mut app,
        6.0,
        Msg::StackUp(Err(Blocked {
            trouble: StackError::ImageMissing {
                service: "db".into(),
                image: "postgres:15-bookworm".into(),
                reason: IMAGE_REASON.into(),
                fix: IMAGE_FIX.into(),
            }
            .trouble_in(lang),
            local_offered: true,
            retry_in_s: 10,
        })),
    );
    app
}

pub(super) fn prometheus_absent() -> App {
    prometheus_absent_in(Lang::En)
}

pub(super) fn prometheus_absent_in(lang: Lang) -> App {
    let mut app = base(lang);
    app.prometheus_url = None;
    at(&mut app, 1.0, opened(Backend::Local));
    at(
        &mut app,
        3.0,
        Msg::StackUp(Ok(vec![Service::of(ServiceRole::Prometheus)])),
    );
    let mut app1 = svc(Service::app(1), ServiceState::Running, Health::Healthy);
    app1.memory_limit_bytes = Some(256 * 1024 * 1024);
    let prom = ServiceStatus::missing(Service::of(ServiceRole::Prometheus));
    at(
        &mut app,
        3.0,
        Msg::StackStatus(Ok(StackStatus {
            backend: Backend::Local,
            project: "workshop".into(),
            services: vec![app1, prom],
            grafana_login: None,
        })),
    );
    run(&mut app, 3.0, 120.0, calm(false), healthy_seen);
    app
}
