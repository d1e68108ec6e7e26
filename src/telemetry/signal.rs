//! The live signals a student watches: p95, the share of 5xx, the request
//! rate, the transactions in flight and the API's memory. Each [`Signal`]
//! carries everything known of it, so the console's charts, the telemetry
//! task and the case engine's peaks read the same facts from one table:
//!
//! - its PromQL query (the recording rules of `compose/alerts.yml`),
//! - how a direct scrape of `/metrics` computes it when no Prometheus
//!   answers ([`Scraped`]), with the same meaning as the rule,
//! - the smallest top of its chart's scale, its unit, and its name on the
//!   chart (a word of the catalogue, [`SignalWord`]).
//!
//! A new signal is one entry of the table in [`signals!`] and one word.

use std::ops::{Index, IndexMut};

use crate::cases::Lang;
use crate::words::{SignalWord, T, t};

use super::scrape::{Derived, ScrapeWindow};

/// How a direct scrape of the API's `/metrics` gives a signal: computed
/// from the scrapes, never by reading the query's text back.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scraped {
    /// From the oldest and newest scrape of the window, as the recording
    /// rules compute rates, ratios and quantiles.
    Derived(fn(&Derived) -> Option<f64>),
    /// A plain metric of the newest scrape, summed over its series.
    Gauge(&'static str),
}

impl Scraped {
    /// The value the window holds now; `None` is no data.
    pub(crate) fn read(self, window: &ScrapeWindow) -> Option<f64> {
        match self {
            Scraped::Derived(of) => of(&window.derived()),
            Scraped::Gauge(name) => window.gauge(name),
        }
    }
}

/// What a signal's number measures, and so how a person reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Seconds, shown in ms below one second.
    Seconds,
    /// A share from 0 to 1, shown as a percentage.
    Ratio,
    /// Events per second.
    PerSecond,
    /// A whole number of things.
    Count,
    /// Bytes, shown in MiB (bytes / 1048576).
    Bytes,
}

impl Unit {
    /// `v` as the charts show it, with its unit in `lang`.
    /// Russian writes a decimal comma, as the case texts do.
    pub(crate) fn show(self, v: f64, lang: Lang) -> String {
        let shown = match self {
            Unit::Seconds if v < 1.0 => format!("{:.0} {}", v * 1000.0, t(lang, T::Ms)),
            Unit::Seconds => format!("{v:.2} {}", t(lang, T::Sec)),
            Unit::Ratio => format!("{:.1} %", v * 100.0),
            Unit::PerSecond => format!("{v:.1}{}", t(lang, T::PerSec)),
            Unit::Count => format!("{v:.0}"),
            Unit::Bytes => format!("{:.0} {}", v / (1024.0 * 1024.0), t(lang, T::MiB)),
        };
        lang.decimal(shown)
    }
}

/// The facts of one signal (see the module's doc).
#[derive(Debug, Clone, Copy)]
struct Facts {
    query: &'static str,
    scraped: Scraped,
    /// The smallest top of the chart's scale: calm noise must not fill the row.
    floor: f64,
    unit: Unit,
    word: SignalWord,
}

