//! Dialing: TAPI dialable addresses, the pre-scan for modifiers a device cannot honour,
//! canonical addresses, and address translation for a [`Location`].
//!
//! - [`DialString`] parses a dialable address (`T9,5550100;`, `5550100|42^Front desk`,
//!   CRLF-separated lists) into [`DialElement`]s; `Display` writes it back normalised.
//! - [`DialString::check`] is the pre-scan of `make_call` and `dial` (T§1.5): the first `W`, `@`,
//!   `$`, `:` the device's [`DialCaps`] lack, or any `?`, is an error naming it and its
//!   position, with no side effect; [`DialString::split_at_first_unsupported`] cuts the string
//!   there as an application does.
//! - [`CanonicalAddress`] parses `+1 (425) 555-0100`.
//! - [`translate`] turns a canonical (or dialable) address into what a [`Location`] must dial,
//!   with the cancel-call-waiting code right after the `T`/`P` when asked (T§3.2), and
//!   [`secure_dial_string`] does the latter for an already dialable destination.
//! - Every failure is a [`DialError`] whose [`kind`](DialError::kind) is the `LINEERR_*` to
//!   return.
//!
//! ```
//! use tsp_sdk::dial::{translate, DialCaps, DialString, Location, TranslateOptions};
//! use tsp_sdk::LineErr;
//!
//! let home = Location::nanp("425").with_cancel_call_waiting("*70,");
//! let out = translate("+1 (425) 555-0100", &home, TranslateOptions::CANCEL_CALL_WAITING)?;
//! assert_eq!(out.dialable, "T*70,5550100");
//!
//! // A modem that cannot detect dial tone refuses `W` before going off-hook.
//! let dial = DialString::parse("9W5550100")?;
//! assert_eq!(dial.check(DialCaps::default()).unwrap_err().kind(), LineErr::DialDialtone);
//! # Ok::<(), tsp_sdk::dial::DialError>(())
//! ```

mod address;
mod canonical;
mod element;
mod error;
mod location;
mod prescan;
mod translate;
mod words;

pub use address::{DialAddress, DialString, MAX_DIAL_STRING_LEN};
pub use canonical::CanonicalAddress;
pub use element::{DialElement, DtmfDigit, is_formatting};
pub use error::{CanonicalPart, DialError, LocationField};
pub use location::{DialMode, Location};
pub use prescan::{DialCaps, DialSplit};
pub use translate::{
    TranslateOptions, TranslateResults, Translated, secure_dial_string, translate,
};
