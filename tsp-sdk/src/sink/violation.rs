use crate::spi::{CallHandle, LineHandle, RequestId};
use crate::types::CallState;

/// A rule of TAPI's contract that a provider broke, as the [`EventSink`](super::EventSink) saw it.
///
/// The sink refuses the offending callback (nothing reaches the host), logs a `tracing` error and
/// returns this; the host keeps running (T§1.1, §1.2, §2.2, §4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Violation {
    /// A request was completed a second time.
    #[error("{request} was completed twice (a request completes exactly once)")]
    CompletedTwice {
        /// The request.
        request: RequestId,
    },
    /// A request that failed synchronously was completed (sync failures never complete).
    #[error("{request} failed synchronously and must not be completed")]
    CompletedAfterRefusal {
        /// The request.
        request: RequestId,
    },
    /// A request the host never issued was completed.
    #[error("{request} was never issued")]
    UnknownRequest {
        /// The request.
        request: RequestId,
    },
    /// A request was completed with a code that is not an error.
    #[error("{request} completed with a device-specific code outside 0xC0000000..=0xFFFFFFFF")]
    InvalidResult {
        /// The request.
        request: RequestId,
    },
    /// An event arrived for a call whose creating request had not completed yet.
    #[error("event for {call} before its creating {request} completed")]
    EventBeforeCompletion {
        /// The pending call.
        call: CallHandle,
        /// Its creating request.
        request: RequestId,
    },
    /// An event arrived for a call whose creating request failed.
    #[error("event for {call}, whose creating request failed")]
    EventForFailedCall {
        /// The call.
        call: CallHandle,
    },
    /// An event named a call the sink does not know (incoming calls need `new_call` first).
    #[error(
        "event for unknown {call}: announce incoming calls with new_call before their first state"
    )]
    UnknownCall {
        /// The call.
        call: CallHandle,
    },
    /// A call event was sent on a line other than the call's.
    #[error("{call} is on {expected}, not {line}")]
    WrongLine {
        /// The call.
        call: CallHandle,
        /// The line the call is on.
        expected: LineHandle,
        /// The line the event named.
        line: LineHandle,
    },
    /// A call left IDLE (IDLE is final).
    #[error("{call} left IDLE for {to} (IDLE is final)")]
    LeftIdle {
        /// The call.
        call: CallHandle,
        /// The state it tried to reach.
        to: CallState,
    },
    /// An event or new call arrived for a line that is not open.
    #[error("event on {line}, which is not open")]
    LineNotOpen {
        /// The line.
        line: LineHandle,
    },
    /// An event arrived after the line was closed.
    #[error("event on {line} after it was closed")]
    AfterLineClose {
        /// The line.
        line: LineHandle,
    },
    /// An event arrived after `close_call`.
    #[error("event for {call} after close_call")]
    AfterCallClose {
        /// The call.
        call: CallHandle,
    },
    /// A callback arrived after `shutdown` returned.
    #[error("callback after shutdown")]
    AfterShutdown,
    /// A request was still pending when `close`, `close_call` or `shutdown` returned (they must
    /// complete everything first). The sink completed it with `OPERATIONFAILED` on the provider's
    /// behalf.
    #[error("{request} ({operation}) was still pending when {during} returned")]
    LeftPending {
        /// The request.
        request: RequestId,
        /// Its operation.
        operation: &'static str,
        /// `close`, `close_call` or `shutdown`.
        during: &'static str,
    },
    /// A forced close (`LineEvent::Close`) was requested while requests on the line were pending.
    #[error("close of {line} requested while {request} was pending (complete requests first)")]
    CloseWithPending {
        /// The line.
        line: LineHandle,
        /// A request still pending.
        request: RequestId,
    },
}
