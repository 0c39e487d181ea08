//! The task that owns one open line: its port, its AT engine and its call. The provider's
//! operations reach it through a channel; events go from here to the sink.

mod audio;
mod data;
mod digits;
mod events;
mod hangup;
mod health;
pub(crate) mod open;
mod requests;

pub(crate) use digits::Generating;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tsp_sdk::dial::Location;
use tsp_sdk::kit::LineOffer;
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::{CallHandle, CallStateChange, DeviceId, LineHandle, RequestId};
use tsp_sdk::{CallInfoStates, Error, LineErr, MediaModes, Version};

use super::call::Call;
use super::request::{Reply, Request};
use crate::at::ServiceClass;
use crate::profile::{Identity, Profile, ServiceClasses};
use crate::transport::{Driver, DriverError, PortClock};
use data::DataPath;
use hangup::Hangup;

pub(crate) use open::{Opened, open};

/// Which line each call is on: filled by the line tasks, read by the provider to route call
/// operations.
pub(crate) type CallMap = Arc<Mutex<HashMap<CallHandle, u32>>>;

/// No `RING` for this long ends an unanswered incoming call (the caller gave up): the usual
/// cadence repeats every 6 s.
const RING_GAP: Duration = Duration::from_secs(10);

/// How long `close` waits for the modem to hang up before it closes the port anyway.
const CLOSE_LIMIT: Duration = Duration::from_secs(15);

/// How long DTR stays low to hang up (`S25` is 50 ms on Rockwell/Conexant).
const DTR_LOW: Duration = Duration::from_millis(200);

/// The media modes a modem with these service classes can place: data (class 0), G3 fax when the
/// host does T.30 (class 1/1.0), interactive voice (a voice dial with `;`, any modem), and
/// automated voice (an application that plays and records: the voice class 8).
pub(crate) fn placeable(classes: &ServiceClasses) -> MediaModes {
    let mut modes = MediaModes::INTERACTIVEVOICE;
    if classes.voice() {
        modes |= MediaModes::AUTOMATEDVOICE;
    }
    if classes.data() {
        modes |= MediaModes::DATAMODEM;
    }
    if classes.fax_class1() {
        modes |= MediaModes::G3FAX;
    }
    modes
}

/// The media modes it can detect (answer): data, G3 fax, and voice only with the voice class 8
/// (answering in class 0 would start a data carrier).
pub(crate) fn detectable(classes: &ServiceClasses) -> MediaModes {
    let mut modes = placeable(classes) & !MediaModes::INTERACTIVEVOICE;
    if classes.voice() {
        modes |= MediaModes::INTERACTIVEVOICE | MediaModes::AUTOMATEDVOICE;
    }
    modes
}

/// Ringing on the line.
#[derive(Debug, Default)]
struct Ringing {
    /// Rings so far in this ringing episode.
    count: u32,
    /// The last one.
    last: Option<Instant>,
    /// The episode belongs to a call nobody wanted, or one that was rejected: rings are reported
    /// as line events only.
    ignore: bool,
    /// Caller ID that came before the call was announced.
    caller_id: Option<crate::at::CallerId>,
}

/// Everything the task needs to start.
pub(crate) struct Setup {
    pub(crate) name: String,
    pub(crate) line: LineHandle,
    pub(crate) device: DeviceId,
    pub(crate) version: Version,
    pub(crate) sink: EventSink,
    pub(crate) location: Location,
    pub(crate) offer: LineOffer,
    pub(crate) calls: CallMap,
    pub(crate) rx: mpsc::UnboundedReceiver<Request>,
}

pub(crate) struct LineTask {
    name: String,
    port: String,
    line: LineHandle,
    device: DeviceId,
    version: Version,
    sink: EventSink,
    driver: Driver,
    /// The modem's clock (the port's): every time the task measures or waits for.
    clock: PortClock,
    identity: Identity,
    profile: Profile,
    classes: ServiceClasses,
    location: Location,
    /// What the line offers (caps, call features, the make_call and secure_call rules).
    offer: LineOffer,
    detect: MediaModes,
    call: Option<Call>,
    calls: CallMap,
    ringing: Ringing,
    hangup: Option<Hangup>,
    /// Resetting a modem that stopped answering (see [`health`]).
    recovery: Option<health::Recovery>,
    data: Option<DataPath>,
    /// A voice call's audio stream (`wave/out` or `wave/in`), its pipe in `data`.
    audio: Option<audio::Audio>,
    lost: bool,
    closing: Option<(Reply<()>, Instant)>,
    done: bool,
    rx: mpsc::UnboundedReceiver<Request>,
}

enum Woke {
    Driver(Result<(), DriverError>),
    Request(Option<Request>),
    ToApp(std::io::Result<()>),
    FromApp(std::io::Result<Option<bytes::Bytes>>),
    RingGap,
    CloseLimit,
    HangupDue,
    RecoveryDue,
}

