//! Call parameters (`LINECALLPARAMS`, T§2.6).

use crate::types::{BearerModes, CallParamFlags, MediaModes};

use super::AddressId;

/// Dialing timings in milliseconds (`LINEDIALPARAMS`); 0 means the device default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DialParams {
    /// Length of a `,` pause.
    pub dial_pause: u32,
    /// Inter-digit time.
    pub dial_speed: u32,
    /// Length of a DTMF digit.
    pub digit_duration: u32,
    /// How long to wait for dial tone at `W`.
    pub wait_for_dialtone: u32,
}

/// What a call should be (`LINECALLPARAMS`). [`Default`] is TAPI's default for a null pointer: a
/// 3.1 kHz voice call, bearer VOICE, media INTERACTIVEVOICE, on address 0.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallParams {
    /// Bearer mode (exactly one bit).
    pub bearer_mode: BearerModes,
    /// Lowest acceptable rate, bit/s.
    pub min_rate: u32,
    /// Highest wanted rate, bit/s (0: the device's maximum).
    pub max_rate: u32,
    /// Media mode (one bit, or UNKNOWN with candidates).
    pub media_mode: MediaModes,
    /// Flags: SECURE, IDLE, BLOCKID …
    pub flags: CallParamFlags,
    /// The address to place the call on.
    pub address: AddressId,
    /// Dialing timings.
    pub dial_params: DialParams,
    /// The originating address, if the app names one.
    pub orig_address: Option<String>,
    /// The called party's name, for display.
    pub called_party: Option<String>,
    /// A comment, for logs.
    pub comment: Option<String>,
}

impl Default for CallParams {
    fn default() -> Self {
        CallParams {
            bearer_mode: BearerModes::VOICE,
            min_rate: 3100,
            max_rate: 3100,
            media_mode: MediaModes::INTERACTIVEVOICE,
            flags: CallParamFlags::empty(),
            address: AddressId(0),
            dial_params: DialParams::default(),
            orig_address: None,
            called_party: None,
            comment: None,
        }
    }
}

impl CallParams {
    /// A data-modem call (`LINEMEDIAMODE_DATAMODEM` on a VOICE bearer).
    pub fn data_modem() -> Self {
        CallParams {
            media_mode: MediaModes::DATAMODEM,
            max_rate: 0,
            ..Self::default()
        }
    }

    /// A G3 fax call.
    pub fn g3_fax() -> Self {
        CallParams {
            media_mode: MediaModes::G3FAX,
            max_rate: 0,
            ..Self::default()
        }
    }

    /// The same parameters with the SECURE flag.
    #[must_use]
    pub fn secure(mut self) -> Self {
        self.flags |= CallParamFlags::SECURE;
        self
    }
}
