//! The characters of a TAPI dialable number, as types: digits and dial modifiers.

use std::fmt;

/// A digit a line can send: `0`-`9`, `A`-`D`, `*` or `#` (DTMF, or pulse for `0`-`9`).
///
/// Lowercase `a`-`d` are accepted and kept as uppercase.
///
/// ```
/// use tsp_sdk::dial::DtmfDigit;
/// assert_eq!(DtmfDigit::new('b').map(DtmfDigit::as_char), Some('B'));
/// assert_eq!(DtmfDigit::new('x'), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DtmfDigit(char);

impl DtmfDigit {
    /// The digit for `c`, or `None` if `c` is not one of `0-9 A-D a-d * #`.
    pub const fn new(c: char) -> Option<DtmfDigit> {
        match c {
            '0'..='9' | 'A'..='D' | '*' | '#' => Some(DtmfDigit(c)),
            'a'..='d' => Some(DtmfDigit(c.to_ascii_uppercase())),
            _ => None,
        }
    }

    /// The digit as written in a normalised dialable string (`A`-`D` uppercase).
    pub const fn as_char(self) -> char {
        self.0
    }

    /// Whether this is one of `0`-`9`, the only digits pulse dialing can send.
    pub const fn is_decimal(self) -> bool {
        self.0.is_ascii_digit()
    }
}

impl fmt::Display for DtmfDigit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One element of a dialable number (the part before `|`, `^` or CRLF).
///
/// The partial-dial marker `;` is not an element: it is a flag of the
/// [`DialAddress`](super::DialAddress), because TAPI allows it only at the end of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DialElement {
    /// A digit to send: `0`-`9`, `A`-`D`, `*`, `#`.
    Digit(DtmfDigit),
    /// `T`: tone (DTMF) dialing for the digits that follow.
    Tone,
    /// `P`: pulse dialing for the digits that follow.
    Pulse,
    /// `,`: a pause of device-specific length (for a Hayes modem, S8 seconds).
    Pause,
    /// `!`: a hook flash (about half a second on-hook, then off-hook again).
    Flash,
    /// `W`: wait for dial tone before going on. Needs `LINEDEVCAPFLAGS_DIALDIALTONE`.
    WaitDialtone,
    /// `@`: wait for quiet answer (ringback, then several seconds of silence). Needs
    /// `LINEDEVCAPFLAGS_DIALQUIET`.
    WaitQuiet,
    /// `$`: wait for the billing (calling-card) tone. Needs `LINEDEVCAPFLAGS_DIALBILLING`.
    WaitBilling,
    /// `?`: prompt the user before going on. No line device honours it: it is always
    /// rejected by the pre-scan, so that the application splits the string there.
    Prompt,
    /// `:`: wait for a voice prompt, then go on (TAPI 2.0). No `LINEDEVCAPFLAGS` bit
    /// advertises it; see [`DialCaps::voice_detect`](super::DialCaps::voice_detect).
    WaitVoice,
    /// `+`: marks a fully qualified international number. Passed on as is; only networks that
    /// map it (mobile ones) do anything with it.
    Plus,
}

impl DialElement {
    /// The element written as `c`, or `None` if `c` is not a dialable-number character.
    /// Formatting characters (space, `-`, `(`, `)`, `.`, `/`) and `;` give `None`.
    ///
    /// ```
    /// use tsp_sdk::dial::DialElement;
    /// assert_eq!(DialElement::from_char('w'), Some(DialElement::WaitDialtone));
    /// assert_eq!(DialElement::from_char('-'), None);
    /// ```
    pub const fn from_char(c: char) -> Option<DialElement> {
        Some(match c {
            'T' | 't' => DialElement::Tone,
            'P' | 'p' => DialElement::Pulse,
            ',' => DialElement::Pause,
            '!' => DialElement::Flash,
            'W' | 'w' => DialElement::WaitDialtone,
            '@' => DialElement::WaitQuiet,
            '$' => DialElement::WaitBilling,
            '?' => DialElement::Prompt,
            ':' => DialElement::WaitVoice,
            '+' => DialElement::Plus,
            _ => match DtmfDigit::new(c) {
                Some(d) => DialElement::Digit(d),
                None => return None,
            },
        })
    }

