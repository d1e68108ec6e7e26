//! The test of the catalogue: which English words of its own show up in a
//! text that should be Russian. Used on the console's screens, on the event
//! lines and on `workshop run`'s output; callable on any Russian text.

use std::collections::BTreeSet;

use super::{E, P, R, S, SignalWord, T, Word, X};
use crate::cases::phase::Phase;

/// The Latin words a Russian text keeps as they are, and the only ones the
/// Russian side of the catalogue may use (a test holds it to that, so a
/// word left untranslated there cannot excuse itself): names of programs
/// (Docker, Colima, Podman…) and of systems (Debian, Ubuntu, Windows, WSL,
/// macOS: the install line names them), of TLS and of UTC,
/// abbreviations Russian engineers say as they are (API, OOM kill, RPS),
/// the names printed on keys, the `serve` command, and the two phases the
/// legend of the checks names as their references start (`detect/…`).
const KEPT: [&str; 31] = [
    "docker",
    "debian",
    "ubuntu",
    "windows",
    "wsl",
    "macos",
    "colima",
    "podman",
    "tls",
    "utc",
    "prometheus",
    "grafana",
    "postgresql",
    "sqlite",
    "api",
    "oom",
    "kill",
    "rps",
    "esc",
    "enter",
    "tab",
    "space",
    "ctrl",
    "pgup",
    "pgdn",
    "home",
    "end",
    "serve",
    "workshop",
    "detect",
    "recover",
];

/// The words of `s`: runs of letters, lowercased.
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

fn pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    T::ALL
        .iter()
        .map(|w| w.pair())
        .chain(E::ALL.iter().map(|w| w.pair()))
        .chain(S::ALL.iter().map(|w| w.pair()))
        .chain(R::ALL.iter().map(|w| w.pair()))
        .chain(SignalWord::ALL.iter().map(|w| w.pair()))
        .chain(X::ALL.iter().map(|w| w.pair()))
        .chain(P::ALL.iter().map(|w| w.pair()))
        .chain(Phase::ALL.iter().map(|w| w.pair()))
}

/// Every English word (3 letters or more) of the catalogue, less [`KEPT`].
fn english() -> BTreeSet<String> {
    pairs()
        .flat_map(|(en, _)| words(en).collect::<Vec<_>>())
        .filter(|w| w.chars().count() >= 3 && !KEPT.contains(&w.as_str()))
        .collect()
}

/// The prose of `text`: code in backticks (a command, a PromQL query) left out.
fn prose(text: &str) -> String {
    text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
}

/// Identifiers are data, the same in every language: a check's reference
/// (`detect/p95-up`, `обнаружение/restarted`), a shipped case's id
/// (`latency`), a metric (`job:fintech_p95_latency:5m`), a service
/// (`app-1`), an address, a field (`latency_ms=2000`), a path (`/metrics`).
/// A token with a digit or one of `_-=.:@` is one.
fn identifier(token: &str) -> bool {
    if token.starts_with('/') {
        return true;
    }
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let phase_word = |w: &str| {
        Phase::named(w).is_some()
            || Phase::ALL
                .iter()
                .any(|p| p.pair().1.split_whitespace().last() == Some(w))
    };
    let reference = token
        .split_once('/')
        .is_some_and(|(phase, _)| phase_word(phase));
    let case_id = shipped_ids().contains(token);
    reference
        || case_id
        || token
            .chars()
            .any(|c| c.is_ascii_digit() || "_-=.:@".contains(c))
}

/// The ids of the shipped cases, read once from their files.
fn shipped_ids() -> &'static BTreeSet<&'static str> {
    static IDS: std::sync::OnceLock<BTreeSet<&'static str>> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        crate::cases::SHIPPED
            .iter()
            .flat_map(|(_, text)| text.lines())
            .filter_map(|l| l.strip_prefix("id: ").map(str::trim))
            .collect()
    })
}

/// The words of the prose of `text` that are not identifiers.
fn prose_words(text: &str) -> Vec<String> {
    prose(text)
        .split_whitespace()
        .filter(|token| !identifier(token))
        .flat_map(|token| words(token).collect::<Vec<_>>())
        .collect()
}

/// The English words of the catalogue found in `text`, in order, once each.
/// Code in backticks and identifiers are not words; anything else in
/// English is a leak.
pub(crate) fn english_leaks(text: &str) -> Vec<String> {
    let english = english();
    let mut found: Vec<String> = Vec::new();
    for w in prose_words(text) {
        if english.contains(&w) && !found.contains(&w) {
            found.push(w);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_english_word_of_the_catalogue_is_a_leak_and_an_identifier_is_not() {
        assert_eq!(english_leaks("задержка 2000 мс · reset"), ["reset"]);
        assert_eq!(
            english_leaks("✔ detect/restarted через 2 с"),
            Vec::<String>::new()
        );
        assert_eq!(
            english_leaks("`workshop doctor` app-1 Docker API p95 /metrics"),
            Vec::<String>::new()
        );
        assert_eq!(english_leaks("нагрузка on/off"), ["off"]);
    }

    #[test]
    fn the_russian_side_uses_no_latin_word_but_the_kept_ones() {
        for (_, ru) in pairs() {
            let latin: Vec<String> = prose_words(ru)
                .into_iter()
                .filter(|w| w.is_ascii() && w.len() > 1 && !KEPT.contains(&w.as_str()))
                .collect();
            assert!(latin.is_empty(), "{ru}: {latin:?}");
        }
    }

    #[test]
    fn the_words_to_look_for_are_many_and_none_is_russian() {
        let english = english();
        assert!(english.len() > 200, "{}", english.len());
        assert!(english.iter().all(|w| w.is_ascii()), "{english:?}");
    }
}
