//! Known answers for the dialable-address parser and canonical addresses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tsp_sdk::LineErr;
use tsp_sdk::dial::{
    CanonicalAddress, CanonicalPart, DialAddress, DialElement, DialError, DialString, DtmfDigit,
    MAX_DIAL_STRING_LEN,
};

fn digit(c: char) -> DialElement {
    DialElement::Digit(DtmfDigit::new(c).unwrap())
}

#[test]
fn every_element_is_parsed_to_its_variant() {
    let dial = DialString::parse("0123456789ABCD*#TP,!W@$?:+").unwrap();
    let mut expected: Vec<DialElement> = "0123456789ABCD*#".chars().map(digit).collect();
    expected.extend([
        DialElement::Tone,
        DialElement::Pulse,
        DialElement::Pause,
        DialElement::Flash,
        DialElement::WaitDialtone,
        DialElement::WaitQuiet,
        DialElement::WaitBilling,
        DialElement::Prompt,
        DialElement::WaitVoice,
        DialElement::Plus,
    ]);
    assert_eq!(dial.first().elements(), expected.as_slice());
    assert_eq!(dial.addresses().len(), 1);
    assert!(!dial.is_partial());
}

#[test]
fn lowercase_modifiers_and_letters_are_normalised_to_uppercase() {
    let dial = DialString::parse("t9w5p1abcd").unwrap();
    assert_eq!(dial.to_string(), "T9W5P1ABCD");
}

#[test]
fn formatting_characters_are_ignored() {
    let dial = DialString::parse(" 1 (425) 555-0100 / 12.34 ").unwrap();
    assert_eq!(dial.to_string(), "142555501001234");
    assert_eq!(dial, DialString::parse("142555501001234").unwrap());
}

#[test]
fn positions_point_into_the_text_as_written() {
    let dial = DialString::parse("(9) W").unwrap();
    assert_eq!(dial.source(), "(9) W");
    assert_eq!(dial.position(0, 0), Some(1));
    assert_eq!(dial.position(0, 1), Some(4));
    assert_eq!(dial.position(0, 2), None);
}

#[test]
fn a_trailing_semicolon_marks_the_address_partial() {
    let dial = DialString::parse("9,555;").unwrap();
    assert!(dial.is_partial());
    assert_eq!(dial.first().elements().len(), 5);
    assert_eq!(dial.to_string(), "9,555;");
    assert!(DialString::parse("555 ; ").unwrap().is_partial());
}

#[test]
fn a_semicolon_alone_is_a_partial_dial_of_nothing() {
    let dial = DialString::parse(";").unwrap();
    assert!(dial.is_partial());
    assert!(dial.first().elements().is_empty());
}

#[test]
fn a_semicolon_before_more_digits_is_misplaced() {
    let err = DialString::parse("555;1").unwrap_err();
    assert_eq!(
        err,
        DialError::MisplacedSemicolon {
            position: 3,
            input: "555;1".into()
        }
    );
    assert_eq!(err.kind(), LineErr::InvalAddress);
    assert_eq!(DialString::parse("555;;").unwrap_err().position(), Some(3));
}

#[test]
fn subaddress_and_name_are_split_off() {
    let dial = DialString::parse("5550100|1234^Jane Doe").unwrap();
    let address = dial.first();
    assert_eq!(address.elements().len(), 7);
    assert_eq!(address.subaddress(), Some("1234"));
    assert_eq!(address.name(), Some("Jane Doe"));
    assert_eq!(dial.to_string(), "5550100|1234^Jane Doe");
}

#[test]
fn a_name_may_hold_other_delimiters_but_a_subaddress_may_not() {
    let dial = DialString::parse("555^a|b^c+d").unwrap();
    assert_eq!(dial.first().name(), Some("a|b^c+d"));
    assert_eq!(dial.first().subaddress(), None);
    let err = DialString::parse("555|a|b").unwrap_err();
    assert_eq!(
        err,
        DialError::UnexpectedChar {
            found: '|',
            position: 5,
            input: "555|a|b".into()
        }
    );
}

#[test]
fn a_semicolon_may_precede_the_subaddress() {
    let dial = DialString::parse("555;|12").unwrap();
    assert!(dial.is_partial());
    assert_eq!(dial.first().subaddress(), Some("12"));
    assert_eq!(dial.to_string(), "555;|12");
}

