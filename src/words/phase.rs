//! A case's phases in words: each [`Phase`] is a word of the catalogue, as
//! the event lines, the phase panel and the check legend name it.

use crate::cases::Lang;
use crate::cases::phase::Phase;

use super::{Word, t};

/// A check as every screen and report names it: its phase in `lang`, then
/// its id as the case file spells it (`обнаружение/leak-growing`).
pub(crate) fn check_label(lang: Lang, phase: Phase, id: &str) -> String {
    format!("{}/{id}", t(lang, phase))
}

impl Word for Phase {
    fn pair(self) -> (&'static str, &'static str) {
        match self {
            Phase::Baseline => ("baseline", "базовая линия"),
            Phase::Inject => ("inject", "внедрение"),
            Phase::Detect => ("detect", "обнаружение"),
            Phase::Respond => ("respond", "реагирование"),
            Phase::Recover => ("recover", "восстановление"),
            Phase::Rollback => ("rollback", "откат"),
            Phase::Teachable => ("teachable", "проверка кейса"),
        }
    }
}

words! {
    /// How a phase's actions ended, where it stops the case.
    enum P {
        /// The walk's reason when Ctrl-C stopped it.
        Interrupted => ("interrupted", "прервано"),
        /// The console's next step once an inject or recover action failed.
        CaseStopped => (
            "Case stopped: {0} · Esc leaves it (the rollback runs), then Enter opens it again.",
            "Кейс остановлен: {0} · Esc — выйти (выполнится откат), затем Enter — открыть заново.",
        ),
        /// `i` or `r` on a stopped case.
        StoppedLeaveFirst => (
            "the case stopped: leave it (Esc) and open it again (Enter)",
            "кейс остановлен: выйдите из него (Esc) и откройте заново (Enter)",
        ),
    }
}
