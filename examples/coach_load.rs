//! The coach's board under a class: N simulated students, each sending a full
//! latency case's events at the pace of a real run compressed `--speed`
//! times, as the student's link does (a batch when something is new, a
//! heartbeat every 5 s), while `--viewers` follow the board's stream (the
//! projector, the coach's laptop, and as many more as a class opens).
//!
//! Measures how long a student's post takes (the request, answered), how
//! long a posted event takes to show on the board (from the post to the
//! first streamed snapshot that holds it), and the coach's memory and CPU
//! over the run. Run with `benches/coach.sh` (a release build).
//!
//! ```sh
//! cargo run --release --example coach_load -- --students 200 --speed 10 --viewers 200
//! ```

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// A latency case as a real run walks it (seconds since the case started,
/// event), as a real `workshop run latency` journaled them (`--journal`)
/// on a local stack here: 180 s from start to finish.
fn script() -> Vec<(f64, Value)> {
    let case = "latency";
    let phase = |p: &str| json!({"kind": "phase", "case": case, "phase": p});
    let check = |p: &str, id: &str, after: f64| json!({"kind": "check", "case": case, "phase": p, "id": id, "passed": true, "after_s": after});
    vec![
        (0.0, json!({"kind": "case_started", "case": case})),
        (0.1, phase("baseline")),
        (60.5, check("baseline", "baseline-p95-fast", 15.3)),
        (60.5, check("baseline", "baseline-no-errors", 15.3)),
        (60.5, phase("inject")),
        (60.5, json!({"kind": "faults", "active": true})),
        (60.5, phase("detect")),
        (77.0, check("detect", "p95-above-objective", 16.6)),
        (77.0, check("detect", "p95-times-baseline", 16.6)),
        (77.0, check("detect", "rps-steady", 16.6)),
        (
            101.7,
            json!({"kind": "alert", "case": case, "name": "HighLatency", "fired": true, "after_s": 41.2}),
        ),
        (102.7, check("detect", "high-latency-firing", 42.2)),
        (102.7, phase("respond")),
        (102.7, phase("recover")),
        (179.5, check("recover", "p95-back-to-normal", 76.8)),
        (179.5, check("recover", "high-latency-cleared", 76.8)),
        (179.5, phase("rollback")),
        (179.5, json!({"kind": "faults", "active": false})),
        (
            179.5,
            json!({"kind": "case_finished", "case": case, "passed": true, "aborted": false}),
        ),
        (
            179.6,
            json!({"kind": "app_counts", "case": case, "oom_kills": 0, "restarts": 0}),
        ),
    ]
}

struct Args {
    students: usize,
    speed: f64,
    viewers: usize,
    bin: String,
}

fn args() -> Args {
    let mut a = Args {
        students: 200,
        speed: 10.0,
        viewers: 2,
        bin: "target/release/workshop".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--students" => a.students = value.parse().expect("--students: a whole number"),
            "--speed" => a.speed = value.parse().expect("--speed: a number, e.g. 10"),
            "--viewers" => a.viewers = value.parse().expect("--viewers: a whole number, 1 or more"),
            "--bin" => a.bin = value,
            other => panic!("unknown flag {other}: --students N --speed X --viewers N --bin PATH"),
        }
    }
    a.viewers = a.viewers.max(1);
    a
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// What `/proc` says of the coach at one moment: resident memory now and
/// the kernel's peak of it (KiB), user and system time of all its threads (s).
#[derive(Clone, Copy)]
struct Usage {
    rss: u64,
    hwm: u64,
    cpu: f64,
}

fn usage(pid: u32) -> Usage {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // utime and stime, the 14th and 15th fields: the 12th and 13th after the `(comm)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    Usage {
        rss: kib("VmRSS:"),
        hwm: kib("VmHWM:"),
        cpu: ticks / 100.0,
    }
}

/// When each (student, seq) was posted; the timed viewer fills in when it
/// showed. Each post's own time, answered or not.
#[derive(Default)]
struct Watch {
    posted: HashMap<(String, u64), Instant>,
    shown: HashMap<String, u64>,
    latencies: Vec<Duration>,
    posts: Vec<Duration>,
    failed: usize,
    snapshots: usize,
    largest: usize,
}

