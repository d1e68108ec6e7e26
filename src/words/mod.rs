//! The workshop's own words, in English and Russian: one catalogue for the
//! console's frame ([`T`]), for a run's event lines and `workshop run`'s
//! output ([`E`]), for why the stack cannot come up ([`S`]), for the
//! session report and its chart ([`R`]), for the case pages ([`M`]), for
//! the live signals' names on the console's charts ([`SignalWord`]) and for
//! why a service's process ended ([`X`]). Case texts
//! come from the case files ([`crate::cases::Text`]); these are the frame
//! around them.
//!
//! Each word is one `(en, ru)` pair in a table, so a missing translation is
//! a compile error, not a blank label; and each table lists its words
//! (`ALL`), so a test holds every Russian screen, event line and summary to
//! showing no English word of the catalogue.
//!
//! Units follow the language: `s`, `ms`, `MiB`, `req/s` in English; `с`,
//! `мс`, `МиБ`, `запр/с` in Russian.

use std::fmt::Display;

use crate::cases::bilingual::Lang;

/// Declares a table of words: the enum, its `(en, ru)` pairs and `ALL`.
macro_rules! words {
    (
        $(#[$meta:meta])*
        enum $name:ident {
            $($(#[$m:meta])* $word:ident => ($en:expr, $ru:expr $(,)?)),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name {
            $($(#[$m])* $word,)*
        }

        impl $name {
            /// Every word of the table, for the tests that look for leaks.
            #[cfg(test)]
            pub(crate) const ALL: &'static [$name] = &[$($name::$word,)*];
        }

        impl $crate::words::Word for $name {
            fn pair(self) -> (&'static str, &'static str) {
                match self {
                    $($name::$word => ($en, $ru),)*
                }
            }
        }
    };
}

mod console;
mod exit;
mod export;
#[cfg(test)]
mod leaks;
mod phase;
mod report;
mod run;
mod signal;
mod stack;

pub(crate) use console::T;
pub(crate) use exit::X;
pub(crate) use export::M;
#[cfg(test)]
pub(crate) use leaks::english_leaks;
pub(crate) use phase::{P, check_label};
pub(crate) use report::R;
pub(crate) use run::E;
pub(crate) use signal::SignalWord;
pub(crate) use stack::S;

/// A word of the catalogue: the same thing said in each language.
pub(crate) trait Word: Copy {
    /// English, Russian.
    fn pair(self) -> (&'static str, &'static str);
}

/// The word `w` in `lang`.
pub(crate) fn t(lang: Lang, w: impl Word) -> &'static str {
    let (en, ru) = w.pair();
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
    }
}

/// The word `w` in `lang` with `{0}`, `{1}`… replaced by `args`: each
/// language puts the values where its sentence wants them.
pub(crate) fn tf(lang: Lang, w: impl Word, args: &[&dyn Display]) -> String {
    let mut out = t(lang, w).to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &a.to_string());
    }
    out
}

/// A unit as the case files write it (`s`, `ms`, `MiB`, `req/s`), in
/// `lang`; any other (`%`) is the same in both.
/// A text holding a cause the system gave in English
/// ([`crate::cause::reason`]), in `lang`: the common causes have their
/// words; anything else stays as it came.
pub(crate) fn cause(lang: Lang, text: &str) -> String {
    const KNOWN: [(&str, &str); 6] = [
        ("Connection refused", "соединение отклонено"),
        ("timed out", "нет ответа в срок"),
        ("Connection reset by peer", "соединение сброшено"),
        ("Broken pipe", "соединение оборвано"),
        ("Permission denied", "нет доступа"),
        ("No such file or directory", "нет такого файла"),
    ];
    match lang {
        Lang::Ru => KNOWN
            .iter()
            .fold(text.to_string(), |said, (en, ru)| said.replace(en, ru)),
        Lang::En => text.to_string(),
    }
}

pub(crate) fn unit(lang: Lang, unit: &str) -> &str {
    let word = match unit {
        "s" => T::Sec,
        "ms" => T::Ms,
        "MiB" => T::MiB,
        "req/s" => T::ReqPerSec,
        _ => return unit,
    };
    t(lang, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_cause_is_said_in_russian_and_an_unknown_one_kept() {
        let lost = "http://127.0.0.1:5000/metrics: Connection refused";
        assert_eq!(
            cause(Lang::Ru, lost),
            "http://127.0.0.1:5000/metrics: соединение отклонено"
        );
        assert_eq!(cause(Lang::En, lost), lost);
        assert_eq!(cause(Lang::Ru, "answered 503"), "answered 503");
    }

    #[test]
    fn a_template_takes_its_values_where_each_language_wants_them() {
        let line = |lang| tf(lang, E::CheckPassed, &[&"detect/p95", &"", &2.5]);
        assert_eq!(line(Lang::En), "✔ detect/p95 after 2.5s");
        assert_eq!(line(Lang::Ru), "✔ detect/p95 через 2.5 с");
    }

    #[test]
    fn every_placeholder_of_a_word_is_in_both_languages() {
        let holes = |s: &str| {
            (0..10)
                .filter(|i| s.contains(&format!("{{{i}}}")))
                .collect::<Vec<_>>()
        };
        let pairs = T::ALL
            .iter()
            .map(|w| w.pair())
            .chain(E::ALL.iter().map(|w| w.pair()))
            .chain(S::ALL.iter().map(|w| w.pair()))
            .chain(R::ALL.iter().map(|w| w.pair()))
            .chain(M::ALL.iter().map(|w| w.pair()))
            .chain(SignalWord::ALL.iter().map(|w| w.pair()))
            .chain(X::ALL.iter().map(|w| w.pair()))
            .chain(P::ALL.iter().map(|w| w.pair()))
            .chain(crate::cases::phase::Phase::ALL.iter().map(|w| w.pair()));
        for (en, ru) in pairs {
            assert_eq!(holes(en), holes(ru), "{en} / {ru}");
        }
    }
}
