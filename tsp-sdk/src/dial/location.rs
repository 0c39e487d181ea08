//! [`Location`]: where the caller dials from (TAPI's dialing rules, T§3.2).

use super::element::{DialElement, is_formatting};
use super::error::{DialError, LocationField};

/// Tone (DTMF) or pulse dialing: the `T` or `P` a translated dial string starts with
/// (`LINELOCATIONOPTION_PULSEDIAL` selects pulse).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum DialMode {
    /// Tone dialing, `T`.
    #[default]
    Tone,
    /// Pulse (rotary) dialing, `P`.
    Pulse,
}

impl DialMode {
    /// The dial element for this mode.
    pub const fn element(self) -> DialElement {
        match self {
            DialMode::Tone => DialElement::Tone,
            DialMode::Pulse => DialElement::Pulse,
        }
    }
}

/// A telephony location: the dialing rules [`translate`](super::translate) applies to turn a
/// canonical address into what this line must dial.
///
/// The prefix fields are dial strings (digits and modifiers; formatting is allowed and
/// dropped). A non-empty outside-line prefix is followed by a pause (`,`) in the translated
/// string unless it already ends with `,` or `W`.
///
/// `Default` is an unconfigured location (country code 0): it translates dialable input but
/// refuses canonical input with `LINEERR_INVALLOCATION`. [`Location::nanp`] gives the North
/// American defaults.
///
/// ```
/// use tsp_sdk::dial::{DialMode, Location};
/// let office = Location::nanp("425")
///     .with_local_access("9")
///     .with_long_distance_access("9")
///     .with_cancel_call_waiting("*70,");
/// assert_eq!(office.country_code, 1);
/// assert_eq!(office.long_distance_prefix, "1");
/// assert_eq!(office.international_prefix, "011");
/// assert_eq!(office.dial_mode, DialMode::Tone);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// The country code the caller is in (`1`, `44`); 0 means not configured.
    pub country_code: u32,
    /// The caller's area (city) code, digits only; empty for countries without area codes.
    pub area_code: String,
    /// What to dial first to reach an outside line for local calls (`9` behind many PBXs);
    /// empty if none.
    pub local_access: String,
    /// What to dial first to reach an outside line for long-distance and international calls;
    /// empty if none.
    pub long_distance_access: String,
    /// The long-distance (trunk) prefix dialed before an area code: `1` in NANP, `0` in most
    /// of Europe.
    pub long_distance_prefix: String,
    /// The international prefix dialed before a country code: `011` in NANP, `00` in most of
    /// the world.
    pub international_prefix: String,
    /// Tone or pulse dialing.
    pub dial_mode: DialMode,
    /// The cancel-call-waiting code, stored as the user typed it: `*70,`, `1170,`, `70#,`. A
    /// trailing `,` (a pause for the confirmation tone) is part of the code. Empty: none, and
    /// `CANCELCALLWAITING` has no effect.
    pub cancel_call_waiting: String,
    /// Area codes in the caller's country that are dialed as local calls, with the area code
    /// but without the long-distance prefix (neighbouring areas, overlays). Include the
    /// location's own area code for ten-digit local dialing.
    pub local_area_codes: Vec<String>,
}

impl Location {
    /// A location in this country and area, with no prefixes and tone dialing.
    pub fn new(country_code: u32, area_code: impl Into<String>) -> Location {
        Location {
            country_code,
            area_code: area_code.into(),
            ..Location::default()
        }
    }

    /// A North American Numbering Plan location: country code 1, long-distance prefix `1`,
    /// international prefix `011`, tone dialing.
    pub fn nanp(area_code: impl Into<String>) -> Location {
        Location::new(1, area_code)
            .with_long_distance_prefix("1")
            .with_international_prefix("011")
    }

    /// Sets [`country_code`](Location::country_code).
    #[must_use]
    pub fn with_country_code(mut self, country_code: u32) -> Location {
        self.country_code = country_code;
        self
    }

    /// Sets [`area_code`](Location::area_code).
    #[must_use]
    pub fn with_area_code(mut self, area_code: impl Into<String>) -> Location {
        self.area_code = area_code.into();
        self
    }

