//! How many connections a server holds, and for how long. Every open
//! connection is an open file; past the process's limit `accept` fails and
//! nobody is answered. So the soft limit is raised to what the system
//! allows, and the connection cap stays below it by what the process needs
//! besides its connections.

use std::time::Duration;

/// Files a server needs besides its connections and what its caller
/// reserves: the runtime, standard streams, logs, and the sockets of the
/// connections being refused (see `accept`).
const OVERHEAD: u64 = 64;
/// Never fewer connections than this, whatever the limit says: a server
/// that cannot hold a console, a scrape and a browser is of no use.
const MIN_CONNECTIONS: u64 = 16;
/// Never more: a laptop's class is one student, a board's two hundred, and
/// a runaway client should meet the cap before it meets the machine's memory.
const MAX_CONNECTIONS: u64 = 10_000;

/// The limits one server runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// Connections served at once; one more is answered 503 and closed.
    pub(crate) connections: usize,
    /// Time for a request's headers to arrive, counted from when the server
    /// starts waiting for them: on a new connection and between two
    /// requests of a kept-alive one, so it also closes an idle connection.
    /// A browser or a script sends its headers at once; 10 s is slow Wi-Fi
    /// with room to spare, and a trickled header cannot hold a connection.
    pub(crate) header_timeout: Duration,
    /// Time for a request's body to arrive once its headers have.
    pub(crate) body_timeout: Duration,
    /// After a stop signal, how long requests in flight may still take
    /// before the server exits anyway.
    pub(crate) drain: Duration,
}

impl Limits {
    /// The limits of this process, after raising its open-file limit as far
    /// as allowed. `reserve`: files the caller keeps open besides its
    /// connections (a database pool).
    pub(crate) fn for_this_process(reserve: u32) -> Limits {
        Limits::within(raise_open_files(), reserve)
    }

    /// The limits under an open-file limit of `files`.
    pub(crate) fn within(files: u64, reserve: u32) -> Limits {
        let spare = files.saturating_sub(OVERHEAD + u64::from(reserve));
        let connections = spare.clamp(MIN_CONNECTIONS, MAX_CONNECTIONS);
        Limits {
            connections: usize::try_from(connections).unwrap_or(usize::MAX),
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            drain: Duration::from_secs(10),
        }
    }
}

/// Raises the soft open-file limit to the hard one (or, where the hard one
/// is "unlimited" and the kernel refuses that, to the most it takes), and
/// answers the soft limit in force.
#[cfg(unix)]
fn raise_open_files() -> u64 {
    let mut now = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes one rlimit into the struct it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut now) } != 0 {
        return 1024;
    }
    let hard = now.rlim_max;
    // Linux takes at most fs.nr_open (1,048,576 by default); macOS at most
    // OPEN_MAX (10,240) when its hard limit is "unlimited".
    for want in [hard, 1 << 20, 10_240] {
        if want <= now.rlim_cur || want > hard {
            continue;
        }
        let raised = libc::rlimit {
            rlim_cur: want,
            rlim_max: hard,
        };
        // SAFETY: setrlimit reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            tracing::debug!(from = now.rlim_cur, to = want, "open-file limit raised");
            return want;
        }
    }
    now.rlim_cur
}

#[cfg(not(unix))]
fn raise_open_files() -> u64 {
    // Windows has no per-process descriptor limit of this kind.
    MAX_CONNECTIONS + OVERHEAD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_room_for_the_pool_and_the_refusals() {
        // Linux's default, a pool of 10: connections stop 74 files short.
        assert_eq!(Limits::within(1024, 10).connections, 950);
        // macOS's default.
        assert_eq!(Limits::within(256, 10).connections, 182);
        // A pool bigger than the limit still leaves a usable server.
        assert_eq!(Limits::within(256, 500).connections, 16);
        assert_eq!(Limits::within(1 << 20, 10).connections, 10_000);
    }

    #[test]
    fn the_limit_in_force_is_at_least_what_it_was() {
        let mut before = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: as above.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut before) },
            0
        );
        assert!(raise_open_files() >= before.rlim_cur);
    }
}
