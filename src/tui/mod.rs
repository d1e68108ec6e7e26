//! `workshop tui`: the guided console.
//!
//! One direction of flow: keys and the tasks' reports arrive as [`msg::Msg`]
//! on one channel; [`update::update`] changes the [`state::App`] and asks for
//! [`msg::Effect`]s; [`driver`] carries them out in spawned tasks that report
//! back; [`view::draw`] paints the state when something changed. The render
//! loop never awaits the network or Docker.
//!
//! Panels, one file each in [`panels`]: stack, cases, phase, faults, load,
//! charts, log, and the boxes (help, input, blocked: the ways out when the
//! stack cannot come up). [`shared`] is what the tasks share, [`sensing`]
//! one round of telemetry.
//! Also: [`keymap`] (keys and help from one table), [`keys`] and
//! [`actions`] (what a key does, for `update`), [`form`] (the fault
//! form's values and lines), [`timeline`] (the event log, its pinned facts
//! and the log view's filters), [`text`] (en/ru),
//! [`theme`] (16 colours or none), [`progress`] (saved between runs),
//! [`terminal`] (raw mode in and out, panic included, and what its events
//! say), [`tasks`] (the long-lived tasks, stopped on one token and joined
//! on leaving), [`coach`] (the
//! link to the coach's board as the console shows it) and [`board`] (what
//! `update` queues for that board).

pub(crate) mod acted;
pub(crate) mod actions;
pub(crate) mod board;
pub mod coach;
pub(crate) mod context;
pub mod driver;
pub(crate) mod form;
pub(crate) mod keymap;
pub(crate) mod keys;
pub mod msg;
pub(crate) mod panels;
pub(crate) mod progress;
pub(crate) mod sensing;
mod stack_life;
mod stack_view;
pub mod state;
pub(crate) mod tasks;
pub(crate) mod terminal;
pub(crate) mod text;
pub mod theme;
pub(crate) mod timeline;
pub mod update;
pub mod view;

#[cfg(test)]
mod cut_tests;
#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod screens;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::cases::{Case, Lang};
use crate::coach::link::{CoachLink, Join};
use crate::stack::{Choice, StackSettings};
use crate::telemetry::Prometheus;

use driver::{Driver, TaskContext};
use msg::{Effect, Msg};
use progress::Progress;
use state::{App, StackLife};
use text::{T, t, tf};
use theme::Theme;

/// Where the stack comes from.
#[derive(Debug, Clone)]
pub enum Mode {
    /// Started (or adopted) by the console.
    Managed(Choice),
    /// Someone else's: only these URLs.
    Attach {
        api_url: String,
        prometheus_url: Option<String>,
    },
}

pub struct Options {
    pub mode: Mode,
    pub lang: Lang,
    pub settings: StackSettings,
    pub cases: Vec<Case>,
    pub progress_path: PathBuf,
    pub theme: Theme,
    /// Cancelled by a signal (SIGTERM, a closed terminal): leave as `q` does.
    pub shutdown: CancellationToken,
    /// The class whose board gets this console's progress.
    pub(crate) coach: Option<Join>,
}

/// What the console leaves behind.
pub struct Finished {
    pub report: Option<PathBuf>,
    pub note: String,
}

/// Runs the console until the student quits: set up, the render loop,
/// leaving (rollback, the tasks joined, the terminal restored), the report.
pub async fn run(opts: Options) -> anyhow::Result<Finished> {
    let (mut app, mut rx, mut driver) = set_up(&opts)?;
    let link = opts.coach.clone().map(|join| {
        let (link, messages) = CoachLink::start(join);
        driver.follow_coach(link.watch_state(), messages);
        app.coach = Some(coach::CoachView::new());
        link
    });
    let (mut terminal, guard) = terminal::enter()?;
    render_loop(
        &opts,
        &mut app,
        &mut rx,
        &mut driver,
        link.as_ref(),
        &mut terminal,
    )
    .await?;
    leave(&mut app, &opts, &mut terminal, driver, link).await;
    drop(terminal);
    drop(guard);
    Ok(finished(&app, &opts))
}

/// Where the API and Prometheus are, the state, and the tasks started.
fn set_up(
    opts: &Options,
) -> anyhow::Result<(App, tokio::sync::mpsc::UnboundedReceiver<Msg>, Driver)> {
    let local_url = |port: u16| format!("http://{}:{port}", opts.settings.bind);
    let (api_url, prometheus_url) = match &opts.mode {
        Mode::Attach {
            api_url,
            prometheus_url,
        } => (api_url.clone(), prometheus_url.clone()),
        Mode::Managed(_) => (
            local_url(opts.settings.api_port),
            Some(local_url(opts.settings.prometheus_port)),
        ),
    };
    let prometheus = match &prometheus_url {
        Some(u) => Some(Prometheus::new(u)?),
        None => None,
    };
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let shared = TaskContext::new(tx, &api_url, prometheus).in_lang(opts.lang);
    let started = shared.started;
    let mut app = App::new(opts.lang, opts.cases.clone(), api_url, prometheus_url);
    app.started_utc =
        chrono::Utc::now() - chrono::TimeDelta::from_std(started.elapsed()).unwrap_or_default();
    app.progress = Progress::load(&opts.progress_path);
    let mut driver = Driver::stopping_on(shared, opts.shutdown.child_token());
    match &opts.mode {
        Mode::Managed(choice) => driver.start_stack(*choice, opts.settings.clone()),
        Mode::Attach { .. } => app.stack.phase = StackLife::Attached,
    }
    driver.start_telemetry();
    Ok((app, rx, driver))
}