    /// Sets [`local_access`](Location::local_access).
    #[must_use]
    pub fn with_local_access(mut self, prefix: impl Into<String>) -> Location {
        self.local_access = prefix.into();
        self
    }

    /// Sets [`long_distance_access`](Location::long_distance_access).
    #[must_use]
    pub fn with_long_distance_access(mut self, prefix: impl Into<String>) -> Location {
        self.long_distance_access = prefix.into();
        self
    }

    /// Sets [`long_distance_prefix`](Location::long_distance_prefix).
    #[must_use]
    pub fn with_long_distance_prefix(mut self, prefix: impl Into<String>) -> Location {
        self.long_distance_prefix = prefix.into();
        self
    }

    /// Sets [`international_prefix`](Location::international_prefix).
    #[must_use]
    pub fn with_international_prefix(mut self, prefix: impl Into<String>) -> Location {
        self.international_prefix = prefix.into();
        self
    }

    /// Sets [`dial_mode`](Location::dial_mode).
    #[must_use]
    pub fn with_dial_mode(mut self, dial_mode: DialMode) -> Location {
        self.dial_mode = dial_mode;
        self
    }

    /// Sets [`cancel_call_waiting`](Location::cancel_call_waiting).
    #[must_use]
    pub fn with_cancel_call_waiting(mut self, code: impl Into<String>) -> Location {
        self.cancel_call_waiting = code.into();
        self
    }

    /// Adds an area code to [`local_area_codes`](Location::local_area_codes).
    #[must_use]
    pub fn with_local_area_code(mut self, area_code: impl Into<String>) -> Location {
        self.local_area_codes.push(area_code.into());
        self
    }

    /// Whether calls can be secured with the cancel code here: the code is valid and has more
    /// than pauses. What a provider's `secure` address capability follows.
    pub fn can_cancel_call_waiting(&self) -> bool {
        self.cancel_code_elements()
            .is_ok_and(|code| code.iter().any(|e| *e != DialElement::Pause))
    }

    /// Checks every field that translation uses.
    ///
    /// # Errors
    /// [`DialError::InvalidLocation`] (`LINEERR_INVALLOCATION`) naming the first bad field: an
    /// area code that is not all digits, a prefix or cancel code with a character that is not
    /// a dial element or formatting (`;`, `|`, `^`, CR, LF, `+` are refused), or an empty or
    /// non-digit local area code. The country code is checked by translation of canonical
    /// input only.
    pub fn validate(&self) -> Result<(), DialError> {
        check_digits(LocationField::AreaCode, &self.area_code, true)?;
        for area in &self.local_area_codes {
            check_digits(LocationField::LocalAreaCodes, area, false)?;
        }
        self.cancel_code_elements()?;
        self.prefix_elements(LocationField::LocalAccess)?;
        self.prefix_elements(LocationField::LongDistanceAccess)?;
        self.prefix_elements(LocationField::LongDistancePrefix)?;
        self.prefix_elements(LocationField::InternationalPrefix)?;
        Ok(())
    }

    /// The cancel-call-waiting code as dial elements (empty if there is none).
    ///
    /// # Errors
    /// [`DialError::InvalidLocation`] if it holds something that is not a dial element or
    /// formatting.
    ///
    /// A code that does not end in a pause gets one (`*70` dials as `*70,`): the exchange needs a
    /// moment to take the feature code before the number, and without the pause the code and the
    /// next digits would run together (`*709…`).
    pub fn cancel_code_elements(&self) -> Result<Vec<DialElement>, DialError> {
        cancel_code_elements(&self.cancel_call_waiting)
    }

    pub(crate) fn prefix_elements(
        &self,
        field: LocationField,
    ) -> Result<Vec<DialElement>, DialError> {
        let value = match field {
            LocationField::LocalAccess => &self.local_access,
            LocationField::LongDistanceAccess => &self.long_distance_access,
            LocationField::LongDistancePrefix => &self.long_distance_prefix,
            LocationField::InternationalPrefix => &self.international_prefix,
            LocationField::CancelCallWaiting => &self.cancel_call_waiting,
            _ => return Ok(Vec::new()),
        };
        dial_elements(field, value)
    }
}

