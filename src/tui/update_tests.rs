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
fn each_fault_key_turns_its_fault_on_with_the_forms_value_and_off_again() {
    use crate::faults::FaultConfig;
    let mut a = app();
    let clear = FaultConfig::default();
    let all_on = FaultConfig {
        latency_ms: 2000,
        error_rate: 20.0,
        db_slow: true,
        db_fail: true,
        memory_leak_mb: 5,
        ..FaultConfig::default()
    };
    let cases = [
        (
            'L',
            FaultUpdate {
                latency_ms: Some(2000),
                ..Default::default()
            },
            FaultUpdate {
                latency_ms: Some(0),
                ..Default::default()
            },
        ),
        (
            'E',
            FaultUpdate {
                error_rate: Some(20.0),
                ..Default::default()
            },
            FaultUpdate {
                error_rate: Some(0.0),
                ..Default::default()
            },
        ),
        (
            'D',
            FaultUpdate {
                db_slow: Some(true),
                db_slow_ms: Some(2000),
                ..Default::default()
            },
            FaultUpdate {
                db_slow: Some(false),
                ..Default::default()
            },
        ),
        (
            'F',
            FaultUpdate {
                db_fail: Some(true),
                ..Default::default()
            },
            FaultUpdate {
                db_fail: Some(false),
                ..Default::default()
            },
        ),
        (
            'M',
            FaultUpdate {
                memory_leak_mb: Some(5),
                ..Default::default()
            },
            FaultUpdate {
                memory_leak_mb: Some(0),
                ..Default::default()
            },
        ),
    ];
    for (key, turn_on, turn_off) in cases {
        a.faults = Some(clear.clone());
        assert_eq!(
            press(&mut a, key),
            vec![Effect::SetFaults(turn_on)],
            "{key}"
        );
        a.faults = Some(all_on.clone());
        assert_eq!(
            press(&mut a, key),
            vec![Effect::SetFaults(turn_off)],
            "{key}"
        );
    }
    let marks: Vec<bool> = a.signals.markers.iter().map(|(_, on)| *on).collect();
    assert_eq!(marks, [true, false].repeat(5), "each change is marked");
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
        refused: false,
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
fn an_idle_tick_draws_nothing() {
    let mut a = app();
    assert_eq!(update(&mut a, Msg::Tick), Step::default());
}

fn blocked(why: &str, local_offered: bool) -> Msg {
    Msg::StackUp(Err(super::super::msg::Blocked {
        trouble: crate::stack::Trouble {
            why: why.into(),
            fix: "`workshop images load FILE`".into(),
            detail: why.into(),
        },
        local_offered,
        retry_in_s: 10,
    }))
}

#[test]
fn a_stack_that_cannot_come_up_offers_local_mode_on_one_key() {
    let mut a = app();
    update(&mut a, blocked("the db image could not be had", true));
    assert_eq!(
        a.overlay,
        Overlay::Blocked,
        "the ways out open by themselves"
    );
    assert_eq!(press(&mut a, 'l'), vec![Effect::StackLocal]);
    assert_eq!(a.overlay, Overlay::None);
    assert_eq!(a.stack.phase, StackLife::Opening);
}

#[test]
fn retrying_stays_possible_and_the_same_failure_does_not_reopen_the_box() {
    let mut a = app();
    update(&mut a, blocked("port 5000 (app) is taken", true));
    assert_eq!(press(&mut a, 'r'), vec![Effect::StackRetry]);
    update(&mut a, blocked("port 5000 (app) is taken", true));
    assert_eq!(a.overlay, Overlay::None, "the same cause again: no new box");
    press(&mut a, 's');
    assert_eq!(a.overlay, Overlay::Blocked, "`s` opens it again");
    update(&mut a, Msg::Key(KeyEvent::from(KeyCode::Esc)));
    assert_eq!(a.overlay, Overlay::None);
    update(&mut a, blocked("the db image could not be had", true));
    assert_eq!(a.overlay, Overlay::Blocked, "a new cause opens it");
}

#[test]
fn local_mode_is_not_offered_when_local_mode_is_what_failed() {
    let mut a = app();
    update(&mut a, blocked("port 5000 (app) is taken", false));
    assert_eq!(press(&mut a, 'l'), vec![]);
    assert_eq!(a.overlay, Overlay::Blocked);
}

#[test]
fn quitting_from_the_box_leaves_the_fix_to_print() {
    let mut a = app();
    update(&mut a, blocked("the db image could not be had", true));
    let effects = press(&mut a, 'q');
    assert!(effects.contains(&Effect::Quit), "{effects:?}");
    let note = a.exit_note.expect("a note");
    assert!(note.contains("the db image could not be had"), "{note}");
    assert!(note.contains("`workshop images load FILE`"), "{note}");
}

#[test]
fn each_form_line_reads_and_writes_the_value_of_its_own_field() {
    use crate::faults::Num;
    use crate::tui::state::{FORM, FaultValues};
    let names: Vec<&str> = FORM.iter().map(|l| l.kind.field().name).collect();
    assert_eq!(
        names,
        ["latency_ms", "error_rate", "memory_leak_mb", "db_slow_ms"]
    );
    let mut v = FaultValues::default();
    (FORM[0].set)(&mut v, Num::Whole(1234));
    (FORM[1].set)(&mut v, Num::Real(12.5));
    (FORM[2].set)(&mut v, Num::Whole(7));
    (FORM[3].set)(&mut v, Num::Whole(4321));
    assert_eq!(
        (v.latency_ms, v.error_rate, v.leak_mb, v.db_slow_ms),
        (1234, 12.5, 7, 4321)
    );
    for line in &FORM {
        assert!(line.kind.check((line.get)(&v)).is_ok(), "{:?}", line.kind);
    }
}

fn api_reading(api: Result<(), String>) -> Msg {
    Msg::Telemetry(super::super::msg::Reading {
        source: super::super::msg::SourceKind::Scrape,
        api,
        prometheus: None,
        values: crate::telemetry::BySignal::default(),
        faults: None,
    })
}

#[test]
fn the_apis_first_answer_is_not_called_a_comeback() {
    let mut a = app();
    update(&mut a, api_reading(Err("connection refused".into())));
    update(&mut a, api_reading(Ok(())));
    let said: Vec<&str> = a.log.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        said,
        ["API does not answer yet: connection refused", "API answers"]
    );
    update(&mut a, api_reading(Err("connection reset".into())));
    update(&mut a, api_reading(Ok(())));
    let said: Vec<&str> = a.log.iter().skip(2).map(|l| l.text.as_str()).collect();
    assert_eq!(said, ["API lost: connection reset", "API is back"]);
}

