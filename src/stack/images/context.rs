//! The app image's build context, read from a checkout.
//!
//! `.dockerignore` is the one list of what the image is built from: a `*`
//! line, then one `!path` line per file or directory kept. `docker build`
//! and `docker compose --build` read it; so does this module, which sends
//! exactly those paths (plus the Dockerfile, as the docker CLI does). The
//! context's hash (paths, modes and contents) becomes a label of the image,
//! and `up` rebuilds only when the checkout's hash differs from the label.

use std::io::Read as _;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::stack::files::append_file;

/// The label carrying the hash of the context an image was built from.
pub const LABEL_SOURCE_HASH: &str = "io.workshop.source-hash";

/// Where extra CA certificates go in the context (the Dockerfile trusts
/// every `*.crt`/`*.pem` there during the build, never in the image).
pub const CERTS_DIR: &str = "certs";

/// A checkout's build context, ready to send to the engine.
#[derive(Debug)]
pub struct BuildContext {
    pub dir: PathBuf,
    /// An uncompressed tar of the context.
    pub tar: Vec<u8>,
    /// Hex SHA-256 of what the image is built from (the extra CA excluded:
    /// trusting a proxy does not change the binary).
    pub hash: String,
    pub files: usize,
}

/// Why no context could be read.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ContextError {
    #[error(
        "WORKSHOP_SOURCE={0}: not a checkout of workshop (no Dockerfile, .dockerignore and \
         Cargo.toml of package \"workshop\" there); point it at a clone of the repository"
    )]
    NotACheckout(String),
    #[error(
        "{path} line {line}: {text:?}: this file must be a `*` line followed by `!path` lines only"
    )]
    Ignore {
        path: String,
        line: usize,
        text: String,
    },
    #[error("reading {path}: {reason}")]
    Read { path: String, reason: String },
}

/// True when `dir` holds a checkout of this project.
pub fn is_checkout(dir: &Path) -> bool {
    dir.join("Dockerfile").is_file()
        && dir.join(".dockerignore").is_file()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|t| t.lines().any(|l| l.trim() == "name = \"workshop\""))
}

/// The checkout to build from: `explicit` (`WORKSHOP_SOURCE`) when given —
/// it must be one —, else the directory this binary was built in, else the
/// current directory. `Ok(None)` when none is a checkout: an installed binary.
pub fn find_checkout(explicit: Option<&Path>) -> Result<Option<PathBuf>, ContextError> {
    if let Some(dir) = explicit {
        return if is_checkout(dir) {
            Ok(Some(dir.to_path_buf()))
        } else {
            Err(ContextError::NotACheckout(dir.display().to_string()))
        };
    }
    let built_in = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let here = std::env::current_dir().ok();
    Ok([Some(built_in), here]
        .into_iter()
        .flatten()
        .find(|d| is_checkout(d)))
}

/// The paths `.dockerignore` keeps (see the module documentation).
pub fn kept_paths(text: &str, path: &str) -> Result<Vec<String>, ContextError> {
    let mut kept = Vec::new();
    let mut seen_star = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || ContextError::Ignore {
            path: path.into(),
            line: i + 1,
            text: line.into(),
        };
        match (seen_star, line) {
            (false, "*") => seen_star = true,
            (true, l) => {
                let p = l.strip_prefix('!').ok_or_else(bad)?.trim_matches('/');
                if p.is_empty() || p.contains(['*', '?', '[']) || p.split('/').any(|c| c == "..") {
                    return Err(bad());
                }
                kept.push(p.to_string());
            }
            _ => return Err(bad()),
        }
    }
    Ok(kept)
}

