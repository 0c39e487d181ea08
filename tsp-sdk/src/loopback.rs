//! [`Loopback`]: a provider whose lines call each other, in memory, at once — a null modem for
//! telephony. Use it to try the [`host`](crate::host) and test applications with no hardware and
//! no simulator: dial one line's number from another and it rings there; answer and both ends are
//! CONNECTED, with a `comm/datamodem` byte stream between them; hang up and the other end hears
//! DISCONNECTED.
//!
//! Every request completes before the method returns, so nothing is ever pending and no timer
//! runs. Lines are numbered `100`, `101`, … unless [`with_numbers`](Loopback::with_numbers) names
//! them.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> tsp_sdk::Result<()> {
//! use std::sync::Arc;
//! use tsp_sdk::host::{AppEvent, Host, OpenOptions};
//! use tsp_sdk::loopback::Loopback;
//! use tsp_sdk::{CallState, MediaModes};
//!
//! let host = Host::builder().provider(Arc::new(Loopback::new(2))).start().await?;
//! let (app, mut events) = host.initialize("example").await?;
//! let caller = app.open_line(0, OpenOptions::none()).await?;
//! app.open_line(1, OpenOptions::owner(MediaModes::INTERACTIVEVOICE)).await?;
//! app.make_call(caller, Some("101"), Default::default()).await?;
//! let offered = loop {
//!     match events.next().await {
//!         Some(AppEvent::CallState { call, state, .. }) if state.state() == CallState::Offering => break call,
//!         Some(_) => continue,
//!         None => unreachable!(),
//!     }
//! };
//! app.answer(offered).await?;
//! # app.shutdown().await?;
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::io::DuplexStream;

use crate::error::{Error, LineErr, Result};
use crate::sink::EventSink;
use crate::spi::*;
use crate::types::{
    AddrCapFlags, AddressStates, BusyMode, CallFeatures, CallInfoStates, CallOrigin,
    CallParamFlags, CallPartyIdFlags, ConnectedMode, DevCapFlags, DialToneMode, DigitModes,
    DisconnectMode, LineDevStates, LineFeatures, MediaModes, OfferingMode, Version,
};

/// The media modes a loopback line carries and detects.
const MEDIA: MediaModes = MediaModes::INTERACTIVEVOICE
    .union(MediaModes::DATAMODEM)
    .union(MediaModes::G3FAX);

/// The rate a connected loopback call reports, in bit/s.
pub const RATE: u32 = 64_000;

/// Bytes buffered in each direction of a connected call's stream.
const STREAM_BUFFER: usize = 64 * 1024;

struct LCall {
    device: u32,
    line: LineHandle,
    state: CallStateChange,
    info: CallInfo,
    peer: Option<CallHandle>,
    stream: Option<DuplexStream>,
    /// The task carrying bytes between the two ends; aborted when either end hangs up, so both
    /// applications' streams see the end of the call.
    link: Option<tokio::task::AbortHandle>,
    monitor: DigitModes,
}

impl LCall {
    /// The data path ends with the call.
    fn cut(&mut self) {
        self.stream = None;
        if let Some(link) = self.link.take() {
            link.abort();
        }
    }
}

/// An accepted async request, performed (and completed) now or, while requests are held, on
/// [`Loopback::release_requests`].
#[derive(Debug)]
enum Op {
    MakeCall(MakeCall),
    Dial(Dial),
    Answer(CallRequest),
    Accept(CallRequest),
    Drop(CallRequest),
    Secure(SecureCall),
}

impl Op {
    fn request(&self) -> RequestId {
        match self {
            Op::MakeCall(r) => r.request,
            Op::Dial(r) => r.request,
            Op::Answer(r) | Op::Accept(r) | Op::Drop(r) => r.request,
            Op::Secure(r) => r.request,
        }
    }

    fn call(&self) -> CallHandle {
        match self {
            Op::MakeCall(r) => r.call,
            Op::Dial(r) => r.call,
            Op::Answer(r) | Op::Accept(r) | Op::Drop(r) => r.call,
            Op::Secure(r) => r.call,
        }
    }

    fn line(&self) -> Option<LineHandle> {
        match self {
            Op::MakeCall(r) => Some(r.line),
            _ => None,
        }
    }
}

