//! Fax Class 1 (ITU T.31; hayes.md §9): the modem does the modulations, the DTE does T.30.
//!
//! In `+FCLASS=1` (or `1.0`) a call is half-duplex signalling between two fax modems: the
//! answer tone, V.21 channel 2 carrying HDLC frames at 300 bit/s, and the high-speed
//! modulations (V.27 ter, V.29, V.17) carrying the training check and the page. The DTE drives
//! each transmission and reception with one command:
//!
//! | command | the modem | then |
//! |---|---|---|
//! | `+FTH=3` | starts V.21 flags, `CONNECT`; takes `<DLE>`-shielded frames, each ended by `<DLE><ETX>`, and sends each with its FCS | `CONNECT` after a frame whose control field's final bit is 0 (another may follow), `OK` after the final frame, once its carrier is off |
//! | `+FRH=3` | `CONNECT` when V.21 flags are heard; the frame, its two FCS bytes, `<DLE><ETX>` | `OK` (`ERROR` for a bad FCS); `NO CARRIER` if the carrier ends before a frame |
//! | `+FTM=<mod>` | trains, `CONNECT`; sends the DTE's data at the bit rate until `<DLE><ETX>` | `OK` once the last bit is out and the carrier is off |
//! | `+FRM=<mod>` | `CONNECT` when that carrier is trained; the data, shielded | `<DLE><ETX>` and `NO CARRIER` when the carrier ends |
//! | `+FTS=<n>` / `+FRS=<n>` | stops transmitting and waits `n` × 10 ms / waits for `n` × 10 ms of silence on the line | `OK` |
//!
//! A receive command that hears a different modulation answers `+FCERROR`; any character from
//! the DTE while a receive command waits (other than the flow-control characters DC1 and DC3)
//! abandons it with `OK` (T.31 8.3.4–8.3.5). Answering (`ATA`, or `S0`) sends the answer tone
//! (CED, 3 s) and then behaves as `+FTH=3`; dialling, once the far end answers, behaves as
//! `+FRH=3` until the far end's flags are heard or S7 runs out (`NO CARRIER`).
//!
//! Simulation choices: no audio is synthesized, so the line carries [`FaxSignal`]s; frames are
//! delivered whole when their last bit has been sent (a receiver not in `+FRH` at that moment
//! loses them, as a real one does), and high-speed data is released at the modulation's bit
//! rate on the simulated clock. A transmission never starts within 75 ms of the far end's
//! signal ending (T.30 5.3.2.4's turnaround delay, which the simulated modem keeps for DTEs that
//! answer at once). A receiver passes on 10 ms of zero bits after the last data, as a real
//! demodulator does while the far carrier turns off. A call-waiting tone on the line ends the session as it ends a data call: both
//! modems lose the signal, report `NO CARRIER` to a command in progress and hang up.

mod dle;

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::line::{CarrierKind, FaxSignal, LineAction, LineSignal, Modulation};

use super::InfoKind;
use super::SimModem;
use super::call::CallState;
use super::command::ExtOp;
use super::execute::Step;
use super::result::ResultCode;

pub(crate) use dle::{DLE, ETX, Unshield, Unshielded, fcs, shield};

/// How long the answer tone (CED) sounds: T.30 5.3.2 gives 2.6 to 4.0 s.
const ANSWER_TONE: Duration = Duration::from_secs(3);
/// T.30 5.3.2.4: 75 ± 20 ms between the end of a received signal and the start of a transmission.
const TURNAROUND: Duration = Duration::from_millis(75);
/// How far ahead of its bit-rate schedule high-speed data is released to the line.
const RELEASE_AHEAD: Duration = Duration::from_millis(40);
/// How often a transmission paced at its bit rate releases the next bytes.
const RELEASE_TICK: Duration = Duration::from_millis(20);
/// T.31 8.3.3: a transmitting DCE whose DTE sends no next frame within 5 s stops and answers
/// `ERROR`.
const FRAME_WAIT: Duration = Duration::from_secs(5);
/// A high-speed transmission whose DTE sends nothing (and no `<DLE><ETX>`) this long after the
/// buffer ran empty ends with `ERROR`.
const UNDERRUN_WAIT: Duration = Duration::from_secs(5);
/// Frame bytes one transmission keeps before it refuses more (a DTE that never sends
/// `<DLE><ETX>`).
const MAX_FRAME: usize = 4096;
/// High-speed data one transmission holds ahead of the line (a real DCE would flow-control the
/// DTE long before this).
const MAX_PENDING: usize = 4 << 20;
/// Flow-control characters a DTE may send while the modem receives (T.31 8.3.4).
const DC1: u8 = 0x11;
const DC3: u8 = 0x13;

