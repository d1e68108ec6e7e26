//! What every task of the console shares: the channel back to the render
//! loop, where the API and Prometheus are, the scrape window, the stack's
//! handle. Its own type, so the tasks (`driver`) and the senses (`sensing`)
//! both use it without using each other.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::cases::Lang;
use crate::cases::engine::{LiveIo, ServiceControl};
use crate::client::ApiClient;
use crate::stack::task::StackHandle;
use crate::telemetry::scrape::ScrapeWindow;
use crate::telemetry::{Prometheus, Source};

use super::msg::Msg;

/// Where the console reaches the API and Prometheus. Set again when a
/// backend opens: the console in a container reaches the services by name,
/// and a switch to local mode moves them to loopback.
pub struct Endpoints {
    pub api: ApiClient,
    pub prometheus: Option<Prometheus>,
}

/// What every task shares.
#[derive(Clone)]
pub struct TaskContext {
    pub tx: UnboundedSender<Msg>,
    pub endpoints: Arc<RwLock<Endpoints>>,
    pub http: reqwest::Client,
    /// False once the stack said it has no Prometheus (local, none on PATH).
    pub prometheus_wanted: Arc<AtomicBool>,
    pub prometheus_up: Arc<AtomicBool>,
    pub window: Arc<Mutex<ScrapeWindow>>,
    pub stack: Arc<Mutex<Option<StackHandle>>>,
    pub started: Instant,
    /// The language the tasks word what they report in (the stack's troubles).
    pub(crate) lang: Lang,
}

impl TaskContext {
    /// Everything the tasks share, pointed at `api_url` and (when there is
    /// one) `prometheus`.
    pub fn new(tx: UnboundedSender<Msg>, api_url: &str, prometheus: Option<Prometheus>) -> Self {
        Self {
            tx,
            endpoints: Arc::new(RwLock::new(Endpoints {
                api: ApiClient::new(api_url),
                prometheus,
            })),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .connect_timeout(Duration::from_secs(2))
                .build()
                .unwrap_or_default(),
            prometheus_wanted: Arc::new(AtomicBool::new(true)),
            prometheus_up: Arc::new(AtomicBool::new(false)),
            window: Arc::new(Mutex::new(ScrapeWindow::default())),
            stack: Arc::new(Mutex::new(None)),
            started: Instant::now(),
            lang: Lang::En,
        }
    }

    /// The same, reporting in `lang`.
    pub(crate) fn in_lang(self, lang: Lang) -> Self {
        Self { lang, ..self }
    }

    pub(super) fn send(&self, msg: Msg) {
        let _ = self.tx.send(msg);
    }

    pub(super) fn api(&self) -> ApiClient {
        match self.endpoints.read() {
            Ok(e) => e.api.clone(),
            Err(poisoned) => poisoned.into_inner().api.clone(),
        }
    }

    pub(super) fn prometheus(&self) -> Option<Prometheus> {
        match self.endpoints.read() {
            Ok(e) => e.prometheus.clone(),
            Err(poisoned) => poisoned.into_inner().prometheus.clone(),
        }
    }

    /// Points the console at a backend's URLs; a Prometheus URL that does
    /// not parse keeps the one before (the scrape then stands in).
    pub(super) fn set_endpoints(&self, api_url: &str, prometheus_url: &str) {
        let prometheus = Prometheus::new(prometheus_url).ok();
        if let Ok(mut e) = self.endpoints.write() {
            e.api = ApiClient::new(api_url);
            if prometheus.is_some() {
                e.prometheus = prometheus;
            }
        }
    }

    pub(super) fn source(&self) -> Source {
        match &self.prometheus() {
            Some(p) if self.prometheus_up.load(Ordering::Relaxed) => Source::Prometheus(p.clone()),
            _ => Source::Scrape(self.window.clone()),
        }
    }

    pub(super) fn stack(&self) -> Option<StackHandle> {
        self.stack.lock().ok().and_then(|s| s.clone())
    }

    /// The case engine's senses and hands, as things stand now.
    pub(super) fn case_io(&self) -> LiveIo {
        LiveIo {
            source: self.source(),
            http: self.http.clone(),
            api: self.api(),
            services: self
                .stack()
                .map(|h| std::sync::Arc::new(h) as std::sync::Arc<dyn ServiceControl>),
        }
    }
}