/// Completes the held requests that match with `OPERATIONFAILED` (close and close_call abort
/// pending work, T§4).
fn fail_held(st: &mut State, which: impl Fn(&Op) -> bool, during: &str) {
    let (failed, kept): (Vec<Op>, Vec<Op>) = std::mem::take(&mut st.held)
        .into_iter()
        .partition(|op| which(op));
    st.held = kept;
    if let Some(sink) = &st.sink {
        for op in failed {
            let _ = sink.complete(
                op.request(),
                Err(err(
                    LineErr::OperationFailed,
                    format!("aborted by {during}"),
                )),
            );
        }
    }
}

#[derive(Default)]
struct State {
    hold: bool,
    held: Vec<Op>,
    sink: Option<EventSink>,
    lines: Vec<Option<LineHandle>>,
    detect: Vec<MediaModes>,
    removed: Vec<bool>,
    calls: HashMap<CallHandle, LCall>,
}

/// The loopback provider (see the [module docs](self)). Cheap to clone: clones share the lines.
#[derive(Clone)]
pub struct Loopback {
    numbers: Arc<Vec<String>>,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for Loopback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loopback")
            .field("numbers", &self.numbers)
            .finish_non_exhaustive()
    }
}

fn err(kind: LineErr, detail: impl Into<String>) -> Error {
    Error::new(kind).detail(detail.into())
}

fn digits_of(dest: &str) -> String {
    dest.chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D'))
        .collect()
}

impl Loopback {
    /// `lines` lines, numbered `100`, `101`, ….
    pub fn new(lines: u32) -> Loopback {
        Loopback::with_numbers((0..lines).map(|i| (100 + i).to_string()))
    }

