//! [`Ctx`]: one case's world and the host side of the contract, with the checks behaviours use.

use std::sync::Arc;
use std::time::Duration;

use tsp_sdk::host::{ProviderSession, SessionConfig};
use tsp_sdk::sink::{Deliveries, Delivery, Violation};
use tsp_sdk::spi::*;
use tsp_sdk::{CallState, Error, LineErr, MediaModes, Version};
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::LineId;
use tsp_sim::sim::Sim;

use crate::failure::Failure;
use crate::fixture::{Clock, Fixture, LineSpec};

/// Something the provider reported, as the case saw it, with the virtual time it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    /// A completion: `Ok`, or the error's kind and message.
    Completed(RequestId, Result<(), (LineErr, String)>),
    /// A new call was announced.
    NewCall(CallHandle),
    /// An event.
    Event(LineEvent),
}

/// A request the provider accepted, and the call it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending {
    /// The request to wait for.
    pub request: RequestId,
    /// The call.
    pub call: CallHandle,
}

/// One case's world: the simulation, the provider under test, and the host's side of the sink.
pub struct Ctx {
    /// The running simulation (script far ends, inject faults, read the transcript).
    pub sim: Sim,
    /// The provider under test.
    pub provider: Arc<dyn ProviderDyn>,
    /// The provider's line on the exchange.
    pub spec: LineSpec,
    /// A far-end line the case may script (`5550101`).
    pub far: LineId,
    /// A third line, for a second caller (`5550102`).
    pub third: LineId,
    /// The open line, once [`Ctx::open`] ran.
    pub line: LineHandle,
    /// The negotiated version.
    pub version: Version,
    /// Whether SHOULD-level checks fail the case.
    pub strict: bool,
    /// The one-provider session (request ids, the sink's books), once [`Ctx::init`] ran.
    session: Option<ProviderSession>,
    deliveries: Option<Deliveries>,
    /// A host over the provider (host-level cases), stopped when the case ends.
    host: Option<tsp_sdk::host::Host>,
    noted: Vec<Violation>,
    fixture: Arc<dyn Fixture>,
    seen: Vec<(Duration, Seen)>,
    scale: f64,
}

/// What a world is made of, for [`Ctx::new`].
pub(crate) struct WorldParts {
    pub(crate) fixture: Arc<dyn Fixture>,
    pub(crate) sim: Sim,
    pub(crate) provider: Arc<dyn ProviderDyn>,
    pub(crate) spec: LineSpec,
    pub(crate) far: LineId,
    pub(crate) third: LineId,
    pub(crate) clock: Clock,
    pub(crate) strict: bool,
}

/// The far end's number.
pub const FAR_NUMBER: &str = "5550101";
/// The third line's number.
pub const THIRD_NUMBER: &str = "5550102";
/// How long a case waits for anything, in virtual time.
pub const PATIENCE: Duration = Duration::from_secs(180);

impl Ctx {
    pub(crate) fn new(world: WorldParts) -> Ctx {
        let scale = match world.clock {
            Clock::Paused => 1.0,
            Clock::Scaled(f) => f,
        };
        Ctx {
            sim: world.sim,
            provider: world.provider,
            spec: world.spec,
            far: world.far,
            third: world.third,
            line: LineHandle(1),
            version: Version::V2_2,
            strict: world.strict,
            session: None,
            deliveries: None,
            host: None,
            noted: Vec::new(),
            fixture: world.fixture,
            seen: Vec::new(),
            scale,
        }
    }

    /// A failure carrying the seed and the exchange's transcript.
    pub fn fail(&self, message: impl Into<String>) -> Failure {
        Failure::new(message, &self.sim, &self.seen)
    }

    /// Fails with `message` unless `ok`.
    pub fn check(&self, ok: bool, message: impl FnOnce() -> String) -> Result<(), Failure> {
        if ok {
            Ok(())
        } else {
            Err(self.fail(message()))
        }
    }

