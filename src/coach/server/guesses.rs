//! Wrong class codes, counted per source address. A generated code is 6
//! characters of 31 (about 887 million codes): that keeps strangers out only
//! while nobody may try codes by the thousand.
//!
//! From the [`WRONG_PER_WINDOW`]+1st wrong code in a [`WINDOW`], a source's
//! wrong codes are answered 429 until its window ends. Ten a minute is far
//! more than a person mistyping (or a console left on a wrong code: it
//! retries every 30 s), and far fewer than a search of the codes needs: a
//! client that waits as told would take about 80 years on average.
//!
//! A right code is never counted nor refused. Behind a reverse proxy every
//! student comes from the proxy's address, and in a room several laptops
//! may share one NAT: a stranger's guesses must not lock the class out.
//! The price: a client that ignores the 429 learns from it what a 403
//! tells (this code is wrong), so the limit slows the careless and the
//! polite, not a determined search. Against that, a longer code (`--code`,
//! up to 32 characters) is what holds; the coach guide says so.
//!
//! Bounded in memory: at most [`MAX_SOURCES`] sources are tracked (a few
//! hundred KiB). When the table is full of live windows, every source it
//! cannot hold shares one more window, so an attacker with many addresses
//! gets at most `(MAX_SOURCES + 1) * WRONG_PER_WINDOW` guesses a minute in
//! all, and grows nothing.
//!
//! Pure: "now" is passed in, as in `board`.

use std::collections::HashMap;
use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};

/// How long a source's count of wrong codes lasts, from its first one.
pub(crate) const WINDOW: TimeDelta = TimeDelta::minutes(1);
/// The wrong codes a source may send in one [`WINDOW`].
pub(crate) const WRONG_PER_WINDOW: u32 = 10;
/// The most sources tracked at once.
pub(crate) const MAX_SOURCES: usize = 4096;

/// Where wrong codes come from, as they are counted: an IPv4 address, or
/// the /64 network of an IPv6 one (one machine is commonly given a whole
/// /64), or, with no address known (a request made in-process), one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Source {
    V4([u8; 4]),
    V6Network([u8; 8]),
    Unknown,
}

impl Source {
    pub(crate) fn of(peer: Option<IpAddr>) -> Source {
        match peer.map(|ip| ip.to_canonical()) {
            Some(IpAddr::V4(v4)) => Source::V4(v4.octets()),
            Some(IpAddr::V6(v6)) => {
                let mut net = [0; 8];
                net.copy_from_slice(&v6.octets()[..8]);
                Source::V6Network(net)
            }
            None => Source::Unknown,
        }
    }
}

/// One source's wrong codes since `from`.
#[derive(Debug, Clone, Copy)]
struct Window {
    from: DateTime<Utc>,
    wrong: u32,
}

impl Window {
    fn new(now: DateTime<Utc>) -> Window {
        Window {
            from: now,
            wrong: 0,
        }
    }

    /// Over at `now` (or a clock set back past its start).
    fn is_over(&self, now: DateTime<Utc>) -> bool {
        let age = now.signed_duration_since(self.from);
        age >= WINDOW || age < TimeDelta::zero()
    }

    /// Counts one wrong code; `Err` with how long until the window ends
    /// when it already holds [`WRONG_PER_WINDOW`].
    fn count(&mut self, now: DateTime<Utc>) -> Result<(), TimeDelta> {
        if self.is_over(now) {
            *self = Window::new(now);
        }
        if self.wrong >= WRONG_PER_WINDOW {
            return Err(self.from + WINDOW - now);
        }
        self.wrong += 1;
        Ok(())
    }
}

/// A source over its budget: how long until it may try a code again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooManyWrong {
    /// Whole seconds, rounded up, at least 1: a `Retry-After`.
    pub(crate) retry_after_s: u64,
}

/// The wrong codes of every source, bounded.
#[derive(Debug)]
pub(crate) struct Guesses {
    by_source: HashMap<Source, Window>,
    /// Shared by the sources a full table cannot hold.
    overflow: Window,
}

impl Guesses {
    pub(crate) fn new(now: DateTime<Utc>) -> Guesses {
        Guesses {
            by_source: HashMap::new(),
            overflow: Window::new(now),
        }
    }

    /// Counts a wrong code from `source` at `now`.
    pub(crate) fn wrong(&mut self, source: Source, now: DateTime<Utc>) -> Result<(), TooManyWrong> {
        if !self.by_source.contains_key(&source) && self.by_source.len() >= MAX_SOURCES {
            self.by_source.retain(|_, w| !w.is_over(now));
        }
        let window = if self.by_source.len() < MAX_SOURCES || self.by_source.contains_key(&source) {
            self.by_source
                .entry(source)
                .or_insert_with(|| Window::new(now))
        } else {
            &mut self.overflow
        };
        window.count(now).map_err(|wait| TooManyWrong {
            retry_after_s: u64::try_from((wait.num_milliseconds() + 999) / 1000)
                .unwrap_or(1)
                .max(1),
        })
    }

    /// How many sources are tracked (the overflow window aside).
    #[cfg(test)]
    pub(crate) fn tracked(&self) -> usize {
        self.by_source.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn v4(n: u32) -> Source {
        Source::of(Some(IpAddr::from(n.to_be_bytes())))
    }

    #[test]
    fn a_source_gets_ten_wrong_codes_a_minute_then_waits_out_its_window() {
        let mut g = Guesses::new(t0());
        let ana = v4(0x0a00_0001);
        for _ in 0..WRONG_PER_WINDOW {
            assert_eq!(g.wrong(ana, t0()), Ok(()));
        }
        let later = t0() + TimeDelta::milliseconds(20_500);
        assert_eq!(g.wrong(ana, later), Err(TooManyWrong { retry_after_s: 40 }));
        assert_eq!(g.wrong(v4(0x0a00_0002), later), Ok(()), "another source");
        assert_eq!(g.wrong(ana, t0() + WINDOW), Ok(()), "a new window");
    }

    #[test]
    fn one_machine_of_ipv6_is_its_whole_network_and_mapped_ipv4_is_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let c: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(Source::of(Some(a)), Source::of(Some(b)));
        assert_ne!(Source::of(Some(a)), Source::of(Some(c)));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("ip");
        assert_eq!(Source::of(Some(mapped)), v4(0x0a00_0001));
    }

    #[test]
    fn many_addresses_grow_nothing_and_share_one_budget_when_the_table_is_full() {
        let mut g = Guesses::new(t0());
        let n = u32::try_from(MAX_SOURCES).expect("fits");
        for i in 0..n {
            assert_eq!(g.wrong(v4(i), t0()), Ok(()));
        }
        for i in 0..WRONG_PER_WINDOW {
            assert_eq!(g.wrong(v4(n + i), t0()), Ok(()), "newcomer {i}");
        }
        assert!(g.wrong(v4(n + 1000), t0()).is_err(), "the shared budget");
        assert_eq!(g.tracked(), MAX_SOURCES);
        // Tracked sources keep their own budget meanwhile.
        assert_eq!(g.wrong(v4(0), t0()), Ok(()));
        // Once their windows are over, newcomers get a row of their own.
        let later = t0() + WINDOW;
        assert_eq!(g.wrong(v4(n + 1000), later), Ok(()));
        assert_eq!(g.tracked(), 1);
    }
}
