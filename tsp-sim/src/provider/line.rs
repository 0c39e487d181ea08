//! A provider line: the terminal the [`SimProvider`](super::SimProvider) plugs into an exchange line,
//! and the state it shares with the provider's operations.
//!
//! Lock order: the simulation's lock, then a line's lock. The network calls the terminal under its
//! own lock; the provider's operations take the line lock, release it, and only then ask the
//! simulation to settle.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tsp_sdk::kit::LineOffer;
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::{AddressCaps, CallHandle, CallStateChange, DeviceClass, LineHandle, PartyId};
use tsp_sdk::{
    BusyMode, CallInfoStates, CallPartyIdFlags, ConnectedMode, DialToneMode, DisconnectMode,
    MediaModes, OfferingMode,
};

use super::call::{Call, Dialing};
use crate::line::{
    CallerId, Carrier, CarrierKind, CarrierRole, LineAction, LineId, LineSignal, Presentation,
    ReleaseCause, Terminal,
};

/// How long an outbound call waits for dial tone before it is NODIALTONE.
pub(crate) const DIAL_TONE_WAIT: Duration = Duration::from_secs(3);
/// How long an outbound call waits for an answer (a modem's S7).
pub(crate) const ANSWER_WAIT: Duration = Duration::from_secs(60);
/// The rate a simulated provider line offers.
pub(crate) const MAX_RATE: u32 = 33_600;
/// Media modes a simulated line can place and detect.
pub(crate) const MEDIA: MediaModes = MediaModes::DATAMODEM
    .union(MediaModes::G3FAX)
    .union(MediaModes::INTERACTIVEVOICE);

