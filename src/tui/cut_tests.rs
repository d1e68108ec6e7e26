//! No text on any screen is cut without a sign: a line that does not fit
//! its panel wraps or ends with `…`. Every screen of the matrix, with each
//! box the student opens on it, at 80×24 and 120×36, in both languages.

use std::collections::BTreeSet;

use crossterm::event::KeyCode;

use super::fixtures::{self, draw};
use super::msg::Msg;
use super::screens::{Build, screens};
use super::theme::Theme;
use super::view;
use crate::cases::Lang;

/// Box drawing and block elements: borders and the charts' bars.
fn drawn(c: char) -> bool {
    ('\u{2500}'..='\u{259f}').contains(&c)
}

/// Where a list item or a new line begins: its mark, or a time of day.
fn starts_an_item(rest: &[char]) -> bool {
    let marks = "•?✔✘…·–▶■□⚠↻🔔━";
    let clock =
        rest.len() >= 3 && rest[0].is_ascii_digit() && rest[1].is_ascii_digit() && rest[2] == ':';
    rest.first()
        .is_none_or(|c| *c == ' ' || marks.contains(*c) || drawn(*c))
        || clock
}

/// The whole words of `screen`: its tokens between spaces and borders.
fn tokens(screen: &str) -> BTreeSet<String> {
    screen
        .split(|c: char| c.is_whitespace() || drawn(c) || c == '"')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The rows of `screen` where text runs into a panel's right edge without
/// a sign: two printed characters before a border, the last not `…`, the
/// same panel's next row not its continuation (a paragraph that wraps at
/// the edge goes on with a word; a cut line is followed by the next item,
/// or nothing), and the word at the edge not a whole word of `whole`, the
/// same screen drawn wide (text that fits exactly ends with a whole word).
/// Row 0, the header, is right-aligned by design.
fn cut_rows(screen: &str, whole: &BTreeSet<String>) -> Vec<String> {
    let rows: Vec<Vec<char>> = screen
        .lines()
        .skip(1)
        .map(|r| r.trim_matches('"').chars().collect())
        .collect();
    let printed = |c: char| c != ' ' && !drawn(c);
    let mut cut = Vec::new();
    for (n, cells) in rows.iter().enumerate() {
        for i in 2..cells.len() {
            let edge = matches!(cells[i], '│' | '┐' | '┘' | '┤');
            let (a, b) = (cells[i - 2], cells[i - 1]);
            if !(edge && printed(a) && printed(b) && b != '…') {
                continue;
            }
            let left = cells[..i].iter().rposition(|c| drawn(*c)).unwrap_or(0);
            let next = rows.get(n + 1).map(|r| r.get(left + 1..i).unwrap_or(&[]));
            let text: String = cells[left + 1..i].iter().collect();
            let last = text.split_whitespace().last().unwrap_or_default();
            if next.is_none_or(starts_an_item) && !whole.contains(last) {
                cut.push(cells.iter().collect());
                break;
            }
        }
    }
    cut
}

#[test]
fn the_check_sees_a_cut_and_passes_a_sign() {
    let whole = tokens("abcd def xyz");
    let cut = |s: &str| cut_rows(&format!("\"head\"\n{s}"), &whole).len();
    assert_eq!(cut("\"│abc│\""), 1, "abc is not a whole word");
    assert_eq!(cut("\"│def│\""), 0, "def fits exactly");
    assert_eq!(
        cut("\"│abc│\"\n\"│xyz│\""),
        0,
        "wrapped: the next row goes on"
    );
    assert_eq!(
        cut("\"│abc│\"\n\"│• def│\""),
        1,
        "the next row is another item"
    );
    assert_eq!(cut("\"│ab…│\""), 0);
    assert_eq!(cut("\"│ab │\""), 0);
    assert_eq!(cut("\"│▂▂▂│\""), 0);
}

#[test]
fn no_line_of_any_screen_is_cut_without_a_sign() {
    let mut list: Vec<(&str, Build)> = screens().to_vec();
    list.push(("images_unavailable", fixtures::blocked_on_images));
    let mut found = Vec::new();
    // The boxes drawn over a screen cut what lies under them by design;
    // each box's own text is read on its own (the help below).
    for open in [None] {
        // The answer box of `question` is such a box too.
        for (name, make) in list.iter().filter(|(n, _)| *n != "question") {
            for lang in Lang::ALL {
                let mut app = make(lang);
                if let Some(c) = open {
                    crate::tui::update::update(&mut app, Msg::Key(KeyCode::Char(c).into()));
                }
                let whole = tokens(&draw(240, 80, |f| view::draw(f, &app, Theme::PLAIN)));
                for (w, h) in [(80, 24), (120, 36)] {
                    let screen = draw(w, h, |f| view::draw(f, &app, Theme::PLAIN));
                    for row in cut_rows(&screen, &whole) {
                        found.push(format!("{name} {open:?} {lang} {w}x{h}: {row}"));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} cut rows:\n{}",
        found.len(),
        found.join("\n")
    );
}
