//! The line side of the modem: dialling, answering, training, the connection and its loss
//! (hayes.md §3, §4, §5.2, §6, §8, §10).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::line::{Carrier, CarrierKind, CarrierRole, LineAction, LineSignal};

use super::dial::{DialPlan, DialStep, SHORT_PAUSE};
use super::fax::FaxCall;
use super::profile::ConnectReport;
use super::result::ResultCode;
use super::{MAX_HELD_RX, SimModem};

/// How long a `!` hook flash keeps the modem busy before the next dial step.
const FLASH_TIME: Duration = Duration::from_millis(500);

/// What the modem waits for while dialling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DialWait {
    /// Nothing: run the next step.
    Ready,
    /// A fixed pause (blind-dial wait, `,`, `/`, flash).
    Until(Instant),
    /// A dial tone, until the deadline.
    DialTone(Instant),
    /// `@`: the far end answering, until the deadline.
    Quiet(Instant),
}

/// Dialling in progress.
#[derive(Debug, Clone)]
pub(crate) struct Dialing {
    steps: VecDeque<DialStep>,
    wait: DialWait,
    voice: bool,
    /// Voice mode without `;`: after the digits, wait for the far end's answer (`+VRA`/`+VRN`).
    await_answer: bool,
    uses_wait_dial_tone: bool,
    uses_quiet_answer: bool,
    dial_tone_heard: bool,
    answered: bool,
    remote: Option<Carrier>,
}

/// Off-hook with a carrier started or about to be, waiting for the far end's carrier and training.
#[derive(Debug, Clone)]
pub(crate) struct Connecting {
    role: CarrierRole,
    kind: CarrierKind,
    deadline: Instant,
    carrier_started: bool,
    remote: Option<Carrier>,
    trained_at: Option<Instant>,
    uses_wait_dial_tone: bool,
    uses_quiet_answer: bool,
}

/// A connection.
#[derive(Debug, Clone)]
pub(crate) struct Online {
    /// The line rate, bit/s.
    pub(crate) rate: u32,
    kind: CarrierKind,
    role: CarrierRole,
    /// Online data state (`false`: online command state).
    pub(crate) data_mode: bool,
    /// The far end's carrier went away: hang up at this instant unless it comes back (S10).
    lost_at: Option<Instant>,
}

/// Where the call is.
#[derive(Debug, Clone)]
pub(crate) enum CallState {
    /// On-hook.
    Idle,
    /// Off-hook, dialling.
    Dialing(Dialing),
    /// Off-hook, carrier handshake.
    Connecting(Connecting),
    /// Connected.
    Online(Online),
    /// Off-hook in command state with no carrier (after `D…;`, `H1`, or class 8).
    Voice,
    /// A fax call in Class 1: T.31 signalling, one command at a time.
    Fax(FaxCall),
}

impl CallState {
    /// A dial or answer attempt that a DTE character would abort.
    pub(crate) fn attempt_in_progress(&self) -> bool {
        matches!(self, Self::Dialing(_) | Self::Connecting(_))
    }

    /// Training (the handshake cannot be aborted from the DTE).
    pub(crate) fn training(&self) -> bool {
        matches!(self, Self::Connecting(c) if c.trained_at.is_some())
    }

    /// The next timer of the call.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match self {
            Self::Idle | Self::Voice => None,
            Self::Dialing(d) => match d.wait {
                DialWait::Ready => None,
                DialWait::Until(t) | DialWait::Quiet(t) | DialWait::DialTone(t) => Some(t),
            },
            Self::Connecting(c) => Some(c.trained_at.map_or(c.deadline, |t| t.min(c.deadline))),
            Self::Online(o) => o.lost_at,
            Self::Fax(f) => f.deadline(),
        }
    }
}

/// Two carriers make a connection when they have opposite roles and the same kind.
fn compatible(role: CarrierRole, kind: CarrierKind, remote: &Carrier) -> bool {
    remote.role != role && remote.kind == kind
}

/// Why an attempt failed, before the X level decides the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    NoDialtone,
    Busy,
    NoAnswer,
    NoCarrier,
}

