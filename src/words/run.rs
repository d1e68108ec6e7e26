//! The words of a run: its event lines (the console's log and `workshop
//! run`'s output are the same lines), the reasons a case stops, the case
//! actions as a person reads them, and `workshop run`'s summary. A `words!`
//! table; `{0}`, `{1}` are filled in by [`super::tf`].

words! {
    /// A word of a run.
    enum E {
        // The event lines.
        CaseStarted => ("━━ case {0}: {1}", "━━ кейс {0}: {1}"),
        LoadStarted => ("load {0} req/s ({1})", "нагрузка {0} запр/с ({1})"),
        Captured => ("captured {0} = {1}", "замер {0} = {1}"),
        BaselineFailed => ("✘ baseline: {0}", "✘ базовая линия: {0}"),
        Action => ("action: {0}", "действие: {0}"),
        CheckPassed => ("✔ {0}{1} after {2}s", "✔ {0}{1} через {2} с"),
        CheckFailed => ("✘ {0}{1} after {2}s — {3}", "✘ {0}{1} через {2} с — {3}"),
        AlertFired => (
            "🔔 {0} fired {1}s after injection (expected within {2}s)",
            "🔔 {0} сработал через {1} с после внедрения (ожидался в пределах {2} с)",
        ),
        AlertMissed => ("✘ {0} did not fire within {1}s", "✘ {0} не сработал за {1} с"),
        AlertBeforeInjection => (
            "{0} was already active {1} s before the injection, so it does not count: \
             the baseline is not clean. Let it resolve, then start the case again.",
            "{0} был активен уже за {1} с до внедрения отказа и не засчитывается: \
             базовая линия не чистая. Дождитесь, пока алерт погаснет, и начните кейс заново.",
        ),
        Hint => ("hint: {0}", "подсказка: {0}"),
        Prompt => ("runbook: {0}", "ранбук: {0}"),
        Question => ("question: {0} — live value {1}{2}", "вопрос: {0} — сейчас {1}{2}"),
        NoValue => ("n/a", "н/д"),
        Aborted => ("aborted: {0}", "прервано: {0}"),
        CaseFinished => ("━━ case {0}: {1}", "━━ кейс {0}: {1}"),
        Passed => ("PASSED", "ПРОЙДЕН"),
        Failed => ("FAILED", "НЕ ПРОЙДЕН"),
        // Why a case stopped.
        CaptureNoData => (
            "capture `{0}` found no data for `{1}`: is Prometheus scraping the API?",
            "замер `{0}` не получил данных по `{1}`: собирает ли Prometheus метрики API?",
        ),
        BaselineUnhealthy => (
            "the baseline is not healthy, so nothing was injected",
            "базовая линия не в норме, поэтому отказ не внедрялся",
        ),
        // An action's text holds code of its own (`app`): Russian quotes it
        // with «», so backticks never nest.
        ActionFailed => ("`{0}` failed: {1}", "не выполнено «{0}»: {1}"),
        RollbackFailed => (
            "rollback step `{0}` failed: {1}",
            "шаг отката «{0}» не выполнен: {1}",
        ),
        NotTeachableCase => (
            "a detect check holds at baseline, so the case is not teachable",
            "проверка обнаружения выполняется уже на базовой линии: кейс ничему не научит",
        ),
        LeftBeforeEnd => ("left before the end", "кейс покинут до конца"),
        NotTeachable => (
            "detect check `{0}` already holds before any fault: \
             it cannot tell the student anything",
            "проверка обнаружения `{0}` выполняется ещё до отказа: она ничего не скажет студенту",
        ),
        // `cases check`'s table of what each check read.
        ExamineTitle => (
            "what each check read (series · value · ✔ holds, ✘ does not, · no data):",
            "что прочитала каждая проверка (рядов · значение · ✔ выполнена, ✘ нет, · нет данных):",
        ),
        ExamineBefore => ("before the fault", "до отказа"),
        ExamineDuring => ("with the fault in", "при отказе"),
        ExamineAfter => ("after the recovery", "после восстановления"),
        ExamineSeries => ("{0} series", "рядов: {0}"),
        ExamineNoSeries => ("no series", "рядов нет"),
        // A case's actions, as the lines say them.
        SetFailures => ("set failures {0}", "задать отказы {0}"),
        ResetFailures => ("reset all failures", "сбросить все отказы"),
        RestartContainer => ("restart container `{0}`", "перезапустить контейнер `{0}`"),
        KillContainer => ("kill container `{0}`", "убить контейнер `{0}`"),
        // `workshop run`'s own lines.
        Error => ("error: {0}", "ошибка: {0}"),
        Summary => ("{0} of {1} case(s) passed{2}", "пройдено кейсов: {0} из {1}{2}"),
        Interrupted => (" (interrupted; rollback done)", " (прервано; откат выполнен)"),
        ReportWritten => ("report written to {0}", "отчёт записан в {0}"),
        CannotWriteReport => (
            "cannot write the report to {0}: {1}",
            "не удалось записать отчёт в {0}: {1}",
        ),
        CannotWriteJournal => (
            "cannot write the journal to {0}: {1}",
            "не удалось записать журнал в {0}: {1}",
        ),
        // The coach's board, from `workshop run --coach`.
        CoachSays => ("[coach] {0}", "[ведущий] {0}"),
        CoachRefused => (
            "the coach's board refused this run's events: check the class URL \
             (--coach, with its class code) and --name",
            "доска ведущего не приняла события прогона: проверьте адрес класса \
             (с кодом класса) и имя",
        ),
        CoachUndelivered => (
            "{0} event(s) did not reach the coach's board; the run's result does not depend on it",
            "до доски ведущего не дошло событий: {0}; на результат прогона это не влияет",
        ),
        NoStack => (
            "`{0}` acts on a container, and no Docker stack is reachable: start one with \
             `workshop up` (a local stack has no containers), or do it by hand",
            "«{0}» действует на контейнер, а Docker-стенд недоступен: запустите его \
             командой `workshop up` (у локального стенда контейнеров нет) или сделайте это вручную",
        ),
        /// A case's query read another process than the app: case, phase,
        /// what asked it, why.
        ReadsOtherJob => (
            "case {0}, {1} phase, {2}: {3}. Fix the case file; nothing it showed was about the app",
            "кейс {0}, фаза «{1}», {2}: {3}. Исправьте файл кейса: показанное им относилось не к приложению",
        ),
        ContainerUnreachable => (
            "it acts on a container of the Docker stack, and {0} ({1})",
            "шаг действует на контейнер Docker-стенда, а {0} ({1})",
        ),
    }
}
