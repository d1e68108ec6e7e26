//! A Prometheus server, asked through its HTTP API.

use std::time::Duration;

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
        let result = self.client.query(query).get().await.map_err(|e| match e {
            prometheus_http_query::Error::Prometheus(p) => TelemetryError::Query {
                query: query.to_string(),
                reason: p.to_string(),
            },
            other => self.unreachable(other.to_string()),
        })?;
        Ok(match result.data() {
            Data::Vector(v) => v.iter().map(|s| s.sample().value()).collect(),
            Data::Scalar(s) => vec![s.value()],
            Data::Matrix(m) => m
                .iter()
                .filter_map(|r| r.samples().last().map(|s| s.value()))
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