    /// A SHOULD-level check: fails only in strict mode, else logs a warning.
    pub fn should(&self, ok: bool, message: impl FnOnce() -> String) -> Result<(), Failure> {
        if ok {
            return Ok(());
        }
        let message = message();
        if self.strict {
            Err(self.fail(format!("(strict) {message}")))
        } else {
            tracing::warn!("SHOULD not met: {message}");
            Ok(())
        }
    }

    /// Turns a provider error into a failure naming the step.
    pub fn expect<T>(&self, step: &str, result: Result<T, Error>) -> Result<T, Failure> {
        result.map_err(|e| self.fail(format!("{step}: {e}")))
    }

    /// Fails unless `result` is an error of `kind`.
    pub fn expect_err<T>(
        &self,
        step: &str,
        result: Result<T, Error>,
        kind: LineErr,
    ) -> Result<Error, Failure> {
        match result {
            Err(e) if e.kind() == kind => Ok(e),
            Err(e) => Err(self.fail(format!("{step}: expected {}, got {e}", kind.name()))),
            Ok(_) => Err(self.fail(format!("{step}: expected {}, got success", kind.name()))),
        }
    }

    /// Real time for `virtual_time` of simulated time (the same on paused clocks).
    pub fn real(&self, virtual_time: Duration) -> Duration {
        Duration::from_secs_f64(virtual_time.as_secs_f64() * self.scale)
    }

    /// Negotiates, initialises and opens the provider's first line with DATAMODEM detection.
    pub async fn open(&mut self) -> Result<(), Failure> {
        self.open_detecting(MediaModes::DATAMODEM).await
    }

    /// Like [`Ctx::open`] with another default media detection set (may be empty).
    pub async fn open_detecting(&mut self, detect: MediaModes) -> Result<(), Failure> {
        self.init().await?;
        self.open_line(detect).await
    }

    /// Negotiates a version and initialises the provider with this case's sink (a
    /// [`ProviderSession`]).
    pub async fn init(&mut self) -> Result<(), Failure> {
        let config = SessionConfig {
            provider_id: 1,
            line_base: 0,
            low: Version::V1_4,
            high: Version::V3_1,
        };
        let started = ProviderSession::start(self.provider.clone(), config).await;
        let (session, deliveries) = self.expect("start (negotiate, enumerate, init)", started)?;
        self.version = session.version();
        let lines = session.devices();
        self.session = Some(session);
        self.deliveries = Some(deliveries);
        self.check(lines >= 1, || {
            "enumerate_devices: the provider has no line".into()
        })
    }

    /// The session, once [`Ctx::init`] ran.
    pub fn session(&self) -> Result<&ProviderSession, Failure> {
        self.session
            .as_ref()
            .ok_or_else(|| self.fail("the case used the provider before init"))
    }

    fn not_started() -> Error {
        Error::new(LineErr::Uninitialized).detail("the case used the provider before init")
    }

    /// Opens device 0 as the next line handle and sets its media detection.
    pub async fn open_line(&mut self, detect: MediaModes) -> Result<(), Failure> {
        let version = self.version;
        let opened = self.session()?.open(DeviceId(0), version).await;
        self.line = opened.map_err(|e| self.fail(format!("open: {e}")))?;
        let set = self
            .session()?
            .set_default_media_detection(self.line, detect)
            .await;
        self.expect("set_default_media_detection", set)?;
        Ok(())
    }

    /// `make_call`: `Ok(Pending)` if the provider accepted it (complete it with [`Ctx::completion`]).
    pub async fn make_call(
        &mut self,
        dest: Option<&str>,
        params: CallParams,
    ) -> Result<Pending, Error> {
        let call = self.host_call();
        self.make_call_as(call, dest, params).await
    }

    /// Names a new call on the open line (for [`Ctx::make_call_as`]).
    pub fn host_call(&mut self) -> CallHandle {
        match &self.session {
            Some(session) => session.allocate_call(self.line),
            None => CallHandle(0),
        }
    }

