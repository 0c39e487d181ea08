//! Property tests for the dialing module: parsing, the pre-scan, canonical addresses and
//! translation never panic, and what they produce is consistent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use tsp_sdk::dial::{
    CanonicalAddress, DialAddress, DialCaps, DialElement, DialError, DialMode, DialString,
    Location, MAX_DIAL_STRING_LEN, TranslateOptions, TranslateResults, translate,
};

const DIAL_CHARS: &str = "0123456789ABCDabcd*#TtPpWw,!@$?:+";

fn element() -> impl Strategy<Value = DialElement> {
    proptest::sample::select(DIAL_CHARS.chars().collect::<Vec<_>>())
        .prop_map(|c| DialElement::from_char(c).unwrap())
}

fn address() -> impl Strategy<Value = DialAddress> {
    (
        proptest::collection::vec(element(), 0..20),
        any::<bool>(),
        proptest::option::of("[a-z0-9@. ]{0,8}"),
        proptest::option::of("[ -~]{0,10}"),
    )
        .prop_filter_map("empty address", |(elements, partial, subaddress, name)| {
            let mut address = DialAddress::new(elements).with_partial(partial);
            if let Some(subaddress) = subaddress {
                address = address.with_subaddress(subaddress).ok()?;
            }
            if let Some(name) = name {
                address = address.with_name(name).ok()?;
            }
            (!address.is_empty()).then_some(address)
        })
}

fn dial_string() -> impl Strategy<Value = DialString> {
    proptest::collection::vec(address(), 1..4)
        .prop_filter_map("too long", |a| DialString::from_addresses(a).ok())
}

/// Text that is often, but not always, a dialable address.
fn dial_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9A-Da-d*#TtPpWw,!@$?:;+|^ ()./\r\n-]{0,40}",
        "[0-9 ,-]{1,12}[Ww@$?:][0-9 ,Ww@$?:-]{0,12};?",
        any::<String>(),
    ]
}

/// Text that is often, but not always, a canonical address.
fn canonical_text() -> impl Strategy<Value = String> {
    prop_oneof![
        " ?\\+[0-9]{1,3} (\\([0-9]{0,4}\\) )?[0-9][0-9 .-]{0,14}(\\|[a-z0-9]{0,4})?(\\^[ -~]{0,8})?",
        "\\+[0-9]{1,4} ?(\\([0-9a]{0,4}\\)? ?)?[0-9 .()WP$;x-]{0,14}(\r\n\\+1 [0-9]{1,4})?",
        "\\+[ -~]{0,20}",
    ]
}

fn location() -> impl Strategy<Value = Location> {
    (
        prop_oneof![Just(0u32), Just(1u32), Just(44u32), 1u32..1000],
        "[0-9]{0,3}",
        "[0-9,W]{0,2}",
        "[0-9,W]{0,2}",
        "[0-9]{0,2}",
        "[0-9]{0,3}",
        any::<bool>(),
        prop_oneof![
            Just(String::new()),
            Just("*70,".to_owned()),
            Just("1170,".to_owned()),
            Just("70#,".to_owned()),
            "[0-9*#,;x]{0,4}"
        ],
        proptest::collection::vec("[0-9]{0,3}", 0..3),
    )
        .prop_map(
            |(country, area, local, ld_access, ld, intl, pulse, cancel, local_areas)| Location {
                country_code: country,
                area_code: area,
                local_access: local,
                long_distance_access: ld_access,
                long_distance_prefix: ld,
                international_prefix: intl,
                dial_mode: if pulse {
                    DialMode::Pulse
                } else {
                    DialMode::Tone
                },
                cancel_call_waiting: cancel,
                local_area_codes: local_areas,
            },
        )
}

