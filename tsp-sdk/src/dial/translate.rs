//! Address translation (`lineTranslateAddress`, T§3.2): a canonical or dialable address plus a
//! [`Location`] gives the string to dial, with the cancel-call-waiting code right after the
//! `T`/`P` when asked; and [`secure_dial_string`] for an already dialable destination.

use bitflags::bitflags;

use super::address::{DialAddress, DialString, MAX_DIAL_STRING_LEN};
use super::canonical::{CanonicalAddress, parse_one};
use super::element::DialElement;
use super::error::{DialError, LocationField};
use super::location::{DialMode, Location, dial_elements};

bitflags! {
    /// `LINETRANSLATEOPTION_*`: what [`translate`] should do beyond the location's rules.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TranslateOptions: u32 {
        /// `LINETRANSLATEOPTION_CARDOVERRIDE` (0x1): use another calling card. Calling cards
        /// are not modelled, so it changes nothing.
        const CARD_OVERRIDE = 0x0000_0001;
        /// `LINETRANSLATEOPTION_CANCELCALLWAITING` (0x2): put the location's
        /// cancel-call-waiting code right after the `T`/`P`. No effect if the code is empty.
        /// Set `LINECALLPARAMFLAGS_SECURE` on the call as well (T§3.2).
        const CANCEL_CALL_WAITING = 0x0000_0002;
        /// `LINETRANSLATEOPTION_FORCELOCAL` (0x4): dial a domestic number as a local call (with
        /// its area code if that differs from the location's).
        const FORCE_LOCAL = 0x0000_0004;
        /// `LINETRANSLATEOPTION_FORCELD` (0x8): dial a domestic number as a long-distance call.
        const FORCE_LD = 0x0000_0008;
    }
}

bitflags! {
    /// `LINETRANSLATERESULT_*`: what [`translate`] found and produced.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct TranslateResults: u32 {
        /// `LINETRANSLATERESULT_CANONICAL` (0x1): the input was a valid canonical address.
        const CANONICAL = 0x0000_0001;
        /// `LINETRANSLATERESULT_INTERNATIONAL` (0x2): another country than the location's.
        const INTERNATIONAL = 0x0000_0002;
        /// `LINETRANSLATERESULT_LONGDISTANCE` (0x4): same country, dialed as long distance.
        const LONG_DISTANCE = 0x0000_0004;
        /// `LINETRANSLATERESULT_LOCAL` (0x8): dialed as a local call.
        const LOCAL = 0x0000_0008;
        /// `LINETRANSLATERESULT_INTOLLLIST` (0x10): toll lists are not modelled; never set.
        const IN_TOLL_LIST = 0x0000_0010;
        /// `LINETRANSLATERESULT_NOTINTOLLLIST` (0x20): toll lists are not modelled; never set.
        const NOT_IN_TOLL_LIST = 0x0000_0020;
        /// `LINETRANSLATERESULT_DIALBILLING` (0x40): the dialable string holds `$`.
        const DIAL_BILLING = 0x0000_0040;
        /// `LINETRANSLATERESULT_DIALQUIET` (0x80): the dialable string holds `@`.
        const DIAL_QUIET = 0x0000_0080;
        /// `LINETRANSLATERESULT_DIALDIALTONE` (0x100): the dialable string holds `W`.
        const DIAL_DIALTONE = 0x0000_0100;
        /// `LINETRANSLATERESULT_DIALPROMPT` (0x200): the dialable string holds `?`.
        const DIAL_PROMPT = 0x0000_0200;
        /// `LINETRANSLATERESULT_VOICEDETECT` (0x400): the dialable string holds `:`.
        const VOICE_DETECT = 0x0000_0400;
    }
}