/// What the far end sends now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remote {
    /// Nothing, since this instant.
    Quiet(Instant),
    /// The answer tone.
    AnswerTone,
    /// A trained carrier.
    Carrier(Modulation),
}

/// A fax call: off-hook in Class 1 with the voice path up.
#[derive(Debug, Clone)]
pub(crate) struct FaxCall {
    remote: Remote,
    action: Action,
}

/// What the modem is doing in the call.
#[derive(Debug, Clone)]
enum Action {
    /// Command state: waiting for the DTE's next command.
    Idle,
    /// Answering: the answer tone sounds until this instant, then `+FTH=3` follows.
    AnswerTone(Instant),
    /// `+FTH`/`+FTM` (or answering's V.21 flags).
    Transmit(Box<Transmit>),
    /// `+FRH`/`+FRM` (or dialling's wait for the far end's flags).
    Receive(Receive),
    /// `+FTS`: quiet until this instant, then `OK`.
    Pause(Instant),
    /// `+FRS`: `OK` once the line has been quiet this long, counted from no sooner than `from`.
    AwaitSilence { need: Duration, from: Instant },
}

/// A transmission in progress.
#[derive(Debug, Clone)]
struct Transmit {
    modulation: Modulation,
    /// The carrier starts at this instant (`CONNECT` to the DTE then).
    starts_at: Instant,
    started: bool,
    /// High speed: training is over and the far end has heard the carrier.
    carrier_sent: bool,
    unshield: Unshield,
    /// Unshielded DTE bytes not yet on the line: the frame being collected (V.21) or the data
    /// still to send (high speed).
    pending: Vec<u8>,
    /// High speed: how much of `pending` is already on the line (compacted now and then, so a
    /// release does not move what is left).
    head: usize,
    /// V.21: DTE bytes (still shielded) that came after a frame's `<DLE><ETX>`: the next frame.
    queued: Vec<u8>,
    /// `<DLE><ETX>` has ended the data (high speed) or the frame being collected (V.21).
    ended: bool,
    /// High speed: the buffer ran empty at this instant with no `<DLE><ETX>` (underrun).
    starved_since: Option<Instant>,
    /// The line has sent everything released so far by this instant.
    line_free_at: Instant,
    /// V.21: the frame on the line, when its last bit is sent, and whether it is the final one.
    sending: Option<(Instant, Bytes, bool)>,
    /// V.21: the DTE must start the next frame by then.
    frame_deadline: Option<Instant>,
}

impl Transmit {
    /// High-speed data not yet on the line.
    fn unsent(&self) -> &[u8] {
        &self.pending[self.head..]
    }

    /// Takes DTE bytes: unshielded into the frame or data; for V.21 what follows a frame's
    /// `<DLE><ETX>` waits in `queued` for the next frame.
    fn take_input(&mut self, bytes: &[u8]) {
        let hdlc = self.modulation.is_hdlc_v21();
        if self.ended {
            if hdlc {
                self.queued.extend_from_slice(bytes);
                self.queued.truncate(MAX_FRAME * 4);
            }
            return;
        }
        if let Unshielded::End(n) = self.unshield.feed(bytes, &mut self.pending) {
            self.ended = true;
            if hdlc {
                self.queued.extend_from_slice(&bytes[n..]);
                self.queued.truncate(MAX_FRAME * 4);
            }
            // High speed: what follows `<DLE><ETX>` before the `OK` is dropped, as a DCE
            // drops it.
        }
        self.pending
            .truncate(if hdlc { MAX_FRAME } else { MAX_PENDING });
    }

