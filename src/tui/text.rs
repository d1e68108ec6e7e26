//! The console's own words, in English and Russian. Case texts come from
//! the case files; these are the frame around them. One `match` per word,
//! so a missing translation is a compile error, not a blank label.

use crate::cases::Lang;
use crate::faults::FaultField;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum T {
    Stack,
    Cases,
    Case,
    Faults,
    Load,
    Charts,
    Log,
    Help,
    HelpClose,
    Opening,
    Starting,
    Attached,
    NoCase,
    Settling,
    BaselineRunning,
    Ready,
    BaselineFailed,
    Detecting,
    Recovering,
    Done,
    LookAt,
    Checks,
    TimesFromInjection,
    TimesFromRecovery,
    CheckTimeout,
    Alerts,
    Hints,
    Questions,
    Runbook,
    FiresWithin,
    Fired,
    Missed,
    AlertLeftOver,
    NoFault,
    FaultsCleared,
    LoadOff,
    Target,
    Source,
    SourceProm,
    SourceScrape,
    SourceNone,
    FormTitle,
    AnswerTitle,
    KeysHint,
    Quit,
    Move,
    Open,
    Leave,
    Inject,
    InjectNow,
    Recover,
    Hint,
    Answer,
    ToggleLatency,
    ToggleErrors,
    ToggleDbSlow,
    ToggleDbFail,
    ToggleLeak,
    ResetFaults,
    FaultForm,
    LoadToggle,
    RateUp,
    RateDown,
    Scroll,
    StackChoices,
    BlockedTitle,
    BlockedLocal,
    BlockedRetry,
    BlockedQuit,
    BlockedWait,
    BlockedFix,
    BlockedHint,
    Waiting,
    FormRefused,
    AllAnswered,
    QuestionNo,
    NotANumber,
    TryAgain,
    OneMoreTry,
    Live,
    MiB,
    PerRequest,
    LoadShort,
    LoadShortWhy,
    DoneNext,
    DoneLast,
    // Added with the event log and the next-step line (eventlog branch).
    LoadSent,
    EventsOpen,
    EventsHint,
    LogViewKeys,
    TopicLabel,
    TopicAll,
    TopicAlerts,
    TopicChecks,
    TopicFaults,
    TopicRestarts,
    NoLineMatches,
    PinnedTitle,
    FactOom,
    FactOomLast,
    FactFired,
    FactChecks,
    FactChecksLast,
    NextRespond,
    NextAnswer,
    NextRecover,
    AlertToGo,
}