impl SimModem {
    /// The carrier kind and rate this modem offers under the current `+FCLASS`.
    fn carrier_offer(&self) -> (CarrierKind, u32) {
        if self.settings.fclass == "0" {
            (CarrierKind::Data, self.profile.max_data_rate)
        } else {
            (CarrierKind::Fax, self.profile.max_fax_rate)
        }
    }

    /// Start dialling `plan` (the `D` command). `Voice` state dials on without a new dial tone.
    pub(super) fn start_dial(&mut self, plan: DialPlan, now: Instant) {
        let mut wait = DialWait::Ready;
        if matches!(self.call, CallState::Idle) {
            self.actions.push_back(LineAction::OffHook);
            self.ringing = false;
            let s6 = now + self.settings.regs.blind_dial_wait();
            wait = if self.settings.detects_dial_tone() {
                DialWait::DialTone(s6)
            } else {
                DialWait::Until(s6)
            };
            if plan.steps.is_empty() && !plan.voice && !self.voice_mode() {
                // `ATD` alone: originate at once (manual dialling already done).
                self.call = CallState::Dialing(Dialing {
                    steps: VecDeque::new(),
                    wait: DialWait::Ready,
                    voice: false,
                    await_answer: false,
                    uses_wait_dial_tone: false,
                    uses_quiet_answer: false,
                    dial_tone_heard: false,
                    answered: true,
                    remote: None,
                });
                self.advance_dial(now);
                return;
            }
        }
        tracing::debug!(modem = %self.label, steps = plan.steps.len(), voice = plan.voice, "dialling");
        self.call = CallState::Dialing(Dialing {
            steps: plan.steps.into(),
            wait,
            voice: plan.voice || self.voice_mode(),
            await_answer: self.voice_mode() && !plan.voice,
            uses_wait_dial_tone: plan.uses_wait_dial_tone,
            uses_quiet_answer: plan.uses_quiet_answer,
            dial_tone_heard: false,
            answered: false,
            remote: None,
        });
        self.advance_dial(now);
    }

    /// Answer: off-hook (unless already) and start the answer carrier.
    pub(super) fn start_answer(&mut self, now: Instant) {
        if matches!(self.call, CallState::Idle) {
            self.actions.push_back(LineAction::OffHook);
        }
        self.ringing = false;
        if self.voice_mode() {
            self.call = CallState::Voice;
            self.voice.off_hook(now);
            return;
        }
        if self.fax_class() {
            self.fax_answer(now);
            return;
        }
        let (kind, max_rate) = self.carrier_offer();
        self.actions.push_back(LineAction::StartCarrier(Carrier {
            role: CarrierRole::Answer,
            kind,
            max_rate,
        }));
        tracing::debug!(modem = %self.label, ?kind, "answering");
        self.call = CallState::Connecting(Connecting {
            role: CarrierRole::Answer,
            kind,
            deadline: now + self.settings.regs.carrier_wait(),
            carrier_started: true,
            remote: None,
            trained_at: None,
            uses_wait_dial_tone: false,
            uses_quiet_answer: false,
        });
    }

    /// Run dial steps until one has to wait.
    fn advance_dial(&mut self, now: Instant) {
        loop {
            let CallState::Dialing(d) = &mut self.call else {
                return;
            };
            if d.wait != DialWait::Ready {
                return;
            }
            let Some(step) = d.steps.pop_front() else {
                break;
            };
            match step {
                DialStep::Digits(digits) => {
                    d.dial_tone_heard = false;
                    self.actions.push_back(LineAction::Digits(digits));
                }
                DialStep::Comma => d.wait = DialWait::Until(now + self.settings.regs.comma_pause()),
                DialStep::ShortPause => d.wait = DialWait::Until(now + SHORT_PAUSE),
                DialStep::Flash => {
                    d.dial_tone_heard = false;
                    self.actions.push_back(LineAction::Flash);
                    d.wait = DialWait::Until(now + FLASH_TIME);
                }
                DialStep::WaitDialTone => {
                    if !d.dial_tone_heard {
                        let deadline = now + self.settings.regs.carrier_wait();
                        d.wait = DialWait::DialTone(deadline);
                    }
                }
                DialStep::WaitQuiet => {
                    if !d.answered {
                        d.wait = DialWait::Quiet(now + self.settings.regs.carrier_wait());
                    }
                }
            }
        }
        // All steps done.
        let CallState::Dialing(d) = &self.call else {
            return;
        };
        if d.voice {
            let await_answer = d.await_answer;
            self.call = CallState::Voice;
            if await_answer {
                tracing::debug!(modem = %self.label, "dialled (voice mode): waiting for the answer");
                self.voice.off_hook(now);
                self.voice_await_answer(now);
                return;
            }
            tracing::debug!(modem = %self.label, "dialled (voice): command state");
            self.attempt_result(ResultCode::Ok, now);
            return;
        }
        let (kind, max_rate) = self.carrier_offer();
        let answered = d.answered;
        let remote = d.remote;
        self.call = CallState::Connecting(Connecting {
            role: CarrierRole::Originate,
            kind,
            deadline: now + self.settings.regs.carrier_wait(),
            carrier_started: false,
            remote,
            trained_at: None,
            uses_wait_dial_tone: d.uses_wait_dial_tone,
            uses_quiet_answer: d.uses_quiet_answer,
        });
        if answered {
            self.start_originate_carrier(kind, max_rate, now);
        }
    }

