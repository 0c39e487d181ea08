//! Hanging up (drop, close_call, close), device loss, and the end of the task.

use tsp_sdk::spi::{CallStateChange, RequestId};
use tsp_sdk::{DisconnectMode, LineErr};

use super::super::request::Reply;
use super::{DTR_LOW, LineTask};
use crate::at::{AtError, Command, CommandId, Mode, Response};
use crate::transport::DriverError;

/// A hang-up in progress: DTR drop where the port has DTR, else abort the attempt in progress,
/// take the port back from an application's protocol (a fax call's T.30, a voice stream: its
/// end, then up to 2 s for its final result) or `+++`, then `ATH`.
#[derive(Debug)]
pub(crate) struct Hangup {
    /// The drop to complete when done.
    request: Option<RequestId>,
    /// Report IDLE for the call when done (a drop; not a close_call or close).
    report_idle: bool,
    /// close_call / close waiting for it.
    waiters: Vec<Reply<()>>,
    /// The escape or `ATH` sent.
    pub(super) outstanding: Option<CommandId>,
    step: Step,
    dtr_done: bool,
    /// When the dial or answer in progress was aborted (any character, V.250 5.6.1).
    aborted: Option<std::time::Instant>,
    /// `ATH` written over an attempt that ignored the abort.
    hung_up_blind: bool,
    /// `+++` escapes tried so far.
    escapes: u8,
    /// What ends the application's protocol if passthrough is on (task::audio's end for a
    /// voice stream, `<DLE><ETX>` otherwise), and, once written, until when its final result
    /// is waited for before `ATH`.
    passthrough_end: Vec<u8>,
    ending_until: Option<std::time::Instant>,
}

/// How long a hang-up waits for the final result after taking the port back from passthrough
/// (the modem finishing `+VTX` after `<DLE><CAN>`, or abandoning a reception).
const PASSTHROUGH_END_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// How long a dial or answer may ignore the abort character before `ATH` is written over it
/// (spandsp-based modems such as iaxmodem ignore a lone character while dialing but take `ATH`).
pub(super) const ABORT_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// How many times a hang-up tries the `+++` escape: a modem that missed the guard time (a busy
/// machine, a slow USB stack) usually takes the next one.
const MAX_ESCAPES: u8 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Escape,
    HangUp,
}

impl LineTask {
    /// Starts hanging up; `request` completes and the call goes IDLE when it is done (if
    /// `report_idle`).
    pub(super) fn start_hangup(&mut self, request: Option<RequestId>, report_idle: bool) {
        if let Some(h) = self.hangup.as_mut() {
            // Already hanging up (a close_call's silent hang-up, say): the drop rides along.
            if request.is_some() {
                h.request = request;
            }
            h.report_idle |= report_idle;
            return;
        }
        self.data = None;
        let passthrough_end = self
            .audio
            .take()
            .map_or_else(|| vec![0x10, 0x03], |a| a.direction.abandon().to_vec());
        if let Some(call) = self.call.as_mut() {
            call.next = None;
        }
        self.hangup = Some(Hangup {
            request,
            report_idle,
            waiters: Vec::new(),
            outstanding: None,
            step: Step::HangUp,
            dtr_done: false,
            aborted: None,
            hung_up_blind: false,
            escapes: 0,
            passthrough_end,
            ending_until: None,
        });
    }

    /// When the hang-up next needs a look without new input: the end of [`ABORT_WAIT`].
    pub(super) fn hangup_due(&self) -> Option<std::time::Instant> {
        let h = self.hangup.as_ref()?;
        if h.ending_until.is_some() {
            return h.ending_until;
        }
        match (h.aborted, h.hung_up_blind) {
            (Some(at), false) => Some(at + ABORT_WAIT),
            _ => None,
        }
    }

    /// Adds a close_call or close that waits for the hang-up.
    pub(super) fn wait_for_hangup(&mut self, reply: Reply<()>) {
        match self.hangup.as_mut() {
            Some(h) => h.waiters.push(reply),
            None => {
                let _ = reply.send(Ok(()));
            }
        }
    }

