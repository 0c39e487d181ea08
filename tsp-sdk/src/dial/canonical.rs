//! Canonical addresses (T§6, "Canonical Addresses" in the TAPI docs):
//! `+CountryCode Space [(AreaCode) Space] SubscriberNumber [| Subaddress] [^ Name] [CRLF ...]`.

use std::fmt;
use std::str::FromStr;

use super::address::MAX_DIAL_STRING_LEN;
use super::element::{DialElement, is_formatting};
use super::error::{CanonicalPart, DialError};

/// A phone number in TAPI's canonical (location-independent) form, such as
/// `+1 (425) 555-0100`: what address books store and [`translate`](super::translate) turns into
/// a dialable string for a [`Location`](super::Location).
///
/// The subscriber number is kept as written (its formatting is what a person reads);
/// [`subscriber_elements`](CanonicalAddress::subscriber_elements) is what gets dialed.
///
/// ```
/// use tsp_sdk::dial::CanonicalAddress;
/// let address = CanonicalAddress::parse("+1 (425) 555-0100|12^Reception")?;
/// assert_eq!(address.country(), 1);
/// assert_eq!(address.area(), Some("425"));
/// assert_eq!(address.subscriber(), "555-0100");
/// assert_eq!(address.subaddress(), Some("12"));
/// assert_eq!(address.name(), Some("Reception"));
/// assert_eq!(address.to_string(), "+1 (425) 555-0100|12^Reception");
/// # Ok::<(), tsp_sdk::dial::DialError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CanonicalAddress {
    country: u32,
    area: Option<String>,
    subscriber: String,
    elements: Vec<DialElement>,
    subaddress: Option<String>,
    name: Option<String>,
}

impl CanonicalAddress {
    /// Parses one canonical address (no CRLF; see [`CanonicalAddress::parse_all`]).
    ///
    /// The form is strict where TAPI's is: `+`, 1 to 3 digits of country code (no leading
    /// zero), exactly one space, optionally `(`digits`)` and a space, then a subscriber number
    /// with at least one digit, made of dialable characters (`0-9 A-D * # T P W , ! @ $ ? :`,
    /// either case) and formatting (space, `-`, `.`, `/`). An empty area code `()` means none.
    ///
    /// # Errors
    /// [`DialError::InvalidCountryCode`] (`LINEERR_INVALCOUNTRYCODE`) for a bad country code;
    /// [`DialError::BadCanonical`] naming the malformed part, [`DialError::UnexpectedChar`] for
    /// a CR, [`DialError::Empty`] or [`DialError::TooLong`] (all `LINEERR_INVALADDRESS`).
    pub fn parse(input: &str) -> Result<CanonicalAddress, DialError> {
        check_length(input)?;
        if let Some((position, found)) = input.chars().enumerate().find(|&(_, c)| c == '\r') {
            return Err(DialError::UnexpectedChar {
                found,
                position,
                input: input.to_owned(),
            });
        }
        parse_one(input, input, 0)
    }

    /// Parses a CRLF-separated list of canonical addresses (inverse multiplexing).
    ///
    /// # Errors
    /// As [`CanonicalAddress::parse`], for the first address in error; an empty address (such
    /// as after a trailing CRLF) is [`DialError::BadCanonical`] with [`CanonicalPart::Plus`].
    pub fn parse_all(input: &str) -> Result<Vec<CanonicalAddress>, DialError> {
        check_length(input)?;
        let mut offset = 0;
        let mut addresses = Vec::new();
        for segment in input.split("\r\n") {
            addresses.push(parse_one(segment, input, offset)?);
            offset += segment.chars().count() + 2;
        }
        Ok(addresses)
    }

    /// An address from its parts.
    ///
    /// # Errors
    /// As [`CanonicalAddress::parse`] of the text they make.
    pub fn new(
        country: u32,
        area: Option<&str>,
        subscriber: &str,
    ) -> Result<CanonicalAddress, DialError> {
        let text = match area {
            Some(area) => format!("+{country} ({area}) {subscriber}"),
            None => format!("+{country} {subscriber}"),
        };
        CanonicalAddress::parse(&text)
    }

    /// The country code (`1` for NANP, `44` for the UK).
    pub fn country(&self) -> u32 {
        self.country
    }

    /// The area (city) code, digits only; `None` for countries without area codes.
    pub fn area(&self) -> Option<&str> {
        self.area.as_deref()
    }

    /// The subscriber number as written, formatting included (`555-0100`).
    pub fn subscriber(&self) -> &str {
        &self.subscriber
    }