impl Watch {
    fn snapshot(&mut self, board: &Value, size: usize) {
        let now = Instant::now();
        self.snapshots += 1;
        self.largest = self.largest.max(size);
        for row in board["students"].as_array().into_iter().flatten() {
            let (Some(name), Some(seq)) = (row["name"].as_str(), row["seq"].as_u64()) else {
                continue;
            };
            let before = self.shown.insert(name.to_string(), seq).unwrap_or(0);
            for s in before + 1..=seq {
                if let Some(at) = self.posted.remove(&(name.to_string(), s)) {
                    self.latencies.push(now - at);
                }
            }
        }
    }
}

/// Follows the stream: the timed viewer parses every board, the others
/// only read it (so the bench's own CPU stays off the coach's two cores)
/// and count its bytes into `streamed`.
async fn viewer(url: String, watch: Option<Arc<Mutex<Watch>>>, streamed: Arc<Mutex<u64>>) {
    let http = reqwest::Client::new();
    let Ok(mut response) = http.get(url).send().await else {
        eprintln!("a viewer could not open the stream");
        return;
    };
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        *streamed.lock().expect("streamed") += chunk.len() as u64;
        let Some(w) = &watch else {
            continue;
        };
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            let data: String = message
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if let Ok(board) = serde_json::from_str::<Value>(&data) {
                w.lock().expect("watch").snapshot(&board, data.len());
            }
        }
    }
}

async fn student(i: usize, class: String, speed: f64, watch: Arc<Mutex<Watch>>) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(3))
        .build()
        .expect("client");
    let name = format!("student {i:03}");
    let run = format!("bench-{i}");
    let start = Instant::now();
    let mut seq = 0;
    let mut last_post = Instant::now();
    let post = async |events: Vec<Value>| {
        let took = post(&http, &class, &name, &run, events).await;
        let mut w = watch.lock().expect("watch");
        match took {
            Some(took) => w.posts.push(took),
            None => w.failed += 1,
        }
    };
    for (at, event) in script() {
        let due = start + Duration::from_secs_f64(at / speed);
        // Heartbeats while waiting, every 5 s as the link sends them.
        while Instant::now() < due {
            let next = (last_post + Duration::from_secs(5)).min(due);
            tokio::time::sleep_until(next.into()).await;
            if Instant::now() < due {
                post(vec![]).await;
                last_post = Instant::now();
            }
        }
        seq += 1;
        let sent = json!({"seq": seq, "at": chrono::Utc::now(), "event": event});
        watch
            .lock()
            .expect("watch")
            .posted
            .insert((name.clone(), seq), Instant::now());
        post(vec![sent]).await;
        last_post = Instant::now();
    }
}

/// One post, answered and its answer read: how long it took; `None` when
/// it failed or was refused.
async fn post(
    http: &reqwest::Client,
    class: &str,
    name: &str,
    run: &str,
    events: Vec<Value>,
) -> Option<Duration> {
    let batch = json!({"name": name, "run": run, "sent": chrono::Utc::now(), "events": events});
    let began = Instant::now();
    let sent = http.post(format!("{class}/events")).json(&batch).send();
    match sent.await {
        Ok(r) if r.status().is_success() => r.bytes().await.ok().map(|_| began.elapsed()),
        Ok(r) => {
            eprintln!("{name}: the coach said {}", r.status());
            None
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            None
        }
    }
}

