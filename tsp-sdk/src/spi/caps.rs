//! What a provider and its devices can do: [`Capabilities`] (which optional operations exist, checked
//! before the provider is called), [`LineDevCaps`] and [`AddressCaps`] (TAPI's caps structures).

use crate::types::{
    AddrCapFlags, AddressStates, AnswerModes, BearerModes, BusyMode, CallFeatures, CallInfoStates,
    CallPartyIdFlags, CallStates, DevCapFlags, DialToneMode, DigitModes, DisconnectMode,
    LineDevStates, LineFeatures, MediaModes, SpecialInfo, Version,
};

/// Which optional operations a provider offers. Declared once by each provider as a literal ending
/// in `..Capabilities::default()`; the SDK answers `LINEERR_OPERATIONUNAVAIL` for an operation whose
/// flag is off **without calling the provider** (see [`ProviderDyn`](super::ProviderDyn)).
///
/// The basic operations (T§1.4 "Basic") are always present: version negotiation, device
/// enumeration, init, shutdown, caps, open, close, line status, default media detection, status
/// messages, make call, drop, close call, call info and call status.
/// Not `#[non_exhaustive]` on purpose: providers write it as a literal ending in
/// `..Capabilities::default()`, which keeps compiling when flags are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities {
    /// `dial` on an existing call (multi-stage dialing, `;` partial dial).
    pub dial: bool,
    /// `answer` of offered calls.
    pub answer: bool,
    /// `accept` of offered calls.
    pub accept: bool,
    /// `secure` (lineSecureCall).
    pub secure: bool,
    /// `get_id` for device classes beyond `tapi/line`.
    pub get_id: bool,
    /// `set_media_mode` on a call.
    pub set_media_mode: bool,
    /// `monitor_digits`.
    pub monitor_digits: bool,
    /// `generate_digits`.
    pub generate_digits: bool,
}

impl Capabilities {
    /// Every optional operation offered.
    pub const ALL: Capabilities = Capabilities {
        dial: true,
        answer: true,
        accept: true,
        secure: true,
        get_id: true,
        set_media_mode: true,
        monitor_digits: true,
        generate_digits: true,
    };
    /// No optional operation offered.
    pub const NONE: Capabilities = Capabilities {
        dial: false,
        answer: false,
        accept: false,
        secure: false,
        get_id: false,
        set_media_mode: false,
        monitor_digits: false,
        generate_digits: false,
    };
}

/// What a provider says about itself before anything is opened.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProviderInfo {
    /// A short name (`"tsp-modem"`).
    pub name: String,
    /// The oldest TSPI version it speaks.
    pub min_version: Version,
    /// The newest TSPI version it speaks.
    pub max_version: Version,
    /// Its optional operations.
    pub capabilities: Capabilities,
}

/// A line device's capabilities (`LINEDEVCAPS`). Defaults describe a one-address analog line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LineDevCaps {
    /// Who provides the line ("tsp-modem: USRobotics 5637 on /dev/ttyACM0").
    pub provider_info: String,
    /// About the switch, if known.
    pub switch_info: String,
    /// A permanent id that survives restarts.
    pub permanent_line_id: u32,
    /// A name for people.
    pub line_name: String,
    /// How many addresses the line has.
    pub num_addresses: u32,
    /// Bearer modes.
    pub bearer_modes: BearerModes,
    /// Highest rate, bit/s.
    pub max_rate: u32,
    /// Media modes the line can carry.
    pub media_modes: MediaModes,
    /// Digit modes for `generate_digits`.
    pub generate_digit_modes: DigitModes,
    /// Digit modes for `monitor_digits`.
    pub monitor_digit_modes: DigitModes,
    /// Device capability flags (CLOSEDROP, DIALDIALTONE …).
    pub dev_cap_flags: DevCapFlags,
    /// How many calls can be active at once.
    pub max_active_calls: u32,
    /// What answering does to an active call.
    pub answer_mode: AnswerModes,
    /// How many ring modes (distinctive rings) the line can report.
    pub ring_modes: u32,
    /// Line-device states the line can report.
    pub line_states: LineDevStates,
    /// Line features the line can ever offer.
    pub line_features: LineFeatures,
    /// Device classes `get_id` answers (`"comm/datamodem"`, …).
    pub device_classes: Vec<String>,
}

impl Default for LineDevCaps {
    fn default() -> Self {
        LineDevCaps {
            provider_info: String::new(),
            switch_info: String::new(),
            permanent_line_id: 0,
            line_name: String::new(),
            num_addresses: 1,
            bearer_modes: BearerModes::VOICE,
            max_rate: 0,
            media_modes: MediaModes::INTERACTIVEVOICE,
            generate_digit_modes: DigitModes::empty(),
            monitor_digit_modes: DigitModes::empty(),
            dev_cap_flags: DevCapFlags::CLOSEDROP,
            max_active_calls: 1,
            answer_mode: AnswerModes::NONE,
            ring_modes: 1,
            line_states: LineDevStates::RINGING | LineDevStates::REINIT,
            line_features: LineFeatures::MAKECALL,
            device_classes: vec!["tapi/line".into()],
        }
    }
}

/// An address's capabilities (`LINEADDRESSCAPS`). Defaults describe an analog line's one address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressCaps {
    /// The address (the line's own number, if known).
    pub address: String,
    /// Address states it can report.
    pub address_states: AddressStates,
    /// Call-info fields that can change.
    pub call_info_states: CallInfoStates,
    /// What caller-id information it can provide.
    pub caller_id_flags: CallPartyIdFlags,
    /// Call states calls on it can reach.
    pub call_states: CallStates,
    /// Dial tone modes it reports.
    pub dial_tone_modes: DialToneMode,
    /// Busy modes it reports.
    pub busy_modes: BusyMode,
    /// Special-info modes it reports.
    pub special_info: SpecialInfo,
    /// Disconnect modes it reports.
    pub disconnect_modes: DisconnectMode,
    /// How many active calls.
    pub max_active_calls: u32,
    /// Address capability flags: `SECURE` only when calls can really be secured (a modem line
    /// advertises it only when its location has a cancel-call-waiting code).
    pub addr_cap_flags: AddrCapFlags,
    /// Call features calls on it can ever offer.
    pub call_features: CallFeatures,
}

impl Default for AddressCaps {
    fn default() -> Self {
        AddressCaps {
            address: String::new(),
            address_states: AddressStates::empty(),
            call_info_states: CallInfoStates::CALLERID
                | CallInfoStates::RATE
                | CallInfoStates::OTHER,
            caller_id_flags: CallPartyIdFlags::ADDRESS
                | CallPartyIdFlags::NAME
                | CallPartyIdFlags::UNKNOWN,
            call_states: CallStates::IDLE
                | CallStates::OFFERING
                | CallStates::DIALTONE
                | CallStates::DIALING
                | CallStates::PROCEEDING
                | CallStates::CONNECTED
                | CallStates::BUSY
                | CallStates::DISCONNECTED,
            dial_tone_modes: DialToneMode::UNAVAIL,
            busy_modes: BusyMode::UNAVAIL,
            special_info: SpecialInfo::empty(),
            disconnect_modes: DisconnectMode::NORMAL
                | DisconnectMode::BUSY
                | DisconnectMode::NOANSWER
                | DisconnectMode::UNAVAIL
                | DisconnectMode::NODIALTONE,
            max_active_calls: 1,
            addr_cap_flags: AddrCapFlags::DIALED | AddrCapFlags::PARTIALDIAL,
            call_features: CallFeatures::DROP | CallFeatures::DIAL,
        }
    }
}
