//! Where settings come from. Flags win over environment, environment over
//! defaults; every default is chosen so a fresh machine works.

use std::path::PathBuf;

/// The database `serve` uses, resolved from the environment:
///
/// 1. `DATABASE_URL` (`postgres://…`, `sqlite:PATH`, `sqlite::memory:`);
/// 2. the original workshop's `.env` names: `POSTGRES_USER`,
///    `POSTGRES_PASSWORD`, `POSTGRES_DB` (+ `POSTGRES_HOST`, `POSTGRES_PORT`,
///    defaulting to `localhost:5432`);
/// 3. an embedded SQLite ledger in the user's data directory.
pub(crate) fn database_url(lookup: impl Fn(&str) -> Option<String>) -> String {
    let var = |k: &str| lookup(k).filter(|v| !v.trim().is_empty());
    if let Some(url) = var("DATABASE_URL") {
        return url;
    }
    if let (Some(user), Some(db)) = (var("POSTGRES_USER"), var("POSTGRES_DB")) {
        let password = var("POSTGRES_PASSWORD").unwrap_or_default();
        let host = var("POSTGRES_HOST").unwrap_or_else(|| "localhost".into());
        let port = var("POSTGRES_PORT").unwrap_or_else(|| "5432".into());
        let auth = if password.is_empty() {
            percent_encode(&user)
        } else {
            format!("{}:{}", percent_encode(&user), percent_encode(&password))
        };
        return format!("postgres://{auth}@{host}:{port}/{}", percent_encode(&db));
    }
    format!("sqlite://{}", default_sqlite_path().display())
}

/// `<data dir>/workshop/ledger.sqlite` (e.g. `~/.local/share/workshop/` on
/// Linux; see [`crate::files::data_dir`]).
pub(crate) fn default_sqlite_path() -> PathBuf {
    crate::files::data_dir().join("ledger.sqlite")
}

/// Escapes the characters that would break a URL's user, password or path.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn database_url_wins_over_the_postgres_names() {
        let url = database_url(env(&[
            ("DATABASE_URL", "sqlite::memory:"),
            ("POSTGRES_USER", "bank"),
            ("POSTGRES_DB", "fintech"),
        ]));
        assert_eq!(url, "sqlite::memory:");
    }

    #[test]
    fn the_original_env_names_make_a_postgres_url() {
        let url = database_url(env(&[
            ("POSTGRES_USER", "bank"),
            ("POSTGRES_PASSWORD", "p@ss word"),
            ("POSTGRES_DB", "fintech"),
            ("POSTGRES_HOST", "db"),
        ]));
        assert_eq!(url, "postgres://bank:p%40ss%20word@db:5432/fintech");
    }

    #[test]
    fn with_nothing_set_the_ledger_is_an_embedded_sqlite_file() {
        let url = database_url(env(&[]));
        assert!(url.starts_with("sqlite://"), "{url}");
        assert!(url.ends_with("ledger.sqlite"), "{url}");
    }
}
