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
}

/// Names of the alerting rules, in file order. Empty only if the embedded
/// file is unreadable, which the tests below rule out.
pub fn alert_names() -> Vec<String> {
    serde_saphyr::from_str::<RuleFile>(ALERTS_YML)
        .map(|f| {
            f.groups
                .into_iter()
                .flat_map(|g| g.rules)
                .filter_map(|r| r.alert)
                .collect()
        })
        .unwrap_or_default()
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
}
