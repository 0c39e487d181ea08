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
//! [`SinkControl::violations`], and is returned to the provider as `Err`. The host keeps running.

mod ledger;
mod tombstones;
mod violation;

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;

pub use ledger::{LedgerSizes, RequestRecord};
pub use violation::Violation;

use crate::error::{Error, LineErr};
use crate::spi::{CallHandle, CallStateChange, DeviceId, LineEvent, LineHandle, RequestId};
use crate::types::{CallInfoStates, CallState, CallStates, LineDevStates, MediaModes};
use ledger::Ledger;

/// What reaches the host from a provider, in the order the provider sent it.
#[derive(Debug)]
#[non_exhaustive]
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
    /// A device is gone for good (`LINE_REMOVE`), whether or not its line is open.
    DeviceRemoved {
        /// The device.
        device: DeviceId,
    },
}

struct Shared {
    ledger: Mutex<Ledger>,
    tx: mpsc::UnboundedSender<(std::time::Instant, Delivery)>,
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
        ledger.keep_violation(violation.clone());
        violation
    }

    fn send(&self, delivery: Delivery) {
        // The host side may be gone (shutting down); nothing is owed then.
        let _ = self.tx.send((std::time::Instant::now(), delivery));
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
        SinkHost {
            control: SinkControl { shared },
            deliveries: Deliveries { rx },
        },
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
        if let Err(e) = &result
            && let LineErr::DeviceSpecific(code) = e.kind()
            && !LineErr::DEVICE_SPECIFIC.contains(&code)
        {
            return Err(self
                .shared
                .refuse(&mut ledger, Violation::InvalidResult { request }));
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

    /// Reports that a device is gone for good (`LINE_REMOVE`, T§4), whether or not its line is
    /// open. If it is open, complete its pending requests first, as for
    /// [`request_close`](Self::request_close); the host then closes the line and answers
    /// `LINEERR_NODEVICE` for the device from now on.
    pub fn device_removed(&self, device: DeviceId) -> Result<(), Violation> {
        let mut ledger = self.shared.lock();
        if ledger.is_shut_down() {
            return Err(self.shared.refuse(&mut ledger, Violation::AfterShutdown));
        }
        self.shared.send(Delivery::DeviceRemoved { device });
        Ok(())
    }
}

/// The driver's side: it registers what it asks of the provider ([`SinkControl`]) and receives
/// what comes back ([`Deliveries`]). [`split`](SinkHost::split) separates the two so one task can
/// receive while others issue requests.
pub struct SinkHost {
    control: SinkControl,
    deliveries: Deliveries,
}

impl std::fmt::Debug for SinkHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkHost").finish_non_exhaustive()
    }
}

impl std::ops::Deref for SinkHost {
    type Target = SinkControl;
    fn deref(&self) -> &SinkControl {
        &self.control
    }
}

impl SinkHost {
    /// The two halves: bookkeeping (cheap to clone) and the receiver.
    pub fn split(self) -> (SinkControl, Deliveries) {
        (self.control, self.deliveries)
    }

    /// The next delivery, waiting for it. `None` once every [`EventSink`] clone is gone.
    pub async fn recv(&mut self) -> Option<Delivery> {
        self.deliveries.recv().await
    }

    /// The next delivery if one is ready.
    pub fn try_recv(&mut self) -> Option<Delivery> {
        self.deliveries.try_recv()
    }
}

/// What reaches the driver from the provider, in order.
pub struct Deliveries {
    rx: mpsc::UnboundedReceiver<(std::time::Instant, Delivery)>,
}

impl std::fmt::Debug for Deliveries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deliveries").finish_non_exhaustive()
    }
}

impl Deliveries {
    /// The next delivery, waiting for it. `None` once every [`EventSink`] clone is gone.
    pub async fn recv(&mut self) -> Option<Delivery> {
        self.rx.recv().await.map(|(_, d)| d)
    }

    /// The next delivery with the moment the provider's callback sent it (for latency
    /// measurements), waiting for it.
    pub async fn recv_stamped(&mut self) -> Option<(std::time::Instant, Delivery)> {
        self.rx.recv().await
    }

    /// The next delivery if one is ready.
    pub fn try_recv(&mut self) -> Option<Delivery> {
        self.rx.try_recv().ok().map(|(_, d)| d)
    }
}

/// The driver's bookkeeping: what it asked of the provider, so callbacks can be checked. Cheap to
/// clone; every clone records into the same sink.
#[derive(Clone)]
pub struct SinkControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for SinkControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SinkControl").finish_non_exhaustive()
    }
}

impl SinkControl {
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
    /// `record.call` becomes pending until the completion. The id must not be pending already;
    /// [`begin`](Self::begin) picks a free one.
    pub fn begin_request(&self, request: RequestId, record: RequestRecord) {
        self.shared.lock().begin_request(request, record);
    }

    /// Picks the next request id that is not pending (`1..=0x7FFF_FFFF`, wrapping: TAPI never
    /// reuses an id until its completion was reported, T§1.1) and registers the request under it.
    pub fn begin(&self, record: RequestRecord) -> RequestId {
        self.shared.lock().begin_next(|_| record)
    }

    /// The provider failed the request synchronously: it must never complete. A call it would have
    /// created is forgotten (TAPI never closes it, T§1.2); later events for it are refused.
    pub fn request_refused(&self, request: RequestId) {
        let mut ledger = self.shared.lock();
        let record = ledger.pending_record(request);
        ledger.refuse_request(request);
        if let Some(RequestRecord {
            creates_call: true,
            call: Some(call),
            ..
        }) = record
        {
            ledger.forget_failed_call(call);
        }
    }

    /// The line a call is on, while the call is not closed.
    pub fn line_of(&self, call: CallHandle) -> Option<LineHandle> {
        self.shared.lock().line_of(call)
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

    /// Every violation seen so far, oldest first (the first 1,024; later ones are only counted, in
    /// [`violations_dropped`](Self::violations_dropped)).
    pub fn violations(&self) -> Vec<Violation> {
        self.shared.lock().violations.clone()
    }

    /// How many violations were seen beyond the ones kept.
    pub fn violations_dropped(&self) -> u64 {
        self.shared.lock().violations_dropped
    }

    /// Requests issued and not yet completed or refused.
    pub fn pending_requests(&self) -> Vec<(RequestId, RequestRecord)> {
        self.shared.lock().pending_requests()
    }

    /// A call's last reported state and every state it has been reported in, while it is not
    /// closed.
    pub fn call_states(&self, call: CallHandle) -> Option<(Option<CallState>, CallStates)> {
        self.shared.lock().call_states(call)
    }

    /// What the sink holds now (live lines, calls and requests; tombstones).
    pub fn sizes(&self) -> LedgerSizes {
        self.shared.lock().sizes()
    }
}