    /// V.21: the next frame starts from what the DTE already sent after the last one.
    fn take_queued(&mut self) {
        let queued = std::mem::take(&mut self.queued);
        if !queued.is_empty() {
            self.take_input(&queued);
        }
    }

    /// When the high-speed carrier is trained and data can flow.
    fn data_start(&self) -> Instant {
        self.starts_at + self.modulation.training()
    }
}

/// A reception in progress.
#[derive(Debug, Clone)]
struct Receive {
    modulation: Modulation,
    connected: bool,
    /// `NO CARRIER` if no carrier is heard by then (S7).
    deadline: Instant,
    /// Dialling's implied `+FRH=3`: failing it ends the call.
    after_dial: bool,
}

/// How long `bytes` take on the line at `bit_rate` bit/s.
fn air_time(bytes: usize, bit_rate: u32) -> Duration {
    let bits = u64::try_from(bytes).unwrap_or(u64::MAX).saturating_mul(8);
    Duration::from_nanos(bits.saturating_mul(1_000_000_000) / u64::from(bit_rate.max(1)))
}

impl FaxCall {
    /// A call just answered or just connected by the far end's answer.
    fn new(now: Instant) -> Self {
        Self {
            remote: Remote::Quiet(now),
            action: Action::Idle,
        }
    }

    /// The earliest timer.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match &self.action {
            Action::Idle => None,
            Action::AnswerTone(t) | Action::Pause(t) => Some(*t),
            Action::Receive(r) => (!r.connected).then_some(r.deadline),
            Action::AwaitSilence { need, from } => match self.remote {
                Remote::Quiet(since) => Some(since.max(*from) + *need),
                _ => None,
            },
            Action::Transmit(t) => {
                if !t.started {
                    Some(t.starts_at)
                } else if t.modulation.is_hdlc_v21() {
                    [t.sending.as_ref().map(|s| s.0), t.frame_deadline]
                        .into_iter()
                        .flatten()
                        .min()
                } else if !t.carrier_sent {
                    Some(t.data_start())
                } else if !t.unsent().is_empty() {
                    Some(
                        t.line_free_at
                            .checked_sub(RELEASE_AHEAD)
                            .unwrap_or(t.line_free_at),
                    )
                } else if t.ended {
                    Some(t.line_free_at)
                } else {
                    // Underrun: the first check at the line's end starts the 5 s count.
                    Some(
                        t.starved_since
                            .map_or(t.line_free_at, |since| since + UNDERRUN_WAIT),
                    )
                }
            }
        }
    }

    /// Whether this modem's own transmitter is on (tone or carrier).
    fn transmitting(&self) -> bool {
        match &self.action {
            Action::AnswerTone(_) => true,
            Action::Transmit(t) => t.started,
            _ => false,
        }
    }
}

impl SimModem {
    /// Whether Class 1 is selected (`+FCLASS=1` or `1.0`).
    pub(super) fn fax_class(&self) -> bool {
        matches!(self.settings.fclass, "1" | "1.0")
    }

    /// The fax call, if the modem is in one.
    fn fax(&mut self) -> Option<&mut FaxCall> {
        match &mut self.call {
            CallState::Fax(f) => Some(f),
            _ => None,
        }
    }

    /// `ATA` (or S0) in Class 1: off-hook, the answer tone, then V.21 flags and `CONNECT`.
    pub(super) fn fax_answer(&mut self, now: Instant) {
        tracing::debug!(modem = %self.label, "answering in fax class 1: CED");
        self.actions
            .push_back(LineAction::Fax(FaxSignal::AnswerTone));
        let mut call = FaxCall::new(now);
        call.action = Action::AnswerTone(now + ANSWER_TONE);
        self.call = CallState::Fax(call);
    }

