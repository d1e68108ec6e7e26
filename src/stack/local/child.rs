//! One child process of the local stack: how it is run ([`ChildSpec`]),
//! started with its memory limit and its output appended to its log, and
//! signalled or terminated. The supervisor decides when; this does it.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use super::limit::MemoryLimit;
use crate::stack::service::Service;

/// How one child is run.
#[derive(Debug, Clone)]
pub(crate) struct ChildSpec {
    pub service: Service,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Variables of this process the child must not inherit.
    pub env_remove: Vec<String>,
    pub limit: Option<MemoryLimit>,
    /// Where stdout and stderr go (appended).
    pub log: PathBuf,
    /// Polled for health: 2xx is healthy.
    pub health_url: Option<String>,
}

pub(super) async fn start(spec: &ChildSpec) -> std::io::Result<Child> {
    let mut cmd = Command::new(&spec.program);
    for k in &spec.env_remove {
        cmd.env_remove(k);
    }
    cmd.args(&spec.args)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let setup = spec.limit.as_ref().map(|l| l.child_setup()).transpose()?;
    // SAFETY: `die_with_parent` and `apply` only make async-signal-safe
    // calls (prctl; see limit.rs for `apply`).
    unsafe {
        cmd.pre_exec(move || {
            die_with_parent();
            match &setup {
                Some(s) => s.apply(),
                None => Ok(()),
            }
        });
    }
    let mut child = cmd.spawn()?;
    let log = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&spec.log)
        .await?;
    let log = Arc::new(tokio::sync::Mutex::new(log));
    if let Some(out) = child.stdout.take() {
        tokio::spawn(copy_lines(out, log.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(copy_lines(err, log));
    }
    Ok(child)
}

async fn copy_lines(
    from: impl tokio::io::AsyncRead + Unpin,
    to: Arc<tokio::sync::Mutex<tokio::fs::File>>,
) {
    let mut lines = BufReader::new(from).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let mut f = to.lock().await;
        let _ = f.write_all(format!("{line}\n").as_bytes()).await;
    }
}

/// SIGTERM, then SIGKILL after 5 s: in-flight requests get to finish.
pub(super) async fn terminate(child: &mut Child, pid: Option<u32>) {
    signal(pid, libc::SIGTERM);
    if tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

pub(super) fn signal(pid: Option<u32>, sig: i32) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our child.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// A console killed outright (SIGKILL, a closed terminal that takes it
/// before its shutdown runs) must not leave `serve` or Prometheus behind
/// holding the ports: on Linux the kernel sends the child SIGTERM when its
/// parent thread dies. Tokio spawns from its worker threads, which live as
/// long as the runtime. Runs between fork and exec: prctl only.
fn die_with_parent() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_PDEATHSIG) has no memory effects.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
    }
}
