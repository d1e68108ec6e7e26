//! Reading one case file: YAML → [`Case`], then the checks of
//! [`super::validate`]. Parse errors carry the file, line, column and field
//! path; an unknown field comes with the nearest valid name.

use std::borrow::Cow;

use serde_saphyr::{DefaultMessageFormatter, Error as YamlError, MessageFormatter};

use super::locate::{Locator, Pos};
use super::model::Case;
use super::phase::Phase;
use super::problem::{Problem, Problems, unknown};
use super::validate;

/// Parses and validates one case. `file` is how the file is named in messages.
pub fn parse_case(file: &str, text: &str) -> Result<Case, Problems> {
    let locator = Locator::scan(text);
    let mut failed_at = None;
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
    };
    let parsed = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize::<_, Case>(de).map_err(|e| {
            failed_at = Some(render_path(e.path()));
            e.into_inner()
        })
    });
    match parsed {
        Ok(case) => {
            let mut problems = Vec::new();
            validate::case(&case, &mut |path: &str, message: String| {
                problems.push(Problem {
                    file: file.to_string(),
                    pos: locator.value(path),
                    path: path.to_string(),
                    message,
                });
            });
            validate::phase_order(&locator, &mut |path: &str, message: String| {
                problems.push(Problem {
                    file: file.to_string(),
                    pos: locator.key(path),
                    path: path.to_string(),
                    message,
                });
            });
            Problems(problems).or_ok(case)
        }
        Err(e) => Err(Problems(vec![yaml_problem(
            file,
            &e,
            failed_at.unwrap_or_default(),
            &locator,
        )])),
    }
}

/// `phases.detect.checks[0].hold_for`, the same notation the locator uses.
fn render_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => {}
        }
    }
    out
}

fn push_key(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
}

fn yaml_problem(file: &str, err: &YamlError, path: String, locator: &Locator) -> Problem {
    let err = err.without_snippet();
    let (message, path) = match err {
        YamlError::SerdeUnknownField {
            field, expected, ..
        } => {
            let path = parent_of_unknown(&path, field);
            (unknown("field", field, expected), join(&path, field))
        }
        YamlError::SerdeUnknownVariant {
            variant, expected, ..
        } => (unknown("value", variant, expected), path),
        YamlError::SerdeMissingField { field, .. } if path == "phases" => (
            format!(
                "missing phase `{field}`; a case has every phase: {}",
                Phase::case_names()
            ),
            path,
        ),
        YamlError::SerdeMissingField { field, .. } => (format!("missing field `{field}`"), path),
        other => {
            let message: Cow<'_, str> = DefaultMessageFormatter.format_message(other);
            (message.into_owned(), path)
        }
    };
    let reported = err.location().filter(|l| l.line() > 0).map(|l| Pos {
        line: usize::try_from(l.line()).unwrap_or(usize::MAX),
        column: usize::try_from(l.column()).unwrap_or(usize::MAX),
    });
    // A message raised after a whole mapping was read (a check with two
    // probes, a missing field) is reported by the parser where the mapping
    // ended; the field path points at where it starts, where the author looks.
    let pos = match err {
        YamlError::Message { .. } | YamlError::SerdeMissingField { .. } => {
            locator.value(&path).or(reported)
        }
        _ => reported.or_else(|| locator.value(&path)),
    };
    Problem {
        file: file.to_string(),
        pos,
        path,
        message,
    }
}

/// serde_path_to_error may or may not have pushed the unknown key itself.
fn parent_of_unknown(path: &str, field: &str) -> String {
    path.strip_suffix(field)
        .map(|p| p.trim_end_matches('.').to_string())
        .unwrap_or_else(|| path.to_string())
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}
