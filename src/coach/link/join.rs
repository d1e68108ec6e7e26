//! Which coach a console or a run joins, and under what name: from the
//! flags, else `WORKSHOP_COACH` / `WORKSHOP_NAME` from the environment or
//! the config file.

use std::collections::HashMap;

use crate::coach::wire;

/// The class a student joins: where its board takes events, and the name
/// the board shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Join {
    /// The class URL the coach gave (`http://HOST:PORT/class/CODE`), without
    /// a trailing `/`; events go to `{url}/events`.
    pub url: String,
    /// Checked by [`wire::check_name`].
    pub name: String,
}

/// The config file's and the environment's keys.
pub(crate) const COACH_KEY: &str = "WORKSHOP_COACH";
pub(crate) const NAME_KEY: &str = "WORKSHOP_NAME";

impl Join {
    /// The flag wins over the environment and the config file (`config`:
    /// what [`crate::stack::settings::config_values`] read). No URL: no
    /// coach, `Ok(None)`; a URL without a name, or a bad value, is an error
    /// naming the flag and the fix.
    pub(crate) fn resolve(
        flag_url: Option<String>,
        flag_name: Option<String>,
        config: &HashMap<String, String>,
    ) -> Result<Option<Join>, String> {
        let pick = |flag: Option<String>, key: &str| {
            flag.or_else(|| config.get(key).cloned())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(url) = pick(flag_url, COACH_KEY) else {
            return Ok(None);
        };
        let url = check_url(&url)?;
        let Some(name) = pick(flag_name, NAME_KEY) else {
            return Err(format!(
                "--coach needs --name NAME: the name the board shows (or set {NAME_KEY})"
            ));
        };
        let name =
            wire::check_name(&name).map_err(|e| format!("--name {name:?} (or {NAME_KEY}): {e}"))?;
        Ok(Some(Join { url, name }))
    }
}

/// The class URL as given, checked: http or https, a host, no query or
/// fragment; the trailing `/` trimmed.
fn check_url(text: &str) -> Result<String, String> {
    let fix = "give the class URL the coach shows, e.g. \
               --coach http://192.168.1.20:7070/class/K7P2QX";
    let bad = |why: &str| format!("--coach {text:?} (or {COACH_KEY}): {why}; {fix}");
    let url = reqwest::Url::parse(text).map_err(|e| bad(&format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must start with http:// or https://"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a `?query` or a `#fragment`"));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn no_url_anywhere_is_no_coach() {
        let none = Join::resolve(None, some("Ana"), &config(&[(NAME_KEY, "Ana")]));
        assert_eq!(none, Ok(None));
        let blank = Join::resolve(some("  "), None, &HashMap::new());
        assert_eq!(blank, Ok(None));
    }

    #[test]
    fn the_flag_wins_over_the_config_and_the_trailing_slash_goes() {
        let file = config(&[
            (COACH_KEY, "http://10.0.0.1:7070/class/OLD"),
            (NAME_KEY, "Bob"),
        ]);
        let join = Join::resolve(some("http://192.168.1.20:7070/class/K7P2QX/"), None, &file);
        assert_eq!(
            join,
            Ok(Some(Join {
                url: "http://192.168.1.20:7070/class/K7P2QX".into(),
                name: "Bob".into(),
            }))
        );
        let from_file = Join::resolve(None, some("  Ana  Lima "), &file).expect("valid");
        assert_eq!(
            from_file.map(|j| (j.url, j.name)),
            Some(("http://10.0.0.1:7070/class/OLD".into(), "Ana Lima".into()))
        );
    }

    #[test]
    fn a_proxy_url_with_a_prefix_is_kept_whole() {
        let join = Join::resolve(
            some("https://coach.example.org/room-3/class/K7P2QX"),
            some("Ana"),
            &HashMap::new(),
        );
        assert_eq!(
            join.expect("valid").map(|j| j.url),
            Some("https://coach.example.org/room-3/class/K7P2QX".into())
        );
    }

    #[test]
    fn a_url_without_a_name_names_the_flag() {
        let e = Join::resolve(some("http://h:7070/class/X"), None, &HashMap::new())
            .expect_err("no name");
        assert!(e.starts_with("--coach needs --name NAME"), "{e}");
    }

    #[test]
    fn bad_urls_and_names_are_refused_with_the_flag_and_the_fix() {
        for url in [
            "192.168.1.20:7070/class/X",
            "ftp://h/class/X",
            "http://h/class/X?code=1",
            "http://h/class/X#top",
            "not a url",
        ] {
            let e = Join::resolve(some(url), some("Ana"), &HashMap::new()).expect_err(url);
            assert!(e.starts_with("--coach "), "{e}");
            assert!(e.contains("e.g. --coach http://"), "{e}");
        }
        let e = Join::resolve(some("http://h/class/X"), some("<b>"), &HashMap::new())
            .expect_err("markup");
        assert!(e.starts_with("--name \"<b>\""), "{e}");
    }
}
