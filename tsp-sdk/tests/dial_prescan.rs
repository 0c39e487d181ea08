//! Known answers for the pre-scan (T§1.5) and the split at the first unsupported modifier.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tsp_sdk::LineErr;
use tsp_sdk::dial::{DialCaps, DialElement, DialError, DialString};

fn check(input: &str, caps: DialCaps) -> Result<(), (LineErr, usize)> {
    DialString::parse(input)
        .unwrap()
        .check(caps)
        .map_err(|err| (err.kind(), err.position().unwrap()))
}

#[test]
fn first_offender_wins_without_caps() {
    assert_eq!(
        check("9W555@1", DialCaps::default()),
        Err((LineErr::DialDialtone, 1))
    );
}

#[test]
fn with_dialtone_cap_the_quiet_modifier_is_next() {
    let caps = DialCaps {
        dial_dialtone: true,
        ..DialCaps::default()
    };
    assert_eq!(check("9W555@1", caps), Err((LineErr::DialQuiet, 5)));
}

#[test]
fn with_dialtone_and_quiet_caps_the_string_passes() {
    let caps = DialCaps {
        dial_dialtone: true,
        dial_quiet: true,
        ..DialCaps::default()
    };
    assert_eq!(check("9W555@1", caps), Ok(()));
}

#[test]
fn billing_modifier_needs_the_billing_cap() {
    assert_eq!(
        check("10288$1234", DialCaps::default()),
        Err((LineErr::DialBilling, 5))
    );
    assert_eq!(
        check(
            "10288$1234",
            DialCaps {
                dial_billing: true,
                ..DialCaps::default()
            }
        ),
        Ok(())
    );
}

#[test]
fn prompt_is_rejected_even_when_every_cap_is_present() {
    assert_eq!(
        check("555?1234", DialCaps::ALL),
        Err((LineErr::DialPrompt, 3))
    );
}

#[test]
fn voice_detect_needs_its_own_cap() {
    assert_eq!(
        check("1800:42", DialCaps::from_dev_cap_flags(0x1c0)),
        Err((LineErr::DialVoiceDetect, 4))
    );
    assert_eq!(
        check(
            "1800:42",
            DialCaps {
                voice_detect: true,
                ..DialCaps::default()
            }
        ),
        Ok(())
    );
}

#[test]
fn plain_digits_pauses_and_flash_always_pass() {
    assert_eq!(check("T9,!*70,P5550100;", DialCaps::default()), Ok(()));
}

#[test]
fn position_counts_characters_of_the_text_as_written() {
    let err = DialString::parse("1 (800) é").map(|_| ());
    assert!(err.is_err());
    assert_eq!(
        check("(9) - W", DialCaps::default()),
        Err((LineErr::DialDialtone, 6))
    );
    assert_eq!(
        check("12\r\n34$", DialCaps::default()),
        Err((LineErr::DialBilling, 6))
    );
}

#[test]
fn the_error_names_the_modifier_and_the_string() {
    let err = DialString::parse("9W555@1")
        .unwrap()
        .check(DialCaps::default())
        .unwrap_err();
    assert_eq!(
        err,
        DialError::Unsupported {
            modifier: 'W',
            position: 1,
            input: "9W555@1".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "'W' (wait for dial tone) at position 1 in \"9W555@1\" is not supported by this device"
    );
}

#[test]
fn parse_checked_reports_invalid_addresses_before_modifiers() {
    let err = DialString::parse_checked("9W55x", DialCaps::default()).unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalAddress);
    let err = DialString::parse_checked("9W55", DialCaps::default()).unwrap_err();
    assert_eq!(err.kind(), LineErr::DialDialtone);
    assert!(DialString::parse_checked("955", DialCaps::default()).is_ok());
}

#[test]
fn split_gives_a_partial_head_and_the_rest_after_the_modifier() {
    let dial = DialString::parse("9W555@1").unwrap();
    let split = dial
        .split_at_first_unsupported(DialCaps::default())
        .unwrap();
    assert_eq!(split.head.to_string(), "9;");
    assert!(split.head.is_partial());
    assert_eq!(split.modifier, DialElement::WaitDialtone);
    assert_eq!(split.position, 1);
    let tail = split.tail.unwrap();
    assert_eq!(tail.to_string(), "555@1");
    let again = tail
        .split_at_first_unsupported(DialCaps::default())
        .unwrap();
    assert_eq!(again.head.to_string(), "555;");
    assert_eq!(again.modifier, DialElement::WaitQuiet);
    assert_eq!(again.tail.unwrap().to_string(), "1");
}

#[test]
fn split_keeps_the_subaddress_name_and_semicolon_with_the_tail() {
    let dial = DialString::parse("555?1234;|9^Jo").unwrap();
    let split = dial.split_at_first_unsupported(DialCaps::ALL).unwrap();
    assert_eq!(split.head.to_string(), "555;");
    assert_eq!(split.tail.unwrap().to_string(), "1234;|9^Jo");
}

#[test]
fn split_at_a_leading_modifier_dials_nothing_first() {
    let split = DialString::parse("?5")
        .unwrap()
        .split_at_first_unsupported(DialCaps::ALL)
        .unwrap();
    assert_eq!(split.head.to_string(), ";");
    assert_eq!(split.tail.unwrap().to_string(), "5");
}

#[test]
fn split_at_a_trailing_modifier_leaves_no_tail() {
    let split = DialString::parse("5551234@")
        .unwrap()
        .split_at_first_unsupported(DialCaps::default())
        .unwrap();
    assert_eq!(split.head.to_string(), "5551234;");
    assert_eq!(split.tail, None);
}

#[test]
fn split_is_none_when_the_device_can_dial_everything() {
    let dial = DialString::parse("9W555@1").unwrap();
    assert_eq!(dial.split_at_first_unsupported(DialCaps::ALL), None);
}

#[test]
fn split_in_a_later_address_keeps_earlier_addresses_whole() {
    let dial = DialString::parse("111^a\r\n22W3\r\n44").unwrap();
    let split = dial
        .split_at_first_unsupported(DialCaps::default())
        .unwrap();
    assert_eq!(split.head.to_string(), "111^a\r\n22;");
    assert_eq!(split.position, 9);
    assert_eq!(split.tail.unwrap().to_string(), "3\r\n44");
}