    fn start_originate_carrier(&mut self, kind: CarrierKind, max_rate: u32, now: Instant) {
        if self.fax_class() {
            // Class 1 sends no carrier of its own: T.30 starts with the far end's flags.
            self.fax_originate(now);
            return;
        }
        self.actions.push_back(LineAction::StartCarrier(Carrier {
            role: CarrierRole::Originate,
            kind,
            max_rate,
        }));
        if let CallState::Connecting(c) = &mut self.call {
            c.carrier_started = true;
        }
        self.maybe_train(now);
    }

    /// Both carriers present and compatible: start the training timer.
    fn maybe_train(&mut self, now: Instant) {
        let training = self.profile.training_time;
        if let CallState::Connecting(c) = &mut self.call {
            let ok = c.carrier_started && c.remote.is_some_and(|r| compatible(c.role, c.kind, &r));
            if ok && c.trained_at.is_none() {
                c.trained_at = Some(now + training);
            } else if !ok {
                c.trained_at = None;
            }
        }
    }

    /// Training done: CONNECT, DCD, online data.
    fn connected(&mut self, now: Instant) {
        let CallState::Connecting(c) = &self.call else {
            return;
        };
        let own = match c.kind {
            CarrierKind::Data => self.profile.max_data_rate,
            CarrierKind::Fax => self.profile.max_fax_rate,
        };
        let rate = c.remote.map_or(own, |r| r.max_rate.min(own));
        let (kind, role) = (c.kind, c.role);
        tracing::debug!(modem = %self.label, rate, ?kind, ?role, "connected");
        self.call = CallState::Online(Online {
            rate,
            kind,
            role,
            data_mode: true,
            lost_at: None,
        });
        self.escape.restart(now);
        self.awaiting_call = false;
        self.queue.clear();
        self.line_error = false;
        self.report_connect(now);
    }

    /// Send the CONNECT result (with W1 intermediates) for the current connection.
    pub(super) fn report_connect(&mut self, now: Instant) {
        let CallState::Online(o) = &self.call else {
            return;
        };
        let codes: Vec<ResultCode> = if o.kind == CarrierKind::Fax || self.settings.x_level() == 0 {
            vec![ResultCode::Connect(None)]
        } else {
            match self.settings.connect_report {
                ConnectReport::DteRate => vec![ResultCode::Connect(Some(self.profile.dte_rate))],
                ConnectReport::Intermediates => vec![
                    ResultCode::Carrier(o.rate),
                    ResultCode::ProtocolNone,
                    ResultCode::Connect(Some(self.profile.dte_rate)),
                ],
                ConnectReport::LineRate => vec![ResultCode::Connect(Some(o.rate))],
            }
        };
        for code in codes {
            self.emit_result(code, now);
        }
        self.in_line = false;
        self.info_sent = None;
        let held = std::mem::take(&mut self.held_rx);
        self.deliver(&held, now);
    }

