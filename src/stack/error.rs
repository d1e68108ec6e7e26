//! Everything that can go wrong with the stack, each worded so the person
//! reading it knows the cause and the next step.

use std::time::Duration;

use thiserror::Error;

use super::engine::NoEngine;
use super::images::context::ContextError;
use super::settings::SettingsError;

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

    #[error("no service {name:?}; the services are: {known}")]
    UnknownService { name: String, known: String },

    /// The local backend could not do something; says what.
    #[error("{0}")]
    Local(String),

    #[error("{doing}: {source}")]
    Io {
        doing: String,
        #[source]
        source: std::io::Error,
    },
}

impl StackError {
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
pub fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}
