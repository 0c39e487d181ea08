//! Call records and their life: placing a call, ringing, answering, relaying, releasing.

use std::time::Instant;

use crate::line::{LineId, LineSignal, ReleaseCause};

use super::Exchange;
use super::config::NoAnswerTimeout;
use super::dialling::{DialBuffer, DialOutcome};
use super::events::ExchangeEvent;
use super::ringing::{RingStep, Ringer, caller_id_for};
use super::subscriber::LineState;

/// A call on the exchange, by creation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct CallId(pub(crate) u64);

/// Where a call is in its life.
#[derive(Debug, Clone)]
pub(crate) enum CallPhase {
    /// The called line is being rung.
    Ringing(Ringer),
    /// The called line is busy in another call and has call waiting: the caller waits.
    Waiting {
        /// When the call-waiting tone sounds again.
        next_tone: Option<Instant>,
    },
    /// A voice path connects the two lines.
    Connected,
    /// One end put the call on hold with a flash (nothing is relayed).
    Held,
}

/// One call between two lines.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    /// The line that dialled.
    pub(crate) caller: LineId,
    /// The line that was dialled.
    pub(crate) callee: LineId,
    /// The caller dialled a cancel-call-waiting code first: no call waiting on the caller's line
    /// for the life of this call.
    pub(crate) cancel_call_waiting: bool,
    pub(crate) phase: CallPhase,
    /// When the exchange gives up ringing ([`NoAnswerTimeout::After`]).
    pub(crate) no_answer_deadline: Option<Instant>,
}

impl Call {
    /// The other end from `line`.
    pub(crate) fn other(&self, line: LineId) -> LineId {
        if line == self.caller {
            self.callee
        } else {
            self.caller
        }
    }
}

impl Exchange {
    /// The terminal lifted the handset (the line is plugged in).
    pub(super) fn off_hook(&mut self, line: LineId, now: Instant) {
        match self.state(line) {
            Some(LineState::Idle) => {
                let deadline = self.config.first_digit_timeout.map(|t| now + t);
                self.set_state(line, LineState::Dialling(DialBuffer::new(deadline)));
                self.signal(line, LineSignal::DialTone);
            }
            Some(LineState::Ringing(call)) => {
                let call = *call;
                self.answer(line, call);
            }
            _ => tracing::trace!(%line, "exchange: off-hook on a line already off-hook"),
        }
    }

    /// The terminal hung up (the line is plugged in, or is being unplugged).
    pub(super) fn on_hook(&mut self, line: LineId, now: Instant) {
        let Some(sub) = self.lines.get_mut(line.0) else {
            return;
        };
        sub.carrier = None;
        match std::mem::take(&mut sub.state) {
            LineState::Idle => return,
            LineState::Ringing(call) => {
                // An analog line cannot reject a ringing call: the caller keeps hearing ringback.
                sub.state = LineState::Ringing(call);
                tracing::trace!(%line, "exchange: on-hook while ringing ignored");
                return;
            }
            LineState::Dialling(buffer) => {
                if !buffer.is_empty() {
                    self.record_dial(line, buffer, DialOutcome::Abandoned);
                }
            }
            LineState::Lockout => {}
            LineState::Outgoing(call) | LineState::Talking(call) => {
                self.release_call(call, line, ReleaseCause::Normal);
            }
        }
        let (held, waiting) = match self.lines.get_mut(line.0) {
            Some(sub) => (sub.held.take(), sub.waiting.take()),
            None => (None, None),
        };
        if let Some(held) = held {
            self.release_call(held, line, ReleaseCause::Normal);
        }
        if let Some(waiting) = waiting {
            self.ring_for_waiting(line, waiting, now);
        }
    }

    /// Routes a dialled call from `caller` to `callee`.
    pub(super) fn place_call(
        &mut self,
        caller: LineId,
        callee: LineId,
        cancel_call_waiting: bool,
        now: Instant,
    ) -> DialOutcome {
        if caller != callee && matches!(self.state(callee), Some(LineState::Idle)) {
            let id = self.new_call_id();
            let ringer = self.new_ringer(caller, callee, now);
            let no_answer_deadline = match self.config.no_answer_timeout {
                Some(NoAnswerTimeout::After(after)) => Some(now + after),
                _ => None,
            };
            self.calls.insert(
                id,
                Call {
                    caller,
                    callee,
                    cancel_call_waiting,
                    phase: CallPhase::Ringing(ringer),
                    no_answer_deadline,
                },
            );
            self.set_state(caller, LineState::Outgoing(id));
            self.set_state(callee, LineState::Ringing(id));
            self.signal(caller, LineSignal::Ringback);
            return DialOutcome::Ringing(callee);
        }
        if caller != callee && self.waiting_allowed(callee) {
            self.offer_waiting(caller, callee, cancel_call_waiting, now);
            return DialOutcome::Waiting(callee);
        }
        self.set_state(caller, LineState::Lockout);
        self.signal(caller, LineSignal::Busy);
        DialOutcome::Busy(callee)
    }

    pub(super) fn new_call_id(&mut self) -> CallId {
        let id = CallId(self.next_call);
        self.next_call += 1;
        id
    }

    /// A ringing schedule for a call from `caller` to `callee` starting at `now`, with the caller
    /// ID `callee` subscribes to.
    fn new_ringer(&self, caller: LineId, callee: LineId, now: Instant) -> Ringer {
        let caller_id = match (self.line_config(caller), self.line_config(callee)) {
            (Some(from), Some(to)) => {
                let elapsed = now.saturating_duration_since(self.start);
                let (date, time) = self.config.caller_id_clock.fields_after(elapsed);
                caller_id_for(from, to, date, time)
            }
            _ => None,
        };
        Ringer::start(now, &self.config, caller_id)
    }

