//! The example provider: one line on a SIP-like network, written the way a provider author
//! writes one, with the provider kit ([`tsp_sdk::kit`]) doing what every provider repeats.
//!
//! The network is whatever speaks [`SipMessage`] over two channels ([`Network`]): in the example
//! an in-memory far end (see `main.rs`), in its conformance test the simulated exchange behind an
//! adapter (`conformance/tests/fixtures/sip-like`). The provider never knows which.
//!
//! It offers voice and data calls (data as a byte stream, `comm/datamodem`), multi-stage
//! dialing, answering, and caller ID; it cannot secure calls (there is no call waiting to cancel
//! on this network), so it says so: its address has no SECURE, `make_call` with SECURE answers
//! `INVALCALLPARAMS` and `secure_call` `OPERATIONUNAVAIL` (the kit's rules).

use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tsp_sdk::dial::DialElement;
use tsp_sdk::kit::{
    CallDirection, CallRecord, LineOffer, Secure, check_make_call, check_status_messages,
    secure_decision,
};
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::*;
use tsp_sdk::{
    AddressStates, BusyMode, CallInfoStates, CallOrigin, CallPartyIdFlags, ConnectedMode,
    DialToneMode, DisconnectMode, Error, LineDevStates, LineErr, LineFeatures, MediaModes,
    OfferingMode, Result, Version,
};

/// What a call carries on this network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// A voice call.
    Voice,
    /// A clear-channel data call: bytes both ways once answered.
    Data,
}

/// Who is calling, as the network tells it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    /// The number, when presented.
    pub number: Option<String>,
    /// The name, when presented.
    pub name: Option<String>,
    /// The caller withheld the number.
    pub private: bool,
    /// The network does not know it.
    pub unavailable: bool,
}

/// The network's messages, both ways. `call` is the call's id on the network (the provider picks
/// it for calls it places; the network for calls it offers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SipMessage {
    /// Provider → network: place a call (`INVITE`); `to: None` asks for dial tone, digits follow
    /// in `Info`.
    Invite {
        call: u32,
        to: Option<String>,
        media: Media,
    },
    /// Provider → network: more digits of a call being dialed in stages (`INFO`).
    Info { call: u32, digits: String },
    /// Provider → network: answer an offered call (`200 OK`).
    Accept { call: u32, media: Media },
    /// Provider → network: refuse an offered call (`603 Decline`).
    Decline { call: u32 },
    /// Either way: hang up (`BYE`).
    Bye { call: u32 },
    /// Either way: payload of a connected data call.
    Data { call: u32, bytes: Bytes },
    /// Network → provider: ready for digits (dial tone).
    DialTone { call: u32 },
    /// Network → provider: the number is complete and being routed (`100 Trying`).
    Trying { call: u32 },
    /// Network → provider: the far end is alerted (`180 Ringing`).
    Ringing { call: u32 },
    /// Network → provider: the call is up (`200 OK`), at `rate` bit/s for data (0 for voice).
    Answered { call: u32, rate: u32 },
    /// Network → provider: the far end is busy (`486`).
    Busy { call: u32 },
    /// Network → provider: no such number (`404`).
    NotFound { call: u32 },
    /// Network → provider: no service (`503`: no dial tone).
    Unavailable { call: u32 },
    /// Network → provider: nobody answered (`408`).
    Timeout { call: u32 },
    /// Network → provider: an incoming call (`INVITE`).
    Incoming { call: u32, from: Party },
    /// Network → provider: the incoming call alerts again.
    Alert { call: u32 },
    /// Network → provider: who is calling, learned after the `Incoming` (`UPDATE`).
    CallerInfo { call: u32, from: Party },
}

/// The provider's end of its network: messages out, messages in.
pub struct Network {
    /// To the network.
    pub to_network: mpsc::UnboundedSender<SipMessage>,
    /// From the network.
    pub from_network: mpsc::UnboundedReceiver<SipMessage>,
}

/// The highest data rate the line offers, bit/s.
const MAX_RATE: u32 = 64_000;

struct Call {
    record: CallRecord,
    /// The call's id on the network.
    id: u32,
    /// Rings reported so far (incoming).
    rings: u32,
    /// The far end's bytes, to the stream's pump (data calls once connected).
    to_app: Option<mpsc::UnboundedSender<Bytes>>,
    /// The application's end of the stream, until `get_id` hands it out.
    stream: Option<tokio::io::DuplexStream>,
}

