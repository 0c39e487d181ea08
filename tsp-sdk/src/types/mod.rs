//! TAPI's constants as Rust types, with the exact numeric values of `tapi.h` (T§2).
//!
//! Single values are enums ([`CallState`]); sets are [`bitflags`] types whose bits are the `tapi.h`
//! constants, so `MediaModes::DATAMODEM.bits() == 0x10` just as `LINEMEDIAMODE_DATAMODEM`.

mod call_state;
mod flag_names;
mod flags;
mod media;
mod mode_words;
mod modes;
mod version;

pub use call_state::{CallState, CallStates};
pub use flags::{
    AddrCapFlags, AddressStates, AnswerModes, CallFeatures, CallInfoStates, CallOrigin,
    CallParamFlags, CallPartyIdFlags, CallPrivilege, CallReason, CallSelect, DevCapFlags,
    DigitModes, LineDevStates, LineFeatures, RequestModes,
};
pub use media::{BearerModes, MediaModes};
pub use modes::{BusyMode, ConnectedMode, DialToneMode, DisconnectMode, OfferingMode, SpecialInfo};
pub use version::Version;
