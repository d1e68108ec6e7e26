//! Every numeric fault field in one table: its API name, its flag, its label
//! in the console's form, its bounds, and how to read it from an update.
//! The API's validation, the CLI's messages and the console's form all read
//! it, so the range a student is told is the range the code enforces (a
//! test holds the OpenAPI document and `workshop inject --help` to it).

use std::fmt;

use super::config::FaultUpdate;

/// A value as the update carries it: whole numbers stay whole in messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Whole(u64),
    Real(f64),
}

impl Num {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Num::Whole(n) => n as f64,
            Num::Real(x) => x,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Whole(n) => write!(f, "{n}"),
            Num::Real(x) => write!(f, "{x}"),
        }
    }
}

/// One numeric fault field.
#[derive(Debug)]
pub struct FaultField {
    /// The field of `POST /api/failures`.
    pub name: &'static str,
    /// The flag of `workshop inject`, without `--`.
    pub flag: &'static str,
    /// What the console's form calls it.
    pub label: &'static str,
    pub min: u64,
    pub max: u64,
    /// Whole numbers only (all but the error rate, a percentage).
    pub whole: bool,
    /// The field's value in an update, if it is there.
    pub of: fn(&FaultUpdate) -> Option<Num>,
}

impl FaultField {
    /// The accepted values, for messages: "an integer from 0 to 30000".
    pub fn accepted(&self) -> String {
        let (lo, hi) = (self.min, self.max);
        if self.whole {
            format!("an integer from {lo} to {hi}")
        } else {
            format!("a percentage from {lo} to {hi}")
        }
    }

    fn refuse(&self, got: String) -> OutOfRange {
        OutOfRange {
            field: self.name,
            accepted: self.accepted(),
            got,
        }
    }

    /// `v` if it is within the bounds.
    pub fn check(&self, v: Num) -> Result<Num, OutOfRange> {
        let x = v.as_f64();
        if x >= self.min as f64 && x <= self.max as f64 {
            Ok(v)
        } else {
            Err(self.refuse(v.to_string()))
        }
    }

    /// A value typed by a person (the console's form): a number of the
    /// field's kind, within its bounds. `-3`, `1.5e3` for an integer field,
    /// or `abc`, are refused, never read as something else.
    pub fn parse(&self, text: &str) -> Result<Num, OutOfRange> {
        let text = text.trim();
        let n = if self.whole {
            text.parse::<u64>().ok().map(Num::Whole)
        } else {
            text.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .map(Num::Real)
        };
        match n {
            Some(n) => self.check(n),
            None => Err(self.refuse(format!("`{text}`"))),
        }
    }
}

fn whole(v: Option<u64>) -> Option<Num> {
    v.map(Num::Whole)
}

/// Every numeric fault field, in the order of the API's document.
pub static FIELDS: [FaultField; 7] = [
    FaultField {
        name: "latency_ms",
        flag: "latency-ms",
        label: "latency ms",
        min: 0,
        max: 30_000,
        whole: true,
        of: |u| whole(u.latency_ms),
    },
    FaultField {
        name: "latency_jitter_ms",
        flag: "jitter-ms",
        label: "jitter ms",
        min: 0,
        max: 10_000,
        whole: true,
        of: |u| whole(u.latency_jitter_ms),
    },
    FaultField {
        name: "error_rate",
        flag: "error-rate",
        label: "error %",
        min: 0,
        max: 100,
        whole: false,
        of: |u| u.error_rate.map(Num::Real),
    },
    FaultField {
        name: "error_status",
        flag: "error-status",
        label: "error status",
        min: 500,
        max: 599,
        whole: true,
        of: |u| whole(u.error_status.map(u64::from)),
    },
    FaultField {
        name: "memory_leak_mb",
        flag: "memory-leak-mb",
        label: "leak MiB/request",
        min: 0,
        max: 100,
        whole: true,
        of: |u| whole(u.memory_leak_mb),
    },
    FaultField {
        name: "db_slow_ms",
        flag: "db-slow-ms",
        label: "db slow ms",
        min: 1,
        max: 30_000,
        whole: true,
        of: |u| whole(u.db_slow_ms),
    },
    FaultField {
        name: "duration_s",
        flag: "duration-s",
        label: "revert after s",
        min: 1,
        max: 86_400,
        whole: true,
        of: |u| whole(u.duration_s.flatten()),
    },
];

/// A value outside its accepted range: names the field and the range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{field}` must be {accepted}, got {got}")]
pub struct OutOfRange {
    pub field: &'static str,
    pub accepted: String,
    pub got: String,
}

impl FaultUpdate {
    /// Checks every field against its bounds in [`FIELDS`]; the first field
    /// out of range is reported. Nothing is applied unless the whole update
    /// is valid.
    pub fn validate(&self) -> Result<(), OutOfRange> {
        for f in &FIELDS {
            if let Some(v) = (f.of)(self) {
                f.check(v)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Option<&'static FaultField> {
        FIELDS.iter().find(|f| f.name == name)
    }

    #[test]
    fn typed_values_are_refused_not_reread() {
        let latency = field("latency_ms").expect("listed");
        assert_eq!(latency.parse("2000"), Ok(Num::Whole(2000)));
        for bad in ["-3", "1.5e3", "2k", "", "99999"] {
            let e = latency.parse(bad).expect_err(bad);
            assert_eq!(e.field, "latency_ms");
            assert_eq!(e.accepted, "an integer from 0 to 30000");
        }
        let rate = field("error_rate").expect("listed");
        assert_eq!(rate.parse("12.5"), Ok(Num::Real(12.5)));
        assert!(rate.parse("NaN").is_err());
        assert!(rate.parse("100.1").is_err());
    }

    #[test]
    fn every_field_of_an_update_is_in_the_table() {
        let update: FaultUpdate = serde_json::from_str(
            r#"{"latency_ms":1,"latency_jitter_ms":2,"error_rate":3,"error_status":504,
                "memory_leak_mb":5,"db_slow_ms":6,"duration_s":7}"#,
        )
        .expect("a full update");
        let read: Vec<String> = FIELDS
            .iter()
            .filter_map(|f| (f.of)(&update).map(|v| format!("{}={v}", f.name)))
            .collect();
        assert_eq!(
            read.join(" "),
            "latency_ms=1 latency_jitter_ms=2 error_rate=3 error_status=504 \
             memory_leak_mb=5 db_slow_ms=6 duration_s=7"
        );
    }
}