struct State {
    sink: Option<EventSink>,
    line: Option<LineHandle>,
    detect: MediaModes,
    call: Option<Call>,
    next_id: u32,
    receiver: Option<tokio::task::JoinHandle<()>>,
}

/// The provider: one line on the network it is given. Cheap to clone (all clones share it).
#[derive(Clone)]
pub struct SipLikeLine {
    number: String,
    to_network: mpsc::UnboundedSender<SipMessage>,
    from_network: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<SipMessage>>>,
    state: Arc<Mutex<State>>,
}

fn refuse(kind: LineErr, operation: &'static str, detail: impl Into<String>) -> Error {
    Error::new(kind).operation(operation).detail(detail.into())
}

impl SipLikeLine {
    /// A line with the number `number` on `network`.
    pub fn new(number: impl Into<String>, network: Network) -> SipLikeLine {
        SipLikeLine {
            number: number.into(),
            to_network: network.to_network,
            from_network: Arc::new(tokio::sync::Mutex::new(network.from_network)),
            state: Arc::new(Mutex::new(State {
                sink: None,
                line: None,
                detect: MediaModes::empty(),
                call: None,
                next_id: 0,
                receiver: None,
            })),
        }
    }

    /// What the line offers: the one description its caps and rules come from.
    fn offer(&self) -> LineOffer {
        LineOffer {
            line_name: format!("sip-like line {}", self.number),
            provider_info: "the tsp-sdk example provider".into(),
            address: self.number.clone(),
            placeable: MediaModes::INTERACTIVEVOICE | MediaModes::DATAMODEM,
            detectable: MediaModes::INTERACTIVEVOICE | MediaModes::DATAMODEM,
            max_rate: MAX_RATE,
            device_classes: vec![
                DeviceClass::TAPI_LINE.into(),
                DeviceClass::COMM_DATAMODEM.into(),
            ],
            ..LineOffer::default()
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section is a few assignments: a poisoned lock still holds good state.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send(&self, message: SipMessage) {
        if self.to_network.send(message).is_err() {
            tracing::warn!("the network is gone");
        }
    }

    /// The network's messages, one at a time, until shutdown stops this task.
    async fn receive(self) {
        let mut from_network = self.from_network.clone().lock_owned().await;
        while let Some(message) = from_network.recv().await {
            self.on_network(message);
        }
    }

    fn on_network(&self, message: SipMessage) {
        let mut st = self.state();
        if let SipMessage::Incoming { call, from } = message {
            return offer_incoming(&mut st, call, from);
        }
        let id = match &message {
            SipMessage::DialTone { call }
            | SipMessage::Trying { call }
            | SipMessage::Ringing { call }
            | SipMessage::Answered { call, .. }
            | SipMessage::Busy { call }
            | SipMessage::NotFound { call }
            | SipMessage::Unavailable { call }
            | SipMessage::Timeout { call }
            | SipMessage::Alert { call }
            | SipMessage::CallerInfo { call, .. }
            | SipMessage::Bye { call }
            | SipMessage::Data { call, .. } => *call,
            _ => return, // the provider's own kinds of message never come back
        };
        if st.call.as_ref().is_none_or(|c| c.id != id) {
            return; // a call we no longer have
        }
        let partial = st.call.as_ref().is_some_and(|c| c.record.partial);
        match message {
            SipMessage::DialTone { .. } => {
                let fresh = st.call.as_ref().is_some_and(|c| !c.record.digits_sent);
                if fresh {
                    set_state(&mut st, CallStateChange::DialTone(DialToneMode::NORMAL));
                }
            }
            SipMessage::Trying { .. } if !partial => {
                set_state(&mut st, CallStateChange::Proceeding)
            }
            SipMessage::Ringing { .. } => set_state(&mut st, CallStateChange::Ringback),
            SipMessage::Answered { rate, .. } => connected(&mut st, rate),
            SipMessage::Busy { .. } => {
                set_state(&mut st, CallStateChange::Busy(BusyMode::UNKNOWN));
                disconnected(&mut st, DisconnectMode::BUSY);
            }
            SipMessage::NotFound { .. } => disconnected(&mut st, DisconnectMode::BADADDRESS),
            SipMessage::Unavailable { .. } => disconnected(&mut st, DisconnectMode::NODIALTONE),
            SipMessage::Timeout { .. } => disconnected(&mut st, DisconnectMode::NOANSWER),
            SipMessage::Bye { .. } => disconnected(&mut st, DisconnectMode::NORMAL),
            SipMessage::Alert { .. } => ring(&mut st),
            SipMessage::CallerInfo { from, .. } => {
                if let Some(c) = st.call.as_mut() {
                    c.record.info.caller_id = party_id(&from);
                }
                call_info(&st, CallInfoStates::CALLERID);
            }
            SipMessage::Data { bytes, .. } => {
                if let Some(tx) = st.call.as_ref().and_then(|c| c.to_app.as_ref()) {
                    let _ = tx.send(bytes);
                }
            }
            _ => {}
        }
    }

    /// Ends the call on the network side (CLOSEDROP, shutdown): nothing more is reported.
    fn hang_up_quietly(&self, st: &mut State) {
        if let Some(call) = st.call.take()
            && !call.record.is_idle()
        {
            let message = if matches!(call.record.state, CallStateChange::Offering(_)) {
                SipMessage::Decline { call: call.id }
            } else {
                SipMessage::Bye { call: call.id }
            };
            self.send(message);
        }
    }

    fn our_call<'a>(
        st: &'a mut State,
        call: CallHandle,
        operation: &'static str,
    ) -> Result<&'a mut Call> {
        st.call
            .as_mut()
            .filter(|c| c.record.handle == call)
            .ok_or_else(|| {
                refuse(
                    LineErr::InvalCallHandle,
                    operation,
                    format!("{call} is not on this line"),
                )
            })
    }
}

