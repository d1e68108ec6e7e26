//! A real memory limit for a child process without Docker.
//!
//! Preferred: a memory cgroup made for the child — the same mechanism Docker
//! uses, so the lesson is the same: the kernel's OOM killer sends SIGKILL at
//! the limit, and the cgroup's `oom_kill` counter proves it was the limit.
//! cgroup v1 (`/sys/fs/cgroup/memory/<name>`) and v2 (`/sys/fs/cgroup/<name>`)
//! are tried when writable (root, or a delegated hierarchy).
//!
//! Fallback: `RLIMIT_DATA` set in the child before `exec`. The kernel then
//! refuses allocations past the limit instead of killing; Rust aborts the
//! process ("memory allocation of … failed", SIGABRT). The supervisor reports
//! that as "allocation refused at its memory limit". `RLIMIT_DATA` rather than
//! `RLIMIT_AS`, because address space reserved but never touched (thread
//! stacks, malloc arenas) would hit an address-space limit long before real
//! memory does.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::memory::Cgroup;

/// How the limit is enforced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MemoryLimit {
    /// A cgroup directory (v1 memory controller or v2) the child joins.
    Cgroup { dir: PathBuf, v2: bool, bytes: u64 },
    /// `RLIMIT_DATA` of the child.
    Rlimit { bytes: u64 },
}

impl MemoryLimit {
    /// Makes a cgroup named `name` limited to `bytes` if this machine allows
    /// it; otherwise falls back to an rlimit.
    pub(crate) fn create(name: &str, bytes: u64) -> Self {
        match try_cgroup(name, bytes) {
            Ok(limit) => limit,
            Err(_) => MemoryLimit::Rlimit { bytes },
        }
    }

    pub(crate) fn bytes(&self) -> u64 {
        match self {
            MemoryLimit::Cgroup { bytes, .. } | MemoryLimit::Rlimit { bytes } => *bytes,
        }
    }

    /// For people: "cgroup v1 /sys/fs/cgroup/memory/…" or "RLIMIT_DATA".
    pub(crate) fn describe(&self) -> String {
        match self {
            MemoryLimit::Cgroup { dir, v2, .. } => {
                format!("cgroup {} {}", if *v2 { "v2" } else { "v1" }, dir.display())
            }
            MemoryLimit::Rlimit { .. } => "RLIMIT_DATA (no writable cgroup)".into(),
        }
    }

    /// The cgroup it is, if it is one.
    fn cgroup(&self) -> Option<Cgroup> {
        match self {
            MemoryLimit::Cgroup { dir, v2, .. } => Some(Cgroup::new(dir, *v2)),
            MemoryLimit::Rlimit { .. } => None,
        }
    }

    /// Kills at the limit counted by the cgroup so far (None for an rlimit).
    pub(crate) fn oom_kills(&self) -> Option<u64> {
        self.cgroup()?.oom_kills()
    }

    /// The memory the cgroup holds against the limit now, counted as
    /// [`crate::memory`] counts it (None for an rlimit: read the process).
    pub(crate) fn usage(&self) -> Option<u64> {
        self.cgroup()?.used()
    }

    /// What the child runs in `pre_exec`: prepared here, before the fork,
    /// because between fork and exec only async-signal-safe calls are allowed
    /// (no allocation).
    pub(crate) fn child_setup(&self) -> io::Result<ChildSetup> {
        Ok(match self {
            MemoryLimit::Cgroup { dir, .. } => ChildSetup::JoinCgroup(
                CString::new(dir.join("cgroup.procs").as_os_str().as_bytes())
                    .map_err(io::Error::other)?,
            ),
            MemoryLimit::Rlimit { bytes } => ChildSetup::Rlimit(*bytes),
        })
    }

