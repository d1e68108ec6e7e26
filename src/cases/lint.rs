//! What `cases validate` warns about without refusing the file: a query
//! that can read more than the app, a text the scaffold left to fill in.
//! The case loads and runs; the author should still look.

use super::locate::{Locator, Pos};
use super::model::Case;
use super::problem::Problem;

/// What `workshop cases new` writes where a text is still to be written,
/// in each language.
pub(crate) const TO_FILL: [&str; 2] = ["FILL IN", "ЗАПОЛНИТЬ"];

/// Every warning for one case file.
pub(crate) fn warnings(file: &str, text: &str, case: &Case) -> Vec<Problem> {
    let locator = Locator::scan(text);
    let mut out = Vec::new();
    for (path, query) in super::promql::queries(case) {
        for message in super::promql::warnings(query) {
            out.push(Problem {
                file: file.to_string(),
                pos: locator.value(&path),
                path: path.clone(),
                message,
            });
        }
    }
    for (i, line) in text.lines().enumerate() {
        let at = TO_FILL.iter().filter_map(|m| line.find(m)).min();
        if let Some(byte) = at
            && !line.trim_start().starts_with('#')
        {
            out.push(Problem {
                file: file.to_string(),
                pos: Some(Pos {
                    line: i + 1,
                    column: line[..byte].chars().count() + 1,
                }),
                path: String::new(),
                message: "a text still to be written (the scaffold's marker)".into(),
            });
        }
    }
    out
}
