//! What an application hears: [`AppEvent`] (TAPI's line messages at the application level, T§2.3)
//! and [`Events`], its stream, fed by a bounded per-application queue (its policy: see
//! [`Events`]).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};

use futures::Stream;
use futures::stream::BoxStream;
use std::future::Future;
use tokio::sync::Notify;
use tokio::sync::futures::OwnedNotified;

use std::time::Instant;

use crate::error::Error;
use crate::spi::{AddressId, CallStateChange, GenerateTerm, RequestId};
use crate::types::{
    AddressStates, CallInfoStates, CallPrivilege, DigitModes, LineDevStates, MediaModes,
    RequestModes,
};

use super::handles::{Call, Line};
use super::latency::LatencyRecorder;

/// A message to an application (TAPI's `LINE_*` messages as an application receives them).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AppEvent {
    /// `LINE_REPLY`: an asynchronous request finished. Sent to the requesting application only,
    /// exactly once per request it was given, even if it deallocated the call since.
    Reply {
        /// The request, as the operation returned it.
        request: RequestId,
        /// `Ok`, or the error (`LINEERR_*` with the operation and device).
        result: Result<(), Error>,
    },
    /// `LINE_APPNEWCALL`: the application has a new handle to a call it did not create (an
    /// incoming call offered to it, a call it monitors, a call handed off to it). The call's state
    /// follows in a [`CallState`](AppEvent::CallState).
    NewCall {
        /// The line (the application's handle to it).
        line: Line,
        /// The application's new handle to the call.
        call: Call,
        /// The address on the line.
        address: AddressId,
        /// What the application may do with it.
        privilege: CallPrivilege,
    },
    /// `LINE_CALLSTATE`: the call is now in this state.
    CallState {
        /// The line.
        line: Line,
        /// The call.
        call: Call,
        /// State and mode.
        state: CallStateChange,
        /// The call's media mode.
        media: MediaModes,
        /// `dwParam3`: the application's new privilege, when it changed with this message
        /// (a new handle, a handoff); `None` otherwise.
        privilege: Option<CallPrivilege>,
    },
    /// `LINE_CALLINFO`: these fields of the call's info changed (the host adds NUMOWNERINCR,
    /// NUMOWNERDECR and NUMMONITORS when handles come and go).
    CallInfo {
        /// The line.
        line: Line,
        /// The call.
        call: Call,
        /// Which fields.
        changed: CallInfoStates,
    },
    /// `LINE_LINEDEVSTATE`: the line's status changed (only the states the application selected
    /// with `set_status_messages`, and REINIT always). `line` is `None` for a REINIT that concerns
    /// the whole host.
    LineDevState {
        /// The line, if the message concerns one.
        line: Option<Line>,
        /// What changed.
        states: LineDevStates,
        /// The second parameter (the ring mode for RINGING).
        p2: u32,
        /// The third parameter (the ring count from 0 for RINGING).
        p3: u32,
    },
    /// `LINE_ADDRESSSTATE` (only the states the application selected).
    AddressState {
        /// The line.
        line: Line,
        /// The address.
        address: AddressId,
        /// What changed.
        states: AddressStates,
    },
    /// `LINE_MONITORDIGITS`: a digit was detected on a call the application monitors digits on.
    MonitorDigits {
        /// The line.
        line: Line,
        /// The call.
        call: Call,
        /// The digit.
        digit: char,
        /// How it was detected.
        mode: DigitModes,
    },
    /// `LINE_GENERATE`: the application's digit generation ended.
    Generate {
        /// The line.
        line: Line,
        /// The call.
        call: Call,
        /// Done or cancelled.
        term: GenerateTerm,
    },
    /// `LINE_MONITORMEDIA`: a media mode was detected on the call.
    MonitorMedia {
        /// The line.
        line: Line,
        /// The call.
        call: Call,
        /// The mode.
        mode: MediaModes,
    },
    /// `LINE_DEVSPECIFIC`.
    DevSpecific {
        /// The line.
        line: Line,
        /// Provider-defined.
        p1: u32,
        /// Provider-defined.
        p2: u32,
        /// Provider-defined.
        p3: u32,
    },
    /// `LINE_CLOSE`: the line was closed under the application (the provider forced it: device
    /// lost, out of service; or the device was removed). The line handle and its call handles are
    /// dead: later use answers `LINEERR_INVALLINEHANDLE` / `LINEERR_INVALCALLHANDLE`.
    Close {
        /// The line.
        line: Line,
    },
    /// `LINE_REMOVE`: the device is gone for good; it answers `LINEERR_NODEVICE` from now on.
    /// Sent to every application, after [`Close`](AppEvent::Close) to those that had it open.
    Remove {
        /// The TAPI device id.
        device: u32,
    },
    /// `LINE_REQUEST`: an Assisted Telephony request is queued for this request recipient; take
    /// it with `get_request`.
    Request {
        /// The request mode (`LINEREQUESTMODE_MAKECALL`).
        mode: RequestModes,
    },
    /// The host's queue for this application was full and discarded `count` droppable events here
    /// (see [`Events`]). Re-read the status of the lines and calls you care about.
    EventsLost {
        /// How many events were discarded.
        count: u64,
    },
}