pub(crate) struct LineState {
    pub(crate) line: LineId,
    pub(crate) number: String,
    pub(crate) cancel_code: Option<String>,
    pub(crate) handle: Option<LineHandle>,
    pub(crate) sink: Option<EventSink>,
    pub(crate) detect: MediaModes,
    pub(crate) call: Option<Call>,
    pub(crate) rings: u32,
    /// Caller ID heard before the first ring (UK placement), for the call the ring will create.
    pending_caller_id: Option<CallerId>,
    pub(crate) outbox: VecDeque<LineAction>,
    pub(crate) deadline: Option<(Instant, Timer)>,
    /// The terminal is unplugged (a fault a test injects): `open` answers NODEVICE.
    pub(crate) absent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timer {
    DialTone,
    Answer,
}

/// The per-line state, shared by the provider and its terminal.
#[derive(Clone)]
pub(crate) struct SharedLine(Arc<Mutex<LineState>>);

impl SharedLine {
    pub(crate) fn new(line: LineId, number: String, cancel_code: Option<String>) -> Self {
        SharedLine(Arc::new(Mutex::new(LineState {
            line,
            number,
            cancel_code,
            handle: None,
            sink: None,
            detect: MediaModes::empty(),
            call: None,
            rings: 0,
            pending_caller_id: None,
            outbox: VecDeque::new(),
            deadline: None,
            absent: false,
        })))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, LineState> {
        // Mutations are single assignments; a poisoned lock still guards consistent state.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl LineState {
    /// What this line offers (the kit's single description: caps, features, checks).
    pub(crate) fn offer(&self) -> LineOffer {
        LineOffer {
            line_name: format!("sim line {}", self.number),
            provider_info: "tsp-sim: a line on the simulated exchange".into(),
            switch_info: "tsp-sim exchange".into(),
            address: self.number.clone(),
            placeable: MEDIA,
            detectable: MEDIA,
            max_rate: MAX_RATE,
            secure: self.cancel_code.is_some(),
            device_classes: vec![
                DeviceClass::TAPI_LINE.into(),
                DeviceClass::COMM_DATAMODEM.into(),
            ],
            disconnect_modes: AddressCaps::default().disconnect_modes
                | DisconnectMode::BADADDRESS
                | DisconnectMode::REJECT,
            ..LineOffer::default()
        }
    }

    /// Moves the call to `state` and reports it (the sink refuses what TAPI forbids).
    pub(crate) fn set_state(&mut self, state: CallStateChange) {
        let (Some(call), Some(line)) = (self.call.as_mut(), self.handle) else {
            return;
        };
        if !call.record_state(state) {
            return;
        }
        if let Some(sink) = &self.sink
            && let Err(v) = sink.call_state(line, call.handle, state, call.info.media_mode)
        {
            tracing::error!(%v, "sim provider: event refused");
        }
        if matches!(
            state,
            CallStateChange::Idle | CallStateChange::Disconnected(_)
        ) {
            call.data_tx = None; // ends the data-stream task
            call.data_rx = None;
            self.deadline = None;
        }
    }

    pub(crate) fn call_info_changed(&self, changed: CallInfoStates) {
        let (Some(call), Some(line), Some(sink)) = (&self.call, self.handle, &self.sink) else {
            return;
        };
        if let Err(v) = sink.call_info(line, call.handle, changed) {
            tracing::error!(%v, "sim provider: event refused");
        }
    }

    /// Hangs up whatever is on the line, locally.
    pub(crate) fn hang_up(&mut self) {
        if let Some(call) = self.call.as_mut() {
            if call.carrier {
                call.carrier = false;
                self.outbox.push_back(LineAction::StopCarrier);
            }
            self.outbox.push_back(LineAction::OnHook);
        }
        self.deadline = None;
    }

    /// The call ended from the far side or the network: DISCONNECTED with `mode`, on hook.
    fn disconnect(&mut self, mode: DisconnectMode) {
        self.hang_up();
        self.set_state(CallStateChange::Disconnected(mode));
    }

    fn start_carrier(&mut self, role: CarrierRole) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let kind = if call.info.media_mode.contains(MediaModes::G3FAX) {
            CarrierKind::Fax
        } else {
            CarrierKind::Data
        };
        call.carrier = true;
        self.outbox.push_back(LineAction::StartCarrier(Carrier {
            role,
            kind,
            max_rate: MAX_RATE,
        }));
    }

    /// The connection is up: CONNECTED, with the data stream ready for `get_id`.
    fn connected(&mut self, rate: u32) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        call.info.rate = rate;
        if call.wants_carrier() {
            // Bytes from the far end queue here until the application takes the stream.
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            call.data_tx = Some(tx);
            call.data_rx = Some(rx);
        }
        self.set_state(CallStateChange::Connected(ConnectedMode::ACTIVE));
        self.call_info_changed(CallInfoStates::RATE);
        self.deadline = None;
    }

    fn on_dial_tone(&mut self, now: Instant) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let waiting = std::mem::replace(&mut call.dialing, Dialing::Ready);
        self.set_state(CallStateChange::DialTone(DialToneMode::NORMAL));
        if let Dialing::AwaitingDialTone(steps) = waiting {
            if !steps.is_empty() {
                self.dial_now(steps, now);
            } else {
                self.deadline = None;
            }
        } else {
            self.deadline = None;
        }
    }

    /// Dials on a call that has dial tone: DIALING, then PROCEEDING unless the dial was partial.
    pub(crate) fn dial_now(&mut self, steps: Vec<LineAction>, now: Instant) {
        self.outbox.extend(steps);
        let Some(call) = self.call.as_mut() else {
            return;
        };
        call.dialing = Dialing::Sent;
        call.digits_sent = true;
        let partial = call.partial;
        self.set_state(CallStateChange::Dialing);
        if !partial {
            self.set_state(CallStateChange::Proceeding);
            self.deadline = Some((now + ANSWER_WAIT, Timer::Answer));
        }
    }

