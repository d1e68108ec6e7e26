//! The API's memory as the kernel counts it against its limit: the one
//! figure the stack panel, the charts, case 4's checks and the report show.
//!
//! A memory cgroup charges its processes' anonymous memory and their page
//! cache. The kernel drops inactive file cache before it kills anything, so
//! that cache never brings the OOM killer: the figure is the charge less the
//! inactive file pages, the number `docker stats` shows. A process with no
//! limited cgroup (a local stack held by `RLIMIT_DATA`, macOS) has nothing
//! to charge, and its figure is its resident memory.

use std::path::{Path, PathBuf};

const PAGE: u64 = 4096;

/// Memory cgroups report "no limit" as `max` (v2) or as a number this large (v1).
const UNLIMITED: u64 = 1 << 60;

/// One memory cgroup directory, v2 (unified) or v1 (the memory controller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cgroup {
    dir: PathBuf,
    v2: bool,
}

impl Cgroup {
    pub(crate) fn new(dir: impl Into<PathBuf>, v2: bool) -> Self {
        Self {
            dir: dir.into(),
            v2,
        }
    }

    /// This process's memory cgroup, if it has a limit. Its own cgroup
    /// (`/proc/self/cgroup`) comes first: a supervised local `serve` sits in
    /// a child cgroup whose limit the root files do not show. Inside a
    /// container the cgroup root *is* the container's, so the root is the
    /// fallback.
    pub(crate) fn own() -> Option<Self> {
        let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
        let root = Path::new("/sys/fs/cgroup");
        let mut candidates = Vec::new();
        for line in own.lines() {
            let mut parts = line.splitn(3, ':');
            let (Some(_), Some(controllers), Some(path)) =
                (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let path = path.trim_start_matches('/');
            if controllers.is_empty() {
                candidates.push(Self::new(root.join(path), true));
            } else if controllers.split(',').any(|c| c == "memory") {
                candidates.push(Self::new(root.join("memory").join(path), false));
            }
        }
        candidates.push(Self::new(root, true));
        candidates.push(Self::new(root.join("memory"), false));
        candidates.into_iter().find(|c| c.limit().is_some())
    }

    /// The file `v2` names in a v2 cgroup, `v1` in a v1 one.
    fn read(&self, v2: &str, v1: &str) -> Option<String> {
        let file = if self.v2 { v2 } else { v1 };
        std::fs::read_to_string(self.dir.join(file)).ok()
    }

    /// The limit in bytes; `None` when there is none.
    pub(crate) fn limit(&self) -> Option<u64> {
        // "max" does not parse.
        let limit: u64 = self
            .read("memory.max", "memory.limit_in_bytes")?
            .trim()
            .parse()
            .ok()?;
        (limit < UNLIMITED).then_some(limit)
    }

    /// The memory the kernel holds against the limit now (see the module's doc).
    pub(crate) fn used(&self) -> Option<u64> {
        let charged: u64 = self
            .read("memory.current", "memory.usage_in_bytes")?
            .trim()
            .parse()
            .ok()?;
        let stat = self.read("memory.stat", "memory.stat").unwrap_or_default();
        Some(less_inactive_file(charged, &stat, self.v2))
    }

    /// Kills at the limit the cgroup counted so far.
    pub(crate) fn oom_kills(&self) -> Option<u64> {
        self.read("memory.events", "memory.oom_control")?
            .lines()
            .find_map(|l| l.strip_prefix("oom_kill "))
            .and_then(|n| n.trim().parse().ok())
    }
}

/// `charged` less the inactive file cache `memory.stat` lists (v1 counts
/// the cgroup and its children as `total_inactive_file`).
fn less_inactive_file(charged: u64, stat: &str, v2: bool) -> u64 {
    let key = if v2 {
        "inactive_file"
    } else {
        "total_inactive_file"
    };
    let cache = stat
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0);
    charged.saturating_sub(cache)
}

/// Resident memory of process `pid` (this process when `None`), from /proc.
pub(crate) fn resident_bytes(pid: Option<u32>) -> Option<u64> {
    let file = match pid {
        Some(pid) => format!("/proc/{pid}/statm"),
        None => "/proc/self/statm".into(),
    };
    let statm = std::fs::read_to_string(file).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * PAGE)
}

/// This process's memory and its limit, as the module's doc counts them.
pub(crate) fn own() -> (Option<u64>, Option<u64>) {
    match Cgroup::own() {
        Some(c) => (c.used().or_else(|| resident_bytes(None)), c.limit()),
        None => (resident_bytes(None), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inactive_file_cache_is_left_out_and_v1_counts_the_children() {
        let v2 = "anon 52428800\nfile 20971520\ninactive_file 10485760\nactive_file 10485760\n";
        assert_eq!(less_inactive_file(73_400_320, v2, true), 62_914_560);
        let v1 = "inactive_file 1048576\ntotal_inactive_file 10485760\n";
        assert_eq!(less_inactive_file(73_400_320, v1, false), 62_914_560);
        assert_eq!(less_inactive_file(5, "", true), 5, "no stat: the charge");
        assert_eq!(less_inactive_file(5, "inactive_file 9", true), 0);
    }

    #[test]
    fn a_cgroup_directory_gives_its_limit_figure_and_kills() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let write = |f: &str, s: &str| std::fs::write(dir.path().join(f), s).expect("written");
        let c = Cgroup::new(dir.path(), true);
        assert_eq!(c.limit(), None, "no files: no limit");
        write("memory.max", "max\n");
        assert_eq!(c.limit(), None, "max is no limit");
        write("memory.max", "268435456\n");
        write("memory.current", "73400320\n");
        write("memory.stat", "inactive_file 10485760\n");
        write("memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
        assert_eq!(c.limit(), Some(268_435_456));
        assert_eq!(c.used(), Some(62_914_560));
        assert_eq!(c.oom_kills(), Some(1));
        let v1 = Cgroup::new(dir.path(), false);
        write("memory.limit_in_bytes", "9223372036854771712\n");
        assert_eq!(v1.limit(), None, "v1's huge number is no limit");
    }

    #[test]
    fn this_process_has_a_resident_figure() {
        let (used, _) = own();
        assert!(used.is_some_and(|b| b > 0), "{used:?}");
        assert!(resident_bytes(None).is_some_and(|b| b > PAGE));
    }
}
