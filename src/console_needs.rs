//! What the console needs of the terminal it runs in: a size and whether
//! to colour. Known apart from the console, so `workshop doctor` checks
//! the very facts the console draws by without importing the console.

/// The smallest screen the console is laid out and snapshot-tested for
/// (columns, rows); smaller terminals get a cut screen, not a broken one.
pub(crate) const MIN_SIZE: (u16, u16) = (80, 24);

/// Whether the console draws in colour: `NO_COLOR` set to anything turns
/// colour off, per no-color.org (an empty value is as if unset).
pub(crate) fn colour_wanted(var: impl Fn(&str) -> Option<String>) -> bool {
    var("NO_COLOR").is_none_or(|v| v.is_empty())
}
