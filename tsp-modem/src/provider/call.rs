//! One call on a modem line: what the task knows about it.

use std::time::Instant;

use tsp_sdk::spi::{CallHandle, CallInfo, CallStateChange, RequestId};
use tsp_sdk::{CallFeatures, CallParamFlags, MediaModes};

use crate::at::CommandId;

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Outbound,
    Inbound,
}

/// What the `ATD` or `ATA` in progress is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// `ATD;` with no number: off hook, for dial tone.
    OffHook,
    /// `ATD…;` of a destination ending in `;`: more digits follow.
    Partial,
    /// `ATD…;` of a voice call: the modem returns to command state after dialling.
    Voice,
    /// `ATD…` of a data or fax call: waits for `CONNECT`.
    Originate,
    /// `ATA`.
    Answer,
}

/// An `ATD`/`ATA` the task sent and has not seen the end of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InFlight {
    pub(crate) id: CommandId,
    pub(crate) attempt: Attempt,
    /// The request to complete once the command is on the wire (make_call, dial, answer).
    pub(crate) request: Option<RequestId>,
    /// When it went on the wire.
    pub(crate) written: Option<Instant>,
}

pub(crate) struct Call {
    pub(crate) handle: CallHandle,
    pub(crate) direction: Direction,
    pub(crate) span: tracing::Span,
    /// The last state reported (UNKNOWN before the first).
    pub(crate) state: CallStateChange,
    pub(crate) info: CallInfo,
    /// The make_call that creates this call, until it completes: no events before.
    pub(crate) creating: Option<RequestId>,
    /// Requests on the call accepted and not completed yet, with their operation.
    pub(crate) pending: Vec<(RequestId, &'static str)>,
    /// The `+FCLASS` sent before the attempt, and the attempt it leads to.
    pub(crate) class_command: Option<(CommandId, Attempt)>,
    pub(crate) attempt: Option<InFlight>,
    /// The next attempt, to send once `class_command` is done: dial string and the request.
    pub(crate) next: Option<(crate::at::Command, Attempt, Option<RequestId>)>,
    /// Digits went out (securing is too late).
    pub(crate) digits_sent: bool,
    /// The last dial ended with `;`.
    pub(crate) partial: bool,
    /// The modem is off hook for this call (until a hang-up or a failed attempt).
    pub(crate) off_hook: bool,
}

impl Call {
    pub(crate) fn new(
        handle: CallHandle,
        direction: Direction,
        info: CallInfo,
        line: &str,
    ) -> Self {
        Call {
            handle,
            direction,
            span: tracing::info_span!("call", line = %line, call = %handle),
            state: CallStateChange::Unknown,
            info,
            creating: None,
            pending: Vec::new(),
            class_command: None,
            attempt: None,
            next: None,
            digits_sent: false,
            partial: false,
            off_hook: false,
        }
    }

    pub(crate) fn is_idle(&self) -> bool {
        self.state == CallStateChange::Idle
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.info.call_param_flags.contains(CallParamFlags::SECURE)
    }

    /// Data or fax: a carrier and a byte stream.
    pub(crate) fn wants_carrier(&self) -> bool {
        self.info
            .media_mode
            .intersects(MediaModes::DATAMODEM | MediaModes::G3FAX)
    }

    pub(crate) fn is_connected(&self) -> bool {
        matches!(self.state, CallStateChange::Connected(_))
    }

    /// Securing now would work: an outbound call with nothing dialed yet and a code configured.
    pub(crate) fn can_secure_now(&self, has_code: bool) -> bool {
        has_code
            && self.direction == Direction::Outbound
            && !self.digits_sent
            && !self.is_idle()
            && !matches!(self.state, CallStateChange::Disconnected(_))
    }

    /// What can be done to the call now (`LINECALLSTATUS.dwCallFeatures`).
    pub(crate) fn features(&self, has_code: bool) -> CallFeatures {
        let secure = if self.can_secure_now(has_code) && !self.is_secure() {
            CallFeatures::SECURECALL
        } else {
            CallFeatures::empty()
        };
        match self.state {
            CallStateChange::Idle => CallFeatures::empty(),
            CallStateChange::Unknown => CallFeatures::empty(),
            CallStateChange::Offering(_) => CallFeatures::ANSWER | CallFeatures::DROP,
            CallStateChange::DialTone(_) => CallFeatures::DIAL | CallFeatures::DROP | secure,
            CallStateChange::Dialing if self.partial => CallFeatures::DIAL | CallFeatures::DROP,
            _ => CallFeatures::DROP,
        }
    }
}
