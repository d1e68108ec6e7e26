//! What the student has done, kept between runs of the console: which cases
//! are finished and how they went. A JSON file in the user's data directory
//! (`WORKSHOP_PROGRESS` names another), read at start, written whenever a
//! case ends. A file that cannot be read starts a fresh session instead of
//! stopping the console.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cases::runner::CaseOutcome;
use crate::cases::runner::report::{SessionRow, session_markdown};

/// One case's result, the figures of the session report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub title: String,
    pub finished: bool,
    pub passed: bool,
    pub time_to_detect_s: Option<f64>,
    pub time_to_alert_s: Option<f64>,
    pub time_to_recover_s: Option<f64>,
    pub peak_p95_s: Option<f64>,
    pub peak_error_ratio: Option<f64>,
    /// Restarts of the app during the case (OOM kills restart it).
    pub restarts: u64,
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

impl CaseRecord {
    pub fn from_outcome(o: &CaseOutcome, restarts: u64) -> Self {
        Self {
            title: o.title.clone(),
            finished: o.aborted.is_none(),
            passed: o.passed,
            time_to_detect_s: o.time_to_detect.map(|d| d.as_secs_f64()),
            time_to_alert_s: o.time_to_alert.map(|d| d.as_secs_f64()),
            time_to_recover_s: o.time_to_recover.map(|d| d.as_secs_f64()),
            peak_p95_s: o.peak_p95,
            peak_error_ratio: o.peak_error_ratio,
            restarts,
            at: Some(chrono::Utc::now()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub cases: BTreeMap<String, CaseRecord>,
}

impl Progress {
    /// `WORKSHOP_PROGRESS`, else `<data dir>/workshop/progress.json`.
    pub fn default_path() -> PathBuf {
        match std::env::var_os("WORKSHOP_PROGRESS") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => dirs::data_dir()
                .unwrap_or_else(std::env::temp_dir)
                .join("workshop")
                .join("progress.json"),
        }
    }

    pub fn load(path: &Path) -> Self {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self).unwrap_or_default())?;
        std::fs::rename(tmp, path)
    }

    /// The session report, in case order (`order` lists the ids).
    pub fn report(&self, order: &[String]) -> String {
        let secs = |s: Option<f64>| s.map(|s| std::time::Duration::from_secs_f64(s.max(0.0)));
        let rows: Vec<SessionRow> = order
            .iter()
            .filter_map(|id| self.cases.get(id).map(|r| (id, r)))
            .map(|(id, r)| SessionRow {
                id: id.clone(),
                title: r.title.clone(),
                finished: r.finished,
                passed: r.passed,
                time_to_detect: secs(r.time_to_detect_s),
                time_to_alert: secs(r.time_to_alert_s),
                time_to_recover: secs(r.time_to_recover_s),
                peak_p95: r.peak_p95_s,
                peak_error_ratio: r.peak_error_ratio,
                restarts: r.restarts,
            })
            .collect();
        session_markdown(&rows)
    }

    /// The mark shown beside a case in the list.
    pub fn mark(&self, id: &str) -> &'static str {
        match self.cases.get(id) {
            Some(r) if r.finished && r.passed => "✔",
            Some(r) if r.finished => "✘",
            Some(_) => "…",
            None => " ",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_survives_a_restart_and_a_broken_file_starts_fresh() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("p.json");
        let mut p = Progress::default();
        p.cases.insert(
            "latency".into(),
            CaseRecord {
                finished: true,
                passed: true,
                time_to_detect_s: Some(21.0),
                ..CaseRecord::default()
            },
        );
        p.save(&path).expect("saved");
        assert_eq!(Progress::load(&path), p);
        assert_eq!(Progress::load(&path).mark("latency"), "✔");
        std::fs::write(&path, "{not json").expect("written");
        assert_eq!(Progress::load(&path), Progress::default());
    }
}