    /// Lines with these numbers, devices `0..n` in order.
    pub fn with_numbers(numbers: impl IntoIterator<Item = impl Into<String>>) -> Loopback {
        Loopback {
            numbers: Arc::new(numbers.into_iter().map(Into::into).collect()),
            state: Arc::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every mutation completes under the lock before any sink call can panic.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn check_device(&self, device: DeviceId) -> Result<usize> {
        let d = device.0 as usize;
        if d >= self.numbers.len() {
            return Err(err(
                LineErr::BadDeviceId,
                format!(
                    "{device} is not one of {} loopback lines",
                    self.numbers.len()
                ),
            ));
        }
        Ok(d)
    }

    /// While `hold` is on, asynchronous requests are accepted but neither performed nor completed
    /// until [`release_requests`](Self::release_requests): a slow network, for testing what
    /// applications and the host do with requests pending. Turning it off releases them.
    pub fn hold_requests(&self, hold: bool) {
        self.state().hold = hold;
        if !hold {
            self.release_requests();
        }
    }

    /// Performs and completes every held request, oldest first.
    pub fn release_requests(&self) {
        let mut st = self.state();
        let held = std::mem::take(&mut st.held);
        for op in held {
            self.perform(&mut st, op);
        }
    }

    /// How many requests are held.
    pub fn held_requests(&self) -> usize {
        self.state().held.len()
    }

    fn accepted(&self, st: &mut State, op: Op) {
        if st.hold {
            st.held.push(op);
        } else {
            self.perform(st, op);
        }
    }

    /// Completes an accepted request (before its call's first state, T§1.2) and does it.
    fn perform(&self, st: &mut State, op: Op) {
        let Some(sink) = st.sink.clone() else {
            return;
        };
        let request = op.request();
        let call = op.call();
        if !matches!(op, Op::MakeCall(_)) && !st.calls.contains_key(&call) {
            let _ = sink.complete(
                request,
                Err(err(LineErr::OperationFailed, format!("{call} is gone"))),
            );
            return;
        }
        match op {
            Op::MakeCall(request) => {
                let Some(d) = st.lines.iter().position(|l| *l == Some(request.line)) else {
                    let _ = sink.complete(
                        request.request,
                        Err(err(LineErr::OperationFailed, "the line closed")),
                    );
                    return;
                };
                let mut info = CallInfo::new(
                    DeviceId(d as u32),
                    CallOrigin::OUTBOUND,
                    request.params.media_mode,
                );
                info.call_param_flags = request.params.flags & CallParamFlags::SECURE;
                info.caller_id = PartyId {
                    flags: CallPartyIdFlags::ADDRESS,
                    number: Some(self.numbers[d].clone()),
                    name: None,
                };
                st.calls.insert(
                    request.call,
                    LCall {
                        device: d as u32,
                        line: request.line,
                        state: CallStateChange::Unknown,
                        info,
                        peer: None,
                        stream: None,
                        link: None,
                        monitor: DigitModes::empty(),
                    },
                );
                let _ = sink.complete(request.request, Ok(()));
                set_state(
                    st,
                    request.call,
                    CallStateChange::DialTone(DialToneMode::NORMAL),
                );
                if let Some(dest) = &request.dest {
                    route(st, &self.numbers, request.call, dest);
                }
            }
            Op::Dial(request) => {
                let _ = sink.complete(request.request, Ok(()));
                route(st, &self.numbers, request.call, &request.dest);
            }
            Op::Answer(request) => {
                let _ = sink.complete(request.request, Ok(()));
                let peer = st.calls.get(&request.call).and_then(|c| c.peer);
                let (ours, mut near) = tokio::io::duplex(STREAM_BUFFER);
                let (theirs, mut far) = tokio::io::duplex(STREAM_BUFFER);
                let link = tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut near, &mut far).await;
                })
                .abort_handle();
                for (call, end) in [(Some(request.call), ours), (peer, theirs)] {
                    let Some(call) = call else { continue };
                    if let Some(c) = st.calls.get_mut(&call) {
                        c.stream = Some(end);
                        c.link = Some(link.clone());
                        c.info.rate = RATE;
                    }
                    set_state(st, call, CallStateChange::Connected(ConnectedMode::ACTIVE));
                    info_changed(st, call, CallInfoStates::RATE);
                }
            }
            Op::Accept(request) => {
                let _ = sink.complete(request.request, Ok(()));
                set_state(st, request.call, CallStateChange::Accepted);
            }
            Op::Drop(request) => {
                let _ = sink.complete(request.request, Ok(()));
                let rejecting = st.calls.get(&request.call).is_some_and(|c| {
                    matches!(
                        c.state,
                        CallStateChange::Offering(_) | CallStateChange::Accepted
                    )
                });
                let mode = if rejecting {
                    DisconnectMode::REJECT
                } else {
                    DisconnectMode::NORMAL
                };
                hang_up(st, request.call, mode);
            }
            Op::Secure(request) => {
                let already = st
                    .calls
                    .get(&request.call)
                    .is_some_and(|c| c.info.call_param_flags.contains(CallParamFlags::SECURE));
                if let Some(c) = st.calls.get_mut(&request.call) {
                    c.info.call_param_flags |= CallParamFlags::SECURE;
                }
                let _ = sink.complete(request.request, Ok(()));
                if !already {
                    info_changed(st, request.call, CallInfoStates::OTHER);
                }
            }
        }
    }

    /// Fault: the device is gone for good (`LINE_REMOVE`). Its calls end first.
    pub fn remove_device(&self, device: u32) {
        let mut st = self.state();
        let Some(slot) = st.removed.get_mut(device as usize) else {
            return;
        };
        *slot = true;
        let calls: Vec<CallHandle> = st
            .calls
            .iter()
            .filter(|(_, c)| c.device == device)
            .map(|(h, _)| *h)
            .collect();
        let line = st.lines.get(device as usize).copied().flatten();
        fail_held(
            &mut st,
            |op| (line.is_some() && op.line() == line) || calls.contains(&op.call()),
            "the device's removal",
        );
        for call in calls {
            hang_up(&mut st, call, DisconnectMode::UNAVAIL);
        }
        if let Some(sink) = st.sink.clone() {
            let _ = sink.device_removed(DeviceId(device));
        }
    }

    /// Fault: the provider closes the line under its applications (`LINE_CLOSE`), as after losing
    /// a port. Its calls end first. The device can be opened again once the host closed it.
    pub fn force_close(&self, device: u32) {
        let mut st = self.state();
        let Some(Some(line)) = st.lines.get(device as usize).copied() else {
            return;
        };
        let calls: Vec<CallHandle> = st
            .calls
            .iter()
            .filter(|(_, c)| c.device == device)
            .map(|(h, _)| *h)
            .collect();
        fail_held(
            &mut st,
            |op| op.line() == Some(line) || calls.contains(&op.call()),
            "the line's loss",
        );
        for call in calls {
            hang_up(&mut st, call, DisconnectMode::UNAVAIL);
        }
        if let Some(sink) = st.sink.clone() {
            let _ = sink.request_close(line);
        }
    }

    /// Asks the host to reinitialise (`LINEDEVSTATE_REINIT` on the first open line).
    pub fn request_reinit(&self) {
        let st = self.state();
        let line = st.lines.iter().flatten().next().copied();
        if let (Some(sink), Some(line)) = (st.sink.clone(), line) {
            let _ = sink.event(
                line,
                LineEvent::LineDevState {
                    states: LineDevStates::REINIT,
                    p2: 0,
                    p3: 0,
                },
            );
        }
    }

    /// Someone outside (`from`) calls `device`: it rings if the line is open and detects `media`.
    /// Returns the provider's handle of the new call, if one was offered.
    pub fn ring(&self, device: u32, from: &str, media: MediaModes) -> Option<CallHandle> {
        let mut st = self.state();
        offer(&mut st, device, from, media, CallParamFlags::empty(), false)
    }

    /// Fault: like [`ring`](Self::ring) but announced even when the line does not detect `media`,
    /// as a careless provider does (the host drops such a call: nobody can own it).
    pub fn ring_ignoring_detection(
        &self,
        device: u32,
        from: &str,
        media: MediaModes,
    ) -> Option<CallHandle> {
        let mut st = self.state();
        offer(&mut st, device, from, media, CallParamFlags::empty(), true)
    }
}

