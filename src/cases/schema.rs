//! The case format as a JSON Schema, derived from the types the loader reads
//! (`schemars`), so an editor with the YAML language server completes the
//! fields and shows their docs. One source: the doc comments on the types
//! are the descriptions, the fault table gives `set_failures` its bounds.
//!
//! `workshop cases schema` prints it; `cases/case.schema.json` is the same
//! text, kept beside the cases (a test fails when the two differ), and every
//! case names it on its first line with [`MODELINE`].

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde_json::Value;

use super::check::{CaptureRef, Check, CheckSpec, Threshold};
use super::duration::CaseDuration;
use super::hint::{Hint, HintSpec};
use super::model::Case;
use super::tolerance::Tolerance;
use crate::faults::FaultKind;

/// The schema's file name, beside the cases it describes.
pub const FILE_NAME: &str = "case.schema.json";

/// The first line of a case file: tells the YAML language server (VS Code,
/// JetBrains, Neovim) which schema the file follows.
pub const MODELINE: &str = "# yaml-language-server: $schema=./case.schema.json";

/// The schema as pretty JSON with a final newline, as the file holds it.
pub fn text() -> String {
    let mut json = serde_json::to_string_pretty(&value()).unwrap_or_default();
    json.push('\n');
    json
}

/// The schema as a JSON value.
pub fn value() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Case>();
    let mut value = schema.to_value();
    value["title"] = "A failure case of the resilience workshop".into();
    fault_bounds(&mut value);
    value
}

/// `set_failures` takes the fields of `POST /api/failures` with the bounds
/// the API enforces: written from the one table, not copied.
fn fault_bounds(root: &mut Value) {
    let Some(props) = root
        .pointer_mut("/definitions/FaultUpdate/properties")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for field in FaultKind::ALL.map(FaultKind::field) {
        if let Some(Value::Object(p)) = props.get_mut(field.name) {
            p.insert("minimum".into(), field.min.into());
            p.insert("maximum".into(), field.max.into());
        }
    }
}

/// A check is read as the flat mapping an author writes ([`CheckSpec`]).
impl JsonSchema for Check {
    fn schema_name() -> Cow<'static, str> {
        "Check".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        CheckSpec::json_schema(generator)
    }
}

/// A hint is read as the mapping an author writes ([`HintSpec`]).
impl JsonSchema for Hint {
    fn schema_name() -> Cow<'static, str> {
        "Hint".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        HintSpec::json_schema(generator)
    }
}

impl JsonSchema for CaseDuration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A number and a unit (ms, s, m, h), largest unit first, each at most once: `500ms`, `30s`, `1m30s`, `1h`. A bare number is refused: it could mean seconds or milliseconds.",
            "pattern": "^\\s*([0-9]+(h|ms|m|s))+\\s*$",
            "examples": ["30s", "2m", "1m30s", "500ms"]
        })
    }
}

impl JsonSchema for Threshold {
    fn schema_name() -> Cow<'static, str> {
        "Bound".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let capture = generator.subschema_for::<CaptureRef>();
        json_schema!({
            "description": "A number (`1.5`), or a value captured at baseline scaled as `capture × factor + offset`. Bounds are exclusive.",
            "anyOf": [{"type": "number"}, capture]
        })
    }
}

impl JsonSchema for Tolerance {
    fn schema_name() -> Cow<'static, str> {
        "Tolerance".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "How far an answer may be from the live value: a number (absolute, `0.05`) or a percentage of the live value (`\"20%\"`). Above 0.",
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%$"}
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property of every definition, with its path.
    fn properties(root: &Value) -> Vec<(String, &Value)> {
        let mut out = Vec::new();
        let defs = root["definitions"].as_object().into_iter().flatten();
        let top = std::iter::once(("Case".to_string(), root));
        for (name, def) in top.chain(defs.map(|(n, d)| (n.clone(), d))) {
            for (field, p) in def["properties"].as_object().into_iter().flatten() {
                out.push((format!("{name}.{field}"), p));
            }
        }
        out
    }

    #[test]
    fn every_field_of_the_format_has_a_description_an_editor_can_show() {
        let schema = value();
        let fields = properties(&schema);
        assert!(fields.len() > 60, "{} fields", fields.len());
        let missing: Vec<&String> = fields
            .iter()
            .filter(|(_, p)| {
                p["description"]
                    .as_str()
                    .is_none_or(|d| d.trim().is_empty())
            })
            .map(|(name, _)| name)
            .collect();
        assert!(
            missing.is_empty(),
            "fields without a description: {missing:?}"
        );
    }

    #[test]
    fn set_failures_carries_the_apis_bounds() {
        let schema = value();
        let latency = &schema["definitions"]["FaultUpdate"]["properties"]["latency_ms"];
        assert_eq!(latency["maximum"], 30000, "{latency}");
        let status = &schema["definitions"]["FaultUpdate"]["properties"]["error_status"];
        assert_eq!(status["minimum"], 500, "{status}");
    }

    #[test]
    fn unknown_fields_are_refused_as_the_loader_refuses_them() {
        let schema = value();
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(
            schema["definitions"]["Check"]["additionalProperties"],
            false
        );
    }
}
