//! A whole provider in one file: one in-memory line whose far end answers at once.
//!
//! Run it with `cargo run -p tsp-sdk --example in_memory_line`. The provider runs under the
//! [`Host`] (TAPI's server): an application places a call, drops it, is refused a secure call the
//! line cannot make, takes an incoming call, and shuts down, printing every event it receives.
//! Read it next to "For provider authors" in the crate docs: every rule the docs name is followed
//! here, and the comments say where.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tsp_sdk::host::{AppEvent, Events, Host, OpenOptions};
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::*;
use tsp_sdk::{
    CallFeatures, CallOrigin, CallParamFlags, CallPartyIdFlags, CallState, ConnectedMode,
    DialToneMode, DisconnectMode, Error, LineErr, MediaModes, OfferingMode, Result, Version,
};

struct Call {
    line: LineHandle,
    state: CallStateChange,
    info: CallInfo,
}

#[derive(Default)]
struct Inner {
    sink: Option<EventSink>,
    line: Option<LineHandle>,
    calls: HashMap<CallHandle, Call>,
}

/// The provider. Cheap to share: all state sits behind one lock.
#[derive(Clone, Default)]
struct InMemoryLine(Arc<Mutex<Inner>>);

impl InMemoryLine {
    fn inner(&self) -> Result<std::sync::MutexGuard<'_, Inner>> {
        self.0
            .lock()
            .map_err(|_| Error::new(LineErr::OperationFailed).detail("state lock poisoned"))
    }

    /// Moves a call to a new state and reports it. The sink refuses what TAPI forbids (such as
    /// leaving IDLE), so a mistake here shows up as a logged violation, never a broken host.
    fn set_state(inner: &mut Inner, call: CallHandle, state: CallStateChange) {
        let Some(c) = inner.calls.get_mut(&call) else {
            return;
        };
        c.state = state;
        c.info.call_states |= state.state().as_set();
        if let Some(sink) = &inner.sink {
            let _ = sink.call_state(c.line, call, state, c.info.media_mode);
        }
    }

    /// The far end calls us: announce the call first (`new_call`), then its first state.
    fn ring(&self) -> Result<CallHandle> {
        let mut inner = self.inner()?;
        let (Some(sink), Some(line)) = (inner.sink.clone(), inner.line) else {
            return Err(Error::new(LineErr::InvalLineState).detail("the line is not open"));
        };
        let call = sink
            .new_call(line)
            .map_err(|v| Error::new(LineErr::OperationFailed).detail(v.to_string()))?;
        let mut info = CallInfo::new(
            DeviceId(0),
            CallOrigin::EXTERNAL,
            MediaModes::INTERACTIVEVOICE,
        );
        info.caller_id = PartyId {
            flags: CallPartyIdFlags::ADDRESS,
            number: Some("5550123".into()),
            name: None,
        };
        inner.calls.insert(
            call,
            Call {
                line,
                state: CallStateChange::Unknown,
                info,
            },
        );
        Self::set_state(
            &mut inner,
            call,
            CallStateChange::Offering(OfferingMode::ACTIVE),
        );
        Ok(call)
    }
}

fn bad_call(call: CallHandle) -> Error {
    Error::new(LineErr::InvalCallHandle).detail(format!("{call} is not on this line"))
}

