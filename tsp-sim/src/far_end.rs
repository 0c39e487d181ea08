//! Scripted far ends: a [`ScriptedParty`] plugged into a line plays the other side of a call for a
//! test — it answers after N rings (as a voice line or as a data modem that starts a carrier and
//! echoes or sends bytes), stays busy, never answers, rejects, hangs up after a while, sends bytes
//! or dials a number at given times, and records everything it hears.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use tsp_sim::far_end::{ScriptedParty, Step};
//! use tsp_sim::line::{Carrier, CarrierKind, CarrierRole};
//!
//! let t0 = Instant::now();
//! // A data modem that answers on the second ring, echoes, and hangs up after a minute.
//! let answering = ScriptedParty::builder()
//!     .answer_after_rings(2)
//!     .carrier(Carrier { role: CarrierRole::Answer, kind: CarrierKind::Data, max_rate: 33_600 })
//!     .echo()
//!     .hang_up_after(Duration::from_secs(60))
//!     .build(t0);
//! // A second caller that rings 5550100 ten seconds in.
//! let intruder = ScriptedParty::builder()
//!     .call_at(Duration::from_secs(10), "5550100")
//!     .build(t0);
//! assert_eq!(answering.rings_heard(), 0);
//! assert!(!intruder.is_off_hook());
//! ```
//!
//! Modem-like defaults: after `Busy`, `Reorder` or `Released` the party hangs up; with its own
//! carrier up, it drops the carrier and hangs up when it hears the call-waiting tone or loses the
//! far end's carrier (a modem reporting `NO CARRIER`). Each can be turned off.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::line::{CallerId, Carrier, LineAction, LineSignal, Terminal, VoiceSignal};

/// Something a scripted party does at a scripted time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Go off-hook.
    OffHook,
    /// Hang up (stopping the carrier first if one is up).
    OnHook,
    /// Send these digits now.
    Dial(String),
    /// Go off-hook and dial this number when dial tone comes (nothing is dialled without it).
    Call(String),
    /// Send payload bytes.
    Send(Bytes),
    /// Start a carrier.
    StartCarrier(Carrier),
    /// Stop the carrier.
    StopCarrier,
    /// Flash the hook.
    Flash,
    /// Ask the network to reject the call ringing on this line ([`FarEndRequest::Reject`]).
    Reject,
    /// Put a voice-band signal on the line: a DTMF digit, a tone, audio (a telephone's keypad
    /// or voice; a voice modem reports what it hears).
    Voice(VoiceSignal),
}

/// What the party does when its line rings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RingResponse {
    /// Let it ring (no answer).
    #[default]
    Ignore,
    /// Go off-hook on this ring (1 = the first).
    Answer {
        /// The ring to answer on.
        after_rings: u32,
    },
    /// Reject the call on this ring.
    Reject {
        /// The ring to reject on.
        after_rings: u32,
    },
}

/// Something a party asks of the network rather than of its line (the line seam has no action for
/// it): [`crate::network::Network`] carries it out on the exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FarEndRequest {
    /// Reject the call ringing (or waiting) on this party's line ([`crate::exchange::Exchange::reject`]).
    Reject,
}

/// A party's behaviour, built with [`ScriptBuilder`].
#[derive(Debug, Clone)]
struct Script {
    on_ring: RingResponse,
    carrier: Option<Carrier>,
    echo: bool,
    send_when_connected: Vec<Bytes>,
    timeline: Vec<(Duration, Step)>,
    after_answer: Vec<(Duration, Step)>,
    hang_up_on_release: bool,
    drop_on_call_waiting: bool,
    hang_up_on_carrier_loss: bool,
    ring_reset_after: Duration,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            on_ring: RingResponse::Ignore,
            carrier: None,
            echo: false,
            send_when_connected: Vec::new(),
            timeline: Vec::new(),
            after_answer: Vec::new(),
            hang_up_on_release: true,
            drop_on_call_waiting: true,
            hang_up_on_carrier_loss: true,
            ring_reset_after: Duration::from_secs(8),
        }
    }
}

/// Builds a [`ScriptedParty`]; start with [`ScriptedParty::builder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ScriptBuilder {
    script: Script,
}

impl ScriptBuilder {
    /// Answer (go off-hook) on ring `n` (1 = the first ring).
    pub fn answer_after_rings(mut self, n: u32) -> Self {
        self.script.on_ring = RingResponse::Answer {
            after_rings: n.max(1),
        };
        self
    }

    /// Reject the call on ring `n` (see [`FarEndRequest::Reject`]).
    pub fn reject_after_rings(mut self, n: u32) -> Self {
        self.script.on_ring = RingResponse::Reject {
            after_rings: n.max(1),
        };
        self
    }