    /// Removes the cgroup (it must be empty: call after the child is gone).
    pub(crate) fn remove(&self) {
        if let MemoryLimit::Cgroup { dir, .. } = self {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// See [`MemoryLimit::child_setup`].
#[derive(Debug)]
pub(crate) enum ChildSetup {
    JoinCgroup(CString),
    Rlimit(u64),
}

impl ChildSetup {
    /// Runs in the forked child. Only async-signal-safe calls: open, write,
    /// close, getpid, setrlimit; the pid is formatted on the stack.
    pub(crate) fn apply(&self) -> io::Result<()> {
        match self {
            ChildSetup::JoinCgroup(path) => {
                let mut buf = [0u8; 20];
                // SAFETY: getpid has no preconditions.
                let mut pid = unsafe { libc::getpid() } as u64;
                let mut i = buf.len();
                loop {
                    i -= 1;
                    buf[i] = b'0' + (pid % 10) as u8;
                    pid /= 10;
                    if pid == 0 {
                        break;
                    }
                }
                // SAFETY: path is a valid NUL-terminated string; buf[i..] is
                // initialised; the descriptor is closed on every path.
                unsafe {
                    let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
                    if fd < 0 {
                        return Err(io::Error::last_os_error());
                    }
                    let n = libc::write(fd, buf[i..].as_ptr().cast(), buf.len() - i);
                    libc::close(fd);
                    if n < 0 {
                        return Err(io::Error::last_os_error());
                    }
                }
                Ok(())
            }
            ChildSetup::Rlimit(bytes) => {
                let lim = libc::rlimit {
                    rlim_cur: *bytes as libc::rlim_t,
                    rlim_max: *bytes as libc::rlim_t,
                };
                // SAFETY: lim is a valid rlimit for the duration of the call.
                if unsafe { libc::setrlimit(libc::RLIMIT_DATA, &lim) } != 0 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            }
        }
    }
}

/// Which way [`MemoryLimit::create`] would limit a child on this machine,
/// found without creating anything (for `workshop doctor`). Mirrors the
/// order of [`try_cgroup`]; keep the two together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mechanism {
    CgroupV2,
    CgroupV1,
    /// No writable memory cgroup; why, for people.
    Rlimit {
        why: String,
    },
}

impl Mechanism {
    pub(crate) fn here() -> Self {
        if !cfg!(target_os = "linux") {
            return Mechanism::Rlimit {
                why: "memory cgroups are a Linux feature".into(),
            };
        }
        let root = Path::new("/sys/fs/cgroup");
        if root.join("cgroup.controllers").exists() {
            let delegated = std::fs::read_to_string(root.join("cgroup.subtree_control"))
                .is_ok_and(|t| t.split_whitespace().any(|c| c == "memory"));
            return match (writable(root), delegated) {
                (true, true) => Mechanism::CgroupV2,
                (false, _) => Mechanism::Rlimit {
                    why: "cgroup v2 at /sys/fs/cgroup is not writable (not root, no delegation)"
                        .into(),
                },
                (true, false) => Mechanism::Rlimit {
                    why: "the memory controller is not enabled in /sys/fs/cgroup".into(),
                },
            };
        }
        if writable(&root.join("memory")) {
            Mechanism::CgroupV1
        } else {
            Mechanism::Rlimit {
                why: "no writable memory cgroup (v1 /sys/fs/cgroup/memory)".into(),
            }
        }
    }
}

fn writable(dir: &Path) -> bool {
    let Ok(path) = CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: path is a valid NUL-terminated string for the call's duration.
    unsafe { libc::access(path.as_ptr(), libc::W_OK) == 0 }
}

fn try_cgroup(name: &str, bytes: u64) -> io::Result<MemoryLimit> {
    let root = Path::new("/sys/fs/cgroup");
    if root.join("cgroup.controllers").exists() {
        let dir = root.join(name);
        make_dir(&dir)?;
        std::fs::write(dir.join("memory.max"), bytes.to_string())?;
        let _ = std::fs::write(dir.join("memory.swap.max"), "0");
        return Ok(MemoryLimit::Cgroup {
            dir,
            v2: true,
            bytes,
        });
    }
    let dir = root.join("memory").join(name);
    make_dir(&dir)?;
    std::fs::write(dir.join("memory.limit_in_bytes"), bytes.to_string())?;
    // No swap either, where the kernel accounts it (the file may be absent).
    let _ = std::fs::write(dir.join("memory.memsw.limit_in_bytes"), bytes.to_string());
    Ok(MemoryLimit::Cgroup {
        dir,
        v2: false,
        bytes,
    })
}

fn make_dir(dir: &Path) -> io::Result<()> {
    match std::fs::create_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