/// Moves the call to `state` and reports it (the kit refuses to leave IDLE).
fn set_state(st: &mut State, state: CallStateChange) {
    let (Some(call), Some(line)) = (st.call.as_mut(), st.line) else {
        return;
    };
    if !call.record.record_state(state) {
        return;
    }
    if matches!(
        state,
        CallStateChange::Idle | CallStateChange::Disconnected(_)
    ) {
        call.to_app = None; // the data pump ends
    }
    if let Some(sink) = &st.sink
        && let Err(v) =
            sink.call_state(line, call.record.handle, state, call.record.info.media_mode)
    {
        tracing::error!(%v, "call state refused");
    }
}

fn disconnected(st: &mut State, mode: DisconnectMode) {
    set_state(st, CallStateChange::Disconnected(mode));
}

fn call_info(st: &State, changed: CallInfoStates) {
    if let (Some(call), Some(line), Some(sink)) = (&st.call, st.line, &st.sink)
        && let Err(v) = sink.call_info(line, call.record.handle, changed)
    {
        tracing::error!(%v, "call info refused");
    }
}

fn complete(st: &State, request: RequestId) {
    if let Some(sink) = &st.sink
        && let Err(v) = sink.complete(request, Ok(()))
    {
        tracing::error!(%v, "completion refused");
    }
}

fn ring(st: &mut State) {
    let (Some(call), Some(line), Some(sink)) = (st.call.as_mut(), st.line, &st.sink) else {
        return;
    };
    if let Err(v) = sink.ringing(line, call.rings) {
        tracing::error!(%v, "ring refused");
    }
    call.rings += 1;
}

fn party_id(from: &Party) -> PartyId {
    let mut party = PartyId::default();
    if from.private {
        party.flags |= CallPartyIdFlags::BLOCKED;
    } else if from.unavailable {
        party.flags |= CallPartyIdFlags::OUTOFAREA;
    } else if from.number.is_some() {
        party.flags |= CallPartyIdFlags::ADDRESS;
        party.number.clone_from(&from.number);
    }
    if let Some(name) = &from.name {
        party.flags |= CallPartyIdFlags::NAME;
        party.name = Some(name.clone());
    }
    if party.flags.is_empty() {
        party.flags = CallPartyIdFlags::UNKNOWN;
    }
    party
}

/// An incoming call: announced only when someone detects a media mode it can be (unowned calls
/// are not offered, T§2.7), then OFFERING and the first ring.
fn offer_incoming(st: &mut State, id: u32, from: Party) {
    let (Some(line), Some(sink)) = (st.line, st.sink.clone()) else {
        return;
    };
    let media = [MediaModes::DATAMODEM, MediaModes::INTERACTIVEVOICE]
        .into_iter()
        .find(|m| st.detect.contains(*m));
    let (Some(media), None) = (media, st.call.as_ref()) else {
        return; // nobody wants it, or the line is busy: the network keeps ringing
    };
    let handle = match sink.new_call(line) {
        Ok(handle) => handle,
        Err(v) => return tracing::error!(%v, "new call refused"),
    };
    let mut info = CallInfo::new(DeviceId(0), CallOrigin::EXTERNAL, media);
    info.caller_id = party_id(&from);
    st.call = Some(Call {
        record: CallRecord::new(handle, CallDirection::Inbound, info),
        id,
        rings: 0,
        to_app: None,
        stream: None,
    });
    set_state(st, CallStateChange::Offering(OfferingMode::ACTIVE));
    call_info(st, CallInfoStates::CALLERID);
    ring(st);
}