    /// `make_call` for a call already named with [`Ctx::host_call`].
    pub async fn make_call_as(
        &mut self,
        call: CallHandle,
        dest: Option<&str>,
        params: CallParams,
    ) -> Result<Pending, Error> {
        let session = self.session.as_ref().ok_or_else(Self::not_started)?;
        session
            .make_call_as(self.line, call, dest, 0, params)
            .await
            .map(|a| Pending {
                request: a.request,
                call: a.call,
            })
    }

    /// `make_call` that must be accepted and complete successfully.
    pub async fn place(
        &mut self,
        dest: Option<&str>,
        params: CallParams,
    ) -> Result<CallHandle, Failure> {
        let made = self.make_call(dest, params).await;
        let pending = self.expect("make_call", made)?;
        let done = self.completion(pending.request).await?;
        self.expect("make_call completion", done)?;
        Ok(pending.call)
    }

    /// `dial` on a call.
    pub async fn dial(&mut self, call: CallHandle, dest: &str) -> Result<RequestId, Error> {
        let session = self.session.as_ref().ok_or_else(Self::not_started)?;
        session.dial(call, dest, 0).await
    }

    /// `answer` on a call.
    pub async fn answer(&mut self, call: CallHandle) -> Result<RequestId, Error> {
        let session = self.session.as_ref().ok_or_else(Self::not_started)?;
        session.answer(call, Vec::new()).await
    }

    /// `drop_call` on a call.
    pub async fn drop_call(&mut self, call: CallHandle) -> Result<RequestId, Error> {
        let session = self.session.as_ref().ok_or_else(Self::not_started)?;
        session.drop_call(call, Vec::new()).await
    }

    /// Drops the call, checks the drop succeeded, and waits for IDLE.
    pub async fn hang_up(&mut self, call: CallHandle) -> Result<(), Failure> {
        let dropped = self.drop_call(call).await;
        let done = self.finish(dropped).await?;
        self.expect(&format!("drop_call({call})"), done)?;
        self.state(call, CallState::Idle).await.map(drop)
    }

    /// `secure_call` on a call.
    pub async fn secure(&mut self, call: CallHandle) -> Result<RequestId, Error> {
        let session = self.session.as_ref().ok_or_else(Self::not_started)?;
        session.secure_call(call).await
    }

    /// Runs an async request to its end: the synchronous error, or the completion's result.
    pub async fn finish(
        &mut self,
        accepted: Result<RequestId, Error>,
    ) -> Result<Result<(), Error>, Failure> {
        match accepted {
            Ok(request) => self.completion(request).await,
            Err(e) => Ok(Err(e)),
        }
    }

    /// Records everything the provider has delivered so far (call before looking at
    /// [`Ctx::seen`] when nothing was waited for since the last action).
    pub fn drain(&mut self) {
        while let Some(delivery) = self.deliveries.as_mut().and_then(Deliveries::try_recv) {
            self.record(delivery);
        }
    }

    /// `close_call`, then tells the sink (later events for the call are violations).
    pub async fn close_call(&mut self, call: CallHandle) -> Result<(), Failure> {
        self.drain();
        let closed = self.session()?.close_call(call).await;
        self.expect("close_call", closed)
    }

    /// `close_call` straight to the provider, even for a handle the session would refuse (one
    /// whose `make_call` failed synchronously: TAPI never closes those, but a provider must not
    /// mind), then tells the sink.
    pub async fn close_call_unchecked(&mut self, call: CallHandle) -> Result<(), Failure> {
        self.drain();
        let session = self.session()?;
        let closed = session.provider().close_call(call).await;
        session.sink().call_closed(call);
        self.expect("close_call", closed)
    }

    /// `close` of the open line, then tells the sink.
    pub async fn close(&mut self) -> Result<(), Failure> {
        self.drain();
        let line = self.line;
        let closed = self.session()?.close(line).await;
        self.expect("close", closed)
    }