    /// The far end answered a call dialled in Class 1: listen for its flags (implied `+FRH=3`).
    pub(super) fn fax_originate(&mut self, now: Instant) {
        tracing::debug!(modem = %self.label, "dialled in fax class 1: waiting for V.21 flags");
        let mut call = FaxCall::new(now);
        call.action = Action::Receive(Receive {
            modulation: Modulation::V21,
            connected: false,
            deadline: now + self.settings.regs.carrier_wait(),
            after_dial: true,
        });
        self.call = CallState::Fax(call);
    }

    /// What hanging up stops: the transmitter, if it is on.
    pub(super) fn fax_hang_up(&mut self) {
        if self.fax().is_some_and(|f| f.transmitting()) {
            self.actions.push_back(LineAction::Fax(FaxSignal::Silence));
        }
    }

    /// A fax action ended (or reached `CONNECT`): its result ends the command line.
    fn fax_result(&mut self, code: ResultCode, now: Instant) {
        self.awaiting_call = false;
        self.queue.clear();
        self.line_error = false;
        self.emit_result(code, now);
        self.in_line = false;
    }

    /// Back to command state with `code`.
    fn fax_done(&mut self, code: ResultCode, now: Instant) {
        if let Some(f) = self.fax() {
            f.action = Action::Idle;
        }
        self.fax_result(code, now);
    }

    /// The `+F…` commands of Class 1.
    pub(super) fn cmd_fax(&mut self, name: &str, op: ExtOp, now: Instant) -> Step {
        if !self.fax_class() {
            return Step::Error;
        }
        let list = |mods: &[u8]| mods.iter().map(u8::to_string).collect::<Vec<_>>().join(",");
        let high_speed: Vec<u8> = Modulation::HIGH_SPEED
            .iter()
            .copied()
            .filter(|&m| {
                Modulation::from_code(m).is_some_and(|m| m.bit_rate() <= self.profile.max_fax_rate)
            })
            .collect();
        let value = |v: &str| v.trim().parse::<u8>().ok();
        match (name, op) {
            ("+FTH" | "+FRH", ExtOp::Test) => self.emit_info(&["3"], InfoKind::Read, now),
            ("+FTM" | "+FRM", ExtOp::Test) => {
                self.emit_info(&[list(&high_speed)], InfoKind::Read, now);
            }
            ("+FTS" | "+FRS", ExtOp::Test) => self.emit_info(&["0-255"], InfoKind::Read, now),
            // Adaptive reception is not simulated: only `+FAR=0` is offered.
            ("+FAR", ExtOp::Test) => self.emit_info(&["0"], InfoKind::Read, now),
            ("+FAR", ExtOp::Read) => {
                self.emit_info(&["0"], InfoKind::Read, now);
            }
            ("+FAR", ExtOp::Set(v)) => {
                if value(&v) != Some(0) {
                    return Step::Error;
                }
            }
            ("+FTH" | "+FRH" | "+FTM" | "+FRM", ExtOp::Set(v)) => {
                let hdlc = name.ends_with('H');
                let Some(modulation) = value(&v).and_then(Modulation::from_code).filter(|m| {
                    m.is_hdlc_v21() == hdlc && (hdlc || high_speed.contains(&m.code()))
                }) else {
                    return Step::Error;
                };
                if !matches!(
                    self.fax(),
                    Some(FaxCall {
                        action: Action::Idle,
                        ..
                    })
                ) {
                    // On-hook, or not in a fax call (iaxmodem answers ERROR the same way).
                    return Step::Error;
                }
                if name.starts_with("+FT") {
                    self.begin_transmit(modulation, now, now);
                } else {
                    self.start_receive(modulation, now);
                }
                return self.fax_step();
            }
            ("+FTS" | "+FRS", ExtOp::Set(v)) => {
                let Some(ticks) = value(&v) else {
                    return Step::Error;
                };
                let wait = Duration::from_millis(10 * u64::from(ticks));
                let transmit = name == "+FTS";
                let Some(call) = self.fax() else {
                    return Step::Error;
                };
                if !matches!(call.action, Action::Idle) {
                    return Step::Error;
                }
                let quiet = matches!(call.remote, Remote::Quiet(_));
                if wait.is_zero() && (transmit || quiet) {
                    return Step::Next;
                }
                call.action = if transmit {
                    Action::Pause(now + wait)
                } else {
                    Action::AwaitSilence {
                        need: wait,
                        from: now,
                    }
                };
                // The rest of the command line runs when the wait is over (fax_wait_over).
                return Step::Suspend;
            }
            _ => return Step::Error,
        }
        Step::Next
    }

