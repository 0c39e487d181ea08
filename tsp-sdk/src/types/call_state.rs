use bitflags::bitflags;

/// A call's state, `LINECALLSTATE_*` (T§2.1). Exactly one per call-state event.
///
/// `Idle` is terminal: a call never leaves it ([`CallState::can_move_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum CallState {
    /// `LINECALLSTATE_IDLE`: the call exists but has no activity; terminal.
    Idle = 0x0001,
    /// `LINECALLSTATE_OFFERING`: a new call is presented to the station.
    Offering = 0x0002,
    /// `LINECALLSTATE_ACCEPTED`: the owner has claimed an offered call.
    Accepted = 0x0004,
    /// `LINECALLSTATE_DIALTONE`: the switch is ready for digits.
    DialTone = 0x0008,
    /// `LINECALLSTATE_DIALING`: digits are being sent to the switch.
    Dialing = 0x0010,
    /// `LINECALLSTATE_RINGBACK`: the far end is reached and being alerted.
    Ringback = 0x0020,
    /// `LINECALLSTATE_BUSY`: busy tone.
    Busy = 0x0040,
    /// `LINECALLSTATE_SPECIALINFO`: special information tones before an intercept announcement.
    SpecialInfo = 0x0080,
    /// `LINECALLSTATE_CONNECTED`: established; information flows.
    Connected = 0x0100,
    /// `LINECALLSTATE_PROCEEDING`: dialing done, the call progresses through the network.
    Proceeding = 0x0200,
    /// `LINECALLSTATE_ONHOLD`: held by the switch.
    OnHold = 0x0400,
    /// `LINECALLSTATE_CONFERENCED`: member of a conference.
    Conferenced = 0x0800,
    /// `LINECALLSTATE_ONHOLDPENDCONF`: held while being added to a conference.
    OnHoldPendConf = 0x1000,
    /// `LINECALLSTATE_ONHOLDPENDTRANSFER`: held awaiting transfer.
    OnHoldPendTransfer = 0x2000,
    /// `LINECALLSTATE_DISCONNECTED`: the far end or network disconnected; info stays readable.
    Disconnected = 0x4000,
    /// `LINECALLSTATE_UNKNOWN`: not (yet) known.
    Unknown = 0x8000,
}

impl CallState {
    /// All sixteen states in `tapi.h` order.
    pub const ALL: [CallState; 16] = [
        CallState::Idle,
        CallState::Offering,
        CallState::Accepted,
        CallState::DialTone,
        CallState::Dialing,
        CallState::Ringback,
        CallState::Busy,
        CallState::SpecialInfo,
        CallState::Connected,
        CallState::Proceeding,
        CallState::OnHold,
        CallState::Conferenced,
        CallState::OnHoldPendConf,
        CallState::OnHoldPendTransfer,
        CallState::Disconnected,
        CallState::Unknown,
    ];

    /// The `tapi.h` value.
    pub const fn bits(self) -> u32 {
        self as u32
    }

    /// The state with this `tapi.h` value (the low 24 bits; the high 8 may carry a device-specific
    /// sub-state and are ignored).
    pub fn from_bits(bits: u32) -> Option<CallState> {
        let low = bits & 0x00FF_FFFF;
        CallState::ALL.into_iter().find(|s| s.bits() == low)
    }

