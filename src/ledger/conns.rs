//! The ledger's own pool of PostgreSQL connections.
//!
//! sqlx's pool sends a `Sync` and waits for `ReadyForQuery` every time a
//! connection goes back to it (`return_to_pool` in sqlx-core 0.9, on a task of
//! its own), whatever the options say. For a balance read that is a second
//! round trip and a second task after the one that does the work; measured
//! with tshark and callgrind, it cost about a third of the read (see
//! benches/README.md). This pool keeps what the ledger needs and nothing more:
//!
//! - at most `max` connections, waited for in turn (a semaphore), with the
//!   same 30 s acquire timeout the ledger had;
//! - a connection goes back only when the caller says its work finished
//!   ([`Conn::release`]); one dropped on an error or a cancelled request is
//!   closed, so a half-read answer or an open transaction never reaches the
//!   next request;
//! - one idle for more than 30 s is pinged before it is handed out, so a
//!   restarted database costs a reconnect, not a failed request.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);
const STALE_AFTER: Duration = Duration::from_secs(30);

struct Idle {
    conn: PgConnection,
    since: Instant,
}

struct Inner {
    options: PgConnectOptions,
    idle: Mutex<Vec<Idle>>,
    permits: Arc<Semaphore>,
    open: AtomicU32,
    max: u32,
}

impl Inner {
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Idle>> {
        // The list is only pushed and popped; a panic elsewhere cannot leave
        // it half-changed, so a poisoned lock is still a sound list.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone)]
pub(super) struct Conns {
    inner: Arc<Inner>,
}

impl Conns {
    /// A pool of at most `max` connections (at least one), the first of them
    /// `first`, already open.
    pub(super) fn new(options: PgConnectOptions, max: u32, first: PgConnection) -> Self {
        let max = max.max(1);
        let inner = Inner {
            options,
            idle: Mutex::new(vec![Idle {
                conn: first,
                since: Instant::now(),
            }]),
            permits: Arc::new(Semaphore::new(max as usize)),
            open: AtomicU32::new(1),
            max,
        };
        Self {
            inner: Arc::new(inner),
        }
    }

    pub(super) fn options(&self) -> &PgConnectOptions {
        &self.inner.options
    }

    /// Connections open (idle or in use) and idle, for the metrics.
    pub(super) fn open_and_idle(&self) -> (u32, u32) {
        let idle = u32::try_from(self.inner.idle().len()).unwrap_or(u32::MAX);
        (self.inner.open.load(Ordering::Relaxed), idle)
    }

    pub(super) fn max(&self) -> u32 {
        self.inner.max
    }

    /// Waits for a free place (at most 30 s), then hands out the most
    /// recently used idle connection, or opens one.
    pub(super) async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        let permit = tokio::time::timeout(
            ACQUIRE_TIMEOUT,
            Arc::clone(&self.inner.permits).acquire_owned(),
        )
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)?
        .map_err(|_| sqlx::Error::PoolClosed)?;
        loop {
            let idle = self.inner.idle().pop();
            let Some(Idle { mut conn, since }) = idle else {
                break;
            };
            if since.elapsed() <= STALE_AFTER || conn.ping().await.is_ok() {
                return Ok(self.hand_out(conn, permit));
            }
            self.inner.open.fetch_sub(1, Ordering::Relaxed);
        }
        let conn = self.inner.options.connect().await?;
        self.inner.open.fetch_add(1, Ordering::Relaxed);
        Ok(self.hand_out(conn, permit))
    }

    fn hand_out(&self, conn: PgConnection, permit: OwnedSemaphorePermit) -> Conn {
        Conn {
            conn: Some(conn),
            inner: Arc::clone(&self.inner),
            _permit: permit,
        }
    }
}

/// A connection taken from [`Conns`]. Give it back with [`Conn::release`]
/// once its work finished; dropping it closes it.
pub(super) struct Conn {
    conn: Option<PgConnection>,
    inner: Arc<Inner>,
    // Dropped after the connection is back in the idle list (fields drop
    // after `Drop::drop`), so the next waiter finds it there.
    _permit: OwnedSemaphorePermit,
}

impl Conn {
    pub(super) fn release(mut self) {
        if let Some(conn) = self.conn.take() {
            self.inner.idle().push(Idle {
                conn,
                since: Instant::now(),
            });
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if self.conn.take().is_some() {
            // Its socket closes as the connection drops; PostgreSQL rolls
            // back whatever it had open.
            self.inner.open.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

impl Deref for Conn {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        // Some until `release` or `drop`, both of which consume the Conn.
        self.conn
            .as_ref()
            .expect("a Conn holds its connection until released")
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.conn
            .as_mut()
            .expect("a Conn holds its connection until released")
    }
}