    /// `+FTS`/`+FRS` waited long enough: the rest of its command line runs (its final result
    /// ends the line, `OK` when nothing else fails).
    fn fax_wait_over(&mut self, now: Instant) {
        if let Some(f) = self.fax() {
            f.action = Action::Idle;
        }
        if std::mem::take(&mut self.awaiting_call) {
            self.run_queue(now);
        } else {
            self.emit_result(ResultCode::Ok, now);
        }
    }

    /// How a fax action just started leaves its command line: waiting for the action
    /// ([`Step::Suspend`]), or already answered (`CONNECT`, `+FCERROR` or `OK` went out, so the
    /// line ends without a result of its own).
    fn fax_step(&self) -> Step {
        if self.in_line {
            Step::Suspend
        } else {
            Step::Online
        }
    }

    /// `+FTH`/`+FTM` (or the flags after the answer tone): the carrier starts no sooner than
    /// `earliest`, nor than the turnaround after the far end's signal.
    fn begin_transmit(&mut self, modulation: Modulation, earliest: Instant, now: Instant) {
        let Some(call) = self.fax() else {
            return;
        };
        let mut starts_at = now.max(earliest);
        if let Remote::Quiet(since) = call.remote {
            starts_at = starts_at.max(since + TURNAROUND);
        }
        call.action = Action::Transmit(Box::new(Transmit {
            modulation,
            starts_at,
            started: false,
            carrier_sent: false,
            unshield: Unshield::default(),
            pending: Vec::new(),
            head: 0,
            queued: Vec::new(),
            ended: false,
            starved_since: None,
            line_free_at: starts_at,
            sending: None,
            frame_deadline: None,
        }));
        self.transmit_step(now);
    }

    /// `+FRH`/`+FRM`: `CONNECT` at once if that carrier is already on the line.
    fn start_receive(&mut self, modulation: Modulation, now: Instant) {
        let deadline = now + self.settings.regs.carrier_wait();
        let Some(call) = self.fax() else {
            return;
        };
        call.action = Action::Receive(Receive {
            modulation,
            connected: false,
            deadline,
            after_dial: false,
        });
        if let Remote::Carrier(heard) = call.remote {
            self.carrier_heard(heard, now);
        }
    }

    /// The far end's carrier is on while a receive command waits.
    fn carrier_heard(&mut self, heard: Modulation, now: Instant) {
        let Some(FaxCall {
            action: Action::Receive(r),
            ..
        }) = self.fax()
        else {
            return;
        };
        if r.connected {
            return;
        }
        if r.modulation.same_carrier(heard) {
            r.connected = true;
            tracing::debug!(modem = %self.label, %heard, "fax: receiving");
            self.fax_result(ResultCode::Connect(None), now);
        } else {
            tracing::debug!(modem = %self.label, %heard, "fax: a different modulation");
            self.fax_done(ResultCode::FcError, now);
        }
    }

    /// Whether a fax action (not the command interpreter) takes the DTE's bytes now.
    pub(super) fn fax_takes_input(&self) -> bool {
        matches!(&self.call, CallState::Fax(f) if !matches!(f.action, Action::Idle | Action::Pause(_)))
    }

