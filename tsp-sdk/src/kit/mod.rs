//! The provider kit: what every provider repeats, written once (for provider authors).
//!
//! | piece | what it does | TAPI rule |
//! |---|---|---|
//! | [`LineOffer`] | one description of what a line offers, from which its [`LineDevCaps`](crate::spi::LineDevCaps), [`AddressCaps`](crate::spi::AddressCaps) and the provider's [`Capabilities`](crate::spi::Capabilities) are derived, so they cannot disagree | `TSPI_lineGetDevCaps`, `TSPI_lineGetAddressCaps` |
//! | [`CallRecord`] | a call's handle, direction, last reported state, info, pending requests and dialing progress; [`CallRecord::features`] computes `LINECALLSTATUS.dwCallFeatures` from the state and the offer | `TSPI_lineGetCallStatus` (T§1.5: features track state) |
//! | [`CallTable`] | the calls of a provider by handle, with their pending requests | T§1.2 (pending handles) |
//! | [`secure_decision`] | whether `lineSecureCall` can be honoured now | T§3: IDLE → `INVALCALLSTATE`, already secure → done, too late → `OPERATIONUNAVAIL` |
//! | [`check_make_call`] | a `make_call`'s arguments against the offer, before anything is done | T§1.5 (synchronous errors, the dial-string pre-scan) |
//! | [`LineOffer::check_detection`], [`check_status_messages`] | the line-level arguments: modes to detect, defined state bits | `TSPI_lineSetDefaultMediaDetection`, `TSPI_lineSetStatusMessages` |
//! | [`check_caps`] | whether a provider's capabilities, line caps and address caps agree | T§9.5 (capability gating) |
//!
//! ```
//! use tsp_sdk::kit::{CallDirection, CallRecord, LineOffer};
//! use tsp_sdk::spi::{CallHandle, CallInfo, CallStateChange, DeviceId};
//! use tsp_sdk::{CallFeatures, CallOrigin, DialToneMode, MediaModes};
//!
//! let offer = LineOffer {
//!     line_name: "line 1".into(),
//!     placeable: MediaModes::DATAMODEM,
//!     secure: true, // the line's location has a cancel-call-waiting code
//!     ..LineOffer::default()
//! };
//! let caps = offer.address_caps();
//! assert!(caps.addr_cap_flags.contains(tsp_sdk::AddrCapFlags::SECURE));
//!
//! let info = CallInfo::new(DeviceId(0), CallOrigin::OUTBOUND, MediaModes::DATAMODEM);
//! let mut call = CallRecord::new(CallHandle(1), CallDirection::Outbound, info);
//! call.record_state(CallStateChange::DialTone(DialToneMode::NORMAL));
//! // Nothing dialed yet: the call can still be secured.
//! assert!(call.features(&offer).contains(CallFeatures::SECURECALL | CallFeatures::DIAL));
//! ```

mod call;
mod consistency;
mod line;
mod make_call;
mod offer;
mod secure;
mod table;

pub use call::{CallDirection, CallRecord};
pub use consistency::{CapsMismatch, check_caps};
pub use line::check_status_messages;
pub use make_call::{CheckedCall, check_make_call};
pub use offer::LineOffer;
pub use secure::{Secure, secure_decision};
pub use table::CallTable;