#[test]
fn crlf_separates_addresses_for_inverse_multiplexing() {
    let dial = DialString::parse("5550100\r\n5550101^second").unwrap();
    assert_eq!(dial.addresses().len(), 2);
    assert_eq!(dial.addresses()[1].name(), Some("second"));
    assert_eq!(dial.position(1, 0), Some(9));
    assert_eq!(dial.to_string(), "5550100\r\n5550101^second");
}

#[test]
fn a_lone_cr_or_lf_is_unexpected() {
    assert_eq!(
        DialString::parse("555\r666").unwrap_err(),
        DialError::UnexpectedChar {
            found: '6',
            position: 4,
            input: "555\r666".into()
        }
    );
    assert_eq!(
        DialString::parse("555\n").unwrap_err(),
        DialError::UnexpectedChar {
            found: '\n',
            position: 3,
            input: "555\n".into()
        }
    );
    assert_eq!(DialString::parse("555\r").unwrap_err().position(), Some(3));
}

#[test]
fn an_empty_address_is_rejected() {
    assert_eq!(
        DialString::parse("555\r\n").unwrap_err(),
        DialError::EmptyAddress {
            position: 5,
            input: "555\r\n".into()
        }
    );
    assert_eq!(
        DialString::parse("\r\n555").unwrap_err().position(),
        Some(0)
    );
    assert_eq!(
        DialString::parse(" - ").unwrap_err(),
        DialError::EmptyAddress {
            position: 0,
            input: " - ".into()
        }
    );
}

#[test]
fn empty_and_too_long_inputs_are_rejected() {
    assert_eq!(DialString::parse("").unwrap_err(), DialError::Empty);
    let long = "5".repeat(MAX_DIAL_STRING_LEN + 1);
    assert_eq!(
        DialString::parse(&long).unwrap_err(),
        DialError::TooLong { len: 256, max: 255 }
    );
    assert!(DialString::parse(&"5".repeat(MAX_DIAL_STRING_LEN)).is_ok());
}

#[test]
fn an_unexpected_character_is_named_with_its_position() {
    let err = DialString::parse("555x0100").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected character 'x' at position 3 in \"555x0100\""
    );
    let err = DialString::parse("55é5E").unwrap_err();
    assert_eq!(
        err,
        DialError::UnexpectedChar {
            found: 'é',
            position: 2,
            input: "55é5E".into()
        }
    );
    assert_eq!(DialString::parse("5E").unwrap_err().position(), Some(1));
}

#[test]
fn control_characters_are_refused_in_subaddress_and_name() {
    assert_eq!(DialString::parse("5|a\tb").unwrap_err().position(), Some(3));
    assert_eq!(
        DialString::parse("5^a\u{7f}").unwrap_err().position(),
        Some(3)
    );
}

#[test]
fn built_addresses_display_and_parse_back() {
    let address = DialAddress::new(vec![DialElement::Tone, digit('5')])
        .with_partial(true)
        .with_subaddress("sub")
        .unwrap()
        .with_name("n")
        .unwrap();
    let dial =
        DialString::from_addresses(vec![address.clone(), DialAddress::new(vec![digit('7')])])
            .unwrap();
    assert_eq!(dial.to_string(), "T5;|sub^n\r\n7");
    assert_eq!(dial.source(), "T5;|sub^n\r\n7");
    assert_eq!(dial.position(1, 0), Some(11));
    assert_eq!(DialString::parse(&dial.to_string()).unwrap(), dial);
    assert!(address.clone().with_subaddress("a^b").is_err());
    assert!(address.with_name("a\r\nb").is_err());
    assert_eq!(
        DialString::from_addresses(vec![]).unwrap_err(),
        DialError::Empty
    );
    assert!(DialString::from_addresses(vec![DialAddress::default()]).is_err());
}

#[test]
fn canonical_address_with_area_code() {
    let address = CanonicalAddress::parse("+1 (425) 555-0100").unwrap();
    assert_eq!(address.country(), 1);
    assert_eq!(address.area(), Some("425"));
    assert_eq!(address.subscriber(), "555-0100");
    let dialed: String = address
        .subscriber_elements()
        .iter()
        .map(|e| e.as_char())
        .collect();
    assert_eq!(dialed, "5550100");
    assert_eq!(address.subaddress(), None);
    assert_eq!(address.name(), None);
    assert_eq!(address.to_string(), "+1 (425) 555-0100");
}

#[test]
fn canonical_address_without_area_code() {
    let address = CanonicalAddress::parse("+354 551 2345").unwrap();
    assert_eq!(address.country(), 354);
    assert_eq!(address.area(), None);
    assert_eq!(address.subscriber(), "551 2345");
    assert_eq!(
        CanonicalAddress::parse("+354 () 5512345").unwrap().area(),
        None
    );
}