/// The word `t` in `lang`.
pub(crate) fn t(lang: Lang, t: T) -> &'static str {
    use T::*;
    let (en, ru) = match t {
        Stack => ("Stack", "Стенд"),
        Cases => ("Cases", "Кейсы"),
        Case => ("Case", "Кейс"),
        Faults => ("Faults", "Отказы"),
        Load => ("Load", "Нагрузка"),
        Charts => ("Live (5 min)", "Метрики (5 мин)"),
        Log => ("Events", "События"),
        Help => ("Keys", "Клавиши"),
        HelpClose => ("? or Esc closes", "? или Esc — закрыть"),
        Opening => ("looking for a Docker engine…", "ищу Docker…"),
        Starting => ("starting the stack", "запускаю стенд"),
        Attached => (
            "attached: the stack is managed elsewhere",
            "подключено: стендом управляют снаружи",
        ),
        NoCase => (
            "Pick a case with ↑/↓ and Enter.",
            "Выберите кейс: ↑/↓ и Enter.",
        ),
        Settling => (
            "Load is settling; the baseline is measured in",
            "Нагрузка выходит на режим; базовая линия через",
        ),
        BaselineRunning => (
            "Checking the baseline before anything is injected",
            "Проверяю базовую линию до внедрения отказа",
        ),
        Ready => (
            "Baseline healthy. Press i to inject the fault.",
            "Базовая линия в норме. i — внедрить отказ.",
        ),
        BaselineFailed => (
            "The baseline is not healthy: fix it, or I injects anyway.",
            "Базовая линия не в норме: исправьте или I — внедрить всё равно.",
        ),
        Detecting => (
            "Fault injected: watch the signals until a detect check passes.",
            "Отказ внедрён: следите за сигналами, пока не пройдёт проверка detect.",
        ),
        Recovering => (
            "Recovering: waiting for the metrics to return.",
            "Восстановление: ждём возврата метрик.",
        ),
        Done => ("Case finished.", "Кейс завершён."),
        LookAt => ("Look at", "Смотрите на"),
        Checks => ("Checks", "Проверки"),
        TimesFromInjection => (
            "times count from the injection",
            "время отсчитывается от внедрения отказа",
        ),
        TimesFromRecovery => (
            "detect: time from the injection; recover: from the recover action",
            "detect: время от внедрения; recover: от начала восстановления",
        ),
        CheckTimeout => ("timeout", "тайм-аут"),
        Alerts => ("Expected alerts", "Ожидаемые алерты"),
        Hints => ("Hints", "Подсказки"),
        Questions => ("Questions (a answers)", "Вопросы (a — ответить)"),
        Runbook => ("Runbook", "Ранбук"),
        FiresWithin => ("should fire within", "должен сработать за"),
        Fired => ("fired after", "сработал через"),
        Missed => ("did not fire within", "не сработал за"),
        AlertLeftOver => (
            "was active before the injection: it does not count, the baseline is not clean",
            "был активен до внедрения: не засчитывается, базовая линия не чистая",
        ),
        NoFault => ("no fault injected", "отказов нет"),
        FaultsCleared => (
            "New session: cleared the faults left injected before it:",
            "Новая сессия: сняты отказы, оставшиеся с прошлой:",
        ),
        LoadOff => ("off", "выкл"),
        Target => ("target", "цель"),
        Source => ("source", "источник"),
        SourceProm => ("Prometheus", "Prometheus"),
        SourceScrape => ("direct /metrics scrape", "прямой сбор /metrics"),
        SourceNone => ("no data", "нет данных"),
        FormTitle => (
            "Fault values (Tab next, Enter apply, Esc cancel)",
            "Параметры отказов (Tab, Enter — применить, Esc)",
        ),
        AnswerTitle => (
            "Your answer (Enter checks, Tab next question, Esc)",
            "Ваш ответ (Enter — проверить, Tab — след. вопрос, Esc)",
        ),
        KeysHint => ("? keys  q quit", "? клавиши  q выход"),
        Quit => (
            "quit (writes the session report)",
            "выход (пишет отчёт о сессии)",
        ),
        Move => ("move in the case list", "перемещение по списку кейсов"),
        Open => (
            "open the case: starts load and the baseline",
            "открыть кейс: нагрузка и базовая линия",
        ),
        Leave => (
            "leave the case (rolls back its fault)",
            "выйти из кейса (откатывает отказ)",
        ),
        Inject => (
            "inject the case's fault (after the baseline)",
            "внедрить отказ кейса (после базовой линии)",
        ),
        InjectNow => (
            "inject without waiting for the baseline",
            "внедрить, не дожидаясь базовой линии",
        ),
        Recover => (
            "recover: run the case's recovery (reset)",
            "восстановить: шаги восстановления кейса",
        ),
        Hint => ("show a hint", "показать подсказку"),
        Answer => ("answer a question", "ответить на вопрос"),
        ToggleLatency => ("latency fault on/off", "задержка вкл/выкл"),
        ToggleErrors => ("error-rate fault on/off", "ошибки вкл/выкл"),
        ToggleDbSlow => ("slow database on/off", "медленная БД вкл/выкл"),
        ToggleDbFail => ("database failure on/off", "отказ БД вкл/выкл"),
        ToggleLeak => ("memory leak on/off", "утечка памяти вкл/выкл"),
        ResetFaults => ("reset every fault", "сбросить все отказы"),
        FaultForm => ("edit fault values", "изменить параметры отказов"),
        LoadToggle => ("load on/off", "нагрузка вкл/выкл"),
        RateUp => ("load rate up", "больше запросов/с"),
        RateDown => ("load rate down", "меньше запросов/с"),
        Scroll => ("scroll the case text", "прокрутка текста кейса"),
        StackChoices => (
            "the ways out when the stack cannot start",
            "что делать, если стенд не запускается",
        ),
        BlockedTitle => ("The stack cannot start", "Стенд не запускается"),
        BlockedLocal => (
            "start it locally now (serve + SQLite, no Docker)",
            "запустить локально (serve + SQLite, без Docker)",
        ),
        BlockedRetry => ("try again now", "попробовать снова"),
        BlockedQuit => ("quit, and print the fix", "выйти и показать, как исправить"),
        BlockedWait => (
            "keep waiting: tried again every",
            "ждать: новая попытка каждые",
        ),
        BlockedFix => ("Fix", "Как исправить"),
        BlockedHint => (
            "s: local mode, retry or quit",
            "s: локальный режим, повтор или выход",
        ),
        Waiting => ("waiting", "ожидание"),
        FormRefused => (
            "Nothing applied: fix the fields marked ✘ (Esc cancels)",
            "Ничего не применено: исправьте поля с ✘ (Esc — отмена)",
        ),
        AllAnswered => (
            "every question is answered",
            "на все вопросы уже есть ответ",
        ),
        QuestionNo => ("Question", "Вопрос"),
        NotANumber => (
            "not a number: type digits, e.g. 2.5",
            "не число: введите цифры, например 2,5",
        ),
        TryAgain => ("wrong: one more try (a)", "неверно: ещё одна попытка (a)"),
        OneMoreTry => (
            "the last answer was wrong: one more try before the answer is shown",
            "прошлый ответ неверен: ещё одна попытка, потом будет показан ответ",
        ),
        Live => ("live", "сейчас"),
        // Mebibytes: the unit of the cases' texts and of the memory metrics
        // (bytes / 1048576), never "MB".
        MiB => ("MiB", "МиБ"),
        PerRequest => ("/req", "/запрос"),
        LoadShort => ("below 90% of the target", "ниже 90% цели"),
        LoadShortWhy => (
            "the API or this machine cannot keep up; lower the rate with -",
            "API или эта машина не успевает; снизьте темп клавишей -",
        ),
        DoneNext => (
            "Esc leaves it and stops the load; then ↓ and Enter open",
            "Esc — выйти из кейса и остановить нагрузку; затем ↓ и Enter — открыть",
        ),
        DoneLast => (
            "Esc leaves it and stops the load; q quits and writes the session report.",
            "Esc — выйти из кейса и остановить нагрузку; q — выход с отчётом о сессии.",
        ),
        // The generator's own count: requests it sent that came back in
        // the last second. Not the chart's rps, which is what the API
        // served (every client), read from Prometheus.
        LoadSent => ("sent", "отправлено"),
        EventsOpen => (
            "the event log: scroll, filter by text or topic",
            "журнал событий: прокрутка, фильтр по тексту и теме",
        ),
        EventsHint => ("scroll, filter", "прокрутка, фильтр"),
        LogViewKeys => (
            "↑↓ PgUp PgDn Home End scroll · / text · t topic · Esc close",
            "↑↓ PgUp PgDn Home End — прокрутка · / — текст · t — тема · Esc — закрыть",
        ),
        TopicLabel => ("topic", "тема"),
        TopicAll => ("all", "все"),
        TopicAlerts => ("alerts", "алерты"),
        TopicChecks => ("checks", "проверки"),
        TopicFaults => ("faults", "отказы"),
        TopicRestarts => ("restarts", "перезапуски"),
        NoLineMatches => (
            "no line matches the filter (Esc clears it)",
            "нет строк под фильтр (Esc — сбросить)",
        ),
        PinnedTitle => ("Pinned for this case", "Закреплено до конца кейса"),
        FactOom => ("OOM kill:", "убит по OOM:"),
        FactOomLast => ("last at", "последний в"),
        FactFired => ("fired at", "сработал в"),
        FactChecks => ("checks passed:", "проверок пройдено:"),
        FactChecksLast => ("last", "последняя"),
        NextRespond => (
            "Detected. Respond first: work through the runbook",
            "Обнаружено. Сначала реагируйте: пройдите ранбук",
        ),
        NextAnswer => ("answer the questions (a)", "ответьте на вопросы (a)"),
        NextRecover => ("then r recovers.", "затем r — восстановить."),
        AlertToGo => ("to go", "до срабатывания"),
    };
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
    }
}

