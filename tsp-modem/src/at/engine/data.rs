//! Online data state: pass-through, in-band `NO CARRIER`, and the `+++` escape.

use std::time::Instant;

use bytes::Bytes;

use super::{Engine, EscapePhase, Mode};
use crate::at::command::ESCAPE_OK_WAIT;
use crate::at::config::CarrierDetect;
use crate::at::event::{CarrierLoss, Event};
use crate::at::parse::{CR, LF};

/// The text that ends a call on a port without DCD.
const NO_CARRIER: &[u8] = b"NO CARRIER";

/// At most this many CR/LF bytes may precede the text.
const MAX_LEADING_BREAKS: usize = 8;

/// How a candidate buffer compares with `[CR|LF]* NO CARRIER [blanks] (CR|LF)`.
#[derive(Debug, PartialEq, Eq)]
enum Match {
    /// The whole text is there; the bytes up to and including its terminator.
    Complete(usize),
    /// Everything so far could be the start of it.
    Prefix,
    /// It is data.
    No,
}

fn match_no_carrier(candidate: &[u8]) -> Match {
    let breaks = candidate
        .iter()
        .take_while(|&&b| b == CR || b == LF)
        .count();
    if breaks > MAX_LEADING_BREAKS {
        return Match::No;
    }
    let rest = &candidate[breaks..];
    if rest.len() < NO_CARRIER.len() {
        return if NO_CARRIER.starts_with(rest) {
            Match::Prefix
        } else {
            Match::No
        };
    }
    if !rest.starts_with(NO_CARRIER) {
        return Match::No;
    }
    let after = &rest[NO_CARRIER.len()..];
    let blanks = after.iter().take_while(|&&b| b == b' ').count();
    match after.get(blanks) {
        None if blanks <= 4 => Match::Prefix,
        Some(&b) if b == CR || b == LF => Match::Complete(breaks + NO_CARRIER.len() + blanks + 1),
        _ => Match::No,
    }
}

impl Engine {
    /// True while received bytes are data: online data mode, unless the escape is waiting for
    /// its `OK`.
    pub(super) fn input_is_data(&self) -> bool {
        self.mode == Mode::Data
            && !self
                .in_flight
                .as_ref()
                .is_some_and(|f| f.escape == Some(EscapePhase::AwaitOk))
    }

    /// Takes bytes in online data mode; after an in-band `NO CARRIER` returns the bytes that
    /// follow it, to be read in command state.
    pub(super) fn data_input<'i>(
        &mut self,
        mut input: &'i [u8],
        now: Instant,
    ) -> (&'i [u8], Option<Vec<u8>>) {
        if std::mem::take(&mut self.swallow_lf) && input.first() == Some(&LF) {
            input = &input[1..];
            if input.is_empty() {
                return (input, None);
            }
        }
        let previous_rx = self.last_rx.replace(now);
        let CarrierDetect::InBand { pause } = self.cfg.carrier_detect else {
            self.push_event(Event::Data(Bytes::copy_from_slice(input)));
            return (&[], None);
        };
        let after_pause = previous_rx.is_none_or(|t| now.saturating_duration_since(t) >= pause);
        if self.holdback.is_empty() && !after_pause {
            self.push_event(Event::Data(Bytes::copy_from_slice(input)));
            return (&[], None);
        }
        let mut candidate = std::mem::take(&mut self.holdback);
        candidate.extend_from_slice(input);
        match match_no_carrier(&candidate) {
            Match::Complete(len) => {
                self.holdback_since = None;
                tracing::debug!(device = %self.cfg.device, "NO CARRIER in data mode after a pause");
                if self.in_flight.is_some() {
                    self.interrupt("carrier loss", false, now);
                }
                self.enter_command_mode(CarrierLoss::Text);
                self.absorb_no_carrier = false;
                self.swallow_lf = candidate[len - 1] == CR;
                let rest = candidate.split_off(len);
                (&[], Some(rest))
            }
            Match::Prefix => {
                self.holdback = candidate;
                if self.holdback_since.is_none() {
                    self.holdback_since = Some(now);
                }
                (&[], None)
            }
            Match::No => {
                self.holdback_since = None;
                self.push_event(Event::Data(Bytes::from(candidate)));
                (&[], None)
            }
        }
    }

    /// Delivers held-back bytes as data (the `NO CARRIER` they might have started never came).
    pub(super) fn flush_holdback(&mut self) {
        self.holdback_since = None;
        if !self.holdback.is_empty() {
            let data = std::mem::take(&mut self.holdback);
            self.push_event(Event::Data(Bytes::from(data)));
        }
    }

    /// Advances the `+++` escape through its guard times.
    ///
    /// Hayes escape (hayes.md §6): silence of at least the guard time (S12), three S2 characters,
    /// silence of at least the guard time; then the modem answers `OK` in online command state.
    /// The engine refuses [`Engine::write_data`] during the whole escape so nothing is sent
    /// inside the guard times.
    pub(super) fn escape_timers(&mut self, now: Instant) {
        let guard = self.regs.guard();
        let escape_char = self.regs.escape_char;
        let Some(f) = self.in_flight.as_mut() else {
            return;
        };
        if let Some(EscapePhase::GuardBefore(until)) = f.escape {
            if now < until {
                return;
            }
            tracing::debug!(device = %self.cfg.device, "sending +++");
            self.transmit.push_back(Bytes::from(vec![escape_char; 3]));
            f.escape = Some(EscapePhase::GuardAfter(now + guard));
        }
        if let Some(EscapePhase::GuardAfter(until)) = f.escape {
            if now < until {
                return;
            }
            f.escape = Some(EscapePhase::AwaitOk);
            f.deadline = now + ESCAPE_OK_WAIT;
            // Whatever the digester holds from before was data; the modem's answer starts fresh.
            self.flush_holdback();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_carrier_matching() {
        assert_eq!(match_no_carrier(b"\r\nNO CARRIER\r\n"), Match::Complete(13));
        assert_eq!(match_no_carrier(b"NO CARRIER\n"), Match::Complete(11));
        assert_eq!(match_no_carrier(b"\r\nNO CAR"), Match::Prefix);
        assert_eq!(match_no_carrier(b"\r\n"), Match::Prefix);
        assert_eq!(match_no_carrier(b"\r\nNO CARRIERS"), Match::No);
        assert_eq!(match_no_carrier(b"hello"), Match::No);
        assert_eq!(match_no_carrier(&[CR; 9]), Match::No);
    }
}
