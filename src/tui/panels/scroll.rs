//! A panel that scrolls (`J`/`K`): how many rows its wrapped text takes,
//! so that scrolling stops with the last line at the bottom, and the
//! position it shows (`12–30/41`).

use ratatui::text::{Line, Span};

/// Rows `line` takes when wrapped at word boundaries into `width` columns,
/// as a paragraph wraps it without trimming: a word that does not fit
/// goes to the next row, a word longer than a row is cut.
fn rows_of(line: &Line, width: usize) -> usize {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let (mut rows, mut col) = (1, 0);
    for word in text.split_inclusive(' ') {
        let w = Span::raw(word.trim_end_matches(' ')).width();
        let spaces = Span::raw(word).width() - w;
        if col > 0 && col + w > width {
            rows += 1;
            col = 0;
        }
        if w > width {
            rows += (w - 1) / width;
            col = w - (w - 1) / width * width;
        } else {
            col += w;
        }
        col += spaces;
    }
    rows
}

/// Rows all of `lines` take in `width` columns.
pub(crate) fn rows(lines: &[Line], width: u16) -> usize {
    let width = usize::from(width).max(1);
    lines.iter().map(|l| rows_of(l, width)).sum()
}

/// Where the window stands, when the text overflows it: its first and
/// last row (from 1) of all.
pub(crate) fn position(scroll: usize, height: usize, total: usize) -> Option<String> {
    (total > height).then(|| {
        let last = (scroll + height).min(total);
        format!("{}–{last}/{total}", scroll + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_rows_follow_the_words() {
        assert_eq!(rows(&[Line::raw("aaa bbb ccc")], 7), 2);
        assert_eq!(rows(&[Line::raw("aaa bbb")], 7), 1);
        assert_eq!(rows(&[Line::raw(""), Line::raw("x")], 7), 2);
        assert_eq!(rows(&[Line::raw("abcdefghij")], 4), 3);
    }

    #[test]
    fn the_position_is_shown_only_when_the_text_overflows() {
        assert_eq!(position(0, 10, 8), None);
        assert_eq!(position(5, 10, 30).as_deref(), Some("6–15/30"));
    }
}