/// The result of [`translate`] (`LINETRANSLATEOUTPUT`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Translated {
    /// What to dial: `T` or `P`, the cancel code if asked, prefixes and digits, no formatting;
    /// then the input's subaddress, name and further CRLF-separated addresses unmodified. It
    /// always parses as a [`DialString`].
    pub dialable: String,
    /// For people and logs: the same number without the `T`/`P`, parts separated by spaces,
    /// the subscriber number as written (`*70, 9, 1 425 555-0100`). Not for dialing.
    pub displayable: String,
    /// The destination's country code, to pass to `make_call`/`dial`; 0 for dialable input.
    pub dest_country: u32,
    /// What the translation found.
    pub results: TranslateResults,
    /// [`dialable`](Translated::dialable), parsed.
    pub dial_string: DialString,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Local { with_area: bool },
    LongDistance,
    International,
}

/// Translates an address for dialing from `location` (`lineTranslateAddress`).
///
/// **Canonical input** (starting with `+`, after any spaces) is classified against the
/// location:
///
/// | destination | dialed as | digits |
/// |---|---|---|
/// | other country | international | long-distance access, international prefix, country, area, subscriber |
/// | same country, no area code or the location's | local | local access, subscriber |
/// | same country, area in [`Location::local_area_codes`] | local | local access, area, subscriber |
/// | same country, other area | long distance | long-distance access, long-distance prefix, area, subscriber |
///
/// `FORCE_LOCAL` and `FORCE_LD` override the domestic rows (never an international call). A
/// pause follows a non-empty outside-line access prefix unless it ends with `,` or `W`.
///
/// **Dialable input** (anything else) is validated and passed through normalised, with dest
/// country 0: it gets the location's `T`/`P` unless it starts with one, and the cancel code
/// after it when asked (unless it already follows the `T`/`P`).
///
/// With `CANCEL_CALL_WAITING` and a non-empty code the dialable string is
/// `T`/`P` + code + the rest: `T*70,9,14255550100`. Only the first of CRLF-separated addresses
/// is translated; the subaddress, name and further addresses follow unmodified (they are
/// still validated as dialable text).
///
/// ```
/// use tsp_sdk::dial::{translate, Location, TranslateOptions, TranslateResults};
/// let home = Location::nanp("206").with_local_access("9").with_long_distance_access("9")
///     .with_cancel_call_waiting("*70,");
/// let out = translate("+1 (425) 555-0100", &home, TranslateOptions::CANCEL_CALL_WAITING)?;
/// assert_eq!(out.dialable, "T*70,9,14255550100");
/// assert_eq!(out.displayable, "*70, 9, 1 425 555-0100");
/// assert_eq!(out.dest_country, 1);
/// assert_eq!(out.results, TranslateResults::CANONICAL | TranslateResults::LONG_DISTANCE);
/// # Ok::<(), tsp_sdk::dial::DialError>(())
/// ```
///
/// # Errors
/// [`DialError::InvalidOptions`] (`LINEERR_INVALPARAM`) for undefined option bits or both
/// `FORCE_LOCAL` and `FORCE_LD`; [`DialError::InvalidLocation`] (`LINEERR_INVALLOCATION`) for a
/// location that [does not validate](Location::validate), or country code 0 with canonical
/// input; the parse errors of [`CanonicalAddress::parse`] and [`DialString::parse`]
/// (`LINEERR_INVALADDRESS`, `LINEERR_INVALCOUNTRYCODE`); [`DialError::TooLong`] if the input,
/// or the translated string, exceeds [`MAX_DIAL_STRING_LEN`] characters.
pub fn translate(
    input: &str,
    location: &Location,
    options: TranslateOptions,
) -> Result<Translated, DialError> {
    check_options(options)?;
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
    location.validate()?;
    let cancel_code = if options.contains(TranslateOptions::CANCEL_CALL_WAITING) {
        location.cancel_code_elements()?
    } else {
        Vec::new()
    };

    let (first, rest) = match input.find("\r\n") {
        Some(at) => (&input[..at], &input[at..]),
        None => (input, ""),
    };
    let more = further_addresses(input, first, rest)?;

    let trimmed = first.trim_start_matches(' ');
    let translated = if trimmed.starts_with('+') {
        if location.country_code == 0 {
            return Err(DialError::InvalidLocation {
                field: LocationField::CountryCode,
                value: "0".to_owned(),
                reason: "no country is configured, so canonical addresses cannot be translated",
            });
        }
        let lead = first.chars().count() - trimmed.chars().count();
        let destination = parse_one(trimmed, input, lead)?;
        translate_canonical(&destination, location, options, &cancel_code)?
    } else {
        let parsed = DialString::parse(first).map_err(|err| err.within(0, input))?;
        translate_dialable(parsed, first, location, &cancel_code)
    };
    let (first_address, displayable, dest_country, results) = translated;

    let dialable = format!("{first_address}{rest}");
    let len = dialable.chars().count();
    if len > MAX_DIAL_STRING_LEN {
        return Err(DialError::TooLong {
            len,
            max: MAX_DIAL_STRING_LEN,
        });
    }
    let dial_string = DialString::assemble(std::iter::once(first_address).chain(more).collect());
    let results = results | modifier_results(&dial_string);
    tracing::trace!(input, dialable = %dialable, results = ?results, "translated address");
    Ok(Translated {
        dialable,
        displayable: format!("{displayable}{rest}"),
        dest_country,
        results,
        dial_string,
    })
}