    /// The character of this element in a normalised dialable string (uppercase letters).
    pub const fn as_char(self) -> char {
        match self {
            DialElement::Digit(d) => d.as_char(),
            DialElement::Tone => 'T',
            DialElement::Pulse => 'P',
            DialElement::Pause => ',',
            DialElement::Flash => '!',
            DialElement::WaitDialtone => 'W',
            DialElement::WaitQuiet => '@',
            DialElement::WaitBilling => '$',
            DialElement::Prompt => '?',
            DialElement::WaitVoice => ':',
            DialElement::Plus => '+',
        }
    }

    /// Whether this is a modifier that makes the device wait for something, or prompt
    /// (`W @ $ ? :`): the ones the pre-scan checks against [`DialCaps`](super::DialCaps).
    pub const fn is_wait_modifier(self) -> bool {
        matches!(
            self,
            DialElement::WaitDialtone
                | DialElement::WaitQuiet
                | DialElement::WaitBilling
                | DialElement::Prompt
                | DialElement::WaitVoice
        )
    }

    /// What the element asks for, in words (for messages and logs).
    pub const fn meaning(self) -> &'static str {
        match self {
            DialElement::Digit(_) => "a digit",
            DialElement::Tone => "tone dialing",
            DialElement::Pulse => "pulse dialing",
            DialElement::Pause => "a pause",
            DialElement::Flash => "a hook flash",
            DialElement::WaitDialtone => "wait for dial tone",
            DialElement::WaitQuiet => "wait for quiet answer",
            DialElement::WaitBilling => "wait for the billing tone",
            DialElement::Prompt => "prompt the user",
            DialElement::WaitVoice => "wait for a voice prompt",
            DialElement::Plus => "international number marker",
        }
    }
}

impl fmt::Display for DialElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_char())
    }
}

/// Whether `c` is a formatting character that dialable strings may contain for readability and
/// that does not dial anything: space, `-`, `(`, `)`, `.` and `/`.
///
/// The TAPI documentation lists spaces, periods and dashes as the usual formatting in canonical
/// subscriber numbers and says translation drops them; Hayes modems ignore `( ) - . space` in a
/// dial command. This SDK accepts the same set in every dialable number (plus `/`, common in
/// written European numbers) and drops it when parsing.
pub const fn is_formatting(c: char) -> bool {
    matches!(c, ' ' | '-' | '(' | ')' | '.' | '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_element_round_trips_through_its_character() {
        for c in "0123456789ABCD*#TP,!W@$?:+".chars() {
            let element = DialElement::from_char(c);
            assert_eq!(element.map(DialElement::as_char), Some(c), "{c}");
        }
    }

    #[test]
    fn lowercase_letters_are_the_same_elements_as_uppercase() {
        for (lower, upper) in [
            ('a', 'A'),
            ('b', 'B'),
            ('c', 'C'),
            ('d', 'D'),
            ('t', 'T'),
            ('p', 'P'),
            ('w', 'W'),
        ] {
            assert_eq!(DialElement::from_char(lower), DialElement::from_char(upper));
        }
    }

    #[test]
    fn formatting_and_delimiters_are_not_elements() {
        for c in " -().;|^\r\nEFGHxé".chars() {
            assert_eq!(DialElement::from_char(c), None, "{c:?}");
        }
    }

    #[test]
    fn only_wait_and_prompt_modifiers_are_checked_by_the_prescan() {
        let checked: String = "0123456789ABCD*#TP,!W@$?:+"
            .chars()
            .filter_map(DialElement::from_char)
            .filter(|e| e.is_wait_modifier())
            .map(DialElement::as_char)
            .collect();
        assert_eq!(checked, "W@$?:");
    }
}
