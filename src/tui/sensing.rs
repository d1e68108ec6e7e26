//! What the console senses: one round of telemetry (the API's `/metrics`,
//! Prometheus' readiness and the five signals, the fault state). What a case
//! session asks for is observed by the case engine's own `LiveIo`.

use std::sync::atomic::Ordering;

use crate::telemetry::scrape::{self, Scrape};
use crate::telemetry::{TelemetryError, queries};

use super::msg::{Reading, SourceKind};
use super::shared::Shared;

fn short(e: &TelemetryError) -> String {
    match e {
        TelemetryError::Unreachable { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

pub(crate) async fn read_once(sh: &Shared) -> Reading {
    let at = sh.started.elapsed().as_secs_f64();
    let api = match scrape::fetch(&sh.http, sh.api().base()).await {
        Ok(text) => {
            if let Ok(mut w) = sh.window.lock() {
                w.push(Scrape::new(at, &text));
            }
            Ok(())
        }
        Err(e) => {
            if let Ok(mut w) = sh.window.lock() {
                w.clear();
            }
            Err(e)
        }
    };
    let prometheus = sh.prometheus();
    let prom = match &prometheus {
        Some(p) if sh.prometheus_wanted.load(Ordering::Relaxed) => {
            Some((p, p.ready().await.map_err(|e| short(&e))))
        }
        _ => None,
    };
    let prom_ok = matches!(prom, Some((_, Ok(()))));
    sh.prometheus_up.store(prom_ok, Ordering::Relaxed);
    let (p95, error_ratio, rps, active, memory) = match &prom {
        Some((p, Ok(()))) => {
            let q = |query: &'static str| async move { p.max(query).await.ok().flatten() };
            tokio::join!(
                q(queries::P95_SECONDS),
                q(queries::ERROR_RATIO),
                q(queries::REQUEST_RATE),
                q(queries::ACTIVE_TRANSACTIONS),
                q(queries::RESIDENT_BYTES),
            )
        }
        _ => match sh.window.lock() {
            Ok(w) if api.is_ok() => {
                let d = w.derived();
                (
                    d.p95,
                    d.error_ratio,
                    d.rps,
                    w.gauge("fintech_active_transactions"),
                    w.gauge("process_resident_memory_bytes"),
                )
            }
            _ => (None, None, None, None, None),
        },
    };
    let faults = if api.is_ok() {
        sh.api().failures().await.ok()
    } else {
        None
    };
    let source = if prom_ok {
        SourceKind::Prometheus
    } else if api.is_ok() {
        SourceKind::Scrape
    } else {
        SourceKind::None
    };
    Reading {
        source,
        prometheus: prom.map(|(_, r)| r),
        api,
        p95,
        error_ratio,
        rps,
        active,
        memory,
        faults,
    }
}
