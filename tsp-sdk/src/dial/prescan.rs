//! The pre-scan (T§1.5): before anything is dialed, find the first wait or prompt modifier the
//! device cannot honour and name it with its `LINEERR_DIAL*`; and the split an application
//! makes there to dial the string in pieces.

use super::address::{DialAddress, DialString};
use super::element::DialElement;
use super::error::DialError;

/// Which wait modifiers a line device honours in a dial string.
///
/// Built from the device's `LINEDEVCAPFLAGS` with [`DialCaps::from_dev_cap_flags`], or as a
/// literal. `?` is never honoured by a line device, so there is no field for it.
///
/// ```
/// use tsp_sdk::dial::DialCaps;
/// let caps = DialCaps::from_dev_cap_flags(DialCaps::LINEDEVCAPFLAGS_DIALDIALTONE);
/// assert_eq!(caps, DialCaps { dial_dialtone: true, ..DialCaps::default() });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DialCaps {
    /// `W` (wait for dial tone) is honoured: `LINEDEVCAPFLAGS_DIALDIALTONE`.
    pub dial_dialtone: bool,
    /// `@` (wait for quiet answer) is honoured: `LINEDEVCAPFLAGS_DIALQUIET`.
    pub dial_quiet: bool,
    /// `$` (wait for billing tone) is honoured: `LINEDEVCAPFLAGS_DIALBILLING`.
    pub dial_billing: bool,
    /// `:` (wait for a voice prompt, TAPI 2.0) is honoured. TAPI has no `LINEDEVCAPFLAGS` bit
    /// for it, so [`DialCaps::from_dev_cap_flags`] leaves it off; a provider that can detect a
    /// voice prompt sets it itself.
    pub voice_detect: bool,
}

impl DialCaps {
    /// `LINEDEVCAPFLAGS_DIALBILLING` (`tapi.h`).
    pub const LINEDEVCAPFLAGS_DIALBILLING: u32 = 0x0000_0040;
    /// `LINEDEVCAPFLAGS_DIALQUIET` (`tapi.h`).
    pub const LINEDEVCAPFLAGS_DIALQUIET: u32 = 0x0000_0080;
    /// `LINEDEVCAPFLAGS_DIALDIALTONE` (`tapi.h`).
    pub const LINEDEVCAPFLAGS_DIALDIALTONE: u32 = 0x0000_0100;

    /// A device that honours every wait modifier (still never `?`).
    pub const ALL: DialCaps = DialCaps {
        dial_dialtone: true,
        dial_quiet: true,
        dial_billing: true,
        voice_detect: true,
    };

    /// The modifiers advertised by a `LINEDEVCAPS.dwDevCapFlags` value; other bits are ignored.
    pub const fn from_dev_cap_flags(flags: u32) -> DialCaps {
        DialCaps {
            dial_dialtone: flags & Self::LINEDEVCAPFLAGS_DIALDIALTONE != 0,
            dial_quiet: flags & Self::LINEDEVCAPFLAGS_DIALQUIET != 0,
            dial_billing: flags & Self::LINEDEVCAPFLAGS_DIALBILLING != 0,
            voice_detect: false,
        }
    }

    /// The `LINEDEVCAPFLAGS_DIAL*` bits for these capabilities.
    pub const fn dev_cap_flags(self) -> u32 {
        (if self.dial_dialtone {
            Self::LINEDEVCAPFLAGS_DIALDIALTONE
        } else {
            0
        }) | (if self.dial_quiet {
            Self::LINEDEVCAPFLAGS_DIALQUIET
        } else {
            0
        }) | (if self.dial_billing {
            Self::LINEDEVCAPFLAGS_DIALBILLING
        } else {
            0
        })
    }

    /// Whether a device with these capabilities can dial `element`. Everything but the wait and
    /// prompt modifiers is always dialable; `?` never is.
    pub const fn supports(self, element: DialElement) -> bool {
        match element {
            DialElement::WaitDialtone => self.dial_dialtone,
            DialElement::WaitQuiet => self.dial_quiet,
            DialElement::WaitBilling => self.dial_billing,
            DialElement::WaitVoice => self.voice_detect,
            DialElement::Prompt => false,
            _ => true,
        }
    }
}

/// A dial string cut at its first unsupported modifier: dial [`head`](DialSplit::head) now
/// (it ends with `;`), deal with the [`modifier`](DialSplit::modifier) (wait, prompt the user),
/// then dial [`tail`](DialSplit::tail) with `lineDial`, or an empty string to end dialing if
/// there is no tail. The tail may hold further unsupported modifiers: split it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialSplit {
    /// Everything before the modifier, as a partial dial string (ends with `;`). Addresses
    /// before the one holding the modifier are kept whole.
    pub head: DialString,
    /// The modifier the device cannot honour.
    pub modifier: DialElement,
    /// Its position in the [source](DialString::source) of the string that was split.
    pub position: usize,
    /// Everything after the modifier (the rest of its address, with its `;`, subaddress and
    /// name, then any further addresses), or `None` if nothing follows it.
    pub tail: Option<DialString>,
}