impl Provider for InMemoryLine {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "in-memory line".into(),
            min_version: Version::V2_0,
            max_version: Version::V2_2,
            capabilities: Capabilities {
                answer: true,
                ..Capabilities::default()
            },
        }
    }

    async fn enumerate_devices(&self) -> Result<u32> {
        Ok(1)
    }

    async fn init(&self, init: Init) -> Result<ProviderOptions> {
        self.inner()?.sink = Some(init.sink);
        Ok(ProviderOptions::default())
    }

    async fn shutdown(&self) -> Result<()> {
        *self.inner()? = Inner::default(); // nothing survives a session
        Ok(())
    }

    async fn line_caps(&self, device: DeviceId, _version: Version) -> Result<LineDevCaps> {
        if device != DeviceId(0) {
            return Err(Error::new(LineErr::BadDeviceId));
        }
        Ok(LineDevCaps {
            line_name: "in-memory line".into(),
            ..LineDevCaps::default()
        })
    }

    async fn address_caps(
        &self,
        _device: DeviceId,
        _address: AddressId,
        _version: Version,
    ) -> Result<AddressCaps> {
        Ok(AddressCaps::default())
    }

    async fn open(&self, open: OpenLine) -> Result<()> {
        let mut inner = self.inner()?;
        if inner.line.is_some() {
            return Err(Error::new(LineErr::Allocated).detail("the line is already open"));
        }
        inner.line = Some(open.line);
        Ok(())
    }

    async fn close(&self, line: LineHandle) -> Result<()> {
        let mut inner = self.inner()?;
        // Nothing is ever left pending here (every request completes at once), and the device has
        // CLOSEDROP: the calls simply go away with the line.
        inner.calls.retain(|_, c| c.line != line);
        inner.line = None;
        Ok(())
    }

    async fn line_status(&self, _line: LineHandle) -> Result<LineDevStatus> {
        let busy = !self.inner()?.calls.is_empty();
        let features = if busy {
            Default::default()
        } else {
            tsp_sdk::LineFeatures::MAKECALL
        };
        Ok(LineDevStatus::new(u32::from(busy), features, true, true))
    }

    async fn set_default_media_detection(
        &self,
        _line: LineHandle,
        modes: MediaModes,
    ) -> Result<()> {
        if !(MediaModes::INTERACTIVEVOICE).contains(modes) {
            return Err(Error::new(LineErr::InvalMediaMode));
        }
        Ok(())
    }

    async fn set_status_messages(
        &self,
        _line: LineHandle,
        _line_states: tsp_sdk::LineDevStates,
        _address_states: tsp_sdk::AddressStates,
    ) -> Result<()> {
        Ok(())
    }

    async fn make_call(&self, request: MakeCall) -> Result<()> {
        // Synchronous checks first: a failure here means the request never completes.
        if let Some(dest) = &request.dest {
            tsp_sdk::dial::DialString::parse(dest)?;
        }
        // This address does not advertise SECURE (see address_caps): honour the contract.
        if request.params.flags.contains(CallParamFlags::SECURE) {
            return Err(Error::new(LineErr::InvalCallParams)
                .detail("this line cannot secure calls (no AddrCapFlags::SECURE)"));
        }
        if request.params.media_mode != MediaModes::INTERACTIVEVOICE {
            return Err(Error::new(LineErr::InvalMediaMode).detail("this line carries voice only"));
        }
        let mut inner = self.inner()?;
        let sink = inner
            .sink
            .clone()
            .ok_or_else(|| Error::new(LineErr::Uninitialized))?;
        let mut info = CallInfo::new(DeviceId(0), CallOrigin::OUTBOUND, request.params.media_mode);
        info.dialed = request.dest.clone();
        inner.calls.insert(
            request.call,
            Call {
                line: request.line,
                state: CallStateChange::Unknown,
                info,
            },
        );
        // Complete BEFORE the first state event (T§1.2): the call is pending until then.
        let _ = sink.complete(request.request, Ok(()));
        Self::set_state(
            &mut inner,
            request.call,
            CallStateChange::DialTone(DialToneMode::NORMAL),
        );
        if request.dest.is_some() {
            Self::set_state(&mut inner, request.call, CallStateChange::Dialing);
            Self::set_state(&mut inner, request.call, CallStateChange::Ringback);
            Self::set_state(
                &mut inner,
                request.call,
                CallStateChange::Connected(ConnectedMode::ACTIVE),
            );
        }
        Ok(())
    }

    async fn answer(&self, request: CallRequest) -> Result<()> {
        let mut inner = self.inner()?;
        let call = inner
            .calls
            .get(&request.call)
            .ok_or_else(|| bad_call(request.call))?;
        if !matches!(call.state, CallStateChange::Offering(_)) {
            return Err(
                Error::new(LineErr::InvalCallState).detail(format!("the call is {}", call.state))
            );
        }
        if let Some(sink) = &inner.sink {
            let _ = sink.complete(request.request, Ok(()));
        }
        Self::set_state(
            &mut inner,
            request.call,
            CallStateChange::Connected(ConnectedMode::ACTIVE),
        );
        Ok(())
    }

    async fn drop_call(&self, request: CallRequest) -> Result<()> {
        let mut inner = self.inner()?;
        let call = inner
            .calls
            .get(&request.call)
            .ok_or_else(|| bad_call(request.call))?;
        if call.state == CallStateChange::Idle {
            return Err(Error::new(LineErr::InvalCallState).detail("the call is already IDLE"));
        }
        if let Some(sink) = &inner.sink {
            let _ = sink.complete(request.request, Ok(()));
        }
        // After a successful drop the call must reach IDLE (T§2.2).
        Self::set_state(
            &mut inner,
            request.call,
            CallStateChange::Disconnected(DisconnectMode::NORMAL),
        );
        Self::set_state(&mut inner, request.call, CallStateChange::Idle);
        Ok(())
    }

    async fn close_call(&self, call: CallHandle) -> Result<()> {
        self.inner()?.calls.remove(&call); // no request can be pending: all complete at once
        Ok(())
    }

    async fn call_info(&self, call: CallHandle) -> Result<CallInfo> {
        Ok(self
            .inner()?
            .calls
            .get(&call)
            .ok_or_else(|| bad_call(call))?
            .info
            .clone())
    }

    async fn call_status(&self, call: CallHandle) -> Result<CallStatus> {
        let state = self
            .inner()?
            .calls
            .get(&call)
            .ok_or_else(|| bad_call(call))?
            .state;
        let features = match state {
            CallStateChange::Idle => CallFeatures::empty(),
            CallStateChange::Offering(_) => CallFeatures::ANSWER | CallFeatures::DROP,
            _ => CallFeatures::DROP,
        };
        Ok(CallStatus { state, features })
    }
}

