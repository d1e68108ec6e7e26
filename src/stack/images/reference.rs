//! Image names, read the way the engine reads them.
//!
//! `postgres:15-bookworm` means `docker.io/library/postgres:15-bookworm`;
//! `prom/prometheus:v3.5.0` means `docker.io/prom/prometheus:v3.5.0`; a first
//! component with a dot, a colon or exactly `localhost` is a registry host.
//! A classroom mirror serves the same paths under its own host, so
//! `postgres:15-bookworm` is `mirror:5000/library/postgres:15-bookworm` there.

use std::fmt;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The registry host (`quay.io`, `localhost`, `10.0.0.5:5000`); `None`
    /// for Docker Hub.
    pub registry: Option<String>,
    /// The repository path, e.g. `library/postgres`, `prom/prometheus`.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl Reference {
    /// `None` when the text is not an image reference.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() || text.chars().any(char::is_whitespace) {
            return None;
        }
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) => (r, Some(d.to_string())),
            None => (text, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, after))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_ascii_lowercase()), after)
            }
            _ => (None, rest),
        };
        // A tag follows the last colon after the last slash.
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match path[last_slash..].rfind(':') {
            Some(i) => (
                &path[..last_slash + i],
                Some(path[last_slash + i + 1..].to_string()),
            ),
            None => (path, None),
        };
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c);
        if path.is_empty()
            || !path.chars().all(valid)
            || path.split('/').any(str::is_empty)
            || tag.as_deref().is_some_and(str::is_empty)
        {
            return None;
        }
        let registry = registry.filter(|r| r != "docker.io" && r != "index.docker.io");
        let path = if registry.is_none() && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        Some(Self {
            registry,
            path,
            tag,
            digest,
        })
    }

    /// The first path component: `library` for official images.
    pub fn namespace(&self) -> &str {
        self.path.split('/').next().unwrap_or("")
    }

    /// The same image on the classroom mirror `registry`: its path and tag
    /// under the mirror's host.
    pub fn on_mirror(&self, registry: &str) -> Reference {
        Reference {
            registry: Some(registry.to_string()),
            ..self.clone()
        }
    }

    /// `repository` and `tag` as the engine's pull endpoint takes them.
    pub fn repository(&self) -> String {
        match &self.registry {
            Some(r) => format!("{r}/{}", self.path),
            None => self.path.clone(),
        }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repository())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mirror(name: &str) -> String {
        Reference::parse(name)
            .expect(name)
            .on_mirror("10.0.0.5:5000")
            .to_string()
    }

    #[test]
    fn hub_names_read_as_the_engine_reads_them() {
        let r = Reference::parse("postgres:15-bookworm").expect("valid");
        assert_eq!((r.registry, r.path.as_str()), (None, "library/postgres"));
        assert_eq!(r.tag.as_deref(), Some("15-bookworm"));
        let r = Reference::parse("docker.io/prom/prometheus:v3.5.0").expect("valid");
        assert_eq!((r.registry, r.path.as_str()), (None, "prom/prometheus"));
        let r = Reference::parse("localhost/workshop/app:0.1.0").expect("valid");
        assert_eq!(r.registry.as_deref(), Some("localhost"));
        let r = Reference::parse("127.0.0.1:5000/library/postgres").expect("valid");
        assert_eq!(r.registry.as_deref(), Some("127.0.0.1:5000"));
        assert_eq!(r.tag, None);
    }

    #[test]
    fn a_mirror_serves_the_same_paths_under_its_own_host() {
        assert_eq!(
            mirror("postgres:15-bookworm"),
            "10.0.0.5:5000/library/postgres:15-bookworm"
        );
        assert_eq!(
            mirror("prom/prometheus:v3.5.0"),
            "10.0.0.5:5000/prom/prometheus:v3.5.0"
        );
        assert_eq!(
            mirror("localhost/workshop/app:0.1.0"),
            "10.0.0.5:5000/workshop/app:0.1.0"
        );
        assert_eq!(
            mirror("quay.io/prometheus/prometheus:v3.5.0"),
            "10.0.0.5:5000/prometheus/prometheus:v3.5.0"
        );
    }

    #[test]
    fn what_is_not_an_image_name_is_refused() {
        for bad in ["", "Postgres:15", "a b", "postgres:", "x//y", "http://x/y"] {
            assert_eq!(Reference::parse(bad), None, "{bad:?}");
        }
    }
}