/// One message at a time into `update`, its effects carried out, a redraw
/// when something changed; until an effect says quit.
async fn render_loop(
    opts: &Options,
    app: &mut App,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Msg>,
    driver: &mut Driver,
    link: Option<&CoachLink>,
    terminal: &mut terminal::Term,
) -> anyhow::Result<()> {
    let mut input = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    terminal.draw(|f| view::draw(f, app, opts.theme))?;
    loop {
        let msg = tokio::select! {
            ev = input.next() => match terminal::message(ev) {
                Some(m) => m,
                None => continue,
            },
            Some(m) = rx.recv() => m,
            _ = tick.tick() => Msg::Tick,
            // `kill` (SIGTERM) and a closed terminal (SIGHUP) leave the way
            // `q` does: rollback, stop, restore the terminal.
            _ = opts.shutdown.cancelled(), if !app.quitting => Msg::Shutdown,
        };
        app.now = driver.shared.started.elapsed().as_secs_f64();
        let step = update::update(app, msg);
        if let (Some(link), Some(c)) = (link, app.coach.as_mut()) {
            for event in c.out.drain(..) {
                link.send(event);
            }
        }
        if perform(app, opts, driver, step.effects) {
            return Ok(());
        }
        if step.redraw {
            terminal.draw(|f| view::draw(f, app, opts.theme))?;
        }
    }
}

/// Carries out one step's effects; true when one of them is to quit.
fn perform(app: &mut App, opts: &Options, driver: &mut Driver, effects: Vec<Effect>) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Quit => quit = true,
            Effect::SaveProgress => {
                if let Err(e) = app.progress.save(&opts.progress_path) {
                    app.log(
                        state::LogKind::Bad,
                        tf(
                            app.lang,
                            T::SaveProgressFailed,
                            &[&opts.progress_path.display(), &e],
                        ),
                    );
                }
            }
            other => {
                let captures = app
                    .active
                    .as_ref()
                    .map(|a| a.session.captures.clone())
                    .unwrap_or_default();
                driver.perform(other, captures);
            }
        }
    }
    quit
}

/// Says what happens while the rollback and shutdown run (a terminal that
/// went away cannot show it; the rollback still runs), then waits for the
/// tasks, the coach's link and a local stack.
async fn leave(
    app: &mut App,
    opts: &Options,
    terminal: &mut terminal::Term,
    mut driver: Driver,
    link: Option<CoachLink>,
) {
    app.log(state::LogKind::Info, t(app.lang, T::RollingBack));
    if let Err(e) = terminal.draw(|f| view::draw(f, app, opts.theme)) {
        tracing::warn!("the terminal could not be drawn on while leaving: {e}");
    }
    let local = app.stack.backend == Some(crate::stack::Backend::Local);
    driver.finish(Duration::from_secs(10)).await;
    if let Some(link) = link {
        // What the board has not heard yet (the case left on quitting).
        link.finish(Duration::from_secs(2)).await;
    }
    if local {
        driver.stop_local_stack(Duration::from_secs(10)).await;
    }
}

/// The session report written beside the progress, and the line said after
/// the terminal is restored.
fn finished(app: &App, opts: &Options) -> Finished {
    let order: Vec<String> = opts.cases.iter().map(|c| c.id.clone()).collect();
    let report = opts.progress_path.with_file_name(format!(
        "session-report-{}.md",
        chrono::Local::now().format("%Y%m%d-%H%M%S")
    ));
    if let Some(dir) = report.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let records = app.progress.session(&order, app.started_utc);
    let written = crate::cases::engine::report::write(
        &report,
        crate::cases::engine::report::Kind::Session,
        &records,
        app.lang,
        chrono::Utc::now(),
    )
    .is_ok();
    let note = match (&opts.mode, app.stack.backend) {
        _ if app.exit_note.is_some() => app.exit_note.as_deref().unwrap_or_default(),
        (Mode::Attach { .. }, _) => t(app.lang, T::LeftAttached),
        (_, None) => t(app.lang, T::NoStackStarted),
        (_, Some(crate::stack::Backend::Local)) => t(app.lang, T::LocalStopped),
        (_, Some(crate::stack::Backend::Docker)) => t(app.lang, T::DockerKeepsRunning),
    }
    .to_string();
    Finished {
        report: written.then_some(report),
        note,
    }
}
