//! A modem that stops answering (no result to a command within its timeout, hayes.md §13):
//! the line resets it (DTR drop where the port has one, then `ATZ` and the init again), reports
//! `LINEDEVSTATE_OUTOFSERVICE` to TAPI if the reset gets no answer either, retries every
//! [`RETRY`] of the modem's clock, and reports `LINEDEVSTATE_INSERVICE` once the modem answers
//! and is initialised again. While out of service, `make_call` and `answer` fail with
//! `LINEERR_INVALLINESTATE` naming the port.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use tsp_sdk::LineDevStates;
use tsp_sdk::spi::LineEvent;

use super::LineTask;
use crate::at::{AtError, Command, CommandId, Response, ServiceClass};
use crate::transport::DriverError;

/// How long the line waits between resets of a modem that does not answer (modem time).
pub(crate) const RETRY: Duration = Duration::from_secs(30);

/// The recovery of a silent modem.
#[derive(Debug)]
pub(crate) struct Recovery {
    /// When the next reset may start.
    due: Instant,
    /// The command of this attempt on the wire.
    outstanding: Option<CommandId>,
    /// What is left of this attempt after the reset (the init commands).
    steps: VecDeque<Command>,
    /// `LINEDEVSTATE_OUTOFSERVICE` was reported.
    reported: bool,
    /// Attempts so far.
    attempts: u32,
}

impl LineTask {
    /// A command got no answer in its time: start (or keep) recovering.
    pub(super) fn modem_silent(&mut self, error: &AtError) {
        if self.recovery.is_some() || self.lost {
            return;
        }
        tracing::warn!(port = %self.port, %error, "the modem does not answer; resetting it");
        self.recovery = Some(Recovery {
            due: self.clock.now(),
            outstanding: None,
            steps: VecDeque::new(),
            reported: false,
            attempts: 0,
        });
    }

    /// Whether the line is out of service (reported so to TAPI).
    pub(super) fn out_of_service(&self) -> bool {
        self.recovery.as_ref().is_some_and(|r| r.reported)
    }

    /// When the recovery next needs a look: only while the line is quiet (a call or a hang-up
    /// wakes the task itself when it ends), so a due time in the past never spins the task.
    pub(super) fn recovery_due(&self) -> Option<Instant> {
        if !self.quiet() {
            return None;
        }
        self.recovery
            .as_ref()
            .filter(|r| r.outstanding.is_none())
            .map(|r| r.due)
    }

    /// No call, no hang-up, no command on the wire: a reset may start.
    fn quiet(&self) -> bool {
        self.call.is_none() && self.hangup.is_none() && self.driver.engine().in_flight().is_none()
    }

    /// The commands that bring a reset modem back to what the line relies on (as `open` does).
    fn reinit_commands(&self) -> VecDeque<Command> {
        let mut steps: VecDeque<Command> = VecDeque::new();
        steps.push_back(Command::Echo(false));
        steps.push_back(Command::Verbose(true));
        if let Ok(init) = self.profile.init_commands() {
            steps.extend(init);
        }
        steps.push_back(Command::Echo(false));
        steps.push_back(Command::Verbose(true));
        // The family's first caller-ID command (a refusal is logged and the rest goes on).
        if let Some(cid) = self.profile.caller_id.commands().into_iter().next() {
            steps.push_back(cid);
        }
        steps.push_back(Command::SetRegister {
            register: 0,
            value: 0,
        });
        if self.classes.data() {
            steps.push_back(Command::SetServiceClass(ServiceClass::Data));
        }
        steps
    }

    /// Takes the recovery one step further when it is due and the line is otherwise quiet.
    /// True if something happened.
    pub(super) async fn advance_recovery(&mut self) -> Result<bool, DriverError> {
        let now = self.clock.now();
        let quiet = self.quiet();
        let Some(r) = self.recovery.as_mut() else {
            return Ok(false);
        };
        if r.outstanding.is_some() || now < r.due || !quiet {
            return Ok(false);
        }
        r.attempts += 1;
        tracing::info!(port = %self.port, attempt = r.attempts, "resetting the modem");
        self.driver.cycle_dtr(super::DTR_LOW).await?;
        let steps = self.reinit_commands();
        let id = self.driver.engine_mut().send(Command::Reset, now);
        let Some(r) = self.recovery.as_mut() else {
            return Ok(true);
        };
        r.steps = steps;
        match id {
            Ok(id) => r.outstanding = Some(id),
            Err(e) => {
                tracing::warn!(port = %self.port, error = %e, "cannot queue the reset");
                r.due = now + RETRY;
            }
        }
        Ok(true)
    }

    /// A recovery command finished. True if `id` was one.
    pub(super) fn recovery_step_done(
        &mut self,
        id: CommandId,
        result: &Result<Response, AtError>,
    ) -> bool {
        let now = self.clock.now();
        let Some(r) = self.recovery.as_mut() else {
            return false;
        };
        if r.outstanding != Some(id) {
            return false;
        }
        r.outstanding = None;
        match result {
            Err(AtError::Timeout { .. }) => {
                r.due = now + RETRY;
                let first = !r.reported;
                r.reported = true;
                if first {
                    tracing::warn!(port = %self.port, "the modem does not answer a reset either; the line is out of service");
                    self.line_state(LineDevStates::OUTOFSERVICE);
                }
                return true;
            }
            Err(e) => {
                tracing::warn!(port = %self.port, error = %e, "a command of the modem's re-initialisation failed; going on")
            }
            Ok(_) => {}
        }
        let next = r.steps.pop_front();
        match next {
            Some(command) => match self.driver.engine_mut().send(command, now) {
                Ok(id) => {
                    if let Some(r) = self.recovery.as_mut() {
                        r.outstanding = Some(id);
                    }
                }
                Err(e) => {
                    tracing::warn!(port = %self.port, error = %e, "cannot queue the re-initialisation");
                    if let Some(r) = self.recovery.as_mut() {
                        r.due = now + RETRY;
                    }
                }
            },
            None => {
                let reported = r.reported;
                self.recovery = None;
                tracing::info!(port = %self.port, "the modem answers again");
                if reported {
                    self.line_state(LineDevStates::INSERVICE);
                }
            }
        }
        true
    }

    fn line_state(&self, states: LineDevStates) {
        let event = LineEvent::LineDevState {
            states,
            p2: 0,
            p3: 0,
        };
        if let Err(violation) = self.sink.event(self.line, event) {
            tracing::error!(%violation, "line state refused by the sink");
        }
    }
}