async fn sleep_until(clock: PortClock, at: Option<Instant>) {
    match at {
        Some(at) => clock.sleep_until(at).await,
        None => std::future::pending().await,
    }
}

impl LineTask {
    pub(crate) fn new(setup: Setup, opened: Opened) -> Self {
        let Opened {
            driver,
            identity,
            profile,
        } = opened;
        let classes = identity.service_classes();
        LineTask {
            name: setup.name,
            port: driver.name().to_string(),
            line: setup.line,
            device: setup.device,
            version: setup.version,
            sink: setup.sink,
            clock: driver.clock(),
            driver,
            identity,
            profile,
            classes,
            location: setup.location,
            offer: setup.offer,
            detect: MediaModes::empty(),
            call: None,
            calls: setup.calls,
            ringing: Ringing::default(),
            hangup: None,
            recovery: None,
            data: None,
            audio: None,
            lost: false,
            closing: None,
            done: false,
            rx: setup.rx,
        }
    }

    /// Runs until the line is closed (or the provider is dropped).
    pub(crate) async fn run(mut self) {
        tracing::debug!(port = %self.port, modem = %self.identity.summary(), "line task running");
        while !self.done {
            if !self.lost
                && let Err(e) = self.settle().await
            {
                self.device_lost(&e);
                continue;
            }
            if self.done {
                break;
            }
            let woke = self.next().await;
            match woke {
                Woke::Driver(Ok(())) => {}
                Woke::Driver(Err(e)) => self.device_lost(&e),
                Woke::Request(Some(request)) => self.on_request(request).await,
                Woke::Request(None) => {
                    tracing::debug!("the provider is gone; the line task ends");
                    break;
                }
                Woke::ToApp(Ok(())) => {}
                Woke::ToApp(Err(_)) | Woke::FromApp(Ok(None) | Err(_)) => {
                    if self.audio.is_some() {
                        self.end_audio();
                    } else if let Some(data) = self.data.as_mut() {
                        data.renew();
                    }
                }
                Woke::FromApp(Ok(Some(bytes))) if self.audio.is_some() => {
                    self.audio_from_app(&bytes)
                }
                Woke::FromApp(Ok(Some(bytes))) => {
                    if let Err(e) = self
                        .driver
                        .engine_mut()
                        .write_data(&bytes, self.clock.now())
                    {
                        tracing::warn!(error = %e, "data from the application dropped");
                    }
                }
                Woke::RingGap => self.ring_gap(),
                Woke::HangupDue | Woke::RecoveryDue => {} // settle() takes them further
                Woke::CloseLimit => {
                    tracing::warn!(port = %self.port, "the modem did not hang up in time; closing the port anyway");
                    self.finish_hangup(false);
                    self.done = true;
                }
            }
        }
        self.shut();
    }

    /// Writes output and handles events until nothing more happens without new input.
    async fn settle(&mut self) -> Result<(), DriverError> {
        loop {
            self.driver.flush().await?;
            let mut progressed = false;
            while let Some(event) = self.driver.poll_event() {
                progressed = true;
                self.on_event(event);
            }
            progressed |= self.check_written();
            progressed |= self.advance_hangup().await?;
            progressed |= self.advance_recovery().await?;
            if !progressed || self.done {
                self.driver.flush().await?;
                return Ok(());
            }
        }
    }

    async fn next(&mut self) -> Woke {
        let ring_gap = self
            .ringing
            .last
            .filter(|_| self.ringing_counts())
            .map(|t| t + RING_GAP);
        let close_limit = self.closing.as_ref().map(|(_, t)| *t + CLOSE_LIMIT);
        let hangup_due = self.hangup_due();
        let recovery_due = self.recovery_due();
        let clock = self.clock;
        let engine = self.driver.engine();
        let accepts_data = engine.mode() == crate::at::Mode::Data
            && engine.in_flight().is_none()
            && self.hangup.is_none();
        let lost = self.lost;
        // A closed audio stream is not read again while the modem finishes (task::audio).
        let ending = self.audio.as_ref().is_some_and(audio::Audio::ending);
        let (to_app, from_app) = match self.data.as_ref() {
            Some(_) if ending => (false, false),
            Some(d) => (d.has_output(), accepts_data),
            None => (false, false),
        };
        // Disjoint borrows: the driver, the request channel and the two halves of the data path.
        let (out, inc) = match self.data.as_mut() {
            Some(d) => (Some(&mut d.out), Some(&mut d.inc)),
            None => (None, None),
        };
        let write = async move {
            match out {
                Some(out) if to_app => out.write_some().await,
                _ => std::future::pending().await,
            }
        };
        let read = async move {
            match inc {
                Some(inc) if from_app => inc.read_some().await,
                _ => std::future::pending().await,
            }
        };
        tokio::select! {
            result = self.driver.wait(), if !lost => Woke::Driver(result),
            request = self.rx.recv() => Woke::Request(request),
            result = write => Woke::ToApp(result),
            result = read => Woke::FromApp(result),
            () = sleep_until(clock, ring_gap), if ring_gap.is_some() => Woke::RingGap,
            () = sleep_until(clock, close_limit), if close_limit.is_some() => Woke::CloseLimit,
            () = sleep_until(clock, hangup_due), if hangup_due.is_some() => Woke::HangupDue,
            () = sleep_until(clock, recovery_due), if recovery_due.is_some() => Woke::RecoveryDue,
        }
    }
}