/// Declares the signals: the enum, `ALL` in the order of its variants (the
/// order of the charts' rows, and the index of a [`BySignal`]), and each
/// one's [`Facts`].
macro_rules! signals {
    ($($(#[$m:meta])* $name:ident => $facts:expr),* $(,)?) => {
        /// One of the live signals (see the module's doc).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Signal {
            $($(#[$m])* $name,)*
        }

        impl Signal {
            /// Every signal, in the order of the charts' rows.
            pub const ALL: &'static [Signal] = &[$(Signal::$name,)*];

            fn facts(self) -> Facts {
                match self {
                    $(Signal::$name => $facts,)*
                }
            }
        }
    };
}

signals! {
    /// The 95th percentile of the API's latency, in seconds.
    P95 => Facts {
        query: "max(job:fintech_p95_latency:5m)",
        scraped: Scraped::Derived(|d| d.p95),
        floor: 0.25,
        unit: Unit::Seconds,
        word: SignalWord::P95,
    },
    /// The share of the API's answers that are 5xx, from 0 to 1.
    ErrorRatio => Facts {
        query: "max(job:fintech_error_rate:5m)",
        scraped: Scraped::Derived(|d| d.error_ratio),
        floor: 0.05,
        unit: Unit::Ratio,
        word: SignalWord::Errors,
    },
    /// Requests the API serves per second (its own tools' probes left out).
    RequestRate => Facts {
        query: "sum(job:fintech_request_rate:1m)",
        scraped: Scraped::Derived(|d| d.rps),
        floor: 5.0,
        unit: Unit::PerSecond,
        word: SignalWord::Rate,
    },
    /// Transfers the API has begun and not finished.
    ActiveTransactions => Facts {
        query: "sum(fintech_active_transactions)",
        scraped: Scraped::Gauge("fintech_active_transactions"),
        floor: 5.0,
        unit: Unit::Count,
        word: SignalWord::Transactions,
    },
    /// The API's memory as the kernel holds it against its limit, in bytes
    /// ([`crate::memory`]): the stack panel's figure too. The query selects
    /// the API's job: Prometheus's own memory must never stand in for it.
    Memory => Facts {
        query: r#"max(fintech_memory_used_bytes{job="fintech-api"})"#,
        scraped: Scraped::Gauge("fintech_memory_used_bytes"),
        floor: 64.0 * 1024.0 * 1024.0,
        unit: Unit::Bytes,
        word: SignalWord::Memory,
    },
}

/// The app's memory limit in bytes (0 when it has none): the line over
/// [`Signal::Memory`] in a case's report.
pub const MEMORY_LIMIT_QUERY: &str = r#"max(fintech_memory_limit_bytes{job="fintech-api"})"#;

impl Signal {
    /// How many signals there are.
    pub const COUNT: usize = Self::ALL.len();

    /// The PromQL instant query Prometheus answers it with; it may return
    /// several series, of which the largest is the signal.
    pub fn query(self) -> &'static str {
        self.facts().query
    }

    /// How it is computed from the API's `/metrics` without Prometheus.
    pub(crate) fn scraped(self) -> Scraped {
        self.facts().scraped
    }

    /// The smallest top of its chart's scale.
    pub(crate) fn floor(self) -> f64 {
        self.facts().floor
    }

    pub(crate) fn unit(self) -> Unit {
        self.facts().unit
    }

    /// Its name on the charts, in `lang`.
    pub(crate) fn label(self, lang: Lang) -> &'static str {
        t(lang, self.facts().word)
    }

    /// A value of it as the charts show it, with its unit in `lang`.
    pub(crate) fn show(self, v: f64, lang: Lang) -> String {
        self.unit().show(v, lang)
    }

    /// Its place in [`Signal::ALL`] (the variants are declared in that order).
    fn index(self) -> usize {
        self as usize
    }
}

/// One `T` per signal: the charts' series, a reading's values. Kept by
/// signal, so no list of signals is written out field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct BySignal<T>([T; Signal::COUNT]);

impl<T> BySignal<T> {
    /// `make(signal)` for every signal.
    pub fn from_fn(mut make: impl FnMut(Signal) -> T) -> Self {
        Self(std::array::from_fn(|i| make(Signal::ALL[i])))
    }

    /// Each signal with its `T`, in the order of [`Signal::ALL`].
    pub fn iter(&self) -> impl Iterator<Item = (Signal, &T)> {
        Signal::ALL.iter().copied().zip(self.0.iter())
    }

    /// Each signal with its `T`, to change, in the order of [`Signal::ALL`].
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (Signal, &mut T)> {
        Signal::ALL.iter().copied().zip(self.0.iter_mut())
    }
}

impl<T: Default> Default for BySignal<T> {
    fn default() -> Self {
        Self::from_fn(|_| T::default())
    }
}

impl<T> Index<Signal> for BySignal<T> {
    type Output = T;

    fn index(&self, signal: Signal) -> &T {
        &self.0[signal.index()]
    }
}

impl<T> IndexMut<Signal> for BySignal<T> {
    fn index_mut(&mut self, signal: Signal) -> &mut T {
        &mut self.0[signal.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::super::scrape::Scrape;
    use super::*;

    #[test]
    fn every_signal_has_a_query_a_scrape_a_floor_and_a_label_in_both_languages() {
        for &s in Signal::ALL {
            assert!(!s.query().trim().is_empty(), "{s:?} has no query");
            assert!(s.floor() > 0.0, "{s:?} has no floor");
            if let Scraped::Gauge(name) = s.scraped() {
                assert!(s.query().contains(name), "{s:?} scrapes another metric");
            }
            for lang in [Lang::En, Lang::Ru] {
                assert!(!s.label(lang).trim().is_empty(), "{s:?} in {lang:?}");
                assert!(!s.show(1.0, lang).is_empty(), "{s:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn signals_are_indexed_by_their_place_in_all_and_no_two_share_a_query_or_label() {
        for (i, &s) in Signal::ALL.iter().enumerate() {
            assert_eq!(s.index(), i, "{s:?}");
            for &other in &Signal::ALL[i + 1..] {
                assert_ne!(s.query(), other.query(), "{s:?} and {other:?}");
                assert_ne!(s.label(Lang::En), other.label(Lang::En));
                assert_ne!(s.label(Lang::Ru), other.label(Lang::Ru));
            }
        }
        let by = BySignal::from_fn(|s| s);
        assert!(by.iter().all(|(s, &v)| by[s] == s && v == s));
    }

    #[test]
    fn a_scrape_window_answers_every_signal() {
        let exposition = |n: u64| {
            format!(
                "fintech_requests_total{{endpoint=\"/api/balance\",status=\"200\"}} {n}\n\
                 fintech_requests_total{{endpoint=\"/api/balance\",status=\"500\"}} {e}\n\
                 fintech_request_latency_seconds_bucket{{endpoint=\"/api/balance\",le=\"0.1\"}} {n}\n\
                 fintech_request_latency_seconds_bucket{{endpoint=\"/api/balance\",le=\"+Inf\"}} {t}\n\
                 fintech_active_transactions 2\n\
                 fintech_memory_used_bytes 1048576\n",
                e = n / 10,
                t = n + n / 10
            )
        };
        let mut w = ScrapeWindow::default();
        w.push(Scrape::new(0.0, &exposition(0)));
        w.push(Scrape::new(10.0, &exposition(100)));
        let read = BySignal::from_fn(|s| s.scraped().read(&w));
        assert_eq!(read[Signal::RequestRate], Some(11.0));
        assert_eq!(read[Signal::ActiveTransactions], Some(2.0));
        assert_eq!(read[Signal::Memory], Some(1048576.0));
        assert!(read.iter().all(|(_, v)| v.is_some()), "{read:?}");
    }

    #[test]
    fn values_read_as_the_charts_always_showed_them() {
        let en = |s: Signal, v| s.show(v, Lang::En);
        assert_eq!(en(Signal::P95, 0.045), "45 ms");
        assert_eq!(en(Signal::P95, 2.5), "2.50 s");
        assert_eq!(en(Signal::ErrorRatio, 0.2), "20.0 %");
        assert_eq!(en(Signal::RequestRate, 10.0), "10.0/s");
        assert_eq!(en(Signal::ActiveTransactions, 3.0), "3");
        assert_eq!(en(Signal::Memory, 48.0 * 1048576.0), "48 MiB");
        assert_eq!(Signal::Memory.show(1048576.0, Lang::Ru), "1 МиБ");
        assert_eq!(
            Signal::P95.show(2.5, Lang::Ru),
            "2,50 с",
            "a decimal comma in Russian"
        );
        assert_eq!(Signal::ErrorRatio.show(0.2, Lang::Ru), "20,0 %");
    }
}
