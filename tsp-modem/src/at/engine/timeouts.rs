//! Commands that end without their answer: timeouts, retries, interruptions, and the record of
//! answers still owed.

use std::time::Instant;

use bytes::Bytes;

use super::{Engine, EscapePhase, OWED_LIMIT, Owed};
use crate::at::command::{Command, ESCAPE_OK_WAIT};
use crate::at::error::AtError;
use crate::at::event::Event;

impl Engine {
    pub(super) fn owe(&mut self, command: Command, now: Instant) {
        if self.owed.len() >= OWED_LIMIT {
            self.owed.pop_front();
        }
        self.owed.push_back(Owed {
            command,
            until: now + self.cfg.late_result_window,
        });
    }

    pub(super) fn pop_owed(&mut self, now: Instant) -> Option<Command> {
        while let Some(o) = self.owed.pop_front() {
            if now <= o.until {
                return Some(o.command);
            }
        }
        None
    }

    /// Ends the command in flight with [`AtError::Interrupted`].
    pub(super) fn interrupt(&mut self, cause: &'static str, owe: bool, now: Instant) {
        let Some(f) = self.in_flight.take() else {
            return;
        };
        if owe && !matches!(f.command, Command::Escape) {
            self.owe(f.command.clone(), now);
        }
        let error = AtError::Interrupted {
            device: self.cfg.device.clone(),
            command: f.command.name(),
            cause,
        };
        self.report(f.id, f.command, Err(error));
        self.next_start = now + self.cfg.pacing;
    }

    pub(super) fn command_timed_out(&mut self, now: Instant) {
        let Some(f) = self.in_flight.as_mut() else {
            return;
        };
        let timeout = f.command.timeout(&self.regs);
        if f.escape == Some(EscapePhase::AwaitOk) {
            let Some(f) = self.in_flight.take() else {
                return;
            };
            tracing::warn!(device = %self.cfg.device, "no OK after +++; still online");
            self.digester.take();
            if !f.escape_replay.is_empty() {
                self.push_event(Event::Data(Bytes::from(f.escape_replay)));
            }
            let error = AtError::Timeout {
                device: self.cfg.device.clone(),
                command: f.command.name(),
                after: ESCAPE_OK_WAIT,
                attempts: 1,
            };
            self.report(f.id, f.command, Err(error));
            return;
        }
        let command = f.command.clone();
        if f.attempts <= f.command.retries() {
            f.attempts += 1;
            f.deadline = now + timeout;
            f.echo_seen = false;
            f.info.clear();
            f.intermediates.clear();
            tracing::warn!(
                device = %self.cfg.device,
                command = %command.name(),
                attempt = f.attempts,
                "no answer; sending again"
            );
            self.transmit.push_back(Bytes::from(command.encode()));
            self.owe(command, now);
            return;
        }
        let Some(f) = self.in_flight.take() else {
            return;
        };
        self.owe(command, now);
        // Nothing came back, not even an echo: what was known about echo may be wrong.
        self.echo = None;
        let error = AtError::Timeout {
            device: self.cfg.device.clone(),
            command: f.command.name(),
            after: timeout,
            attempts: f.attempts,
        };
        tracing::warn!(device = %self.cfg.device, error = %error, "command timed out");
        self.report(f.id, f.command, Err(error));
        self.next_start = now + self.cfg.pacing;
    }
}
