//! The console when its sources go away: a real `workshop serve` and a real
//! Prometheus are killed and restarted while the console's own driver and
//! update loop run (headless: the same state, the same messages, no
//! terminal). It must show each loss, fall back to scraping `/metrics` when
//! Prometheus is gone, and recover by itself when they return.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::{Backend, PrometheusServer, Serve, Server, TestDb, free_port};
use tokio::sync::mpsc;
use tokio::time::Instant;
use workshop::cases::{CaseSet, Lang};
use workshop::telemetry::{Prometheus, Signal};
use workshop::tui::driver::{Driver, TaskContext};
use workshop::tui::msg::{Msg, SourceKind};
use workshop::tui::state::{App, Link};
use workshop::tui::update::update;

/// A `workshop serve` on `port`, not waited for: the console must see it
/// come (and come back) by itself. Quiet: the console's losses are the point.
fn serve(db_url: &str, port: u16) -> Server {
    Serve::on_port(db_url, port).stderr(Stdio::null()).spawn()
}

struct Console {
    app: App,
    rx: mpsc::UnboundedReceiver<Msg>,
    started: Instant,
    _driver: Driver,
}

impl Console {
    fn new(api_url: &str, prometheus_url: &str) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = TaskContext::new(
            tx,
            api_url,
            Some(Prometheus::new(prometheus_url).expect("a Prometheus URL")),
        );
        let started = shared.started;
        let driver = Driver::new(shared);
        driver.start_telemetry();
        let cases = CaseSet::shipped().expect("cases").cases().to_vec();
        let app = App::new(
            Lang::En,
            cases,
            api_url.to_string(),
            Some(prometheus_url.to_string()),
        );
        Self {
            app,
            rx,
            started,
            _driver: driver,
        }
    }

    /// Runs the update loop until `done` holds, or fails after `within`
    /// saying what the console showed.
    async fn until(&mut self, what: &str, within: Duration, done: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + within;
        while !done(&self.app) {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the console never showed {what} within {within:?}; api {:?}, prometheus {:?}, source {:?}, log:\n{}",
                self.app.signals.api,
                self.app.signals.prometheus,
                self.app.signals.source,
                self.app
                    .log
                    .iter()
                    .map(|l| format!("  {} {}", l.at.format("%H:%M:%S%.1f"), l.text))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            if let Ok(Some(msg)) = tokio::time::timeout(left, self.rx.recv()).await {
                self.app.now = self.started.elapsed().as_secs_f64();
                update(&mut self.app, msg);
            }
        }
    }

    fn logged(&self, text: &str) -> bool {
        self.app.log.iter().any(|l| l.text.contains(text))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_shows_lost_sources_and_recovers_when_they_return() {
    let db = TestDb::new(Backend::Sqlite).await;
    let api_port = free_port();
    let api_url = format!("http://127.0.0.1:{api_port}");
    let mut api = serve(&db.url, api_port);
    let prom = PrometheusServer::start(&format!("127.0.0.1:{api_port}")).await;
    let prom_url = prom.url.clone();
    let mut console = Console::new(&api_url, &prom_url);
    let t = Duration::from_secs(30);

    console
        .until("both sources up, reading Prometheus", t, |a| {
            a.signals.api == Link::Up
                && a.signals.prometheus == Link::Up
                && a.signals.source == SourceKind::Prometheus
                && a.faults.is_some()
        })
        .await;

    // Prometheus goes away: the charts fall back to the API's /metrics.
    let prom_port: u16 = prom_url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    drop(prom);
    console
        .until("Prometheus lost, direct scrape in use", t, |a| {
            matches!(a.signals.prometheus, Link::Down(_)) && a.signals.source == SourceKind::Scrape
        })
        .await;
    assert!(console.logged("Prometheus lost"));
    let before = console.app.signals.series[Signal::RequestRate].len();
    console
        .until("request rates from the scrape", t, |a| {
            a.signals.series[Signal::RequestRate].len() >= before + 2
        })
        .await;

    // It comes back on the same address: the console returns to it.
    let prom = PrometheusServer::start_on(&format!("127.0.0.1:{api_port}"), prom_port).await;
    console
        .until("Prometheus back", t, |a| {
            a.signals.prometheus == Link::Up && a.signals.source == SourceKind::Prometheus
        })
        .await;
    assert!(console.logged("Prometheus is back"));

    // The API dies: shown, the fault state is unknown, nothing crashes.
    api.kill();
    console
        .until("the API lost", t, |a| {
            matches!(a.signals.api, Link::Down(_))
        })
        .await;
    assert!(console.logged("API lost"));
    api = serve(&db.url, api_port);
    console
        .until("the API back", Duration::from_secs(60), |a| {
            a.signals.api == Link::Up
        })
        .await;
    assert!(console.logged("API is back"));
    api.kill();
    drop(prom);
}
