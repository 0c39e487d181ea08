//! The simulated telephone exchange: subscriber lines with numbers and features, routing, the ring
//! cadence with caller ID, call waiting (the threat to data calls) and its cancel codes, hook
//! flash, and faults.
//!
//! [`Exchange`] is a sans-IO state machine. It speaks only the line seam of [`crate::line`]: feed
//! it each terminal's [`LineAction`]s with [`Exchange::handle_action`], take the
//! [`LineSignal`]s it produces with [`Exchange::poll_signal`], and drive its timers with
//! [`Exchange::poll_timeout`] / [`Exchange::handle_timeout`]. Time is always passed in; nothing
//! here reads a clock. [`crate::network::Network`] does all of that for you and records a
//! transcript.
//!
//! # Call flow
//!
//! | the terminal does | the exchange answers |
//! |---|---|
//! | `OffHook` on an idle, plugged-in line | `DialTone` (an unplugged line: nothing) |
//! | `Digits`, in any chunks | collects them; a leading cancel code (`*70`, `1170`, `70#`) is stripped, marks the call "call waiting cancelled" and gives a recall `DialTone`; the number is routed as soon as it matches a subscriber, reaches [`ExchangeBuilder::local_number_length`] without matching anything, reaches [`ExchangeBuilder::max_number_length`], or the inter-digit timeout passes |
//! | (routing) unknown number | `Reorder` to the caller |
//! | (routing) line busy, no call waiting, or a call already waiting | `Busy` to the caller |
//! | (routing) idle line | `Ringback` to the caller; the called line rings (`RingOn`/`RingOff`, caller ID between ring 1 and 2 or before ring 1) |
//! | `OffHook` on the ringing line | `Answered` to both ends |
//! | `StartCarrier`/`StopCarrier`/`Data` in a connected call | `RemoteCarrier`/`RemoteCarrierLost`/`Data` to the other end |
//! | `Fax` (answer tone, modulation, silence, HDLC frame) in a connected call | `Fax` to the other end |
//! | `Voice` (audio, DTMF, tone) in a connected call | `Voice` to the other end |
//! | `OnHook` in a call | `Released(Normal)` to the other end |
//! | `OnHook` by the caller while ringing | ringing stops (a `RingOff` if a burst was sounding) |
//!
//! After `Busy`, `Reorder` or `Released` the line is locked out: nothing happens until it goes
//! on-hook.
//!
//! # Outcomes that are not signals of their own
//!
//! * **No answer**: the exchange rings until the caller hangs up, as analog exchanges do (the
//!   calling modem gives up after S7). [`ExchangeBuilder::no_answer_timeout`] adds a network
//!   timeout, after which the caller hears `Reorder`.
//! * **Reject**: on an analog line the called party cannot reject a ringing call; picking up and
//!   hanging up answers it. An on-hook from a line that is being rung is ignored (the caller keeps
//!   hearing ringback). [`Exchange::reject`] models networks that can reject (a scripted far end,
//!   a provider's drop of an offered call): the caller gets `Released(Rejected)`.
//!
//! # Call waiting
//!
//! A call to a line that is in a connected call and has call waiting (and no call already waiting
//! or held) waits: the caller hears `Ringback`, and the exchange injects `CallWaitingTone` into the
//! active call — to **both** ends, since the tone is in the voice path (a data or fax carrier that
//! hears it drops). The tone repeats every [`ExchangeBuilder::call_waiting_tone_interval`]. After
//! the first tone, a line that subscribes to caller ID gets the waiting caller's `CallerId` too
//! (call-waiting caller ID, Bellcore GR-575's "type II"): a voice modem prints it, a data call has
//! nowhere to show it.
//!
//! A cancel code dialled before the number suppresses call waiting **on the dialling line** for
//! that call only: a second caller then gets `Busy` and the call is undisturbed. A called party
//! cannot cancel call waiting (only the originator dials `*70`), so a data call answered on a line
//! with call waiting is always exposed.
//!
//! `Flash` on a line with a waiting caller puts the active call on hold and connects the waiting
//! caller (`Answered` to both); another flash swaps back. Hanging up with a call still waiting
//! rings the line for it; hanging up with a call on hold releases the held party. Caller ID on
//! call waiting (Type II) is not sent: ordinary data modems do not support it.

mod call;
mod call_waiting;
mod config;
mod dialling;
mod error;
mod events;
mod faults;
mod ringing;
mod subscriber;
pub mod transcript;

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use rand_chacha::ChaCha8Rng;

use crate::line::{LineAction, LineId, LineSignal};

use call::{Call, CallId, CallPhase};
use subscriber::{LineState, Subscriber};