    /// `line` hung up while a second caller was waiting: the line rings for that caller.
    fn ring_for_waiting(&mut self, line: LineId, call: CallId, now: Instant) {
        let Some(caller) = self.calls.get(&call).map(|c| c.caller) else {
            return;
        };
        let ringer = self.new_ringer(caller, line, now);
        if let Some(record) = self.calls.get_mut(&call) {
            record.phase = CallPhase::Ringing(ringer);
        }
        self.set_state(line, LineState::Ringing(call));
    }

    /// The ringing line went off-hook: the call is answered.
    fn answer(&mut self, callee: LineId, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            self.set_state(callee, LineState::Idle);
            return;
        };
        call.phase = CallPhase::Connected;
        call.no_answer_deadline = None;
        let caller = call.caller;
        self.set_state(caller, LineState::Talking(id));
        self.set_state(callee, LineState::Talking(id));
        self.signal(caller, LineSignal::Answered);
        self.signal(callee, LineSignal::Answered);
        // A carrier started before the answer (a calling tone) reaches the far end now.
        for (from, to) in [(caller, callee), (callee, caller)] {
            if let Some(carrier) = self.lines.get(from.0).and_then(|s| s.carrier) {
                self.signal(to, LineSignal::RemoteCarrier(carrier));
            }
        }
    }

    /// Relays something a line sent into its connected call to the other end.
    pub(super) fn relay(&mut self, from: LineId, signal: LineSignal) {
        let Some(LineState::Talking(id)) = self.state(from) else {
            tracing::trace!(%from, ?signal, "exchange: nothing to relay to outside a call");
            return;
        };
        let Some(call) = self.calls.get(id) else {
            return;
        };
        if !matches!(call.phase, CallPhase::Connected) {
            tracing::trace!(%from, ?signal, "exchange: call on hold, nothing relayed");
            return;
        }
        let to = call.other(from);
        self.signal(to, signal);
    }

    /// The next step of a ringing call's cadence is due.
    pub(super) fn ring_step(&mut self, id: CallId) {
        let Some(Call {
            phase: CallPhase::Ringing(ringer),
            ..
        }) = self.calls.get(&id)
        else {
            return;
        };
        if let (Some(RingStep::RingOn), Some(NoAnswerTimeout::Rings(limit))) =
            (ringer.peek(), self.config.no_answer_timeout)
            && ringer.rings() >= limit
        {
            self.no_answer(id);
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let CallPhase::Ringing(ringer) = &mut call.phase else {
            return;
        };
        let Some((_, step, caller_id)) = ringer.advance(&self.config, &mut self.rng) else {
            return;
        };
        let callee = call.callee;
        let pattern = self
            .lines
            .get(callee.0)
            .map(|s| s.config.distinctive_ring)
            .unwrap_or_default();
        match step {
            RingStep::RingOn => self.signal(callee, LineSignal::RingOn(pattern)),
            RingStep::RingOff => self.signal(callee, LineSignal::RingOff),
            RingStep::CallerId => {
                if let Some(caller_id) = caller_id {
                    self.signal(callee, LineSignal::CallerId(caller_id));
                }
            }
        }
    }

    /// The exchange gives up on an unanswered call: ringing stops, the caller hears reorder.
    pub(super) fn no_answer(&mut self, id: CallId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (caller, callee) = (call.caller, call.callee);
        tracing::debug!(%caller, %callee, "exchange: no answer, giving up");
        self.events
            .push_back(ExchangeEvent::NoAnswerTimeout { caller, callee });
        self.end_call(id, Some(LineSignal::Reorder), None);
    }

    /// Ends a call because `by` left it; the other end hears `Released(cause)`.
    pub(super) fn release_call(&mut self, id: CallId, by: LineId, cause: ReleaseCause) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let notice = Some(LineSignal::Released(cause));
        if by == call.caller {
            self.end_call(id, None, notice);
        } else {
            self.end_call(id, notice, None);
        }
    }

    /// Removes a call and detaches both ends; an end given a notice hears it and is locked out.
    pub(super) fn end_call(
        &mut self,
        id: CallId,
        caller_notice: Option<LineSignal>,
        callee_notice: Option<LineSignal>,
    ) {
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        let burst_on = matches!(&call.phase, CallPhase::Ringing(r) if r.burst_on());
        self.detach(call.caller, id, burst_on, caller_notice);
        self.detach(call.callee, id, burst_on, callee_notice);
    }

    /// Forgets a removed call on one of its lines.
    fn detach(&mut self, line: LineId, id: CallId, burst_on: bool, notice: Option<LineSignal>) {
        let Some(sub) = self.lines.get_mut(line.0) else {
            return;
        };
        if sub.held == Some(id) {
            sub.held = None;
        }
        if sub.waiting == Some(id) {
            sub.waiting = None;
        }
        match sub.state {
            LineState::Ringing(call) if call == id => {
                sub.state = LineState::Idle;
                if burst_on {
                    self.signal(line, LineSignal::RingOff);
                }
            }
            LineState::Talking(call) | LineState::Outgoing(call) if call == id => {
                if let Some(notice) = notice {
                    sub.state = LineState::Lockout;
                    self.signal(line, notice);
                }
            }
            _ => {}
        }
    }
}
