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
        if let Some(f) = self.in_flight.as_mut()
            && matches!(f.escape, Some(EscapePhase::GuardAfter(_)))
        {
            return self.guard_input(input, now);
        }
        let previous_rx = self.last_rx.replace(now);
        if self.passthrough {
            self.push_event(Event::Data(Bytes::copy_from_slice(input)));
            return (&[], None);
        }
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

    /// Bytes in the guard time after `+++`. They are data (the far end may still be sending),
    /// held until the guard time ends, unless they end with an `OK` line: a modem whose S12 is
    /// shorter than the engine believes (an `ATS12=` in a raw init string, a simulator running
    /// faster than life) answers the escape before the engine's guard time is over.
    fn guard_input<'i>(&mut self, input: &'i [u8], now: Instant) -> (&'i [u8], Option<Vec<u8>>) {
        self.last_rx = Some(now);
        let numeric = self.format == super::Format::Numeric;
        let Some(f) = self.in_flight.as_mut() else {
            return (&[], None);
        };
        f.guard_rx.extend_from_slice(input);
        if let Some(at) = ends_with_ok(&f.guard_rx, numeric) {
            let mut held = std::mem::take(&mut f.guard_rx);
            let lf_may_follow = held.last() == Some(&CR);
            held.truncate(at);
            if !held.is_empty() {
                self.push_event(Event::Data(Bytes::from(held)));
            }
            tracing::debug!(device = %self.cfg.device, "OK to +++ within the guard time");
            self.complete(super::super::parse::FinalResult::Ok, lf_may_follow, now);
            return (&[], None);
        }
        if f.guard_rx.len() > super::ESCAPE_REPLAY_LIMIT {
            let held = std::mem::take(&mut f.guard_rx);
            self.push_event(Event::Data(Bytes::from(held)));
        }
        (&[], None)
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
            let held = std::mem::take(&mut f.guard_rx);
            if !held.is_empty() {
                self.push_event(Event::Data(Bytes::from(held)));
            }
            // Whatever the digester holds from before was data; the modem's answer starts fresh.
            self.flush_holdback();
        }
    }
}

/// Where an `OK` result line that ends `rx` starts: `OK` (or `0` under `V0`) with its terminator,
/// at the start of `rx` or after a CR/LF, with only CR/LF after it.
fn ends_with_ok(rx: &[u8], numeric: bool) -> Option<usize> {
    let body_end = rx.iter().rposition(|&b| b != CR && b != LF)? + 1;
    if body_end == rx.len() {
        return None; // not terminated yet
    }
    let word: &[u8] = if numeric { b"0" } else { b"OK" };
    let start = body_end.checked_sub(word.len())?;
    if &rx[start..body_end] != word {
        return None;
    }
    let preceded = start == 0 || matches!(rx[start - 1], CR | LF);
    if !preceded {
        return None;
    }
    let leading = rx[..start]
        .iter()
        .rev()
        .take_while(|&&b| b == CR || b == LF)
        .count();
    Some(start - leading)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ok_inside_the_guard_time_after_the_plus_signs_completes_the_escape() {
        use crate::at::{Command, EngineConfig, Mode};
        use std::time::Duration;
        let t0 = Instant::now();
        let mut engine = super::Engine::new(EngineConfig::default(), t0);
        let Ok(dial) = engine.send(Command::At, t0) else {
            return;
        };
        engine.handle_input(b"\r\nOK\r\n", t0);
        let _ = dial;
        let t1 = t0 + Duration::from_millis(200);
        let Ok(number) = crate::at::DialString::new("5551212") else {
            return;
        };
        let _ = engine.send(
            Command::Dial {
                number,
                voice: false,
            },
            t1,
        );
        engine.handle_input(b"\r\nCONNECT 9600\r\n", t1);
        assert_eq!(engine.mode(), Mode::Data);
        let t2 = t1 + Duration::from_millis(10);
        let _ = engine.send(Command::Escape, t2);
        // No data was written, so the guard before is already over: +++ goes at once.
        let written: Vec<_> = std::iter::from_fn(|| engine.poll_transmit()).collect();
        assert_eq!(written.last().map(|b| &b[..]), Some(&b"+++"[..]));
        let plus_at = t2;
        // The modem's S12 is shorter: its OK comes 50 ms after the plus signs, with data before.
        engine.handle_input(b"tail\r\nOK\r\n", plus_at + Duration::from_millis(50));
        assert_eq!(engine.mode(), Mode::OnlineCommand);
        let events: Vec<_> = std::iter::from_fn(|| engine.poll_event()).collect();
        assert!(
            events.contains(&Event::Data(Bytes::from_static(b"tail"))),
            "{events:?}"
        );
        assert!(
            events.iter().any(|e| matches!(
                e,
                Event::Completed {
                    command: Command::Escape,
                    result: Ok(_),
                    ..
                }
            )),
            "{events:?}"
        );
    }

    #[test]
    fn an_ok_line_at_the_end_of_the_guard_window_is_found() {
        assert_eq!(ends_with_ok(b"\r\nOK\r\n", false), Some(0));
        assert_eq!(ends_with_ok(b"late data\r\nOK\r", false), Some(9));
        assert_eq!(ends_with_ok(b"OK\r\n", false), Some(0));
        assert_eq!(ends_with_ok(b"\r\nOK", false), None, "not terminated");
        assert_eq!(ends_with_ok(b"BOOK\r\n", false), None);
        assert_eq!(ends_with_ok(b"data", false), None);
        assert_eq!(ends_with_ok(b"0\r", true), Some(0));
        assert_eq!(ends_with_ok(b"0\r", false), None);
    }

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