fn set_state(st: &mut State, call: CallHandle, state: CallStateChange) {
    let Some(c) = st.calls.get_mut(&call) else {
        return;
    };
    c.state = state;
    c.info.call_states |= state.state().as_set();
    let (line, media) = (c.line, c.info.media_mode);
    if let Some(sink) = &st.sink {
        let _ = sink.call_state(line, call, state, media);
    }
    if state.state() == crate::CallState::Idle
        && let Some(c) = st.calls.get_mut(&call)
    {
        c.monitor = DigitModes::empty();
        c.cut();
    }
}

fn info_changed(st: &State, call: CallHandle, changed: CallInfoStates) {
    if let (Some(sink), Some(c)) = (&st.sink, st.calls.get(&call)) {
        let _ = sink.call_info(c.line, call, changed);
    }
}

/// A call arrives at `device` from `from`: announced and OFFERING if the line is open and detects
/// the media mode.
fn offer(
    st: &mut State,
    device: u32,
    from: &str,
    media: MediaModes,
    flags: CallParamFlags,
    ignore_detection: bool,
) -> Option<CallHandle> {
    let d = device as usize;
    let line = (*st.lines.get(d)?)?;
    let detected = ignore_detection || st.detect.get(d).is_some_and(|m| m.intersects(media));
    if !detected || st.removed[d] {
        return None;
    }
    let busy = st.calls.values().any(|c| c.device == device);
    if busy {
        return None;
    }
    let sink = st.sink.clone()?;
    let call = sink.new_call(line).ok()?;
    let mut info = CallInfo::new(DeviceId(device), CallOrigin::EXTERNAL, media);
    info.caller_id = PartyId {
        flags: CallPartyIdFlags::ADDRESS,
        number: Some(from.to_owned()),
        name: None,
    };
    info.call_param_flags = flags;
    st.calls.insert(
        call,
        LCall {
            device,
            line,
            state: CallStateChange::Unknown,
            info,
            peer: None,
            stream: None,
            link: None,
            monitor: DigitModes::empty(),
        },
    );
    set_state(st, call, CallStateChange::Offering(OfferingMode::ACTIVE));
    Some(call)
}

/// Sends the dialled digits of `call` through the loopback exchange.
fn route(st: &mut State, numbers: &[String], call: CallHandle, dest: &str) {
    let partial = dest.trim_end().ends_with(';');
    let Some(c) = st.calls.get_mut(&call) else {
        return;
    };
    c.info.dialed = Some(match &c.info.dialed {
        Some(before) => format!("{before}{dest}"),
        None => dest.to_owned(),
    });
    set_state(st, call, CallStateChange::Dialing);
    if partial {
        return;
    }
    let Some(c) = st.calls.get(&call) else {
        return;
    };
    let all = digits_of(c.info.dialed.as_deref().unwrap_or(""));
    let (from_device, media, flags) = (c.device, c.info.media_mode, c.info.call_param_flags);
    set_state(st, call, CallStateChange::Proceeding);
    let Some(target) = numbers.iter().position(|n| *n == all) else {
        set_state(
            st,
            call,
            CallStateChange::Disconnected(DisconnectMode::BADADDRESS),
        );
        return;
    };
    let target = target as u32;
    if target == from_device || st.calls.values().any(|c| c.device == target) {
        set_state(st, call, CallStateChange::Busy(BusyMode::STATION));
        set_state(
            st,
            call,
            CallStateChange::Disconnected(DisconnectMode::BUSY),
        );
        return;
    }
    let from = numbers
        .get(from_device as usize)
        .cloned()
        .unwrap_or_default();
    set_state(st, call, CallStateChange::Ringback);
    if let Some(other) = offer(st, target, &from, media, flags, false) {
        if let Some(c) = st.calls.get_mut(&other) {
            c.peer = Some(call);
            c.info.called_id = PartyId {
                flags: CallPartyIdFlags::ADDRESS,
                number: numbers.get(target as usize).cloned(),
                name: None,
            };
        }
        if let Some(c) = st.calls.get_mut(&call) {
            c.peer = Some(other);
        }
    }
}

