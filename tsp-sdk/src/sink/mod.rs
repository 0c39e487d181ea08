//! The event sink: where a provider sends completions and events, and where TAPI's rules are
//! enforced so that no provider can break them.
//!
//! [`channel`] makes a pair: the [`EventSink`] goes to the provider (in [`Init`](crate::spi::Init)),
//! the [`SinkHost`] stays with whoever drives the provider (the host, the conformance suite, a test).
//! The host tells its side about requests it issues and lines and calls it closes; the provider's
//! callbacks are checked against that record:
//!
//! | rule (T§) | refused with |
//! |---|---|
//! | every async request completes exactly once (1.1) | [`Violation::CompletedTwice`], [`Violation::UnknownRequest`] |
//! | a synchronous failure never completes (1.1) | [`Violation::CompletedAfterRefusal`] |
//! | no event for a pending call before its completion, none for a failed one (1.2) | [`Violation::EventBeforeCompletion`], [`Violation::EventForFailedCall`] |
//! | a new call is announced before its first state (2.2) | [`Violation::UnknownCall`] |
//! | a call never leaves IDLE (2.2) | [`Violation::LeftIdle`] |
//! | nothing after close of the line or the call, or after shutdown (4) | [`Violation::AfterLineClose`], [`Violation::AfterCallClose`], [`Violation::AfterShutdown`] |
//! | close, close_call and shutdown complete pending requests first (4) | [`Violation::LeftPending`] (the sink completes them with `OPERATIONFAILED`) |
//! | callbacks never overlap (1.1) | by construction: every callback runs under one lock |
//!
//! A refused callback is not delivered, is logged with `tracing::error!`, is kept for
//! [`SinkHost::violations`], and is returned to the provider as `Err`. The host keeps running.

mod ledger;
mod violation;

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;

pub use ledger::RequestRecord;
pub use violation::Violation;

use crate::error::{Error, LineErr};
use crate::spi::{CallHandle, CallStateChange, LineEvent, LineHandle, RequestId};
use crate::types::{CallInfoStates, CallState, CallStates, LineDevStates, MediaModes};
use ledger::Ledger;

/// What reaches the host from a provider, in the order the provider sent it.
#[derive(Debug)]
pub enum Delivery {
    /// An async request finished (`ASYNC_COMPLETION`).
    Completed {
        /// The request.
        request: RequestId,
        /// What the host told the sink about it.
        record: RequestRecord,
        /// `Ok` or the error.
        result: Result<(), Error>,
    },
    /// The provider announced a call it originated (`LINE_NEWCALL`), usually an incoming one.
    NewCall {
        /// The line.
        line: LineHandle,
        /// The host's name for the call.
        call: CallHandle,
    },
    /// A line or call event.
    Event {
        /// The line.
        line: LineHandle,
        /// The event.
        event: LineEvent,
    },
}

struct Shared {
    ledger: Mutex<Ledger>,
    tx: mpsc::UnboundedSender<Delivery>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Ledger> {
        // A panic while holding the lock leaves the ledger consistent (every mutation is a single
        // insert/remove), so a poisoned lock is safe to keep using.
        self.ledger
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn refuse(&self, ledger: &mut Ledger, violation: Violation) -> Violation {
        tracing::error!(%violation, "provider broke the TSPI contract; callback refused");
        ledger.violations.push(violation.clone());
        violation
    }

    fn send(&self, delivery: Delivery) {
        // The host side may be gone (shutting down); nothing is owed then.
        let _ = self.tx.send(delivery);
    }

    fn auto_fail(
        &self,
        ledger: &mut Ledger,
        left: Vec<(RequestId, RequestRecord)>,
        during: &'static str,
    ) {
        for (request, record) in left {
            self.refuse(
                ledger,
                Violation::LeftPending {
                    request,
                    operation: record.operation,
                    during,
                },
            );
            let error = Error::new(LineErr::OperationFailed)
                .operation(record.operation)
                .detail(format!(
                    "still pending when {during} returned; completed by the SDK"
                ));
            self.send(Delivery::Completed {
                request,
                record,
                result: Err(error),
            });
        }
    }
}

/// Makes a connected pair: the provider's [`EventSink`] and the driver's [`SinkHost`].
pub fn channel() -> (EventSink, SinkHost) {
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        ledger: Mutex::new(Ledger::default()),
        tx,
    });
    (
        EventSink {
            shared: shared.clone(),
        },
        SinkHost { shared, rx },
    )
}

/// The provider's side: completions and events (TSPI's `ASYNC_COMPLETION` and `LINEEVENT`).
///
/// Cheap to clone; every clone feeds the same host. Each method checks the callback against TAPI's
/// rules first and returns the [`Violation`] instead of delivering it.
#[derive(Clone)]
pub struct EventSink {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for EventSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventSink").finish_non_exhaustive()
    }
}

impl EventSink {
    /// Completes an async request, exactly once, with `Ok(())` or an error.
    pub fn complete(&self, request: RequestId, result: Result<(), Error>) -> Result<(), Violation> {
        let mut ledger = self.shared.lock();
        if let Err(e) = &result {
            if let LineErr::DeviceSpecific(code) = e.kind() {
                if !LineErr::DEVICE_SPECIFIC.contains(&code) {
                    return Err(self
                        .shared
                        .refuse(&mut ledger, Violation::InvalidResult { request }));
                }
            }
        }
        match ledger.complete(request, result.is_ok()) {
            Ok(record) => {
                self.shared.send(Delivery::Completed {
                    request,
                    record,
                    result,
                });
                Ok(())
            }
            Err(v) => Err(self.shared.refuse(&mut ledger, v)),
        }
    }

