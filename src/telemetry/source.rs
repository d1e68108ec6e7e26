//! Where a check or a chart reads its numbers: Prometheus when it answers,
//! else the API's own `/metrics` scraped into a [`ScrapeWindow`]. Both
//! answer the same questions (a query, a live [`Signal`], an alert), so a
//! check or a chart is written once and works in either mode.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::prom::{AlertStatus, Prometheus, TelemetryError};
use super::scrape::ScrapeWindow;
use super::signal::{BySignal, Signal};

#[derive(Clone)]
pub enum Source {
    Prometheus(Prometheus),
    /// A window kept up to date by whoever scrapes (the console's telemetry task).
    Scrape(Arc<Mutex<ScrapeWindow>>),
}

impl Source {
    /// The sample values of a query (see [`ScrapeWindow::values`] for what a
    /// scrape can answer).
    pub async fn values(&self, query: &str) -> Result<Vec<f64>, TelemetryError> {
        match self {
            Source::Prometheus(p) => p.values(query).await,
            Source::Scrape(w) => {
                let w = w.lock().map_err(|_| TelemetryError::Scrape {
                    query: query.to_string(),
                    reason: "the scrape window is poisoned".into(),
                })?;
                w.values(query).map_err(|e| TelemetryError::Scrape {
                    query: query.to_string(),
                    reason: e.to_string(),
                })
            }
        }
    }

    /// The values of a case's query, which must read the app only: from
    /// Prometheus a series of another job is [`TelemetryError::OtherJob`]
    /// (a direct scrape reads nothing but the app).
    pub async fn app_values(&self, query: &str) -> Result<Vec<f64>, TelemetryError> {
        match self {
            Source::Prometheus(p) => p.app_values(query).await,
            Source::Scrape(_) => self.values(query).await,
        }
    }

    /// A live signal now: the largest of its query's series from
    /// Prometheus, or what the scrape window computes for it. `None` is no
    /// data (or a source that did not answer).
    pub async fn signal(&self, signal: Signal) -> Option<f64> {
        match self {
            Source::Prometheus(p) => p.max(signal.query()).await.ok().flatten(),
            Source::Scrape(w) => w.lock().ok().and_then(|w| signal.scraped().read(&w)),
        }
    }

    /// Every live signal now, asked at once.
    pub async fn signals(&self) -> BySignal<Option<f64>> {
        let values = futures::future::join_all(Signal::ALL.iter().map(|&s| self.signal(s))).await;
        let mut values = values.into_iter();
        BySignal::from_fn(|_| values.next().flatten())
    }

    /// An alert's state and since when it is active; only Prometheus
    /// evaluates alert rules.
    pub async fn alert_since(
        &self,
        name: &str,
    ) -> Result<(AlertStatus, Option<DateTime<Utc>>), TelemetryError> {
        match self {
            Source::Prometheus(p) => p.alert_since(name).await,
            Source::Scrape(_) => self.alert(name).await.map(|s| (s, None)),
        }
    }

    /// An alert's state; only Prometheus evaluates alert rules.
    pub async fn alert(&self, name: &str) -> Result<AlertStatus, TelemetryError> {
        match self {
            Source::Prometheus(p) => p.alert(name).await,
            Source::Scrape(_) => Err(TelemetryError::Scrape {
                query: format!("ALERTS{{alertname=\"{name}\"}}"),
                reason: "alerts need Prometheus, which is not reachable".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scrape_that_cannot_answer_names_the_scrape_not_prometheus() {
        let source = Source::Scrape(Arc::new(Mutex::new(ScrapeWindow::default())));
        let e = source
            .alert("HighLatency")
            .await
            .expect_err("no alerts without Prometheus");
        let text = e.to_string();
        assert!(text.contains("the API's /metrics"), "{text}");
        assert!(!text.contains("Prometheus refused"), "{text}");
        let e = source
            .values("histogram_quantile(0.5, rate(x[1m]))")
            .await
            .expect_err("not a query the scrape evaluates");
        assert!(e.to_string().starts_with("the API's /metrics"), "{e}");
    }
}