    /// Never answer (the default).
    pub fn never_answer(mut self) -> Self {
        self.script.on_ring = RingResponse::Ignore;
        self
    }

    /// Be busy: go off-hook at the start and stay there.
    pub fn busy(self) -> Self {
        self.at(Duration::ZERO, Step::OffHook)
    }

    /// Act as a data or fax modem: start this carrier as soon as a call connects (after answering,
    /// or when the called end answers).
    pub fn carrier(mut self, carrier: Carrier) -> Self {
        self.script.carrier = Some(carrier);
        self
    }

    /// Send every payload byte received straight back.
    pub fn echo(mut self) -> Self {
        self.script.echo = true;
        self
    }

    /// Send these bytes once the call is up: when both carriers are up for a party with a
    /// carrier, at the answer for one without.
    pub fn send_when_connected(mut self, bytes: impl Into<Bytes>) -> Self {
        self.script.send_when_connected.push(bytes.into());
        self
    }

    /// Hang up this long after the call is answered.
    pub fn hang_up_after(self, after: Duration) -> Self {
        self.after_answer(after, Step::OnHook)
    }

    /// Do `step` this long after the call is answered (each answered call).
    pub fn after_answer(mut self, after: Duration, step: Step) -> Self {
        self.script.after_answer.push((after, step));
        self
    }

    /// Do `step` at this offset from the party's start.
    pub fn at(mut self, at: Duration, step: Step) -> Self {
        self.script.timeline.push((at, step));
        self
    }

    /// Go off-hook at this offset and dial `number` on dial tone (to ring a line, or to be the
    /// second caller for call waiting).
    pub fn call_at(self, at: Duration, number: impl Into<String>) -> Self {
        self.at(at, Step::Call(number.into()))
    }

    /// Stay off-hook after busy, reorder or the far end's release (default: hang up).
    pub fn stay_off_hook_after_release(mut self) -> Self {
        self.script.hang_up_on_release = false;
        self
    }

    /// Keep the carrier up through the call-waiting tone and the loss of the far end's carrier (a
    /// voice caller, or a robust modem). Default: drop the carrier and hang up, as a data modem
    /// reporting `NO CARRIER` does.
    pub fn survive_line_disturbance(mut self) -> Self {
        self.script.drop_on_call_waiting = false;
        self.script.hang_up_on_carrier_loss = false;
        self
    }

    /// A ring more than this long after the previous one starts a new count (default 8 s, as a
    /// modem's ring counter S1 resets).
    pub fn ring_reset_after(mut self, after: Duration) -> Self {
        self.script.ring_reset_after = after;
        self
    }

    /// The party, with its timeline counted from `start`.
    pub fn build(self, start: Instant) -> ScriptedParty {
        let mut timeline: Vec<Pending> = self
            .script
            .timeline
            .iter()
            .map(|(at, step)| Pending {
                at: start + *at,
                step: step.clone(),
                per_call: false,
            })
            .collect();
        timeline.sort_by_key(|p| p.at);
        ScriptedParty {
            script: self.script,
            off_hook: false,
            rings: 0,
            rings_heard: 0,
            last_ring: None,
            connected: false,
            our_carrier: None,
            remote_carrier: None,
            sent_when_connected: false,
            pending: timeline,
            pending_dial: None,
            actions: VecDeque::new(),
            requests: VecDeque::new(),
            received: Vec::new(),
            data: Vec::new(),
            data_total: 0,
        }
    }
}

/// A step due at a time; `per_call` steps (scheduled from an answer) are dropped on hang-up.
#[derive(Debug, Clone)]
struct Pending {
    at: Instant,
    step: Step,
    per_call: bool,
}

/// How many payload bytes a [`ScriptedParty`] keeps of what it receives (1 MiB): enough for any
/// test to compare, bounded for an echo service that runs for days.
pub const DATA_KEPT: usize = 1 << 20;

/// A scripted far end plugged into a line (see the [module documentation](self)).
#[derive(Debug)]
pub struct ScriptedParty {
    script: Script,
    off_hook: bool,
    /// Rings of the current ringing spell.
    rings: u32,
    /// Rings heard in total.
    rings_heard: u32,
    last_ring: Option<Instant>,
    connected: bool,
    our_carrier: Option<Carrier>,
    remote_carrier: Option<Carrier>,
    sent_when_connected: bool,
    /// Scheduled steps, in time order.
    pending: Vec<Pending>,
    pending_dial: Option<String>,
    actions: VecDeque<LineAction>,
    requests: VecDeque<FarEndRequest>,
    received: Vec<(Instant, LineSignal)>,
    data: Vec<u8>,
    data_total: u64,
}

