//! Database URLs as messages and logs may show them.

/// Hides the secrets of a database URL for messages and logs: the
/// password before the `@`, and every query parameter whose name says it
/// is one (`password`, `sslpassword`, a `…token`, a `…secret`).
pub(crate) fn redact(url: &str) -> String {
    // The authority ends at the first '/' or '?': a password's reserved
    // characters are percent-encoded in a URL, so none of them is in it.
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((creds, host)) => {
            let user = creds.split(':').next().unwrap_or("");
            format!("{user}:***@{host}")
        }
        None => authority.to_string(),
    };
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let base = if scheme.is_empty() {
        format!("{authority}{path}")
    } else {
        format!("{scheme}://{authority}{path}")
    };
    let Some(query) = query else {
        return base;
    };
    let secret = |key: &str| {
        let key = key.to_ascii_lowercase();
        ["password", "secret", "token"]
            .iter()
            .any(|word| key.contains(word))
    };
    let params: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if secret(key) => format!("{key}=***"),
            _ => pair.to_string(),
        })
        .collect();
    format!("{base}?{}", params.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_the_password() {
        assert_eq!(
            redact("postgres://bank:secret@db:5432/fintech"),
            "postgres://bank:***@db:5432/fintech"
        );
        assert_eq!(redact("sqlite::memory:"), "sqlite::memory:");
        assert_eq!(
            redact("postgres://db/fintech?user=bank&password=s3&sslmode=require&sslpassword=k3y"),
            "postgres://db/fintech?user=bank&password=***&sslmode=require&sslpassword=***"
        );
        assert_eq!(
            redact("postgres://bank:pw@db/f?PASSWORD=x"),
            "postgres://bank:***@db/f?PASSWORD=***"
        );
    }
}
