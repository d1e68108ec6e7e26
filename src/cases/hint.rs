//! Hints: help that arrives when a student is stuck, not before.
//!
//! A hint is released after a delay, on request, or when a check has stayed
//! unmet for a while (the student is looking in the wrong place).

use schemars::JsonSchema;
use serde::Deserialize;

use super::bilingual::Text;
use super::duration::CaseDuration;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "HintSpec")]
pub struct Hint {
    pub release: Release,
    pub text: Text,
}

/// When a hint becomes visible. Delays count from the injection.
#[derive(Debug, Clone, PartialEq)]
pub enum Release {
    After(CaseDuration),
    OnRequest,
    /// When check `check` has been pending longer than `longer_than`.
    Pending {
        check: String,
        longer_than: CaseDuration,
    },
}

/// A hint as written in a file: exactly one of `after`, `on_request`, `pending`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HintSpec {
    /// Released this long after the injection.
    after: Option<CaseDuration>,
    /// `true`: released when the student asks for a hint.
    on_request: Option<bool>,
    /// Released when a detect check has been unmet too long: the student
    /// is looking in the wrong place.
    pending: Option<PendingSpec>,
    /// The hint.
    text: Text,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PendingSpec {
    /// The id of a detect check.
    check: String,
    /// How long it must have been unmet.
    longer_than: CaseDuration,
}

impl TryFrom<HintSpec> for Hint {
    type Error = String;

    fn try_from(s: HintSpec) -> Result<Self, String> {
        let release = match (s.after, s.on_request, s.pending) {
            (Some(d), None, None) => Release::After(d),
            (None, Some(true), None) => Release::OnRequest,
            (None, Some(false), None) => {
                return Err(
                    "a hint with `on_request: false` is never shown; use `on_request: true`, `after` or `pending`"
                        .into(),
                );
            }
            (None, None, Some(p)) => Release::Pending {
                check: p.check,
                longer_than: p.longer_than,
            },
            (None, None, None) => {
                return Err(
                    "a hint needs to say when it is shown: one of `after`, `on_request` or `pending`"
                        .into(),
                );
            }
            _ => {
                return Err(
                    "a hint is shown by exactly one of `after`, `on_request` or `pending`; keep one"
                        .into(),
                );
            }
        };
        Ok(Hint {
            release,
            text: s.text,
        })
    }
}