// ---- Reporting --------------------------------------------------------------------------------

impl LineTask {
    fn complete(&self, request: RequestId, result: Result<(), Error>) {
        if let Err(violation) = self.sink.complete(request, result) {
            tracing::error!(%violation, %request, "completion refused by the sink");
        }
    }

    /// An error for a completion, naming this line's port.
    fn failed(&self, operation: &'static str, detail: impl Into<String>) -> Error {
        Error::new(LineErr::OperationFailed)
            .operation(operation)
            .device(self.port.clone())
            .detail(detail.into())
    }

    /// An error for a synchronous refusal, naming this line's port.
    fn refuse(&self, kind: LineErr, operation: &'static str, detail: impl Into<String>) -> Error {
        Error::new(kind)
            .operation(operation)
            .device(self.port.clone())
            .detail(detail.into())
    }

    /// Moves the call to `state` and reports it (nothing while its make_call is pending; nothing
    /// after IDLE).
    fn emit(&mut self, state: CallStateChange) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if !call.record_state(state) {
            return;
        }
        call.span.in_scope(|| tracing::info!(%state, "call state"));
        if call.creating.is_none()
            && let Err(violation) =
                self.sink
                    .call_state(self.line, call.handle, state, call.info.media_mode)
        {
            tracing::error!(%violation, "call state refused by the sink");
        }
        if matches!(
            state,
            CallStateChange::Idle | CallStateChange::Disconnected(_)
        ) {
            if state == CallStateChange::Idle {
                self.data = None;
                self.audio = None;
            } else {
                self.abandon_audio();
            }
            self.cancel_generation();
        }
    }

    fn info_changed(&self, changed: CallInfoStates) {
        let Some(call) = self.call.as_ref() else {
            return;
        };
        if call.creating.is_some() || call.is_idle() {
            return;
        }
        if let Err(violation) = self.sink.call_info(self.line, call.handle, changed) {
            tracing::error!(%violation, "call info refused by the sink");
        }
    }

    /// Forgets the call (after close_call, or a make_call that failed).
    fn forget_call(&mut self) {
        if let Some(call) = self.call.take() {
            self.calls
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&call.handle);
        }
        self.data = None;
        self.audio = None;
    }

    fn register_call(&self, handle: CallHandle) {
        self.calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(handle, self.device.0);
    }

    /// Completes every request still pending on the call with OPERATIONFAILED: a make_call that
    /// has not completed fails the call (it is forgotten).
    fn fail_pending(&mut self, why: &str) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let mut requests: Vec<(RequestId, &'static str)> = std::mem::take(&mut call.pending);
        let creating = call.creating.take();
        if let Some(req) = creating {
            requests.retain(|(r, _)| *r != req);
            requests.insert(0, (req, "make_call"));
        }
        if let Some(attempt) = call.attempt.as_mut() {
            attempt.request = None;
        }
        if let Some((_, _, request)) = call.next.as_mut() {
            *request = None;
        }
        for (request, operation) in requests {
            let error = self.failed(operation, why.to_owned());
            self.complete(request, Err(error));
        }
        if creating.is_some() {
            self.forget_call();
        }
    }

    /// The make_call of the call failed before it was placed: complete it and forget the call.
    fn fail_creation(&mut self, error: Error) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if let Some(req) = call.creating.take() {
            call.pending.retain(|(r, _)| *r != req);
            self.complete(req, Err(error));
            self.forget_call();
        }
    }

    /// Removes `request` from the call's pending list and completes it.
    fn finish_request(&mut self, request: RequestId, result: Result<(), Error>) {
        if let Some(call) = self.call.as_mut() {
            call.pending.retain(|(r, _)| *r != request);
            if call.creating == Some(request) {
                call.creating = None;
            }
        }
        self.complete(request, result);
    }

    /// The `+FCLASS` for a call of this media mode, if the modem knows `+FCLASS`.
    fn class_for(&self, media: MediaModes, answering: bool) -> Option<ServiceClass> {
        self.identity.classes.as_ref()?;
        if media.contains(MediaModes::G3FAX) {
            Some(if self.classes.has("1") {
                ServiceClass::Fax1
            } else {
                ServiceClass::Fax1_0
            })
        } else if media.intersects(MediaModes::INTERACTIVEVOICE | MediaModes::AUTOMATEDVOICE)
            && (answering || self.classes.voice())
        {
            Some(ServiceClass::Voice)
        } else {
            Some(ServiceClass::Data)
        }
    }
}
