//! Durations as case authors write them: `500ms`, `30s`, `2m`, `1m30s`, `1h`.
//!
//! A bare number is refused on purpose: `timeout: 30` could mean seconds or
//! milliseconds, and a check that waits 30 ms instead of 30 s fails in a way
//! a student cannot explain.

use std::fmt;
use std::time::Duration;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A duration read from a case file; prints back in the same notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct CaseDuration(Duration);

/// Why a duration did not parse; the message is shown to the case author.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid duration `{text}`: {reason}; write a number and a unit (ms, s, m, h), e.g. `500ms`, `30s`, `1m30s`"
)]
pub struct DurationError {
    pub text: String,
    pub reason: &'static str,
}

impl CaseDuration {
    pub const fn from_secs(secs: u64) -> Self {
        Self(Duration::from_secs(secs))
    }

    pub const fn from_millis(ms: u64) -> Self {
        Self(Duration::from_millis(ms))
    }

    pub const fn get(self) -> Duration {
        self.0
    }

    /// Parses `1m30s`-style text: one or more `<integer><unit>` parts, units
    /// from largest to smallest, each at most once.
    pub fn parse(text: &str) -> Result<Self, DurationError> {
        let fail = |reason| DurationError {
            text: text.to_string(),
            reason,
        };
        let s = text.trim();
        if s.is_empty() {
            return Err(fail("it is empty"));
        }
        let mut total = Duration::ZERO;
        let mut rest = s;
        // Rank of the last unit seen (h=4 … ms=1); each next one must be smaller.
        let mut last_rank = u8::MAX;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(fail("expected a number"));
            }
            let (number, tail) = rest.split_at(digits);
            let value: u64 = number
                .parse()
                .map_err(|_| fail("the number is too large"))?;
            let unit_len = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
            let (unit, tail) = tail.split_at(unit_len);
            let (rank, part) = match unit {
                "h" => (4, value.checked_mul(3_600_000)),
                "m" => (3, value.checked_mul(60_000)),
                "s" => (2, value.checked_mul(1_000)),
                "ms" => (1, Some(value)),
                "" => return Err(fail("a unit is missing")),
                _ => return Err(fail("the unit is not one of ms, s, m, h")),
            };
            if rank >= last_rank {
                return Err(fail("units must go from largest to smallest, each once"));
            }
            last_rank = rank;
            let ms = part.ok_or_else(|| fail("the number is too large"))?;
            total = total
                .checked_add(Duration::from_millis(ms))
                .ok_or_else(|| fail("the number is too large"))?;
            rest = tail;
        }
        Ok(Self(total))
    }
}

impl From<CaseDuration> for Duration {
    fn from(d: CaseDuration) -> Self {
        d.0
    }
}

impl fmt::Display for CaseDuration {
    /// The shortest notation that reads back to the same value: `1m30s`, `500ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms == 0 {
            return f.write_str("0s");
        }
        let (h, rem) = (ms / 3_600_000, ms % 3_600_000);
        let (m, rem) = (rem / 60_000, rem % 60_000);
        let (s, ms) = (rem / 1_000, rem % 1_000);
        for (value, unit) in [(h, "h"), (m, "m"), (s, "s"), (ms, "ms")] {
            if value > 0 {
                write!(f, "{value}{unit}")?;
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for CaseDuration {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Text;
        impl Visitor<'_> for Text {
            type Value = CaseDuration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `30s`, `2m`, `1m30s` or `500ms`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                CaseDuration::parse(v).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Err(E::custom(DurationError {
                    text: v.to_string(),
                    reason: "a unit is missing",
                }))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Err(E::custom(DurationError {
                    text: v.to_string(),
                    reason: "a unit is missing",
                }))
            }
        }
        de.deserialize_str(Text)
    }
}

impl Serialize for CaseDuration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_notation_parses_to_its_value() {
        let cases = [
            ("500ms", 500),
            ("30s", 30_000),
            ("2m", 120_000),
            ("1m30s", 90_000),
            ("1h", 3_600_000),
            ("1h2m3s4ms", 3_723_004),
            ("0s", 0),
        ];
        for (text, ms) in cases {
            assert_eq!(
                CaseDuration::parse(text),
                Ok(CaseDuration::from_millis(ms)),
                "{text}"
            );
        }
    }

    #[test]
    fn a_duration_prints_back_in_the_notation_it_was_written_in() {
        for text in ["500ms", "30s", "2m", "1m30s", "1h", "1h2m3s4ms", "0s"] {
            let d = CaseDuration::parse(text).expect("valid");
            assert_eq!(d.to_string(), text);
        }
    }

    #[test]
    fn malformed_durations_say_what_is_wrong() {
        let reason = |t: &str| CaseDuration::parse(t).expect_err(t).reason;
        assert_eq!(reason(""), "it is empty");
        assert_eq!(reason("30"), "a unit is missing");
        assert_eq!(reason("30 s"), "a unit is missing");
        assert_eq!(reason("3x"), "the unit is not one of ms, s, m, h");
        assert_eq!(reason("s"), "expected a number");
        assert_eq!(
            reason("30s1m"),
            "units must go from largest to smallest, each once"
        );
        assert_eq!(
            reason("1s1s"),
            "units must go from largest to smallest, each once"
        );
        assert_eq!(reason("99999999999999999999s"), "the number is too large");
    }

    #[test]
    fn the_error_message_shows_the_text_and_the_accepted_notation() {
        let err = CaseDuration::parse("3x").expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "invalid duration `3x`: the unit is not one of ms, s, m, h; write a number and a unit \
             (ms, s, m, h), e.g. `500ms`, `30s`, `1m30s`"
        );
    }
}
