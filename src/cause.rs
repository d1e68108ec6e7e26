//! The innermost cause of an error: what a person can act on ("Connection
//! refused"), beneath the layers of HTTP clients and transports.

use std::error::Error;

/// The last error of `e`'s `source()` chain (`e` itself when it has none).
pub(crate) fn innermost<'a>(e: &'a (dyn Error + 'static)) -> &'a (dyn Error + 'static) {
    let mut deepest = e;
    while let Some(next) = deepest.source() {
        deepest = next;
    }
    deepest
}

/// The innermost cause as a person reads it: its text without the
/// system's error number ("Connection refused", not "Connection refused
/// (os error 111)"). The words module says it in the screen's language.
pub(crate) fn reason(e: &(dyn Error + 'static)) -> String {
    let text = innermost(e).to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_leaves_the_error_number_out() {
        let refused = std::io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert!(refused.to_string().contains("(os error"), "{refused}");
        assert_eq!(reason(&refused), "Connection refused");
        assert_eq!(reason(&std::io::Error::other("a (b)")), "a (b)");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_deepest_source_is_found() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(innermost(&e).to_string(), "Connection refused");
        let alone = std::io::Error::other("alone");
        assert_eq!(innermost(&alone).to_string(), "alone");
    }
}
