//! A small client of the fintech API: what `inject`, `reset`, `failures`,
//! `healthcheck` and the console use.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::faults::{FaultConfig, FaultUpdate};

pub(crate) const DEFAULT_API_URL: &str = "http://127.0.0.1:5000";

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClientError {
    #[error(
        "cannot reach the API at {url} ({reason}). Is `workshop serve` running? \
         Start it, or point --api-url / WORKSHOP_API_URL at it"
    )]
    Unreachable { url: String, reason: String },
    #[error("the API at {url} answered {status}: {message}")]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
    #[error("the API at {url} answered something that is not the fintech API: {reason}")]
    Unexpected { url: String, reason: String },
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Failures {
    pub current_config: FaultConfig,
}

#[derive(Debug, Clone, Deserialize)]
struct Updated {
    config: FaultConfig,
}

#[derive(Clone)]
pub struct ApiClient {
    base: String,
    http: reqwest::Client,
    /// `WORKSHOP_ADMIN_TOKEN`, sent with every change of the faults.
    admin_token: Option<String>,
}

impl ApiClient {
    pub fn new(base: &str) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self {
            base: base.trim_end_matches('/').to_string(),
            http,
            admin_token: std::env::var("WORKSHOP_ADMIN_TOKEN")
                .ok()
                .filter(|t| !t.trim().is_empty()),
        }
    }

    /// A POST that changes the faults, with the admin token when there is one.
    fn change(&self, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.post(format!("{}{path}", self.base));
        match &self.admin_token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send<T: DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<T, ClientError> {
        let url = format!("{}{}", self.base, path);
        let resp = req.send().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            reason: short_reason(&e),
        })?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            reason: short_reason(&e),
        })?;
        if !status.is_success() {
            let message = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(String::from))
                .unwrap_or_else(|| String::from_utf8_lossy(&bytes).chars().take(200).collect());
            return Err(ClientError::Refused {
                url,
                status: status.as_u16(),
                message,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| ClientError::Unexpected {
            url,
            reason: e.to_string(),
        })
    }

    pub async fn failures(&self) -> Result<FaultConfig, ClientError> {
        let path = "/api/failures";
        let f: Failures = self
            .send(self.http.get(format!("{}{path}", self.base)), path)
            .await?;
        Ok(f.current_config)
    }

    pub async fn inject(&self, update: &FaultUpdate) -> Result<FaultConfig, ClientError> {
        let path = "/api/failures";
        let u: Updated = self.send(self.change(path).json(update), path).await?;
        Ok(u.config)
    }

    pub async fn reset(&self) -> Result<FaultConfig, ClientError> {
        let path = "/api/reset";
        let u: Updated = self.send(self.change(path), path).await?;
        Ok(u.config)
    }

    /// Begins a session with no fault injected: faults outlive a restart of
    /// the app (as a bug would), so those a previous session left are
    /// cleared here. Returns what was cleared, as `field=value` in the API's
    /// names; none when nothing was injected.
    pub async fn clear_leftover_faults(&self) -> Result<Option<Vec<String>>, ClientError> {
        let current = self.failures().await?;
        if current.is_clear() {
            return Ok(None);
        }
        self.reset().await?;
        Ok(Some(current.set_fields()))
    }

    /// `GET path` expecting a 2xx JSON answer.
    pub async fn probe(&self, path: &str) -> Result<serde_json::Value, ClientError> {
        self.send(self.http.get(format!("{}{path}", self.base)), path)
            .await
    }
}

/// The innermost cause, which is what a person can act on ("Connection refused").
fn short_reason(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else {
        crate::cause::reason(e)
    }
}