    /// `shutdown`, then tells the sink.
    pub async fn shutdown(&mut self) -> Result<(), Failure> {
        self.drain();
        let done = self.session()?.shutdown().await;
        self.expect("shutdown", done)
    }

    fn record(&mut self, delivery: Delivery) {
        let at = self.sim.elapsed();
        let seen = match delivery {
            Delivery::Completed {
                request, result, ..
            } => Seen::Completed(request, result.map_err(|e| (e.kind(), e.to_string()))),
            Delivery::NewCall { call, .. } => Seen::NewCall(call),
            Delivery::Event { event, .. } => Seen::Event(event),
            Delivery::DeviceRemoved { device } => Seen::Event(LineEvent::Remove { device }),
            other => {
                tracing::debug!(?other, "a delivery this suite does not know");
                return;
            }
        };
        self.seen.push((at, seen));
    }

    /// Waits (virtual time) until `found` matches something seen, starting at index `from`.
    async fn wait_for<T>(
        &mut self,
        what: &str,
        patience: Duration,
        found: impl Fn(&Seen) -> Option<T>,
    ) -> Result<T, Failure> {
        let mut checked = 0;
        let deadline = tokio::time::Instant::now() + self.real(patience);
        loop {
            if let Some(hit) = self.seen[checked..].iter().find_map(|(_, s)| found(s)) {
                return Ok(hit);
            }
            checked = self.seen.len();
            let Some(deliveries) = self.deliveries.as_mut() else {
                return Err(self.fail(format!(
                    "waiting for {what}: the case never initialised the provider"
                )));
            };
            match tokio::time::timeout_at(deadline, deliveries.recv()).await {
                Ok(Some(delivery)) => self.record(delivery),
                Ok(None) => {
                    return Err(
                        self.fail(format!("waiting for {what}: the provider's sink is gone"))
                    );
                }
                Err(_) => {
                    return Err(self.fail(format!(
                        "waiting for {what}: nothing after {patience:?} of virtual time"
                    )));
                }
            }
        }
    }

    /// Lets `time` of virtual time pass, recording everything the provider reports.
    pub async fn pass(&mut self, time: Duration) {
        let deadline = tokio::time::Instant::now() + self.real(time);
        let Some(mut deliveries) = self.deliveries.take() else {
            tokio::time::sleep_until(deadline).await;
            return;
        };
        while let Ok(Some(delivery)) = tokio::time::timeout_at(deadline, deliveries.recv()).await {
            self.record(delivery);
        }
        self.deliveries = Some(deliveries);
    }

    /// The result of a request's completion.
    pub async fn completion(&mut self, request: RequestId) -> Result<Result<(), Error>, Failure> {
        let result = self
            .wait_for(
                &format!("the completion of {request}"),
                PATIENCE,
                |s| match s {
                    Seen::Completed(r, result) if *r == request => Some(result.clone()),
                    _ => None,
                },
            )
            .await?;
        Ok(result.map_err(|(kind, message)| Error::new(kind).detail(message)))
    }

    /// Waits until `call` reports `state`; returns it with its mode.
    pub async fn state(
        &mut self,
        call: CallHandle,
        state: CallState,
    ) -> Result<CallStateChange, Failure> {
        self.state_within(call, state, PATIENCE).await
    }

    /// Like [`Ctx::state`] with another patience.
    pub async fn state_within(
        &mut self,
        call: CallHandle,
        state: CallState,
        patience: Duration,
    ) -> Result<CallStateChange, Failure> {
        self.wait_for(&format!("{call} to reach {state}"), patience, |s| match s {
            Seen::Event(LineEvent::CallState {
                call: c,
                state: change,
                ..
            }) if *c == call && change.state() == state => Some(*change),
            _ => None,
        })
        .await
    }

