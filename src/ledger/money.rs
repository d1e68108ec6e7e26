//! Money on the wire. Amounts are `Decimal` in Rust and exact decimals in
//! SQL; JSON only has "numbers", which every client (curl, Python, Grafana)
//! reads as binary floating point. So an amount crosses JSON as the float
//! whose shortest decimal text *is* the amount (`10.01`, never
//! `10.0099999…`), and is read back through that text. This is exact for up
//! to 15 significant digits; balances fit `NUMERIC(14,2)` and a transfer is
//! at most 1,000,000.00, so every amount the API can hold round-trips.
//!
//! An amount is read exactly from the JSON number's own text, never
//! through a float: `1.0000000000000001` is that, not 1.00, and validation
//! refuses its sixteen decimals; `9999.999999999999999999` is refused for
//! its decimals, not rounded to 10000 and refused for the funds. Trailing
//! zeros are not decimals (`10.50` and `10.500` are 10.50). The OpenAPI
//! document says an amount is a `number` with `multipleOf: 0.01`. A string
//! is refused, as the document says: a type the document does not name
//! would be a second, undocumented contract.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::value::RawValue;

pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let text = value.normalize().to_string();
    match f64::from_str(&text) {
        Ok(f) => s.serialize_f64(f),
        Err(_) => s.serialize_str(&text),
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw = Box::<RawValue>::deserialize(d)?;
    amount(raw.get()).map_err(de::Error::custom)
}

/// The amount a JSON value's text spells, exactly.
fn amount(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    if text.starts_with('"') {
        return Err(format!(
            "an amount is a JSON number, e.g. 10 or 10.50, not a string: write {} without quotes",
            text
        ));
    }
    if !text.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
        return Err(format!("expected an amount, e.g. 10 or 10.50, got {text}"));
    }
    let read = if text.contains(['e', 'E']) {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    read.map(|d| d.normalize()).map_err(|_| {
        if fraction_digits(text) > 2 {
            format!("`amount` must have at most 2 decimal places (cents), got {text}")
        } else {
            format!("{text} is out of the range of amounts")
        }
    })
}

/// Decimals a number's text spells out, trailing zeros aside.
fn fraction_digits(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    mantissa
        .split_once('.')
        .map_or(0, |(_, f)| f.trim_end_matches('0').len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Wire {
        #[serde(with = "super")]
        amount: Decimal,
    }

    #[test]
    fn amounts_cross_json_exactly() {
        for text in [
            "0.01",
            "10.01",
            "1234.56",
            "999999.99",
            "1000000",
            "123456789012.34",
        ] {
            let d: Decimal = text.parse().unwrap();
            let json = serde_json::to_string(&Wire { amount: d }).unwrap();
            let back: Wire = serde_json::from_str(&json).unwrap();
            assert_eq!(back.amount, d, "{text} -> {json}");
        }
    }

    #[test]
    fn a_third_decimal_survives_so_validation_can_refuse_it() {
        let w: Wire = serde_json::from_str(r#"{"amount": 0.001}"#).unwrap();
        assert_eq!(w.amount.scale(), 3);
        let w: Wire = serde_json::from_str(r#"{"amount": 10.50}"#).unwrap();
        assert_eq!(w.amount, Decimal::new(1050, 2));
        assert!(serde_json::from_str::<Wire>(r#"{"amount": 1e400}"#).is_err());
        assert!(serde_json::from_str::<Wire>(r#"{"amount": "10.50"}"#).is_err());
    }

    #[test]
    fn an_amount_is_its_text_not_the_nearest_float() {
        let read = |text: &str| amount(text).map(|d| d.to_string());
        assert_eq!(
            read("1.0000000000000001").as_deref(),
            Ok("1.0000000000000001")
        );
        assert_eq!(
            read("0.009999999999999999999").as_deref(),
            Ok("0.009999999999999999999")
        );
        assert_eq!(
            read("9999.999999999999999999").as_deref(),
            Ok("9999.999999999999999999")
        );
        assert_eq!(read("10.500").as_deref(), Ok("10.5"));
        assert_eq!(read("1e2").as_deref(), Ok("100"));
        // More digits than a decimal holds: refused for its decimals, not rounded.
        let long = "1.000000000000000000000000000000001";
        assert!(read(long).is_err_and(|e| e.contains("at most 2 decimal places")));
        assert!(read("1e400").is_err_and(|e| e.contains("out of the range")));
    }
}
