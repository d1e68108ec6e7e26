//! Every numeric fault field in one table, keyed by its [`FaultKind`]: its
//! API name, its flag, its word in the console's form (from the catalogue,
//! so in both languages), its bounds, and how to read and set it in an
//! update.
//! The API's validation, the CLI's messages and the console's form all read
//! it, so the range a student is told is the range the code enforces (a
//! test holds the OpenAPI document and `workshop inject --help` to it).

use std::fmt;

use super::config::FaultUpdate;
use crate::words::T;

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

/// A numeric fault field: the key of the one table. Each kind knows its
/// field (API name, flag, word, bounds, where an update carries it), so a
/// caller names the kind it means, never a position or an API string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    Latency,
    Jitter,
    ErrorRate,
    ErrorStatus,
    Leak,
    DbSlow,
    Duration,
}

/// What the table says of one kind.
#[derive(Debug)]
pub struct FaultField {
    /// The field of `POST /api/failures`.
    pub name: &'static str,
    /// The flag of `workshop inject`, without `--`.
    pub flag: &'static str,
    /// What the console's form calls it, in each language.
    pub(crate) word: T,
    pub min: u64,
    pub max: u64,
    /// Whole numbers only (all but the error rate, a percentage).
    pub whole: bool,
    /// The field's value in an update, if it is there.
    pub of: fn(&FaultUpdate) -> Option<Num>,
    /// Sets the field in an update (the console's fault keys build theirs
    /// from it).
    pub put: fn(&mut FaultUpdate, Num),
}

fn whole(v: Option<u64>) -> Option<Num> {
    v.map(Num::Whole)
}

/// A value as a whole number; a fraction is cut (only the error rate takes
/// one, and it is never read through here).
fn as_whole(n: Num) -> u64 {
    match n {
        Num::Whole(n) => n,
        Num::Real(x) => x as u64,
    }
}

impl FaultKind {
    /// Every kind, in the order of the API's document.
    pub const ALL: [FaultKind; 7] = [
        FaultKind::Latency,
        FaultKind::Jitter,
        FaultKind::ErrorRate,
        FaultKind::ErrorStatus,
        FaultKind::Leak,
        FaultKind::DbSlow,
        FaultKind::Duration,
    ];