    /// Waits until `call` reports any of `states`; returns the first such one.
    pub async fn any_state(
        &mut self,
        call: CallHandle,
        states: &[CallState],
    ) -> Result<CallStateChange, Failure> {
        let names: Vec<String> = states.iter().map(ToString::to_string).collect();
        self.wait_for(
            &format!("{call} to reach one of {}", names.join(", ")),
            PATIENCE,
            |s| match s {
                Seen::Event(LineEvent::CallState {
                    call: c,
                    state: change,
                    ..
                }) if *c == call && states.contains(&change.state()) => Some(*change),
                _ => None,
            },
        )
        .await
    }

    /// Waits until the provider asks for the line to be closed (`LineEvent::Close`).
    pub async fn close_request(&mut self) -> Result<(), Failure> {
        self.wait_for("a close request (LINE_CLOSE)", PATIENCE, |s| {
            matches!(s, Seen::Event(LineEvent::Close)).then_some(())
        })
        .await
    }

    /// Fault: removes (`false`) or restores (`true`) the provider's device, through the fixture.
    /// What the provider wrote to its device so far, if the fixture records it
    /// ([`Fixture::device_output`]).
    pub fn device_output(&self) -> Option<Vec<u8>> {
        self.fixture.device_output(&self.sim)
    }

    /// Fault: the device disappears (`false`) or comes back (`true`).
    pub fn set_device_present(&self, present: bool) {
        self.fixture.set_device_present(&self.sim, present);
    }

    /// Waits for the next new call.
    pub async fn new_call(&mut self) -> Result<CallHandle, Failure> {
        self.wait_for("an incoming call (new_call)", PATIENCE, |s| match s {
            Seen::NewCall(call) => Some(*call),
            _ => None,
        })
        .await
    }

    /// Waits for the next new call, checks it is OFFERING with `media` among its media modes
    /// (`lineGetCallInfo`'s `dwMediaMode`), answers it (`lineAnswer`) and waits for CONNECTED.
    pub async fn answer_offered(&mut self, media: MediaModes) -> Result<CallHandle, Failure> {
        let call = self.new_call().await?;
        self.state(call, CallState::Offering).await?;
        let info = self.provider.call_info(call).await;
        let info = self.expect("call_info of the offered call", info)?;
        self.check(info.media_mode.contains(media), || {
            format!("a {media} call offered as {}", info.media_mode)
        })?;
        let answered = self.answer(call).await;
        let done = self.finish(answered).await?;
        self.expect("answer", done)?;
        self.state(call, CallState::Connected).await?;
        Ok(call)
    }

    /// Every state reported for `call`, in order.
    pub fn states(&self, call: CallHandle) -> Vec<CallStateChange> {
        self.seen
            .iter()
            .filter_map(|(_, s)| match s {
                Seen::Event(LineEvent::CallState { call: c, state, .. }) if *c == call => {
                    Some(*state)
                }
                _ => None,
            })
            .collect()
    }

    /// Everything seen so far, with virtual times.
    pub fn seen(&self) -> &[(Duration, Seen)] {
        &self.seen
    }

    /// Contract violations the sink caught so far.
    pub fn violations(&self) -> Vec<Violation> {
        let mut all = self.noted.clone();
        if let Some(session) = &self.session {
            all.extend(session.violations());
        }
        if let Some(session) = self.host.as_ref().and_then(|h| h.session(0)) {
            all.extend(session.violations());
        }
        all
    }

    /// A host-level case runs the provider under a [`Host`](tsp_sdk::host::Host): it is stopped
    /// (and its provider shut down) when the case ends.
    pub(crate) fn attach_host(&mut self, host: tsp_sdk::host::Host) {
        self.host = Some(host);
    }

    /// Violations seen by a host that is gone.
    pub(crate) fn note_violations(&mut self, violations: Vec<Violation>) {
        self.noted.extend(violations);
        self.noted.dedup();
    }

