//! The fault form's data: the values the fault keys inject, and the form's
//! lines, each declared by its kind of the one fault table (word, bounds,
//! parsing). What the form shows and how keys edit it live in
//! `panels/input.rs` and `keys.rs`.

use crate::faults::{FaultKind, Num, OutOfRange};

/// The values the fault keys inject, edited in the form.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultValues {
    pub latency_ms: u64,
    pub error_rate: f64,
    pub leak_mb: u64,
    pub db_slow_ms: u64,
}

impl FaultValues {
    /// The value the form holds for `kind`, if the form edits it: what a
    /// fault key turns its fault on with.
    pub fn of(&self, kind: FaultKind) -> Option<Num> {
        FORM.iter().find(|l| l.kind == kind).map(|l| (l.get)(self))
    }
}

impl Default for FaultValues {
    fn default() -> Self {
        Self {
            latency_ms: 2000,
            error_rate: 20.0,
            leak_mb: 5,
            db_slow_ms: 2000,
        }
    }
}

/// One line of the fault form: the kind of the one fault table it edits
/// (word, bounds, parsing), and where its value lives in [`FaultValues`].
pub struct FormField {
    pub kind: FaultKind,
    pub get: fn(&FaultValues) -> Num,
    pub set: fn(&mut FaultValues, Num),
}

impl FormField {
    /// The text as typed, read as this field's value. The text itself is
    /// never changed; a decimal comma reads as a point in the one field
    /// that takes fractions (the error rate), as a Russian keyboard types it.
    pub fn read(&self, text: &str) -> Result<Num, OutOfRange> {
        if self.kind.field().whole {
            self.kind.parse(text)
        } else {
            self.kind.parse(&text.replace(',', "."))
        }
    }
}

fn whole(n: Num) -> u64 {
    match n {
        Num::Whole(n) => n,
        Num::Real(x) => x as u64,
    }
}

fn real(n: Num) -> f64 {
    n.as_f64()
}

/// The fault form, top to bottom: every place that shows, edits or applies
/// it reads this list, so a line and its value cannot drift apart.
pub static FORM: [FormField; 4] = [
    FormField {
        kind: FaultKind::Latency,
        get: |v| Num::Whole(v.latency_ms),
        set: |v, n| v.latency_ms = whole(n),
    },
    FormField {
        kind: FaultKind::ErrorRate,
        get: |v| Num::Real(v.error_rate),
        set: |v, n| v.error_rate = real(n),
    },
    FormField {
        kind: FaultKind::Leak,
        get: |v| Num::Whole(v.leak_mb),
        set: |v, n| v.leak_mb = whole(n),
    },
    FormField {
        kind: FaultKind::DbSlow,
        get: |v| Num::Whole(v.db_slow_ms),
        set: |v, n| v.db_slow_ms = whole(n),
    },
];
