//! The failure configuration: what is injected, its bounds, and how a partial
//! update from `POST /api/failures` is validated before anything changes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The failures currently injected. `Default` is "no failure". Missing
/// fields read as their default, so state stored by an older version loads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FaultConfig {
    /// Added to every injected request, in milliseconds.
    pub latency_ms: u64,
    /// Up to this many milliseconds more, uniformly at random.
    pub latency_jitter_ms: u64,
    /// Percent of injected requests (0–100) answered with `error_status`.
    pub error_rate: f64,
    /// The status of an injected error (5xx).
    pub error_status: u16,
    /// Megabytes leaked (allocated, touched, kept until reset) per request.
    pub memory_leak_mb: u64,
    /// Every database transaction holds its connection `db_slow_ms` longer.
    pub db_slow: bool,
    /// How long a slow transaction holds its connection, in milliseconds.
    pub db_slow_ms: u64,
    /// Every database call fails, and `/health` reports the database down.
    pub db_fail: bool,
    /// When set, the failures revert by themselves this many seconds after
    /// they were set.
    pub duration_s: Option<u64>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            latency_jitter_ms: 0,
            error_rate: 0.0,
            error_status: 500,
            memory_leak_mb: 0,
            db_slow: false,
            db_slow_ms: 2_000,
            db_fail: false,
            duration_s: None,
        }
    }
}

impl FaultConfig {
    /// The fields that differ from no fault, as `name=value` in the API's
    /// names (`latency_ms=800`), alphabetically.
    pub fn set_fields(&self) -> Vec<String> {
        let (Ok(serde_json::Value::Object(now)), Ok(serde_json::Value::Object(clear))) = (
            serde_json::to_value(self),
            serde_json::to_value(Self::default()),
        ) else {
            return Vec::new();
        };
        now.into_iter()
            .filter(|(k, v)| clear.get(k) != Some(v))
            .map(|(k, v)| format!("{k}={v}"))
            .collect()
    }

    /// True when nothing is injected.
    pub fn is_clear(&self) -> bool {
        let clear = Self::default();
        self.latency_ms == 0
            && self.latency_jitter_ms == 0
            && self.error_rate == 0.0
            && self.memory_leak_mb == 0
            && !self.db_slow
            && !self.db_fail
            && self.duration_s == clear.duration_s
    }

    /// Applies a validated update, field by field; absent fields keep their value.
    pub fn apply(&self, update: &FaultUpdate) -> Self {
        let mut next = self.clone();
        if let Some(v) = update.latency_ms {
            next.latency_ms = v;
        }
        if let Some(v) = update.latency_jitter_ms {
            next.latency_jitter_ms = v;
        }
        if let Some(v) = update.error_rate {
            next.error_rate = v;
        }
        if let Some(v) = update.error_status {
            next.error_status = v;
        }
        if let Some(v) = update.memory_leak_mb {
            next.memory_leak_mb = v;
        }
        if let Some(v) = update.db_slow {
            next.db_slow = v;
        }
        if let Some(v) = update.db_slow_ms {
            next.db_slow_ms = v;
        }
        if let Some(v) = update.db_fail {
            next.db_fail = v;
        }
        if let Some(v) = update.duration_s {
            next.duration_s = v;
        }
        next
    }

    /// Field-by-field differences, for a CLI that prints what changed.
    pub fn changes_from(&self, before: &FaultConfig) -> Vec<(String, String, String)> {
        let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
            (serde_json::to_value(before), serde_json::to_value(self))
        else {
            return Vec::new();
        };
        b.iter()
            .filter(|(k, v)| a.get(*k) != Some(v))
            .map(|(k, v)| {
                let old = a.get(k).map(|o| o.to_string()).unwrap_or_default();
                (k.clone(), old, v.to_string())
            })
            .collect()
    }
}

/// A partial update, as `POST /api/failures` accepts it: any subset of the
/// fields. Unknown fields are refused, so a typo (`latency` for `latency_ms`)
/// is an error the student sees instead of a silent no-op.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultUpdate {
    /// Milliseconds added to every request.
    #[schema(minimum = 0, maximum = 30000)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::optional_whole"
    )]
    pub latency_ms: Option<u64>,
    /// Up to this many milliseconds more, drawn per request.
    #[schema(minimum = 0, maximum = 10000)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::optional_whole"
    )]
    pub latency_jitter_ms: Option<u64>,
    /// Percent of requests answered with `error_status`.
    #[schema(minimum = 0, maximum = 100)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// The status of an injected error.
    #[schema(minimum = 500, maximum = 599)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::optional_whole"
    )]
    pub error_status: Option<u16>,
    /// MiB kept for good by every request: a leak.
    #[schema(minimum = 0, maximum = 100)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::optional_whole"
    )]
    pub memory_leak_mb: Option<u64>,
    /// Every database transaction holds its connection `db_slow_ms` longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_slow: Option<bool>,
    /// How much longer a slow transaction holds its connection.
    #[schema(minimum = 1, maximum = 30000)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::integer::optional_whole"
    )]
    pub db_slow_ms: Option<u64>,
    /// The database is unreachable: every request that needs it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db_fail: Option<bool>,
    /// Seconds until the whole configuration reverts by itself; `null` clears it.
    #[schema(minimum = 1, maximum = 86400)]
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "double_option"
    )]
    pub duration_s: Option<Option<u64>>,
}

/// Distinguishes an absent `duration_s` (keep) from `null` (clear).
fn double_option<'de, D>(de: D) -> Result<Option<Option<u64>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    crate::integer::optional_whole(de).map(Some)
}

impl FaultUpdate {
    pub fn is_empty(&self) -> bool {
        self == &FaultUpdate::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fields_a_session_clears_are_named_as_the_api_names_them() {
        assert!(FaultConfig::default().set_fields().is_empty());
        let left = FaultConfig {
            latency_ms: 800,
            memory_leak_mb: 5,
            ..FaultConfig::default()
        };
        assert_eq!(left.set_fields(), ["latency_ms=800", "memory_leak_mb=5"]);
    }

    #[test]
    fn an_update_changes_only_the_fields_it_names() {
        let before = FaultConfig {
            latency_ms: 100,
            ..FaultConfig::default()
        };
        let after = before.apply(&FaultUpdate {
            error_rate: Some(30.0),
            ..FaultUpdate::default()
        });
        assert_eq!(after.latency_ms, 100);
        assert_eq!(after.error_rate, 30.0);
        let changes = after.changes_from(&before);
        assert_eq!(
            changes,
            vec![("error_rate".into(), "0.0".into(), "30.0".into())]
        );
    }

    #[test]
    fn out_of_range_values_name_the_field_and_the_accepted_range() {
        let err = FaultUpdate {
            error_rate: Some(101.0),
            ..FaultUpdate::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field(), "error_rate");
        assert!(err.to_string().contains("0 to 100"), "{err}");

        let err = FaultUpdate {
            latency_ms: Some(30_001),
            ..FaultUpdate::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.field(), "latency_ms");
    }

    #[test]
    fn null_duration_clears_it_and_absent_duration_keeps_it() {
        let set: FaultUpdate = serde_json::from_str(r#"{"duration_s": 60}"#).unwrap();
        let cleared: FaultUpdate = serde_json::from_str(r#"{"duration_s": null}"#).unwrap();
        let absent: FaultUpdate = serde_json::from_str(r#"{}"#).unwrap();
        let base = FaultConfig::default().apply(&set);
        assert_eq!(base.duration_s, Some(60));
        assert_eq!(base.apply(&cleared).duration_s, None);
        assert_eq!(base.apply(&absent).duration_s, Some(60));
    }
}
