//! A Prometheus server, asked through its HTTP API.

use std::time::Duration;

use chrono::{DateTime, Utc};
use prometheus_http_query::Client;
use prometheus_http_query::response::Data;

#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("`{url}` is not a usable Prometheus URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "Prometheus at {url} did not answer ({reason}). Is it running? Start the stack with \
         `workshop up`, or point --prometheus-url / WORKSHOP_PROMETHEUS_URL at it"
    )]
    Unreachable { url: String, reason: String },
    #[error("Prometheus refused the query `{query}`: {reason}")]
    Query { query: String, reason: String },
    /// The API's own `/metrics`, read directly when no Prometheus runs,
    /// cannot answer this (an alert, or a query it does not evaluate).
    #[error("the API's /metrics (read directly, no Prometheus) cannot answer `{query}`: {reason}")]
    Scrape { query: String, reason: String },
    /// A case's query returned series of another scrape job than the app's
    /// (Prometheus's own `process_resident_memory_bytes`, say): its number
    /// would be about the wrong process.
    #[error(
        "the query `{query}` reads job {jobs} as well as the app: select the app with \
         {{job=\"{APP_JOB}\"}} on its metric"
    )]
    OtherJob { query: String, jobs: String },
}

/// The scrape job of the API in every stack's Prometheus configuration
/// (`compose/prometheus.yml`, `stack::files::prometheus_config`).
pub const APP_JOB: &str = "fintech-api";

/// One series of an instant query's answer: its value and the scrape job
/// it came from (`None` once an aggregation dropped the label).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub job: Option<String>,
    pub value: f64,
}

/// Where an alert rule stands, as `ALERTS` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStatus {
    Inactive,
    Pending,
    Firing,
}

#[derive(Clone)]
pub struct Prometheus {
    client: Client,
    url: String,
}

