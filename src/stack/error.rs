//! Everything that can go wrong with the stack, each worded so the person
//! reading it knows the cause and the next step.

use std::time::Duration;

use thiserror::Error;

use super::engine::NoEngine;
use super::images::context::ContextError;
use super::settings::SettingsError;
use crate::cases::bilingual::Lang;
use crate::words::{S, t, tf};

#[derive(Debug, Error)]
pub enum StackError {
    #[error(transparent)]
    NoEngine(#[from] NoEngine),

    #[error(transparent)]
    Settings(#[from] SettingsError),

    #[error(transparent)]
    Context(#[from] ContextError),

    /// A Docker call failed; `doing` says which step.
    #[error("{doing}: {source}")]
    Docker {
        doing: String,
        #[source]
        source: bollard::errors::Error,
    },

    /// An image that could not be had; `fix` says how to get it.
    #[error(
        "{service}: image {image} is not on this machine and could not be had ({reason}). {fix}"
    )]
    ImageMissing {
        service: String,
        image: String,
        reason: String,
        fix: String,
    },

    /// The engine could not build the app image.
    #[error(
        "building {image} from {dir} failed: {reason}\nLast lines of the build:\n{last_output}\n\
         Fix what the build says; behind a TLS-intercepting proxy set WORKSHOP_BUILD_CA to its \
         CA certificate (PEM); or get the image another way: `workshop images load FILE` or \
         WORKSHOP_REGISTRY=host:port"
    )]
    Build {
        image: String,
        dir: String,
        reason: String,
        last_output: String,
    },

    /// An image bundle (`images save` / `images load`) could not be used.
    #[error("{file}: {reason}")]
    Bundle { file: String, reason: String },

    #[error(
        "{service} did not become healthy within {waited:?} (state: {state}). Last log lines:\n{last_logs}"
    )]
    Unhealthy {
        service: String,
        waited: Duration,
        state: String,
        last_logs: String,
    },

    /// A port the stack publishes is held by another program.
    #[error(
        "{service}: port {port} on {bind} is taken ({reason}). Stop what listens there, or move \
         the stack's port: {env}={suggestion}"
    )]
    PortTaken {
        service: String,
        bind: String,
        port: u16,
        /// The setting that moves it.
        env: &'static str,
        reason: String,
        /// A free port near it, to name in the fix.
        suggestion: u16,
    },

    #[error("no service {name:?}; the services are: {known}")]
    UnknownService { name: String, known: String },

    /// The task that owns the stack is gone (the console is closing).
    #[error("the stack task has stopped")]
    TaskStopped,

    #[error("{doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
}

/// What a person reads when the stack cannot come up: one sentence of why,
/// the fix, and the whole message for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trouble {
    pub why: String,
    pub fix: String,
    pub detail: String,
}

impl StackError {
    /// The error as [`Trouble`]: the cause in one sentence and the fix.
    pub fn trouble(&self) -> Trouble {
        self.trouble_in(Lang::En)
    }

    /// [`Self::trouble`] in `lang`: the workshop's own words from the
    /// catalogue; what Docker, a registry or the system said (a reason, an
    /// image's fix, the first line of any other error) as they said it.
    pub(crate) fn trouble_in(&self, lang: Lang) -> Trouble {
        let detail = self.to_string();
        let doctor = t(lang, S::Doctor);
        let (why, fix) = match self {
            StackError::NoEngine(_) => (
                t(lang, S::NoEngine).to_string(),
                tf(lang, S::NoEngineFix, &[&doctor]),
            ),
            StackError::ImageMissing {
                service,
                image,
                reason,
                fix,
            } => (
                tf(lang, S::ImageMissing, &[service, image, reason]),
                fix.clone(),
            ),
            StackError::Build { reason, .. } => (
                tf(lang, S::BuildFailed, &[reason]),
                t(lang, S::BuildFix).to_string(),
            ),
            StackError::PortTaken {
                service,
                port,
                env,
                suggestion,
                ..
            } => (
                tf(lang, S::PortTaken, &[port, service]),
                tf(lang, S::PortTakenFix, &[env, suggestion]),
            ),
            StackError::Unhealthy {
                service, waited, ..
            } => (
                tf(lang, S::Unhealthy, &[service, &waited.as_secs()]),
                tf(lang, S::UnhealthyFix, &[service, &doctor]),
            ),
            other => (
                other
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                doctor.to_string(),
            ),
        };
        Trouble { why, fix, detail }
    }

    pub fn docker(doing: impl Into<String>) -> impl FnOnce(bollard::errors::Error) -> Self {
        let doing = doing.into();
        move |source| StackError::Docker { doing, source }
    }

    pub fn io(doing: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let doing = doing.into();
        move |source| StackError::Io { doing, source }
    }
}

/// True when Docker answered "no such object" (404): the thing simply is not there.
pub(crate) fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}
