//! Serving HTTP, designed once for the workshop's two servers, the API
//! (`workshop serve`) and the class board (`workshop coach`). Both face
//! careless and hostile clients on a laptop's default open-file limit
//! (1,024 on Linux, 256 on macOS), so both run the same accept loop:
//!
//! - `limits` — the open-file limit raised to what the system allows, and
//!   the connection cap, the timeouts and the drain deadline drawn from it.
//! - `accept` — the loop: a connection over the cap makes room by closing
//!   one that has sent nothing (`open`), else is answered 503; headers must
//!   arrive within seconds (which also closes an idle keep-alive
//!   connection); shutdown drains for a bounded time.
//! - `guard` — what every response carries (`nosniff`, a content security
//!   policy) and the refusal of state-changing requests a web page sends
//!   from another site.

mod accept;
mod guard;
mod limits;
mod open;

pub(crate) use accept::run;
pub(crate) use guard::{Policy, guarded};
pub(crate) use limits::Limits;