/// The addresses after the first CRLF, validated as dialable text (errors point into `input`).
fn further_addresses(input: &str, first: &str, rest: &str) -> Result<Vec<DialAddress>, DialError> {
    let Some(text) = rest.strip_prefix("\r\n") else {
        return Ok(Vec::new());
    };
    let offset = first.chars().count() + 2;
    if text.is_empty() {
        return Err(DialError::EmptyAddress {
            position: offset,
            input: input.to_owned(),
        });
    }
    let parsed = DialString::parse(text).map_err(|err| err.within(offset, input))?;
    Ok(parsed.into_addresses())
}

fn check_options(options: TranslateOptions) -> Result<(), DialError> {
    if options.bits() & !TranslateOptions::all().bits() != 0 {
        return Err(DialError::InvalidOptions {
            bits: options.bits(),
            reason: "undefined bits are set",
        });
    }
    if options.contains(TranslateOptions::FORCE_LOCAL | TranslateOptions::FORCE_LD) {
        return Err(DialError::InvalidOptions {
            bits: options.bits(),
            reason: "FORCELOCAL and FORCELD cannot be used together",
        });
    }
    Ok(())
}

type Parts = (DialAddress, String, u32, TranslateResults);

fn translate_canonical(
    destination: &CanonicalAddress,
    location: &Location,
    options: TranslateOptions,
    cancel_code: &[DialElement],
) -> Result<Parts, DialError> {
    let reach = reach(destination, location, options);
    let (access_field, access) = match reach {
        Reach::Local { .. } => (LocationField::LocalAccess, &location.local_access),
        _ => (
            LocationField::LongDistanceAccess,
            &location.long_distance_access,
        ),
    };
    let mut access = dial_elements(access_field, access)?;
    if access
        .last()
        .is_some_and(|last| !matches!(last, DialElement::Pause | DialElement::WaitDialtone))
    {
        access.push(DialElement::Pause);
    }
    let area = destination.area().unwrap_or("");
    let country = destination.country().to_string();
    let (prefix, country, area) = match reach {
        Reach::Local { with_area } => (Vec::new(), "", if with_area { area } else { "" }),
        Reach::LongDistance => (
            location.prefix_elements(LocationField::LongDistancePrefix)?,
            "",
            area,
        ),
        Reach::International => (
            location.prefix_elements(LocationField::InternationalPrefix)?,
            country.as_str(),
            area,
        ),
    };

    let mut elements = vec![location.dial_mode.element()];
    let mut shown: Vec<String> = Vec::new();
    for part in [cancel_code, &access, &prefix] {
        elements.extend_from_slice(part);
        shown.push(part.iter().map(|e| e.as_char()).collect());
    }
    for digits in [country, area] {
        elements.extend(digits.chars().filter_map(DialElement::from_char));
        shown.push(digits.to_owned());
    }
    elements.extend_from_slice(destination.subscriber_elements());
    shown.push(destination.subscriber().trim().to_owned());

    let mut address = DialAddress::new(elements);
    let mut tail = String::new();
    if let Some(subaddress) = destination.subaddress() {
        address = address.with_subaddress(subaddress)?;
        tail.push('|');
        tail.push_str(subaddress);
    }
    if let Some(name) = destination.name() {
        address = address.with_name(name)?;
        tail.push('^');
        tail.push_str(name);
    }
    shown.retain(|part| !part.is_empty());
    let displayable = shown.join(" ") + &tail;
    let results = TranslateResults::CANONICAL
        | match reach {
            Reach::Local { .. } => TranslateResults::LOCAL,
            Reach::LongDistance => TranslateResults::LONG_DISTANCE,
            Reach::International => TranslateResults::INTERNATIONAL,
        };
    Ok((address, displayable, destination.country(), results))
}

