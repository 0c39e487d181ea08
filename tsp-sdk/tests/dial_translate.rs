//! Known answers for address translation (`lineTranslateAddress`) and secure dial strings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tsp_sdk::LineErr;
use tsp_sdk::dial::{
    DialError, DialMode, DialString, Location, LocationField, TranslateOptions as Opt,
    TranslateResults as Res, secure_dial_string, translate,
};

/// Redmond behind a PBX: `9` for an outside line, NANP prefixes, `*70,` to cancel call waiting.
fn redmond() -> Location {
    Location::nanp("425")
        .with_local_access("9")
        .with_long_distance_access("9")
        .with_cancel_call_waiting("*70,")
}

fn dialable(input: &str, location: &Location, options: Opt) -> String {
    translate(input, location, options).unwrap().dialable
}

#[test]
fn same_country_and_area_is_local() {
    let out = translate("+1 (425) 555-0100", &redmond(), Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T9,5550100");
    assert_eq!(out.displayable, "9, 555-0100");
    assert_eq!(out.dest_country, 1);
    assert_eq!(out.results, Res::CANONICAL | Res::LOCAL);
    assert_eq!(out.dial_string, DialString::parse("T9,5550100").unwrap());
}

#[test]
fn same_country_other_area_is_long_distance() {
    let out = translate("+1 (206) 555-0100", &redmond(), Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T9,12065550100");
    assert_eq!(out.displayable, "9, 1 206 555-0100");
    assert_eq!(out.results, Res::CANONICAL | Res::LONG_DISTANCE);
}

#[test]
fn other_country_is_international() {
    let out = translate("+44 (20) 7946 0000", &redmond(), Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T9,011442079460000");
    assert_eq!(out.displayable, "9, 011 44 20 7946 0000");
    assert_eq!(out.dest_country, 44);
    assert_eq!(out.results, Res::CANONICAL | Res::INTERNATIONAL);
}

#[test]
fn international_without_area_code() {
    assert_eq!(
        dialable("+354 551 2345", &redmond(), Opt::empty()),
        "T9,0113545512345"
    );
}

#[test]
fn domestic_number_without_area_code_is_local() {
    let iceland = Location::new(354, "").with_international_prefix("00");
    let out = translate("+354 551 2345", &iceland, Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T5512345");
    assert_eq!(out.results, Res::CANONICAL | Res::LOCAL);
}

#[test]
fn european_location_uses_its_own_prefixes() {
    let munich = Location::new(49, "89")
        .with_long_distance_prefix("0")
        .with_international_prefix("00");
    assert_eq!(
        dialable("+49 (30) 1234567", &munich, Opt::empty()),
        "T0301234567"
    );
    assert_eq!(
        dialable("+49 (89) 1234567", &munich, Opt::empty()),
        "T1234567"
    );
    assert_eq!(
        dialable("+1 (425) 555-0100", &munich, Opt::empty()),
        "T0014255550100"
    );
}

#[test]
fn force_local_drops_the_long_distance_prefix_but_keeps_another_area_code() {
    let out = translate("+1 (206) 555-0100", &redmond(), Opt::FORCE_LOCAL).unwrap();
    assert_eq!(out.dialable, "T9,2065550100");
    assert_eq!(out.results, Res::CANONICAL | Res::LOCAL);
    assert_eq!(
        dialable("+1 (425) 555-0100", &redmond(), Opt::FORCE_LOCAL),
        "T9,5550100"
    );
}

#[test]
fn force_ld_dials_a_local_number_as_long_distance() {
    let out = translate("+1 (425) 555-0100", &redmond(), Opt::FORCE_LD).unwrap();
    assert_eq!(out.dialable, "T9,14255550100");
    assert_eq!(out.results, Res::CANONICAL | Res::LONG_DISTANCE);
}

#[test]
fn force_options_never_change_an_international_call() {
    for options in [Opt::FORCE_LOCAL, Opt::FORCE_LD] {
        let out = translate("+44 (20) 7946 0000", &redmond(), options).unwrap();
        assert_eq!(out.dialable, "T9,011442079460000");
        assert_eq!(out.results, Res::CANONICAL | Res::INTERNATIONAL);
    }
}

#[test]
fn force_local_and_force_ld_together_are_an_invalid_parameter() {
    let err = translate(
        "+1 (425) 555-0100",
        &redmond(),
        Opt::FORCE_LOCAL | Opt::FORCE_LD,
    )
    .unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalParam);
    let err = translate("5550100", &redmond(), Opt::from_bits_retain(0x10)).unwrap_err();
    assert_eq!(
        err,
        DialError::InvalidOptions {
            bits: 0x10,
            reason: "undefined bits are set"
        }
    );
}

#[test]
fn listed_area_codes_are_dialed_as_local_calls_with_the_area_code() {
    let location = redmond()
        .with_local_area_code("206")
        .with_local_area_code("425");
    let out = translate("+1 (206) 555-0100", &location, Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T9,2065550100");
    assert_eq!(out.results, Res::CANONICAL | Res::LOCAL);
    // The location's own area code in the list: ten-digit local dialing.
    assert_eq!(
        dialable("+1 (425) 555-0100", &location, Opt::empty()),
        "T9,4255550100"
    );
    // Other areas stay long distance.
    assert_eq!(
        dialable("+1 (360) 555-0100", &location, Opt::empty()),
        "T9,13605550100"
    );
}

#[test]
fn pulse_locations_start_with_p() {
    let rotary = Location::nanp("425")
        .with_dial_mode(DialMode::Pulse)
        .with_cancel_call_waiting("1170,");
    assert_eq!(
        dialable("+1 (425) 555-0100", &rotary, Opt::empty()),
        "P5550100"
    );
    assert_eq!(
        dialable("+1 (425) 555-0100", &rotary, Opt::CANCEL_CALL_WAITING),
        "P1170,5550100"
    );
}

#[test]
fn cancel_code_goes_right_after_the_tone_letter_before_every_prefix() {
    let out = translate("+1 (206) 555-0100", &redmond(), Opt::CANCEL_CALL_WAITING).unwrap();
    assert_eq!(out.dialable, "T*70,9,12065550100");
    assert_eq!(out.displayable, "*70, 9, 1 206 555-0100");
    assert_eq!(out.results, Res::CANONICAL | Res::LONG_DISTANCE);
    assert_eq!(
        dialable("+1 (425) 555-0100", &redmond(), Opt::CANCEL_CALL_WAITING),
        "T*70,9,5550100"
    );
    assert_eq!(
        dialable("+44 (20) 7946 0000", &redmond(), Opt::CANCEL_CALL_WAITING),
        "T*70,9,011442079460000"
    );
}

#[test]
fn cancel_codes_are_inserted_as_stored_and_always_end_in_a_pause() {
    for (code, expected) in [
        ("70#,", "T70#,9,5550100"),
        ("*70", "T*70,9,5550100"),
        ("1170", "T1170,9,5550100"),
        ("*70W", "T*70W9,5550100"),
        ("*70, ", "T*70,9,5550100"),
    ] {
        let location = redmond().with_cancel_call_waiting(code);
        assert_eq!(
            dialable("+1 (425) 555-0100", &location, Opt::CANCEL_CALL_WAITING),
            expected,
            "{code}"
        );
    }
}

#[test]
fn empty_cancel_code_makes_the_option_a_no_op() {
    let location = redmond().with_cancel_call_waiting("");
    let with = translate("+1 (206) 555-0100", &location, Opt::CANCEL_CALL_WAITING).unwrap();
    let without = translate("+1 (206) 555-0100", &location, Opt::empty()).unwrap();
    assert_eq!(with, without);
    assert_eq!(with.dialable, "T9,12065550100");
}

#[test]
fn the_cancel_code_is_not_dialed_without_the_option() {
    assert_eq!(
        dialable("+1 (206) 555-0100", &redmond(), Opt::empty()),
        "T9,12065550100"
    );
}

#[test]
fn an_access_prefix_ending_in_a_pause_or_wait_gets_no_extra_pause() {
    let location = Location::nanp("425")
        .with_local_access("9,")
        .with_long_distance_access("8W");
    assert_eq!(
        dialable("+1 (425) 555-0100", &location, Opt::empty()),
        "T9,5550100"
    );
    let out = translate("+1 (206) 555-0100", &location, Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T8W12065550100");
    assert_eq!(
        out.results,
        Res::CANONICAL | Res::LONG_DISTANCE | Res::DIAL_DIALTONE
    );
}

#[test]
fn modifiers_in_the_subscriber_number_are_reported() {
    let out = translate("+1 (425) 555-0100 $ 1234", &redmond(), Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T9,5550100$1234");
    assert_eq!(out.results, Res::CANONICAL | Res::LOCAL | Res::DIAL_BILLING);
}

#[test]
fn subaddress_name_and_further_addresses_follow_unmodified() {
    let input = "+1 (206) 555-0100|12^Front desk\r\n+1 (206) 555-0101";
    let out = translate(input, &redmond(), Opt::empty()).unwrap();
    assert_eq!(
        out.dialable,
        "T9,12065550100|12^Front desk\r\n+1 (206) 555-0101"
    );
    assert_eq!(
        out.displayable,
        "9, 1 206 555-0100|12^Front desk\r\n+1 (206) 555-0101"
    );
    assert_eq!(out.dial_string.addresses().len(), 2);
    assert_eq!(DialString::parse(&out.dialable).unwrap(), out.dial_string);
}

#[test]
fn an_invalid_further_address_is_reported_at_its_position_in_the_input() {
    let err = translate("+1 (206) 555-0100\r\n55x", &redmond(), Opt::empty()).unwrap_err();
    assert_eq!(
        err,
        DialError::UnexpectedChar {
            found: 'x',
            position: 21,
            input: "+1 (206) 555-0100\r\n55x".into()
        }
    );
    let err = translate("5550100\r\n", &redmond(), Opt::empty()).unwrap_err();
    assert_eq!(
        err,
        DialError::EmptyAddress {
            position: 9,
            input: "5550100\r\n".into()
        }
    );
}

#[test]
fn dialable_input_is_passed_through_with_tone_letter() {
    let out = translate("555-0100", &redmond(), Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T5550100");
    assert_eq!(out.displayable, "555-0100");
    assert_eq!(out.dest_country, 0);
    assert_eq!(out.results, Res::empty());
}

#[test]
fn dialable_input_gets_the_cancel_code_after_its_own_mode_letter() {
    let out = translate("P9W555-0100", &redmond(), Opt::CANCEL_CALL_WAITING).unwrap();
    assert_eq!(out.dialable, "P*70,9W5550100");
    assert_eq!(out.displayable, "*70, P9W555-0100");
    assert_eq!(out.results, Res::DIAL_DIALTONE);
    assert_eq!(
        dialable("5550100", &redmond(), Opt::CANCEL_CALL_WAITING),
        "T*70,5550100"
    );
}

#[test]
fn dialable_input_already_carrying_the_code_is_not_secured_twice() {
    assert_eq!(
        dialable("T*70,5550100", &redmond(), Opt::CANCEL_CALL_WAITING),
        "T*70,5550100"
    );
    assert_eq!(
        dialable("*70,5550100", &redmond(), Opt::CANCEL_CALL_WAITING),
        "T*70,5550100"
    );
}

#[test]
fn dialable_input_is_still_validated() {
    let err = translate("555x0100", &redmond(), Opt::empty()).unwrap_err();
    assert_eq!(
        err,
        DialError::UnexpectedChar {
            found: 'x',
            position: 3,
            input: "555x0100".into()
        }
    );
    assert_eq!(
        translate("", &redmond(), Opt::empty()).unwrap_err(),
        DialError::Empty
    );
}

#[test]
fn leading_spaces_do_not_hide_a_canonical_address() {
    let out = translate("  +1 (425) 555-0100", &redmond(), Opt::empty()).unwrap();
    assert_eq!(out.dialable, "T9,5550100");
    let err = translate("  +1 (425)555-0100", &redmond(), Opt::empty()).unwrap_err();
    assert_eq!(err.position(), Some(10));
}

#[test]
fn malformed_canonical_input_is_an_invalid_address_or_country_code() {
    let err = translate("+1 (425)5550100", &redmond(), Opt::empty()).unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalAddress);
    let err = translate("+14255550100", &redmond(), Opt::empty()).unwrap_err();
    assert_eq!(
        err,
        DialError::InvalidCountryCode {
            code: "14255550100".into(),
            input: "+14255550100".into()
        }
    );
    assert_eq!(err.kind(), LineErr::InvalCountryCode);
}

#[test]
fn an_unconfigured_location_translates_dialable_input_but_not_canonical() {
    let location = Location::default();
    assert_eq!(dialable("5550100", &location, Opt::empty()), "T5550100");
    let err = translate("+1 (425) 555-0100", &location, Opt::empty()).unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalLocation);
    assert!(matches!(
        err,
        DialError::InvalidLocation {
            field: LocationField::CountryCode,
            ..
        }
    ));
}

#[test]
fn an_invalid_location_field_is_invallocation() {
    let location = redmond().with_local_access("9;");
    let err = translate("5550100", &location, Opt::empty()).unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalLocation);
    assert!(matches!(
        err,
        DialError::InvalidLocation {
            field: LocationField::LocalAccess,
            ..
        }
    ));
}

#[test]
fn a_translation_longer_than_the_cap_is_refused() {
    let location = redmond().with_long_distance_access("9".repeat(200));
    let input = format!("+1 (206) {}", "5".repeat(60));
    let err = translate(&input, &location, Opt::empty()).unwrap_err();
    assert!(
        matches!(err, DialError::TooLong { max: 255, .. }),
        "{err:?}"
    );
}

#[test]
fn option_and_result_bits_carry_tapi_values() {
    assert_eq!(Opt::CARD_OVERRIDE.bits(), 0x1);
    assert_eq!(Opt::CANCEL_CALL_WAITING.bits(), 0x2);
    assert_eq!(Opt::FORCE_LOCAL.bits(), 0x4);
    assert_eq!(Opt::FORCE_LD.bits(), 0x8);
    let results = [
        (Res::CANONICAL, 0x1),
        (Res::INTERNATIONAL, 0x2),
        (Res::LONG_DISTANCE, 0x4),
        (Res::LOCAL, 0x8),
        (Res::IN_TOLL_LIST, 0x10),
        (Res::NOT_IN_TOLL_LIST, 0x20),
        (Res::DIAL_BILLING, 0x40),
        (Res::DIAL_QUIET, 0x80),
        (Res::DIAL_DIALTONE, 0x100),
        (Res::DIAL_PROMPT, 0x200),
        (Res::VOICE_DETECT, 0x400),
    ];
    for (flag, bits) in results {
        assert_eq!(flag.bits(), bits, "{flag:?}");
    }
}

#[test]
fn card_override_changes_nothing() {
    assert_eq!(
        translate("+1 (206) 555-0100", &redmond(), Opt::CARD_OVERRIDE).unwrap(),
        translate("+1 (206) 555-0100", &redmond(), Opt::empty()).unwrap()
    );
}

#[test]
fn secure_dial_string_adds_tone_and_code_when_neither_is_present() {
    assert_eq!(
        secure_dial_string("5550100", "*70,", DialMode::Tone)
            .unwrap()
            .to_string(),
        "T*70,5550100"
    );
    assert_eq!(
        secure_dial_string("5550100", "1170,", DialMode::Pulse)
            .unwrap()
            .to_string(),
        "P1170,5550100"
    );
}

#[test]
fn secure_dial_string_keeps_the_strings_own_mode_letter() {
    assert_eq!(
        secure_dial_string("t9,5550100", "*70,", DialMode::Pulse)
            .unwrap()
            .to_string(),
        "T*70,9,5550100"
    );
}

#[test]
fn secure_dial_string_leaves_an_already_secured_string_alone() {
    for input in ["T*70,5550100", "*70,5550100", "T*70W5550100"] {
        let once = secure_dial_string(input, "*70,", DialMode::Tone).unwrap();
        assert_eq!(
            once.first().elements()[1..4],
            DialString::parse("*70").unwrap().first().elements()[..],
            "{input}"
        );
        assert_eq!(
            once.secured("*70,", DialMode::Tone).unwrap(),
            once,
            "{input}"
        );
    }
    assert_eq!(
        secure_dial_string("T*70,5550100", "*70,", DialMode::Tone)
            .unwrap()
            .to_string(),
        "T*70,5550100"
    );
}

#[test]
fn secure_dial_string_secures_every_address() {
    let secured = secure_dial_string("5550100\r\nP5550101;", "*70,", DialMode::Tone).unwrap();
    assert_eq!(secured.to_string(), "T*70,5550100\r\nP*70,5550101;");
}

#[test]
fn secure_dial_string_without_a_code_is_invalcallparams() {
    let err = secure_dial_string("5550100", "", DialMode::Tone).unwrap_err();
    assert_eq!(err, DialError::NoCancelCode);
    assert_eq!(err.kind(), LineErr::InvalCallParams);
    assert_eq!(
        secure_dial_string("5550100", " , ", DialMode::Tone).unwrap_err(),
        DialError::NoCancelCode
    );
    assert_eq!(
        secure_dial_string("5550100", "*70;", DialMode::Tone)
            .unwrap_err()
            .kind(),
        LineErr::InvalLocation
    );
    assert_eq!(
        secure_dial_string("555x", "*70,", DialMode::Tone)
            .unwrap_err()
            .kind(),
        LineErr::InvalAddress
    );
}
