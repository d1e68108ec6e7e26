//! The accept loop both servers run (HTTP/1.1, which is what browsers,
//! consoles, curl and Prometheus speak to them).
//!
//! - A connection takes a permit of the cap; without one it is answered
//!   503 at once and closed, so a client that holds hundreds of sockets
//!   makes newcomers wait a second, never hang.
//! - Headers must arrive within the header timeout, on a new connection and
//!   between requests, so idle and trickling clients give their permit back.
//! - An accept that fails (the machine ran out of files) is logged once in
//!   a while, not once a millisecond, and the loop waits a moment.
//! - On stop: no new connections, each open one finishes its request and
//!   closes; after the drain deadline the server returns anyway.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::Limits;

/// Connections being refused at once; past this a refused one is closed
/// without an answer (it is already a flood).
pub(super) const REFUSING: usize = 32;
/// How long a refusal may take to write.
const REFUSAL_WRITE: Duration = Duration::from_secs(1);
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
    let permits = Arc::new(Semaphore::new(limits.connections));
    let refusing = Arc::new(Semaphore::new(REFUSING));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
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
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            full.warn(|n| {
                tracing::warn!(
                    server,
                    cap = limits.connections,
                    refused = n,
                    "connection cap reached: new clients are answered 503 until some close"
                )
            });
            refuse(stream, &refusing);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: axum::http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let served = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = served.await {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    let open = graceful.count();
    match tokio::time::timeout(limits.drain, graceful.shutdown()).await {
        Ok(()) => tracing::info!(server, "stopped: requests in flight finished"),
        Err(_) => tracing::warn!(
            server,
            open,
            drain_s = limits.drain.as_secs(),
            "stopped: requests still in flight after the drain deadline were dropped"
        ),
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
        .unwrap_or_default();
        format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
             content-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\
             x-content-type-options: nosniff\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

/// Answers 503 and closes, without a permit of the cap; closes at once
/// when too many refusals are already being written.
fn refuse(mut stream: TcpStream, refusing: &Arc<Semaphore>) {
    let Ok(permit) = refusing.clone().try_acquire_owned() else {
        return;
    };
    tokio::spawn(async move {
        let _ = tokio::time::timeout(REFUSAL_WRITE, async {
            stream.write_all(busy()).await?;
            stream.shutdown().await?;
            // Read what the client sent before closing: closing a socket
            // with unread data resets it, and the client might lose the 503.
            let mut sink = [0u8; 1024];
            while stream.read(&mut sink).await? > 0 {}
            Ok::<_, std::io::Error>(())
        })
        .await;
        drop(permit);
    });
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
