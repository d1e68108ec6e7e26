//! The report's words: the session report and `workshop run --report`
//! (titles, table heads, the timeline's moments, verdicts), and its chart
//! (panel titles, the marked moments, the time axis). A `words!` table;
//! `{0}`, `{1}`… are filled in by [`super::tf`].

words! {
    /// A word of the report or of its chart.
    enum R {
        SessionTitle => ("Workshop session report", "Отчёт о занятии"),
        RunTitle => ("Workshop run report", "Отчёт о прогоне кейсов"),
        Written => ("Written", "Составлен"),
        Summary => (
            "A detect check's time counts from the injection, a recover check's from the \
             recover action.",
            "Время проверки detect отсчитывается от внедрения отказа, проверки recover — от \
             начала восстановления.",
        ),
        Case => ("case", "кейс"),
        Result => ("result", "итог"),
        Detect => ("time to detect", "время до обнаружения"),
        Alert => ("time to alert", "время до алерта"),
        Recover => ("time to recover", "время до восстановления"),
        PeakP95 => ("peak p95", "пиковый p95"),
        PeakErrors => ("peak error ratio", "пиковая доля ошибок"),
        OomKills => ("OOM kills", "OOM-убийства"),
        Restarts => ("restarts", "перезапуски"),
        Passed => ("passed", "пройден"),
        Failed => ("FAILED", "НЕ ПРОЙДЕН"),
        NotFinished => ("not finished", "не завершён"),
        StoppedEarly => ("Stopped early", "Остановлен досрочно"),
        ChartAlt => (
            "p95, error ratio and memory over the case",
            "p95, доля ошибок и память за время кейса",
        ),
        Timeline => ("Timeline (UTC)", "Хронология (UTC)"),
        TimeUtc => ("time (UTC)", "время (UTC)"),
        SinceInjection => ("since injection", "от внедрения"),
        What => ("what happened", "что произошло"),
        CaseStarted => ("case started, load on", "кейс начат, нагрузка включена"),
        Injected => ("fault injected", "отказ внедрён"),
        FirstSignal => (
            "first signal: a detect check passed",
            "первый сигнал: проверка detect пройдена",
        ),
        AlertNamedFired => ("alert {0} fired", "сработал алерт {0}"),
        RecoverAction => ("recover action", "начато восстановление"),
        Recovered => (
            "recovered: every recover check passed",
            "восстановлено: все проверки recover пройдены",
        ),
        Checks => ("Checks", "Проверки"),
        Phase => ("phase", "фаза"),
        Check => ("check", "проверка"),
        Value => ("value", "значение"),
        After => ("time since its phase began", "время от начала фазы"),
        AtUtc => ("at (UTC)", "момент (UTC)"),
        Alerts => ("Alerts", "Алерты"),
        AlertName => ("alert", "алерт"),
        ExpectedWithin => ("expected within", "ожидался в пределах"),
        FiredAfter => ("fired after the injection", "сработал после внедрения"),
        DidNotFire => ("did not fire", "не сработал"),
        Answers => ("Answers", "Ответы"),
        Question => ("question", "вопрос"),
        YourAnswer => ("answer given", "данный ответ"),
        LiveValue => ("live value", "живое значение"),
        Verdict => ("verdict", "оценка"),
        Right => ("right", "верно"),
        Wrong => ("wrong", "неверно"),
        NotAnswered => ("not answered", "без ответа"),
        Headless => (
            "A headless run answers no question: the live values are there to compare with.",
            "Прогон без консоли на вопросы не отвечает: живые значения приведены для сравнения.",
        ),
        AppRestarts => ("The app during the case", "Приложение за время кейса"),
        NotSeen => (
            "not seen (the run did not reach the Docker stack)",
            "не видно (прогон не достучался до Docker-стенда)",
        ),
        Load => ("Load", "Нагрузка"),
        // The load generator's count: {0} the rate asked, {1} requests
        // sent, {2}…{5} by answer, {6} p50 and {7} p99 in ms.
        LoadLine => (
            "{0} req/s asked; {1} requests sent: 2xx {2}, 4xx {3}, 5xx {4}, no answer {5}; \
             p50 {6} ms, p99 {7} ms.",
            "задано {0} запр/с; отправлено запросов: {1}; 2xx {2}, 4xx {3}, 5xx {4}, \
             без ответа {5}; p50 {6} мс, p99 {7} мс.",
        ),
        Notes => ("Respond: your notes", "Реагирование: ваши заметки"),
        YourNotes => ("_(your notes)_", "_(ваши заметки)_"),
        NoCase => (
            "No case was started in this session.",
            "За это занятие ни один кейс не начат.",
        ),
        // The chart: one panel per signal, the moments marked on each.
        ChartP95 => ("p95, s", "p95, с"),
        ChartErrors => ("error ratio", "доля ошибок"),
        ChartMemory => ("app memory, MiB", "память приложения, МиБ"),
        ChartAxis => ("seconds since the injection", "секунды от внедрения отказа"),
        MarkInject => ("inject", "отказ"),
        MarkRecover => ("recover", "восстановление"),
        MarkRecovered => ("recovered", "восстановлено"),
        MarkLimit => ("limit", "лимит"),
    }
}