    /// Keeps received bytes (up to a bound) for the computer until the modem is back online.
    fn hold_rx(&mut self, bytes: &[u8]) {
        let room = MAX_HELD_RX.saturating_sub(self.held_rx.len());
        self.held_rx
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// Go on-hook, stopping any carrier. No result code.
    pub(super) fn hang_up(&mut self, _now: Instant) {
        let carrier = match &self.call {
            CallState::Idle => return,
            CallState::Connecting(c) => c.carrier_started,
            CallState::Online(_) => true,
            CallState::Dialing(_) | CallState::Voice => false,
            CallState::Fax(_) => {
                self.fax_hang_up();
                false
            }
        };
        if carrier {
            self.actions.push_back(LineAction::StopCarrier);
        }
        self.actions.push_back(LineAction::OnHook);
        tracing::debug!(modem = %self.label, "on-hook");
        self.call = CallState::Idle;
        self.voice.reset();
        self.held_rx.clear();
        self.settings.regs.set_internal(1, 0);
        self.last_ring_at = None;
    }

    /// The code a failure is reported with under the current X level and dial modifiers.
    fn failure_code(&self, failure: Failure) -> ResultCode {
        let (w, at) = match &self.call {
            CallState::Dialing(d) => (d.uses_wait_dial_tone, d.uses_quiet_answer),
            CallState::Connecting(c) => (c.uses_wait_dial_tone, c.uses_quiet_answer),
            _ => (false, false),
        };
        match failure {
            Failure::NoDialtone if self.settings.detects_dial_tone() || w => ResultCode::NoDialtone,
            Failure::Busy if self.settings.detects_busy() || w || at => ResultCode::Busy,
            Failure::NoAnswer => ResultCode::NoAnswer,
            _ => ResultCode::NoCarrier,
        }
    }

    /// An attempt or a connection ended: hang up and report.
    fn fail(&mut self, failure: Failure, now: Instant) {
        let code = self.failure_code(failure);
        tracing::debug!(modem = %self.label, ?failure, ?code, "call ended");
        self.hang_up(now);
        self.attempt_result(code, now);
    }

    /// Report the end of a dial/answer attempt: to the command line that started it, if any.
    pub(super) fn attempt_result(&mut self, code: ResultCode, now: Instant) {
        if std::mem::take(&mut self.awaiting_call) {
            if code == ResultCode::Ok {
                // `D…;`: the rest of the line runs now.
                self.run_queue(now);
            } else {
                self.queue.clear();
                self.line_error = false;
                self.emit_result(code, now);
            }
        } else {
            self.emit_result(code, now);
        }
    }

    /// A DTE character arrived during a dial or answer attempt.
    pub(super) fn abort_attempt(&mut self, now: Instant) {
        tracing::debug!(modem = %self.label, "attempt aborted by the DTE");
        self.hang_up(now);
        let code = if self.profile.abort_says_ok {
            ResultCode::Ok
        } else {
            ResultCode::NoCarrier
        };
        // An abort never runs the rest of the line.
        self.queue.clear();
        self.line_error = false;
        self.awaiting_call = false;
        self.emit_result(code, now);
    }

    /// DTR went off.
    pub(super) fn dtr_dropped(&mut self, now: Instant) {
        match self.settings.dtr_mode {
            0 => {}
            1 => {
                if self.is_online_data() {
                    self.escape_to_command(now);
                }
            }
            2 => {
                self.editor.reset();
                if self.is_off_hook() {
                    self.hang_up(now);
                    self.queue.clear();
                    self.line_error = false;
                    self.awaiting_call = false;
                    self.emit_result(ResultCode::Ok, now);
                }
            }
            _ => {
                self.hang_up(now);
                self.reset_line_state();
                self.settings = self.stored.clone();
                tracing::debug!(modem = %self.label, "DTR drop with &D3: reset");
            }
        }
    }

    /// A signal from the exchange.
    pub(super) fn line_signal(&mut self, signal: LineSignal, now: Instant) {
        tracing::trace!(modem = %self.label, ?signal, "line signal");
        match &mut self.call {
            CallState::Idle => self.idle_signal(signal, now),
            CallState::Voice => self.voice_signal(signal, now),
            CallState::Fax(_) => self.fax_signal(signal, now),
            CallState::Dialing(d) => match signal {
                LineSignal::DialTone => {
                    d.dial_tone_heard = true;
                    if matches!(d.wait, DialWait::DialTone(_)) {
                        d.wait = DialWait::Ready;
                        self.advance_dial(now);
                    }
                }
                LineSignal::Answered => {
                    d.answered = true;
                    if matches!(d.wait, DialWait::Quiet(_)) {
                        d.wait = DialWait::Ready;
                        self.advance_dial(now);
                    }
                }
                LineSignal::RemoteCarrier(c) => d.remote = Some(c),
                LineSignal::RemoteCarrierLost => d.remote = None,
                LineSignal::Busy | LineSignal::Reorder => self.busy_heard(now),
                LineSignal::Released(_) => self.fail(Failure::NoCarrier, now),
                _ => {}
            },
            CallState::Connecting(c) => match signal {
                LineSignal::Answered if !c.carrier_started && c.role == CarrierRole::Originate => {
                    let (kind, max_rate) = self.carrier_offer();
                    self.start_originate_carrier(kind, max_rate, now);
                }
                LineSignal::RemoteCarrier(r) => {
                    c.remote = Some(r);
                    self.maybe_train(now);
                }
                LineSignal::RemoteCarrierLost => {
                    c.remote = None;
                    self.maybe_train(now);
                }
                LineSignal::Busy | LineSignal::Reorder => self.busy_heard(now),
                LineSignal::Released(_) | LineSignal::CallWaitingTone => {
                    self.fail(Failure::NoCarrier, now)
                }
                // The far modem finished training first; real pairs finish together, so keep
                // what it sent for our CONNECT.
                LineSignal::Data(bytes) => self.hold_rx(&bytes),
                _ => {}
            },
            CallState::Online(o) => match signal {
                LineSignal::Data(bytes) => {
                    if o.data_mode {
                        self.out.push_bytes(bytes, now);
                    } else {
                        self.hold_rx(&bytes);
                    }
                }
                LineSignal::Noise(bytes) if o.data_mode => self.deliver(&bytes, now),
                LineSignal::RemoteCarrierLost if o.lost_at.is_none() => {
                    o.lost_at = Some(now + self.settings.regs.carrier_loss_wait());
                }
                LineSignal::RemoteCarrier(r) if compatible(o.role, o.kind, &r) => o.lost_at = None,
                LineSignal::Released(_) | LineSignal::CallWaitingTone => self.carrier_lost(now),
                _ => {}
            },
        }
    }

    /// Busy or reorder tone while dialling or waiting for carrier.
    fn busy_heard(&mut self, now: Instant) {
        if self.failure_code(Failure::Busy) == ResultCode::Busy {
            self.fail(Failure::Busy, now);
        }
        // Otherwise the tone is not recognised: S7 runs out (NO CARRIER).
    }

    /// The connection is gone: hang up, `NO CARRIER`, DCD down.
    fn carrier_lost(&mut self, now: Instant) {
        tracing::debug!(modem = %self.label, "carrier lost");
        self.hang_up(now);
        self.emit_result(ResultCode::NoCarrier, now);
    }

    /// Run the call's timers.
    pub(super) fn call_timeout(&mut self, now: Instant) {
        match &mut self.call {
            CallState::Idle => {}
            CallState::Voice => self.voice_timeout(now),
            CallState::Fax(_) => self.fax_timeout(now),
            CallState::Dialing(d) => match d.wait {
                DialWait::Ready => {}
                DialWait::Until(t) => {
                    if now >= t {
                        d.wait = DialWait::Ready;
                        self.advance_dial(now);
                    }
                }
                DialWait::DialTone(deadline) => {
                    if now >= deadline {
                        self.fail(Failure::NoDialtone, now);
                    }
                }
                DialWait::Quiet(t) => {
                    if now >= t {
                        self.fail(Failure::NoAnswer, now);
                    }
                }
            },
            CallState::Connecting(c) => {
                if c.trained_at.is_some_and(|t| now >= t) {
                    self.connected(now);
                } else if now >= c.deadline {
                    self.fail(Failure::NoCarrier, now);
                }
            }
            CallState::Online(o) => {
                if o.lost_at.is_some_and(|t| now >= t) {
                    self.carrier_lost(now);
                }
            }
        }
    }
}
