//! The console's words: panel titles, states, the log's own lines, the
//! form and the key help. A `words!` table: one `(en, ru)` pair
//! per word; `{0}`, `{1}` are filled in by [`super::tf`].

words! {
    /// A word of the console.
    enum T {
        Stack => ("Stack", "Стенд"),
        // The coach's board: the header's word for the link, the pinned
        // message.
        CoachLabel => ("coach", "ведущий"),
        CoachConnecting => ("connecting", "подключение"),
        CoachLive => ("live", "связь"),
        CoachRetrying => ("retrying", "повтор"),
        CoachRefused => ("refused", "отказ"),
        CoachRefusedFix => (
            "the coach's board refused this console: check the class URL (with its code) \
             and your name",
            "доска ведущего не принимает эту консоль: проверьте адрес класса (с кодом) и имя",
        ),
        Cases => ("Cases", "Кейсы"),
        Case => ("Case", "Кейс"),
        Faults => ("Faults", "Отказы"),
        Load => ("Load", "Нагрузка"),
        Charts => ("Live (5 min)", "Метрики (5 мин)"),
        Log => ("Events", "События"),
        Help => ("Keys", "Клавиши"),
        HelpClose => ("? or Esc closes", "? или Esc — закрыть"),
        HelpMore => (
            "↑ {0} more · ↓ {1} more · ? or Esc closes",
            "↑ ещё {0} · ↓ ещё {1} · ? или Esc — закрыть",
        ),
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
            "выход (пишет отчёт о занятии)",
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
        PerRequest => ("/req", "/запр."),
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
        // Units: the console's numbers say them in the language of the screen.
        Sec => ("s", "с"),
        Ms => ("ms", "мс"),
        PerSec => ("/s", "/с"),
        ReqPerSec => ("req/s", "запр/с"),
        // The fault panel and the header.
        Reset => ("reset", "сброс"),
        Edit => ("edit", "ред."),
        FaultOn => ("on", "вкл"),
        ApiSilent => ("? (API not answering)", "? (API не отвечает)"),
        FaultLatency => ("latency", "задержка"),
        FaultErrors => ("errors", "ошибки"),
        FaultDbSlow => ("db slow", "БД медл."),
        FaultDbFail => ("db fail", "БД отказ"),
        FaultLeak => ("leak", "утечка"),
        // The load panel.
        OnOff => ("on/off", "вкл/выкл"),
        Rate => ("rate", "темп"),
        InFlight => ("in flight", "ждут"),
        // The stack panel: backends, service states and health.
        BackendDocker => ("docker", "docker"),
        BackendLocal => ("local", "локально"),
        AttachedShort => ("attached", "подключён"),
        StateRunning => ("running", "запущен"),
        StateRestarting => ("restarting", "рестарт"),
        StateStopped => ("stopped", "выключен"),
        StateExited => ("exited", "завершён"),
        StateMissing => ("missing", "нет"),
        StateImageMissing => ("image missing", "нет образа"),
        HealthStarting => ("starting", "запуск"),
        HealthHealthy => ("healthy", "здоров"),
        HealthUnhealthy => ("unhealthy", "нездоров"),
        /// The app's health check (its `/readyz`, in both backends) fails
        /// while it still answers: slowly (p95 of a second or more; its
        /// probe queues behind the work), or fast and not ready (its
        /// database is gone): alive, never down.
        AnswersSlowly => ("answers slowly", "отвечает медленно"),
        AliveNotReady => ("alive, not ready", "жив, не готов"),
        // An expected alert's state, as Prometheus reports it.
        AlertInactive => ("inactive", "не активен"),
        AlertPending => ("pending", "ожидает"),
        AlertFiring => ("firing", "срабатывает"),
        // The stack's events, as the log says them.
        DiedSignal => ("{0}: died (signal {1})", "{0}: упал (сигнал {1})"),
        DiedCode => ("{0}: died (exit code {1})", "{0}: упал (код выхода {1})"),
        Died => ("{0}: died", "{0}: упал"),
        /// `{1}` is the one sentence of a kill at the memory limit ([`super::X::MemoryKill`]).
        OomKilled => ("{0}: {1} (OOM)", "{0}: {1} (OOM)"),
        Restarted => ("{0}: restarted (restart #{1})", "{0}: перезапущен (перезапуск №{1})"),
        StackReady => ("stack ready", "стенд готов"),
        StackBackend => ("stack: {0} backend", "стенд: {0}"),
        NotStarted => (
            "not started (image or binary missing): {0}",
            "не запущены (нет образа или программы): {0}",
        ),
        StartingLocal => (
            "starting the local stack instead",
            "запускаю вместо него локальный стенд",
        ),
        TryingAgain => ("trying the stack again", "пробую запустить стенд снова"),
        DidNotStart => (
            "The stack did not start: {0}.\nTo fix it: {1}",
            "Стенд не запустился: {0}.\nКак исправить: {1}",
        ),
        // Leaving the console, and what it says after.
        RollingBack => ("rolling back and stopping…", "откатываю отказы и останавливаюсь…"),
        SaveProgressFailed => (
            "cannot save progress to {0}: {1}",
            "не удалось сохранить прогресс в {0}: {1}",
        ),
        SessionReport => ("session report: {0}", "отчёт о занятии: {0}"),
        LeftAttached => (
            "the stack was not ours: left as it is",
            "стенд запускали не мы: оставлен как есть",
        ),
        NoStackStarted => ("no stack was started", "стенд не запускался"),
        LocalStopped => ("local stack stopped", "локальный стенд остановлен"),
        DockerKeepsRunning => (
            "the Docker stack keeps running: `workshop down` removes it",
            "Docker-стенд продолжает работать: `workshop down` его удалит",
        ),
        // What the console logs of its own.
        NotBlocked => (
            "the stack is not blocked: nothing to choose",
            "стенд не заблокирован: выбирать нечего",
        ),
        OpenFirst => ("open a case first (Enter)", "сначала откройте кейс (Enter)"),
        LeaveFirst => (
            "leave the current case first (Esc)",
            "сначала выйдите из текущего кейса (Esc)",
        ),
        StillMeasuring => (
            "the baseline is still being measured; I injects anyway",
            "базовая линия ещё измеряется; I — внедрить всё равно",
        ),
        AlreadyIn => ("the fault is already in", "отказ уже внедрён"),
        NothingToRecover => (
            "nothing to recover yet: inject first (i)",
            "восстанавливать пока нечего: сначала внедрите отказ (i)",
        ),
        NoMoreHints => ("no more hints on request", "больше подсказок нет"),
        CaseOpened => ("case {0}: {1}", "кейс {0}: {1}"),
        CaseLeft => ("left case {0}", "вышли из кейса {0}"),
        FaultAck => (
            "API acknowledged the fault change in {0} ms",
            "API принял изменение отказов за {0} мс",
        ),
        FaultRefused => ("fault change refused: {0}", "изменение отказов отклонено: {0}"),
        ActionDone => ("{0}: done in {1} ms", "{0}: готово за {1} мс"),
        LinkBack => ("{0} is back", "{0} снова на связи"),
        LinkAnswers => ("{0} answers", "{0} отвечает"),
        LinkLost => ("{0} lost: {1}", "{0} пропал: {1}"),
        LinkNotYet => ("{0} does not answer yet: {1}", "{0} пока не отвечает: {1}"),
        // The generator's own count: requests it sent that came back in
        // the last second. Not the chart's rps, which is what the API
        // served (every client), read from Prometheus.
        LoadAnswered => ("answered", "ответов"),
        // Alerts on a stack without Prometheus (local mode with no binary).
        NoAlertsHere => (
            "not available: no Prometheus evaluates alerts here",
            "недоступно: здесь нет Prometheus, который вычисляет алерты",
        ),
        AlertsNeedPrometheus => (
            "This case watches alerts, and only Prometheus evaluates them; this stack has none, so \
             its alert checks show as not available and do not count. The charts read /metrics \
             directly. For the alerts, install Prometheus and restart the console: Debian/Ubuntu \
             and Windows (WSL) `sudo apt install prometheus`; macOS `brew install prometheus`.",
            "Этот кейс следит за алертами, а вычисляет их только Prometheus; на этом стенде его нет, \
             поэтому проверки алертов показаны как недоступные и не засчитываются. Графики читают \
             /metrics напрямую. Чтобы были алерты, установите Prometheus и перезапустите консоль: \
             Debian/Ubuntu и Windows (WSL) — `sudo apt install prometheus`; macOS — \
             `brew install prometheus`.",
        ),
        // Time to detect, to alert, to recover: the industry's abbreviations
        // in English (the help and the report spell them out); in Russian
        // the report's own words, so each thing has one name.
        Ttd => ("TTD", "до обнаружения"),
        Tta => ("TTA", "до алерта"),
        Ttr => ("TTR", "до восстановления"),
        // The event log (e), its topics and the case's pinned facts.
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
        // The case panel's next step.
        NextRespond => (
            "Detected. Respond first: work through the runbook",
            "Обнаружено. Сначала реагируйте: пройдите ранбук",
        ),
        NextAnswer => ("answer the questions (a)", "ответьте на вопросы (a)"),
        /// Above the questions: the case's `look_at` figures, live.
        LiveFigures => ("Live figures", "Цифры сейчас"),
        /// Under the answer box: what the answer is compared with.
        JudgedAtOpen => (
            "Judged against the figure as the screen showed it when this box opened.",
            "Ответ сверяется с цифрой, какой она была на экране, когда открылось это окно.",
        ),
        /// Detected, and a detect check or an expected alert the case needs
        /// is still pending: {0} names them.
        NextWaitFor => (
            "Detected. Work through the runbook while the case waits for {0}; recover (r) only after that.",
            "Обнаружено. Пройдите ранбук, пока кейс ждёт: {0}; восстанавливайте (r) только после этого.",
        ),
        NextRecover => ("then r recovers.", "затем r — восстановить."),
        // An expected alert's countdown is an upper bound, never a promise.
        AlertAtMost => ("at most", "не более"),
        AlertOf => ("of", "из"),
        // The fault form: each field's label and what it accepts.
        FieldLatency => ("latency ms", "задержка, мс"),
        FieldJitter => ("jitter ms", "разброс, мс"),
        FieldErrorRate => ("error %", "ошибки, %"),
        FieldErrorStatus => ("error status", "код ошибки"),
        FieldLeak => ("leak MiB/request", "утечка, МиБ/запрос"),
        FieldDbSlow => ("db slow ms", "медленная БД, мс"),
        FieldDuration => ("revert after s", "откат через, с"),
        AcceptInteger => ("an integer from {0} to {1}", "целое число от {0} до {1}"),
        AcceptPercent => ("a percentage from {0} to {1}", "процент от {0} до {1}"),
    }
}
