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
    let found: Vec<(String, String)> = super::promql::queries(case)
        .into_iter()
        .flat_map(|(path, query)| {
            let warned = super::promql::warnings(query);
            warned.into_iter().map(move |m| (path.clone(), m))
        })
        .collect();
    // The file is scanned for positions only when there is a warning to place.
    let locator = (!found.is_empty()).then(|| Locator::scan(text));
    let mut out: Vec<Problem> = found
        .into_iter()
        .map(|(path, message)| Problem {
            file: file.to_string(),
            pos: locator.as_ref().and_then(|l| l.value(&path)),
            path,
            message,
        })
        .collect();
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