/// Ends `call` from this side: its peer hears DISCONNECTED(`peer_mode`); this side goes
/// DISCONNECTED then IDLE.
fn hang_up(st: &mut State, call: CallHandle, peer_mode: DisconnectMode) {
    let peer = st.calls.get_mut(&call).and_then(|c| c.peer.take());
    if let Some(peer) = peer {
        if let Some(p) = st.calls.get_mut(&peer) {
            p.peer = None;
            p.cut();
        }
        let alive = st.calls.get(&peer).is_some_and(|p| {
            !matches!(
                p.state,
                CallStateChange::Idle | CallStateChange::Disconnected(_)
            )
        });
        if alive {
            set_state(st, peer, CallStateChange::Disconnected(peer_mode));
        }
    }
    let Some(c) = st.calls.get(&call) else {
        return;
    };
    if !matches!(
        c.state,
        CallStateChange::Disconnected(_) | CallStateChange::Idle
    ) {
        set_state(
            st,
            call,
            CallStateChange::Disconnected(DisconnectMode::NORMAL),
        );
    }
    if !matches!(
        st.calls.get(&call).map(|c| c.state),
        Some(CallStateChange::Idle)
    ) {
        set_state(st, call, CallStateChange::Idle);
    }
}

fn features(state: CallStateChange) -> CallFeatures {
    let always = CallFeatures::DROP | CallFeatures::MONITORDIGITS | CallFeatures::GENERATEDIGITS;
    match state {
        CallStateChange::Idle => CallFeatures::empty(),
        CallStateChange::Offering(_) => {
            always | CallFeatures::ANSWER | CallFeatures::ACCEPT | CallFeatures::SECURECALL
        }
        CallStateChange::Accepted => always | CallFeatures::ANSWER | CallFeatures::SECURECALL,
        CallStateChange::DialTone(_) | CallStateChange::Dialing => {
            always | CallFeatures::DIAL | CallFeatures::SECURECALL
        }
        _ => always | CallFeatures::SECURECALL,
    }
}

fn call_mut(st: &mut State, call: CallHandle) -> Result<&mut LCall> {
    st.calls.get_mut(&call).ok_or_else(|| {
        err(
            LineErr::InvalCallHandle,
            format!("{call} is not a loopback call"),
        )
    })
}

