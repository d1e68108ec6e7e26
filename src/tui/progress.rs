//! What the student has done, kept between runs of the console: which cases
//! are finished and how they went. A JSON file in the user's data directory
//! (`WORKSHOP_PROGRESS` names another), read at start, written whenever a
//! case ends. A file that cannot be read starts a fresh session instead of
//! stopping the console.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub(crate) use crate::cases::engine::CaseRecord;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub cases: BTreeMap<String, CaseRecord>,
}

impl Progress {
    /// `WORKSHOP_PROGRESS`, else `<data dir>/workshop/progress.json`.
    pub fn default_path() -> PathBuf {
        match std::env::var_os("WORKSHOP_PROGRESS") {
            Some(p) if !p.is_empty() => PathBuf::from(p),
            _ => crate::files::data_dir().join("progress.json"),
        }
    }

    pub fn load(path: &Path) -> Self {
        std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::files::write_atomically(path, &serde_json::to_vec_pretty(self).unwrap_or_default())
    }

    /// The cases of this session (recorded since `since`), in case order
    /// (`order` lists the ids): what its report is written from. Earlier
    /// sessions' results stay for the marks in the list, not in the report.
    pub fn session(
        &self,
        order: &[String],
        since: chrono::DateTime<chrono::Utc>,
    ) -> Vec<CaseRecord> {
        order
            .iter()
            .filter_map(|id| self.cases.get(id).map(|r| (id, r)))
            .filter(|(_, r)| r.at.is_some_and(|at| at >= since))
            .map(|(id, r)| CaseRecord {
                id: id.clone(),
                ..r.clone()
            })
            .collect()
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

    #[test]
    fn the_session_report_holds_this_session_only_and_an_older_file_still_reads() {
        let since = chrono::Utc::now();
        let mut p = Progress::default();
        let old = CaseRecord {
            finished: true,
            passed: true,
            at: Some(since - chrono::TimeDelta::hours(20)),
            ..CaseRecord::default()
        };
        let new = CaseRecord {
            at: Some(since + chrono::TimeDelta::seconds(5)),
            ..old.clone()
        };
        p.cases.insert("latency".into(), old);
        p.cases.insert("errors".into(), new);
        let order = ["latency".to_string(), "errors".to_string()];
        let ids: Vec<String> = p.session(&order, since).into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["errors"], "yesterday's case stays for its mark only");
        assert_eq!(p.mark("latency"), "✔");

        // A progress file from before the incident record: its figures read,
        // what it lacks is empty.
        let before = r#"{"cases":{"latency":{"title":"Slow payments","finished":true,
            "passed":true,"time_to_detect_s":21.0,"time_to_alert_s":null,
            "time_to_recover_s":30.5,"peak_p95_s":2.4,"peak_error_ratio":0.0,
            "restarts":0,"at":"2026-11-30T10:00:00Z"}}}"#;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("p.json");
        std::fs::write(&path, before).expect("written");
        let r = &Progress::load(&path).cases["latency"];
        assert_eq!(r.time_to_recover_s, Some(30.5));
        assert_eq!(r.restarts, Some(0));
        assert!(r.checks.is_empty() && r.timeline.injected.is_none());
    }
}
