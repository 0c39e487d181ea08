//! From a TAPI destination to the characters after `ATD`: address translation with the line's
//! location (and its cancel-call-waiting code for a secure call), the pre-scan of wait modifiers
//! the modem cannot honour, and the modem's own limits.

use tsp_sdk::dial::{DialCaps, DialError, DialString, Location, TranslateOptions, translate};
use tsp_sdk::{Error, LineErr};

use crate::at;

/// What to dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DialPlan {
    /// The characters after `ATD` (no `;`).
    pub(crate) number: at::DialString,
    /// The destination ended with `;`: more digits follow with `dial`.
    pub(crate) partial: bool,
    /// The dialable string as it goes to the modem, for call info.
    pub(crate) dialed: String,
}

fn dial_error(operation: &'static str, e: &DialError) -> Error {
    Error::new(e.kind())
        .operation(operation)
        .detail(e.to_string())
}

/// The first dial of a call: `dest` translated for `location` (with the cancel code right after
/// the `T`/`P` when `secure`), then checked against `caps`.
pub(crate) fn first_dial(
    operation: &'static str,
    dest: &str,
    location: &Location,
    secure: bool,
    caps: DialCaps,
) -> Result<DialPlan, Error> {
    let options = if secure {
        TranslateOptions::CANCEL_CALL_WAITING
    } else {
        TranslateOptions::empty()
    };
    let translated = translate(dest, location, options).map_err(|e| dial_error(operation, &e))?;
    checked(operation, &translated.dial_string, caps)
}

/// More digits on a call that is already dialing: no translation, no cancel code.
pub(crate) fn more_digits(
    operation: &'static str,
    dest: &str,
    caps: DialCaps,
) -> Result<DialPlan, Error> {
    let dial = DialString::parse(dest).map_err(|e| dial_error(operation, &e))?;
    checked(operation, &dial, caps)
}

fn checked(operation: &'static str, dial: &DialString, caps: DialCaps) -> Result<DialPlan, Error> {
    dial.check(caps).map_err(|e| dial_error(operation, &e))?;
    if dial.addresses().len() > 1 {
        return Err(Error::new(LineErr::InvalAddress)
            .operation(operation)
            .detail("a modem dials one address; CRLF-separated lists are not supported"));
    }
    let first = dial.first();
    if first.subaddress().is_some() || first.name().is_some() {
        tracing::debug!("subaddress and name are not dialed by a modem; dropped");
    }
    let chars: String = first.elements().iter().map(|e| e.as_char()).collect();
    let number = at::DialString::new(&chars).map_err(|e| {
        Error::new(LineErr::InvalAddress)
            .operation(operation)
            .detail(e.to_string())
    })?;
    let partial = first.is_partial();
    let dialed = if partial { format!("{chars};") } else { chars };
    Ok(DialPlan {
        number,
        partial,
        dialed,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const CAPS: DialCaps = DialCaps {
        dial_dialtone: true,
        dial_quiet: true,
        dial_billing: false,
        voice_detect: false,
    };

    #[test]
    fn a_secure_call_dials_the_cancel_code_right_after_the_tone_letter() {
        let home = Location::default().with_cancel_call_waiting("*70");
        let plan = first_dial("make_call", "5550101", &home, true, CAPS).unwrap();
        assert_eq!(plan.number.as_str(), "T*70,5550101");
        let plain = first_dial("make_call", "5550101", &home, false, CAPS).unwrap();
        assert_eq!(plain.number.as_str(), "T5550101");
    }

    #[test]
    fn canonical_numbers_are_translated_with_the_location() {
        let office = Location::nanp("425").with_local_access("9");
        let plan = first_dial("make_call", "+1 (425) 555-0100", &office, false, CAPS).unwrap();
        assert_eq!(plan.number.as_str(), "T9,5550100");
    }

    #[test]
    fn modifiers_the_modem_cannot_honour_are_refused_before_anything_is_sent() {
        let here = Location::default();
        let err = first_dial("make_call", "555$1", &here, false, CAPS).unwrap_err();
        assert_eq!(err.kind(), LineErr::DialBilling);
        let err = first_dial("make_call", "5?1", &here, false, CAPS).unwrap_err();
        assert_eq!(err.kind(), LineErr::DialPrompt);
        let none = DialCaps::default();
        let err = first_dial("make_call", "9W5550100", &here, false, none).unwrap_err();
        assert_eq!(err.kind(), LineErr::DialDialtone);
    }

    #[test]
    fn a_trailing_semicolon_is_a_partial_dial_and_never_reaches_the_modem_text() {
        let plan = more_digits("dial", "555;", CAPS).unwrap();
        assert!(plan.partial);
        assert_eq!(plan.number.as_str(), "555");
        assert_eq!(plan.dialed, "555;");
    }

    #[test]
    fn strings_too_long_for_a_modem_or_with_lists_are_invalid_addresses() {
        let long = "5".repeat(70);
        assert_eq!(
            more_digits("dial", &long, CAPS).unwrap_err().kind(),
            LineErr::InvalAddress
        );
        let list = "5550100\r\n5550101";
        assert_eq!(
            more_digits("dial", list, CAPS).unwrap_err().kind(),
            LineErr::InvalAddress
        );
    }
}