/// What a fault field accepts, for the form: "an integer from 0 to 30000".
pub(crate) fn accepted(lang: Lang, field: &FaultField) -> String {
    let (lo, hi) = (field.min, field.max);
    match (lang, field.whole) {
        (Lang::En, true) => format!("an integer from {lo} to {hi}"),
        (Lang::En, false) => format!("a percentage from {lo} to {hi}"),
        (Lang::Ru, true) => format!("целое число от {lo} до {hi}"),
        (Lang::Ru, false) => format!("процент от {lo} до {hi}"),
    }
}

/// A fault field's name in the form. English is the field table's label;
/// Russian is here, by the field's API name (a test holds every form line
/// to a Russian label of its own).
pub(crate) fn form_label(lang: Lang, field: &FaultField) -> &'static str {
    let ru = match field.name {
        "latency_ms" => "задержка, мс",
        "latency_jitter_ms" => "разброс, мс",
        "error_rate" => "ошибки, %",
        "error_status" => "код ошибки",
        "memory_leak_mb" => "утечка, МиБ/запрос",
        "db_slow_ms" => "медленная БД, мс",
        "duration_s" => "откат через, с",
        _ => field.label,
    };
    match lang {
        Lang::En => field.label,
        Lang::Ru => ru,
    }
}

/// The language from `--lang`, else from `LC_ALL`/`LC_MESSAGES`/`LANG`.
pub(crate) fn lang_from_env(flag: Option<Lang>, var: impl Fn(&str) -> Option<String>) -> Lang {
    if let Some(l) = flag {
        return l;
    }
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|k| var(k).filter(|v| !v.is_empty()))
        .next()
        .map(|v| {
            if v.to_ascii_lowercase().starts_with("ru") {
                Lang::Ru
            } else {
                Lang::En
            }
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_field_has_a_russian_label_of_its_own() {
        for f in &crate::faults::FIELDS {
            let ru = form_label(Lang::Ru, f);
            assert_ne!(ru, form_label(Lang::En, f), "{}", f.name);
            assert!(!ru.is_ascii(), "{}: {ru}", f.name);
        }
    }

    #[test]
    fn the_flag_wins_then_the_locale_decides() {
        let env = |k: &str| (k == "LANG").then(|| "ru_RU.UTF-8".to_string());
        assert_eq!(lang_from_env(None, env), Lang::Ru);
        assert_eq!(lang_from_env(Some(Lang::En), env), Lang::En);
        assert_eq!(lang_from_env(None, |_| None), Lang::En);
    }
}