    /// Takes the hang-up one step further. True if something happened.
    pub(super) async fn advance_hangup(&mut self) -> Result<bool, DriverError> {
        let Some(h) = self.hangup.as_mut() else {
            return Ok(false);
        };
        if h.outstanding.is_some() {
            return Ok(false);
        }
        if !h.dtr_done && self.driver.has_control_lines() {
            h.dtr_done = true;
            self.driver.cycle_dtr(DTR_LOW).await?;
            return Ok(true);
        }
        if let Some(until) = h.ending_until {
            if self.clock.now() < until {
                return Ok(false);
            }
            h.ending_until = None;
        }
        match self.driver.engine().in_flight() {
            Some(Command::Dial { .. } | Command::Answer) => {
                let now = self.clock.now();
                match h.aborted {
                    None => {
                        h.aborted = Some(now);
                        self.driver.abort_attempt().await?;
                        return Ok(true);
                    }
                    Some(at) if !h.hung_up_blind && now >= at + ABORT_WAIT => {
                        h.hung_up_blind = true;
                        tracing::debug!(port = %self.port, "the attempt ignored the abort; ATH over it");
                        self.driver.hang_up_blind().await?;
                        return Ok(true);
                    }
                    _ => return Ok(false),
                }
            }
            Some(_) => return Ok(false),
            None => {}
        }
        if self.driver.engine().passthrough() {
            // The application's protocol ends first (its final result is waited for, briefly).
            let end = std::mem::take(&mut h.passthrough_end);
            h.ending_until = Some(self.clock.now() + PASSTHROUGH_END_WAIT);
            self.driver.end_passthrough(&end).await?;
            return Ok(true);
        }
        if self.driver.engine().queued() > 0 {
            return Ok(false);
        }
        let (command, step) = match self.driver.engine().mode() {
            Mode::Data => (Command::Escape, Step::Escape),
            Mode::OnlineCommand | Mode::Command => (Command::HangUp, Step::HangUp),
        };
        match self.driver.engine_mut().send(command, self.clock.now()) {
            Ok(id) => {
                if let Some(h) = self.hangup.as_mut() {
                    h.outstanding = Some(id);
                    h.step = step;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot hang up");
                self.finish_hangup(false);
            }
        }
        Ok(true)
    }

    /// A final result nobody asked for: the end of passthrough a hang-up waits for.
    pub(super) fn hangup_heard_end(&mut self) {
        if let Some(h) = self.hangup.as_mut()
            && h.ending_until.take().is_some()
        {
            tracing::debug!(port = %self.port, "the application's protocol ended");
        }
    }

    pub(super) fn hangup_step_done(&mut self, result: Result<Response, AtError>) {
        let Some(h) = self.hangup.as_mut() else {
            return;
        };
        h.outstanding = None;
        match (h.step, result) {
            (Step::Escape, Ok(_)) => {}
            (Step::Escape, Err(e)) => {
                if self.driver.engine().mode() == Mode::Data {
                    h.escapes += 1;
                    if h.escapes < MAX_ESCAPES {
                        tracing::info!(error = %e, attempt = h.escapes, "the +++ escape was not taken; trying again");
                    } else {
                        tracing::warn!(error = %e, "the +++ escape failed {MAX_ESCAPES} times; the modem is still online");
                        self.finish_hangup(false);
                    }
                }
            }
            (Step::HangUp, Ok(_) | Err(AtError::Rejected { .. })) => self.finish_hangup(true),
            (Step::HangUp, Err(e)) => {
                tracing::warn!(error = %e, "ATH failed");
                self.finish_hangup(false);
            }
        }
    }

    /// The hang-up is over: complete the drop, report IDLE, release the waiters.
    pub(super) fn finish_hangup(&mut self, ok: bool) {
        let Some(h) = self.hangup.take() else {
            return;
        };
        if let Some(call) = self.call.as_mut() {
            call.off_hook = !ok;
            call.attempt = None;
            call.class_command = None;
        }
        if let Some(request) = h.request {
            let result = if ok {
                Ok(())
            } else {
                Err(self.failed("drop_call", "the modem did not hang up"))
            };
            self.finish_request(request, result);
        }
        if h.report_idle && (ok || self.lost) {
            self.emit(CallStateChange::Idle);
        }
        for waiter in h.waiters {
            let _ = waiter.send(Ok(()));
        }
        if self.closing.is_some() {
            self.done = true;
        }
    }

    /// The port failed: the call ends (DISCONNECTED(UNAVAIL), IDLE), pending requests fail, and
    /// the host is asked to close the line (T§4 forced close). The task keeps answering until
    /// then.
    pub(super) fn device_lost(&mut self, error: &DriverError) {
        if self.lost {
            return;
        }
        self.lost = true;
        tracing::error!(port = %self.port, %error, "device lost");
        let why = format!("{error}");
        if let Some(call) = self.call.as_mut()
            && let Some(request) = call.creating.take()
        {
            call.pending.retain(|(r, _)| *r != request);
            let error = tsp_sdk::Error::new(LineErr::OperationFailed)
                .operation("make_call")
                .device(self.port.clone())
                .detail(why.clone());
            self.complete(request, Err(error));
            self.forget_call();
        }
        if let Some(call) = self.call.as_mut() {
            call.off_hook = false;
            call.attempt = None;
            call.class_command = None;
            call.next = None;
            if !call.is_idle() {
                if !matches!(call.state, CallStateChange::Disconnected(_)) {
                    self.emit(super::super::outcome::disconnected(
                        DisconnectMode::UNAVAIL,
                        self.version,
                    ));
                }
                self.emit(CallStateChange::Idle);
            }
        }
        if let Some(h) = self.hangup.as_mut() {
            h.report_idle = false;
        }
        self.finish_hangup(false);
        self.fail_pending(&why);
        self.data = None;
        self.ringing = super::Ringing::default();
        if self.closing.is_none()
            && let Err(violation) = self.sink.request_close(self.line)
        {
            tracing::error!(%violation, "close request refused by the sink");
        }
    }

    /// The end: the port closes (DTR drops), then `close` returns.
    pub(super) fn shut(self) {
        let LineTask {
            driver,
            closing,
            port,
            call,
            calls,
            ..
        } = self;
        drop(driver);
        if let Some(call) = call {
            calls
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&call.handle);
        }
        tracing::debug!(port = %port, "port closed");
        if let Some((reply, _)) = closing {
            let _ = reply.send(Ok(()));
        }
    }
}

impl Hangup {
    /// Whether a drop waits for this hang-up.
    pub(super) fn has_request(&self) -> bool {
        self.request.is_some()
    }

    /// The call is being closed: no completion (already failed), no IDLE.
    pub(super) fn silence(&mut self) {
        self.request = None;
        self.report_idle = false;
    }
}
