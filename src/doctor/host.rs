//! This machine: the stack's ports, RAM, disk, and what local mode
//! (`workshop up --local`) would run with.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt as _;
use std::path::{Path, PathBuf};

use super::engine::InfoFacts;
use super::{Check, gb};
use crate::faults::leak::physical_memory;
use crate::stack::local::limit::Mechanism;
use crate::stack::local::{LocalOptions, which};

const GIB: u64 = 1024 * 1024 * 1024;
/// Below this the stack (db, app, Prometheus, Grafana, the leak) is cramped.
const RAM_OK: u64 = 4 * GIB;
/// Images, the app's build and a day of Prometheus data fit in this.
const DISK_OK: u64 = 5_000_000_000;
/// Below this the images alone do not fit.
const DISK_BLOCKS: u64 = 2_000_000_000;

/// The memory containers can use: the engine's figure (the VM's on Docker
/// Desktop or Colima) when it gave one, else this machine's.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct MemoryFacts {
    pub bytes: Option<u64>,
    pub from_engine: bool,
}

impl MemoryFacts {
    pub(super) fn gather(info: Option<&InfoFacts>) -> Self {
        match info.and_then(|i| i.mem_total) {
            Some(bytes) => Self {
                bytes: Some(bytes),
                from_engine: true,
            },
            None => Self {
                bytes: physical_memory(),
                from_engine: false,
            },
        }
    }
}

pub(super) fn check_memory(m: MemoryFacts) -> Check {
    let whose = if m.from_engine {
        "the Docker engine has"
    } else {
        "this machine has"
    };
    match m.bytes {
        None => Check::warn(
            "memory",
            "could not read how much memory there is",
            "make sure at least 4 GB are free for the workshop",
        ),
        Some(b) if b >= RAM_OK => Check::ok(
            "memory",
            format!("{whose} {:.1} GiB of memory", b as f64 / GIB as f64),
        ),
        Some(b) => Check::warn(
            "memory",
            format!(
                "{whose} {:.1} GiB of memory; the stack wants 4 GiB",
                b as f64 / GIB as f64
            ),
            if m.from_engine {
                "give Docker's VM at least 4 GB (Docker Desktop: Settings → Resources; Colima: \
                 `colima start --memory 4`), and close other programs during the workshop"
            } else {
                "close other programs during the workshop"
            },
        ),
    }
}

/// Free disk where the images go: the engine's data directory when it is
/// on this host, else the current directory's filesystem.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DiskFacts {
    pub free: Option<u64>,
    pub place: String,
    /// The engine keeps its data elsewhere (a VM), so this is only a hint.
    pub engine_elsewhere: bool,
}

impl DiskFacts {
    pub(super) fn gather(info: Option<&InfoFacts>) -> Self {
        match info.and_then(|i| i.host_root_dir.as_deref()) {
            Some(dir) => Self {
                free: free_bytes(Path::new(dir)),
                place: format!("Docker's data directory {dir}"),
                engine_elsewhere: false,
            },
            None => {
                let here = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
                Self {
                    free: free_bytes(&here),
                    place: format!("the filesystem of {}", here.display()),
                    engine_elsewhere: info.is_some(),
                }
            }
        }
    }
}

/// Bytes an unprivileged user may still write on the filesystem of `path`.
fn free_bytes(path: &Path) -> Option<u64> {
    let c = CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: an all-zero statvfs is a valid value to be overwritten.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c is NUL-terminated; s is a valid, writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    #[allow(clippy::unnecessary_cast)] // the field widths differ between systems
    Some(s.f_bavail as u64 * s.f_frsize as u64)
}

pub(super) fn check_disk(d: &DiskFacts) -> Check {
    let vm_note = if d.engine_elsewhere {
        " (the engine keeps its images inside its VM; its own disk may differ)"
    } else {
        ""
    };
    let fix = "free some disk (`docker system prune` removes stopped containers and unused \
               images), or move Docker's data to a larger disk";
    match d.free {
        None => Check::warn(
            "disk",
            format!("could not read the free space of {}", d.place),
            "make sure 5 GB are free for the images",
        ),
        Some(b) if b >= DISK_OK => {
            Check::ok("disk", format!("{} free on {}{vm_note}", gb(b), d.place))
        }
        Some(b) if b >= DISK_BLOCKS => Check::warn(
            "disk",
            format!(
                "only {} free on {}{vm_note}; the images and a build want 5 GB",
                gb(b),
                d.place
            ),
            fix,
        ),
        Some(b) => Check::fail(
            "disk",
            format!(
                "only {} free on {}{vm_note}: the images do not fit",
                gb(b),
                d.place
            ),
            fix,
        ),
    }
}