impl AppEvent {
    /// Whether the queue keeps this event even when full.
    fn essential(&self) -> bool {
        matches!(
            self,
            AppEvent::Reply { .. }
                | AppEvent::Close { .. }
                | AppEvent::Remove { .. }
                | AppEvent::Request { .. }
                | AppEvent::EventsLost { .. }
                | AppEvent::NewCall { .. }
        )
    }

    /// The call handle the event is about, if any.
    pub fn call(&self) -> Option<Call> {
        match self {
            AppEvent::NewCall { call, .. }
            | AppEvent::CallState { call, .. }
            | AppEvent::CallInfo { call, .. }
            | AppEvent::MonitorDigits { call, .. }
            | AppEvent::Generate { call, .. }
            | AppEvent::MonitorMedia { call, .. } => Some(*call),
            _ => None,
        }
    }

    /// The line handle the event is about, if any.
    pub fn line(&self) -> Option<Line> {
        match self {
            AppEvent::NewCall { line, .. }
            | AppEvent::CallState { line, .. }
            | AppEvent::CallInfo { line, .. }
            | AppEvent::AddressState { line, .. }
            | AppEvent::MonitorDigits { line, .. }
            | AppEvent::Generate { line, .. }
            | AppEvent::MonitorMedia { line, .. }
            | AppEvent::DevSpecific { line, .. }
            | AppEvent::Close { line } => Some(*line),
            AppEvent::LineDevState { line, .. } => *line,
            _ => None,
        }
    }
}

#[derive(Debug, Default)]
struct Queue {
    /// Each event with when the provider's callback sent it, if it came from one.
    events: VecDeque<(AppEvent, Option<Instant>)>,
    /// Droppable events queued (they count toward the capacity).
    droppable: usize,
    /// Whether the tail is an `EventsLost` marker that further losses add to.
    lost_at_tail: bool,
    lost_total: u64,
    closed: bool,
}

/// One application's queue: the host pushes, the application's [`Events`] pops.
#[derive(Debug)]
pub(crate) struct AppQueue {
    queue: Mutex<Queue>,
    notify: Arc<Notify>,
    capacity: usize,
    replies_unread: AtomicUsize,
    latency: Option<LatencyRecorder>,
}

