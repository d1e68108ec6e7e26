//! The memory-leak fault: real allocations whose pages are written, so the
//! resident set grows, kept until reset.
//!
//! The leak is capped so a laptop is never taken down. The cap is chosen so
//! that inside a memory-limited container the kernel's limit is reached first
//! (which is the lesson: OOM kill, restart), while outside one a student's
//! machine keeps most of its memory:
//!
//! 1. `WORKSHOP_LEAK_CAP_MB`, when set, is the cap;
//! 2. else, under a cgroup memory limit, the cap is the limit plus 64 MiB,
//!    so the kernel kills the process before the cap stops the leak;
//! 3. else a quarter of physical memory, at most 2 GiB.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

const MIB: u64 = 1024 * 1024;
const PAGE: usize = 4096;

/// Leaked memory, held until [`Leak::free`].
#[derive(Debug)]
pub struct Leak {
    chunks: Mutex<Chunks>,
    bytes: AtomicU64,
    cap: u64,
}

/// The allocations, and how many times they were freed: an allocation that
/// began before a free must not be kept after it.
#[derive(Debug, Default)]
struct Chunks {
    held: Vec<Box<[u8]>>,
    frees: u64,
}

impl Leak {
    pub fn new(cap: u64) -> Self {
        Self {
            chunks: Mutex::new(Chunks::default()),
            bytes: AtomicU64::new(0),
            cap,
        }
    }

    /// Bytes leaked so far.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The most this process will leak.
    pub fn cap(&self) -> u64 {
        self.cap
    }

    /// Allocates `mb` MiB (less if the cap is near) and writes one byte per
    /// page so every page is resident, not just reserved. Returns the bytes
    /// actually leaked. Blocking work: call it off the async workers.
    pub fn grow(&self, mb: u64) -> u64 {
        self.grow_then(mb, || {})
    }

    /// [`Leak::grow`], with `meanwhile` run between the allocation and its
    /// keeping (where a reset can land; tests put one there).
    fn grow_then(&self, mb: u64, meanwhile: impl FnOnce()) -> u64 {
        let want = mb.saturating_mul(MIB);
        // Reserve first, so concurrent requests cannot overshoot the cap
        // together; under the lock a free also takes, so the reservation
        // and the count of frees it saw belong together.
        let mut granted = 0;
        let frees = match self.chunks.lock() {
            Ok(c) => {
                let _ = self
                    .bytes
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
                        granted = want.min(self.cap.saturating_sub(held));
                        Some(held + granted)
                    });
                c.frees
            }
            Err(_) => return 0,
        };
        let Ok(len) = usize::try_from(granted) else {
            return 0;
        };
        if len == 0 {
            return 0;
        }
        let mut chunk = vec![0u8; len].into_boxed_slice();
        for i in (0..len).step_by(PAGE) {
            chunk[i] = 0xA5;
        }
        meanwhile();
        match self.chunks.lock() {
            Ok(mut chunks) if chunks.frees == frees => {
                chunks.held.push(chunk);
                granted
            }
            // A reset came while this was being allocated: the reset wins,
            // the memory goes and the counter it zeroed stays right.
            _ => 0,
        }
    }

    /// Frees everything leaked.
    pub fn free(&self) {
        let freed = match self.chunks.lock() {
            Ok(mut chunks) => {
                chunks.frees += 1;
                // Zeroed under the lock, so a grow that reserved before
                // this free and keeps after it cannot exist.
                self.bytes.store(0, Ordering::SeqCst);
                std::mem::take(&mut chunks.held)
            }
            Err(_) => Vec::new(),
        };
        drop(freed);
        trim_heap();
    }
}

/// Gives freed pages back to the kernel, so resident memory really drops on reset.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only releases free heap memory; it has no
        // preconditions beyond being called on a glibc process.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// The cap, chosen as the module documentation says.
pub(crate) fn default_cap() -> u64 {
    if let Some(mb) = std::env::var("WORKSHOP_LEAK_CAP_MB")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return mb.saturating_mul(MIB);
    }
    if let Some(limit) = crate::memory::Cgroup::own().and_then(|c| c.limit()) {
        return limit.saturating_add(64 * MIB);
    }
    let quarter = physical_memory().map(|m| m / 4).unwrap_or(512 * MIB);
    quarter.min(2048 * MIB)
}

/// The machine's RAM (Linux's MemTotal; macOS' hw.memsize), from sysconf.
pub(crate) fn physical_memory() -> Option<u64> {
    // SAFETY: sysconf has no preconditions; it returns -1 for unknown names.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    (pages > 0 && page > 0).then(|| pages as u64 * page as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_during_an_allocation_leaves_nothing_held_and_the_count_at_zero() {
        let leak = Leak::new(64 * MIB);
        let kept = leak.grow_then(8, || leak.free());
        assert_eq!(kept, 0, "the reset won");
        assert_eq!(leak.bytes(), 0, "the counter says what is held");
        let held: usize = leak
            .chunks
            .lock()
            .map(|c| c.held.iter().map(|b| b.len()).sum())
            .unwrap_or(usize::MAX);
        assert_eq!(held, 0, "and nothing is held");
        assert_eq!(leak.grow(2), 2 * MIB, "the next leak counts again");
    }

    #[test]
    fn the_leak_stops_at_its_cap_and_reset_frees_it() {
        let leak = Leak::new(3 * MIB);
        assert_eq!(leak.grow(2), 2 * MIB);
        assert_eq!(leak.grow(2), MIB, "only what is left under the cap");
        assert_eq!(leak.grow(2), 0);
        assert_eq!(leak.bytes(), 3 * MIB);
        leak.free();
        assert_eq!(leak.bytes(), 0);
    }
}
