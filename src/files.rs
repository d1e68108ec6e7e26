//! The files the workshop keeps for its user: where they live, and how
//! one is replaced so a reader never sees half of it.

use std::io;
use std::path::{Path, PathBuf};

/// `<data dir>/workshop` (e.g. `~/.local/share/workshop` on Linux). On a
/// machine without a data directory (no `$HOME`), a folder of this user's
/// own in the temporary directory, never one shared by every user there.
pub(crate) fn data_dir() -> PathBuf {
    match dirs::data_dir() {
        Some(d) => d.join("workshop"),
        None => std::env::temp_dir().join(format!("workshop-{}", user_id())),
    }
}

#[cfg(unix)]
fn user_id() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

#[cfg(not(unix))]
fn user_id() -> String {
    std::env::var("USERNAME").unwrap_or_else(|_| "user".into())
}

/// Creates `dir` and its parents; the folders made here are readable by
/// this user only (mode 0700).
pub(crate) fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Replaces `path` with `bytes` at once: written beside it under a name no
/// other writer uses (readable by this user only, flushed to disk), then
/// renamed over it, so a crash leaves the old file or the new one, never
/// half of one. Its folder is made private.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    private_dir(dir)?;
    let name = path
        .file_name()
        .map_or("file".into(), |n| n.to_string_lossy());
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let partial = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        &unique[..8]
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&partial)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&partial, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_in_a_private_folder() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join("state").join("progress.json");
        write_atomically(&path, b"one").expect("written");
        write_atomically(&path, b"two").expect("replaced");
        assert_eq!(std::fs::read(&path).expect("read"), b"two");
        let left: Vec<_> = std::fs::read_dir(root.path().join("state"))
            .expect("list")
            .collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(root.path().join("state"))
                .expect("folder")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }
}
