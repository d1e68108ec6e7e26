//! One supervised child process: started, watched, restarted on death with
//! backoff, and every death explained (exit code, signal, killed at its
//! memory limit) — what Docker's restart policy does for a container.
//!
//! The supervisor is a task behind a command channel; its state is shared
//! read-only through a mutex so `status` never waits for the child.

use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::process::Child;
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::child::{ChildSpec, signal, start, terminate};
use super::limit::MemoryLimit;
use crate::stack::exit::Exit;
use crate::stack::model::{Health, ServiceAction, StackEvent};

/// What `status` reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChildState {
    pub pid: Option<u32>,
    pub running: bool,
    pub health: Option<Health>,
    pub restarts: u64,
    pub oom_kills: u64,
    pub last_exit: Option<Exit>,
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

/// A supervisor's task: what it was given, and what it remembers between
/// runs of the child (whether it should run, how often it died quickly).
struct Supervision {
    spec: ChildSpec,
    state: Arc<Mutex<ChildState>>,
    events: broadcast::Sender<StackEvent>,
    commands: mpsc::Receiver<ServiceAction>,
    stop: CancellationToken,
    /// False after a Stop or Kill, until a Start or Restart.
    want_running: bool,
    /// Deaths soon after a start, for the backoff; reset by a long run.
    quick_deaths: u32,
    /// The next start follows a death: it is a restart, and says so.
    restarted: bool,
}

/// How one run of the child ended.
enum Ended {
    /// It exited; `deliberate` when a Stop, Restart or Kill asked it to.
    Exited {
        status: std::io::Result<ExitStatus>,
        deliberate: bool,
        ran_for: Duration,
    },
    /// The stack is stopping: the child was terminated and the task ends.
    Stopping,
}

/// Start, watch, explain, restart: one run of the child per turn, until the
/// stack stops.
async fn supervise(
    spec: ChildSpec,
    state: Arc<Mutex<ChildState>>,
    events: broadcast::Sender<StackEvent>,
    commands: mpsc::Receiver<ServiceAction>,
    stop: CancellationToken,
) {
    let mut s = Supervision {
        spec,
        state,
        events,
        commands,
        stop,
        want_running: true,
        quick_deaths: 0,
        restarted: false,
    };
    loop {
        if !s.want_running {
            if s.wait_for_start().await {
                continue;
            }
            return;
        }
        let oom_before = s.spec.limit.as_ref().and_then(MemoryLimit::oom_kills);
        let Some(mut child) = s.start_child().await else {
            if s.back_off().await {
                return;
            }
            continue;
        };
        let Ended::Exited {
            status,
            deliberate,
            ran_for,
        } = s.watch(&mut child).await
        else {
            return;
        };
        s.explain(&status, deliberate, oom_before).await;
        if deliberate {
            s.restarted = false;
            continue;
        }
        // Died on its own: restart with backoff, as a restart policy would.
        if ran_for > Duration::from_secs(30) {
            s.quick_deaths = 0;
        }
        if s.back_off().await {
            return;
        }
        update(&s.state, |st| st.restarts += 1);
        s.restarted = true;
    }
}

impl Supervision {
    fn send(&self, e: StackEvent) {
        let _ = self.events.send(e);
    }

    fn progress(&self, message: String) {
        self.send(StackEvent::Progress {
            service: self.spec.service.to_string(),
            message,
        });
    }

    /// Stopped on purpose: waits for a Start or Restart (true) or the end
    /// of the stack (false).
    async fn wait_for_start(&mut self) -> bool {
        tokio::select! {
            _ = self.stop.cancelled() => false,
            cmd = self.commands.recv() => match cmd {
                Some(ServiceAction::Start | ServiceAction::Restart) => {
                    self.want_running = true;
                    true
                }
                Some(_) => true,
                None => false,
            },
        }
    }

    /// Backoff after a death or a failed start; true when stopped meanwhile.
    async fn back_off(&mut self) -> bool {
        if backoff(&self.stop, self.quick_deaths).await {
            return true;
        }
        self.quick_deaths = self.quick_deaths.saturating_add(1);
        false
    }