#[test]
fn canonical_address_with_subaddress_and_name() {
    let address = CanonicalAddress::parse("+44 (20) 7946 0000|77^Sales desk").unwrap();
    assert_eq!(address.country(), 44);
    assert_eq!(address.area(), Some("20"));
    assert_eq!(address.subscriber(), "7946 0000");
    assert_eq!(address.subaddress(), Some("77"));
    assert_eq!(address.name(), Some("Sales desk"));
    let only_name = CanonicalAddress::parse("+1 (425) 555-0100^Main").unwrap();
    assert_eq!(
        (only_name.subaddress(), only_name.name()),
        (None, Some("Main"))
    );
}

#[test]
fn canonical_list_is_split_at_crlf() {
    let list = CanonicalAddress::parse_all("+1 (425) 555-0100\r\n+1 (425) 555-0101").unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].subscriber(), "555-0101");
    let err = CanonicalAddress::parse_all("+1 (425) 555-0100\r\n").unwrap_err();
    assert_eq!(
        err,
        DialError::BadCanonical {
            part: CanonicalPart::Plus,
            position: 19,
            input: "+1 (425) 555-0100\r\n".into()
        }
    );
    assert!(matches!(
        CanonicalAddress::parse("+1 (425) 555-0100\r\n+1 (425) 555-0101").unwrap_err(),
        DialError::UnexpectedChar {
            found: '\r',
            position: 17,
            ..
        }
    ));
}

#[test]
fn canonical_errors_name_the_part_and_position() {
    let bad = |input: &str| match CanonicalAddress::parse(input).unwrap_err() {
        DialError::BadCanonical { part, position, .. } => (part, position),
        other => panic!("{input:?}: {other:?}"),
    };
    assert_eq!(bad("1 (425) 5550100"), (CanonicalPart::Plus, 0));
    assert_eq!(bad("+1(425) 5550100"), (CanonicalPart::CountryCodeSpace, 2));
    assert_eq!(bad("+1"), (CanonicalPart::CountryCodeSpace, 2));
    assert_eq!(bad("+1 (42x) 5550100"), (CanonicalPart::AreaCode, 6));
    assert_eq!(bad("+1 (425 5550100"), (CanonicalPart::AreaCode, 7));
    assert_eq!(bad("+1 (425)5550100"), (CanonicalPart::AreaCodeSpace, 8));
    assert_eq!(
        bad("+1 (425) 555x0100"),
        (CanonicalPart::SubscriberNumber, 12)
    );
    assert_eq!(bad("+1 (425) 555;"), (CanonicalPart::SubscriberNumber, 12));
    assert_eq!(bad("+1 (425) *#"), (CanonicalPart::SubscriberNumber, 9));
    assert_eq!(bad("+1 (425) "), (CanonicalPart::SubscriberNumber, 9));
    assert_eq!(
        bad("+1 425 (555) 0100"),
        (CanonicalPart::SubscriberNumber, 7)
    );
    assert_eq!(bad("+1 (425) 5550100|a+b"), (CanonicalPart::Subaddress, 18));
    assert_eq!(bad("+1 (425) 5550100^a\tb"), (CanonicalPart::Name, 18));
    let err = CanonicalAddress::parse("+1 (425) 555x0100").unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalAddress);
    assert_eq!(
        err.to_string(),
        "\"+1 (425) 555x0100\" is not a canonical address: bad subscriber number at position 12"
    );
}

#[test]
fn bad_country_codes_are_invalcountrycode() {
    for (input, code) in [
        ("+ (425) 5550100", ""),
        ("+1234 5550100", "1234"),
        ("+01 5550100", "01"),
    ] {
        let err = CanonicalAddress::parse(input).unwrap_err();
        assert_eq!(
            err,
            DialError::InvalidCountryCode {
                code: code.into(),
                input: input.into()
            },
            "{input}"
        );
        assert_eq!(err.kind(), LineErr::InvalCountryCode);
    }
}

#[test]
fn canonical_parts_build_an_address() {
    let address = CanonicalAddress::new(49, Some("89"), "12345-678").unwrap();
    assert_eq!(address.to_string(), "+49 (89) 12345-678");
    assert_eq!(
        "+49 (89) 12345-678".parse::<CanonicalAddress>().unwrap(),
        address
    );
    assert!(CanonicalAddress::new(0, None, "5").is_err());
}
