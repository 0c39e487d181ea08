//! Command state: lines in, echo dropped, results matched to the command in flight.

use std::time::Instant;

use super::{ESCAPE_REPLAY_LIMIT, Engine, EscapePhase, Format, Mode, NUMERIC_IDLE, Queued};
use crate::at::command::Command;
use crate::at::digest::Digested;
use crate::at::error::AtError;
use crate::at::event::{CarrierLoss, Event, Response};
use crate::at::parse::{CR, CallerId, CallerIdField, FinalResult, LF, Line, ParseContext};

/// How long after a DTR hang-up a stray `OK` is taken as the modem's answer to it (hayes.md §8:
/// `&D2` hangs up; §12 #7: a late `OK` more than 2 s after the drop).
const DTR_OK_WINDOW: std::time::Duration = std::time::Duration::from_secs(5);

impl Engine {
    /// Numeric result codes are accepted under `V0` and while a command that may switch to it
    /// runs.
    fn accept_numeric(&self) -> bool {
        self.format == Format::Numeric
            || self
                .in_flight
                .as_ref()
                .is_some_and(|f| f.command.may_change_format())
    }

    /// Takes bytes in command state; returns the rest of the input and, after a switch to data
    /// mode, the buffered bytes that now are data.
    pub(super) fn command_input<'i>(
        &mut self,
        mut input: &'i [u8],
        now: Instant,
    ) -> (&'i [u8], Option<Vec<u8>>) {
        if std::mem::take(&mut self.swallow_lf) && input.first() == Some(&LF) {
            input = &input[1..];
        }
        let n = self.digester.push(input);
        if let Some(f) = self.in_flight.as_mut()
            && f.escape == Some(EscapePhase::AwaitOk)
        {
            let room = ESCAPE_REPLAY_LIMIT.saturating_sub(f.escape_replay.len());
            f.escape_replay.extend_from_slice(&input[..n.min(room)]);
        }
        self.last_rx = Some(now);
        self.drain_lines(false, now);
        let rest = &input[n..];
        if self.input_is_data() {
            return (rest, Some(self.digester.take()));
        }
        (rest, None)
    }

    /// Classifies and handles every complete line in the digester.
    pub(super) fn drain_lines(&mut self, idle: bool, now: Instant) {
        loop {
            let numeric = self.accept_numeric();
            let ctx = ParseContext {
                numeric,
                table: &self.cfg.quirks.numeric_codes,
                idle,
            };
            let Some(line) = self.digester.next_line(&ctx).map(Digested::into_owned) else {
                break;
            };
            self.on_line(line, now);
            if self.input_is_data() {
                return;
            }
        }
        self.numeric_flush_at =
            (self.accept_numeric() && !self.digester.is_empty()).then(|| now + NUMERIC_IDLE);
    }

    fn on_line(&mut self, digested: Digested<'static>, now: Instant) {
        let Digested {
            line,
            terminator,
            numeric,
        } = digested;
        tracing::trace!(device = %self.cfg.device, ?line, "line");
        match line {
            Line::Ring(ring) => {
                self.flush_caller_id();
                self.push_event(Event::Ring(ring));
            }
            Line::RingCadence(c) => self.push_event(Event::RingCadence(c)),
            Line::CallerId(field) => self.add_caller_id(field, now),
            Line::Text(text) => self.on_text(text.into_owned()),
            Line::Intermediate(i) => match self.in_flight.as_mut() {
                Some(f) => {
                    f.intermediates.push(i.clone());
                    if let Some(id) = f.id {
                        self.push_event(Event::Progress {
                            id,
                            intermediate: i,
                        });
                    }
                }
                None => self.push_event(Event::Text(i.to_string())),
            },
            Line::Result(result) => {
                self.flush_caller_id();
                self.format = if numeric {
                    Format::Numeric
                } else {
                    Format::Verbose
                };
                self.on_result(result, terminator == CR && !numeric, now);
            }
        }
    }

    fn add_caller_id(&mut self, field: CallerIdField<'_>, now: Instant) {
        if self.caller_id.as_ref().is_some_and(|(r, _)| r.has(&field)) {
            self.flush_caller_id();
        }
        let (record, last) = self
            .caller_id
            .get_or_insert_with(|| (CallerId::default(), now));
        record.add(field);
        *last = now;
    }

    fn is_echo(&self, text: &str, command: &Command) -> bool {
        let sent = command.to_string();
        text.eq_ignore_ascii_case(sent.trim())
            || (self.cfg.quirks.echo_any_at_line
                && text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("AT")))
    }

    fn on_text(&mut self, text: String) {
        let echo = match &self.in_flight {
            Some(f) => {
                f.command.echoes()
                    && !f.echo_seen
                    && f.info.is_empty()
                    && self.is_echo(&text, &f.command)
            }
            None => false,
        };
        let max_info = self.cfg.max_info_lines;
        match self.in_flight.as_mut() {
            Some(f) if echo => f.echo_seen = true,
            Some(f) if f.info.len() < max_info => f.info.push(text),
            Some(f) => tracing::warn!(
                device = %self.cfg.device,
                command = %f.command.name(),
                "more than {max_info} information lines; dropping the rest"
            ),
            None => self.push_event(Event::Text(text)),
        }
    }

    fn on_result(&mut self, result: FinalResult<'static>, lf_may_follow: bool, now: Instant) {
        if self.drain_until.is_some_and(|d| now < d) {
            tracing::debug!(device = %self.cfg.device, %result, "result during DTR drain; skipped");
            self.not_mine(result, now);
            return;
        }
        let Some(f) = &self.in_flight else {
            self.idle_result(result, lf_may_follow, now);
            return;
        };
        let before_echo = self.echo == Some(true) && f.command.echoes() && !f.echo_seen;
        if before_echo || !f.command.accepts(&result) {
            if let FinalResult::Connect(_) = result {
                // The modem went online (a late CONNECT): the line in flight went to the far end.
                self.interrupt("a late CONNECT", false, now);
                self.idle_result(result, lf_may_follow, now);
            } else if result == FinalResult::NoCarrier && !before_echo && self.owed.is_empty() {
                self.idle_result(result, lf_may_follow, now);
            } else {
                self.not_mine(result, now);
            }
            return;
        }
        self.complete(result, lf_may_follow, now);
    }

    /// A result code that belongs to no command in flight: a late answer, or stray.
    fn not_mine(&mut self, result: FinalResult<'static>, now: Instant) {
        match self.pop_owed(now) {
            Some(command) => {
                tracing::debug!(
                    device = %self.cfg.device,
                    command = %command.name(),
                    %result,
                    "late result"
                );
                self.push_event(Event::LateResult { command, result });
            }
            None => {
                let after_dtr_hangup = result == FinalResult::Ok
                    && self
                        .dtr_hangup_at
                        .is_some_and(|at| now.saturating_duration_since(at) <= DTR_OK_WINDOW);
                if after_dtr_hangup {
                    // The modem's own answer to the DTR drop, or to the ATH sent after it.
                    tracing::debug!(device = %self.cfg.device, "OK after a DTR hang-up; skipped");
                } else {
                    tracing::warn!(device = %self.cfg.device, %result, "result code answers nothing; skipped");
                }
                self.push_event(Event::StrayResult(result));
            }
        }
    }

    /// A result code with no command in flight.
    fn idle_result(&mut self, result: FinalResult<'static>, lf_may_follow: bool, now: Instant) {
        match result {
            FinalResult::NoCarrier if self.absorb_no_carrier => {
                self.absorb_no_carrier = false;
                tracing::debug!(device = %self.cfg.device, "NO CARRIER after carrier loss; already reported");
            }
            FinalResult::NoCarrier => match self.pop_owed(now) {
                Some(command) => self.push_event(Event::LateResult { command, result }),
                None => self.enter_command_mode(CarrierLoss::Text),
            },
            FinalResult::Connect(connect) => {
                let owed = self
                    .owed
                    .iter()
                    .position(|o| matches!(o.command, Command::Dial { .. } | Command::Answer));
                self.mode = Mode::Data;
                self.swallow_lf = lf_may_follow;
                self.absorb_no_carrier = false;
                self.last_rx = Some(now);
                match owed.and_then(|i| self.owed.remove(i)) {
                    Some(o) => self.push_event(Event::LateResult {
                        command: o.command,
                        result: FinalResult::Connect(connect),
                    }),
                    None => self.push_event(Event::Connected(connect)),
                }
            }
            other => self.not_mine(other, now),
        }
    }

    /// Leaves data or online command mode (carrier gone).
    pub(super) fn enter_command_mode(&mut self, cause: CarrierLoss) {
        if self.mode != Mode::Command || cause == CarrierLoss::Text {
            self.push_event(Event::CarrierLost(cause));
        }
        self.mode = Mode::Command;
        self.absorb_no_carrier = cause != CarrierLoss::Text;
        self.swallow_lf = false;
    }

    /// The command in flight got its final result.
    pub(super) fn complete(
        &mut self,
        result: FinalResult<'static>,
        lf_may_follow: bool,
        now: Instant,
    ) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        let success = result.is_success();
        let command = f.command;
        if success {
            match &command {
                Command::Echo(on) => self.echo = Some(*on),
                // These may change echo in ways the engine cannot see.
                Command::Reset | Command::FactoryDefaults | Command::Raw(_) => self.echo = None,
                Command::Escape => {}
                _ => self.echo = Some(f.echo_seen),
            }
            if let Command::SetRegister { register, value } = &command {
                self.regs.set(*register, *value);
            }
        }
        match (&result, &command) {
            (FinalResult::Connect(_), _) => {
                self.mode = Mode::Data;
                self.swallow_lf = lf_may_follow;
                self.absorb_no_carrier = false;
                self.last_rx = Some(now);
                self.last_data_tx = None;
            }
            (FinalResult::NoCarrier, _) => self.mode = Mode::Command,
            (FinalResult::Ok, Command::Escape) => self.mode = Mode::OnlineCommand,
            (FinalResult::Ok, Command::HangUp) => self.mode = Mode::Command,
            _ => {}
        }
        self.next_start = now + self.cfg.pacing;
        if success && matches!(command, Command::Reset | Command::FactoryDefaults) {
            self.next_start += self.cfg.quirks.reset_settle;
            if matches!(command, Command::Reset) && self.cfg.quirks.extra_at_after_reset {
                self.queue.push_front(Queued {
                    id: None,
                    command: Command::At,
                });
            }
        }
        let outcome = if success {
            Ok(Response {
                result,
                info: f.info,
                intermediates: f.intermediates,
            })
        } else {
            Err(AtError::Rejected {
                device: self.cfg.device.clone(),
                command: command.name(),
                result,
                info: f.info,
            })
        };
        self.report(f.id, command, outcome);
    }
}
