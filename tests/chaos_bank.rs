//! The bank invariant under chaos, after the classic bank test for
//! databases: many clients make random transfers with idempotency keys,
//! retrying with the same key on errors and timeouts, while a chaos schedule
//! toggles faults, SIGKILLs and restarts `workshop serve`, and restarts
//! PostgreSQL. Afterwards no money has appeared or vanished, no balance is
//! negative, every acknowledged transfer is in the ledger exactly once, and
//! no key was applied twice.
//!
//! It runs on a PostgreSQL cluster of its own (restarting the shared one
//! would break the other tests), all on loopback, for about a minute.

mod common;

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{Serve, Server, free_port};
use rand::Rng;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use tokio::sync::Mutex;

const CHAOS_FOR: Duration = Duration::from_secs(60);
const CLIENTS: usize = 24;

struct Cluster {
    dir: String,
    url: String,
}

impl Cluster {
    fn start() -> Self {
        let root = env!("CARGO_MANIFEST_DIR");
        let out = Command::new(format!("{root}/scripts/pg-throwaway"))
            .arg("start")
            .output()
            .expect("scripts/pg-throwaway");
        assert!(
            out.status.success(),
            "cannot start a PostgreSQL cluster for the chaos test: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}='")))
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or_else(|| panic!("{name} missing from pg-throwaway output:\n{text}"))
                .to_string()
        };
        Cluster {
            dir: var("PGTHROWAWAY_DIR"),
            url: var("WORKSHOP_TEST_PG"),
        }
    }
}

/// A fast restart of the cluster in `dir`, same port.
fn restart_cluster(dir: &str) {
    let root = env!("CARGO_MANIFEST_DIR");
    let status = Command::new(format!("{root}/scripts/pg-throwaway"))
        .args(["restart", dir])
        .stdout(Stdio::null())
        .status()
        .expect("restart");
    assert!(status.success(), "PostgreSQL did not restart");
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let root = env!("CARGO_MANIFEST_DIR");
        let _ = Command::new(format!("{root}/scripts/pg-throwaway"))
            .args(["stop", &self.dir])
            .status();
    }
}

/// A `serve` on the chaos cluster, on `port` (a restart comes back there),
/// not waited for; only its errors logged, and those not shown.
fn spawn_serve(db: &str, port: u16) -> Server {
    Serve::on_port(db, port)
        .env("RUST_LOG", "error")
        .stderr(Stdio::null())
        .spawn()
}

#[derive(Default)]
struct Tally {
    acknowledged: Mutex<HashMap<String, String>>,
    refused: AtomicU64,
    retries: AtomicU64,
    kills: AtomicU64,
    serve_restarts: AtomicU64,
    db_restarts: AtomicU64,
    toggles: AtomicU64,
}