    /// The one table of the numeric fault fields, one row per kind.
    pub fn field(self) -> &'static FaultField {
        match self {
            FaultKind::Latency => &FaultField {
                name: "latency_ms",
                flag: "latency-ms",
                word: T::FieldLatency,
                min: 0,
                max: 30_000,
                whole: true,
                of: |u| whole(u.latency_ms),
                put: |u, n| u.latency_ms = Some(as_whole(n)),
            },
            FaultKind::Jitter => &FaultField {
                name: "latency_jitter_ms",
                flag: "jitter-ms",
                word: T::FieldJitter,
                min: 0,
                max: 10_000,
                whole: true,
                of: |u| whole(u.latency_jitter_ms),
                put: |u, n| u.latency_jitter_ms = Some(as_whole(n)),
            },
            FaultKind::ErrorRate => &FaultField {
                name: "error_rate",
                flag: "error-rate",
                word: T::FieldErrorRate,
                min: 0,
                max: 100,
                whole: false,
                of: |u| u.error_rate.map(Num::Real),
                put: |u, n| u.error_rate = Some(n.as_f64()),
            },
            FaultKind::ErrorStatus => &FaultField {
                name: "error_status",
                flag: "error-status",
                word: T::FieldErrorStatus,
                min: 500,
                max: 599,
                whole: true,
                of: |u| whole(u.error_status.map(u64::from)),
                // Past a u16 is out of range anyway: validation refuses it.
                put: |u, n| u.error_status = Some(u16::try_from(as_whole(n)).unwrap_or(u16::MAX)),
            },
            FaultKind::Leak => &FaultField {
                name: "memory_leak_mb",
                flag: "memory-leak-mb",
                word: T::FieldLeak,
                min: 0,
                max: 100,
                whole: true,
                of: |u| whole(u.memory_leak_mb),
                put: |u, n| u.memory_leak_mb = Some(as_whole(n)),
            },
            FaultKind::DbSlow => &FaultField {
                name: "db_slow_ms",
                flag: "db-slow-ms",
                word: T::FieldDbSlow,
                min: 1,
                max: 30_000,
                whole: true,
                of: |u| whole(u.db_slow_ms),
                put: |u, n| u.db_slow_ms = Some(as_whole(n)),
            },
            FaultKind::Duration => &FaultField {
                name: "duration_s",
                flag: "duration-s",
                word: T::FieldDuration,
                min: 1,
                max: 86_400,
                whole: true,
                of: |u| whole(u.duration_s.flatten()),
                put: |u, n| u.duration_s = Some(Some(as_whole(n))),
            },
        }
    }

    /// The accepted values, for messages: "an integer from 0 to 30000".
    pub fn accepted(self) -> String {
        let f = self.field();
        let (lo, hi) = (f.min, f.max);
        if f.whole {
            format!("an integer from {lo} to {hi}")
        } else {
            format!("a percentage from {lo} to {hi}")
        }
    }

    fn refuse(self, got: String) -> OutOfRange {
        OutOfRange {
            kind: self,
            accepted: self.accepted(),
            got,
        }
    }

    /// `v` if it is within the bounds.
    pub fn check(self, v: Num) -> Result<Num, OutOfRange> {
        let (f, x) = (self.field(), v.as_f64());
        if x >= f.min as f64 && x <= f.max as f64 {
            Ok(v)
        } else {
            Err(self.refuse(v.to_string()))
        }
    }

    /// A value typed by a person (the console's form): a number of the
    /// field's kind, within its bounds. `-3`, `1.5e3` for an integer field,
    /// or `abc`, are refused, never read as something else.
    pub fn parse(self, text: &str) -> Result<Num, OutOfRange> {
        let text = text.trim();
        let n = if self.field().whole {
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

/// A value outside its accepted range: names the field and the range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{}` must be {accepted}, got {got}", kind.field().name)]
pub struct OutOfRange {
    pub kind: FaultKind,
    pub accepted: String,
    pub got: String,
}

impl OutOfRange {
    /// The API's name of the field refused (`latency_ms`).
    pub fn field(&self) -> &'static str {
        self.kind.field().name
    }
}

impl FaultUpdate {
    /// Checks every field against its bounds in the table; the first field
    /// out of range is reported. Nothing is applied unless the whole update
    /// is valid.
    pub fn validate(&self) -> Result<(), OutOfRange> {
        for kind in FaultKind::ALL {
            if let Some(v) = (kind.field().of)(self) {
                kind.check(v)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::Lang;
    use crate::words::t;

    #[test]
    fn typed_values_are_refused_not_reread() {
        let latency = FaultKind::Latency;
        assert_eq!(latency.parse("2000"), Ok(Num::Whole(2000)));
        for bad in ["-3", "1.5e3", "2k", "", "99999"] {
            let e = latency.parse(bad).expect_err(bad);
            assert_eq!(e.kind, FaultKind::Latency);
            assert_eq!(e.field(), "latency_ms");
            assert_eq!(e.accepted, "an integer from 0 to 30000");
        }
        let rate = FaultKind::ErrorRate;
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
        let read: Vec<String> = FaultKind::ALL
            .iter()
            .map(|k| k.field())
            .filter_map(|f| (f.of)(&update).map(|v| format!("{}={v}", f.name)))
            .collect();
        assert_eq!(
            read.join(" "),
            "latency_ms=1 latency_jitter_ms=2 error_rate=3 error_status=504 \
             memory_leak_mb=5 db_slow_ms=6 duration_s=7"
        );
    }

    #[test]
    fn a_value_put_in_an_update_is_read_back_from_the_same_field_alone() {
        for kind in FaultKind::ALL {
            let f = kind.field();
            let n = if f.whole {
                Num::Whole(f.max)
            } else {
                Num::Real(12.5)
            };
            let mut update = FaultUpdate::default();
            (f.put)(&mut update, n);
            assert_eq!((f.of)(&update), Some(n), "{}", f.name);
            let others = FaultKind::ALL.iter().filter(|k| **k != kind);
            for other in others {
                assert_eq!(
                    (other.field().of)(&update),
                    None,
                    "{} set {}",
                    f.name,
                    other.field().name
                );
            }
        }
    }

    #[test]
    fn every_fault_field_has_a_russian_label_of_its_own() {
        for kind in FaultKind::ALL {
            let f = kind.field();
            let ru = t(Lang::Ru, f.word);
            assert_ne!(ru, t(Lang::En, f.word), "{}", f.name);
            assert!(!ru.is_ascii(), "{}: {ru}", f.name);
        }
    }
}