pub use config::{
    CallerIdClock, CallerIdPlacement, DEFAULT_SEED, ExchangeBuilder, ExchangeConfig,
    NoAnswerTimeout, RingCadence, SEED_ENV,
};
pub use dialling::{DialOutcome, DialRecord};
pub use error::ExchangeError;
pub use events::{ExchangeEvent, Fault};
pub use subscriber::{LineConfig, LineStatus};
pub use transcript::{Transcript, TranscriptEntry, TranscriptEvent};

/// Most timer steps one [`Exchange::handle_timeout`] runs; a guard against a schedule that never
/// advances.
const MAX_STEPS_PER_TIMEOUT: usize = 100_000;

/// The simulated telephone exchange. See the [module documentation](self) for the call flow.
#[derive(Debug)]
pub struct Exchange {
    config: ExchangeConfig,
    rng: ChaCha8Rng,
    start: Instant,
    lines: Vec<Subscriber>,
    /// Every dialable form of every number (as is, with the area code, with `1` and the area
    /// code), to the line it reaches: routing a digit looks up, never scans.
    directory: BTreeMap<String, LineId>,
    calls: BTreeMap<CallId, Call>,
    next_call: u64,
    signals: VecDeque<(LineId, LineSignal)>,
    events: VecDeque<ExchangeEvent>,
    dialled: Vec<DialRecord>,
}

/// A timer that is due.
#[derive(Debug, Clone, Copy)]
enum Due {
    Dial(LineId),
    NoAnswer(CallId),
    Ring(CallId),
    WaitingTone(CallId),
}

impl Exchange {
    /// A builder with every knob at its default (see [`ExchangeBuilder`]).
    pub fn builder() -> ExchangeBuilder {
        ExchangeBuilder::new()
    }

    pub(crate) fn from_parts(config: ExchangeConfig, rng: ChaCha8Rng, start: Instant) -> Self {
        Self {
            config,
            rng,
            start,
            lines: Vec::new(),
            directory: BTreeMap::new(),
            calls: BTreeMap::new(),
            next_call: 0,
            signals: VecDeque::new(),
            events: VecDeque::new(),
            dialled: Vec::new(),
        }
    }

    /// The seed of the exchange's random number generator; print it on failure to replay the run.
    pub fn seed(&self) -> u64 {
        self.config.seed
    }

    /// The configuration the exchange was built with.
    pub fn config(&self) -> &ExchangeConfig {
        &self.config
    }

    /// The virtual time origin given to [`ExchangeBuilder::build`].
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Adds a subscriber line; lines are numbered in the order they are added.
    ///
    /// Numbers should be unique and contain only dialable digits; a second line with the same
    /// number is never reached (the first one wins).
    pub fn add_line(&mut self, config: LineConfig) -> LineId {
        let id = LineId(self.lines.len());
        tracing::debug!(%id, number = %config.number, "exchange: line added");
        let forms: Vec<String> = self.dialable_forms(&config.number).collect();
        for form in forms {
            // The first line with a number keeps it, as a scan in line order would find.
            self.directory.entry(form).or_insert(id);
        }
        self.lines.push(Subscriber::new(config));
        id
    }

    /// How many lines the exchange has.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// A line's configuration.
    pub fn line_config(&self, line: LineId) -> Option<&LineConfig> {
        self.lines.get(line.0).map(|s| &s.config)
    }

    /// The line with this directory number.
    pub fn line_by_number(&self, number: &str) -> Option<LineId> {
        self.lines
            .iter()
            .position(|s| s.config.number == number)
            .map(LineId)
    }

    /// What a line is doing now.
    pub fn line_status(&self, line: LineId) -> Option<LineStatus> {
        self.lines.get(line.0).map(Subscriber::status)
    }

    /// The line at the other end of `line`'s active call, if it is connected.
    pub fn connected_to(&self, line: LineId) -> Option<LineId> {
        let call = self.lines.get(line.0)?.active_call()?;
        let call = self.calls.get(&call)?;
        matches!(call.phase, CallPhase::Connected).then(|| call.other(line))
    }

    /// Whether a second caller is waiting for `line` (call waiting).
    pub fn has_waiting_call(&self, line: LineId) -> bool {
        self.lines.get(line.0).is_some_and(|s| s.waiting.is_some())
    }

    /// Every number dialled so far, in order: what reached the exchange, the cancel code it found
    /// and where the call went.
    pub fn dialled(&self) -> &[DialRecord] {
        &self.dialled
    }