    /// DTE bytes during a fax call, if a fax action takes them (`false` leaves them to the
    /// command interpreter). The LF of a CR LF that ended the command is dropped, and characters
    /// within 125 ms of that terminator do not abandon a wait (V.250 5.6.1, as for dialling).
    pub(super) fn fax_input(&mut self, bytes: &[u8], now: Instant) -> bool {
        if !self.fax_takes_input() {
            return false;
        }
        let bytes = self.after_terminator(bytes);
        if bytes.is_empty() {
            return true;
        }
        let in_grace = self.in_terminator_grace(now);
        // Only a wait the DTE has had no answer to yet: after `CONNECT` its characters are
        // deliberate.
        let abandons = matches!(
            &self.call,
            CallState::Fax(f) if match &f.action {
                Action::Receive(r) => !r.connected,
                Action::Transmit(_) => false,
                _ => true,
            }
        );
        if in_grace && abandons {
            return true;
        }
        self.fax_dte_input(bytes, now)
    }

    /// [`Self::fax_input`] once the terminator's LF and grace are dealt with.
    fn fax_dte_input(&mut self, bytes: &[u8], now: Instant) -> bool {
        let Some(call) = self.fax() else {
            return false;
        };
        match &mut call.action {
            Action::Idle | Action::Pause(_) => false,
            Action::AnswerTone(_) => {
                // Hanging up stops the tone.
                self.abort_attempt(now);
                true
            }
            Action::Receive(_) | Action::AwaitSilence { .. } => {
                if bytes.iter().any(|&b| b != DC1 && b != DC3) {
                    tracing::debug!(modem = %self.label, "fax: the DTE abandoned the reception");
                    self.fax_done(ResultCode::Ok, now);
                }
                true
            }
            Action::Transmit(t) => {
                t.take_input(bytes);
                self.transmit_step(now);
                true
            }
        }
    }

    /// A line signal during a fax call.
    pub(super) fn fax_signal(&mut self, signal: LineSignal, now: Instant) {
        match signal {
            LineSignal::Fax(FaxSignal::AnswerTone) => {
                if let Some(f) = self.fax() {
                    f.remote = Remote::AnswerTone;
                }
            }
            LineSignal::Fax(FaxSignal::Carrier(m)) => {
                if let Some(f) = self.fax() {
                    f.remote = Remote::Carrier(m);
                }
                self.carrier_heard(m, now);
            }
            // A far end modelled without T.31 (a scripted fax party, a simulated TAPI line with
            // G3FAX) offers one fax carrier for the whole call: its answer is a fax machine's
            // flags, its end the flags' end.
            LineSignal::RemoteCarrier(c) if c.kind == CarrierKind::Fax => {
                if let Some(f) = self.fax() {
                    f.remote = Remote::Carrier(Modulation::V21);
                }
                self.carrier_heard(Modulation::V21, now);
            }
            LineSignal::RemoteCarrierLost => self.remote_silence(now),
            LineSignal::Fax(FaxSignal::Silence) => self.remote_silence(now),
            LineSignal::Fax(FaxSignal::Frame(frame)) => self.frame_heard(&frame, now),
            LineSignal::Data(bytes) => {
                if let Some(FaxCall {
                    action: Action::Receive(r),
                    ..
                }) = self.fax()
                    && r.connected
                    && !r.modulation.is_hdlc_v21()
                {
                    let mut out = Vec::with_capacity(bytes.len() + 8);
                    shield(&bytes, &mut out);
                    self.deliver(&out, now);
                }
            }
            LineSignal::Released(_) | LineSignal::CallWaitingTone => {
                if let Some(FaxCall {
                    action: Action::Receive(r),
                    ..
                }) = self.fax()
                    && r.connected
                    && !r.modulation.is_hdlc_v21()
                {
                    // The data ends where the carrier did.
                    self.deliver(&[DLE, ETX], now);
                }
                let busy = !matches!(
                    self.fax(),
                    Some(FaxCall {
                        action: Action::Idle,
                        ..
                    })
                );
                tracing::debug!(modem = %self.label, ?signal, "fax: the session is lost");
                self.hang_up(now);
                if busy {
                    self.fax_result(ResultCode::NoCarrier, now);
                }
            }
            _ => {}
        }
    }

