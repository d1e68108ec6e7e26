//! A question takes answers until it is settled: right, or wrong twice.

use super::tests::latency_case;
use super::*;
use crate::cases::Lang;

fn judged(s: &mut CaseSession, index: usize, answer: f64, live: f64) -> Option<bool> {
    s.answer(index, answer)?;
    s.seen(
        Seen::Question {
            index,
            live: Some(live),
        },
        1.0,
    );
    s.questions[index].correct
}

#[test]
fn a_question_is_judged_against_the_live_value_within_tolerance() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    let poll = s.answer(0, 3.0).expect("question 0 exists");
    assert!(matches!(poll, Poll::Question { index: 0, .. }));
    s.seen(
        Seen::Question {
            index: 0,
            live: Some(2.0),
        },
        1.0,
    );
    assert_eq!(s.questions[0].correct, Some(false));
    assert!(
        !s.questions[0].settled(),
        "a wrong first answer may be retried"
    );
    assert_eq!(
        judged(&mut s, 0, 2.2, 2.0),
        Some(true),
        "25% of 2.0 allows 2.2"
    );
    assert!(s.questions[0].settled());
    assert!(
        s.answer(0, 3.0).is_none(),
        "a right answer is not overwritten"
    );
    assert_eq!(s.questions[0].answer, Some(2.2));
}

#[test]
fn a_question_takes_one_retry_and_then_no_more_answers() {
    let mut s = CaseSession::start(latency_case(), Lang::En, 0.0);
    assert_eq!(judged(&mut s, 1, 50.0, 2000.0), Some(false));
    assert_eq!(s.questions[1].tries_left(), 1);
    assert_eq!(judged(&mut s, 1, 60.0, 2000.0), Some(false));
    assert!(
        s.questions[1].settled(),
        "two wrong answers: the answer is shown"
    );
    assert!(s.answer(1, 2000.0).is_none(), "no third try");
    assert_eq!(
        s.questions[0].answer, None,
        "the other question is untouched"
    );
}