    /// The `tapi.h` name without prefix (`"CONNECTED"`).
    pub const fn name(self) -> &'static str {
        match self {
            CallState::Idle => "IDLE",
            CallState::Offering => "OFFERING",
            CallState::Accepted => "ACCEPTED",
            CallState::DialTone => "DIALTONE",
            CallState::Dialing => "DIALING",
            CallState::Ringback => "RINGBACK",
            CallState::Busy => "BUSY",
            CallState::SpecialInfo => "SPECIALINFO",
            CallState::Connected => "CONNECTED",
            CallState::Proceeding => "PROCEEDING",
            CallState::OnHold => "ONHOLD",
            CallState::Conferenced => "CONFERENCED",
            CallState::OnHoldPendConf => "ONHOLDPENDCONF",
            CallState::OnHoldPendTransfer => "ONHOLDPENDTRANSFER",
            CallState::Disconnected => "DISCONNECTED",
            CallState::Unknown => "UNKNOWN",
        }
    }

    /// The state in words for people (`dial tone`, `on hold pending transfer`); [`CallState::name`]
    /// is the `LINECALLSTATE_*` suffix.
    pub const fn words(self) -> &'static str {
        match self {
            CallState::Idle => "idle",
            CallState::Offering => "offering",
            CallState::Accepted => "accepted",
            CallState::DialTone => "dial tone",
            CallState::Dialing => "dialing",
            CallState::Ringback => "ringback",
            CallState::Busy => "busy",
            CallState::SpecialInfo => "special information tone",
            CallState::Connected => "connected",
            CallState::Proceeding => "proceeding",
            CallState::OnHold => "on hold",
            CallState::Conferenced => "conferenced",
            CallState::OnHoldPendConf => "on hold pending conference",
            CallState::OnHoldPendTransfer => "on hold pending transfer",
            CallState::Disconnected => "disconnected",
            CallState::Unknown => "unknown",
        }
    }

    /// Whether TAPI allows reporting `next` after `self`. The only normative rule (T§2.2) is that
    /// IDLE is final; every other edge is allowed because real networks skip states.
    pub const fn can_move_to(self, _next: CallState) -> bool {
        !matches!(self, CallState::Idle)
    }

    /// The set holding just this state.
    pub const fn as_set(self) -> CallStates {
        CallStates::from_bits_retain(self as u32)
    }
}

impl std::fmt::Display for CallState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

bitflags! {
    /// A set of call states (`LINECALLINFO.dwCallStates`, `LINEADDRESSCAPS.dwCallStates`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct CallStates: u32 {
        /// `LINECALLSTATE_IDLE`
        const IDLE = 0x0001;
        /// `LINECALLSTATE_OFFERING`
        const OFFERING = 0x0002;
        /// `LINECALLSTATE_ACCEPTED`
        const ACCEPTED = 0x0004;
        /// `LINECALLSTATE_DIALTONE`
        const DIALTONE = 0x0008;
        /// `LINECALLSTATE_DIALING`
        const DIALING = 0x0010;
        /// `LINECALLSTATE_RINGBACK`
        const RINGBACK = 0x0020;
        /// `LINECALLSTATE_BUSY`
        const BUSY = 0x0040;
        /// `LINECALLSTATE_SPECIALINFO`
        const SPECIALINFO = 0x0080;
        /// `LINECALLSTATE_CONNECTED`
        const CONNECTED = 0x0100;
        /// `LINECALLSTATE_PROCEEDING`
        const PROCEEDING = 0x0200;
        /// `LINECALLSTATE_ONHOLD`
        const ONHOLD = 0x0400;
        /// `LINECALLSTATE_CONFERENCED`
        const CONFERENCED = 0x0800;
        /// `LINECALLSTATE_ONHOLDPENDCONF`
        const ONHOLDPENDCONF = 0x1000;
        /// `LINECALLSTATE_ONHOLDPENDTRANSFER`
        const ONHOLDPENDTRANSFER = 0x2000;
        /// `LINECALLSTATE_DISCONNECTED`
        const DISCONNECTED = 0x4000;
        /// `LINECALLSTATE_UNKNOWN`
        const UNKNOWN = 0x8000;
    }
}

impl From<CallState> for CallStates {
    fn from(state: CallState) -> Self {
        state.as_set()
    }
}

impl CallStates {
    /// Whether the set holds `state`.
    pub const fn has(self, state: CallState) -> bool {
        self.bits() & (state as u32) != 0
    }
}