    /// The far end went quiet.
    fn remote_silence(&mut self, now: Instant) {
        let Some(call) = self.fax() else {
            return;
        };
        call.remote = Remote::Quiet(now);
        match &call.action {
            Action::Receive(r) if r.connected => {
                if !r.modulation.is_hdlc_v21() {
                    // The demodulator's last bits: the transmitter's turn-off sequence reads as
                    // zeros (fill, in T.4 terms). A DTE decoding T.4 looks a byte past the end
                    // of a code (efax does), so real page data never ends at its last bit.
                    let tail = usize::try_from(r.modulation.bit_rate() / 8 / 100).unwrap_or(0);
                    let mut out = vec![0u8; tail];
                    out.extend([DLE, ETX]);
                    self.deliver(&out, now);
                }
                // V.21: the flags ended without (another) frame.
                self.fax_done(ResultCode::NoCarrier, now);
            }
            _ => self.fax_timeout(now),
        }
    }

    /// A whole HDLC frame arrived: to the DTE if `+FRH` is listening, else lost.
    fn frame_heard(&mut self, frame: &[u8], now: Instant) {
        let listening = matches!(
            self.fax(),
            Some(FaxCall { action: Action::Receive(r), .. }) if r.connected && r.modulation.is_hdlc_v21()
        );
        if !listening {
            tracing::debug!(modem = %self.label, "fax: a frame went by with nobody listening");
            return;
        }
        let mut out = Vec::with_capacity(frame.len() + 8);
        shield(frame, &mut out);
        shield(&fcs(frame), &mut out);
        out.extend([DLE, ETX]);
        self.deliver(&out, now);
        self.fax_done(ResultCode::Ok, now);
    }

    /// Run the fax call's timers.
    pub(super) fn fax_timeout(&mut self, now: Instant) {
        let Some(call) = self.fax() else {
            return;
        };
        let remote = call.remote;
        match &call.action {
            Action::Idle => {}
            Action::AnswerTone(until) => {
                let until = *until;
                if now >= until {
                    self.actions.push_back(LineAction::Fax(FaxSignal::Silence));
                    // The V.21 flags follow the tone after the turnaround gap.
                    self.begin_transmit(Modulation::V21, until + TURNAROUND, now);
                }
            }
            Action::Pause(until) => {
                if now >= *until {
                    self.fax_wait_over(now);
                }
            }
            Action::AwaitSilence { need, from } => {
                if let Remote::Quiet(since) = remote
                    && now >= since.max(*from) + *need
                {
                    self.fax_wait_over(now);
                }
            }
            Action::Receive(r) => {
                if !r.connected && now >= r.deadline {
                    let after_dial = r.after_dial;
                    tracing::debug!(modem = %self.label, "fax: no carrier within S7");
                    if after_dial {
                        self.hang_up(now);
                        self.fax_result(ResultCode::NoCarrier, now);
                    } else {
                        self.fax_done(ResultCode::NoCarrier, now);
                    }
                }
            }
            Action::Transmit(_) => self.transmit_step(now),
        }
    }

