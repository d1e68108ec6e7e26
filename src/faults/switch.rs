//! The faults the console's keys turn on and off, one key each: what "on"
//! means in a configuration, and the update that turns one on or off. The
//! amount a switch turns on with is the value of one field of the table,
//! the one the console's form edits.

use super::config::{FaultConfig, FaultUpdate};
use super::fields::{FaultKind, Num};
use crate::words::T;

/// A fault as one key turns it on and off, in the order the console's
/// fault panel lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultSwitch {
    Latency,
    Errors,
    DbSlow,
    DbFail,
    Leak,
}

impl FaultSwitch {
    /// Every switch, in the fault panel's order.
    pub(crate) const ALL: [FaultSwitch; 5] = [
        FaultSwitch::Latency,
        FaultSwitch::Errors,
        FaultSwitch::DbSlow,
        FaultSwitch::DbFail,
        FaultSwitch::Leak,
    ];

    /// The field that carries the amount it turns on with; a failing
    /// database has none.
    pub(crate) fn amount(self) -> Option<FaultKind> {
        match self {
            FaultSwitch::Latency => Some(FaultKind::Latency),
            FaultSwitch::Errors => Some(FaultKind::ErrorRate),
            FaultSwitch::DbSlow => Some(FaultKind::DbSlow),
            FaultSwitch::DbFail => None,
            FaultSwitch::Leak => Some(FaultKind::Leak),
        }
    }

    /// The database faults are turned on and off by a flag of their own
    /// (a slow database's ms cannot be 0, its least is 1); the others are
    /// off at an amount of 0.
    fn has_flag(self) -> bool {
        matches!(self, FaultSwitch::DbSlow | FaultSwitch::DbFail)
    }

    /// What the fault panel calls it.
    pub(crate) fn word(self) -> T {
        match self {
            FaultSwitch::Latency => T::FaultLatency,
            FaultSwitch::Errors => T::FaultErrors,
            FaultSwitch::DbSlow => T::FaultDbSlow,
            FaultSwitch::DbFail => T::FaultDbFail,
            FaultSwitch::Leak => T::FaultLeak,
        }
    }

    /// True when the fault is injected in `c`.
    pub(crate) fn is_on(self, c: &FaultConfig) -> bool {
        match self {
            FaultSwitch::Latency => c.latency_ms != 0,
            FaultSwitch::Errors => c.error_rate != 0.0,
            FaultSwitch::DbSlow => c.db_slow,
            FaultSwitch::DbFail => c.db_fail,
            FaultSwitch::Leak => c.memory_leak_mb != 0,
        }
    }

    /// The update that turns it on with `amount` of its field, or off. A
    /// flagged fault sends its amount only to turn on: turned off, a slow
    /// database keeps its ms for the next time.
    pub(crate) fn update(self, on: bool, amount: Option<Num>) -> FaultUpdate {
        let mut update = FaultUpdate::default();
        match self {
            FaultSwitch::DbSlow => update.db_slow = Some(on),
            FaultSwitch::DbFail => update.db_fail = Some(on),
            _ => {}
        }
        let amount = match (on, self.has_flag()) {
            (true, _) => amount,
            (false, false) => Some(Num::Whole(0)),
            (false, true) => None,
        };
        if let (Some(kind), Some(n)) = (self.amount(), amount) {
            (kind.field().put)(&mut update, n);
        }
        update
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(u: &FaultUpdate) -> String {
        serde_json::to_string(u).expect("json")
    }

    #[test]
    fn each_switch_turns_on_with_its_amount_and_off_without_it() {
        let on = |s: FaultSwitch, n| json(&s.update(true, Some(n)));
        let off = |s: FaultSwitch| json(&s.update(false, None));
        assert_eq!(
            on(FaultSwitch::Latency, Num::Whole(2000)),
            r#"{"latency_ms":2000}"#
        );
        assert_eq!(off(FaultSwitch::Latency), r#"{"latency_ms":0}"#);
        assert_eq!(
            on(FaultSwitch::Errors, Num::Real(20.0)),
            r#"{"error_rate":20.0}"#
        );
        assert_eq!(off(FaultSwitch::Errors), r#"{"error_rate":0.0}"#);
        assert_eq!(
            on(FaultSwitch::DbSlow, Num::Whole(1500)),
            r#"{"db_slow":true,"db_slow_ms":1500}"#
        );
        assert_eq!(off(FaultSwitch::DbSlow), r#"{"db_slow":false}"#);
        assert_eq!(
            json(&FaultSwitch::DbFail.update(true, None)),
            r#"{"db_fail":true}"#
        );
        assert_eq!(off(FaultSwitch::DbFail), r#"{"db_fail":false}"#);
        assert_eq!(
            on(FaultSwitch::Leak, Num::Whole(5)),
            r#"{"memory_leak_mb":5}"#
        );
        assert_eq!(off(FaultSwitch::Leak), r#"{"memory_leak_mb":0}"#);
    }

    #[test]
    fn a_switch_turned_on_reads_as_on_and_turned_off_as_off() {
        for s in FaultSwitch::ALL {
            let amount = s.amount().map(|k| {
                let f = k.field();
                if f.whole {
                    Num::Whole(f.max)
                } else {
                    Num::Real(f.max as f64)
                }
            });
            let on = FaultConfig::default().apply(&s.update(true, amount));
            assert!(s.is_on(&on), "{s:?}");
            assert!(!s.is_on(&on.apply(&s.update(false, None))), "{s:?}");
        }
    }
}