    /// Starts the child and its health watch; `None` (said as progress)
    /// when it cannot be started.
    async fn start_child(&self) -> Option<(Child, CancellationToken)> {
        let child = match start(&self.spec).await {
            Ok(c) => c,
            Err(e) => {
                let program = self.spec.program.display();
                self.progress(format!("cannot start {program}: {e}"));
                return None;
            }
        };
        let pid = child.id();
        update(&self.state, |s| {
            s.pid = pid;
            s.running = true;
            s.health = None;
        });
        self.progress(format!("started (pid {})", pid.unwrap_or(0)));
        if self.restarted {
            let count = self.state.lock().map(|s| s.restarts).unwrap_or(0);
            self.send(StackEvent::Restarted {
                service: self.spec.service.to_string(),
                count,
            });
        }
        let child_done = CancellationToken::new();
        if let Some(url) = self.spec.health_url.clone() {
            tokio::spawn(watch_health(
                url,
                self.spec.service.to_string(),
                self.state.clone(),
                self.events.clone(),
                child_done.clone(),
            ));
        }
        Some((child, child_done))
    }

    /// Waits for the child to end, carrying out the commands meanwhile; on
    /// the stack's stop, terminates it.
    async fn watch(&mut self, (child, child_done): &mut (Child, CancellationToken)) -> Ended {
        let pid = child.id();
        let started = Instant::now();
        let mut deliberate = false;
        let status = loop {
            tokio::select! {
                status = child.wait() => break status,
                cmd = self.commands.recv() => {
                    let (sig, keep_running) = match cmd {
                        Some(ServiceAction::Start) => continue,
                        Some(ServiceAction::Stop) | None => (libc::SIGTERM, false),
                        Some(ServiceAction::Restart) => (libc::SIGTERM, true),
                        Some(ServiceAction::Kill) => (libc::SIGKILL, false),
                    };
                    self.want_running &= keep_running;
                    deliberate = true;
                    signal(pid, sig);
                }
                _ = self.stop.cancelled() => {
                    child_done.cancel();
                    terminate(child, pid).await;
                    update(&self.state, |s| { s.running = false; s.pid = None; s.health = None; });
                    return Ended::Stopping;
                }
            }
        };
        child_done.cancel();
        Ended::Exited {
            status,
            deliberate,
            ran_for: started.elapsed(),
        }
    }

    /// Says why the child ended (events, state, progress): a kill at the
    /// memory limit is told apart from a stop asked for.
    async fn explain(
        &self,
        status: &std::io::Result<ExitStatus>,
        deliberate: bool,
        oom_before: Option<u64>,
    ) {
        let (exit_code, sig) = match status {
            Ok(st) => {
                use std::os::unix::process::ExitStatusExt;
                (st.code().map(i64::from), st.signal())
            }
            Err(_) => (None, None),
        };
        let oom_after = self.spec.limit.as_ref().and_then(MemoryLimit::oom_kills);
        let killed_by_cgroup = matches!((oom_before, oom_after), (Some(b), Some(a)) if a > b);
        let refused_by_rlimit = matches!(self.spec.limit, Some(MemoryLimit::Rlimit { .. }))
            && log_mentions_allocation_failure(&self.spec.log).await;
        let oom = !deliberate && (killed_by_cgroup || refused_by_rlimit);
        let exit = match (exit_code, sig) {
            (_, Some(signal)) if killed_by_cgroup && !deliberate => Exit::OomKilled { signal },
            (_, Some(signal)) if oom => Exit::AllocationRefused { signal },
            (_, Some(s)) => Exit::Signal(s),
            (Some(c), None) => Exit::Code(c),
            (None, None) => Exit::Unknown,
        };
        let service = self.spec.service.to_string();
        if oom {
            self.send(StackEvent::OomKilled {
                service: service.clone(),
            });
        }
        self.send(StackEvent::Died {
            service,
            exit_code,
            signal: sig,
        });
        update(&self.state, |s| {
            s.running = false;
            s.pid = None;
            s.health = None;
            s.last_exit = Some(exit);
            if oom {
                s.oom_kills += 1;
            }
        });
        self.progress(format!("exited: {exit}"));
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
