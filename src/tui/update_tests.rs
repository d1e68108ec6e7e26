use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::cases::{CaseSet, Lang};
use crate::faults::FaultUpdate;
use crate::tui::state::Overlay;

fn app() -> App {
    let cases = CaseSet::shipped().expect("cases").cases().to_vec();
    App::new(Lang::En, cases, "http://127.0.0.1:5000".into(), None)
}

fn press(app: &mut App, c: char) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::from(KeyCode::Char(c)))).effects
}

#[test]
fn a_fault_key_toggles_from_the_state_the_api_reports() {
    let mut a = app();
    let on = press(&mut a, 'L');
    assert_eq!(
        on,
        vec![Effect::SetFaults(FaultUpdate {
            latency_ms: Some(2000),
            ..Default::default()
        })]
    );
    a.faults = Some(crate::faults::FaultConfig {
        latency_ms: 2000,
        ..Default::default()
    });
    let off = press(&mut a, 'L');
    assert_eq!(
        off,
        vec![Effect::SetFaults(FaultUpdate {
            latency_ms: Some(0),
            ..Default::default()
        })]
    );
    assert_eq!(a.signals.markers.len(), 2, "inject and reset are marked");
}

#[test]
fn opening_a_case_starts_its_load_and_leaving_rolls_back_and_stops_it() {
    let mut a = app();
    let open = update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Enter))).effects;
    assert!(matches!(open.as_slice(), [Effect::StartLoad { rps, .. }] if *rps == 10.0));
    a.now = 100.0;
    update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Char('I'))));
    let leave = update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Esc))).effects;
    assert!(leave.iter().any(|e| matches!(e, Effect::RunActions(_))));
    assert!(leave.contains(&Effect::StopLoad));
    assert!(
        leave.contains(&Effect::SaveProgress),
        "left halfway is recorded"
    );
    assert!(a.active.is_none());
    assert!(!a.progress.cases["latency"].finished);
}

#[test]
fn ctrl_c_quits_even_from_the_answer_box() {
    let mut a = app();
    a.overlay = Overlay::Form {
        field: 0,
        texts: Default::default(),
    };
    let e = update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    )
    .effects;
    assert!(e.contains(&Effect::Quit));
    assert!(a.quitting);
}

#[test]
fn the_form_rejects_out_of_range_values_and_keeps_the_old_ones() {
    let mut a = app();
    press(&mut a, 'f');
    for _ in 0..4 {
        update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Backspace)));
    }
    for c in "99999".chars() {
        press(&mut a, c);
    }
    update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Tab)));
    for _ in 0..2 {
        update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Backspace)));
    }
    press(&mut a, '5');
    update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Enter)));
    assert_eq!(a.fault_values.latency_ms, 2000, "99999 ms is out of range");
    assert_eq!(a.fault_values.error_rate, 5.0);
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn an_idle_tick_draws_nothing() {
    let mut a = app();
    assert_eq!(update(&mut a, Msg::Tick), Step::default());
}