impl DialString {
    /// The pre-scan: `Ok` if a device with `caps` can dial every element, otherwise the error
    /// for the **first** modifier it cannot honour, with its position in the source.
    ///
    /// | modifier | error kind |
    /// |---|---|
    /// | `W` | `LINEERR_DIALDIALTONE` |
    /// | `@` | `LINEERR_DIALQUIET` |
    /// | `$` | `LINEERR_DIALBILLING` |
    /// | `?` | `LINEERR_DIALPROMPT` (always) |
    /// | `:` | `LINEERR_DIALVOICEDETECT` |
    ///
    /// It only reads the string: a provider calls it before going off-hook, so that a rejected
    /// string has no side effect.
    ///
    /// ```
    /// use tsp_sdk::dial::{DialCaps, DialString};
    /// use tsp_sdk::LineErr;
    /// let dial = DialString::parse("9W555@1")?;
    /// let err = dial.check(DialCaps::default()).unwrap_err();
    /// assert_eq!((err.kind(), err.position()), (LineErr::DialDialtone, Some(1)));
    /// let err = dial.check(DialCaps { dial_dialtone: true, ..DialCaps::default() }).unwrap_err();
    /// assert_eq!((err.kind(), err.position()), (LineErr::DialQuiet, Some(5)));
    /// # Ok::<(), tsp_sdk::dial::DialError>(())
    /// ```
    ///
    /// # Errors
    /// [`DialError::Unsupported`] naming the first unsupported modifier.
    pub fn check(&self, caps: DialCaps) -> Result<(), DialError> {
        match self.first_unsupported(caps) {
            None => Ok(()),
            Some((_, _, position, element)) => Err(DialError::Unsupported {
                modifier: element.as_char(),
                position,
                input: self.source().to_owned(),
            }),
        }
    }

    /// Parses `input` and runs the [pre-scan](DialString::check) on it: what a provider does
    /// with the destination of `make_call` or `dial`.
    ///
    /// # Errors
    /// A parse error (`LINEERR_INVALADDRESS`) first, then the pre-scan's error.
    pub fn parse_checked(input: &str, caps: DialCaps) -> Result<DialString, DialError> {
        let dial = DialString::parse(input)?;
        dial.check(caps)?;
        Ok(dial)
    }

    /// Cuts the string at the first modifier a device with `caps` cannot honour, as an
    /// application does after the pre-scan failed; `None` if the device can dial it all.
    ///
    /// ```
    /// use tsp_sdk::dial::{DialCaps, DialElement, DialString};
    /// let split = DialString::parse("9W555@1")?.split_at_first_unsupported(DialCaps::default()).unwrap();
    /// assert_eq!(split.head.to_string(), "9;");
    /// assert_eq!((split.modifier, split.position), (DialElement::WaitDialtone, 1));
    /// assert_eq!(split.tail.map(|t| t.to_string()).as_deref(), Some("555@1"));
    /// # Ok::<(), tsp_sdk::dial::DialError>(())
    /// ```
    pub fn split_at_first_unsupported(&self, caps: DialCaps) -> Option<DialSplit> {
        let (address_index, element_index, position, modifier) = self.first_unsupported(caps)?;
        let mut addresses = self.clone().into_addresses();
        let later = addresses.split_off(address_index + 1);
        let mut cut = addresses.pop().unwrap_or_default();
        let after: Vec<DialElement> = cut.elements_mut().split_off(element_index);
        let before = std::mem::take(cut.elements_mut());

        addresses.push(DialAddress::new(before).with_partial(true));
        let head = DialString::assemble(addresses);

        let mut rest = cut;
        *rest.elements_mut() = after.into_iter().skip(1).collect();
        let tail: Vec<DialAddress> = std::iter::once(rest)
            .chain(later)
            .filter(|a| !a.is_empty())
            .collect();
        let tail = if tail.is_empty() {
            None
        } else {
            Some(DialString::assemble(tail))
        };
        Some(DialSplit {
            head,
            modifier,
            position,
            tail,
        })
    }

    fn first_unsupported(&self, caps: DialCaps) -> Option<(usize, usize, usize, DialElement)> {
        let mut element_index = 0;
        let mut last_address = 0;
        for (address, position, element) in self.located_elements() {
            if address != last_address {
                last_address = address;
                element_index = 0;
            }
            if !caps.supports(element) {
                return Some((address, element_index, position, element));
            }
            element_index += 1;
        }
        None
    }
}

impl From<crate::DevCapFlags> for DialCaps {
    /// The dial modifiers a device honours, from its `LINEDEVCAPS.dwDevCapFlags`.
    fn from(flags: crate::DevCapFlags) -> Self {
        DialCaps::from_dev_cap_flags(flags.bits())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn dev_cap_flags_round_trip_through_dial_caps() {
        for flags in [0, 0x40, 0x80, 0x100, 0x1c0, 0x140] {
            assert_eq!(DialCaps::from_dev_cap_flags(flags).dev_cap_flags(), flags);
        }
        assert_eq!(
            DialCaps::from_dev_cap_flags(0xffff_ffff),
            DialCaps {
                voice_detect: false,
                ..DialCaps::ALL
            }
        );
    }

    #[test]
    fn the_element_index_restarts_in_each_address() {
        let dial = DialString::parse("12\r\n3W4").unwrap();
        let split = dial
            .split_at_first_unsupported(DialCaps::default())
            .unwrap();
        assert_eq!(split.head.to_string(), "12\r\n3;");
        assert_eq!(split.position, 5);
        assert_eq!(split.tail.unwrap().to_string(), "4");
    }
}
