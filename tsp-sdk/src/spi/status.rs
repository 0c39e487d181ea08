//! What a provider reports when asked: [`LineDevStatus`], [`CallInfo`], [`CallStatus`].

use crate::types::{
    BearerModes, CallFeatures, CallOrigin, CallParamFlags, CallPartyIdFlags, CallReason, CallState,
    CallStates, DigitModes, LineFeatures, MediaModes,
};

use super::{AddressId, CallStateChange, DeviceId, DialParams};

/// A line's status now (`LINEDEVSTATUS`; the host fills the number of opens and their media modes).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LineDevStatus {
    /// Calls in an active state.
    pub num_active_calls: u32,
    /// Calls on hold.
    pub num_on_hold_calls: u32,
    /// What can be done on the line now (`MAKECALL` while a call can be placed).
    pub line_features: LineFeatures,
    /// The current ring mode (0 when not ringing).
    pub ring_mode: u32,
    /// Whether the line is connected to the switch (`LINEDEVSTATUSFLAGS_CONNECTED`).
    pub connected: bool,
    /// Whether the line is in service (`LINEDEVSTATUSFLAGS_INSERVICE`).
    pub in_service: bool,
}

impl LineDevStatus {
    /// A status with these values.
    pub fn new(
        num_active_calls: u32,
        line_features: LineFeatures,
        connected: bool,
        in_service: bool,
    ) -> Self {
        LineDevStatus {
            num_active_calls,
            line_features,
            connected,
            in_service,
            ..Self::default()
        }
    }
}

/// A party's id: caller, called or connected (`dwCallerIDFlags` + number + name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PartyId {
    /// What is known: ADDRESS, NAME, BLOCKED (private), OUTOFAREA, UNKNOWN …
    pub flags: CallPartyIdFlags,
    /// The number, when ADDRESS.
    pub number: Option<String>,
    /// The name, when NAME.
    pub name: Option<String>,
}

/// Everything about a call (`LINECALLINFO`, provider-owned fields).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallInfo {
    /// The line device the call is on.
    pub line_device: DeviceId,
    /// The address the call is on.
    pub address: AddressId,
    /// Bearer mode.
    pub bearer_mode: BearerModes,
    /// Rate in bit/s (a modem's CONNECT rate).
    pub rate: u32,
    /// Media mode.
    pub media_mode: MediaModes,
    /// The application's value.
    pub app_specific: u32,
    /// A call id unique on the switch, if any.
    pub call_id: u32,
    /// The call's parameter flags: SECURE once the call is secured (T§3.1 readback).
    pub call_param_flags: CallParamFlags,
    /// Every state the call has been in (⊇ the states reported).
    pub call_states: CallStates,
    /// Digit modes being monitored.
    pub monitor_digit_modes: DigitModes,
    /// Dialing timings in use.
    pub dial_params: DialParams,
    /// Where the call came from.
    pub origin: CallOrigin,
    /// Why it is here.
    pub reason: CallReason,
    /// The far end's country code, if known.
    pub country_code: u32,
    /// The caller.
    pub caller_id: PartyId,
    /// The called party.
    pub called_id: PartyId,
    /// The connected party.
    pub connected_id: PartyId,
    /// The dialable string as it went to the device (after translation, cancel code included).
    pub dialed: Option<String>,
}

impl CallInfo {
    /// A fresh outbound or inbound call's info.
    pub fn new(line_device: DeviceId, origin: CallOrigin, media_mode: MediaModes) -> Self {
        CallInfo {
            line_device,
            address: AddressId(0),
            bearer_mode: BearerModes::VOICE,
            rate: 0,
            media_mode,
            app_specific: 0,
            call_id: 0,
            call_param_flags: CallParamFlags::empty(),
            call_states: CallStates::empty(),
            monitor_digit_modes: DigitModes::empty(),
            dial_params: DialParams::default(),
            origin,
            reason: CallReason::DIRECT,
            country_code: 0,
            caller_id: PartyId {
                flags: CallPartyIdFlags::UNKNOWN,
                ..PartyId::default()
            },
            called_id: PartyId {
                flags: CallPartyIdFlags::UNKNOWN,
                ..PartyId::default()
            },
            connected_id: PartyId {
                flags: CallPartyIdFlags::UNKNOWN,
                ..PartyId::default()
            },
            dialed: None,
        }
    }
}

/// A call's status now (`LINECALLSTATUS`; the host fills the privilege).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CallStatus {
    /// The state and its mode.
    pub state: CallStateChange,
    /// What can be done to the call now.
    pub features: CallFeatures,
}

impl CallStatus {
    /// The state alone.
    pub fn call_state(&self) -> CallState {
        self.state.state()
    }
}
