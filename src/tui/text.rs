//! The console's own words, in English and Russian. Case texts come from
//! the case files; these are the frame around them. One `match` per word,
//! so a missing translation is a compile error, not a blank label.

use crate::cases::Lang;

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
    Achieved,
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
            "Fault injected: watch the signals. r recovers.",
            "Отказ внедрён: смотрите на сигналы. r — восстановить.",
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
        Achieved => ("achieved", "факт"),
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
    };
    match lang {
        Lang::En => en,
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
    fn the_flag_wins_then_the_locale_decides() {
        let env = |k: &str| (k == "LANG").then(|| "ru_RU.UTF-8".to_string());
        assert_eq!(lang_from_env(None, env), Lang::Ru);
        assert_eq!(lang_from_env(Some(Lang::En), env), Lang::En);
        assert_eq!(lang_from_env(None, |_| None), Lang::En);
    }
}
