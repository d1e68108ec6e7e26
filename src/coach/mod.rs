//! The coach's board: `workshop coach` serves a live board of a class's
//! progress (`server`), and each student's console or run sends its case
//! engine's events there ([`link`]). [`wire`] is what travels between them.

pub(crate) mod link;
pub(crate) mod server;
pub(crate) mod wire;
