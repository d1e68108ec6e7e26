//! `workshop cases new ID`: a case file that validates as written, every
//! text marked for the author to fill in, beside the schema the editor
//! completes it from; or a copy of an existing case (`--from`).

use std::path::{Path, PathBuf};

use super::{CaseSet, SHIPPED, schema, validate};

/// The skeleton, with `{{id}}`, `{{order}}` and `{{dir}}` to fill.
const TEMPLATE: &str = include_str!("scaffold.yaml");

/// What `cases new` wrote.
#[derive(Debug)]
pub struct Written {
    pub case: PathBuf,
    /// The schema beside it, when it was missing or out of date.
    pub schema: Option<PathBuf>,
    pub order: u32,
}

/// Why nothing was written; each says what to do instead.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("`{0}` is not kebab-case: use lowercase letters, digits and dashes, e.g. `db-fail`")]
    BadId(String),
    #[error("{dir} already holds a case `{id}` ({file}); pick another id")]
    Taken {
        dir: String,
        id: String,
        file: String,
    },
    #[error("{0} already exists; pick another id or remove the file")]
    Exists(String),
    #[error(
        "the cases in {dir} do not load, so the next order is unknown; fix them first (`workshop cases validate --dir {dir}`):\n{problems}"
    )]
    Broken { dir: String, problems: String },
    #[error(transparent)]
    From(#[from] super::UnknownCase),
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
}

/// Writes case `id` into `dir` (created if missing), ordered after the
/// cases already there: the template, or a copy of case `from` (one of
/// `dir`, else a shipped one) under the new id.
pub fn new_case(id: &str, dir: &Path, from: Option<&str>) -> Result<Written, ScaffoldError> {
    if !validate::is_kebab_case(id) {
        return Err(ScaffoldError::BadId(id.into()));
    }
    let existing = existing(dir)?;
    if let Some((file, _)) = existing.iter().find(|(_, text)| id_of(text) == Some(id)) {
        return Err(ScaffoldError::Taken {
            dir: dir.display().to_string(),
            id: id.into(),
            file: file.clone(),
        });
    }
    let order = next_order(dir, &existing)?;
    let text = match from {
        None => TEMPLATE
            .replace("{{id}}", id)
            .replace("{{order}}", &order.to_string())
            .replace("{{dir}}", &dir.display().to_string()),
        Some(source) => copy(source, &existing, id, order)?,
    };
    let case = dir.join(format!("{order:02}-{id}.yaml"));
    if case.exists() {
        return Err(ScaffoldError::Exists(case.display().to_string()));
    }
    let write = |path: &Path, text: &str| {
        std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(path, text))
            .map_err(|error| ScaffoldError::Write {
                path: path.display().to_string(),
                error,
            })
    };
    write(&case, &text)?;
    let schema_path = dir.join(schema::FILE_NAME);
    let fresh = schema::text();
    let schema = if std::fs::read_to_string(&schema_path).ok().as_deref() == Some(&fresh) {
        None
    } else {
        write(&schema_path, &fresh)?;
        Some(schema_path)
    };
    Ok(Written {
        case,
        schema,
        order,
    })
}

/// `(file, text)` of every case file in `dir`; none when it does not exist.
fn existing(dir: &Path) -> Result<Vec<(String, String)>, ScaffoldError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.display().to_string(), text))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn next_order(dir: &Path, existing: &[(String, String)]) -> Result<u32, ScaffoldError> {
    if existing.is_empty() {
        return Ok(1);
    }
    let set = CaseSet::from_sources(existing.to_vec()).map_err(|p| ScaffoldError::Broken {
        dir: dir.display().to_string(),
        problems: p.to_string(),
    })?;
    Ok(set.cases().iter().map(|c| c.order).max().unwrap_or(0) + 1)
}

/// The top-level `id:` of a case file's text.
fn id_of(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("id:"))
        .map(|v| v.trim().trim_matches('"'))
}

/// Case `source`'s text under a new id and order, its comments kept, the
/// schema named on its first line.
fn copy(
    source: &str,
    existing: &[(String, String)],
    id: &str,
    order: u32,
) -> Result<String, ScaffoldError> {
    let shipped = SHIPPED.iter().map(|(_, t)| (*t).to_string());
    let original = existing
        .iter()
        .map(|(_, t)| t.clone())
        .chain(shipped)
        .find(|t| id_of(t) == Some(source));
    let Some(original) = original else {
        let ids: Vec<&str> = existing
            .iter()
            .map(|(_, t)| t.as_str())
            .chain(SHIPPED.iter().map(|(_, t)| *t))
            .filter_map(id_of)
            .collect();
        return Err(super::UnknownCase::among(source, &ids).into());
    };
    let mut lines: Vec<String> = original
        .lines()
        .filter(|l| *l != schema::MODELINE)
        .map(|l| {
            if l.starts_with("id:") {
                format!("id: {id}")
            } else if l.starts_with("order:") {
                format!("order: {order}")
            } else {
                l.to_string()
            }
        })
        .collect();
    lines.insert(0, schema::MODELINE.to_string());
    lines.insert(
        1,
        format!("# Copied from case `{source}` by `workshop cases new {id} --from {source}`."),
    );
    Ok(lines.join("\n") + "\n")
}
