//! The connections a server holds, oldest first, and which of them may
//! make room for a newcomer: one that has not sent a whole request yet,
//! after a grace of half a second (an idle socket, or a trickled header). A
//! connection that has sent a request is never closed for a newcomer.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

/// How long a new connection has to send its first request before it may
/// be closed to make room: a browser or a script sends it with the
/// handshake's last packet, a few milliseconds even on a slow Wi-Fi.
pub(super) const GRACE: Duration = Duration::from_millis(500);

/// One connection as the registry sees it.
#[derive(Clone)]
pub(super) struct Conn {
    accepted: Instant,
    /// Set by the connection's first request.
    asked: Arc<AtomicBool>,
    /// Cancelled to ask the connection to close (it closes at once when no
    /// request is under way), and by the connection itself when it ends.
    close: CancellationToken,
}

impl Conn {
    /// Marks that a request arrived on it.
    pub(super) fn asked(&self) {
        self.asked.store(true, Ordering::Relaxed);
    }

    /// Cancelled when the connection must close, or has.
    pub(super) fn closing(&self) -> CancellationToken {
        self.close.clone()
    }

    fn evictable(&self, now: Instant) -> bool {
        !self.close.is_cancelled()
            && !self.asked.load(Ordering::Relaxed)
            && now.duration_since(self.accepted) >= GRACE
    }

    fn settled(&self) -> bool {
        self.close.is_cancelled() || self.asked.load(Ordering::Relaxed)
    }
}

/// The open connections that have not asked anything yet, oldest first.
pub(super) struct Open {
    queue: Mutex<VecDeque<Conn>>,
    /// Past this many entries, the settled ones are swept out at once.
    sweep_at: usize,
}

impl Open {
    pub(super) fn new(cap: usize) -> Open {
        Open {
            queue: Mutex::new(VecDeque::new()),
            sweep_at: cap.saturating_mul(2).max(64),
        }
    }

    /// Registers a connection accepted now; it is asked to close when
    /// `stop` is cancelled too.
    pub(super) fn add(&self, stop: &CancellationToken) -> Conn {
        let conn = Conn {
            accepted: Instant::now(),
            asked: Arc::new(AtomicBool::new(false)),
            close: stop.child_token(),
        };
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        while queue.front().is_some_and(Conn::settled) {
            queue.pop_front();
        }
        if queue.len() >= self.sweep_at {
            queue.retain(|c| !c.settled());
        }
        queue.push_back(conn.clone());
        conn
    }

    /// Asks the oldest connection that has asked nothing, past its grace,
    /// to close; false when there is none.
    pub(super) fn evict_one(&self) -> bool {
        let now = Instant::now();
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(conn) = queue.pop_front() {
            if conn.evictable(now) {
                conn.close.cancel();
                return true;
            }
            if !conn.settled() {
                // Still in its grace; every one after it is younger.
                queue.push_front(conn);
                return false;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_silent_connection_past_its_grace_makes_room() {
        let open = Open::new(4);
        let stop = CancellationToken::new();
        let silent = open.add(&stop);
        let busy = open.add(&stop);
        busy.asked();
        assert!(!open.evict_one(), "within its grace");
        std::thread::sleep(GRACE);
        assert!(open.evict_one());
        assert!(silent.closing().is_cancelled());
        assert!(
            !busy.closing().is_cancelled(),
            "a client that asked is kept"
        );
        assert!(!open.evict_one(), "nothing left to close");
    }
}
