//! One call on a modem line: what the task knows about it.

use std::time::Instant;

use tsp_sdk::kit::{CallDirection, CallRecord};
use tsp_sdk::spi::{CallHandle, CallInfo, RequestId};

use crate::at::CommandId;

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

/// A call on a modem line: the kit's [`CallRecord`] (handle, direction, state, info, pending
/// requests, dialing progress), and what the modem side needs beside it.
pub(crate) struct Call {
    pub(crate) record: CallRecord,
    pub(crate) span: tracing::Span,
    /// The `+FCLASS` sent before the attempt, and the attempt it leads to.
    pub(crate) class_command: Option<(CommandId, Attempt)>,
    pub(crate) attempt: Option<InFlight>,
    /// The next attempt, to send once `class_command` is done: dial string and the request.
    pub(crate) next: Option<(crate::at::Command, Attempt, Option<RequestId>)>,
    /// The modem is off hook for this call (until a hang-up or a failed attempt).
    pub(crate) off_hook: bool,
    /// The digit modes `monitor_digits` asked for (empty: not monitoring).
    pub(crate) monitor_digits: tsp_sdk::DigitModes,
    /// The `generate_digits` in progress.
    pub(crate) generating: Option<super::task::Generating>,
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
    pub(crate) fn new(
        handle: CallHandle,
        direction: CallDirection,
        info: CallInfo,
        line: &str,
    ) -> Self {
        Call {
            record: CallRecord::new(handle, direction, info),
            span: tracing::info_span!("call", line = %line, call = %handle),
            class_command: None,
            attempt: None,
            next: None,
            off_hook: false,
            monitor_digits: tsp_sdk::DigitModes::empty(),
            generating: None,
        }
    }
}
