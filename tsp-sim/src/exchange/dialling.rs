//! Digit collection, cancel-call-waiting codes and number routing.

use std::fmt;
use std::time::Instant;

use crate::line::{LineId, LineSignal};

use super::Exchange;
use super::events::ExchangeEvent;
use super::subscriber::LineState;

/// Where a dialled number went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DialOutcome {
    /// The called line is being rung.
    Ringing(LineId),
    /// The called line is in a call and has call waiting: the caller waits.
    Waiting(LineId),
    /// The called line is busy (the caller heard busy tone).
    Busy(LineId),
    /// No such number, or an incomplete one at the inter-digit timeout (the caller heard reorder).
    Unrouted,
    /// The caller hung up before the number was complete.
    Abandoned,
}

impl fmt::Display for DialOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ringing(line) => write!(f, "ringing {line}"),
            Self::Waiting(line) => write!(f, "waiting for {line} (call waiting)"),
            Self::Busy(line) => write!(f, "busy ({line})"),
            Self::Unrouted => f.write_str("reorder (no such number)"),
            Self::Abandoned => f.write_str("abandoned"),
        }
    }
}

/// What one line dialled for one call, as the exchange received and understood it.
///
/// `chunks` are the [`crate::line::LineAction::Digits`] strings exactly as they arrived (a modem
/// dialling `ATDT*70,5550100` sends `*70`, pauses, then sends `5550100`), so a test can check what
/// reached the exchange; `cancel_code` and `number` are how the exchange split them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DialRecord {
    /// The line that dialled.
    pub line: LineId,
    /// Each digit string as it arrived, in order.
    pub chunks: Vec<String>,
    /// The cancel-call-waiting code found at the start, if any.
    pub cancel_code: Option<String>,
    /// The number routed (without the cancel code).
    pub number: String,
    /// Where the call went.
    pub outcome: DialOutcome,
}

impl DialRecord {
    /// Everything dialled, concatenated (`*705550100`).
    pub fn digits(&self) -> String {
        self.chunks.concat()
    }

    /// Whether this call was placed with call waiting cancelled.
    pub fn cancels_call_waiting(&self) -> bool {
        self.cancel_code.is_some()
    }
}

impl fmt::Display for DialRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} dialled", self.line)?;
        for chunk in &self.chunks {
            write!(f, " {chunk:?}")?;
        }
        f.write_str(":")?;
        if let Some(code) = &self.cancel_code {
            write!(f, " cancel call waiting {code},")?;
        }
        write!(f, " number {:?} -> {}", self.number, self.outcome)
    }
}

/// The digits a line has dialled so far for the call it is setting up.
#[derive(Debug, Clone, Default)]
pub(crate) struct DialBuffer {
    /// Digit strings as they arrived.
    chunks: Vec<String>,
    /// The cancel code recognised at the start.
    cancel_code: Option<String>,
    /// Digits of the number so far (after any cancel code).
    pending: String,
    /// When the exchange stops waiting for the next digit.
    pub(crate) deadline: Option<Instant>,
}

impl DialBuffer {
    pub(crate) fn new(deadline: Option<Instant>) -> Self {
        Self {
            deadline,
            ..Self::default()
        }
    }

    /// Nothing dialled yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }
}

/// What the digits so far amount to.
enum Collected {
    /// A cancel-call-waiting code.
    CancelCode,
    /// A subscriber's number.
    Line(LineId),
    /// A complete number that is nobody's.
    Unrouted,
    /// Keep collecting.
    Incomplete,
}

/// The characters a line can dial (DTMF and pulse digits).
fn is_dialable(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D')
}