    /// Leaves nothing behind, whatever the case did: the host stopped, or the session (or the
    /// bare provider) shut down.
    /// Ends a case run by hand (a behaviour called from your own test): shuts the provider down,
    /// releases the fixture's world, and fails if the provider broke a rule of the contract the
    /// event sink caught on the way (the runner does this after every case).
    ///
    /// # Errors
    /// A [`Failure`] listing the contract violations, with the seed and transcripts.
    pub async fn end(mut self) -> Result<(), Failure> {
        self.wind_up().await;
        let violations = self.violations();
        self.fixture.detach(&self.sim);
        if violations.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
        Err(self.fail(format!(
            "the provider broke the contract:\n  {}",
            list.join("\n  ")
        )))
    }

    pub(crate) async fn wind_up(&mut self) {
        if let Some(host) = self.host.take() {
            if let Some(session) = host.session(0) {
                let seen = session.violations();
                self.note_violations(seen);
            }
            host.stop().await;
        } else if let Some(session) = &self.session {
            let _ = session.shutdown().await;
        } else {
            let _ = self.provider.shutdown().await;
        }
    }

    /// Plugs a scripted party into the far line (`5550101`); its timeline counts from now.
    pub fn far(
        &self,
        party: impl FnOnce(std::time::Instant) -> ScriptedParty,
    ) -> Result<(), Failure> {
        self.attach(self.far, party)
    }

    /// Plugs a scripted party into the third line (`5550102`); its timeline counts from now.
    pub fn third(
        &self,
        party: impl FnOnce(std::time::Instant) -> ScriptedParty,
    ) -> Result<(), Failure> {
        self.attach(self.third, party)
    }

    /// The CONNECTED `call`'s stream (`get_id("comm/datamodem")`), or a failure naming what
    /// came instead.
    pub async fn data_stream(&mut self, call: CallHandle) -> Result<Box<dyn ByteStream>, Failure> {
        let got = self
            .provider
            .get_id(GetId {
                select: Select::Call(call),
                class: DeviceClass::new(DeviceClass::COMM_DATAMODEM),
            })
            .await;
        match self.expect("get_id(comm/datamodem)", got)? {
            DeviceIdValue::DataStream { stream, .. } => Ok(stream),
            other => Err(self.fail(format!(
                "get_id(comm/datamodem) gave {other:?}, not a stream"
            ))),
        }
    }

    /// Plugs a simulated modem (the `v250` profile: data, Class 1 fax, V.253 voice) into the far
    /// line (`5550101`) and opens its port: the case is its DTE (a fax machine's T.30 with
    /// [`tsp_sim::t30::FaxTerminal`], an answering machine's voice commands).
    pub fn far_modem(&self) -> Result<tsp_sim::port::SimPort, Failure> {
        let device = self
            .sim
            .with(|net, _| {
                net.attach_device(
                    self.far,
                    tsp_sim::modem::SimModem::new(tsp_sim::modem::Profile::v250()),
                )
            })
            .map_err(|e| self.fail(format!("attach a modem to {}: {e}", self.far)))?;
        self.sim
            .open_port(device)
            .map_err(|e| self.fail(format!("open the far modem's port: {e}")))
    }

    /// The party's timeline counts from now; what it does at once (going off hook) is done before
    /// this returns.
    fn attach(
        &self,
        line: LineId,
        party: impl FnOnce(std::time::Instant) -> ScriptedParty,
    ) -> Result<(), Failure> {
        self.sim
            .with(|net, now| {
                net.attach_party(line, party(now))?;
                net.handle_timeout(now);
                Ok::<(), tsp_sim::network::NetworkError>(())
            })
            .map_err(|e| self.fail(format!("attach a far end to {line}: {e}")))
    }

    /// The digit strings our line sent to the exchange, call by call (`[["*70", "5550101"]]`).
    pub fn dialled(&self) -> Vec<Vec<String>> {
        let ours = self.spec.line;
        self.sim.with(|net, _| {
            net.exchange()
                .dialled()
                .iter()
                .filter(|d| d.line == ours)
                .map(|d| d.chunks.clone())
                .collect()
        })
    }
}
