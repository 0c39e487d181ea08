//! The sink's record of what is open, pending and closed: the state behind every rule check.

use std::collections::HashMap;

use crate::spi::{CallHandle, LineEvent, LineHandle, RequestId};
use crate::types::{CallState, CallStates};

use super::Violation;
use super::tombstones::Tombstones;

/// How many violations the sink keeps for [`SinkHost::violations`](super::SinkHost::violations);
/// later ones are counted and logged, not kept.
pub(crate) const VIOLATIONS_KEPT: usize = 1024;

/// What the host told the sink about a request it issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestRecord {
    /// The operation, for messages (`"make_call"`).
    pub operation: &'static str,
    /// The line it concerns.
    pub line: LineHandle,
    /// The call it concerns, if any.
    pub call: Option<CallHandle>,
    /// Whether it creates `call` (make_call and the like: the call is pending until completion).
    pub creates_call: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finished {
    Completed,
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pending(RequestId),
    Live,
    Failed,
}

/// What the sink holds now: live things and bounded tombstones ([`SinkControl::sizes`](super::SinkControl::sizes)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LedgerSizes {
    /// Lines open at the provider.
    pub open_lines: usize,
    /// Calls not yet closed (including failed ones awaiting `close_call`).
    pub live_calls: usize,
    /// Requests issued and not yet completed.
    pub pending_requests: usize,
    /// Ended lines, calls and requests remembered (at most a few thousand of each).
    pub tombstones: usize,
}

#[derive(Debug, Clone)]
struct CallRecord {
    line: LineHandle,
    phase: Phase,
    state: Option<CallState>,
    states: CallStates,
}

/// The ledger. All methods run under the sink's lock, so checks and deliveries are serialised.
///
/// Live things (open lines, calls not yet closed, pending requests) are kept until they end; ended
/// ones are kept as bounded [`Tombstones`], so a server that runs for months does not grow.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    shut_down: bool,
    lines: HashMap<LineHandle, ()>,
    closed_lines: Tombstones<LineHandle, ()>,
    calls: HashMap<CallHandle, CallRecord>,
    closed_calls: Tombstones<CallHandle, LineHandle>,
    pending: HashMap<RequestId, RequestRecord>,
    finished: Tombstones<RequestId, Finished>,
    next_call: u32,
    next_request: u32,
    pub(crate) violations: Vec<Violation>,
    pub(crate) violations_dropped: u64,
}

impl Ledger {
    pub(crate) fn reset(&mut self) {
        *self = Ledger {
            next_call: self.next_call,
            next_request: self.next_request,
            violations: std::mem::take(&mut self.violations),
            violations_dropped: self.violations_dropped,
            ..Ledger::default()
        };
    }

    /// Keeps a violation (up to [`VIOLATIONS_KEPT`]).
    pub(crate) fn keep_violation(&mut self, violation: Violation) {
        if self.violations.len() < VIOLATIONS_KEPT {
            self.violations.push(violation);
        } else {
            self.violations_dropped += 1;
        }
    }

    pub(crate) fn line_opened(&mut self, line: LineHandle) {
        self.closed_lines.remove(&line);
        self.lines.insert(line, ());
    }

    /// The next request id that is not pending (`1..=0x7FFF_FFFF`, wrapping), registered at once.
    pub(crate) fn begin_next(
        &mut self,
        mut record: impl FnMut(RequestId) -> RequestRecord,
    ) -> RequestId {
        let mut id = RequestId::new(self.next_request).unwrap_or(RequestId::FIRST);
        while self.pending.contains_key(&id) {
            id = id.next();
        }
        self.next_request = id.next().get();
        self.begin_request(id, record(id));
        id
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down
    }

    pub(crate) fn pending_record(&self, request: RequestId) -> Option<RequestRecord> {
        self.pending.get(&request).copied()
    }

    /// The line a live call is on.
    pub(crate) fn line_of(&self, call: CallHandle) -> Option<LineHandle> {
        self.calls.get(&call).map(|c| c.line)
    }

    pub(crate) fn allocate_call(
        &mut self,
        line: LineHandle,
        phase_request: Option<RequestId>,
    ) -> CallHandle {
        self.next_call = self.next_call.wrapping_add(1).max(1);
        while self.calls.contains_key(&CallHandle(self.next_call)) {
            self.next_call = self.next_call.wrapping_add(1).max(1);
        }
        let call = CallHandle(self.next_call);
        self.closed_calls.remove(&call);
        let phase = phase_request.map_or(Phase::Live, Phase::Pending);
        self.calls.insert(
            call,
            CallRecord {
                line,
                phase,
                state: None,
                states: CallStates::empty(),
            },
        );
        call
    }

    pub(crate) fn begin_request(&mut self, request: RequestId, record: RequestRecord) {
        self.finished.remove(&request);
        if record.creates_call
            && let Some(call) = record.call
        {
            let entry = self.calls.entry(call).or_insert(CallRecord {
                line: record.line,
                phase: Phase::Pending(request),
                state: None,
                states: CallStates::empty(),
            });
            entry.phase = Phase::Pending(request);
        }
        self.pending.insert(request, record);
    }

    pub(crate) fn refuse_request(&mut self, request: RequestId) {
        if let Some(record) = self.pending.remove(&request) {
            self.finished.insert(request, Finished::Refused);
            if record.creates_call
                && let Some(call) = record.call.and_then(|c| self.calls.get_mut(&c))
            {
                call.phase = Phase::Failed;
            }
        }
    }