/// One transfer, retried with the same key until the API gives a final answer.
async fn transfer(http: &reqwest::Client, url: &str, tally: &Tally, stop: &AtomicBool) {
    let (from, to, cents) = {
        let mut rng = rand::rng();
        let from: u32 = rng.random_range(1..=10);
        let to = (from - 1 + rng.random_range(1..10)) % 10 + 1;
        (from, to, rng.random_range(1..=5000u32))
    };
    let key = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "from_account": format!("ACC-{from:03}"),
        "to_account": format!("ACC-{to:03}"),
        "amount": f64::from(cents) / 100.0,
    });
    for attempt in 0.. {
        if attempt > 0 {
            tally.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // After the chaos stops, a transfer keeps retrying until it has a
        // final answer: every started transfer ends known.
        if attempt > 400 || (stop.load(Ordering::Relaxed) && attempt > 200) {
            panic!("transfer {key} never got a final answer");
        }
        let sent = http
            .post(format!("{url}/api/transfer"))
            .header("Idempotency-Key", &key)
            .json(&body)
            .send()
            .await;
        let Ok(resp) = sent else { continue };
        let status = resp.status().as_u16();
        let reply: Value = resp.json().await.unwrap_or(Value::Null);
        match status {
            200 => {
                let id = reply["transaction_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let mut acked = tally.acknowledged.lock().await;
                if let Some(previous) = acked.insert(key.clone(), id.clone()) {
                    assert_eq!(previous, id, "key {key} answered two transaction ids");
                }
                return;
            }
            // Insufficient funds: the ledger's state refuses it.
            409 => {
                tally.refused.fetch_add(1, Ordering::Relaxed);
                return;
            }
            s if s >= 500 => continue,
            other => panic!("unexpected {other} for {key}: {reply}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_is_conserved_and_each_acknowledged_transfer_is_applied_once_under_chaos() {
    let cluster = Cluster::start();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let serve = Arc::new(Mutex::new(spawn_serve(&cluster.url, port)));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let ready = |http: reqwest::Client, url: String| async move {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(60) {
            if let Ok(r) = http.get(format!("{url}/readyz")).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("serve never became ready");
    };
    ready(http.clone(), url.clone()).await;
    let balances = |http: reqwest::Client, url: String| async move {
        let v: Value = http
            .get(format!("{url}/api/accounts"))
            .send()
            .await
            .expect("accounts")
            .json()
            .await
            .expect("json");
        v["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .map(|a| {
                a["balance"]
                    .to_string()
                    .parse::<Decimal>()
                    .expect("decimal")
            })
            .collect::<Vec<_>>()
    };
    let start_total: Decimal = balances(http.clone(), url.clone()).await.iter().sum();

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (http, url, tally, stop) = (http.clone(), url.clone(), tally.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                transfer(&http, &url, &tally, &stop).await;
            }
        }));
    }

    // The chaos schedule: every 1.5 s one of the disruptions below.
    let chaos_started = Instant::now();
    let mut step = 0u32;
    while chaos_started.elapsed() < CHAOS_FOR {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        step += 1;
        let fault = match step % 8 {
            0 => Some(json!({"error_rate": 30})),
            1 => Some(json!({"latency_ms": 300, "latency_jitter_ms": 200})),
            2 => Some(json!({"db_slow": true, "db_slow_ms": 500})),
            3 => Some(json!({"db_fail": true})),
            5 => None,
            _ => Some(json!({})),
        };
        match (step % 8, fault) {
            (4, _) => {
                let _ = http.post(format!("{url}/api/reset")).send().await;
                tally.toggles.fetch_add(1, Ordering::Relaxed);
            }
            (5, _) => {
                // SIGKILL mid-flight, then a restart on the same port.
                let mut child = serve.lock().await;
                child.kill();
                tally.kills.fetch_add(1, Ordering::Relaxed);
                *child = spawn_serve(&cluster.url, port);
                tally.serve_restarts.fetch_add(1, Ordering::Relaxed);
            }
            (6, _) => {
                let dir = cluster.dir.clone();
                tokio::task::spawn_blocking(move || restart_cluster(&dir))
                    .await
                    .expect("restart task");
                tally.db_restarts.fetch_add(1, Ordering::Relaxed);
            }
            (_, Some(f)) if f != json!({}) => {
                let _ = http
                    .post(format!("{url}/api/failures"))
                    .json(&f)
                    .send()
                    .await;
                tally.toggles.fetch_add(1, Ordering::Relaxed);
            }
            _ => {}
        }
    }

    // Calm: clear the faults and let every started transfer reach a final answer.
    ready(http.clone(), url.clone()).await;
    let _ = http.post(format!("{url}/api/reset")).send().await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client task");
    }

    let after = balances(http.clone(), url.clone()).await;
    let total: Decimal = after.iter().sum();
    assert_eq!(total, start_total, "money appeared or vanished");
    assert!(after.iter().all(|b| *b >= Decimal::ZERO), "{after:?}");

    let pool = sqlx::PgPool::connect(&cluster.url).await.expect("connect");
    let rows: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT transaction_id, idempotency_key FROM transfers")
            .fetch_all(&pool)
            .await
            .expect("rows");
    pool.close().await;
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (id, _) in &rows {
        *ids.entry(id.as_str()).or_default() += 1;
    }
    let keys: Vec<&str> = rows.iter().filter_map(|(_, k)| k.as_deref()).collect();
    let distinct: HashSet<&str> = keys.iter().copied().collect();
    assert_eq!(
        keys.len(),
        distinct.len(),
        "an idempotency key was applied twice"
    );
    let acked = tally.acknowledged.lock().await;
    for (key, id) in acked.iter() {
        assert_eq!(
            ids.get(id.as_str()),
            Some(&1),
            "acknowledged transfer {id} (key {key}) is not in the ledger exactly once"
        );
    }
    println!(
        "chaos: {} transfers acknowledged, {} refused (funds), {} rows in the ledger, {} retries, \
         {} fault toggles, {} serve kills, {} serve restarts, {} PostgreSQL restarts",
        acked.len(),
        tally.refused.load(Ordering::Relaxed),
        rows.len(),
        tally.retries.load(Ordering::Relaxed),
        tally.toggles.load(Ordering::Relaxed),
        tally.kills.load(Ordering::Relaxed),
        tally.serve_restarts.load(Ordering::Relaxed),
        tally.db_restarts.load(Ordering::Relaxed),
    );
    assert!(
        acked.len() > 100,
        "too little traffic got through to prove anything"
    );
    assert!(
        tally.kills.load(Ordering::Relaxed) >= 3 && tally.db_restarts.load(Ordering::Relaxed) >= 3
    );
    drop(serve);
}
