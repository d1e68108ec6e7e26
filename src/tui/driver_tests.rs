//! The driver's own tasks, pointed at nothing that listens: the token stops
//! every one of them while the console's channel is still open, and the
//! join ends well within its bound.

use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::coach::link::LinkState;
use crate::loadgen::Mix;
use crate::tui::tasks::Joined;

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test]
async fn cancelling_the_token_stops_every_task_and_the_join_finishes() {
    let (tx, _open) = mpsc::unbounded_channel();
    let nothing = format!("http://127.0.0.1:{}", closed_port());
    let shared = TaskContext::new(tx, &nothing, None);
    let signal = CancellationToken::new();
    let mut driver = Driver::stopping_on(shared, signal.child_token());
    driver.start_telemetry();
    let (state_tx, state) = watch::channel(LinkState::Connecting);
    let (said_tx, said) = mpsc::unbounded_channel();
    driver.follow_coach(state, said);
    driver.perform(
        Effect::StartLoad {
            rps: 5.0,
            mix: Mix::default(),
        },
        Captures::default(),
    );
    tokio::time::sleep(Duration::from_millis(100)).await;

    signal.cancel();
    let joined = tokio::time::timeout(STOP_WITHIN, driver.tasks.join(STOP_WITHIN))
        .await
        .expect("the join ends within its bound");
    assert_eq!(
        joined,
        Joined {
            stopped: 3,
            aborted: 0
        },
        "telemetry, the coach's follower and the load's reports"
    );
    assert!(
        state_tx.is_closed() && said_tx.is_closed(),
        "the follower let go of the link"
    );
    tokio::time::timeout(
        Duration::from_secs(5),
        driver.finish(Duration::from_secs(2)),
    )
    .await
    .expect("finishing after the join ends too");
}