/// What `workshop up --local` would run with.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct LocalFacts {
    /// The `workshop` binary local mode runs as `serve`, when it exists.
    pub program: Option<PathBuf>,
    pub prometheus: Option<PathBuf>,
    pub limit: Mechanism,
}

impl LocalFacts {
    pub(super) fn gather() -> Self {
        let program = LocalOptions::from_env("workshop").program;
        let program = if program.is_file() {
            Some(program)
        } else {
            program.to_str().and_then(which)
        };
        Self {
            program,
            prometheus: which("prometheus"),
            limit: Mechanism::here(),
        }
    }

    pub(super) fn program_found(&self) -> bool {
        self.program.is_some()
    }
}

/// Local mode's PromQL comes from a `prometheus` on PATH; without it the
/// console reads `/metrics` directly. Only a warning when local mode is
/// what will run (no engine).
pub(super) fn check_local_prometheus(l: &LocalFacts, docker: bool) -> Check {
    match (&l.prometheus, docker) {
        (Some(bin), _) => Check::ok(
            "local-prometheus",
            format!("local mode runs {} for PromQL and alerts", bin.display()),
        ),
        (None, true) => Check::ok(
            "local-prometheus",
            "no `prometheus` on PATH; only local mode would need it, and Docker answered",
        ),
        (None, false) => Check::warn(
            "local-prometheus",
            "no `prometheus` on PATH: local mode reads /metrics directly (no PromQL, no alerts)",
            "install Prometheus (`apt install prometheus`, `brew install prometheus`) or start \
             Docker",
        ),
    }
}

/// Local mode's memory limit: a cgroup (an OOM kill, as in a container) or
/// `RLIMIT_DATA` (an allocation refused: the lesson reads differently).
pub(super) fn check_local_memory_limit(l: &LocalFacts, docker: bool) -> Check {
    let name = "local-memory-limit";
    match (&l.limit, docker) {
        (Mechanism::CgroupV2, _) => Check::ok(name, "local mode limits memory with a cgroup v2"),
        (Mechanism::CgroupV1, _) => Check::ok(name, "local mode limits memory with a cgroup v1"),
        (Mechanism::Rlimit { why }, true) => Check::ok(
            name,
            format!(
                "local mode would fall back to RLIMIT_DATA ({why}); not needed, Docker answered"
            ),
        ),
        (Mechanism::Rlimit { why }, false) => Check::warn(
            name,
            format!(
                "local mode limits memory with RLIMIT_DATA ({why}): the leak ends in a refused \
                 allocation, not an OOM kill"
            ),
            "start Docker for the real OOM kill, or run local mode where a memory cgroup is \
             writable (root, or a delegated cgroup v2)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Status;
    use super::*;

    #[test]
    fn four_gib_of_memory_is_enough_less_warns() {
        let m = |gib: f64, from_engine| MemoryFacts {
            bytes: Some((gib * GIB as f64) as u64),
            from_engine,
        };
        assert_eq!(check_memory(m(16.0, false)).status, Status::Ok);
        assert_eq!(check_memory(m(4.0, true)).status, Status::Ok);
        let low = check_memory(m(2.0, true));
        assert_eq!(low.status, Status::Warn);
        assert!(low.fix.is_some_and(|f| f.contains("Resources")));
    }

    #[test]
    fn disk_below_five_gb_warns_and_below_two_fails() {
        let d = |free| DiskFacts {
            free: Some(free),
            place: "/".into(),
            engine_elsewhere: false,
        };
        assert_eq!(check_disk(&d(57_000_000_000)).status, Status::Ok);
        assert_eq!(check_disk(&d(3_000_000_000)).status, Status::Warn);
        assert_eq!(check_disk(&d(1_000_000_000)).status, Status::Fail);
    }

    #[test]
    fn the_free_space_of_this_directory_can_be_read() {
        assert!(free_bytes(Path::new(".")).is_some_and(|b| b > 0));
    }

    #[test]
    fn local_mode_gaps_warn_only_when_local_mode_is_what_will_run() {
        let l = LocalFacts {
            program: Some("/usr/bin/workshop".into()),
            prometheus: None,
            limit: Mechanism::Rlimit {
                why: "not root".into(),
            },
        };
        assert_eq!(check_local_prometheus(&l, true).status, Status::Ok);
        assert_eq!(check_local_prometheus(&l, false).status, Status::Warn);
        assert_eq!(check_local_memory_limit(&l, true).status, Status::Ok);
        let limit = check_local_memory_limit(&l, false);
        assert_eq!(limit.status, Status::Warn);
        assert!(limit.finding.contains("RLIMIT_DATA"), "{}", limit.finding);
    }
}
