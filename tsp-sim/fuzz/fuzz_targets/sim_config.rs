//! Arbitrary text as a `tsp-sim` configuration file: an error naming the file, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.toml");
    if let Err(e) = tsp_sim::cli::config::parse(text, path) {
        let message = e.to_string();
        assert!(!message.is_empty());
    }
});
