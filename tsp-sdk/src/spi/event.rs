//! Events a provider reports through the [`EventSink`](crate::sink::EventSink) (`LINEEVENT`, T§2.3, §9.2).

use crate::types::{
    AddressStates, BusyMode, CallInfoStates, CallState, ConnectedMode, DialToneMode, DigitModes,
    DisconnectMode, LineDevStates, MediaModes, OfferingMode, SpecialInfo,
};

use super::{AddressId, CallHandle, DeviceId};

/// A call state with the mode that belongs to it: the typed `dwParam1`/`dwParam2` of
/// `LINE_CALLSTATE`. A mode can only go with its own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallStateChange {
    /// IDLE (terminal).
    Idle,
    /// OFFERING with its mode.
    Offering(OfferingMode),
    /// ACCEPTED.
    Accepted,
    /// DIALTONE with its mode.
    DialTone(DialToneMode),
    /// DIALING.
    Dialing,
    /// RINGBACK.
    Ringback,
    /// BUSY with its mode.
    Busy(BusyMode),
    /// SPECIALINFO with its mode.
    SpecialInfo(SpecialInfo),
    /// CONNECTED with its mode.
    Connected(ConnectedMode),
    /// PROCEEDING.
    Proceeding,
    /// ONHOLD.
    OnHold,
    /// CONFERENCED.
    Conferenced,
    /// ONHOLDPENDCONF.
    OnHoldPendConf,
    /// ONHOLDPENDTRANSFER.
    OnHoldPendTransfer,
    /// DISCONNECTED with why.
    Disconnected(DisconnectMode),
    /// UNKNOWN.
    Unknown,
}

impl CallStateChange {
    /// The state.
    pub const fn state(self) -> CallState {
        match self {
            CallStateChange::Idle => CallState::Idle,
            CallStateChange::Offering(_) => CallState::Offering,
            CallStateChange::Accepted => CallState::Accepted,
            CallStateChange::DialTone(_) => CallState::DialTone,
            CallStateChange::Dialing => CallState::Dialing,
            CallStateChange::Ringback => CallState::Ringback,
            CallStateChange::Busy(_) => CallState::Busy,
            CallStateChange::SpecialInfo(_) => CallState::SpecialInfo,
            CallStateChange::Connected(_) => CallState::Connected,
            CallStateChange::Proceeding => CallState::Proceeding,
            CallStateChange::OnHold => CallState::OnHold,
            CallStateChange::Conferenced => CallState::Conferenced,
            CallStateChange::OnHoldPendConf => CallState::OnHoldPendConf,
            CallStateChange::OnHoldPendTransfer => CallState::OnHoldPendTransfer,
            CallStateChange::Disconnected(_) => CallState::Disconnected,
            CallStateChange::Unknown => CallState::Unknown,
        }
    }

    /// The mode's `tapi.h` bits (0 for states without a mode).
    pub const fn mode_bits(self) -> u32 {
        match self {
            CallStateChange::Offering(m) => m.bits(),
            CallStateChange::DialTone(m) => m.bits(),
            CallStateChange::Busy(m) => m.bits(),
            CallStateChange::SpecialInfo(m) => m.bits(),
            CallStateChange::Connected(m) => m.bits(),
            CallStateChange::Disconnected(m) => m.bits(),
            _ => 0,
        }
    }

    /// The disconnect mode, when DISCONNECTED.
    pub const fn disconnect_mode(self) -> Option<DisconnectMode> {
        match self {
            CallStateChange::Disconnected(m) => Some(m),
            _ => None,
        }
    }
}

impl CallStateChange {
    /// The mode in words (`kind unknown`, `busy`), or `None` for states without a mode.
    pub fn mode_words(self) -> Option<String> {
        match self {
            CallStateChange::Offering(m) => Some(m.describe()),
            CallStateChange::DialTone(m) => Some(m.describe()),
            CallStateChange::Busy(m) => Some(m.describe()),
            CallStateChange::SpecialInfo(m) => Some(m.describe()),
            CallStateChange::Connected(m) => Some(m.describe()),
            CallStateChange::Disconnected(m) => Some(m.describe()),
            _ => None,
        }
    }
}

/// In words, for people: `connected (active)`, `busy (kind unknown)`, `disconnected (busy)`,
/// `idle` (see [`CallState::words`] and each mode's `describe`).
impl std::fmt::Display for CallStateChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state().words();
        match self.mode_words() {
            Some(mode) if self.mode_bits() != 0 => write!(f, "{state} ({mode})"),
            _ => f.write_str(state),
        }
    }
}

/// How a digit generation ended (`LINEGENERATETERM_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum GenerateTerm {
    /// `LINEGENERATETERM_DONE`: all digits went out.
    Done = 0x1,
    /// `LINEGENERATETERM_CANCEL`: cancelled by a new request, a null request, or the call ending.
    Cancel = 0x2,
}

/// Something a provider reports about a line or one of its calls (`LINEEVENT` messages).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LineEvent {
    /// `LINE_CALLSTATE`: the call is now in this state; `media` is the call's media mode.
    CallState {
        /// The call.
        call: CallHandle,
        /// State and mode.
        state: CallStateChange,
        /// The call's media mode.
        media: MediaModes,
    },
    /// `LINE_CALLINFO`: these call-info fields changed.
    CallInfo {
        /// The call.
        call: CallHandle,
        /// Which fields.
        changed: CallInfoStates,
    },
    /// `LINE_LINEDEVSTATE`: the line's status changed. For RINGING, `p2` is the ring mode and `p3`
    /// the ring count from 0.
    LineDevState {
        /// What changed.
        states: LineDevStates,
        /// The second parameter (ring mode for RINGING).
        p2: u32,
        /// The third parameter (ring count for RINGING).
        p3: u32,
    },
    /// `LINE_ADDRESSSTATE`.
    AddressState {
        /// The address.
        address: AddressId,
        /// What changed.
        states: AddressStates,
    },
    /// `LINE_MONITORDIGITS`: a digit was detected.
    MonitorDigits {
        /// The call.
        call: CallHandle,
        /// The digit (`0-9`, `A-D`, `*`, `#`).
        digit: char,
        /// How it was detected (DTMF, DTMFEND, PULSE).
        mode: DigitModes,
    },
    /// `LINE_GENERATE`: a digit generation ended.
    Generate {
        /// The call.
        call: CallHandle,
        /// Done or cancelled.
        term: GenerateTerm,
        /// The id the request carried.
        end_to_end_id: u32,
    },
    /// `LINE_MONITORMEDIA`: a media mode was detected.
    MonitorMedia {
        /// The call.
        call: CallHandle,
        /// The mode.
        mode: MediaModes,
    },
    /// `LINE_CLOSE`: the provider asks the host to close the line (device lost, out of service). Every
    /// pending request must be completed first (T§4); the provider keeps working until `close`.
    Close,
    /// `LINE_REMOVE`: the device is gone for good.
    Remove {
        /// The device.
        device: DeviceId,
    },
    /// `LINE_DEVSPECIFIC`.
    DevSpecific {
        /// Provider-defined.
        p1: u32,
        /// Provider-defined.
        p2: u32,
        /// Provider-defined.
        p3: u32,
    },
}

impl LineEvent {
    /// The call the event is about, if any.
    pub fn call(&self) -> Option<CallHandle> {
        match self {
            LineEvent::CallState { call, .. }
            | LineEvent::CallInfo { call, .. }
            | LineEvent::MonitorDigits { call, .. }
            | LineEvent::Generate { call, .. }
            | LineEvent::MonitorMedia { call, .. } => Some(*call),
            _ => None,
        }
    }
}
