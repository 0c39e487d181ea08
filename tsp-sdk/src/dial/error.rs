//! [`DialError`]: what is wrong with a dial string, a canonical address, a location or a
//! translation request, and which `LINEERR_*` that is.

use std::fmt;

use crate::LineErr;

/// The part of a canonical address (`+CountryCode Space [(AreaCode) Space] SubscriberNumber
/// [|Subaddress] [^Name]`) that is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CanonicalPart {
    /// The leading `+`.
    Plus,
    /// The single space that ends the country code.
    CountryCodeSpace,
    /// The area code between `(` and `)`.
    AreaCode,
    /// The single space after `)`.
    AreaCodeSpace,
    /// The subscriber number.
    SubscriberNumber,
    /// The subaddress after `|`.
    Subaddress,
    /// The name after `^`.
    Name,
}

impl fmt::Display for CanonicalPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CanonicalPart::Plus => "expected '+' to start a canonical address",
            CanonicalPart::CountryCodeSpace => "expected exactly one space after the country code",
            CanonicalPart::AreaCode => "expected the area code's digits and a closing ')'",
            CanonicalPart::AreaCodeSpace => "expected exactly one space after the area code",
            CanonicalPart::SubscriberNumber => "bad subscriber number",
            CanonicalPart::Subaddress => "bad subaddress",
            CanonicalPart::Name => "bad name",
        })
    }
}

/// A field of a [`Location`](super::Location), named in [`DialError::InvalidLocation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocationField {
    /// [`Location::country_code`](super::Location::country_code).
    CountryCode,
    /// [`Location::area_code`](super::Location::area_code).
    AreaCode,
    /// [`Location::local_access`](super::Location::local_access).
    LocalAccess,
    /// [`Location::long_distance_access`](super::Location::long_distance_access).
    LongDistanceAccess,
    /// [`Location::long_distance_prefix`](super::Location::long_distance_prefix).
    LongDistancePrefix,
    /// [`Location::international_prefix`](super::Location::international_prefix).
    InternationalPrefix,
    /// [`Location::cancel_call_waiting`](super::Location::cancel_call_waiting).
    CancelCallWaiting,
    /// [`Location::local_area_codes`](super::Location::local_area_codes).
    LocalAreaCodes,
}

impl fmt::Display for LocationField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LocationField::CountryCode => "country code",
            LocationField::AreaCode => "area code",
            LocationField::LocalAccess => "local outside-line prefix",
            LocationField::LongDistanceAccess => "long-distance outside-line prefix",
            LocationField::LongDistancePrefix => "long-distance prefix",
            LocationField::InternationalPrefix => "international prefix",
            LocationField::CancelCallWaiting => "cancel-call-waiting code",
            LocationField::LocalAreaCodes => "local area codes",
        })
    }
}