impl ScriptedParty {
    /// A script builder; the default party never answers and does nothing on its own.
    pub fn builder() -> ScriptBuilder {
        ScriptBuilder::default()
    }

    /// Everything the exchange signalled to this party, with times; `Data` signals only while
    /// the first [`DATA_KEPT`] bytes arrive (an echo service in a long-running simulator would
    /// otherwise keep every byte of every call).
    pub fn received(&self) -> &[(Instant, LineSignal)] {
        &self.received
    }

    /// The signals alone, in order.
    pub fn signals(&self) -> impl Iterator<Item = &LineSignal> {
        self.received.iter().map(|(_, s)| s)
    }

    /// Whether the party has heard exactly this signal.
    pub fn heard(&self, signal: &LineSignal) -> bool {
        self.signals().any(|s| s == signal)
    }

    /// How many times the party has heard signals matching `pred`.
    pub fn count(&self, pred: impl Fn(&LineSignal) -> bool) -> usize {
        self.signals().filter(|s| pred(s)).count()
    }

    /// When the party first heard a signal matching `pred`.
    pub fn first(&self, pred: impl Fn(&LineSignal) -> bool) -> Option<Instant> {
        self.received
            .iter()
            .find(|(_, s)| pred(s))
            .map(|(at, _)| *at)
    }

    /// The payload bytes received from the far end (noise not included), concatenated: the
    /// first [`DATA_KEPT`] bytes it received (see [`ScriptedParty::data_received_total`]).
    pub fn data_received(&self) -> &[u8] {
        &self.data
    }

    /// How many payload bytes the party received in all, kept or not.
    pub fn data_received_total(&self) -> u64 {
        self.data_total
    }

    /// The caller IDs the party received.
    pub fn caller_ids(&self) -> Vec<&CallerId> {
        self.signals()
            .filter_map(|s| match s {
                LineSignal::CallerId(id) => Some(id),
                _ => None,
            })
            .collect()
    }

    /// Ring bursts heard in total.
    pub fn rings_heard(&self) -> u32 {
        self.rings_heard
    }

    /// Whether the party is off-hook now.
    pub fn is_off_hook(&self) -> bool {
        self.off_hook
    }

    /// Whether a call is up (answered and not yet released).
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The carrier the party is sending now.
    pub fn carrier(&self) -> Option<Carrier> {
        self.our_carrier
    }

    /// The far end's carrier as last signalled.
    pub fn remote_carrier(&self) -> Option<Carrier> {
        self.remote_carrier
    }

    /// The next request for the network ([`FarEndRequest`]); drain it after every call into the
    /// party, as with [`Terminal::poll_action`].
    pub fn poll_request(&mut self) -> Option<FarEndRequest> {
        self.requests.pop_front()
    }

    fn push(&mut self, action: LineAction) {
        self.actions.push_back(action);
    }

    fn go_off_hook(&mut self) {
        if !self.off_hook {
            self.off_hook = true;
            self.rings = 0;
            self.push(LineAction::OffHook);
        }
    }

    fn go_on_hook(&mut self) {
        if self.our_carrier.take().is_some() {
            self.push(LineAction::StopCarrier);
        }
        if self.off_hook {
            self.off_hook = false;
            self.push(LineAction::OnHook);
        }
        self.connected = false;
        self.remote_carrier = None;
        self.pending_dial = None;
        self.sent_when_connected = false;
        self.rings = 0;
        self.pending.retain(|p| !p.per_call);
    }

    fn start_carrier(&mut self, carrier: Carrier) {
        self.our_carrier = Some(carrier);
        self.push(LineAction::StartCarrier(carrier));
    }

    fn schedule(&mut self, at: Instant, step: Step, per_call: bool) {
        let index = self.pending.partition_point(|p| p.at <= at);
        self.pending.insert(index, Pending { at, step, per_call });
    }

    fn run(&mut self, step: Step) {
        match step {
            Step::OffHook => self.go_off_hook(),
            Step::OnHook => self.go_on_hook(),
            Step::Dial(digits) => self.push(LineAction::Digits(digits)),
            Step::Call(number) => {
                if self.off_hook {
                    self.push(LineAction::Digits(number));
                } else {
                    self.pending_dial = Some(number);
                    self.go_off_hook();
                }
            }
            Step::Send(bytes) => self.push(LineAction::Data(bytes)),
            Step::StartCarrier(carrier) => self.start_carrier(carrier),
            Step::StopCarrier => {
                if self.our_carrier.take().is_some() {
                    self.push(LineAction::StopCarrier);
                }
            }
            Step::Flash => self.push(LineAction::Flash),
            Step::Reject => self.requests.push_back(FarEndRequest::Reject),
            Step::Voice(signal) => self.push(LineAction::Voice(signal)),
        }
    }

