//! Call waiting: a second caller for a line in a call, the tone it injects, and the hook flash.

use std::time::Instant;

use crate::line::{LineId, LineSignal};

use super::Exchange;
use super::call::{Call, CallId, CallPhase};
use super::events::ExchangeEvent;
use super::subscriber::LineState;

impl Exchange {
    /// Whether a second call to `line` would wait (rather than get busy): the line has call
    /// waiting, is in a connected call, has no call waiting or held already, and did not cancel
    /// call waiting for its active call. Only the line that dialled the cancel code is protected:
    /// a called party cannot cancel call waiting.
    pub(super) fn waiting_allowed(&self, line: LineId) -> bool {
        let Some(sub) = self.lines.get(line.0) else {
            return false;
        };
        if !sub.config.call_waiting || sub.waiting.is_some() || sub.held.is_some() {
            return false;
        }
        let Some(active) = sub.active_call().and_then(|id| self.calls.get(&id)) else {
            return false;
        };
        let cancelled = active.cancel_call_waiting && active.caller == line;
        matches!(active.phase, CallPhase::Connected) && !cancelled
    }

    /// `caller` reaches `line`, which is in a call: the caller hears ringback and the tone goes
    /// into the active call.
    pub(super) fn offer_waiting(
        &mut self,
        caller: LineId,
        line: LineId,
        cancel_call_waiting: bool,
        now: Instant,
    ) {
        let id = self.new_call_id();
        let next_tone = self
            .config
            .call_waiting_tone_interval
            .map(|every| now + every);
        self.calls.insert(
            id,
            Call {
                caller,
                callee: line,
                cancel_call_waiting,
                phase: CallPhase::Waiting { next_tone },
                no_answer_deadline: None,
            },
        );
        if let Some(sub) = self.lines.get_mut(line.0) {
            sub.waiting = Some(id);
        }
        self.set_state(caller, LineState::Outgoing(id));
        self.signal(caller, LineSignal::Ringback);
        let partner = self.tone_into_active_call(line);
        tracing::debug!(%line, %caller, ?partner, "exchange: call waiting tone injected");
        // Call-waiting caller ID (Bellcore GR-575, "type II"): after the tone, the waiting
        // caller's identity goes to the line in the call when it subscribes to caller ID.
        if let (Some(from), Some(to)) = (self.line_config(caller), self.line_config(line)) {
            let elapsed = now.saturating_duration_since(self.start);
            let (date, time) = self.config.caller_id_clock.fields_after(elapsed);
            if let Some(cid) = super::ringing::caller_id_for(from, to, date, time) {
                self.signal(line, LineSignal::CallerId(cid));
            }
        }
        self.events.push_back(ExchangeEvent::CallWaiting {
            line,
            caller,
            partner,
        });
    }

    /// The call-waiting tone repeats while the caller waits.
    pub(super) fn waiting_tone(&mut self, id: CallId, at: Instant) {
        let interval = self.config.call_waiting_tone_interval;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let CallPhase::Waiting { next_tone } = &mut call.phase else {
            return;
        };
        *next_tone = interval.map(|every| at + every);
        let line = call.callee;
        self.tone_into_active_call(line);
    }

    /// Sends the call-waiting tone to `line` and to the other end of its connected call; returns
    /// that other end.
    fn tone_into_active_call(&mut self, line: LineId) -> Option<LineId> {
        let partner = self
            .lines
            .get(line.0)
            .and_then(|s| s.active_call())
            .and_then(|id| self.calls.get(&id))
            .filter(|call| matches!(call.phase, CallPhase::Connected))
            .map(|call| call.other(line));
        self.signal(line, LineSignal::CallWaitingTone);
        if let Some(partner) = partner {
            self.signal(partner, LineSignal::CallWaitingTone);
        }
        partner
    }

    /// A hook flash: switch to the waiting caller (holding the active call), or swap between the
    /// active and the held call, or take back a held call after the active one ended.
    pub(super) fn flash(&mut self, line: LineId) {
        let Some(sub) = self.lines.get(line.0) else {
            return;
        };
        let (state, waiting, held) = (sub.state.clone(), sub.waiting, sub.held);
        match (state, waiting, held) {
            (LineState::Talking(active), Some(waiting), _) => {
                self.connect_waiting(line, waiting, Some(active));
            }
            (LineState::Lockout, Some(waiting), _) => self.connect_waiting(line, waiting, None),
            (LineState::Talking(active), None, Some(held)) => {
                self.set_phase(active, CallPhase::Held);
                self.resume(line, held, Some(active));
            }
            (LineState::Lockout, None, Some(held)) => self.resume(line, held, None),
            _ => tracing::trace!(%line, "exchange: flash with nothing to switch to ignored"),
        }
    }

    /// Connects `line` to its waiting caller, holding `hold` if given.
    fn connect_waiting(&mut self, line: LineId, waiting: CallId, hold: Option<CallId>) {
        if let Some(active) = hold {
            self.set_phase(active, CallPhase::Held);
        }
        self.set_phase(waiting, CallPhase::Connected);
        if let Some(sub) = self.lines.get_mut(line.0) {
            sub.waiting = None;
            sub.held = hold;
            sub.state = LineState::Talking(waiting);
        }
        let Some(caller) = self.calls.get(&waiting).map(|c| c.caller) else {
            return;
        };
        self.set_state(caller, LineState::Talking(waiting));
        self.signal(caller, LineSignal::Answered);
        self.signal(line, LineSignal::Answered);
    }

    /// Makes `held` the active call of `line` again, holding `hold` in its place if given.
    fn resume(&mut self, line: LineId, held: CallId, hold: Option<CallId>) {
        self.set_phase(held, CallPhase::Connected);
        if let Some(sub) = self.lines.get_mut(line.0) {
            sub.held = hold;
            sub.state = LineState::Talking(held);
        }
        self.signal(line, LineSignal::Answered);
    }

    fn set_phase(&mut self, id: CallId, phase: CallPhase) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.phase = phase;
        }
    }
}
