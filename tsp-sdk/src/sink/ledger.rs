//! The sink's record of what is open, pending and closed: the state behind every rule check.

use std::collections::HashMap;

use crate::spi::{CallHandle, LineEvent, LineHandle, RequestId};
use crate::types::{CallState, CallStates};

use super::Violation;

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
    Closed,
}

#[derive(Debug, Clone)]
struct CallRecord {
    line: LineHandle,
    phase: Phase,
    state: Option<CallState>,
    states: CallStates,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineLife {
    Open,
    Closed,
}

/// The ledger. All methods run under the sink's lock, so checks and deliveries are serialised.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    shut_down: bool,
    lines: HashMap<LineHandle, LineLife>,
    calls: HashMap<CallHandle, CallRecord>,
    pending: HashMap<RequestId, RequestRecord>,
    finished: HashMap<RequestId, Finished>,
    next_call: u32,
    pub(crate) violations: Vec<Violation>,
}

impl Ledger {
    pub(crate) fn reset(&mut self) {
        *self = Ledger {
            next_call: self.next_call,
            violations: std::mem::take(&mut self.violations),
            ..Ledger::default()
        };
    }

    pub(crate) fn line_opened(&mut self, line: LineHandle) {
        self.lines.insert(line, LineLife::Open);
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
        if record.creates_call {
            if let Some(call) = record.call {
                let entry = self.calls.entry(call).or_insert(CallRecord {
                    line: record.line,
                    phase: Phase::Pending(request),
                    state: None,
                    states: CallStates::empty(),
                });
                entry.phase = Phase::Pending(request);
            }
        }
        self.pending.insert(request, record);
    }

    pub(crate) fn refuse_request(&mut self, request: RequestId) {
        if let Some(record) = self.pending.remove(&request) {
            self.finished.insert(request, Finished::Refused);
            if record.creates_call {
                if let Some(call) = record.call.and_then(|c| self.calls.get_mut(&c)) {
                    call.phase = Phase::Failed;
                }
            }
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
        if record.creates_call {
            if let Some(call) = record.call.and_then(|c| self.calls.get_mut(&c)) {
                if call.phase == Phase::Pending(request) {
                    call.phase = if ok { Phase::Live } else { Phase::Failed };
                }
            }
        }
        Ok(record)
    }

    fn check_line(&self, line: LineHandle) -> Result<(), Violation> {
        if self.shut_down {
            return Err(Violation::AfterShutdown);
        }
        match self.lines.get(&line) {
            Some(LineLife::Open) => Ok(()),
            Some(LineLife::Closed) => Err(Violation::AfterLineClose { line }),
            None => Err(Violation::LineNotOpen { line }),
        }
    }

    pub(crate) fn check_new_call(&self, line: LineHandle) -> Result<(), Violation> {
        self.check_line(line)
    }

    /// Checks an event and records what it changes.
    pub(crate) fn event(&mut self, line: LineHandle, event: &LineEvent) -> Result<(), Violation> {
        self.check_line(line)?;
        if let LineEvent::Close = event {
            if let Some((request, _)) = self.pending.iter().find(|(_, r)| r.line == line) {
                return Err(Violation::CloseWithPending {
                    line,
                    request: *request,
                });
            }
        }
        let Some(call) = event.call() else {
            return Ok(());
        };
        let record = self
            .calls
            .get_mut(&call)
            .ok_or(Violation::UnknownCall { call })?;
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
            Phase::Closed => return Err(Violation::AfterCallClose { call }),
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
        if let Some(record) = self.calls.get_mut(&call) {
            record.phase = Phase::Closed;
        }
        left
    }

    pub(crate) fn line_closed(&mut self, line: LineHandle) -> Vec<(RequestId, RequestRecord)> {
        let left = self.take_pending(|r| r.line == line);
        self.lines.insert(line, LineLife::Closed);
        for record in self.calls.values_mut().filter(|c| c.line == line) {
            record.phase = Phase::Closed;
        }
        left
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