    fn on_ring(&mut self, now: Instant) {
        let _ = now;
        let count = self.rings;
        self.rings += 1;
        let Some(line) = self.handle else { return };
        let Some(sink) = self.sink.clone() else {
            return;
        };
        if self.call.is_none() {
            // Announce only calls someone asked for (T§2.7 unowned calls).
            let media = [
                MediaModes::DATAMODEM,
                MediaModes::G3FAX,
                MediaModes::INTERACTIVEVOICE,
            ]
            .into_iter()
            .find(|m| self.detect.contains(*m));
            let Some(media) = media else { return };
            let handle = match sink.new_call(line) {
                Ok(handle) => handle,
                Err(v) => {
                    tracing::error!(%v, "sim provider: new call refused");
                    return;
                }
            };
            let mut info = tsp_sdk::spi::CallInfo::new(
                tsp_sdk::spi::DeviceId(0),
                tsp_sdk::CallOrigin::EXTERNAL,
                media,
            );
            info.called_id = PartyId {
                flags: CallPartyIdFlags::ADDRESS,
                number: Some(self.number.clone()),
                name: None,
            };
            self.call = Some(Call::new(
                handle,
                tsp_sdk::kit::CallDirection::Inbound,
                info,
            ));
            self.set_state(CallStateChange::Offering(OfferingMode::ACTIVE));
            if let Some(cid) = self.pending_caller_id.take() {
                self.apply_caller_id(cid);
            }
        }
        if let Err(v) = sink.ringing(line, count) {
            tracing::error!(%v, "sim provider: ring refused");
        }
    }

