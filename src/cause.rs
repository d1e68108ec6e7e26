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

#[cfg(test)]
mod tests {
    use super::*;

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