fn reach(destination: &CanonicalAddress, location: &Location, options: TranslateOptions) -> Reach {
    if destination.country() != location.country_code {
        return Reach::International;
    }
    let same_area = destination
        .area()
        .is_none_or(|area| area == location.area_code);
    let listed = destination
        .area()
        .is_some_and(|area| location.local_area_codes.iter().any(|l| l == area));
    if options.contains(TranslateOptions::FORCE_LD) {
        Reach::LongDistance
    } else if options.contains(TranslateOptions::FORCE_LOCAL) {
        Reach::Local {
            with_area: listed || !same_area,
        }
    } else if listed {
        Reach::Local { with_area: true }
    } else if same_area {
        Reach::Local { with_area: false }
    } else {
        Reach::LongDistance
    }
}

fn translate_dialable(
    parsed: DialString,
    text: &str,
    location: &Location,
    cancel_code: &[DialElement],
) -> Parts {
    let address = parsed
        .into_addresses()
        .into_iter()
        .next()
        .unwrap_or_default();
    let (address, inserted) = secure_address(address, location.dial_mode, cancel_code);
    let displayable = if inserted {
        let code: String = cancel_code.iter().map(|e| e.as_char()).collect();
        format!("{code} {text}")
    } else {
        text.to_owned()
    };
    (address, displayable, 0, TranslateResults::empty())
}

/// The address with a leading `T`/`P` (`mode` if it has none) and `code` right after it,
/// unless the code (without its trailing pauses) already follows. Says whether it inserted.
fn secure_address(
    mut address: DialAddress,
    mode: DialMode,
    code: &[DialElement],
) -> (DialAddress, bool) {
    let elements = address.elements_mut();
    let has_mode = matches!(
        elements.first(),
        Some(DialElement::Tone | DialElement::Pulse)
    );
    if !has_mode {
        elements.insert(0, mode.element());
    }
    let significant = match code.iter().rposition(|e| *e != DialElement::Pause) {
        Some(last) => &code[..=last],
        None => &[][..],
    };
    let body = elements.get(1..).unwrap_or_default();
    let inserted = !significant.is_empty() && !body.starts_with(significant);
    if inserted {
        elements.splice(1..1, code.iter().copied());
    }
    (address, inserted)
}