#[test]
fn the_inject_phase_is_logged_when_i_is_pressed_not_when_the_baseline_passes() {
    let mut a = crate::tui::fixtures::healthy();
    let phases = |a: &App| -> Vec<String> {
        a.log
            .iter()
            .filter(|l| l.text.starts_with("── "))
            .map(|l| l.text.clone())
            .collect()
    };
    assert!(a.active.as_ref().is_some_and(|c| c.session.can_inject()));
    assert_eq!(phases(&a), Vec::<String>::new(), "ready, not injected");
    press(&mut a, 'i');
    assert_eq!(
        phases(&a),
        ["── inject", "── detect"].map(String::from).to_vec()
    );
}

#[test]
fn the_header_does_not_say_api_ok_while_the_stack_says_the_app_is_unhealthy() {
    use crate::stack::Health;
    let mut a = crate::tui::fixtures::healthy();
    let Some(mut status) = a.stack.status.clone() else {
        panic!("the healthy console has a stack status")
    };
    for s in status
        .services
        .iter_mut()
        .filter(|s| s.name == crate::stack::Service::app(1))
    {
        s.health = Health::Unhealthy;
    }
    update(&mut a, Msg::StackStatus(Ok(status)));
    let screen = crate::tui::fixtures::draw(120, 40, |f| {
        crate::tui::view::draw(f, &a, crate::tui::theme::Theme::PLAIN)
    });
    // Its /metrics still answers: slow, or alive but not ready; not down.
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains("API ⚠ alive, not ready"), "{header}");
    assert!(!header.contains("API ✔"), "{header}");
    assert!(screen.contains("⚠ app-1      alive, not ready"), "{screen}");
    // Silent too: down.
    a.signals.api = crate::tui::state::Link::Down("timed out".into());
    let screen = crate::tui::fixtures::draw(120, 40, |f| {
        crate::tui::view::draw(f, &a, crate::tui::theme::Theme::PLAIN)
    });
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains("API ✘"), "{header}");
    assert!(screen.contains("unhealthy"), "{screen}");
}

#[test]
fn a_session_that_cleared_leftover_faults_says_which_in_the_students_language() {
    for (lang, words) in [(Lang::En, "cleared the faults"), (Lang::Ru, "сняты отказы")] {
        let cases = CaseSet::shipped().expect("cases").cases().to_vec();
        let mut a = App::new(lang, cases, "http://127.0.0.1:5000".into(), None);
        update(&mut a, Msg::FaultsCleared(vec!["memory_leak_mb=5".into()]));
        let line = &a.log.back().expect("a line").text;
        assert!(
            line.contains(words) && line.contains("memory_leak_mb=5"),
            "{line}"
        );
    }
}