fn caps() -> impl Strategy<Value = DialCaps> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(dial_dialtone, dial_quiet, dial_billing, voice_detect)| DialCaps {
            dial_dialtone,
            dial_quiet,
            dial_billing,
            voice_detect,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn display_then_parse_gives_back_the_same_dial_string(dial in dial_string()) {
        let text = dial.to_string();
        prop_assert_eq!(DialString::parse(&text).unwrap(), dial);
    }

    #[test]
    fn any_parsed_text_round_trips_through_its_normalised_form(text in dial_text()) {
        if let Ok(dial) = DialString::parse(&text) {
            let normalised = dial.to_string();
            let again = DialString::parse(&normalised).unwrap();
            prop_assert_eq!(&again, &dial);
            prop_assert_eq!(again.to_string(), normalised);
        }
    }

    #[test]
    fn parse_errors_point_at_a_character_of_the_input(text in dial_text()) {
        if let Err(err) = DialString::parse(&text) {
            if let Some(position) = err.position() {
                prop_assert!(position <= text.chars().count(), "{:?} for {:?}", err, text);
            }
            if let DialError::UnexpectedChar { found, position, .. } = err {
                prop_assert_eq!(text.chars().nth(position), Some(found));
            }
        }
    }

    #[test]
    fn prescan_position_indexes_the_first_unsupported_modifier(text in dial_text(), caps in caps()) {
        let Ok(dial) = DialString::parse(&text) else { return Ok(()) };
        match dial.check(caps) {
            Ok(()) => prop_assert!(dial.located_elements().all(|(_, _, e)| caps.supports(e))),
            Err(DialError::Unsupported { modifier, position, .. }) => {
                let at = text.chars().nth(position).unwrap();
                let element = DialElement::from_char(at).unwrap();
                prop_assert_eq!(element.as_char(), modifier);
                prop_assert!(!caps.supports(element));
                let earlier: Vec<_> = dial.located_elements().take_while(|&(_, p, _)| p < position).collect();
                prop_assert!(earlier.iter().all(|&(_, _, e)| caps.supports(e)));
            }
            Err(other) => prop_assert!(false, "unexpected error {:?}", other),
        }
    }

    #[test]
    fn split_head_modifier_and_tail_recompose_a_single_address(text in dial_text(), caps in caps()) {
        let Ok(dial) = DialString::parse(&text) else { return Ok(()) };
        if dial.addresses().len() != 1 {
            return Ok(());
        }
        match dial.split_at_first_unsupported(caps) {
            None => prop_assert!(dial.check(caps).is_ok()),
            Some(split) => {
                prop_assert!(split.head.is_partial());
                prop_assert!(split.head.check(caps).is_ok());
                prop_assert_eq!(Some(split.position), dial.check(caps).unwrap_err().position());
                let mut joined: Vec<DialElement> = split.head.first().elements().to_vec();
                joined.push(split.modifier);
                if let Some(tail) = &split.tail {
                    joined.extend_from_slice(tail.first().elements());
                    prop_assert_eq!(tail.first().subaddress(), dial.first().subaddress());
                    prop_assert_eq!(tail.first().name(), dial.first().name());
                    prop_assert_eq!(tail.is_partial(), dial.is_partial());
                }
                prop_assert_eq!(joined.as_slice(), dial.first().elements());
            }
        }
    }

    #[test]
    fn canonical_display_then_parse_gives_back_the_same_address(text in canonical_text()) {
        if let Ok(address) = CanonicalAddress::parse(&text) {
            prop_assert_eq!(CanonicalAddress::parse(&address.to_string()).unwrap(), address);
        }
    }

    #[test]
    fn translation_never_panics_and_its_dialable_string_parses(
        input in prop_oneof![canonical_text(), dial_text()],
        location in location(),
        options in any::<u32>().prop_map(|bits| TranslateOptions::from_bits_retain(bits & 0x1f)),
    ) {
        if let Ok(out) = translate(&input, &location, options) {
            let parsed = DialString::parse(&out.dialable).unwrap();
            prop_assert_eq!(&parsed, &out.dial_string);
            let first = out.dial_string.first().elements();
            prop_assert!(matches!(first.first(), Some(DialElement::Tone | DialElement::Pulse)));
            let canonical = out.results.contains(TranslateResults::CANONICAL);
            prop_assert_eq!(canonical, out.dest_country != 0);
            if canonical {
                prop_assert_eq!(first[0], location.dial_mode.element());
                let mode = location.dial_mode.element().as_char();
                if let Ok(shown) = DialString::parse(&format!("{mode}{}", out.displayable)) {
                    prop_assert_eq!(shown, out.dial_string.clone());
                }
            }
        }
    }

    #[test]
    fn the_cancel_code_follows_the_mode_letter_whenever_it_is_asked_for(
        input in canonical_text(),
        location in location(),
    ) {
        let Ok(out) = translate(&input, &location, TranslateOptions::CANCEL_CALL_WAITING) else { return Ok(()) };
        let code = location.cancel_code_elements().unwrap();
        let first = out.dial_string.first().elements();
        prop_assert_eq!(&first[1..=code.len()], code.as_slice());
        if !location.can_cancel_call_waiting() {
            let plain = translate(&input, &location, TranslateOptions::empty()).unwrap();
            if code.is_empty() {
                prop_assert_eq!(plain, out);
            }
        }
    }

    #[test]
    fn securing_twice_is_the_same_as_securing_once(dial in dial_string(), pulse in any::<bool>()) {
        let mode = if pulse { DialMode::Pulse } else { DialMode::Tone };
        if let Ok(once) = dial.secured("*70,", mode) {
            prop_assert_eq!(once.secured("*70,", mode).unwrap(), once.clone());
            for address in once.addresses() {
                let text = address.to_string();
                prop_assert!(text.starts_with('T') || text.starts_with('P'), "{}", text);
            }
        }
    }

    #[test]
    fn oversized_input_is_refused_without_panicking(extra in 1usize..50) {
        let text = "5".repeat(MAX_DIAL_STRING_LEN + extra);
        let too_long = |r: Result<(), DialError>| matches!(r, Err(DialError::TooLong { .. }));
        prop_assert!(too_long(DialString::parse(&text).map(|_| ())));
        prop_assert!(too_long(translate(&text, &Location::default(), TranslateOptions::empty()).map(|_| ())));
    }
}
