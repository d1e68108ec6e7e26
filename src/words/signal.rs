//! The live signals' names on the console's charts, one word per signal
//! ([`crate::telemetry::Signal`] says which is whose). `p95` and `5xx` are
//! the same in both languages; RPS is how Russian engineers say it too.

words! {
    /// The short name of a signal in front of its chart row.
    enum SignalWord {
        P95 => ("p95", "p95"),
        Errors => ("5xx", "5xx"),
        Rate => ("rps", "RPS"),
        Transactions => ("tx", "тр."),
        Memory => ("mem", "пам."),
    }
}
