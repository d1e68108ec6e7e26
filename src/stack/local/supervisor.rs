//! One supervised child process: started, watched, restarted on death with
//! backoff, and every death explained (exit code, signal, killed at its
//! memory limit) — what Docker's restart policy does for a container.
//!
//! The supervisor is a task behind a command channel; its state is shared
//! read-only through a mutex so `status` never waits for the child.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::limit::MemoryLimit;
use crate::stack::model::{Health, ServiceAction, StackEvent};

/// How one child is run.
#[derive(Debug, Clone)]
pub(crate) struct ChildSpec {
    pub name: String,
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

/// What `status` reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChildState {
    pub pid: Option<u32>,
    pub running: bool,
    pub health: Option<Health>,
    pub restarts: u64,
    pub oom_kills: u64,
    pub last_exit: Option<String>,
}

/// A running supervisor.
pub(crate) struct Supervisor {
    pub spec: ChildSpec,
    pub state: Arc<Mutex<ChildState>>,
    commands: mpsc::Sender<ServiceAction>,
    task: tokio::task::JoinHandle<()>,
}

impl Supervisor {
    pub(crate) fn spawn(
        spec: ChildSpec,
        events: broadcast::Sender<StackEvent>,
        stop: CancellationToken,
    ) -> Self {
        let state = Arc::new(Mutex::new(ChildState::default()));
        let (tx, rx) = mpsc::channel(8);
        let task = tokio::spawn(supervise(spec.clone(), state.clone(), events, rx, stop));
        Self {
            spec,
            state,
            commands: tx,
            task,
        }
    }

    pub(crate) fn snapshot(&self) -> ChildState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub(crate) async fn send(&self, action: ServiceAction) {
        let _ = self.commands.send(action).await;
    }

    /// Waits for the supervisor to finish (after its stop token is cancelled).
    pub(crate) async fn join(self) {
        let _ = self.task.await;
    }
}

fn update(state: &Mutex<ChildState>, f: impl FnOnce(&mut ChildState)) {
    if let Ok(mut s) = state.lock() {
        f(&mut s);
    }
}