impl Exchange {
    /// Digits from a line: collected while it has dial tone, ignored otherwise.
    pub(super) fn digits(&mut self, line: LineId, digits: &str, now: Instant) {
        let Some(sub) = self.lines.get_mut(line.0) else {
            return;
        };
        let mut buffer = match std::mem::take(&mut sub.state) {
            LineState::Dialling(buffer) => buffer,
            other => {
                // Digits during a call go nowhere (no DTMF relay).
                sub.state = other;
                tracing::trace!(%line, digits, "exchange: digits outside dialling ignored");
                return;
            }
        };
        buffer.chunks.push(digits.to_owned());
        let mut chars = digits.chars();
        while let Some(c) = chars.next() {
            if !is_dialable(c) {
                tracing::warn!(%line, digit = %c, "exchange: undialable character ignored");
                continue;
            }
            buffer.pending.push(c);
            match self.collected(&buffer) {
                Collected::CancelCode => {
                    tracing::debug!(%line, code = %buffer.pending, "exchange: call waiting cancelled for this call");
                    buffer.cancel_code = Some(std::mem::take(&mut buffer.pending));
                    // Recall dial tone: the caller may dial the number now.
                    self.signal(line, LineSignal::DialTone);
                }
                Collected::Line(callee) => {
                    let rest: String = chars.collect();
                    if !rest.is_empty() {
                        tracing::debug!(%line, rest, "exchange: digits after a complete number ignored");
                    }
                    self.route(line, buffer, Some(callee), now);
                    return;
                }
                Collected::Unrouted => {
                    self.route(line, buffer, None, now);
                    return;
                }
                Collected::Incomplete => {}
            }
        }
        buffer.deadline = Some(now + self.config.inter_digit_timeout);
        self.set_state(line, LineState::Dialling(buffer));
    }

    /// No digit came in time: route what there is (nothing or an incomplete number: reorder).
    pub(super) fn dial_timeout(&mut self, line: LineId, now: Instant) {
        let Some(sub) = self.lines.get_mut(line.0) else {
            return;
        };
        let buffer = match std::mem::take(&mut sub.state) {
            LineState::Dialling(buffer) => buffer,
            other => {
                sub.state = other;
                return;
            }
        };
        let callee = self.lookup(&buffer.pending);
        tracing::debug!(%line, pending = %buffer.pending, "exchange: dial timeout");
        self.route(line, buffer, callee, now);
    }

    /// The number is complete: place the call (or give reorder) and record what was dialled.
    fn route(&mut self, line: LineId, buffer: DialBuffer, callee: Option<LineId>, now: Instant) {
        let outcome = match callee {
            Some(callee) => self.place_call(line, callee, buffer.cancel_code.is_some(), now),
            None => {
                self.set_state(line, LineState::Lockout);
                self.signal(line, LineSignal::Reorder);
                DialOutcome::Unrouted
            }
        };
        self.record_dial(line, buffer, outcome);
    }

    /// Records a finished or abandoned dial and reports it.
    pub(super) fn record_dial(&mut self, line: LineId, buffer: DialBuffer, outcome: DialOutcome) {
        let record = DialRecord {
            line,
            chunks: buffer.chunks,
            cancel_code: buffer.cancel_code,
            number: buffer.pending,
            outcome,
        };
        tracing::debug!(%record, "exchange: dialled");
        self.events
            .push_back(ExchangeEvent::Dialled(record.clone()));
        self.dialled.push(record);
    }

    /// Classifies the digits collected so far.
    fn collected(&self, buffer: &DialBuffer) -> Collected {
        let pending = buffer.pending.as_str();
        let codes_allowed = buffer.cancel_code.is_none();
        let codes = &self.config.cancel_call_waiting_codes;
        if codes_allowed && codes.iter().any(|code| code == pending) {
            return Collected::CancelCode;
        }
        if let Some(line) = self.lookup(pending) {
            return Collected::Line(line);
        }
        if pending.len() >= self.config.max_number_length {
            return Collected::Unrouted;
        }
        let prefix_of_code = codes_allowed && codes.iter().any(|code| code.starts_with(pending));
        let prefix_of_number = self
            .directory
            .range::<str, _>((
                std::ops::Bound::Included(pending),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|(form, _)| form.starts_with(pending));
        if !prefix_of_code && !prefix_of_number && pending.len() >= self.config.local_number_length
        {
            return Collected::Unrouted;
        }
        Collected::Incomplete
    }

    /// The line a complete number reaches, in any of its dialable forms.
    fn lookup(&self, number: &str) -> Option<LineId> {
        if number.is_empty() {
            return None;
        }
        self.directory.get(number).copied()
    }

    /// The ways a subscriber number can be dialled: as is, and with the area code (with and
    /// without the leading `1`) when the exchange has one.
    pub(super) fn dialable_forms<'a>(
        &'a self,
        number: &'a str,
    ) -> impl Iterator<Item = String> + 'a {
        let area = self.config.area_code.as_deref();
        std::iter::once(number.to_owned()).chain(
            area.into_iter()
                .flat_map(move |area| [format!("{area}{number}"), format!("1{area}{number}")]),
        )
    }
}
