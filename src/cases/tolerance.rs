//! How close a student's answer must be to the live value: `0.05` (absolute)
//! or `"20%"` (of the live value). Graph reading is approximate, and a value
//! that moves while the student types should not make a right answer wrong.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    Absolute(f64),
    /// A fraction of the live value (`"20%"` is 0.2).
    Relative(f64),
}

impl Tolerance {
    /// True when `answer` is within the tolerance of `live`.
    pub fn accepts(self, answer: f64, live: f64) -> bool {
        let allowed = match self {
            Tolerance::Absolute(a) => a,
            Tolerance::Relative(r) => (live * r).abs(),
        };
        (answer - live).abs() <= allowed
    }

    pub fn amount(self) -> f64 {
        match self {
            Tolerance::Absolute(v) | Tolerance::Relative(v) => v,
        }
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tolerance::Absolute(v) => write!(f, "±{v}"),
            Tolerance::Relative(r) => write!(f, "±{}%", r * 100.0),
        }
    }
}

impl<'de> Deserialize<'de> for Tolerance {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Tolerance;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number (absolute) or a percentage such as \"20%\"")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tolerance, E> {
                Ok(Tolerance::Absolute(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tolerance, E> {
                Ok(Tolerance::Absolute(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tolerance, E> {
                Ok(Tolerance::Absolute(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Tolerance, E> {
                v.trim()
                    .strip_suffix('%')
                    .and_then(|n| n.trim().parse::<f64>().ok())
                    .map(|pct| Tolerance::Relative(pct / 100.0))
                    .ok_or_else(|| {
                        E::custom(format!(
                            "invalid tolerance `{v}`: write a number (absolute) or a percentage such as \"20%\""
                        ))
                    })
            }
        }
        de.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absolute_tolerance_accepts_answers_within_that_distance() {
        let t = Tolerance::Absolute(0.05);
        assert!(t.accepts(0.32, 0.3));
        assert!(!t.accepts(0.36, 0.3));
    }

    #[test]
    fn a_relative_tolerance_scales_with_the_live_value() {
        let t = Tolerance::Relative(0.2);
        assert!(t.accepts(2.3, 2.0));
        assert!(!t.accepts(2.5, 2.0));
        assert_eq!(t.to_string(), "±20%");
    }
}
