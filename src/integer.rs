//! Whole numbers on the wire. JSON has one number type, and JSON Schema's
//! `integer` means "a number whose fractional part is zero": `688`, `688.0`
//! and `6.88e2` are the same valid integer to every client that reads the
//! OpenAPI document (schemathesis, Python's `json`, a JavaScript client that
//! divides and sends the result back). serde's integer types take only the
//! first spelling, so every integer field of a request body reads through
//! [`whole`] (or [`optional_whole`]) instead; a fraction (`1.5`) is still
//! refused, and the body extractor names the field.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// 2^64 as a float: the first float no `u64` can hold.
const U64_END: f64 = 18_446_744_073_709_551_616.0;

/// A whole number of the integer type `T`, from any JSON spelling of it.
struct Whole<T>(T);

struct WholeVisitor<T>(PhantomData<T>);

impl<T: TryFrom<u64>> WholeVisitor<T> {
    fn fit<E: de::Error>(v: u64) -> Result<T, E> {
        T::try_from(v).map_err(|_| E::custom(format!("{v} is too large")))
    }
}

impl<T: TryFrom<u64>> Visitor<'_> for WholeVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a whole number, e.g. 250 (250.0 is the same number)")
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<T, E> {
        Self::fit(v)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<T, E> {
        match u64::try_from(v) {
            Ok(v) => Self::fit(v),
            Err(_) => Err(E::custom(format!("{v} is negative; expected 0 or more"))),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<T, E> {
        if !v.is_finite() || v.fract() != 0.0 {
            return Err(E::custom(format!(
                "{v} is not a whole number; send an integer such as {}",
                v.trunc().max(0.0)
            )));
        }
        if v < 0.0 {
            return Err(E::custom(format!("{v} is negative; expected 0 or more")));
        }
        if v >= U64_END {
            return Err(E::custom(format!("{v} is too large")));
        }
        // Whole, non-negative and below 2^64: the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Self::fit(v as u64)
    }
}

impl<'de, T: TryFrom<u64>> Deserialize<'de> for Whole<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WholeVisitor(PhantomData)).map(Whole)
    }
}

/// `#[serde(deserialize_with = "crate::integer::whole")]` on an integer field.
pub(crate) fn whole<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    Whole::deserialize(d).map(|w| w.0)
}

/// The same for an optional field (`null` reads as absent); pair it with
/// `#[serde(default)]` so that a missing field is `None` too.
pub(crate) fn optional_whole<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<u64>,
{
    Option::<Whole<T>>::deserialize(d).map(|o| o.map(|w| w.0))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "super::whole")]
        count: u32,
        #[serde(default, deserialize_with = "super::optional_whole")]
        status: Option<u16>,
    }

    fn read(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn every_spelling_of_a_whole_number_is_that_number() {
        for json in [
            r#"{"count": 688}"#,
            r#"{"count": 688.0}"#,
            r#"{"count": 6.88e2}"#,
            r#"{"count": 68800e-2}"#,
        ] {
            assert_eq!(read(json).map(|b| b.count), Ok(688), "{json}");
        }
        assert_eq!(
            read(r#"{"count": 1, "status": 503.0}"#).unwrap().status,
            Some(503)
        );
        assert_eq!(
            read(r#"{"count": 1, "status": null}"#).unwrap().status,
            None
        );
        assert_eq!(read(r#"{"count": 1}"#).unwrap().status, None);
    }

    #[test]
    fn fractions_negatives_and_overflow_are_refused_with_the_reason() {
        let err = read(r#"{"count": 1.5}"#).unwrap_err();
        assert!(err.contains("1.5 is not a whole number"), "{err}");
        let err = read(r#"{"count": -3}"#).unwrap_err();
        assert!(err.contains("negative"), "{err}");
        let err = read(r#"{"count": -3.0}"#).unwrap_err();
        assert!(err.contains("negative"), "{err}");
        let err = read(r#"{"count": 5000000000}"#).unwrap_err();
        assert!(err.contains("too large"), "{err}");
        let err = read(r#"{"count": 1e300}"#).unwrap_err();
        assert!(err.contains("too large"), "{err}");
        let err = read(r#"{"count": 1, "status": 70000.0}"#).unwrap_err();
        assert!(err.contains("too large"), "{err}");
        let err = read(r#"{"count": "5"}"#).unwrap_err();
        assert!(err.contains("a whole number"), "{err}");
    }
}
