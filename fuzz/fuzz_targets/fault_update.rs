//! The failure-configuration parser on arbitrary bytes: it may refuse,
//! never panic, and whatever it accepts is within bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(update) = workshop::api::parse_fault_update(data) {
        assert!(update.validate().is_ok());
        let applied = workshop::faults::FaultConfig::default().apply(&update);
        assert!(applied.error_rate >= 0.0 && applied.error_rate <= 100.0);
    }
});
