//! Any text as a dialable address, a canonical address and a location: parsing, the pre-scan and
//! translation never panic, and what they answer is consistent (a parsed string's positions lie
//! inside it; a translation's dialable string parses again; an error's position is in range).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tsp_sdk::dial::{
    CanonicalAddress, DialCaps, DialString, Location, TranslateOptions, translate,
};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    // Split: destination | area | cancel code | outside-line prefix.
    let mut parts = text.splitn(4, '|');
    let dest = parts.next().unwrap_or_default();
    let area = parts.next().unwrap_or_default();
    let cancel = parts.next().unwrap_or_default();
    let outside = parts.next().unwrap_or_default();

    match DialString::parse(dest) {
        Ok(parsed) => {
            assert!(!parsed.addresses().is_empty());
            for (a, e, _) in parsed.located_elements() {
                if let Some(at) = parsed.position(a, e) {
                    assert!(at <= dest.len(), "position {at} beyond {}", dest.len());
                }
            }
            let caps = DialCaps {
                dial_dialtone: flags & 1 != 0,
                dial_quiet: flags & 2 != 0,
                dial_billing: flags & 4 != 0,
                voice_detect: flags & 8 != 0,
            };
            if let Err(e) = parsed.check(caps) {
                assert!(e.position().is_none_or(|p| p <= dest.len()));
            }
        }
        Err(e) => assert!(e.position().is_none_or(|p| p <= dest.len() + 1), "{e:?}"),
    }
    let _ = CanonicalAddress::parse(dest);
    let _ = CanonicalAddress::parse_all(dest);

    let mut location = Location::new(u32::from(flags >> 4) + 1, area);
    if !cancel.is_empty() {
        location = location.with_cancel_call_waiting(cancel);
    }
    if !outside.is_empty() {
        location = location.with_local_access(outside);
    }
    let options = if flags & 16 != 0 {
        TranslateOptions::CANCEL_CALL_WAITING
    } else {
        TranslateOptions::empty()
    };
    if let Ok(out) = translate(dest, &location, options) {
        // What translation produces must itself be a dialable string.
        assert!(
            DialString::parse(&out.dialable).is_ok(),
            "translated {dest:?} to {:?}, which does not parse",
            out.dialable
        );
    }
});
