//! Any text as a tsp-modem configuration file: parsing, building the lines, and `config check`
//! must never panic, and `check` must report an error exactly when the file cannot be used.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsp_modem::config::ModemConfig;
use tsp_modem::provider::config_check::{Severity, check};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let problems = check(text);
    for p in &problems {
        assert!(p.line >= 1 && p.column >= 1, "{p:?}");
    }
    let usable = toml::from_str::<ModemConfig>(text)
        .ok()
        .is_some_and(|c| !c.lines.is_empty() && c.line_configs().is_ok());
    let errors = problems.iter().any(|p| p.severity == Severity::Error);
    if !usable {
        assert!(errors, "an unusable file passed check: {text:?}");
    }
});