impl Prometheus {
    pub fn new(url: &str) -> Result<Self, TelemetryError> {
        let url = url.trim_end_matches('/').to_string();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| TelemetryError::BadUrl {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let client = Client::from(http, &url).map_err(|e| TelemetryError::BadUrl {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        Ok(Self { client, url })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// True when the server answers its readiness endpoint.
    pub async fn ready(&self) -> Result<(), TelemetryError> {
        match self.client.is_server_ready().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.unreachable("not ready yet".into())),
            Err(e) => Err(self.unreachable(e.to_string())),
        }
    }

    fn unreachable(&self, reason: String) -> TelemetryError {
        TelemetryError::Unreachable {
            url: self.url.clone(),
            reason,
        }
    }

    /// The sample values of an instant query (one per series; a scalar is one value).
    pub async fn values(&self, query: &str) -> Result<Vec<f64>, TelemetryError> {
        Ok(self
            .readings(query)
            .await?
            .into_iter()
            .map(|r| r.value)
            .collect())
    }

    /// The values of an instant query that must be about the app only: a
    /// series of another job is [`TelemetryError::OtherJob`].
    pub async fn app_values(&self, query: &str) -> Result<Vec<f64>, TelemetryError> {
        let readings = self.readings(query).await?;
        let mut others: Vec<&str> = readings
            .iter()
            .filter_map(|r| r.job.as_deref())
            .filter(|j| *j != APP_JOB)
            .collect();
        others.sort_unstable();
        others.dedup();
        if !others.is_empty() {
            let jobs = others
                .iter()
                .map(|j| format!("\"{j}\""))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(TelemetryError::OtherJob {
                query: query.to_string(),
                jobs,
            });
        }
        Ok(readings.into_iter().map(|r| r.value).collect())
    }

    /// Each series of an instant query with its job.
    pub async fn readings(&self, query: &str) -> Result<Vec<Reading>, TelemetryError> {
        let result = self.client.query(query).get().await.map_err(|e| match e {
            prometheus_http_query::Error::Prometheus(p) => TelemetryError::Query {
                query: query.to_string(),
                reason: p.to_string(),
            },
            other => self.unreachable(other.to_string()),
        })?;
        let job = |m: &std::collections::HashMap<String, String>| m.get("job").cloned();
        Ok(match result.data() {
            Data::Vector(v) => v
                .iter()
                .map(|s| Reading {
                    job: job(s.metric()),
                    value: s.sample().value(),
                })
                .collect(),
            Data::Scalar(s) => vec![Reading {
                job: None,
                value: s.value(),
            }],
            Data::Matrix(m) => m
                .iter()
                .filter_map(|r| {
                    r.samples().last().map(|s| Reading {
                        job: job(r.metric()),
                        value: s.value(),
                    })
                })
                .collect(),
        })
    }

    /// One number: the largest value that is not NaN, or `None` for no data.
    pub async fn max(&self, query: &str) -> Result<Option<f64>, TelemetryError> {
        let values = self.values(query).await?;
        Ok(values
            .into_iter()
            .filter(|v| !v.is_nan())
            .fold(None, |acc: Option<f64>, v| {
                Some(acc.map_or(v, |a| a.max(v)))
            }))
    }

    /// The state of an alert rule and, when it is active (pending or
    /// firing), since when, from `/api/v1/alerts` (its `activeAt`): an alert
    /// active since before a fault went in was not caused by it.
    pub async fn alert_since(
        &self,
        name: &str,
    ) -> Result<(AlertStatus, Option<DateTime<Utc>>), TelemetryError> {
        let alerts = self
            .client
            .alerts()
            .await
            .map_err(|e| self.unreachable(e.to_string()))?;
        let mut found = (AlertStatus::Inactive, None);
        for a in alerts
            .iter()
            .filter(|a| a.labels().get("alertname").map(String::as_str) == Some(name))
        {
            let status = if a.state().is_firing() {
                AlertStatus::Firing
            } else if a.state().is_pending() {
                AlertStatus::Pending
            } else {
                continue;
            };
            let at = a.active_at();
            let since = DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond());
            // Firing wins over pending; among equals, the earliest start.
            let better = status == AlertStatus::Firing && found.0 != AlertStatus::Firing
                || status == found.0 && since.is_some_and(|t| found.1.is_none_or(|f| t < f));
            if found.0 == AlertStatus::Inactive || better {
                found = (status, since);
            }
        }
        Ok(found)
    }

    /// The state of an alert rule, from the `ALERTS` series.
    pub async fn alert(&self, name: &str) -> Result<AlertStatus, TelemetryError> {
        let escaped = name.replace('\\', "\\\\").replace('"', "\\\"");
        let query = format!(r#"ALERTS{{alertname="{escaped}"}}"#);
        let result = self
            .client
            .query(&query)
            .get()
            .await
            .map_err(|e| self.unreachable(e.to_string()))?;
        let mut status = AlertStatus::Inactive;
        if let Data::Vector(v) = result.data() {
            for s in v {
                match s.metric().get("alertstate").map(String::as_str) {
                    Some("firing") => return Ok(AlertStatus::Firing),
                    Some("pending") => status = AlertStatus::Pending,
                    _ => {}
                }
            }
        }
        Ok(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/api/v1/alerts` as Prometheus answered it with HighLatency firing
    /// (and another rule pending), served on loopback.
    async fn serve_alerts() -> String {
        let body = r#"{"status":"success","data":{"alerts":[
            {"labels":{"alertname":"HighErrorRate","severity":"critical"},"annotations":{},
             "state":"pending","activeAt":"2025-03-01T00:00:30Z","value":"0.2e+00"},
            {"labels":{"alertname":"HighLatency","severity":"warning"},"annotations":{},
             "state":"firing","activeAt":"2025-03-01T00:00:10.5Z","value":"2.1e+00"}]}}"#;
        let app = axum::Router::new().route(
            "/api/v1/alerts",
            axum::routing::get(
                move || async move { ([("content-type", "application/json")], body) },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        url
    }

    #[tokio::test]
    async fn an_alert_is_read_with_the_time_it_became_active() {
        let prom = Prometheus::new(&serve_alerts().await).expect("a URL");
        let (status, since) = prom.alert_since("HighLatency").await.expect("answered");
        assert_eq!(status, AlertStatus::Firing);
        let since = since.expect("activeAt").to_rfc3339();
        assert_eq!(since, "2025-03-01T00:00:10.500+00:00");
        let (status, _) = prom.alert_since("MemoryPressure").await.expect("answered");
        assert_eq!(status, AlertStatus::Inactive, "not listed: inactive");
    }
}