    /// Sends the scripted bytes once the call (and, for a modem, the data connection) is up.
    fn maybe_send_when_connected(&mut self) {
        let up = self.connected
            && (self.script.carrier.is_none()
                || (self.our_carrier.is_some() && self.remote_carrier.is_some()));
        if up && !self.sent_when_connected {
            self.sent_when_connected = true;
            for bytes in self.script.send_when_connected.clone() {
                self.push(LineAction::Data(bytes));
            }
        }
    }

    fn on_ring(&mut self, now: Instant) {
        self.rings_heard += 1;
        if self
            .last_ring
            .is_some_and(|last| now.saturating_duration_since(last) > self.script.ring_reset_after)
        {
            self.rings = 0;
        }
        self.last_ring = Some(now);
        self.rings += 1;
        if self.off_hook {
            return;
        }
        match self.script.on_ring {
            RingResponse::Answer { after_rings } if self.rings >= after_rings => {
                self.go_off_hook();
            }
            RingResponse::Reject { after_rings } if self.rings >= after_rings => {
                self.rings = 0;
                self.requests.push_back(FarEndRequest::Reject);
            }
            _ => {}
        }
    }

    fn on_answered(&mut self, now: Instant) {
        self.connected = true;
        self.sent_when_connected = false;
        for (after, step) in self.script.after_answer.clone() {
            self.schedule(now + after, step, true);
        }
        if let Some(carrier) = self.script.carrier
            && self.our_carrier.is_none()
        {
            self.start_carrier(carrier);
        }
        self.maybe_send_when_connected();
    }
}

