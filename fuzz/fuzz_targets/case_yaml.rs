//! The case loader on arbitrary text: it may refuse, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = workshop::cases::parse_case("fuzz.yaml", text);
    }
});
