//! One call on a simulated provider line: its state, info, and what can be done to it now.

use tokio::sync::mpsc;

use bytes::Bytes;
use tsp_sdk::kit::{CallDirection, CallRecord};
use tsp_sdk::spi::{CallHandle, CallInfo};

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

/// A call on a sim line: the kit's [`CallRecord`] (handle, direction, state, info, progress),
/// and what the exchange side needs beside it.
pub(crate) struct Call {
    pub(crate) record: CallRecord,
    pub(crate) dialing: Dialing,
    /// Whether the remote end answered (voice path up).
    pub(crate) answered: bool,
    /// Whether we started a carrier.
    pub(crate) carrier: bool,
    /// Whether the far end's carrier is up.
    pub(crate) remote_carrier: bool,
    /// Bytes from the far end, to the data-stream task.
    pub(crate) data_tx: Option<mpsc::UnboundedSender<Bytes>>,
    /// Where far-end bytes wait until `get_id` hands the stream out.
    pub(crate) data_rx: Option<mpsc::UnboundedReceiver<Bytes>>,
}

impl std::ops::Deref for Call {
    type Target = CallRecord;
    fn deref(&self) -> &CallRecord {
        &self.record
    }
}

impl std::ops::DerefMut for Call {
    fn deref_mut(&mut self) -> &mut CallRecord {
        &mut self.record
    }
}

impl Call {
    pub(crate) fn new(handle: CallHandle, direction: CallDirection, info: CallInfo) -> Self {
        Call {
            record: CallRecord::new(handle, direction, info),
            dialing: Dialing::Ready,
            answered: false,
            carrier: false,
            remote_carrier: false,
            data_tx: None,
            data_rx: None,
        }
    }
}