async fn supervise(
    spec: ChildSpec,
    state: Arc<Mutex<ChildState>>,
    events: broadcast::Sender<StackEvent>,
    mut commands: mpsc::Receiver<ServiceAction>,
    stop: CancellationToken,
) {
    let send = |e: StackEvent| {
        let _ = events.send(e);
    };
    let progress = |m: String| {
        let _ = events.send(StackEvent::Progress {
            service: spec.name.clone(),
            message: m,
        });
    };
    let mut want_running = true;
    let mut quick_deaths: u32 = 0;
    let mut restarted = false;
    loop {
        if !want_running {
            tokio::select! {
                _ = stop.cancelled() => return,
                cmd = commands.recv() => match cmd {
                    Some(ServiceAction::Start | ServiceAction::Restart) => want_running = true,
                    Some(_) => {}
                    None => return,
                },
            }
            continue;
        }
        let oom_before = spec.limit.as_ref().and_then(MemoryLimit::oom_kills);
        let mut child = match start(&spec).await {
            Ok(c) => c,
            Err(e) => {
                progress(format!("cannot start {}: {e}", spec.program.display()));
                if backoff(&stop, quick_deaths).await {
                    return;
                }
                quick_deaths = quick_deaths.saturating_add(1);
                continue;
            }
        };
        let pid = child.id();
        update(&state, |s| {
            s.pid = pid;
            s.running = true;
            s.health = None;
        });
        progress(format!("started (pid {})", pid.unwrap_or(0)));
        if restarted {
            let count = state.lock().map(|s| s.restarts).unwrap_or(0);
            send(StackEvent::Restarted {
                service: spec.name.clone(),
                count,
            });
        }
        let child_done = CancellationToken::new();
        if let Some(url) = spec.health_url.clone() {
            tokio::spawn(watch_health(
                url,
                spec.name.clone(),
                state.clone(),
                events.clone(),
                child_done.clone(),
            ));
        }
        let started = Instant::now();
        let mut deliberate = false;
        let status = loop {
            tokio::select! {
                status = child.wait() => break status,
                cmd = commands.recv() => match cmd {
                    Some(ServiceAction::Start) => {}
                    Some(ServiceAction::Stop) | None => {
                        want_running = false;
                        deliberate = true;
                        signal(pid, libc::SIGTERM);
                    }
                    Some(ServiceAction::Restart) => {
                        deliberate = true;
                        signal(pid, libc::SIGTERM);
                    }
                    Some(ServiceAction::Kill) => {
                        want_running = false;
                        deliberate = true;
                        signal(pid, libc::SIGKILL);
                    }
                },
                _ = stop.cancelled() => {
                    child_done.cancel();
                    terminate(&mut child, pid).await;
                    update(&state, |s| { s.running = false; s.pid = None; s.health = None; });
                    return;
                }
            }
        };
        child_done.cancel();
        let (exit_code, sig) = match &status {
            Ok(st) => {
                use std::os::unix::process::ExitStatusExt;
                (st.code().map(i64::from), st.signal())
            }
            Err(_) => (None, None),
        };
        let oom_after = spec.limit.as_ref().and_then(MemoryLimit::oom_kills);
        let killed_by_cgroup = matches!((oom_before, oom_after), (Some(b), Some(a)) if a > b);
        let refused_by_rlimit = matches!(spec.limit, Some(MemoryLimit::Rlimit { .. }))
            && log_mentions_allocation_failure(&spec.log).await;
        let oom = !deliberate && (killed_by_cgroup || refused_by_rlimit);
        let reason = match (exit_code, sig) {
            (_, Some(s)) if killed_by_cgroup && !deliberate => {
                format!("signal {s} (killed by the kernel at its memory limit)")
            }
            (_, Some(s)) if oom => format!("signal {s} (allocation refused at its memory limit)"),
            (_, Some(s)) => format!("signal {s}"),
            (Some(c), None) => format!("exit code {c}"),
            (None, None) => "unknown".into(),
        };
        if oom {
            send(StackEvent::OomKilled {
                service: spec.name.clone(),
            });
        }
        send(StackEvent::Died {
            service: spec.name.clone(),
            exit_code,
            signal: sig,
        });
        update(&state, |s| {
            s.running = false;
            s.pid = None;
            s.health = None;
            s.last_exit = Some(reason.clone());
            if oom {
                s.oom_kills += 1;
            }
        });
        progress(format!("exited: {reason}"));
        if deliberate {
            restarted = false;
            continue;
        }
        // Died on its own: restart with backoff, as a restart policy would.
        if started.elapsed() > Duration::from_secs(30) {
            quick_deaths = 0;
        }
        if backoff(&stop, quick_deaths).await {
            return;
        }
        quick_deaths = quick_deaths.saturating_add(1);
        update(&state, |s| s.restarts += 1);
        restarted = true;
    }
}

/// 250 ms doubling per quick death, at most 8 s. True when stopped meanwhile.
async fn backoff(stop: &CancellationToken, quick_deaths: u32) -> bool {
    let delay = Duration::from_millis(250) * 2u32.saturating_pow(quick_deaths.min(5));
    tokio::select! {
        _ = stop.cancelled() => true,
        _ = tokio::time::sleep(delay.min(Duration::from_secs(8))) => false,
    }
}

async fn start(spec: &ChildSpec) -> std::io::Result<Child> {
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
async fn terminate(child: &mut Child, pid: Option<u32>) {
    signal(pid, libc::SIGTERM);
    if tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

fn signal(pid: Option<u32>, sig: i32) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill has no memory-safety preconditions; the pid is our child.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Rust prints "memory allocation of N bytes failed" before aborting.
async fn log_mentions_allocation_failure(log: &std::path::Path) -> bool {
    let Ok(text) = tokio::fs::read_to_string(log).await else {
        return false;
    };
    let tail: Vec<&str> = text.lines().rev().take(5).collect();
    tail.iter().any(|l| l.contains("memory allocation of"))
}

/// Polls the health URL every 500 ms until the child ends; reports changes.
async fn watch_health(
    url: String,
    service: String,
    state: Arc<Mutex<ChildState>>,
    events: broadcast::Sender<StackEvent>,
    done: CancellationToken,
) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
    {
        Ok(c) => c,
        Err(_) => return,
    };
    let mut last = None;
    loop {
        let ok = matches!(client.get(&url).send().await, Ok(r) if r.status().is_success());
        let health = if ok {
            Health::Healthy
        } else if last.is_none() || last == Some(Health::Starting) {
            Health::Starting
        } else {
            Health::Unhealthy
        };
        if done.is_cancelled() {
            return;
        }
        if last != Some(health) {
            last = Some(health);
            update(&state, |s| s.health = Some(health));
            let _ = events.send(StackEvent::HealthChanged {
                service: service.clone(),
                health,
            });
        }
        tokio::select! {
            _ = done.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
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
