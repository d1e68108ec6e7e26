//! The alert and recording rules the stack ships (`compose/alerts.yml`),
//! read from the file itself so a case can only expect an alert that exists.

use serde::Deserialize;

/// The rule file served to Prometheus, embedded at build time.
pub const ALERTS_YML: &str = include_str!("../../compose/alerts.yml");

#[derive(Deserialize)]
struct RuleFile {
    groups: Vec<Group>,
}

#[derive(Deserialize)]
struct Group {
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    alert: Option<String>,
    record: Option<String>,
}

/// Every rule of the file, in file order. Empty only if the embedded file
/// is unreadable, which the tests below rule out.
fn rules() -> Vec<Rule> {
    serde_saphyr::from_str::<RuleFile>(ALERTS_YML)
        .map(|f| f.groups.into_iter().flat_map(|g| g.rules).collect())
        .unwrap_or_default()
}

/// Names of the alerting rules, in file order.
pub fn alert_names() -> Vec<String> {
    rules().into_iter().filter_map(|r| r.alert).collect()
}

/// Names of the recording rules (`job:fintech_p95_latency:5m`), in file
/// order: series a case may query beside the app's own.
pub fn recording_names() -> Vec<String> {
    rules().into_iter().filter_map(|r| r.record).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rules_define_the_five_workshop_alerts() {
        assert_eq!(
            alert_names(),
            [
                "HighLatency",
                "HighErrorRate",
                "DBSlowTransactions",
                "DatabaseDown",
                "MemoryPressure"
            ]
        );
    }

    #[test]
    fn the_shipped_rules_record_rate_p95_and_error_share() {
        assert_eq!(
            recording_names(),
            [
                "job:fintech_request_rate:1m",
                "job:fintech_p95_latency:5m",
                "job:fintech_error_rate:5m"
            ]
        );
    }
}