impl Provider for Loopback {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "loopback".into(),
            min_version: Version::V1_4,
            max_version: Version::V3_1,
            capabilities: Capabilities::ALL,
        }
    }

    async fn enumerate_devices(&self) -> Result<u32> {
        Ok(self.numbers.len() as u32)
    }

    async fn init(&self, init: Init) -> Result<ProviderOptions> {
        let mut st = self.state();
        if st.sink.is_some() {
            return Ok(ProviderOptions::default());
        }
        let n = self.numbers.len();
        *st = State {
            sink: Some(init.sink),
            lines: vec![None; n],
            detect: vec![MediaModes::empty(); n],
            removed: vec![false; n],
            calls: HashMap::new(),
            hold: false,
            held: Vec::new(),
        };
        Ok(ProviderOptions::default())
    }

    async fn shutdown(&self) -> Result<()> {
        let mut st = self.state();
        fail_held(&mut st, |_| true, "shutdown");
        *st = State::default();
        Ok(())
    }

    async fn line_caps(&self, device: DeviceId, _version: Version) -> Result<LineDevCaps> {
        let d = self.check_device(device)?;
        Ok(LineDevCaps {
            provider_info: "tsp-sdk loopback".into(),
            line_name: format!("loopback {}", self.numbers[d]),
            permanent_line_id: device.0,
            media_modes: MEDIA,
            max_rate: RATE,
            generate_digit_modes: DigitModes::DTMF,
            monitor_digit_modes: DigitModes::DTMF | DigitModes::DTMFEND,
            dev_cap_flags: DevCapFlags::CLOSEDROP,
            line_states: LineDevStates::RINGING
                | LineDevStates::REINIT
                | LineDevStates::OPEN
                | LineDevStates::CLOSE,
            device_classes: vec!["tapi/line".into(), "comm/datamodem".into()],
            ..LineDevCaps::default()
        })
    }

    async fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        _version: Version,
    ) -> Result<AddressCaps> {
        let d = self.check_device(device)?;
        if address.0 != 0 {
            return Err(err(
                LineErr::InvalAddressId,
                format!("{address}: a loopback line has address 0"),
            ));
        }
        Ok(AddressCaps {
            address: self.numbers[d].clone(),
            addr_cap_flags: AddrCapFlags::DIALED | AddrCapFlags::PARTIALDIAL | AddrCapFlags::SECURE,
            call_features: features(CallStateChange::Offering(OfferingMode::ACTIVE))
                | CallFeatures::DIAL,
            ..AddressCaps::default()
        })
    }

    async fn open(&self, open: OpenLine) -> Result<()> {
        let d = self.check_device(open.device)?;
        let mut st = self.state();
        if st.removed.get(d).copied().unwrap_or(true) {
            return Err(err(
                LineErr::NoDevice,
                format!("{} was removed", open.device),
            ));
        }
        if st.lines[d].is_some() {
            return Err(err(
                LineErr::Allocated,
                format!("{} is already open", open.device),
            ));
        }
        st.lines[d] = Some(open.line);
        Ok(())
    }

    async fn close(&self, line: LineHandle) -> Result<()> {
        let mut st = self.state();
        let on_line: Vec<CallHandle> = st
            .calls
            .iter()
            .filter(|(_, c)| c.line == line)
            .map(|(h, _)| *h)
            .collect();
        fail_held(
            &mut st,
            |op| op.line() == Some(line) || on_line.contains(&op.call()),
            "close",
        );
        let Some(d) = st.lines.iter().position(|l| *l == Some(line)) else {
            return Err(err(LineErr::InvalLineHandle, format!("{line} is not open")));
        };
        let calls: Vec<CallHandle> = st
            .calls
            .iter()
            .filter(|(_, c)| c.line == line)
            .map(|(h, _)| *h)
            .collect();
        for call in &calls {
            // CLOSEDROP: the far end hears the hang-up; this side goes quiet with the line.
            if let Some(peer) = st.calls.get_mut(call).and_then(|c| c.peer.take()) {
                if let Some(p) = st.calls.get_mut(&peer) {
                    p.peer = None;
                    p.cut();
                }
                if st.calls.get(&peer).is_some_and(|p| {
                    !matches!(
                        p.state,
                        CallStateChange::Idle | CallStateChange::Disconnected(_)
                    )
                }) {
                    set_state(
                        &mut st,
                        peer,
                        CallStateChange::Disconnected(DisconnectMode::NORMAL),
                    );
                }
            }
            if let Some(mut c) = st.calls.remove(call) {
                c.cut();
            }
        }
        st.lines[d] = None;
        st.detect[d] = MediaModes::empty();
        Ok(())
    }

    async fn line_status(&self, line: LineHandle) -> Result<LineDevStatus> {
        let st = self.state();
        let active = st
            .calls
            .values()
            .filter(|c| c.line == line && c.state != CallStateChange::Idle)
            .count() as u32;
        let features = if active == 0 {
            LineFeatures::MAKECALL
        } else {
            LineFeatures::empty()
        };
        Ok(LineDevStatus::new(active, features, true, true))
    }

    async fn set_default_media_detection(&self, line: LineHandle, modes: MediaModes) -> Result<()> {
        if !MEDIA.contains(modes) {
            return Err(err(
                LineErr::InvalMediaMode,
                format!(
                    "loopback lines detect {:#x}, not {:#x}",
                    MEDIA.bits(),
                    modes.bits()
                ),
            ));
        }
        let mut st = self.state();
        let Some(d) = st.lines.iter().position(|l| *l == Some(line)) else {
            return Err(err(LineErr::InvalLineHandle, format!("{line} is not open")));
        };
        st.detect[d] = modes;
        Ok(())
    }

    async fn set_status_messages(
        &self,
        _line: LineHandle,
        _line_states: LineDevStates,
        _address_states: AddressStates,
    ) -> Result<()> {
        Ok(())
    }

    async fn get_id(&self, request: GetId) -> Result<DeviceIdValue> {
        let mut st = self.state();
        match request.select {
            Select::Line(line) | Select::Address(line, _) => {
                let Some(d) = st.lines.iter().position(|l| *l == Some(line)) else {
                    return Err(err(LineErr::InvalLineHandle, format!("{line} is not open")));
                };
                if request.class.is(DeviceClass::TAPI_LINE) {
                    Ok(DeviceIdValue::Number(d as u32))
                } else {
                    Err(err(
                        LineErr::NoDevice,
                        format!("no {} for a loopback line", request.class),
                    ))
                }
            }
            Select::Call(call) => {
                let c = call_mut(&mut st, call)?;
                if request.class.is(DeviceClass::TAPI_LINE) {
                    return Ok(DeviceIdValue::Number(c.device));
                }
                if !request.class.is(DeviceClass::COMM_DATAMODEM) {
                    return Err(err(
                        LineErr::NoDevice,
                        format!("no {} for a loopback call", request.class),
                    ));
                }
                if !matches!(c.state, CallStateChange::Connected(_)) {
                    return Err(err(
                        LineErr::InvalCallState,
                        format!("{call} is {}, not CONNECTED", c.state),
                    ));
                }
                let stream = c.stream.take().ok_or_else(|| {
                    err(
                        LineErr::ResourceUnavail,
                        format!("{call}'s data stream was already taken"),
                    )
                })?;
                Ok(DeviceIdValue::DataStream {
                    stream: Box::new(stream),
                    port: format!("loopback:{}", self.numbers[c.device as usize]),
                })
            }
        }
    }

    async fn make_call(&self, request: MakeCall) -> Result<()> {
        if let Some(dest) = &request.dest {
            crate::dial::DialString::parse(dest)?;
        }
        if !MEDIA.contains(request.params.media_mode - MediaModes::UNKNOWN) {
            return Err(err(
                LineErr::InvalMediaMode,
                "loopback lines carry voice, data and fax",
            ));
        }
        let mut st = self.state();
        let Some(d) = st.lines.iter().position(|l| *l == Some(request.line)) else {
            return Err(err(
                LineErr::InvalLineHandle,
                format!("{} is not open", request.line),
            ));
        };
        if st.calls.values().any(|c| c.device == d as u32) {
            return Err(err(LineErr::CallUnavail, "the line already has a call"));
        }
        self.accepted(&mut st, Op::MakeCall(request));
        Ok(())
    }

    async fn dial(&self, request: Dial) -> Result<()> {
        crate::dial::DialString::parse(&request.dest)?;
        let mut st = self.state();
        let c = call_mut(&mut st, request.call)?;
        if !matches!(
            c.state,
            CallStateChange::DialTone(_) | CallStateChange::Dialing
        ) {
            return Err(err(
                LineErr::InvalCallState,
                format!("{} is {}: nothing to dial", request.call, c.state),
            ));
        }
        self.accepted(&mut st, Op::Dial(request));
        Ok(())
    }

    async fn answer(&self, request: CallRequest) -> Result<()> {
        let mut st = self.state();
        let c = call_mut(&mut st, request.call)?;
        if !matches!(
            c.state,
            CallStateChange::Offering(_) | CallStateChange::Accepted
        ) {
            return Err(err(
                LineErr::InvalCallState,
                format!("{} is {}, not OFFERING", request.call, c.state),
            ));
        }
        self.accepted(&mut st, Op::Answer(request));
        Ok(())
    }

    async fn accept(&self, request: CallRequest) -> Result<()> {
        let mut st = self.state();
        let c = call_mut(&mut st, request.call)?;
        if !matches!(c.state, CallStateChange::Offering(_)) {
            return Err(err(
                LineErr::InvalCallState,
                format!("{} is {}, not OFFERING", request.call, c.state),
            ));
        }
        self.accepted(&mut st, Op::Accept(request));
        Ok(())
    }

    async fn drop_call(&self, request: CallRequest) -> Result<()> {
        let mut st = self.state();
        let c = call_mut(&mut st, request.call)?;
        if c.state == CallStateChange::Idle {
            return Err(err(
                LineErr::InvalCallState,
                format!("{} is already IDLE", request.call),
            ));
        }
        self.accepted(&mut st, Op::Drop(request));
        Ok(())
    }

    async fn secure_call(&self, request: SecureCall) -> Result<()> {
        let mut st = self.state();
        let c = call_mut(&mut st, request.call)?;
        if c.state == CallStateChange::Idle {
            return Err(err(
                LineErr::InvalCallState,
                format!("{} is IDLE", request.call),
            ));
        }
        self.accepted(&mut st, Op::Secure(request));
        Ok(())
    }

    async fn close_call(&self, call: CallHandle) -> Result<()> {
        let mut st = self.state();
        fail_held(&mut st, |op| op.call() == call, "close_call");
        let active = st
            .calls
            .get(&call)
            .is_some_and(|c| c.state != CallStateChange::Idle);
        if active {
            // CLOSEDROP: the far end hears it; this side reports nothing more.
            if let Some(peer) = st.calls.get_mut(&call).and_then(|c| c.peer.take()) {
                if let Some(p) = st.calls.get_mut(&peer) {
                    p.peer = None;
                    p.cut();
                }
                if st.calls.get(&peer).is_some_and(|p| {
                    !matches!(
                        p.state,
                        CallStateChange::Idle | CallStateChange::Disconnected(_)
                    )
                }) {
                    set_state(
                        &mut st,
                        peer,
                        CallStateChange::Disconnected(DisconnectMode::NORMAL),
                    );
                }
            }
        }
        if let Some(mut c) = st.calls.remove(&call) {
            c.cut();
        }
        Ok(())
    }

    async fn call_info(&self, call: CallHandle) -> Result<CallInfo> {
        let mut st = self.state();
        let c = call_mut(&mut st, call)?;
        let mut info = c.info.clone();
        info.monitor_digit_modes = c.monitor;
        Ok(info)
    }

    async fn call_status(&self, call: CallHandle) -> Result<CallStatus> {
        let mut st = self.state();
        let c = call_mut(&mut st, call)?;
        Ok(CallStatus {
            state: c.state,
            features: features(c.state),
        })
    }

    async fn set_media_mode(&self, call: CallHandle, mode: MediaModes) -> Result<()> {
        let mut st = self.state();
        let c = call_mut(&mut st, call)?;
        if !MEDIA.contains(mode - MediaModes::UNKNOWN) {
            return Err(err(
                LineErr::InvalMediaMode,
                "loopback lines carry voice, data and fax",
            ));
        }
        c.info.media_mode = mode;
        info_changed(&st, call, CallInfoStates::MEDIAMODE);
        Ok(())
    }

    async fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> Result<()> {
        if !(DigitModes::DTMF | DigitModes::DTMFEND).contains(modes) {
            return Err(err(
                LineErr::InvalDigitMode,
                "loopback lines detect DTMF and DTMFEND",
            ));
        }
        let mut st = self.state();
        let c = call_mut(&mut st, call)?;
        if c.state == CallStateChange::Idle {
            return Err(err(LineErr::InvalCallState, format!("{call} is IDLE")));
        }
        c.monitor = modes;
        Ok(())
    }

    async fn generate_digits(&self, request: GenerateDigits) -> Result<()> {
        if request.mode != DigitModes::DTMF {
            return Err(err(LineErr::InvalDigitMode, "loopback lines generate DTMF"));
        }
        let mut st = self.state();
        let c = call_mut(&mut st, request.call)?;
        let (line, peer) = (c.line, c.peer);
        let Some(sink) = st.sink.clone() else {
            return Ok(());
        };
        let Some(digits) = request.digits else {
            return Ok(()); // nothing runs: every generation ends at once
        };
        if let Some(peer) = peer.and_then(|p| st.calls.get(&p).map(|c| (p, c.line, c.monitor))) {
            let (p, peer_line, monitor) = peer;
            for digit in digits
                .chars()
                .filter(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D'))
            {
                for mode in [DigitModes::DTMF, DigitModes::DTMFEND] {
                    if monitor.contains(mode) {
                        let _ = sink.event(
                            peer_line,
                            LineEvent::MonitorDigits {
                                call: p,
                                digit,
                                mode,
                            },
                        );
                    }
                }
            }
        }
        let _ = sink.event(
            line,
            LineEvent::Generate {
                call: request.call,
                term: GenerateTerm::Done,
                end_to_end_id: request.end_to_end_id,
            },
        );
        Ok(())
    }
}
