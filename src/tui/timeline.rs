//! The event log as data: each line stamped in UTC (a runbook's timeline
//! is written in UTC, and Prometheus and Grafana show UTC), with a topic
//! the log view filters on; the lasting facts of a case, pinned from its
//! opening to its close so that a hundred newer lines do not push an OOM
//! kill out of sight; and where the log view stands (scroll, filters).

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::cases::Phase;

/// Lines kept in the event log.
pub const LOG_LINES: usize = 200;

/// How a line is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    Info,
    Good,
    Bad,
}

/// What a line is about: the log view's topic filter picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// The console's own notes: keys, links, the stack coming up.
    Console,
    Alert,
    Check,
    /// Injections, recoveries, fault changes and the actions that made them.
    Fault,
    /// A container or process died, was OOM-killed, restarted, changed health.
    Restart,
}

/// The topic filter's order: `t` steps through it, `None` is every line.
pub(crate) const TOPICS: [Option<Topic>; 5] = [
    None,
    Some(Topic::Alert),
    Some(Topic::Check),
    Some(Topic::Fault),
    Some(Topic::Restart),
];

#[derive(Debug, Clone, PartialEq)]
pub struct LogLine {
    pub at: DateTime<Utc>,
    pub kind: LogKind,
    pub topic: Topic,
    pub text: String,
}

/// A lasting fact of the case being walked.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    OomKill { service: String },
    AlertFired { name: String, after_s: f64 },
    CheckPassed { phase: Phase, id: String },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pinned {
    pub at: DateTime<Utc>,
    pub fact: Fact,
}

/// The log view: how many matching lines are hidden below the window (0
/// follows the newest), the text filter and whether it is being typed,
/// and the topic filter.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogView {
    pub from_end: usize,
    pub filter: String,
    pub typing: bool,
    pub topic: Option<Topic>,
}

impl LogView {
    /// Whether `line` passes both filters (the text one ignores case).
    pub fn shows(&self, line: &LogLine) -> bool {
        let topic = self.topic.is_none_or(|t| t == line.topic);
        let text = self.filter.is_empty()
            || line
                .text
                .to_lowercase()
                .contains(&self.filter.to_lowercase());
        topic && text
    }

    pub fn lines<'a>(&self, log: &'a VecDeque<LogLine>) -> Vec<&'a LogLine> {
        log.iter().filter(|l| self.shows(l)).collect()
    }

    /// Moves the window by `delta` lines (up is positive), within the
    /// `count` matching lines shown `page` at a time: it stops at the
    /// newest line and at the oldest, never past either.
    pub fn scroll(&mut self, delta: isize, count: usize, page: usize) {
        let most = count.saturating_sub(page.max(1));
        self.from_end = self.from_end.saturating_add_signed(delta).min(most);
    }

    /// The matching lines to draw in `page` rows: the first index, and one
    /// past the last.
    pub fn window(&self, count: usize, page: usize) -> (usize, usize) {
        let end = count.saturating_sub(self.from_end.min(count.saturating_sub(page)));
        (end.saturating_sub(page), end)
    }

    /// The next topic of [`TOPICS`], going round.
    pub fn next_topic(&mut self) {
        let at = TOPICS.iter().position(|t| *t == self.topic).unwrap_or(0);
        self.topic = TOPICS[(at + 1) % TOPICS.len()];
        self.from_end = 0;
    }
}

/// `HH:MM:SS`, the log's time of day in UTC.
pub(crate) fn clock(at: DateTime<Utc>) -> String {
    at.format("%H:%M:%S").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: usize, topic: Topic) -> LogLine {
        LogLine {
            at: DateTime::UNIX_EPOCH,
            kind: LogKind::Info,
            topic,
            text: format!("line {n}"),
        }
    }

    #[test]
    fn scrolling_stops_at_the_oldest_page_and_at_the_newest_line() {
        let mut v = LogView::default();
        v.scroll(1000, 200, 10);
        assert_eq!(v.from_end, 190);
        assert_eq!(v.window(200, 10), (0, 10));
        v.scroll(-5, 200, 10);
        assert_eq!(v.window(200, 10), (5, 15));
        v.scroll(-1000, 200, 10);
        assert_eq!(v.from_end, 0);
        assert_eq!(v.window(200, 10), (190, 200));
        // Fewer lines than the page: nothing to scroll.
        v.scroll(3, 4, 10);
        assert_eq!((v.from_end, v.window(4, 10)), (0, (0, 4)));
    }

    #[test]
    fn the_filters_narrow_the_lines_by_text_and_by_topic() {
        let log: VecDeque<LogLine> = (0..30)
            .map(|n| {
                line(
                    n,
                    if n % 3 == 0 {
                        Topic::Check
                    } else {
                        Topic::Console
                    },
                )
            })
            .collect();
        let mut v = LogView::default();
        assert_eq!(v.lines(&log).len(), 30);
        v.filter = "LINE 2".into();
        let texts: Vec<_> = v.lines(&log).iter().map(|l| l.text.clone()).collect();
        assert_eq!(texts.len(), 11, "line 2 and line 20..29: {texts:?}");
        v.next_topic();
        assert_eq!(v.topic, Some(Topic::Alert));
        assert!(v.lines(&log).is_empty());
        v.next_topic();
        assert_eq!(v.lines(&log).len(), 3, "the checks among them: 21, 24, 27");
    }
}