/// The call is up: CONNECTED, and for data the rate and the stream.
fn connected(st: &mut State, rate: u32) {
    let Some(call) = st.call.as_mut() else { return };
    let data = call.record.wants_carrier();
    if data {
        call.record.info.rate = rate;
    }
    set_state(st, CallStateChange::Connected(ConnectedMode::ACTIVE));
    if data {
        call_info(st, CallInfoStates::RATE);
    }
}

/// Pumps a connected data call's bytes between the application's stream and the network, until
/// either side ends.
async fn pump(
    mut ours: tokio::io::DuplexStream,
    mut from_network: mpsc::UnboundedReceiver<Bytes>,
    to_network: mpsc::UnboundedSender<SipMessage>,
    call: u32,
) {
    let mut buf = vec![0u8; 4096];
    loop {
        tokio::select! {
            read = ours.read(&mut buf) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let bytes = Bytes::copy_from_slice(&buf[..n]);
                    if to_network.send(SipMessage::Data { call, bytes }).is_err() {
                        break;
                    }
                }
            },
            bytes = from_network.recv() => match bytes {
                Some(bytes) => {
                    if ours.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
        }
    }
}

/// The digits of a dial string as the network takes them (`T`, `P`, pauses and the like are
/// for analog lines and are left out).
fn digits(dest: &tsp_sdk::dial::DialString) -> String {
    dest.first()
        .elements()
        .iter()
        .filter_map(|e| match e {
            DialElement::Digit(d) => Some(d.as_char()),
            _ => None,
        })
        .collect()
}