/// What is wrong with a dial string, a canonical address, a location or a translation request.
///
/// Positions are 0-based character (not byte) indices into the string named by `input`.
/// [`DialError::kind`] gives the `LINEERR_*` a provider returns; `From<DialError>` for
/// [`crate::Error`] keeps this error as the detail and the source.
///
/// ```
/// use tsp_sdk::dial::DialString;
/// use tsp_sdk::LineErr;
/// let err = DialString::parse("555x0100").unwrap_err();
/// assert_eq!(err.to_string(), "unexpected character 'x' at position 3 in \"555x0100\"");
/// assert_eq!(err.kind(), LineErr::InvalAddress);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialError {
    /// The input is empty.
    #[error("the address is empty")]
    Empty,
    /// The input is longer than the cap ([`MAX_DIAL_STRING_LEN`](super::MAX_DIAL_STRING_LEN)).
    #[error("the address is {len} characters long; at most {max} are allowed")]
    TooLong {
        /// Its length in characters.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A character that has no place where it stands.
    #[error("unexpected character {found:?} at position {position} in {input:?}")]
    UnexpectedChar {
        /// The character.
        found: char,
        /// Where it is.
        position: usize,
        /// The string it is in.
        input: String,
    },
    /// A `;` that does not end a dialable number (TAPI allows it only there).
    #[error("';' at position {position} in {input:?} does not end the dialable number")]
    MisplacedSemicolon {
        /// Where the `;` is.
        position: usize,
        /// The string it is in.
        input: String,
    },
    /// An address (between CRLFs, or the whole input) with nothing in it.
    #[error("empty address at position {position} in {input:?}")]
    EmptyAddress {
        /// Where the empty address starts.
        position: usize,
        /// The string it is in.
        input: String,
    },
    /// A wait or prompt modifier the device cannot honour: the first one in the string.
    #[error(
        "{modifier:?} ({}) at position {position} in {input:?} is not supported by this device",
        modifier_meaning(*modifier)
    )]
    Unsupported {
        /// The modifier: one of `W @ $ ? :`.
        modifier: char,
        /// Where it is.
        position: usize,
        /// The string it is in.
        input: String,
    },
    /// The input starts with `+` but is not a well-formed canonical address.
    #[error("{input:?} is not a canonical address: {part} at position {position}")]
    BadCanonical {
        /// Which part is malformed.
        part: CanonicalPart,
        /// Where the problem was found.
        position: usize,
        /// The address.
        input: String,
    },
    /// The country code of a canonical address is not 1 to 3 digits without a leading zero.
    #[error(
        "{input:?} has an invalid country code {code:?}: expected 1 to 3 digits, not starting with 0"
    )]
    InvalidCountryCode {
        /// The country code as written (possibly empty).
        code: String,
        /// The address.
        input: String,
    },
    /// A field of the location cannot be used.
    #[error("location {field} {value:?} cannot be used: {reason}")]
    InvalidLocation {
        /// The field.
        field: LocationField,
        /// Its value.
        value: String,
        /// Why not.
        reason: &'static str,
    },
    /// Translate options that cannot be honoured (both FORCELOCAL and FORCELD, or undefined bits).
    #[error("translate options {bits:#x} cannot be used: {reason}")]
    InvalidOptions {
        /// The options' bits.
        bits: u32,
        /// Why not.
        reason: &'static str,
    },
    /// A secure dial string was asked for, but there is no cancel-call-waiting code.
    #[error("the call cannot be secured: no cancel-call-waiting code is configured")]
    NoCancelCode,
}

fn modifier_meaning(c: char) -> &'static str {
    match super::DialElement::from_char(c) {
        Some(element) => element.meaning(),
        None => "unknown modifier",
    }
}

impl DialError {
    /// The `LINEERR_*` a provider or the host returns for this error.
    ///
    /// | error | kind |
    /// |---|---|
    /// | empty, too long, unexpected character, misplaced `;`, empty address, bad canonical form | `InvalAddress` |
    /// | unsupported `W` / `@` / `$` / `?` / `:` | `DialDialtone` / `DialQuiet` / `DialBilling` / `DialPrompt` / `DialVoiceDetect` |
    /// | invalid country code | `InvalCountryCode` |
    /// | invalid location | `InvalLocation` |
    /// | invalid translate options | `InvalParam` |
    /// | no cancel code for a secure call | `InvalCallParams` |
    pub fn kind(&self) -> LineErr {
        match self {
            DialError::Empty
            | DialError::TooLong { .. }
            | DialError::UnexpectedChar { .. }
            | DialError::MisplacedSemicolon { .. }
            | DialError::EmptyAddress { .. }
            | DialError::BadCanonical { .. } => LineErr::InvalAddress,
            DialError::Unsupported { modifier, .. } => match modifier {
                'W' | 'w' => LineErr::DialDialtone,
                '@' => LineErr::DialQuiet,
                '$' => LineErr::DialBilling,
                '?' => LineErr::DialPrompt,
                ':' => LineErr::DialVoiceDetect,
                _ => LineErr::InvalAddress,
            },
            DialError::InvalidCountryCode { .. } => LineErr::InvalCountryCode,
            DialError::InvalidLocation { .. } => LineErr::InvalLocation,
            DialError::InvalidOptions { .. } => LineErr::InvalParam,
            DialError::NoCancelCode => LineErr::InvalCallParams,
        }
    }