/// Waits for the next event `pick` accepts, printing every event on the way.
async fn until<T>(events: &mut Events, mut pick: impl FnMut(&AppEvent) -> Option<T>) -> Result<T> {
    while let Some(event) = events.next().await {
        println!("  event: {}", describe(&event));
        if let Some(hit) = pick(&event) {
            return Ok(hit);
        }
    }
    Err(Error::new(LineErr::OperationFailed).detail("the event stream ended"))
}

fn describe(event: &AppEvent) -> String {
    match event {
        AppEvent::Reply { request, result } => format!(
            "reply to {request}: {}",
            result
                .as_ref()
                .map_or_else(ToString::to_string, |()| "ok".into())
        ),
        AppEvent::NewCall {
            call, privilege, ..
        } => {
            let names: Vec<&str> = privilege.iter_names().map(|(n, _)| n).collect();
            format!("new {call} ({})", names.join("|"))
        }
        AppEvent::CallState { call, state, .. } => format!("{call} is {state}"),
        AppEvent::CallInfo { call, changed, .. } => format!("{call} info changed ({changed:?})"),
        other => format!("{other:?}"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    // The host does what TAPI's server does: starts the provider once, names lines, calls and
    // requests, routes every reply and event to the application it concerns.
    let example = InMemoryLine::default();
    let host = Host::builder()
        .provider(Arc::new(example.clone())) // clones share one state
        .start()
        .await?;
    let (app, mut events) = host.initialize("in-memory example").await?;
    let version = app
        .negotiate_api_version(0, Version::V1_3, Version::V3_1)
        .await?;
    println!("negotiated API {version}; {} line(s)", app.devices());
    let line = app
        .open_line(
            0,
            OpenOptions::owner(MediaModes::INTERACTIVEVOICE).version(version),
        )
        .await?;

    // An outgoing call: the reply first, then the states.
    let placed = app
        .make_call(line, Some("T5550100"), CallParams::default())
        .await?;
    println!("make_call accepted as {}", placed.request);
    until(&mut events, |e| {
        matches!(e, AppEvent::Reply { request, .. } if *request == placed.request).then_some(())
    })
    .await?;
    until(&mut events, |e| match e {
        AppEvent::CallState { call, state, .. }
            if *call == placed.call && state.state() == CallState::Connected =>
        {
            Some(())
        }
        _ => None,
    })
    .await?;
    let dropped = app.drop_call(placed.call).await?;
    until(&mut events, |e| {
        matches!(
            e,
            AppEvent::CallState {
                state: CallStateChange::Idle,
                ..
            }
        )
        .then_some(())
    })
    .await?;
    let _ = dropped;
    app.deallocate_call(placed.call).await?; // the last handle: the host closes the call

    // The provider's own rule: this address cannot secure calls, so SECURE is refused.
    let refused = app
        .make_call(line, Some("5550100"), CallParams::default().secure())
        .await;
    println!(
        "make_call with SECURE: {}",
        refused.err().map_or("accepted?!".into(), |e| e.to_string())
    );

    // An incoming call: the host offers it to us, the owner for voice.
    example.ring()?;
    let incoming = until(&mut events, |e| match e {
        AppEvent::NewCall { call, .. } => Some(*call),
        _ => None,
    })
    .await?;
    let answered = app.answer(incoming).await?;
    until(&mut events, |e| {
        matches!(e, AppEvent::Reply { request, .. } if *request == answered).then_some(())
    })
    .await?;
    let info = app.call_info(incoming).await?;
    println!(
        "incoming call from {}",
        info.info.caller_id.number.as_deref().unwrap_or("?")
    );

    // Shutdown leaves nothing behind: the call we solely owned is dropped, the line closed.
    app.shutdown().await?;
    let snapshot = host.snapshot();
    println!(
        "after shutdown: {} application(s), {} call(s), line open: {}",
        snapshot.apps.len(),
        snapshot.calls.len(),
        snapshot.lines[0].open
    );
    let violations = host.session(0).map(|s| s.violations()).unwrap_or_default();
    println!("contract violations: {}", violations.len());
    host.stop().await;
    if violations.is_empty() && snapshot.calls.is_empty() {
        Ok(())
    } else {
        Err(Error::new(LineErr::OperationFailed).detail("the provider broke the contract"))
    }
}
