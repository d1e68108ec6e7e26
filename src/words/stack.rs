//! The words of the stack's troubles: why it cannot come up and what to do,
//! as the console's blocked box and `workshop run` say them. A `words!`
//! table; `{0}`, `{1}` are filled in by [`super::tf`]. What Docker, the
//! registry or the operating system say comes after these, as they say it.

words! {
    /// A word of the stack's troubles.
    enum S {
        Doctor => (
            "`workshop doctor` checks this machine and names each fix",
            "`workshop doctor` проверит эту машину и подскажет, что исправить",
        ),
        NoEngine => ("no Docker engine answered", "Docker не отвечает"),
        NoEngineFix => (
            "start Docker (or Colima/Podman), or point DOCKER_HOST at a running engine; {0}",
            "запустите Docker (или Colima/Podman) либо укажите в DOCKER_HOST работающий Docker; {0}",
        ),
        ImageMissing => (
            "the {0} image {1} could not be had ({2})",
            "не удалось получить образ {1} для {0} ({2})",
        ),
        BuildFailed => ("building the app image failed ({0})", "образ приложения не собрался ({0})"),
        BuildFix => (
            "behind a TLS-intercepting proxy set WORKSHOP_BUILD_CA to its CA certificate; \
             or load the coach's bundle: `workshop images load FILE`; or use the classroom \
             mirror: WORKSHOP_REGISTRY=host:port",
            "за прокси, который подменяет TLS, укажите его CA-сертификат в WORKSHOP_BUILD_CA; \
             или загрузите архив образов от ведущего: `workshop images load FILE`; или \
             возьмите образы с зеркала в классе: WORKSHOP_REGISTRY=host:port",
        ),
        PortTaken => (
            "port {0} ({1}) is taken by another program",
            "порт {0} ({1}) занят другой программой",
        ),
        PortTakenFix => (
            "stop what listens there, or start with {0}={1}",
            "остановите то, что его слушает, или запустите с {0}={1}",
        ),
        Unhealthy => (
            "{0} did not become healthy within {1} s",
            "{0} не стал здоровым за {1} с",
        ),
        UnhealthyFix => (
            "`workshop logs {0}` shows why; {1}",
            "почему — покажет `workshop logs {0}`; {1}",
        ),
    }
}