impl AppQueue {
    pub(crate) fn new(capacity: usize, latency: Option<LatencyRecorder>) -> Arc<AppQueue> {
        Arc::new(AppQueue {
            queue: Mutex::new(Queue::default()),
            notify: Arc::new(Notify::new()),
            capacity: capacity.max(1),
            replies_unread: AtomicUsize::new(0),
            latency,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Every mutation is a push or a pop: a poisoned lock is still consistent.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues an event under the policy in [`Events`]. Never blocks.
    pub(crate) fn push(&self, event: AppEvent) {
        self.push_stamped(event, None);
    }

    /// [`push`](Self::push) for an event a provider's callback sent at `at`.
    pub(crate) fn push_stamped(&self, event: AppEvent, at: Option<Instant>) {
        let mut q = self.lock();
        if q.closed {
            return;
        }
        if event.essential() {
            if matches!(event, AppEvent::Reply { .. }) {
                self.replies_unread.fetch_add(1, Ordering::Relaxed);
            }
            q.events.push_back((event, at));
            q.lost_at_tail = false;
        } else if q.droppable >= self.capacity {
            q.lost_total += 1;
            if q.lost_at_tail {
                if let Some((AppEvent::EventsLost { count }, _)) = q.events.back_mut() {
                    *count += 1;
                }
            } else {
                if q.lost_total == 1 {
                    tracing::warn!(
                        capacity = self.capacity,
                        "an application is not reading its events; discarding (it will read EventsLost)"
                    );
                }
                q.events
                    .push_back((AppEvent::EventsLost { count: 1 }, None));
                q.lost_at_tail = true;
            }
        } else {
            q.droppable += 1;
            q.events.push_back((event, at));
            q.lost_at_tail = false;
        }
        drop(q);
        self.notify.notify_one();
    }

    /// Ends the stream once what is queued has been read.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.notify.notify_one();
    }

    /// Replies queued and not read yet.
    pub(crate) fn replies_unread(&self) -> usize {
        self.replies_unread.load(Ordering::Relaxed)
    }

    /// Events queued now, and how many were discarded in all.
    pub(crate) fn stats(&self) -> (usize, u64) {
        let q = self.lock();
        (q.events.len(), q.lost_total)
    }

    /// The next event with its provider stamp; records its latency when measuring.
    fn pop_stamped(&self) -> Poll<Option<(AppEvent, Option<Instant>)>> {
        let mut q = self.lock();
        match q.events.pop_front() {
            Some((event, at)) => {
                if !event.essential() {
                    q.droppable -= 1;
                }
                if q.events.is_empty() {
                    q.lost_at_tail = false;
                }
                if matches!(event, AppEvent::Reply { .. }) {
                    self.replies_unread.fetch_sub(1, Ordering::Relaxed);
                }
                drop(q);
                if let (Some(recorder), Some(at)) = (&self.latency, at) {
                    recorder.record(at.elapsed());
                }
                Poll::Ready(Some((event, at)))
            }
            None if q.closed => Poll::Ready(None),
            None => Poll::Pending,
        }
    }
}

enum Source {
    Local {
        queue: Arc<AppQueue>,
        /// Kept across polls so a push between two polls wakes the reader.
        waiting: Option<Pin<Box<OwnedNotified>>>,
    },
    /// In a mutex only so `Events` is `Sync` (it is polled through `&mut`, never locked).
    Remote(Mutex<BoxStream<'static, AppEvent>>),
}

/// An application's events, in the order the host sent them. Ends (`None`) after `shutdown`, once
/// everything queued before it was read. Also a [`futures::Stream`].
///
/// # The queue's policy
///
/// The host never waits for an application: a provider's event is put in each concerned
/// application's queue and the host moves on, so an application that stops reading cannot stall
/// the provider or other applications. Each queue holds at most
/// [`HostBuilder::event_queue_capacity`](super::HostBuilder::event_queue_capacity) events
/// (default 4,096). When it is full:
///
/// - a **droppable** event (call states, call info, line and address states, digits, media,
///   device-specific) is discarded and counted; the application reads one
///   [`AppEvent::EventsLost`] in its place, in order, telling it to re-read what it cares about
///   (`call_status`, `line_status`);
/// - an **essential** event is always kept, because losing it would leave the application with a
///   handle it cannot learn about or a reply it waits for forever:
///   - [`AppEvent::Reply`]: bounded, since an application owing more than
///     [`HostBuilder::max_outstanding_requests`](super::HostBuilder::max_outstanding_requests)
///     replies gets `LINEERR_REQUESTOVERRUN` for new requests;
///   - [`AppEvent::NewCall`]: one per call offered to the application. Each one carries a handle
///     the application must deallocate, so an application that never reads also keeps those
///     calls' handles;
///   - [`AppEvent::Close`]: at most one per open line;
///   - [`AppEvent::Remove`]: at most one per device;
///   - [`AppEvent::Request`]: one each time the top request recipient changes while requests
///     are queued;
///   - [`AppEvent::EventsLost`]: one per run of discarded events.
///
/// So only droppable events are bounded by the capacity; the essential ones are bounded by what
/// the application holds (requests, calls, lines, devices).
pub struct Events {
    source: Source,
}

impl std::fmt::Debug for Events {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").finish_non_exhaustive()
    }
}

impl Events {
    pub(crate) fn local(queue: Arc<AppQueue>) -> Events {
        Events {
            source: Source::Local {
                queue,
                waiting: None,
            },
        }
    }

    /// Events that come from somewhere else (the RPC client's stream).
    pub fn from_stream(stream: BoxStream<'static, AppEvent>) -> Events {
        Events {
            source: Source::Remote(Mutex::new(stream)),
        }
    }

    /// The next event, waiting for it; `None` once the application has shut down.
    pub async fn next(&mut self) -> Option<AppEvent> {
        futures::StreamExt::next(self).await
    }

    /// The next event if one is queued now.
    pub fn try_next(&mut self) -> Option<AppEvent> {
        let waker = futures::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        match Pin::new(self).poll_next(&mut cx) {
            Poll::Ready(event) => event,
            Poll::Pending => None,
        }
    }
}

/// Polls a local queue, keeping the waiter across polls so a push between two polls wakes the
/// reader.
fn poll_local(
    queue: &AppQueue,
    waiting: &mut Option<Pin<Box<OwnedNotified>>>,
    cx: &mut Context<'_>,
) -> Poll<Option<(AppEvent, Option<Instant>)>> {
    loop {
        if let Poll::Ready(event) = queue.pop_stamped() {
            *waiting = None;
            return Poll::Ready(event);
        }
        let notified =
            waiting.get_or_insert_with(|| Box::pin(queue.notify.clone().notified_owned()));
        // Register interest, then look again: a push between the two is not missed.
        notified.as_mut().enable();
        if let Poll::Ready(event) = queue.pop_stamped() {
            *waiting = None;
            return Poll::Ready(event);
        }
        match notified.as_mut().poll(cx) {
            Poll::Ready(()) => *waiting = None,
            Poll::Pending => return Poll::Pending,
        }
    }
}

impl Events {
    /// The next event with the moment its provider callback sent it (`None` for events the host
    /// made itself, and for remote events). For the RPC server, which forwards the stamp.
    pub(crate) async fn next_stamped(&mut self) -> Option<(AppEvent, Option<Instant>)> {
        match &mut self.source {
            Source::Remote(_) => self.next().await.map(|e| (e, None)),
            Source::Local { queue, waiting } => {
                std::future::poll_fn(|cx| poll_local(queue, waiting, cx)).await
            }
        }
    }
}

impl Stream for Events {
    type Item = AppEvent;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<AppEvent>> {
        match &mut self.get_mut().source {
            Source::Remote(stream) => stream
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .as_mut()
                .poll_next(cx),
            Source::Local { queue, waiting } => {
                poll_local(queue, waiting, cx).map(|e| e.map(|(event, _)| event))
            }
        }
    }
}