fn check_digits(field: LocationField, value: &str, may_be_empty: bool) -> Result<(), DialError> {
    if !may_be_empty && value.is_empty() {
        return Err(DialError::InvalidLocation {
            field,
            value: value.to_owned(),
            reason: "it is empty",
        });
    }
    if !value.chars().all(|c| c.is_ascii_digit()) {
        return Err(DialError::InvalidLocation {
            field,
            value: value.to_owned(),
            reason: "it must be digits only",
        });
    }
    Ok(())
}

/// `value` as dial elements, formatting dropped; `+` is refused (it would make a translated
/// string look canonical).
/// A cancel-call-waiting code as dial elements, ending in a pause (see
/// [`Location::cancel_code_elements`]). Empty stays empty.
pub(crate) fn cancel_code_elements(value: &str) -> Result<Vec<DialElement>, DialError> {
    let mut code = dial_elements(LocationField::CancelCallWaiting, value)?;
    let ends_in_wait = code
        .last()
        .is_some_and(|e| *e == DialElement::Pause || e.is_wait_modifier());
    if !code.is_empty() && !ends_in_wait {
        code.push(DialElement::Pause);
    }
    Ok(code)
}

pub(crate) fn dial_elements(
    field: LocationField,
    value: &str,
) -> Result<Vec<DialElement>, DialError> {
    let mut elements = Vec::new();
    for c in value.chars() {
        match DialElement::from_char(c) {
            Some(DialElement::Plus) => return Err(not_dialable(field, value)),
            Some(element) => elements.push(element),
            None if is_formatting(c) => {}
            None => return Err(not_dialable(field, value)),
        }
    }
    Ok(elements)
}

fn not_dialable(field: LocationField, value: &str) -> DialError {
    DialError::InvalidLocation {
        field,
        value: value.to_owned(),
        reason: "it may hold only digits, dial modifiers and formatting",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn default_location_is_unconfigured_tone_dialing() {
        let location = Location::default();
        assert_eq!(location.country_code, 0);
        assert_eq!(location.dial_mode, DialMode::Tone);
        assert!(!location.can_cancel_call_waiting());
        assert_eq!(location.validate(), Ok(()));
    }

    #[test]
    fn cancel_codes_as_users_type_them_are_valid() {
        for code in ["*70,", "1170,", "70#,", "*70", "#43#", "*70, "] {
            let location = Location::nanp("425").with_cancel_call_waiting(code);
            assert_eq!(location.validate(), Ok(()), "{code}");
        }
        let elements = Location::default()
            .with_cancel_call_waiting("*70,")
            .cancel_code_elements();
        assert_eq!(elements.map(|e| e.len()), Ok(4));
    }

    #[test]
    fn only_a_code_with_more_than_pauses_can_cancel_call_waiting() {
        assert!(
            Location::default()
                .with_cancel_call_waiting("*70,")
                .can_cancel_call_waiting()
        );
        assert!(
            !Location::default()
                .with_cancel_call_waiting(" ,, ")
                .can_cancel_call_waiting()
        );
        assert!(
            !Location::default()
                .with_cancel_call_waiting("*70;")
                .can_cancel_call_waiting()
        );
    }

    #[test]
    fn a_cancel_code_with_a_semicolon_is_an_invalid_location() {
        let err = Location::nanp("425")
            .with_cancel_call_waiting("*70;")
            .validate()
            .unwrap_err();
        assert_eq!(err.kind(), crate::LineErr::InvalLocation);
        assert_eq!(
            err.to_string(),
            "location cancel-call-waiting code \"*70;\" cannot be used: it may hold only digits, dial modifiers and formatting"
        );
    }

    #[test]
    fn area_codes_must_be_digits() {
        assert!(Location::nanp("42a").validate().is_err());
        assert!(
            Location::nanp("425")
                .with_local_area_code("")
                .validate()
                .is_err()
        );
        assert!(
            Location::nanp("425")
                .with_local_area_code("206")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn a_plus_in_a_prefix_is_refused() {
        let err = Location::nanp("425")
            .with_international_prefix("+")
            .validate()
            .unwrap_err();
        assert!(matches!(
            err,
            DialError::InvalidLocation {
                field: LocationField::InternationalPrefix,
                ..
            }
        ));
    }
}
