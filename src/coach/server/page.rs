//! The pages: the board (one HTML file with its CSS and script inline, no
//! external asset at all, so it works on a room's network with no
//! Internet), and the two small pages around it.

use crate::cases::Lang;

/// `GET /`: says what this is without giving the class code away.
pub(crate) const INDEX: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<title>workshop coach</title></head><body style=\"font:1.4rem system-ui,sans-serif;margin:2rem\">\
<h1>workshop coach</h1><p>This is a workshop coach's class board. \
The board is at the class URL your coach gave you (…/class/CODE).</p></body></html>";

/// A wrong class code on a page.
pub(crate) const NOT_FOUND: &str = "<!doctype html><html><head><meta charset=\"utf-8\">\
<title>not found</title></head><body style=\"font:1.4rem system-ui,sans-serif;margin:2rem\">\
<h1>No board here</h1><p>Check the class URL your coach gave you.</p></body></html>";

/// What the board page may load: itself, and nothing from anywhere else.
pub(crate) const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
script-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

const BOARD: &str = include_str!("board.html");

/// The board page with its labels in `lang` and the board `snapshot` (JSON)
/// it shows until the stream sends the next one.
pub(crate) fn board(lang: Lang, snapshot: &str) -> String {
    // In a <script> element only `</script` or `<!--` could end it early:
    // with every `<` escaped (JSON reads `\u003c` back as `<`) neither can occur.
    BOARD
        .replace("__LANG__", lang.code())
        .replace("__BOARD__", &snapshot.replace('<', "\\u003c"))
}
