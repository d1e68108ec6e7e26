//! The accept loop both servers run (HTTP/1.1, which is what browsers,
//! consoles, curl and Prometheus speak to them).
//!
//! - A connection takes a permit of the cap. Without one, the oldest
//!   connection that has sent nothing is closed to make room (see `open`),
//!   and when none has, the newcomer is answered 503 and closed: a client
//!   holding a thousand idle sockets makes nobody wait more than a second.
//! - Headers must arrive within the header timeout, on a new connection and
//!   between requests, so idle and trickling clients give their permit back.
//! - An accept that fails (the machine ran out of files) is logged once in
//!   a while, not once a millisecond, and the loop waits a moment.
//! - On stop: no new connections, each open one finishes its request and
//!   closes; after the drain deadline the server returns anyway.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::Limits;
use super::open::Open;

/// Newcomers over the cap handled at once (waiting for room, or being
/// answered 503); past this one is closed without an answer: a flood.
pub(super) const REFUSING: usize = 32;
/// How long a refused connection is read from before its answer: a client
/// sends its request at once, a flood's socket sends nothing.
const REFUSAL_READ: Duration = Duration::from_millis(250);
/// How long a refusal may take to write.
const REFUSAL_WRITE: Duration = Duration::from_secs(1);
/// How long a newcomer waits for the room a closed silent connection makes.
const ROOM_WAIT: Duration = Duration::from_secs(1);
/// The pause after a failed accept.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);
/// At most one line about the same trouble in this long.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `stop` is cancelled, then drains for at
/// most `limits.drain`. `server` names it in the log.
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    stop: CancellationToken,
    limits: Limits,
    server: &'static str,
) {
    let served = Served {
        app,
        http: {
            let mut http = http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout);
            http
        },
        permits: Arc::new(Semaphore::new(limits.connections)),
        open: Arc::new(Open::new(limits.connections)),
        stop: stop.clone(),
    };
    let waiting = Arc::new(Semaphore::new(REFUSING));
    let mut accept_trouble = Throttled::default();
    let mut full = Throttled::default();
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    accept_trouble.warn(|n| tracing::warn!(
                        server, error = %e, times = n,
                        "cannot accept connections: the process is out of open files or memory; waiting"
                    ));
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
        };
        if let Ok(permit) = served.permits.clone().try_acquire_owned() {
            served.start(stream, peer, permit);
            continue;
        }
        full.warn(|n| {
            tracing::warn!(
                server,
                cap = limits.connections,
                times = n,
                "connection cap reached: silent connections make room, else newcomers are answered 503"
            )
        });
        // Over the cap: make room by closing a silent connection, in a task
        // of its own so the loop keeps accepting; a flood past what those
        // tasks may hold is closed at once.
        let Ok(waiter) = waiting.clone().try_acquire_owned() else {
            continue;
        };
        let served = served.clone();
        tokio::spawn(async move {
            let permit = if served.open.evict_one() {
                tokio::time::timeout(ROOM_WAIT, served.permits.clone().acquire_owned())
                    .await
                    .ok()
                    .and_then(Result::ok)
            } else {
                None
            };
            match permit {
                Some(permit) => served.start(stream, peer, permit),
                None => refuse(stream).await,
            }
            drop(waiter);
        });
    }
    drop(listener);
    let open = limits.connections - served.permits.available_permits();
    let everyone = u32::try_from(limits.connections).unwrap_or(u32::MAX);
    match tokio::time::timeout(limits.drain, served.permits.acquire_many(everyone)).await {
        Ok(_) => tracing::info!(server, "stopped: requests in flight finished"),
        Err(_) => tracing::warn!(
            server,
            open,
            drain_s = limits.drain.as_secs(),
            "stopped: requests still in flight after the drain deadline were dropped"
        ),
    }
}

/// What a connection is served with.
#[derive(Clone)]
struct Served {
    app: Router,
    http: http1::Builder,
    permits: Arc<Semaphore>,
    open: Arc<Open>,
    stop: CancellationToken,
}

impl Served {
    /// Serves one connection, holding `permit` until it closes. It closes
    /// after its request on a stop, or at once when asked to make room.
    fn start(&self, stream: TcpStream, peer: SocketAddr, permit: OwnedSemaphorePermit) {
        let _ = stream.set_nodelay(true);
        let conn = self.open.add(&self.stop);
        let close = conn.closing();
        let service =
            self.app
                .clone()
                .map_request(move |mut req: axum::http::Request<Incoming>| {
                    conn.asked();
                    req.extensions_mut().insert(ConnectInfo(peer));
                    req
                });
        let served = self
            .http
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        tokio::spawn(async move {
            let mut served = std::pin::pin!(served);
            let ended = tokio::select! {
                ended = served.as_mut() => ended,
                // Asked to make room, or the server stops (its child token).
                _ = close.cancelled() => {
                    served.as_mut().graceful_shutdown();
                    served.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            close.cancel();
            drop(permit);
        });
    }
}

/// The answer to a connection over the cap, written before its request is
/// read: the request is not served, so reading it first would only hold
/// the socket longer.
fn busy() -> &'static [u8] {
    static BUSY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BUSY.get_or_init(|| {
        let body = serde_json::to_string(&crate::http_error::ErrorBody {
            error: "the server is at its connection limit; retry in a second".into(),
            ..Default::default()
        })
        .unwrap_or_default()
            + "\n";
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\
             x-content-type-options: nosniff\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

/// Answers 503 and closes: after the request's head (or a moment of
/// silence), since a client that reads an answer before it sent its
/// request takes it for a broken server rather than a busy one.
async fn refuse(mut stream: TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    let _ = tokio::time::timeout(REFUSAL_READ, async {
        while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let _ = tokio::time::timeout(REFUSAL_WRITE, async {
        stream.write_all(busy()).await?;
        stream.shutdown().await
    })
    .await;
}

/// Counts a repeated trouble and lets it be logged once per [`LOG_EVERY`].
#[derive(Default)]
struct Throttled {
    last: Option<Instant>,
    since: u64,
}

impl Throttled {
    fn warn(&mut self, log: impl FnOnce(u64)) {
        self.since += 1;
        if self.last.is_none_or(|t| t.elapsed() >= LOG_EVERY) {
            log(self.since);
            self.last = Some(Instant::now());
            self.since = 0;
        }
    }
}
