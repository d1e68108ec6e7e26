//! `workshop run`'s orchestration around the walk: the cases one after
//! another on one [`Runner`], and one listener task that takes every event
//! in order: it says the event's line, keeps the journal, and feeds the
//! coach's board, with what only a case's end tells (the app's counts, an
//! abort) right after that case's last event.

use std::sync::Arc;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio_util::sync::CancellationToken;

use crate::cases::{Case, Lang};
use crate::coach::link::run_feed::RunFeed;
use crate::coach::link::{CoachLink, Join};
use crate::coach::wire::Message;
use crate::telemetry::Prometheus;
use crate::words::{E, tf};

use super::{AppCounts, CaseOutcome, RunEvent, Runner, ServiceControl, Stamped};

/// A headless run: where it acts, how, and whom it tells.
pub(crate) struct HeadlessRun {
    pub api_url: String,
    pub prometheus: Prometheus,
    pub lang: Lang,
    /// Ctrl-C: the case in progress rolls back and no other starts.
    pub stop: CancellationToken,
    /// `workshop cases check`: prove each case teachable before its fault.
    pub prove_teachable: bool,
    pub services: Option<Arc<dyn ServiceControl>>,
    pub coach: Option<Join>,
}

/// What a run leaves for its caller to report.
pub(crate) struct RunResult {
    pub outcomes: Vec<CaseOutcome>,
    /// Every event, timed, in order.
    pub journal: Vec<Stamped>,
    /// The coach's link, still sending: the caller finishes it (bounded).
    pub link: Option<CoachLink>,
}

/// A case's end as the coach hears it: the app's counts over the case,
/// and whether it was aborted.
type CaseDone = (Option<AppCounts>, bool);

impl HeadlessRun {
    /// Runs `cases` in order until the run is stopped; `say` prints each
    /// line (the events, the coach's messages).
    pub(crate) async fn run(
        self,
        cases: &[Case],
        say: impl Fn(String) + Send + 'static,
    ) -> RunResult {
        let (events, events_rx) = unbounded_channel::<Stamped>();
        let (case_done, case_done_rx) = unbounded_channel::<CaseDone>();
        let coach = self.coach.map(CoachLink::start);
        let listener = tokio::spawn(listen(events_rx, case_done_rx, coach, self.lang, say));
        let mut runner = Runner::new(
            &self.api_url,
            self.prometheus,
            self.lang,
            events,
            self.stop.clone(),
        );
        runner.prove_teachable = self.prove_teachable;
        runner.services = self.services;
        let mut outcomes = Vec::new();
        for case in cases {
            let outcome = runner.run_case(case).await;
            let _ = case_done.send((outcome.app_counts, outcome.aborted.is_some()));
            outcomes.push(outcome);
            if self.stop.is_cancelled() {
                break;
            }
        }
        // The listener ends once the runner's events are all in.
        drop(runner);
        let (journal, link) = listener.await.unwrap_or_default();
        RunResult {
            outcomes,
            journal,
            link,
        }
    }
}

/// Takes every event until the runner is gone: says it, journals it, and
/// sends the board its view of it.
async fn listen(
    mut events: UnboundedReceiver<Stamped>,
    mut case_done: UnboundedReceiver<CaseDone>,
    coach: Option<(CoachLink, UnboundedReceiver<Message>)>,
    lang: Lang,
    say: impl Fn(String),
) -> (Vec<Stamped>, Option<CoachLink>) {
    let (mut coach, mut messages) = match coach {
        Some((link, messages)) => (Some((link, RunFeed::default())), Some(messages)),
        None => (None, None),
    };
    let mut journal = Vec::new();
    loop {
        let event = tokio::select! {
            e = events.recv() => match e {
                Some(e) => e,
                None => break,
            },
            Some(m) = coach_message(&mut messages) => {
                say(tf(lang, E::CoachSays, &[&m.text]));
                continue;
            }
        };
        say(event.line(lang));
        if let Some((link, feed)) = &mut coach {
            if let Some(c) = feed.event(&event.event) {
                link.send_at(event.at, c);
            }
            if matches!(event.event, RunEvent::CaseFinished { .. })
                && let Some((counts, aborted)) = case_done.recv().await
            {
                for c in feed.case_done(counts, aborted) {
                    link.send(c);
                }
            }
        }
        journal.push(event);
    }
    (journal, coach.map(|(link, _)| link))
}

/// The coach's next message; never, without a coach.
async fn coach_message(messages: &mut Option<UnboundedReceiver<Message>>) -> Option<Message> {
    match messages {
        Some(m) => m.recv().await,
        None => std::future::pending().await,
    }
}
