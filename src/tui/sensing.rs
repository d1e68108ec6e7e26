//! What the console senses: one round of telemetry (the API's `/metrics`,
//! Prometheus' readiness and the live signals, the fault state). What a case
//! session asks for is observed by the case engine's own `LiveIo`.

use std::sync::atomic::Ordering;

use crate::telemetry::TelemetryError;
use crate::telemetry::scrape::{self, Scrape};

use super::context::TaskContext;
use super::msg::{Reading, SourceKind};

fn short(e: &TelemetryError) -> String {
    match e {
        TelemetryError::Unreachable { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

pub(crate) async fn read_once(sh: &TaskContext) -> Reading {
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
    // The signals come from whichever source `TaskContext::source` picks now
    // that `prometheus_up` is set: Prometheus when it answered, else the
    // window just scraped (empty when the API did not answer).
    let values = sh.source().signals().await;
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
        values,
        faults,
    }
}