    /// The subscriber number as dialed: its elements without formatting.
    pub fn subscriber_elements(&self) -> &[DialElement] {
        &self.elements
    }

    /// The subaddress (after `|`), if any.
    pub fn subaddress(&self) -> Option<&str> {
        self.subaddress.as_deref()
    }

    /// The name (after `^`), if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}

impl fmt::Display for CanonicalAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{} ", self.country)?;
        if let Some(area) = &self.area {
            write!(f, "({area}) ")?;
        }
        f.write_str(&self.subscriber)?;
        if let Some(subaddress) = &self.subaddress {
            write!(f, "|{subaddress}")?;
        }
        if let Some(name) = &self.name {
            write!(f, "^{name}")?;
        }
        Ok(())
    }
}

impl FromStr for CanonicalAddress {
    type Err = DialError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CanonicalAddress::parse(s)
    }
}

fn check_length(input: &str) -> Result<(), DialError> {
    if input.is_empty() {
        return Err(DialError::Empty);
    }
    let len = input.chars().count();
    if len > MAX_DIAL_STRING_LEN {
        return Err(DialError::TooLong {
            len,
            max: MAX_DIAL_STRING_LEN,
        });
    }
    Ok(())
}

/// Parses `text`, which starts at character `offset` of `input` (errors point into `input`).
pub(crate) fn parse_one(
    text: &str,
    input: &str,
    offset: usize,
) -> Result<CanonicalAddress, DialError> {
    let chars: Vec<char> = text.chars().collect();
    let bad = |part: CanonicalPart, at: usize| DialError::BadCanonical {
        part,
        position: offset + at,
        input: input.to_owned(),
    };

    if chars.first() != Some(&'+') {
        return Err(bad(CanonicalPart::Plus, 0));
    }
    let mut at = 1;
    while chars.get(at).is_some_and(char::is_ascii_digit) {
        at += 1;
    }
    let code: String = chars[1..at].iter().collect();
    let country = match code.parse::<u32>() {
        Ok(country) if code.len() <= 3 && !code.starts_with('0') => country,
        _ => {
            return Err(DialError::InvalidCountryCode {
                code,
                input: input.to_owned(),
            });
        }
    };
    if chars.get(at) != Some(&' ') {
        return Err(bad(CanonicalPart::CountryCodeSpace, at));
    }
    at += 1;

    let mut area = None;
    if chars.get(at) == Some(&'(') {
        at += 1;
        let start = at;
        while chars.get(at).is_some_and(char::is_ascii_digit) {
            at += 1;
        }
        if chars.get(at) != Some(&')') {
            return Err(bad(CanonicalPart::AreaCode, at));
        }
        let digits: String = chars[start..at].iter().collect();
        area = (!digits.is_empty()).then_some(digits);
        at += 1;
        if chars.get(at) != Some(&' ') {
            return Err(bad(CanonicalPart::AreaCodeSpace, at));
        }
        at += 1;
    }

    let start = at;
    let mut elements = Vec::new();
    while let Some(&c) = chars.get(at) {
        if c == '|' || c == '^' {
            break;
        }
        match DialElement::from_char(c) {
            Some(DialElement::Plus) => return Err(bad(CanonicalPart::SubscriberNumber, at)),
            Some(element) => elements.push(element),
            None if is_formatting(c) && c != '(' && c != ')' => {}
            None => return Err(bad(CanonicalPart::SubscriberNumber, at)),
        }
        at += 1;
    }
    let has_decimal_digit = elements
        .iter()
        .any(|e| matches!(e, DialElement::Digit(d) if d.is_decimal()));
    if !has_decimal_digit {
        return Err(bad(CanonicalPart::SubscriberNumber, start));
    }
    let subscriber: String = chars[start..at].iter().collect();

    let mut subaddress = None;
    if chars.get(at) == Some(&'|') {
        at += 1;
        let begin = at;
        while let Some(&c) = chars.get(at) {
            if c == '^' {
                break;
            }
            if matches!(c, '|' | '+') || c.is_control() {
                return Err(bad(CanonicalPart::Subaddress, at));
            }
            at += 1;
        }
        subaddress = Some(chars[begin..at].iter().collect());
    }

    let mut name = None;
    if chars.get(at) == Some(&'^') {
        at += 1;
        if let Some(bad_at) = (at..chars.len()).find(|&i| chars[i].is_control()) {
            return Err(bad(CanonicalPart::Name, bad_at));
        }
        name = Some(chars[at..].iter().collect());
    }

    Ok(CanonicalAddress {
        country,
        area,
        subscriber,
        elements,
        subaddress,
        name,
    })
}
