//! Why a service's process last ended, as data: each backend says what it
//! saw (an exit code, a signal, a kill at the memory limit) and the words
//! are the catalogue's ([`crate::words`]), rendered in one place.

use std::fmt;

use serde::Serialize;

use crate::cases::bilingual::Lang;
use crate::words::{X, t, tf};

/// Why a service's process last ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It ended on its own with this exit code.
    Code(i64),
    /// A signal ended it.
    Signal(i32),
    /// The kernel's OOM killer ended it at its memory limit, with this signal.
    OomKilled { signal: i32 },
    /// An allocation was refused at its memory limit (`RLIMIT_DATA`) and it
    /// aborted with this signal: the local backend's OOM kill.
    AllocationRefused { signal: i32 },
    /// The backend could not tell.
    Unknown,
}

impl Exit {
    /// An exit code as Docker reports it: 128 + N is signal N, and 137 with
    /// the engine's OOM flag is a kill at the memory limit.
    pub(crate) fn from_docker(code: i64, oom: bool) -> Self {
        let signal = (code > 128 && code < 160)
            .then(|| i32::try_from(code - 128).ok())
            .flatten();
        match signal {
            Some(9) if oom => Exit::OomKilled { signal: 9 },
            Some(s) => Exit::Signal(s),
            None => Exit::Code(code),
        }
    }

    /// Whether the memory limit ended it (either backend's way).
    pub fn at_memory_limit(self) -> bool {
        matches!(
            self,
            Exit::OomKilled { .. } | Exit::AllocationRefused { .. }
        )
    }

    /// "exit code 1", "signal 9 (killed by the kernel at its memory limit)"…
    pub(crate) fn text(self, lang: Lang) -> String {
        let because = |signal: i32, why: X| {
            let signal = tf(lang, X::Signal, &[&signal]);
            tf(lang, X::Because, &[&signal, &t(lang, why)])
        };
        match self {
            Exit::Code(c) => tf(lang, X::ExitCode, &[&c]),
            Exit::Signal(s) => tf(lang, X::Signal, &[&s]),
            Exit::OomKilled { signal } => because(signal, X::MemoryKill),
            Exit::AllocationRefused { signal } => because(signal, X::AllocationRefused),
            Exit::Unknown => t(lang, X::Unknown).to_string(),
        }
    }
}

/// In English: `workshop status` and the progress lines are not translated.
impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

/// Written as `workshop status` writes it, so `status --json` keeps its text.
impl Serialize for Exit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_exit_codes_above_128_are_signals_and_137_with_the_flag_a_memory_kill() {
        assert_eq!(Exit::from_docker(1, false), Exit::Code(1));
        assert_eq!(Exit::from_docker(143, false), Exit::Signal(15));
        assert_eq!(Exit::from_docker(137, false), Exit::Signal(9));
        assert_eq!(Exit::from_docker(137, true), Exit::OomKilled { signal: 9 });
        assert_eq!(Exit::from_docker(1, true), Exit::Code(1));
    }

    #[test]
    fn an_exit_reads_as_it_did_before_it_had_a_type() {
        assert_eq!(Exit::Code(1).to_string(), "exit code 1");
        assert_eq!(Exit::Signal(15).to_string(), "signal 15");
        assert_eq!(
            Exit::OomKilled { signal: 9 }.to_string(),
            "signal 9 (killed by the kernel at its memory limit)"
        );
        assert_eq!(
            Exit::AllocationRefused { signal: 6 }.to_string(),
            "signal 6 (allocation refused at its memory limit)"
        );
        assert_eq!(Exit::Unknown.to_string(), "unknown");
    }

    #[test]
    fn an_exit_is_said_in_russian_too() {
        assert_eq!(
            Exit::OomKilled { signal: 9 }.text(Lang::Ru),
            "сигнал 9 (убит ядром на пределе памяти)"
        );
    }
}