    /// The character position the error points at, if it points at one.
    pub fn position(&self) -> Option<usize> {
        match self {
            DialError::UnexpectedChar { position, .. }
            | DialError::MisplacedSemicolon { position, .. }
            | DialError::EmptyAddress { position, .. }
            | DialError::Unsupported { position, .. }
            | DialError::BadCanonical { position, .. } => Some(*position),
            _ => None,
        }
    }

    /// The same error about a string that holds the original one at character `offset`.
    pub(crate) fn within(self, offset: usize, outer: &str) -> DialError {
        let outer = outer.to_owned();
        match self {
            DialError::UnexpectedChar {
                found, position, ..
            } => DialError::UnexpectedChar {
                found,
                position: position + offset,
                input: outer,
            },
            DialError::MisplacedSemicolon { position, .. } => DialError::MisplacedSemicolon {
                position: position + offset,
                input: outer,
            },
            DialError::EmptyAddress { position, .. } => DialError::EmptyAddress {
                position: position + offset,
                input: outer,
            },
            DialError::Unsupported {
                modifier, position, ..
            } => DialError::Unsupported {
                modifier,
                position: position + offset,
                input: outer,
            },
            DialError::BadCanonical { part, position, .. } => DialError::BadCanonical {
                part,
                position: position + offset,
                input: outer,
            },
            DialError::InvalidCountryCode { code, .. } => {
                DialError::InvalidCountryCode { code, input: outer }
            }
            other => other,
        }
    }
}

impl From<DialError> for crate::Error {
    fn from(err: DialError) -> Self {
        crate::Error::new(err.kind())
            .detail(err.to_string())
            .source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsupported(modifier: char) -> DialError {
        DialError::Unsupported {
            modifier,
            position: 0,
            input: modifier.to_string(),
        }
    }

    #[test]
    fn each_unsupported_modifier_maps_to_its_own_lineerr() {
        assert_eq!(unsupported('W').kind(), LineErr::DialDialtone);
        assert_eq!(unsupported('@').kind(), LineErr::DialQuiet);
        assert_eq!(unsupported('$').kind(), LineErr::DialBilling);
        assert_eq!(unsupported('?').kind(), LineErr::DialPrompt);
        assert_eq!(unsupported(':').kind(), LineErr::DialVoiceDetect);
    }

    #[test]
    fn unsupported_modifier_message_names_the_modifier_its_meaning_and_position() {
        let err = DialError::Unsupported {
            modifier: 'W',
            position: 1,
            input: "9W555".into(),
        };
        assert_eq!(
            err.to_string(),
            "'W' (wait for dial tone) at position 1 in \"9W555\" is not supported by this device"
        );
    }

    #[test]
    fn conversion_to_the_crate_error_keeps_kind_and_message() {
        let err: crate::Error = unsupported('?').into();
        assert_eq!(err.kind(), LineErr::DialPrompt);
        assert!(
            err.to_string()
                .starts_with("LINEERR_DIALPROMPT: '?' (prompt the user) at position 0")
        );
        let source = std::error::Error::source(&err).and_then(|s| s.downcast_ref::<DialError>());
        assert_eq!(source, Some(&unsupported('?')));
    }

    #[test]
    fn errors_inside_a_longer_string_are_moved_by_the_offset() {
        let inner = DialError::UnexpectedChar {
            found: 'x',
            position: 2,
            input: "55x".into(),
        };
        assert_eq!(
            inner.within(4, "123\n55x"),
            DialError::UnexpectedChar {
                found: 'x',
                position: 6,
                input: "123\n55x".into()
            }
        );
    }
}