/// `p50 … p95 … p99 … max` of `times`, in ms.
fn spread(times: &[Duration]) -> String {
    let mut sorted = times.to_vec();
    sorted.sort();
    let ms = |p: f64| {
        let i = ((sorted.len().max(1) - 1) as f64 * p).round() as usize;
        sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let (p50, p95, p99, max) = (ms(0.5), ms(0.95), ms(0.99), ms(1.0));
    format!("p50 {p50:.0}  p95 {p95:.0}  p99 {p99:.0}  max {max:.0}")
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A `workshop coach` on a free loopback port, answering; its class URL.
async fn start_coach(bin: &str) -> (Killed, String) {
    let port = free_port();
    let coach = Killed(
        Command::new(bin)
            .args(["coach", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--code", "BENCH", "--token", "bench-token-0123456789"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} ({e}): build it first")),
    );
    let livez = format!("http://127.0.0.1:{port}/livez");
    for _ in 0..100 {
        if reqwest::get(&livez).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (coach, format!("http://127.0.0.1:{port}/class/BENCH"))
}

/// What one run measured.
struct Run {
    took: Duration,
    idle: Usage,
    peak_rss: u64,
    began: Usage,
    end: Usage,
    streamed: u64,
}

/// Plays the class at `class` with `a.viewers` on its stream, sampling the
/// coach (`pid`) every 200 ms until the last student is through.
async fn play(a: &Args, class: &str, pid: u32, watch: &Arc<Mutex<Watch>>) -> Run {
    let idle = usage(pid);
    let streamed = Arc::new(Mutex::new(0));
    let stream = format!("{class}/stream");
    let viewers: Vec<_> = (0..a.viewers)
        .map(|i| {
            let timed = (i == 0).then(|| watch.clone());
            tokio::spawn(viewer(stream.clone(), timed, streamed.clone()))
        })
        .collect();
    // The viewers are on the stream before the first student posts.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let began_at = Instant::now();
    let began = usage(pid);
    let students: Vec<_> = (0..a.students)
        .map(|i| {
            // Students join over one heartbeat period (5 s, not compressed),
            // as a class that joined over minutes: some student posts at
            // every moment, and the board changes all the time.
            let delay = Duration::from_secs_f64(5.0 * i as f64 / a.students as f64);
            let (class, watch, speed) = (class.to_string(), watch.clone(), a.speed);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                student(i, class, speed, watch).await;
            })
        })
        .collect();
    let mut peak_rss = 0;
    while !students.iter().all(|s| s.is_finished()) {
        peak_rss = peak_rss.max(usage(pid).rss);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The last events' snapshot.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let end = usage(pid);
    let took = began_at.elapsed();
    for v in viewers {
        v.abort();
    }
    let streamed = *streamed.lock().expect("streamed");
    Run {
        took,
        idle,
        peak_rss,
        began,
        end,
        streamed,
    }
}

fn report(a: &Args, run: &Run, w: &Watch) {
    let secs = run.took.as_secs_f64();
    let mib = |kib: u64| kib as f64 / 1024.0;
    let events = a.students * script().len();
    println!(
        "coach board, {} students, a latency case each at {}x its real pace, {} viewers",
        a.students, a.speed, a.viewers
    );
    println!("  events posted           {events} in {secs:.1} s");
    println!(
        "  posts answered, ms      {}  ({} posts, {} failed)",
        spread(&w.posts),
        w.posts.len(),
        w.failed
    );
    println!(
        "  shown on the board      {} (not shown: {})",
        w.latencies.len(),
        w.posted.len()
    );
    println!("  post -> board, ms       {}", spread(&w.latencies));
    println!(
        "  snapshots streamed      {} to the timed viewer (largest {} KiB); {:.1} MiB/s to all viewers",
        w.snapshots,
        w.largest / 1024,
        run.streamed as f64 / secs / (1024.0 * 1024.0)
    );
    println!(
        "  coach RSS, MiB          idle {:.1}  peak {:.1}  end {:.1}  (kernel peak {:.1})",
        mib(run.idle.rss),
        mib(run.peak_rss),
        mib(run.end.rss),
        mib(run.end.hwm)
    );
    let cpu = run.end.cpu - run.began.cpu;
    println!(
        "  coach CPU               {cpu:.2} s over the run ({:.0}% of a core)",
        cpu / secs * 100.0
    );
}

#[tokio::main]
async fn main() {
    let a = args();
    let (coach, class) = start_coach(&a.bin).await;
    let watch = Arc::new(Mutex::new(Watch::default()));
    let run = play(&a, &class, coach.0.id(), &watch).await;
    report(&a, &run, &watch.lock().expect("watch"));
}
