//! Render time per frame of the whole console (`cargo bench --bench render`):
//! a state with five minutes of chart data, a case in its detect phase and
//! a full event log, drawn on an in-memory terminal at 80×24 and 200×60.
//! Prints the mean and the 99th percentile per frame; no timing is asserted.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use workshop::cases::{CaseSet, Lang};
use workshop::faults::FaultConfig;
use workshop::telemetry::{BySignal, Signal};
use workshop::tui::msg::{Msg, Reading, SourceKind};
use workshop::tui::state::App;
use workshop::tui::theme::Theme;
use workshop::tui::update::update;
use workshop::tui::view;

fn reading(t: f64) -> Reading {
    Reading {
        source: SourceKind::Prometheus,
        api: Ok(()),
        prometheus: Some(Ok(())),
        values: BySignal::from_fn(|s| {
            Some(match s {
                Signal::P95 if t > 250.0 => 2.3,
                Signal::P95 => 0.05 + 0.01 * (t / 7.0).sin(),
                Signal::ErrorRatio => 0.0,
                Signal::RequestRate => 10.0 + (t / 13.0).cos(),
                Signal::ActiveTransactions => 1.0,
                Signal::Memory => 48.0 * 1024.0 * 1024.0,
            })
        }),
        faults: Some(FaultConfig::default()),
    }
}

fn state() -> App {
    let cases = CaseSet::shipped().expect("cases").cases().to_vec();
    let mut app = App::new(
        Lang::En,
        cases,
        "http://127.0.0.1:5000".into(),
        Some("http://127.0.0.1:9090".into()),
    );
    update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Enter)));
    let mut t = 0.0;
    while t < 300.0 {
        app.now = t;
        update(&mut app, Msg::Telemetry(reading(t)));
        update(&mut app, Msg::Tick);
        t += 2.0;
    }
    update(&mut app, Msg::Key(KeyEvent::from(KeyCode::Char('I'))));
    for i in 0..200 {
        app.log(workshop::tui::state::LogKind::Info, format!("event {i}"));
    }
    app
}

fn bench(app: &App, w: u16, h: u16, frames: usize) {
    let mut term = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let start = Instant::now();
        term.draw(|f| view::draw(f, app, Theme::COLOR))
            .expect("draw");
        times.push(start.elapsed());
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / frames as u32;
    let p99 = times[frames * 99 / 100];
    println!("{w}x{h}: {frames} frames, mean {mean:?}/frame, p99 {p99:?}");
}

fn main() {
    let app = state();
    bench(&app, 80, 24, 2000);
    bench(&app, 200, 60, 1000);
}
