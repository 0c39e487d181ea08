//! One struct per operation, so arguments can grow without breaking providers (OpenDAL's `OpRead`
//! style). Fields are public; construct them with struct literals.

use crate::sink::EventSink;
use crate::types::{DigitModes, Version};

use super::{CallHandle, CallParams, DeviceClass, DeviceId, LineHandle, RequestId, Select};

/// [`Provider::init`](super::Provider::init) (`TSPI_providerInit`).
#[derive(Debug, Clone)]
pub struct Init {
    /// The negotiated TSPI version.
    pub version: Version,
    /// The provider's permanent id.
    pub provider_id: u32,
    /// The device id of the provider's first line; its lines are `line_base..line_base + lines`.
    pub line_base: u32,
    /// How many lines the host will use (what `enumerate_devices` said).
    pub lines: u32,
    /// Where completions and events go, for the whole session.
    pub sink: EventSink,
}

/// What a provider asks of the host at init (`LINETSPIOPTION_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProviderOptions {
    /// Serialise every call into the provider (`LINETSPIOPTION_NONREENTRANT`): slower, for
    /// development only.
    pub non_reentrant: bool,
}

/// [`Provider::open`](super::Provider::open) (`TSPI_lineOpen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenLine {
    /// Which device.
    pub device: DeviceId,
    /// The host's name for the open line, used in every later request and event.
    pub line: LineHandle,
    /// The TSPI version committed for this open.
    pub version: Version,
}

/// [`Provider::make_call`](super::Provider::make_call) (`TSPI_lineMakeCall`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MakeCall {
    /// The request to complete.
    pub request: RequestId,
    /// The line.
    pub line: LineHandle,
    /// The host's name for the new call (pending until the request completes successfully).
    pub call: CallHandle,
    /// Where to call: a dialable string, or `None` to get dial tone only.
    pub dest: Option<String>,
    /// Destination country code (0: the default).
    pub country: u32,
    /// What the call should be.
    pub params: CallParams,
}

/// [`Provider::dial`](super::Provider::dial) (`TSPI_lineDial`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dial {
    /// The request to complete.
    pub request: RequestId,
    /// The call.
    pub call: CallHandle,
    /// What to dial; empty ends a partial dial.
    pub dest: String,
    /// Destination country code (0: the default).
    pub country: u32,
}

/// [`Provider::answer`](super::Provider::answer), [`accept`](super::Provider::accept) and
/// [`drop_call`](super::Provider::drop_call): a request on one call with optional user-user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRequest {
    /// The request to complete.
    pub request: RequestId,
    /// The call.
    pub call: CallHandle,
    /// User-user information (ISDN); best effort, usually empty.
    pub user_user_info: Vec<u8>,
}

impl CallRequest {
    /// A request with no user-user information.
    pub fn new(request: RequestId, call: CallHandle) -> Self {
        CallRequest {
            request,
            call,
            user_user_info: Vec::new(),
        }
    }
}

/// [`Provider::secure_call`](super::Provider::secure_call) (`TSPI_lineSecureCall`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecureCall {
    /// The request to complete.
    pub request: RequestId,
    /// The call.
    pub call: CallHandle,
}

/// [`Provider::get_id`](super::Provider::get_id) (`TSPI_lineGetID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetId {
    /// Line, address or call.
    pub select: Select,
    /// The device class wanted.
    pub class: DeviceClass,
}

/// [`Provider::generate_digits`](super::Provider::generate_digits) (`TSPI_lineGenerateDigits`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateDigits {
    /// The call.
    pub call: CallHandle,
    /// The id the `Generate` event will carry.
    pub end_to_end_id: u32,
    /// DTMF or PULSE.
    pub mode: DigitModes,
    /// The digits; `None` cancels a running generation.
    pub digits: Option<String>,
    /// Tone duration in ms (0: the default).
    pub duration_ms: u32,
}