impl Provider for SipLikeLine {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "sip-like example".into(),
            min_version: Version::V2_0,
            max_version: Version::V3_1,
            capabilities: LineOffer::capabilities([&self.offer()]),
        }
    }

    async fn enumerate_devices(&self) -> Result<u32> {
        Ok(1)
    }

    async fn init(&self, init: Init) -> Result<ProviderOptions> {
        let mut st = self.state();
        if st.sink.is_none() {
            st.sink = Some(init.sink);
            st.receiver = Some(tokio::spawn(self.clone().receive()));
        }
        Ok(ProviderOptions::default())
    }

    async fn shutdown(&self) -> Result<()> {
        let mut st = self.state();
        self.hang_up_quietly(&mut st);
        if let Some(task) = st.receiver.take() {
            task.abort(); // nothing survives a session
        }
        st.sink = None;
        st.line = None;
        st.detect = MediaModes::empty();
        Ok(())
    }

    async fn line_caps(&self, device: DeviceId, _version: Version) -> Result<LineDevCaps> {
        if device != DeviceId(0) {
            return Err(refuse(
                LineErr::BadDeviceId,
                "line_caps",
                format!("{device}: one line only"),
            ));
        }
        Ok(self.offer().line_caps(device))
    }

    async fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        _version: Version,
    ) -> Result<AddressCaps> {
        if device != DeviceId(0) {
            return Err(refuse(
                LineErr::BadDeviceId,
                "address_caps",
                format!("{device}: one line only"),
            ));
        }
        if address != AddressId(0) {
            return Err(refuse(
                LineErr::InvalAddressId,
                "address_caps",
                format!("{address}: one address only"),
            ));
        }
        Ok(self.offer().address_caps())
    }

    async fn open(&self, open: OpenLine) -> Result<()> {
        if open.device != DeviceId(0) {
            return Err(refuse(
                LineErr::BadDeviceId,
                "open",
                format!("{}: one line only", open.device),
            ));
        }
        let mut st = self.state();
        if st.sink.is_none() {
            return Err(refuse(
                LineErr::Uninitialized,
                "open",
                "init was not called",
            ));
        }
        if st.line.is_some() {
            return Err(refuse(
                LineErr::Allocated,
                "open",
                "the line is already open",
            ));
        }
        st.line = Some(open.line);
        Ok(())
    }

    async fn close(&self, line: LineHandle) -> Result<()> {
        let mut st = self.state();
        if st.line != Some(line) {
            return Err(refuse(
                LineErr::InvalLineHandle,
                "close",
                format!("{line} is not open"),
            ));
        }
        // Every request completes before it returns, so nothing is pending; CLOSEDROP.
        self.hang_up_quietly(&mut st);
        st.line = None;
        st.detect = MediaModes::empty();
        Ok(())
    }

    async fn line_status(&self, _line: LineHandle) -> Result<LineDevStatus> {
        let st = self.state();
        let active = st.call.as_ref().is_some_and(|c| !c.record.is_idle());
        let features = if st.call.is_none() {
            LineFeatures::MAKECALL
        } else {
            LineFeatures::empty()
        };
        Ok(LineDevStatus::new(u32::from(active), features, true, true))
    }

    async fn set_default_media_detection(
        &self,
        _line: LineHandle,
        modes: MediaModes,
    ) -> Result<()> {
        self.offer().check_detection(modes)?;
        self.state().detect = modes;
        Ok(())
    }

    async fn set_status_messages(
        &self,
        _line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> Result<()> {
        check_status_messages(line_states, address_states)
    }

    async fn get_id(&self, request: GetId) -> Result<DeviceIdValue> {
        const OP: &str = "get_id";
        if request.class.is(DeviceClass::TAPI_LINE) {
            return Ok(DeviceIdValue::Number(0));
        }
        if !request.class.is(DeviceClass::COMM_DATAMODEM) {
            return Err(refuse(
                LineErr::NoDevice,
                OP,
                format!("no device of class {}", request.class),
            ));
        }
        let Select::Call(handle) = request.select else {
            return Err(refuse(
                LineErr::InvalCallSelect,
                OP,
                "comm/datamodem is a call's stream: select the call",
            ));
        };
        let mut st = self.state();
        let call = Self::our_call(&mut st, handle, OP)?;
        if !call.record.is_connected() || !call.record.wants_carrier() {
            return Err(refuse(
                LineErr::InvalCallState,
                OP,
                format!(
                    "the stream exists only while a data call is CONNECTED; the call is {}",
                    call.record.state
                ),
            ));
        }
        if call.to_app.is_none() && call.stream.is_none() {
            // The first ask: make the stream and its pump.
            let (ours, theirs) = tokio::io::duplex(64 * 1024);
            let (tx, rx) = mpsc::unbounded_channel();
            call.to_app = Some(tx);
            call.stream = Some(theirs);
            tokio::spawn(pump(ours, rx, self.to_network.clone(), call.id));
        }
        let stream = call.stream.take().ok_or_else(|| {
            refuse(
                LineErr::ResourceUnavail,
                OP,
                "the stream was handed out already",
            )
        })?;
        Ok(DeviceIdValue::DataStream {
            stream: Box::new(stream),
            port: format!("sip-like:{}", self.number),
        })
    }

    async fn make_call(&self, request: MakeCall) -> Result<()> {
        // Every argument checked before anything is done: a refusal has no side effect.
        let checked = check_make_call(&request, &self.offer())?;
        let mut st = self.state();
        if st.call.is_some() {
            return Err(refuse(
                LineErr::CallUnavail,
                "make_call",
                "one call at a time",
            ));
        }
        let media = if checked.media == MediaModes::DATAMODEM {
            Media::Data
        } else {
            Media::Voice
        };
        st.next_id = st.next_id.wrapping_add(1);
        let id = st.next_id;
        let mut info = CallInfo::new(DeviceId(0), CallOrigin::OUTBOUND, checked.media);
        info.bearer_mode = request.params.bearer_mode;
        info.dialed = request.dest.clone();
        let mut record = CallRecord::new(request.call, CallDirection::Outbound, info);
        let to = checked.dest.as_ref().map(digits);
        record.digits_sent = to.is_some();
        record.partial = checked.partial;
        st.call = Some(Call {
            record,
            id,
            rings: 0,
            to_app: None,
            stream: None,
        });
        // Complete BEFORE the first event for the call (T§1.2).
        complete(&st, request.request);
        if to.is_some() {
            set_state(&mut st, CallStateChange::Dialing);
        }
        drop(st);
        self.send(SipMessage::Invite {
            call: id,
            to,
            media,
        });
        Ok(())
    }

    async fn dial(&self, request: Dial) -> Result<()> {
        const OP: &str = "dial";
        let mut st = self.state();
        let call = Self::our_call(&mut st, request.call, OP)?;
        let dialable = matches!(call.record.state, CallStateChange::DialTone(_))
            || (call.record.state == CallStateChange::Dialing && call.record.partial);
        if !dialable {
            return Err(refuse(
                LineErr::InvalCallState,
                OP,
                format!("cannot dial on a call that is {}", call.record.state),
            ));
        }
        let dest = if request.dest.is_empty() {
            None
        } else {
            Some(tsp_sdk::dial::DialString::parse_checked(
                &request.dest,
                self.offer().dial_caps,
            )?)
        };
        let id = call.id;
        call.record.partial = dest.as_ref().is_some_and(|d| d.is_partial());
        let more = dest.as_ref().map(digits).unwrap_or_default();
        call.record.digits_sent |= !more.is_empty();
        let partial = call.record.partial;
        complete(&st, request.request);
        if !more.is_empty() {
            set_state(&mut st, CallStateChange::Dialing);
        }
        if !partial && more.is_empty() {
            set_state(&mut st, CallStateChange::Proceeding); // the end of a staged dial
        }
        drop(st);
        if !more.is_empty() {
            self.send(SipMessage::Info {
                call: id,
                digits: more,
            });
        }
        Ok(())
    }

    async fn answer(&self, request: CallRequest) -> Result<()> {
        const OP: &str = "answer";
        let mut st = self.state();
        let call = Self::our_call(&mut st, request.call, OP)?;
        if !matches!(
            call.record.state,
            CallStateChange::Offering(_) | CallStateChange::Accepted
        ) {
            return Err(refuse(
                LineErr::InvalCallState,
                OP,
                format!(
                    "only an OFFERING call can be answered; it is {}",
                    call.record.state
                ),
            ));
        }
        let id = call.id;
        let media = if call.record.wants_carrier() {
            Media::Data
        } else {
            Media::Voice
        };
        complete(&st, request.request);
        drop(st);
        self.send(SipMessage::Accept { call: id, media });
        Ok(())
    }

    async fn drop_call(&self, request: CallRequest) -> Result<()> {
        const OP: &str = "drop_call";
        let mut st = self.state();
        let call = Self::our_call(&mut st, request.call, OP)?;
        if call.record.is_idle() {
            return Err(refuse(
                LineErr::InvalCallState,
                OP,
                "the call is already IDLE",
            ));
        }
        let message = match call.record.state {
            // Dropping an offered call rejects it (T§1.5).
            CallStateChange::Offering(_) => Some(SipMessage::Decline { call: call.id }),
            // The far end already went: nothing to tell the network.
            CallStateChange::Disconnected(_) => None,
            _ => Some(SipMessage::Bye { call: call.id }),
        };
        complete(&st, request.request);
        // After a successful drop the call reaches IDLE (T§2.2).
        set_state(&mut st, CallStateChange::Idle);
        drop(st);
        if let Some(message) = message {
            self.send(message);
        }
        Ok(())
    }

    async fn secure_call(&self, request: SecureCall) -> Result<()> {
        let mut st = self.state();
        let offer = self.offer();
        let call = Self::our_call(&mut st, request.call, "secure_call")?;
        // The kit's rule: with no way to secure, OPERATIONUNAVAIL (INVALCALLSTATE when IDLE).
        if secure_decision(&call.record, &offer)? == Secure::Now {
            call.record.mark_secure();
        }
        complete(&st, request.request);
        Ok(())
    }

    async fn close_call(&self, call: CallHandle) -> Result<()> {
        let mut st = self.state();
        if st.call.as_ref().is_some_and(|c| c.record.handle == call) {
            self.hang_up_quietly(&mut st); // CLOSEDROP; no request is ever left pending here
        }
        Ok(())
    }

    async fn call_info(&self, call: CallHandle) -> Result<CallInfo> {
        let mut st = self.state();
        Ok(Self::our_call(&mut st, call, "call_info")?
            .record
            .info
            .clone())
    }

    async fn call_status(&self, call: CallHandle) -> Result<CallStatus> {
        let offer = self.offer();
        let mut st = self.state();
        let call = Self::our_call(&mut st, call, "call_status")?;
        Ok(CallStatus {
            state: call.record.state,
            features: call.record.features(&offer),
        })
    }
}
