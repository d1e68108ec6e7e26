//! Money on the wire. Amounts are `Decimal` in Rust and exact decimals in
//! SQL; JSON only has "numbers", which every client (curl, Python, Grafana)
//! reads as binary floating point. So an amount crosses JSON as the float
//! whose shortest decimal text *is* the amount (`10.01`, never
//! `10.0099999…`), and is read back through that text. This is exact for up
//! to 15 significant digits; balances fit `NUMERIC(14,2)` and a transfer is
//! at most 1,000,000.00, so every amount the API can hold round-trips.
//!
//! An amount is read the same way: a JSON number, through its shortest
//! decimal text, so `10.01` is exactly 10.01 and `1.234` keeps its third
//! decimal for validation to refuse. The OpenAPI document says an amount is a
//! `number` with `multipleOf: 0.01`, and a checker of that document
//! (schemathesis) spells its multiples of 0.01 as decimals too, so what it
//! calls a multiple of a cent is what the ledger calls whole cents. A string
//! is refused, as the document says: a type the document does not name
//! would be a second, undocumented contract.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

pub(crate) fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    let text = value.normalize().to_string();
    match f64::from_str(&text) {
        Ok(f) => s.serialize_f64(f),
        Err(_) => s.serialize_str(&text),
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    struct Amount;
    impl Visitor<'_> for Amount {
        type Value = Decimal;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an amount, e.g. 10 or 10.50")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            if !v.is_finite() {
                return Err(E::custom("the amount is not a finite number"));
            }
            // `{}` prints the shortest text that reads back as `v`.
            Decimal::from_str(&format!("{v}"))
                .map_err(|_| E::custom(format!("{v} is out of the range of amounts")))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }
    }
    d.deserialize_any(Amount)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

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
}