    /// A terminal did something to its line at `now`.
    ///
    /// # Contract
    ///
    /// Actions from one line must be given in the order the terminal produced them, and `now`
    /// must never go backwards. Actions from an unplugged line only update its hook state.
    pub fn handle_action(
        &mut self,
        line: LineId,
        action: LineAction,
        now: Instant,
    ) -> Result<(), ExchangeError> {
        let Some(sub) = self.lines.get_mut(line.0) else {
            return Err(ExchangeError::UnknownLine {
                line,
                operation: "line action",
            });
        };
        match action {
            LineAction::OffHook => {
                sub.terminal_off_hook = true;
                if sub.plugged {
                    self.off_hook(line, now);
                }
            }
            LineAction::OnHook => {
                sub.terminal_off_hook = false;
                if sub.plugged {
                    self.on_hook(line, now);
                }
            }
            _ if !sub.plugged => {
                tracing::debug!(%line, ?action, "exchange: action from an unplugged line dropped");
            }
            LineAction::Digits(digits) => self.digits(line, &digits, now),
            LineAction::Flash => self.flash(line),
            LineAction::StartCarrier(carrier) => {
                sub.carrier = Some(carrier);
                self.relay(line, LineSignal::RemoteCarrier(carrier));
            }
            LineAction::StopCarrier => {
                sub.carrier = None;
                self.relay(line, LineSignal::RemoteCarrierLost);
            }
            LineAction::Data(bytes) => self.relay(line, LineSignal::Data(bytes)),
            LineAction::Fax(signal) => self.relay(line, LineSignal::Fax(signal)),
            LineAction::Voice(signal) => self.relay(line, LineSignal::Voice(signal)),
        }
        // Steps due at once (the first ring of a call just placed) happen now.
        self.handle_timeout(now);
        Ok(())
    }

    /// The next signal for a terminal, with the line it is for.
    pub fn poll_signal(&mut self) -> Option<(LineId, LineSignal)> {
        self.signals.pop_front()
    }

    /// The next thing the exchange reports about itself (for transcripts).
    pub fn poll_event(&mut self) -> Option<ExchangeEvent> {
        self.events.pop_front()
    }

    /// When the exchange next needs [`Exchange::handle_timeout`].
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_due().map(|(at, _)| at)
    }

    /// Time has reached `now`: runs every timer due by then, in time order, each at its own due
    /// time (so the cadence stays exact even when this is called late).
    pub fn handle_timeout(&mut self, now: Instant) {
        for _ in 0..MAX_STEPS_PER_TIMEOUT {
            let Some((at, due)) = self.next_due().filter(|(at, _)| *at <= now) else {
                return;
            };
            match due {
                Due::Dial(line) => self.dial_timeout(line, at),
                Due::NoAnswer(call) => self.no_answer(call),
                Due::Ring(call) => self.ring_step(call),
                Due::WaitingTone(call) => self.waiting_tone(call, at),
            }
        }
        tracing::error!("exchange: timers did not settle in handle_timeout; giving up this round");
    }

    /// The earliest timer (ties: lines before calls, calls in creation order).
    fn next_due(&self) -> Option<(Instant, Due)> {
        let mut best: Option<(Instant, Due)> = None;
        let mut consider = |at: Option<Instant>, due: Due| {
            if let Some(at) = at
                && best.is_none_or(|(b, _)| at < b)
            {
                best = Some((at, due));
            }
        };
        for (index, sub) in self.lines.iter().enumerate() {
            if let LineState::Dialling(buffer) = &sub.state {
                consider(buffer.deadline, Due::Dial(LineId(index)));
            }
        }
        for (id, call) in &self.calls {
            consider(call.no_answer_deadline, Due::NoAnswer(*id));
            match &call.phase {
                CallPhase::Ringing(ringer) => consider(ringer.deadline(), Due::Ring(*id)),
                CallPhase::Waiting { next_tone } => consider(*next_tone, Due::WaitingTone(*id)),
                CallPhase::Connected | CallPhase::Held => {}
            }
        }
        best
    }

    /// Queues a signal for a line's terminal; an unplugged terminal hears nothing.
    fn signal(&mut self, line: LineId, signal: LineSignal) {
        match self.lines.get(line.0) {
            Some(sub) if sub.plugged => self.signals.push_back((line, signal)),
            Some(_) => tracing::trace!(%line, ?signal, "exchange: unplugged line hears nothing"),
            None => tracing::error!(%line, ?signal, "exchange: signal for an unknown line"),
        }
    }

    fn state(&self, line: LineId) -> Option<&LineState> {
        self.lines.get(line.0).map(|s| &s.state)
    }

    fn set_state(&mut self, line: LineId, state: LineState) {
        if let Some(sub) = self.lines.get_mut(line.0) {
            sub.state = state;
        }
    }
}