    /// Announces a call the provider originated (an incoming call) and returns the host's name for
    /// it. Send its first state right after.
    pub fn new_call(&self, line: LineHandle) -> Result<CallHandle, Violation> {
        let mut ledger = self.shared.lock();
        if let Err(v) = ledger.check_new_call(line) {
            return Err(self.shared.refuse(&mut ledger, v));
        }
        let call = ledger.allocate_call(line, None);
        self.shared.send(Delivery::NewCall { line, call });
        Ok(call)
    }

    /// Reports an event on a line or one of its calls.
    pub fn event(&self, line: LineHandle, event: LineEvent) -> Result<(), Violation> {
        let mut ledger = self.shared.lock();
        match ledger.event(line, &event) {
            Ok(()) => {
                self.shared.send(Delivery::Event { line, event });
                Ok(())
            }
            Err(v) => Err(self.shared.refuse(&mut ledger, v)),
        }
    }

    /// Reports a call's new state (`LINE_CALLSTATE`).
    pub fn call_state(
        &self,
        line: LineHandle,
        call: CallHandle,
        state: CallStateChange,
        media: MediaModes,
    ) -> Result<(), Violation> {
        self.event(line, LineEvent::CallState { call, state, media })
    }

    /// Reports changed call-info fields (`LINE_CALLINFO`).
    pub fn call_info(
        &self,
        line: LineHandle,
        call: CallHandle,
        changed: CallInfoStates,
    ) -> Result<(), Violation> {
        self.event(line, LineEvent::CallInfo { call, changed })
    }

    /// Reports a ring (`LINE_LINEDEVSTATE(RINGING)`, ring mode 1, `count` from 0).
    pub fn ringing(&self, line: LineHandle, count: u32) -> Result<(), Violation> {
        self.event(
            line,
            LineEvent::LineDevState {
                states: LineDevStates::RINGING,
                p2: 1,
                p3: count,
            },
        )
    }

    /// Asks the host to close the line (`LINE_CLOSE`): complete every pending request first.
    pub fn request_close(&self, line: LineHandle) -> Result<(), Violation> {
        self.event(line, LineEvent::Close)
    }
}

/// The driver's side: it registers what it asks of the provider and receives what comes back.
pub struct SinkHost {
    shared: Arc<Shared>,
    rx: mpsc::UnboundedReceiver<Delivery>,
}

impl std::fmt::Debug for SinkHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkHost").finish_non_exhaustive()
    }
}

impl SinkHost {
    /// A new session begins (after `init`): forget lines, calls and requests of an earlier one.
    pub fn begin_session(&self) {
        self.shared.lock().reset();
    }

    /// The line is being opened: events on it are allowed from now on. Call before
    /// [`Provider::open`](crate::spi::Provider::open); if the open fails, call
    /// [`line_closed`](Self::line_closed).
    pub fn line_opened(&self, line: LineHandle) {
        self.shared.lock().line_opened(line);
    }

    /// Names a call the host is about to create with a request (make_call).
    pub fn allocate_call(&self, line: LineHandle) -> CallHandle {
        self.shared.lock().allocate_call(line, None)
    }

    /// Registers an async request before the provider is called. For a call-creating request,
    /// `record.call` becomes pending until the completion.
    pub fn begin_request(&self, request: RequestId, record: RequestRecord) {
        self.shared.lock().begin_request(request, record);
    }

    /// The provider failed the request synchronously: it must never complete.
    pub fn request_refused(&self, request: RequestId) {
        self.shared.lock().refuse_request(request);
    }

    /// `close_call` returned: anything still pending on the call is a violation (and is completed
    /// with `OPERATIONFAILED` by the sink); later events for the call are refused.
    pub fn call_closed(&self, call: CallHandle) {
        let mut ledger = self.shared.lock();
        let left = ledger.call_closed(call);
        self.shared.auto_fail(&mut ledger, left, "close_call");
    }

    /// `close` returned: likewise for the line and all its calls.
    pub fn line_closed(&self, line: LineHandle) {
        let mut ledger = self.shared.lock();
        let left = ledger.line_closed(line);
        self.shared.auto_fail(&mut ledger, left, "close");
    }

    /// `shutdown` returned: every later callback is refused.
    pub fn shut_down(&self) {
        let mut ledger = self.shared.lock();
        let left = ledger.shut_down();
        self.shared.auto_fail(&mut ledger, left, "shutdown");
    }

    /// The next delivery, waiting for it. `None` once every [`EventSink`] clone is gone.
    pub async fn recv(&mut self) -> Option<Delivery> {
        self.rx.recv().await
    }

    /// The next delivery if one is ready.
    pub fn try_recv(&mut self) -> Option<Delivery> {
        self.rx.try_recv().ok()
    }

    /// Every violation seen so far, oldest first.
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.lock().violations.clone()
    }

    /// Requests issued and not yet completed or refused.
    pub fn pending_requests(&self) -> Vec<(RequestId, RequestRecord)> {
        self.shared.lock().pending_requests()
    }

    /// A call's last reported state and every state it has been reported in.
    pub fn call_states(&self, call: CallHandle) -> Option<(Option<CallState>, CallStates)> {
        self.shared.lock().call_states(call)
    }
}