impl Terminal for ScriptedParty {
    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        let kept = match &signal {
            LineSignal::Data(bytes) => {
                let room = DATA_KEPT.saturating_sub(self.data.len());
                self.data.extend_from_slice(&bytes[..bytes.len().min(room)]);
                self.data_total += bytes.len() as u64;
                room > 0
            }
            _ => true,
        };
        if kept {
            self.received.push((now, signal.clone()));
        }
        match signal {
            LineSignal::DialTone => {
                if let Some(number) = self.pending_dial.take() {
                    self.push(LineAction::Digits(number));
                }
            }
            LineSignal::RingOn(_) => self.on_ring(now),
            LineSignal::Answered => self.on_answered(now),
            LineSignal::Busy | LineSignal::Reorder | LineSignal::Released(_) => {
                self.connected = false;
                if self.script.hang_up_on_release {
                    self.go_on_hook();
                }
            }
            LineSignal::RemoteCarrier(carrier) => {
                self.remote_carrier = Some(carrier);
                self.maybe_send_when_connected();
            }
            LineSignal::RemoteCarrierLost => {
                self.remote_carrier = None;
                if self.script.hang_up_on_carrier_loss && self.our_carrier.is_some() {
                    self.go_on_hook();
                }
            }
            LineSignal::Data(bytes) => {
                if self.script.echo && self.connected {
                    self.push(LineAction::Data(bytes));
                }
            }
            LineSignal::CallWaitingTone => {
                if self.script.drop_on_call_waiting && self.our_carrier.is_some() {
                    self.go_on_hook();
                }
            }
            LineSignal::RingOff
            | LineSignal::CallerId(_)
            | LineSignal::Ringback
            | LineSignal::Noise(_)
            | LineSignal::Fax(_)
            | LineSignal::Voice(_) => {}
        }
    }

    fn poll_action(&mut self) -> Option<LineAction> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.pending.first().map(|p| p.at)
    }

    fn handle_timeout(&mut self, now: Instant) {
        while self.pending.first().is_some_and(|p| p.at <= now) {
            let pending = self.pending.remove(0);
            self.run(pending.step);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::line::{CarrierKind, CarrierRole, RingPattern};

    fn drain(party: &mut ScriptedParty) -> Vec<LineAction> {
        std::iter::from_fn(|| party.poll_action()).collect()
    }

    const ANSWER: Carrier = Carrier {
        role: CarrierRole::Answer,
        kind: CarrierKind::Data,
        max_rate: 33_600,
    };

    #[test]
    fn a_party_keeps_the_first_mebibyte_it_receives_and_counts_the_rest() {
        let t0 = Instant::now();
        let mut party = ScriptedParty::builder().build(t0);
        let chunk = Bytes::from(vec![7u8; 64 * 1024]);
        for _ in 0..40 {
            party.on_signal(LineSignal::Data(chunk.clone()), t0);
        }
        party.on_signal(LineSignal::RemoteCarrierLost, t0);
        assert_eq!(party.data_received().len(), DATA_KEPT);
        assert_eq!(party.data_received_total(), 40 * 64 * 1024);
        let data_signals = party.count(|s| matches!(s, LineSignal::Data(_)));
        assert_eq!(
            data_signals,
            DATA_KEPT / (64 * 1024),
            "Data signals while bytes are kept"
        );
        assert!(
            party.heard(&LineSignal::RemoteCarrierLost),
            "other signals are always kept"
        );
    }

    #[test]
    fn party_answers_on_the_configured_ring_and_starts_its_carrier_when_answered() {
        let t0 = Instant::now();
        let mut party = ScriptedParty::builder()
            .answer_after_rings(2)
            .carrier(ANSWER)
            .build(t0);
        party.on_signal(LineSignal::RingOn(RingPattern::Normal), t0);
        assert!(drain(&mut party).is_empty());
        party.on_signal(
            LineSignal::RingOn(RingPattern::Normal),
            t0 + Duration::from_secs(6),
        );
        assert_eq!(drain(&mut party), [LineAction::OffHook]);
        party.on_signal(LineSignal::Answered, t0 + Duration::from_secs(6));
        assert_eq!(drain(&mut party), [LineAction::StartCarrier(ANSWER)]);
    }

    #[test]
    fn ring_count_restarts_after_a_long_silence() {
        let t0 = Instant::now();
        let mut party = ScriptedParty::builder().answer_after_rings(2).build(t0);
        party.on_signal(LineSignal::RingOn(RingPattern::Normal), t0);
        party.on_signal(
            LineSignal::RingOn(RingPattern::Normal),
            t0 + Duration::from_secs(30),
        );
        assert!(
            drain(&mut party).is_empty(),
            "a ring 30 s later is a new call's first"
        );
        party.on_signal(
            LineSignal::RingOn(RingPattern::Normal),
            t0 + Duration::from_secs(36),
        );
        assert_eq!(drain(&mut party), [LineAction::OffHook]);
    }

    #[test]
    fn call_dials_only_after_dial_tone() {
        let t0 = Instant::now();
        let mut party = ScriptedParty::builder()
            .call_at(Duration::from_secs(1), "5550100")
            .build(t0);
        assert_eq!(party.poll_timeout(), Some(t0 + Duration::from_secs(1)));
        party.handle_timeout(t0 + Duration::from_secs(1));
        assert_eq!(drain(&mut party), [LineAction::OffHook]);
        party.on_signal(LineSignal::DialTone, t0 + Duration::from_secs(1));
        assert_eq!(drain(&mut party), [LineAction::Digits("5550100".into())]);
        party.on_signal(LineSignal::DialTone, t0 + Duration::from_secs(1));
        assert!(
            drain(&mut party).is_empty(),
            "a recall dial tone dials nothing more"
        );
        assert_eq!(party.poll_timeout(), None);
    }

    #[test]
    fn scripted_hang_up_is_cancelled_when_the_far_end_leaves_first() {
        let t0 = Instant::now();
        let mut party = ScriptedParty::builder()
            .busy()
            .hang_up_after(Duration::from_secs(5))
            .build(t0);
        party.handle_timeout(t0);
        party.on_signal(LineSignal::Answered, t0);
        assert_eq!(party.poll_timeout(), Some(t0 + Duration::from_secs(5)));
        party.on_signal(LineSignal::Released(crate::line::ReleaseCause::Normal), t0);
        assert_eq!(drain(&mut party), [LineAction::OffHook, LineAction::OnHook]);
        assert_eq!(party.poll_timeout(), None);
    }

    #[test]
    fn modem_party_drops_its_carrier_on_the_call_waiting_tone_unless_told_to_survive() {
        let t0 = Instant::now();
        for survive in [false, true] {
            let builder = ScriptedParty::builder().busy().carrier(ANSWER);
            let builder = if survive {
                builder.survive_line_disturbance()
            } else {
                builder
            };
            let mut party = builder.build(t0);
            party.handle_timeout(t0);
            party.on_signal(LineSignal::Answered, t0);
            drain(&mut party);
            party.on_signal(LineSignal::CallWaitingTone, t0);
            let expected = if survive {
                vec![]
            } else {
                vec![LineAction::StopCarrier, LineAction::OnHook]
            };
            assert_eq!(drain(&mut party), expected, "survive = {survive}");
        }
    }
}
