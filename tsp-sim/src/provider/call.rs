//! One call on a simulated provider line: its state, info, and what can be done to it now.

use tokio::sync::mpsc;

use bytes::Bytes;
use tsp_sdk::spi::{CallHandle, CallInfo, CallStateChange};
use tsp_sdk::{CallFeatures, CallParamFlags, MediaModes};

/// Who started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Outbound,
    Inbound,
}

/// Where dialing stands on an outbound call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dialing {
    /// Off hook, waiting for dial tone; these steps go out when it comes.
    AwaitingDialTone(Vec<crate::line::LineAction>),
    /// Dial tone heard, nothing dialed yet.
    Ready,
    /// Digits went out (partial dial: more may follow).
    Sent,
}

pub(crate) struct Call {
    pub(crate) handle: CallHandle,
    pub(crate) direction: Direction,
    pub(crate) state: CallStateChange,
    pub(crate) info: CallInfo,
    pub(crate) dialing: Dialing,
    /// Whether the remote end answered (voice path up).
    pub(crate) answered: bool,
    /// Whether we started a carrier.
    pub(crate) carrier: bool,
    /// Whether the far end's carrier is up.
    pub(crate) remote_carrier: bool,
    /// Whether the call ended with a partial dial (`;`).
    pub(crate) partial: bool,
    /// Bytes from the far end, to the data-stream task.
    pub(crate) data_tx: Option<mpsc::UnboundedSender<Bytes>>,
    /// Where far-end bytes wait until `get_id` hands the stream out.
    pub(crate) data_rx: Option<mpsc::UnboundedReceiver<Bytes>>,
}

impl Call {
    pub(crate) fn new(handle: CallHandle, direction: Direction, info: CallInfo) -> Self {
        Call {
            handle,
            direction,
            state: CallStateChange::Unknown,
            info,
            dialing: Dialing::Ready,
            answered: false,
            carrier: false,
            remote_carrier: false,
            partial: false,
            data_tx: None,
            data_rx: None,
        }
    }

    pub(crate) fn is_secure(&self) -> bool {
        self.info.call_param_flags.contains(CallParamFlags::SECURE)
    }

    /// Whether the call's media needs a carrier (data or fax) rather than a voice path.
    pub(crate) fn wants_carrier(&self) -> bool {
        self.info
            .media_mode
            .intersects(MediaModes::DATAMODEM | MediaModes::G3FAX)
    }

    pub(crate) fn is_idle(&self) -> bool {
        self.state == CallStateChange::Idle
    }

    /// What can be done to the call now (`LINECALLSTATUS.dwCallFeatures`).
    pub(crate) fn features(&self, can_secure: bool) -> CallFeatures {
        match self.state {
            CallStateChange::Idle => CallFeatures::empty(),
            CallStateChange::Offering(_) => CallFeatures::ANSWER | CallFeatures::DROP,
            CallStateChange::DialTone(_) => {
                let secure = if can_secure && !self.is_secure() {
                    CallFeatures::SECURECALL
                } else {
                    CallFeatures::empty()
                };
                CallFeatures::DIAL | CallFeatures::DROP | secure
            }
            CallStateChange::Dialing if self.partial => CallFeatures::DIAL | CallFeatures::DROP,
            _ => CallFeatures::DROP,
        }
    }
}