/// Reads the context of the checkout at `dir`, adding `extra_ca` (a PEM
/// file) under `certs/` when given.
pub fn read(dir: &Path, extra_ca: Option<&Path>) -> Result<BuildContext, ContextError> {
    let read_err = |p: &Path| {
        let path = p.display().to_string();
        move |e: std::io::Error| ContextError::Read {
            path,
            reason: e.to_string(),
        }
    };
    if !is_checkout(dir) {
        return Err(ContextError::NotACheckout(dir.display().to_string()));
    }
    let ignore = dir.join(".dockerignore");
    let text = std::fs::read_to_string(&ignore).map_err(read_err(&ignore))?;
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in ["Dockerfile", ".dockerignore"]
        .into_iter()
        .map(String::from)
        .chain(kept_paths(&text, &ignore.display().to_string())?)
    {
        collect(dir, Path::new(&p), &mut files, &mut dirs).map_err(read_err(&dir.join(&p)))?;
    }
    files.sort();
    files.dedup();
    dirs.sort();
    dirs.dedup();
    // The extra CA goes in under this name; a copy of it already in the
    // checkout (put there for `docker compose --build`) is not sent twice.
    let ca_name = format!("{CERTS_DIR}/workshop-build-ca.crt");
    if extra_ca.is_some() {
        files.retain(|f| f.to_string_lossy() != ca_name);
    }

    let mut builder = tar::Builder::new(Vec::new());
    // Directories get entries of their own, as the docker CLI sends them:
    // the engine's cache key for `COPY dir` includes them.
    for d in &dirs {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::Directory);
        header.set_size(0);
        header.set_mode(0o755);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(0);
        header.set_cksum();
        let name = format!("{}/", d.to_string_lossy());
        builder
            .append_data(&mut header, name, std::io::empty())
            .map_err(read_err(&dir.join(d)))?;
    }
    let mut hash = Sha256::new();
    for rel in &files {
        let full = dir.join(rel);
        let meta = std::fs::metadata(&full).map_err(read_err(&full))?;
        let mut contents = Vec::new();
        std::fs::File::open(&full)
            .and_then(|mut f| f.read_to_end(&mut contents))
            .map_err(read_err(&full))?;
        // Only "executable or not" is kept: a clone made under another umask
        // is the same source and must give the same hash and cache.
        let mode = if meta.permissions().mode() & 0o111 != 0 {
            0o755
        } else {
            0o644
        };
        let name = rel.to_string_lossy().into_owned();
        if !name.starts_with(&format!("{CERTS_DIR}/")) {
            hash.update(format!("{name}\0{mode:o}\0{}\0", contents.len()));
            hash.update(&contents);
        }
        append_file(&mut builder, &name, mode, &contents).map_err(read_err(&full))?;
    }
    if let Some(ca) = extra_ca {
        let mut pem = Vec::new();
        std::fs::File::open(ca)
            .and_then(|mut f| f.read_to_end(&mut pem))
            .map_err(read_err(ca))?;
        if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
            return Err(ContextError::Read {
                path: ca.display().to_string(),
                reason: "not a PEM certificate file (WORKSHOP_BUILD_CA wants one with \
                         -----BEGIN CERTIFICATE----- blocks)"
                    .into(),
            });
        }
        append_file(&mut builder, &ca_name, 0o644, &pem).map_err(read_err(ca))?;
    }
    let tar = builder.into_inner().map_err(read_err(dir))?;
    Ok(BuildContext {
        dir: dir.to_path_buf(),
        tar,
        hash: format!("{:x}", hash.finalize()),
        files: files.len(),
    })
}

/// Regular files and directories under `rel` (a file or a directory),
/// relative to `root`, with the directories above `rel`. A kept path that
/// does not exist is simply absent, as with docker.
fn collect(
    root: &Path,
    rel: &Path,
    files: &mut Vec<PathBuf>,
    dirs: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let full = root.join(rel);
    let Ok(meta) = std::fs::symlink_metadata(&full) else {
        return Ok(());
    };
    dirs.extend(
        rel.ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .map(Path::to_path_buf),
    );
    if meta.is_file() {
        files.push(rel.to_path_buf());
    } else if meta.is_dir() {
        dirs.push(rel.to_path_buf());
        for entry in std::fs::read_dir(&full)? {
            collect(root, &rel.join(entry?.file_name()), files, dirs)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repositorys_dockerignore_is_an_allow_list_this_module_reads() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join(".dockerignore")).expect("read");
        let kept = kept_paths(&text, ".dockerignore").expect("allow-list form");
        for needed in ["Cargo.toml", "Cargo.lock", "src", "migrations", "certs"] {
            assert!(
                kept.iter().any(|k| k == needed),
                "{needed} is kept: {kept:?}"
            );
        }
    }

    #[test]
    fn a_pattern_the_reader_does_not_understand_is_named_with_its_line() {
        let err = kept_paths("*\n!src\n**/target\n", ".dockerignore").expect_err("pattern");
        assert_eq!(
            err,
            ContextError::Ignore {
                path: ".dockerignore".into(),
                line: 3,
                text: "**/target".into()
            }
        );
        assert!(
            kept_paths("!src\n", "x").is_err(),
            "the `*` line comes first"
        );
    }

    #[test]
    fn the_hash_follows_the_sources_but_not_the_extra_ca() {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(d.join("Dockerfile"), "FROM scratch\n").expect("write");
        std::fs::write(d.join(".dockerignore"), "*\n!Cargo.toml\n!src\n!certs\n").expect("write");
        std::fs::write(d.join("Cargo.toml"), "[package]\nname = \"workshop\"\n").expect("write");
        std::fs::create_dir_all(d.join("src")).expect("mkdir");
        std::fs::write(d.join("src/main.rs"), "fn main() {}\n").expect("write");
        std::fs::write(d.join("notes.txt"), "not sent").expect("write");
        let ca = d.join("ca.pem");
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n",
        )
        .expect("write");

        let plain = read(d, None).expect("context");
        let with_ca = read(d, Some(&ca)).expect("context");
        assert_eq!(
            plain.hash, with_ca.hash,
            "the CA does not change the binary"
        );
        assert_eq!(plain.hash, read(d, None).expect("again").hash, "stable");
        let mut names: Vec<String> = tar::Archive::new(with_ca.tar.as_slice())
            .entries()
            .expect("entries")
            .map(|e| {
                e.expect("entry")
                    .path()
                    .expect("path")
                    .display()
                    .to_string()
            })
            .filter(|name| !name.ends_with('/'))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ".dockerignore",
                "Cargo.toml",
                "Dockerfile",
                "certs/workshop-build-ca.crt",
                "src/main.rs"
            ]
        );

        std::fs::write(d.join("src/main.rs"), "fn main() { }\n").expect("write");
        assert_ne!(read(d, None).expect("changed").hash, plain.hash);
        std::fs::write(d.join("notes.txt"), "changed, but not sent").expect("write");
        assert!(
            read(d, Some(&d.join("notes.txt"))).is_err(),
            "not a PEM file"
        );
    }
}
