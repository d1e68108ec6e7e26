use super::*;
use rand::SeedableRng;

#[test]
fn a_failing_revert_backs_off_instead_of_retrying_at_once() {
    let mut d = Duration::ZERO;
    let mut waits = Vec::new();
    for _ in 0..9 {
        d = next_backoff(d);
        waits.push(d.as_millis());
    }
    assert_eq!(
        waits,
        [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]
    );
}

#[test]
fn error_rate_is_drawn_per_request_and_converges() {
    let cfg = FaultConfig {
        error_rate: 30.0,
        ..FaultConfig::default()
    };
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let failed = (0..100_000)
        .filter(|_| cfg.decide(&mut rng).fail_with.is_some())
        .count();
    assert!((29_000..31_000).contains(&failed), "{failed}");
}

#[tokio::test]
async fn duration_s_reverts_the_faults_by_itself() {
    let faults = FaultState::local(0);
    faults.start(false, CancellationToken::new()).await.unwrap();
    faults
        .update(&FaultUpdate {
            latency_ms: Some(500),
            duration_s: Some(Some(1)),
            ..FaultUpdate::default()
        })
        .await
        .unwrap();
    assert_eq!(faults.current().latency_ms, 500);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(faults.current().is_clear(), "{:?}", faults.current());
}

#[tokio::test]
async fn an_invalid_update_changes_nothing() {
    let faults = FaultState::local(0);
    let err = faults
        .update(&FaultUpdate {
            latency_ms: Some(100),
            error_rate: Some(250.0),
            ..FaultUpdate::default()
        })
        .await;
    assert!(err.is_err());
    assert!(faults.current().is_clear());
}
