//! The coach's board under a class: N simulated students, each sending a full
//! latency case's events at the pace of a real run compressed `--speed`
//! times, as the student's link does (a batch when something is new, a
//! heartbeat every 5 s). Two viewers follow the board's stream, as the
//! projector and the coach's laptop would.
//!
//! Measures how long a posted event takes to show on the board (from the
//! post to the first streamed snapshot that holds it), and the coach's
//! memory and CPU. Run with `benches/coach.sh` (a release build).
//!
//! ```sh
//! cargo run --release --example coach_load -- --students 200 --speed 10
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
    bin: String,
}

fn args() -> Args {
    let mut a = Args {
        students: 200,
        speed: 10.0,
        bin: "target/release/workshop".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--students" => a.students = value.parse().expect("--students: a whole number"),
            "--speed" => a.speed = value.parse().expect("--speed: a number, e.g. 10"),
            "--bin" => a.bin = value,
            other => panic!("unknown flag {other}: --students N, --speed X, --bin PATH"),
        }
    }
    a
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// (resident now, resident peak) in KiB, and CPU seconds, of `pid`.
fn usage(pid: u32) -> (u64, u64, f64) {
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
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    (kib("VmRSS:"), kib("VmHWM:"), ticks / 100.0)
}

/// When each (student, seq) was posted; the viewer fills in when it showed.
#[derive(Default)]
struct Watch {
    posted: HashMap<(String, u64), Instant>,
    shown: HashMap<String, u64>,
    latencies: Vec<Duration>,
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

async fn viewer(url: String, watch: Option<Arc<Mutex<Watch>>>) {
    let http = reqwest::Client::new();
    let Ok(mut response) = http.get(url).send().await else {
        return;
    };
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let message: String = buffer.drain(..end + 2).collect();
            let data: String = message
                .lines()
                .filter_map(|l| l.strip_prefix("data:"))
                .map(str::trim_start)
                .collect();
            if let (Some(w), Ok(board)) = (&watch, serde_json::from_str::<Value>(&data)) {
                let mut w = w.lock().expect("watch");
                w.snapshot(&board, data.len());
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
    for (at, event) in script() {
        let due = start + Duration::from_secs_f64(at / speed);
        // Heartbeats while waiting, every 5 s as the link sends them.
        while Instant::now() < due {
            let next = (last_post + Duration::from_secs(5)).min(due);
            tokio::time::sleep_until(next.into()).await;
            if Instant::now() < due {
                post(&http, &class, &name, &run, vec![]).await;
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
        post(&http, &class, &name, &run, vec![sent]).await;
        last_post = Instant::now();
    }
}

async fn post(http: &reqwest::Client, class: &str, name: &str, run: &str, events: Vec<Value>) {
    let batch = json!({"name": name, "run": run, "sent": chrono::Utc::now(), "events": events});
    match http
        .post(format!("{class}/events"))
        .json(&batch)
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => eprintln!("{name}: the coach said {}", r.status()),
        Err(e) => eprintln!("{name}: {e}"),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    let port = free_port();
    let coach = Killed(
        Command::new(&a.bin)
            .args(["coach", "--listen", &format!("127.0.0.1:{port}")])
            .args(["--code", "BENCH", "--token", "bench-token-0123456789"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}): build it first", a.bin)),
    );
    let pid = coach.0.id();
    let class = format!("http://127.0.0.1:{port}/class/BENCH");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http
            .get(format!("http://127.0.0.1:{port}/livez"))
            .send()
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (idle_rss, _, _) = usage(pid);
    let watch = Arc::new(Mutex::new(Watch::default()));
    let stream = format!("{class}/stream");
    let viewers = [
        tokio::spawn(viewer(stream.clone(), Some(watch.clone()))),
        tokio::spawn(viewer(stream, None)),
    ];
    let began = Instant::now();
    let mut students = Vec::new();
    for i in 0..a.students {
        // Students join over the first 10 s (compressed), not all at once.
        let delay = Duration::from_secs_f64(10.0 / a.speed * i as f64 / a.students as f64);
        let (class, watch) = (class.clone(), watch.clone());
        students.push(tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            student(i, class, a.speed, watch).await;
        }));
    }
    let mut peak_rss = 0;
    while !students.iter().all(|s| s.is_finished()) {
        peak_rss = peak_rss.max(usage(pid).0);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The last events' snapshot.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let took = began.elapsed();
    let (rss, hwm, cpu) = usage(pid);
    for v in viewers {
        v.abort();
    }
    let w = watch.lock().expect("watch");
    let mut lat = w.latencies.clone();
    lat.sort();
    let events = a.students * script().len();
    println!(
        "coach board, {} students, a latency case each at {}x its real pace",
        a.students, a.speed
    );
    println!(
        "  events posted           {events} in {:.1} s",
        took.as_secs_f64()
    );
    println!(
        "  shown on the board      {} (not shown: {})",
        lat.len(),
        w.posted.len()
    );
    println!(
        "  post -> board, ms       p50 {:.0}  p95 {:.0}  p99 {:.0}  max {:.0}",
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.95).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
    println!(
        "  snapshots streamed      {} (largest {} KiB)",
        w.snapshots,
        w.largest / 1024
    );
    println!(
        "  coach RSS, MiB          idle {:.1}  peak {:.1}  end {:.1}  (kernel peak {:.1})",
        idle_rss as f64 / 1024.0,
        peak_rss as f64 / 1024.0,
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    println!(
        "  coach CPU               {:.2} s ({:.0}% of a core)",
        cpu,
        cpu / took.as_secs_f64() * 100.0
    );
}