    fn apply_caller_id(&mut self, cid: CallerId) {
        let Some(call) = self.call.as_mut() else {
            self.pending_caller_id = Some(cid);
            return;
        };
        if !matches!(call.state, CallStateChange::Offering(_)) {
            // A waiting caller's identity (call-waiting caller ID) is not this call's.
            tracing::debug!(number = ?cid.number, "caller ID of a waiting caller; ignored");
            return;
        }
        call.info.caller_id = party_from_caller_id(&cid);
        self.call_info_changed(CallInfoStates::CALLERID);
    }

    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        let state = self.call.as_ref().map(|c| c.state);
        match signal {
            LineSignal::DialTone => {
                if self
                    .call
                    .as_ref()
                    .is_some_and(|c| matches!(c.dialing, Dialing::AwaitingDialTone(_)))
                {
                    self.on_dial_tone(now);
                }
            }
            LineSignal::RingOn(_) => self.on_ring(now),
            LineSignal::RingOff => {}
            LineSignal::CallerId(cid) => self.apply_caller_id(cid),
            LineSignal::Ringback => {
                if state == Some(CallStateChange::Proceeding)
                    || state == Some(CallStateChange::Dialing)
                {
                    self.set_state(CallStateChange::Ringback);
                }
            }
            LineSignal::Busy => {
                if self.call.is_some() {
                    self.set_state(CallStateChange::Busy(BusyMode::STATION));
                    self.disconnect(DisconnectMode::BUSY);
                }
            }
            LineSignal::Reorder => {
                if self.call.is_some() {
                    self.disconnect(DisconnectMode::BADADDRESS);
                }
            }
            LineSignal::Answered => {
                let Some(call) = self.call.as_mut() else {
                    return;
                };
                call.answered = true;
                if call.wants_carrier() {
                    self.start_carrier(CarrierRole::Originate);
                    self.maybe_connect();
                } else {
                    self.connected(0);
                }
            }
            LineSignal::RemoteCarrier(carrier) => {
                let Some(call) = self.call.as_mut() else {
                    return;
                };
                call.remote_carrier = true;
                call.info.rate = carrier.max_rate.min(MAX_RATE);
                self.maybe_connect();
            }
            LineSignal::RemoteCarrierLost => {
                let connected = matches!(state, Some(CallStateChange::Connected(_)));
                if let Some(call) = self.call.as_mut() {
                    call.remote_carrier = false;
                }
                if connected && self.call.as_ref().is_some_and(|c| c.wants_carrier()) {
                    self.disconnect(DisconnectMode::NORMAL);
                }
            }
            LineSignal::Released(cause) => {
                if self.call.is_some()
                    && !matches!(
                        state,
                        Some(CallStateChange::Idle | CallStateChange::Disconnected(_))
                    )
                {
                    let mode = match (cause, state) {
                        (ReleaseCause::Rejected, _) => DisconnectMode::REJECT,
                        (_, Some(CallStateChange::Connected(_))) => DisconnectMode::NORMAL,
                        (_, Some(CallStateChange::Offering(_))) => DisconnectMode::NORMAL,
                        _ => DisconnectMode::UNAVAIL,
                    };
                    self.disconnect(mode);
                }
                self.rings = 0;
            }
            LineSignal::Data(bytes) => {
                if let Some(tx) = self.call.as_ref().and_then(|c| c.data_tx.as_ref()) {
                    let _ = tx.send(bytes);
                }
            }
            LineSignal::CallWaitingTone => {
                // The tone breaks a data or fax carrier: what securing a call prevents.
                let in_data = matches!(state, Some(CallStateChange::Connected(_)))
                    && self
                        .call
                        .as_ref()
                        .is_some_and(|c| c.wants_carrier() && !c.is_secure());
                if in_data {
                    tracing::info!(line = %self.line, "sim provider: call-waiting tone broke the carrier");
                    self.disconnect(DisconnectMode::NORMAL);
                }
            }
            LineSignal::Noise(_) | LineSignal::Fax(_) | LineSignal::Voice(_) => {}
        }
    }

    /// Connects once both carriers are up (after an answer, on either side).
    fn maybe_connect(&mut self) {
        let Some(call) = self.call.as_ref() else {
            return;
        };
        let up = call.carrier
            && call.remote_carrier
            && (call.answered || call.direction == tsp_sdk::kit::CallDirection::Inbound);
        if up && !matches!(call.state, CallStateChange::Connected(_)) {
            let rate = call.info.rate;
            self.connected(rate);
        }
    }

    /// Answers the offered call (voice at once; data and fax once the carriers meet).
    pub(crate) fn answer(&mut self) {
        self.rings = 0;
        self.outbox.push_back(LineAction::OffHook);
        let Some(call) = self.call.as_mut() else {
            return;
        };
        call.answered = true;
        if call.wants_carrier() {
            self.start_carrier(CarrierRole::Answer);
            self.maybe_connect();
        } else {
            self.connected(0);
        }
    }

    pub(crate) fn take_action(&mut self) -> Option<LineAction> {
        self.outbox.pop_front()
    }

    fn on_timeout(&mut self, now: Instant) {
        let Some((due, timer)) = self.deadline else {
            return;
        };
        if due > now {
            return;
        }
        self.deadline = None;
        match timer {
            Timer::DialTone => self.disconnect(DisconnectMode::NODIALTONE),
            Timer::Answer => self.disconnect(DisconnectMode::NOANSWER),
        }
    }

    pub(crate) fn queue_data(&mut self, bytes: Bytes) {
        self.outbox.push_back(LineAction::Data(bytes));
    }

    pub(crate) fn call_handle(&self) -> Option<CallHandle> {
        self.call.as_ref().map(|c| c.handle)
    }
}

fn party_from_caller_id(cid: &CallerId) -> PartyId {
    let mut party = PartyId::default();
    match cid.number_presentation {
        Presentation::Available => {
            party.number = cid.number.clone();
            if party.number.is_some() {
                party.flags |= CallPartyIdFlags::ADDRESS;
            }
        }
        Presentation::Private => party.flags |= CallPartyIdFlags::BLOCKED,
        Presentation::OutOfArea => party.flags |= CallPartyIdFlags::OUTOFAREA,
    }
    if cid.name_presentation == Presentation::Available
        && let Some(name) = &cid.name
    {
        party.name = Some(name.clone());
        party.flags |= CallPartyIdFlags::NAME;
    }
    if party.flags.is_empty() {
        party.flags = CallPartyIdFlags::UNAVAIL;
    }
    party
}

/// The terminal plugged into the exchange line.
pub(crate) struct ProviderTerminal(pub(crate) SharedLine);

impl Terminal for ProviderTerminal {
    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        self.0.lock().on_signal(signal, now);
    }

    fn poll_action(&mut self) -> Option<LineAction> {
        self.0.lock().take_action()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.0.lock().deadline.map(|(at, _)| at)
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.0.lock().on_timeout(now);
    }
}
