//! What the console makes of a phase's actions once they ran: a failed
//! inject or recover stops the case, as `workshop run` aborts it; the log
//! says why and the board hears the case ended.

use crate::cases::engine::RunEvent;
use crate::cases::engine::actions::ActionsOutcome;
use crate::coach::wire::CoachEvent;

use super::board;
use super::state::{App, LogKind, Topic};

/// Tells the open case's session how its actions went.
pub(crate) fn actions_done(app: &mut App, outcome: &ActionsOutcome) {
    let Some(a) = app.active.as_mut() else {
        return;
    };
    let Some(reason) = a.session.actions_done(outcome) else {
        return;
    };
    stopped(app, reason);
}

/// The open case stopped (`reason` in the console's language): the log says
/// why and the board hears the case ended.
pub(crate) fn stopped(app: &mut App, reason: String) {
    let lang = app.lang;
    let Some(a) = app.active.as_ref() else {
        return;
    };
    let case = a.session.case.id.clone();
    app.note(
        Topic::Fault,
        LogKind::Bad,
        RunEvent::Aborted { reason }.text(lang),
    );
    board::send(
        app,
        CoachEvent::CaseFinished {
            case,
            passed: false,
            aborted: true,
        },
    );
}
