//! The console's side of the coach's board, as data: the link's word for
//! the header, the coach's last message for the events pane, and the
//! board's events that `update` queues ([`CoachView::out`], through the
//! `board` module) for the loop to hand to the link. Without a coach
//! (`App::coach` is `None`) none of it exists and nothing is queued.

use crate::coach::link::LinkState;
use crate::coach::wire::CoachEvent;

use super::text::T;

/// What the console knows of its link to the coach.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachView {
    pub(crate) link: LinkState,
    /// The coach's last message: pinned on top of the events pane until
    /// the next one.
    pub(crate) message: Option<String>,
    /// The board's events since the loop last took them.
    pub(crate) out: Vec<CoachEvent>,
}

impl CoachView {
    pub(crate) fn new() -> Self {
        CoachView {
            link: LinkState::Connecting,
            message: None,
            out: Vec::new(),
        }
    }
}

/// What the coach's link tells the console.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachNews(pub(crate) News);

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum News {
    /// The link's state changed.
    Link(LinkState),
    /// The coach sent the class a message.
    Said(String),
}

/// The link's state in one word, as the header shows it.
pub(crate) fn link_word(state: LinkState) -> T {
    match state {
        LinkState::Connecting => T::CoachConnecting,
        LinkState::Live => T::CoachLive,
        LinkState::Retrying => T::CoachRetrying,
        LinkState::Refused => T::CoachRefused,
    }
}
