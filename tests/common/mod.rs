//! The one test harness every file under `tests/` uses: how to find the
//! binary, run `workshop ARGS`, start `workshop serve` (on SQLite or the
//! test PostgreSQL, a free port, killed on drop), pick free ports, and the
//! real parts around it (Prometheus, a coach, tmux). `tests/README.md` maps
//! each test file to what it covers.
#![allow(dead_code)]

use std::net::TcpListener;
use std::process::Command;

pub mod coach;
mod db;
pub mod images;
pub mod markdown;
mod prometheus;
mod serve;
pub mod stack_docker;
pub mod tmux;

// Each test file uses a part of these.
#[allow(unused_imports)]
pub use db::{Backend, TestDb, pg_admin_url};
#[allow(unused_imports)]
pub use prometheus::PrometheusServer;
#[allow(unused_imports)]
pub use serve::{Serve, Server};

/// A port nobody listens on now, for a server a test starts.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The `workshop` binary cargo built for these tests.
pub fn workshop_bin() -> &'static str {
    env!("CARGO_BIN_EXE_workshop")
}

/// `workshop ARGS`, not started yet: add what the test needs (`.env`,
/// `.current_dir`), then `.output()` to run it to its end or `.spawn()`;
/// `tokio::process::Command::from(…)` to await it.
pub fn workshop(args: &[&str]) -> Command {
    let mut cmd = Command::new(workshop_bin());
    cmd.args(args);
    cmd
}

/// Starts `cmd` under an open-file limit of `n` (soft and hard), as
/// `prlimit --nofile=N` would: Linux's default is 1,024, macOS's 256.
pub fn limit_open_files(cmd: &mut Command, n: u64) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec, only setrlimit(2), which is async-signal-safe.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Raises this test process's own soft open-file limit to its hard one,
/// for a test that holds more sockets than the default 1,024.
pub fn raise_own_open_files() -> u64 {
    let mut now = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit on structs we own.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut now), 0);
        now.rlim_cur = now.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &now), 0);
    }
    now.rlim_cur
}

/// Bytes a process printed, as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn metric_value(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// Resident memory of a process, from /proc.
pub fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kb: u64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .expect("VmRSS");
    kb * 1024
}

/// Generates one `#[tokio::test]` per backend from an async fn taking a `Backend`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(super::common::Backend::Postgres).await }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() { super::$name(super::common::Backend::Sqlite).await }
            )*
        }
    };
}

/// One test of this file at a time, for tests that share a project name,
/// ports or the Docker engine: hold the guard for the whole test.
pub async fn turn() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::OnceLock<tokio::sync::Mutex<()>> = std::sync::OnceLock::new();
    LOCK.get_or_init(|| tokio::sync::Mutex::new(()))
        .lock()
        .await
}