    /// Forgets a call whose creating request failed synchronously: TAPI never closes such a
    /// call (T§1.2), so nothing else would. Later events for it are still refused.
    pub(crate) fn forget_failed_call(&mut self, call: CallHandle) {
        if let Some(record) = self.calls.get(&call)
            && record.phase == Phase::Failed
        {
            let line = record.line;
            self.calls.remove(&call);
            self.closed_calls.insert(call, line);
        }
    }

    /// Checks and records a completion.
    pub(crate) fn complete(
        &mut self,
        request: RequestId,
        ok: bool,
    ) -> Result<RequestRecord, Violation> {
        if self.shut_down {
            return Err(Violation::AfterShutdown);
        }
        let Some(record) = self.pending.remove(&request) else {
            return Err(match self.finished.get(&request) {
                Some(Finished::Completed) => Violation::CompletedTwice { request },
                Some(Finished::Refused) => Violation::CompletedAfterRefusal { request },
                None => Violation::UnknownRequest { request },
            });
        };
        self.finished.insert(request, Finished::Completed);
        if record.creates_call
            && let Some(call) = record.call.and_then(|c| self.calls.get_mut(&c))
            && call.phase == Phase::Pending(request)
        {
            call.phase = if ok { Phase::Live } else { Phase::Failed };
        }
        Ok(record)
    }

    fn check_line(&self, line: LineHandle) -> Result<(), Violation> {
        if self.shut_down {
            return Err(Violation::AfterShutdown);
        }
        if self.lines.contains_key(&line) {
            Ok(())
        } else if self.closed_lines.get(&line).is_some() {
            Err(Violation::AfterLineClose { line })
        } else {
            Err(Violation::LineNotOpen { line })
        }
    }

    pub(crate) fn check_new_call(&self, line: LineHandle) -> Result<(), Violation> {
        self.check_line(line)
    }

    /// Checks an event and records what it changes.
    pub(crate) fn event(&mut self, line: LineHandle, event: &LineEvent) -> Result<(), Violation> {
        self.check_line(line)?;
        if let LineEvent::Close = event
            && let Some((request, _)) = self.pending.iter().find(|(_, r)| r.line == line)
        {
            return Err(Violation::CloseWithPending {
                line,
                request: *request,
            });
        }
        let Some(call) = event.call() else {
            return Ok(());
        };
        let Some(record) = self.calls.get_mut(&call) else {
            return Err(match self.closed_calls.get(&call) {
                Some(_) => Violation::AfterCallClose { call },
                None => Violation::UnknownCall { call },
            });
        };
        if record.line != line {
            return Err(Violation::WrongLine {
                call,
                expected: record.line,
                line,
            });
        }
        match record.phase {
            Phase::Pending(request) => {
                return Err(Violation::EventBeforeCompletion { call, request });
            }
            Phase::Failed => return Err(Violation::EventForFailedCall { call }),
            Phase::Live => {}
        }
        if let LineEvent::CallState { state, .. } = event {
            let to = state.state();
            if record.state == Some(CallState::Idle) {
                return Err(Violation::LeftIdle { call, to });
            }
            record.state = Some(to);
            record.states |= to.as_set();
        }
        Ok(())
    }

    /// Requests still pending that match `which`, removed and returned (for auto-failing them).
    fn take_pending(
        &mut self,
        which: impl Fn(&RequestRecord) -> bool,
    ) -> Vec<(RequestId, RequestRecord)> {
        let ids: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, r)| which(r))
            .map(|(id, _)| *id)
            .collect();
        let mut taken: Vec<_> = ids
            .into_iter()
            .filter_map(|id| {
                self.finished.insert(id, Finished::Completed);
                self.pending.remove(&id).map(|r| (id, r))
            })
            .collect();
        taken.sort_by_key(|(id, _)| *id);
        taken
    }

    pub(crate) fn call_closed(&mut self, call: CallHandle) -> Vec<(RequestId, RequestRecord)> {
        let left = self.take_pending(|r| r.call == Some(call));
        if let Some(record) = self.calls.remove(&call) {
            self.closed_calls.insert(call, record.line);
        }
        left
    }

    pub(crate) fn line_closed(&mut self, line: LineHandle) -> Vec<(RequestId, RequestRecord)> {
        let left = self.take_pending(|r| r.line == line);
        self.lines.remove(&line);
        self.closed_lines.insert(line, ());
        let gone: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, c)| c.line == line)
            .map(|(h, _)| *h)
            .collect();
        for call in gone {
            self.calls.remove(&call);
            self.closed_calls.insert(call, line);
        }
        left
    }

    /// How many live lines, calls and pending requests, and remembered tombstones the ledger holds
    /// (for tests that prove nothing is left behind).
    pub(crate) fn sizes(&self) -> LedgerSizes {
        LedgerSizes {
            open_lines: self.lines.len(),
            live_calls: self.calls.len(),
            pending_requests: self.pending.len(),
            tombstones: self.closed_lines.len() + self.closed_calls.len() + self.finished.len(),
        }
    }

    pub(crate) fn shut_down(&mut self) -> Vec<(RequestId, RequestRecord)> {
        let left = self.take_pending(|_| true);
        self.shut_down = true;
        left
    }

    pub(crate) fn call_states(&self, call: CallHandle) -> Option<(Option<CallState>, CallStates)> {
        self.calls.get(&call).map(|c| (c.state, c.states))
    }

    pub(crate) fn pending_requests(&self) -> Vec<(RequestId, RequestRecord)> {
        let mut all: Vec<_> = self.pending.iter().map(|(id, r)| (*id, *r)).collect();
        all.sort_by_key(|(id, _)| *id);
        all
    }
}