    /// Move a transmission along: start its carrier, send frames or data as the clock allows,
    /// end it.
    fn transmit_step(&mut self, now: Instant) {
        let CallState::Fax(FaxCall {
            action: Action::Transmit(t),
            ..
        }) = &mut self.call
        else {
            return;
        };
        let t = &mut **t;
        let actions = &mut self.actions;
        let mut results = Vec::new();
        let mut done = false;
        if !t.started {
            if now < t.starts_at {
                return;
            }
            t.started = true;
            results.push(ResultCode::Connect(None));
            if t.modulation.is_hdlc_v21() {
                // The flags are what the far end's +FRH detects; the first frame follows the
                // preamble.
                actions.push_back(LineAction::Fax(FaxSignal::Carrier(t.modulation)));
                t.line_free_at = t.data_start();
                t.frame_deadline = Some(now + FRAME_WAIT);
            }
        }
        if t.modulation.is_hdlc_v21() {
            if t.sending.as_ref().is_some_and(|s| now >= s.0)
                && let Some((_, frame, last)) = t.sending.take()
            {
                actions.push_back(LineAction::Fax(FaxSignal::Frame(frame)));
                if last {
                    actions.push_back(LineAction::Fax(FaxSignal::Silence));
                    results.push(ResultCode::Ok);
                    done = true;
                } else {
                    t.frame_deadline = Some(now + FRAME_WAIT);
                    results.push(ResultCode::Connect(None));
                }
            }
            if !done && t.sending.is_none() && t.ended {
                t.ended = false;
                t.frame_deadline = None;
                let frame = Bytes::from(std::mem::take(&mut t.pending));
                t.take_queued();
                if frame.is_empty() {
                    // `<DLE><ETX>` alone: stop the flags (T.31 8.3.3).
                    actions.push_back(LineAction::Fax(FaxSignal::Silence));
                    results.push(ResultCode::Ok);
                    done = true;
                } else {
                    // The control field's final bit (0x10 as sent, least significant bit
                    // first) marks the last frame of this transmission.
                    let last = frame.get(1).is_some_and(|c| c & 0x10 != 0);
                    // Address, control, information, two FCS bytes and a closing flag.
                    let ends = t.line_free_at.max(now)
                        + air_time(frame.len() + 3, t.modulation.bit_rate());
                    t.line_free_at = ends;
                    t.sending = Some((ends, frame, last));
                }
            }
            if !done && t.sending.is_none() && t.frame_deadline.is_some_and(|d| now >= d) {
                actions.push_back(LineAction::Fax(FaxSignal::Silence));
                results.push(ResultCode::Error);
                done = true;
            }
        } else {
            if !t.carrier_sent && now >= t.data_start() {
                actions.push_back(LineAction::Fax(FaxSignal::Carrier(t.modulation)));
                t.carrier_sent = true;
                t.line_free_at = t.data_start();
            }
            if t.carrier_sent && !t.unsent().is_empty() && now + RELEASE_AHEAD >= t.line_free_at {
                t.starved_since = None;
                // What the line can carry up to a tick past the release horizon.
                let from = t.line_free_at.max(now);
                let room = (now + RELEASE_AHEAD + RELEASE_TICK).saturating_duration_since(from);
                let per_second = u128::from(t.modulation.bit_rate() / 8);
                let n = usize::try_from(room.as_nanos() * per_second / 1_000_000_000)
                    .unwrap_or(usize::MAX)
                    .clamp(1, t.unsent().len());
                let chunk = Bytes::copy_from_slice(&t.unsent()[..n]);
                t.head += n;
                if t.head == t.pending.len() {
                    t.pending.clear();
                    t.head = 0;
                } else if t.head > 64 * 1024 && t.head * 2 > t.pending.len() {
                    t.pending.drain(..t.head);
                    t.head = 0;
                }
                t.line_free_at = from + air_time(n, t.modulation.bit_rate());
                actions.push_back(LineAction::Data(chunk));
            } else if t.carrier_sent && t.unsent().is_empty() && now >= t.line_free_at {
                if t.ended {
                    actions.push_back(LineAction::Fax(FaxSignal::Silence));
                    results.push(ResultCode::Ok);
                    done = true;
                } else {
                    // Underrun: nothing more from the DTE and no <DLE><ETX>. After 5 s the DCE
                    // gives up (carrier off, ERROR), so a DTE that died cannot leave it sending.
                    let since = *t.starved_since.get_or_insert(now);
                    if now >= since + UNDERRUN_WAIT {
                        actions.push_back(LineAction::Fax(FaxSignal::Silence));
                        results.push(ResultCode::Error);
                        done = true;
                    }
                }
            }
        }
        if done && let CallState::Fax(f) = &mut self.call {
            f.action = Action::Idle;
        }
        if results.contains(&ResultCode::Error) {
            tracing::debug!(modem = %self.label, "fax: nothing from the DTE within 5 s");
        }
        for code in results {
            self.fax_result(code, now);
        }
    }
}