fn modifier_results(dial: &DialString) -> TranslateResults {
    let mut results = TranslateResults::empty();
    for (flag, element) in [
        (TranslateResults::DIAL_DIALTONE, DialElement::WaitDialtone),
        (TranslateResults::DIAL_QUIET, DialElement::WaitQuiet),
        (TranslateResults::DIAL_BILLING, DialElement::WaitBilling),
        (TranslateResults::DIAL_PROMPT, DialElement::Prompt),
        (TranslateResults::VOICE_DETECT, DialElement::WaitVoice),
    ] {
        if dial.contains(element) {
            results |= flag;
        }
    }
    results
}

/// Secures an already dialable destination: puts `cancel_code` right after the leading `T`/`P`
/// of every address (adding `mode`'s letter first if an address has neither), unless the code
/// already follows it. What a modem provider does for `make_call` with
/// `LINECALLPARAMFLAGS_SECURE` (T§3.3). Applying it twice changes nothing more.
///
/// The code is compared without its trailing pauses, so `*70,` is not added again to
/// `T*70,5550100` nor to `T*70W5550100`.
///
/// ```
/// use tsp_sdk::dial::{secure_dial_string, DialMode};
/// assert_eq!(secure_dial_string("5550100", "*70,", DialMode::Tone)?.to_string(), "T*70,5550100");
/// assert_eq!(secure_dial_string("P5550100", "1170,", DialMode::Tone)?.to_string(), "P1170,5550100");
/// assert_eq!(secure_dial_string("T*70,5550100", "*70,", DialMode::Tone)?.to_string(), "T*70,5550100");
/// # Ok::<(), tsp_sdk::dial::DialError>(())
/// ```
///
/// # Errors
/// [`DialError::NoCancelCode`] (`LINEERR_INVALCALLPARAMS`) if the code has nothing but pauses;
/// [`DialError::InvalidLocation`] if it holds a character that is not a dial element or
/// formatting; the errors of [`DialString::parse`]; [`DialError::TooLong`] if the result would
/// exceed [`MAX_DIAL_STRING_LEN`].
pub fn secure_dial_string(
    dialable: &str,
    cancel_code: &str,
    mode: DialMode,
) -> Result<DialString, DialError> {
    DialString::parse(dialable)?.secured(cancel_code, mode)
}

impl DialString {
    /// This string with `cancel_code` after the leading `T`/`P` of every address: see
    /// [`secure_dial_string`].
    ///
    /// # Errors
    /// As [`secure_dial_string`], except parse errors.
    pub fn secured(&self, cancel_code: &str, mode: DialMode) -> Result<DialString, DialError> {
        let code = super::location::cancel_code_elements(cancel_code)?;
        if code.iter().all(|e| *e == DialElement::Pause) {
            return Err(DialError::NoCancelCode);
        }
        let addresses = self
            .addresses()
            .iter()
            .map(|a| secure_address(a.clone(), mode, &code).0)
            .collect();
        DialString::from_addresses(addresses)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn elements(text: &str) -> Vec<DialElement> {
        text.chars().filter_map(DialElement::from_char).collect()
    }

    #[test]
    fn a_code_of_only_pauses_is_never_inserted() {
        let (address, inserted) = secure_address(
            DialAddress::new(elements("555")),
            DialMode::Tone,
            &elements(",,"),
        );
        assert!(!inserted);
        assert_eq!(address.to_string(), "T555");
    }

    #[test]
    fn the_code_goes_after_an_existing_pulse_letter() {
        let (address, inserted) = secure_address(
            DialAddress::new(elements("P555")),
            DialMode::Tone,
            &elements("1170,"),
        );
        assert!(inserted);
        assert_eq!(address.to_string(), "P1170,555");
    }

    #[test]
    fn modifier_results_name_every_wait_modifier_present() {
        let dial = DialString::parse("W1@2$3?4:5").unwrap();
        assert_eq!(
            modifier_results(&dial),
            TranslateResults::DIAL_DIALTONE
                | TranslateResults::DIAL_QUIET
                | TranslateResults::DIAL_BILLING
                | TranslateResults::DIAL_PROMPT
                | TranslateResults::VOICE_DETECT
        );
    }
}
