//! A simulated Hayes (V.250) modem on a subscriber line (hayes.md §1–§12).
//!
//! [`SimModem`] is a sans-IO state machine with two faces: [`DteSide`] (the serial port a
//! computer talks to: bytes and control lines) and [`Terminal`] (the line towards the exchange:
//! hook, digits, carrier, payload). Time is always passed in; [`Terminal::poll_timeout`] says when
//! [`Terminal::handle_timeout`] is next due.
//!
//! What it does, in V.250 terms:
//!
//! * Command state: `AT`/`at` prefix (mixed case per [`Profile::mixed_case_prefix`]), S3/S5, echo
//!   per `E`, body length limit per profile, `A/`, concatenated commands with the first failure
//!   stopping the line. Basic commands `A D E H I L M O P Q T V W X Z &C &D &F &V &W`, `Sn=v`,
//!   `Sn?`, `Sn`/`?`; the profile's passive commands (`&K3`, `&H1` …) are accepted and remembered.
//!   Extended commands `+FCLASS`, `+GMI +GMM +GMR +GSN +GCAP`, `+VCID`/`#CID` (per profile),
//!   `+IPR`, `+IFC`, `+FAA=0` (adaptive answer off, the only setting), and in fax Class 1 (ITU T.31) `+FTH +FRH +FTM +FRM +FTS +FRS +FAR`: see
//!   the `fax` module's table (its source) and [`crate::line::FaxSignal`].
//! * Result codes verbose or numeric per `V`, suppressed by `Q1`, the subset and call-progress
//!   detection per `X` (hayes.md §4), CONNECT text per `W` and `+FCLASS`.
//! * Dialling with `T P , W @ ! ; L` (see the simulation choices below), answering by `ATA` or
//!   S0 auto-answer, RING and caller ID between rings, data mode, the `+++` escape with S12 guard
//!   time, `ATO`, `ATH`, DTR handling per `&D`, DCD per `&C`, RI during ring bursts, DSR while
//!   powered.
//!
//! Simulation choices (where real modems differ or the line model is coarser than audio):
//!
//! * Blind dialling (X0, X1, X3) waits S6 seconds after going off-hook whatever the line does;
//!   with dial-tone detection (X2, X4) the modem waits up to S6 seconds for
//!   [`LineSignal::DialTone`] and reports `NO DIALTONE` otherwise.
//! * `W` waits up to S7 for a dial tone heard since the last digits were sent.
//! * `@` ("wait for quiet answer") waits up to S7 for [`LineSignal::Answered`]; if it does not
//!   come, the result is `NO ANSWER`. Busy and reorder are reported as `BUSY` whatever the X level
//!   when the dial string contains `W` or `@`.
//! * Without busy detection (X0–X2) a busy or reorder tone is not recognised: the modem waits out
//!   S7 and reports `NO CARRIER`.
//! * A data carrier connects when the far end's carrier has the other role and the same kind;
//!   `CONNECT` follows after [`Profile::training_time`]. The rate is the lower of both ends'.
//! * `+FCLASS=8` (voice, ITU V.253): `+VLS +VSM +VTX +VRX +VTS +VSD +VGT +VGR +VRA +VRN +VIT +VDR
//!   +VNH +VTD`, `<DLE>` events and audio over the line: see the `voice` module's table (its
//!   source) and [`crate::line::VoiceSignal`]. Dialling waits for the far end's answer (`+VRA`,
//!   `+VRN`) before `OK` (with `;`, `OK` follows the dial string); `ATA` takes the line off-hook
//!   with `OK`.
//! * DTR drop with `&D2` hangs up and answers `OK` (as the Zoom 2949L's stale OK shows real modems
//!   do); `&D3` hangs up and resets silently. DTR is considered on until told otherwise (a pty has
//!   no DTR).
//! * A character from the DTE while dialling or waiting for the far end (but not during training,
//!   nor within 125 ms of the terminator) aborts the attempt with `OK` or `NO CARRIER` per
//!   [`Profile::abort_says_ok`].

mod call;
mod caller_id;
mod command;
mod dial;
mod escape;
mod execute;
mod fax;
mod line_input;
mod output;
mod profile;
mod registers;
mod result;
mod ring;
mod voice;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::line::{ControlLines, DteSide, LineAction, LineSignal, Terminal};

pub(crate) use fax::{DLE, ETX, Unshield, Unshielded, fcs, shield};

/// What a modem sent in `<DLE>`-shielded form (a Class 1 reception, T.31 8.3.2; a voice
/// recording, V.253 9.6), as the DTE reads it: the data up to `<DLE><ETX>` (or the end), each
/// `<DLE><DLE>` one `DLE`, other `<DLE>` pairs (voice events) left out.
pub fn unshield(shielded: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(shielded.len());
    let _ = Unshield::default().feed(shielded, &mut out);
    out
}
pub use profile::{CallerIdCommands, CallerIdLayout, ConnectReport, PassiveCommand, Profile};
pub use voice::{SampleCoding, VoiceCompression};

use call::CallState;
use command::Command;
use escape::EscapeDetector;
use line_input::{EditRules, LineEditor, LineEvent};
use output::DteOutput;
use registers::Settings;
use result::{Framing, ResultCode};

/// Characters arriving this soon after the terminator never abort a dial or answer (V.250 5.6.1),
/// so a DTE may end lines with CR LF.
const TERMINATOR_GRACE: Duration = Duration::from_millis(125);

/// Far-end data held while the modem is in online command state.
const MAX_HELD_RX: usize = 4096;

/// What kind of information text was last sent in the current command line (it decides whether
/// the final result code keeps its leading blank line, per profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InfoKind {
    /// Extended read or test responses (`+FCLASS?`, `+FCLASS=?`).
    Read,
    /// Anything else (`ATI3`, `+GMM`, `S7?`).
    General,
}

/// A simulated Hayes modem: see the [module documentation](self).
///
/// # Example
///
/// ```
/// use std::time::Instant;
/// use tsp_sim::line::DteSide;
/// use tsp_sim::modem::{Profile, SimModem};
///
/// let now = Instant::now();
/// let mut modem = SimModem::new(Profile::v250());
/// modem.handle_dte_input(b"ATE0\r", now);
/// assert_eq!(&modem.poll_dte_output().unwrap()[..], b"ATE0\r\r\nOK\r\n");
/// modem.handle_dte_input(b"AT+GMI\r", now);
/// assert_eq!(&modem.poll_dte_output().unwrap()[..], b"\r\ntsp-sim\r\n\r\nOK\r\n");
/// ```
#[derive(Debug)]
pub struct SimModem {
    profile: Profile,
    label: String,
    settings: Settings,
    stored: Settings,
    editor: LineEditor,
    last_line: Option<String>,
    selected_register: u32,
    /// Commands of the current line still to run.
    queue: VecDeque<Command>,
    /// The current line had a syntax error after the queued commands.
    line_error: bool,
    /// A command line is being executed (its final result is not out yet).
    in_line: bool,
    /// A `D` or `A` of the current line is in progress.
    awaiting_call: bool,
    info_sent: Option<InfoKind>,
    out: DteOutput,
    actions: VecDeque<LineAction>,
    call: CallState,
    escape: EscapeDetector,
    held_rx: Vec<u8>,
    dtr: bool,
    powered: bool,
    hung: bool,
    ringing: bool,
    last_ring_at: Option<Instant>,
    last_number: Option<String>,
    terminated_at: Option<Instant>,
    swallow_lf: bool,
    voice: voice::VoiceState,
}

impl SimModem {
    /// A powered modem with the profile's factory settings, on-hook, DTR on.
    pub fn new(profile: Profile) -> Self {
        let settings = Settings::factory(&profile);
        Self {
            label: profile.name.to_owned(),
            stored: settings.clone(),
            settings,
            profile,
            editor: LineEditor::default(),
            last_line: None,
            selected_register: 0,
            queue: VecDeque::new(),
            line_error: false,
            in_line: false,
            awaiting_call: false,
            info_sent: None,
            out: DteOutput::default(),
            actions: VecDeque::new(),
            call: CallState::Idle,
            escape: EscapeDetector::default(),
            held_rx: Vec::new(),
            dtr: true,
            powered: true,
            hung: false,
            ringing: false,
            last_ring_at: None,
            last_number: None,
            terminated_at: None,
            swallow_lf: false,
            voice: voice::VoiceState::default(),
        }
    }

    /// Name this modem in diagnostics (defaults to the profile name).
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The name used in diagnostics.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The profile this modem was built from.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Fault: a hung modem swallows DTE input and sends nothing to the DTE (the line side keeps
    /// working, so a call in progress is not lost). `set_hung(false)` brings it back.
    pub fn set_hung(&mut self, hung: bool) {
        self.hung = hung;
        self.out.muted = hung;
        if hung {
            self.editor.reset();
        }
    }

    /// Fault: every byte to the DTE (echo, results, data) is held back this long.
    pub fn set_slow(&mut self, delay: Duration) {
        self.out.delay = delay;
    }

    /// Power the modem off (hangs up, drops DSR, forgets everything but the stored profile) or on
    /// (loads the stored profile, as at power-up).
    pub fn set_powered(&mut self, on: bool, now: Instant) {
        if on == self.powered {
            return;
        }
        if on {
            self.powered = true;
            self.settings = self.stored.clone();
            tracing::debug!(modem = %self.label, "powered on");
        } else {
            self.hang_up(now);
            self.reset_line_state();
            self.out.clear();
            self.ringing = false;
            self.powered = false;
            tracing::debug!(modem = %self.label, "powered off");
        }
    }

    /// Whether the modem is off-hook (dialling, answering, connected or in a voice call).
    pub fn is_off_hook(&self) -> bool {
        !matches!(self.call, CallState::Idle)
    }

    /// Whether the modem is in online data state (DTE bytes go to the far end).
    pub fn is_online_data(&self) -> bool {
        matches!(&self.call, CallState::Online(o) if o.data_mode)
    }

    /// The rate of the current connection, bit/s, if there is one.
    pub fn connection_rate(&self) -> Option<u32> {
        match &self.call {
            CallState::Online(o) => Some(o.rate),
            _ => None,
        }
    }

    /// The service class the DTE selected (`+FCLASS`: `"0"` data, `"1"`/`"1.0"` fax Class 1,
    /// `"8"` voice).
    pub fn service_class(&self) -> &str {
        self.settings.fclass
    }

    /// Current value of S-register `n`, if the modem has it.
    pub fn s_register(&self, n: u32) -> Option<u8> {
        self.settings.regs.get(n)
    }

    /// Forget the line being typed and the line being executed.
    fn reset_line_state(&mut self) {
        self.editor.reset();
        self.queue.clear();
        self.line_error = false;
        self.in_line = false;
        self.awaiting_call = false;
        self.info_sent = None;
    }

    fn framing(&self) -> Framing {
        Framing {
            verbose: self.settings.verbose,
            quiet: self.settings.quiet,
            s3: self.settings.regs.terminator(),
            s4: self.settings.regs.formatter(),
        }
    }

    fn edit_rules(&self) -> EditRules {
        EditRules {
            terminator: self.settings.regs.terminator(),
            backspace: self.settings.regs.backspace(),
            mixed_case: self.profile.mixed_case_prefix,
            max_len: self.profile.max_command_len,
        }
    }

    /// Send a result code. A final code ends the current command line.
    fn emit_result(&mut self, code: ResultCode, now: Instant) {
        let header = match self.info_sent.take() {
            Some(InfoKind::Read) => self.profile.read_blank_line,
            Some(InfoKind::General) => self.profile.info_blank_line,
            None => true,
        };
        tracing::trace!(modem = %self.label, ?code, "result");
        if let Some(bytes) = self.framing().result(code, &self.profile, header) {
            self.out.push(&bytes, now);
        }
        if code.is_final() {
            self.in_line = false;
        }
    }

    /// Send information text.
    fn emit_info<S: AsRef<str>>(&mut self, lines: &[S], kind: InfoKind, now: Instant) {
        let bytes = self.framing().info(lines);
        self.out.push(&bytes, now);
        self.info_sent = self.in_line.then_some(kind);
    }

    /// Whether `now` is within [`TERMINATOR_GRACE`] of the last command line's terminator: a
    /// character then does not abort what the line started (V.250 5.6.1).
    fn in_terminator_grace(&self, now: Instant) -> bool {
        self.terminated_at
            .is_some_and(|t| now.saturating_duration_since(t) < TERMINATOR_GRACE)
    }

    /// `bytes` without the LF of the CR LF that ended the last command line, when they start
    /// with it (an action that takes the DTE's bytes after its command must not see it).
    fn after_terminator<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        if std::mem::take(&mut self.swallow_lf) && bytes.first() == Some(&b'\n') {
            &bytes[1..]
        } else {
            bytes
        }
    }

    /// Deliver far-end bytes to the DTE.
    fn deliver(&mut self, bytes: &[u8], now: Instant) {
        self.out.push(bytes, now);
    }

    /// Handle DTE bytes in command state (offline or online), one character at a time.
    fn command_input(&mut self, bytes: &[u8], now: Instant) {
        for (i, &b) in bytes.iter().enumerate() {
            if std::mem::take(&mut self.swallow_lf) && b == b'\n' {
                continue;
            }
            if self.call.attempt_in_progress() {
                let in_grace = self.in_terminator_grace(now);
                if !in_grace && !self.call.training() {
                    self.abort_attempt(now);
                }
                continue;
            }
            if self.in_line {
                // A line is still executing (cannot happen outside attempts, but be safe).
                continue;
            }
            if self.settings.echo {
                self.out.push(&[b], now);
            }
            let rules = self.edit_rules();
            match self.editor.feed(b, rules) {
                None => {}
                Some(event) => {
                    if b == rules.terminator {
                        self.terminated_at = Some(now);
                        self.swallow_lf = true;
                    }
                    self.start_line(event, now);
                    if self.is_online_data() {
                        // `ATO`: what follows on the same write is data.
                        self.escape.restart(now);
                        self.data_input(&bytes[i + 1..], now);
                        return;
                    }
                    if self.fax_takes_input() {
                        // `+FTH`, `+FRM` …: what follows on the same write is the action's.
                        self.fax_input(&bytes[i + 1..], now);
                        return;
                    }
                    if self.voice_takes_input() {
                        // `+VTX`, `+VRX`, a voice dial: what follows is the action's.
                        self.voice_input(&bytes[i + 1..], now);
                        return;
                    }
                }
            }
        }
    }

    /// Start executing a completed command line.
    fn start_line(&mut self, event: LineEvent, now: Instant) {
        let body = match event {
            LineEvent::Line(body) => body,
            LineEvent::TooLong => {
                tracing::debug!(modem = %self.label, "command line too long");
                self.in_line = true;
                self.emit_result(ResultCode::Error, now);
                return;
            }
            LineEvent::Repeat => self.last_line.clone().unwrap_or_default(),
        };
        tracing::debug!(modem = %self.label, line = %body, "command line");
        self.last_line = Some(body.clone());
        let parsed = command::parse_line(&body);
        self.queue = parsed.commands.into();
        self.line_error = parsed.error;
        self.in_line = true;
        self.info_sent = None;
        self.run_queue(now);
    }

    /// Data-state input: to the far end, watching for the escape.
    fn data_input(&mut self, bytes: &[u8], now: Instant) {
        self.data_input_shared(&Bytes::copy_from_slice(bytes), now);
    }

    /// [`Self::data_input`] on bytes the modem may keep: what goes to the far end is a slice of
    /// them, not a copy.
    fn data_input_shared(&mut self, shared: &Bytes, now: Instant) {
        let bytes = &shared[..];
        let esc = self.settings.regs.escape_char();
        let guard = self.settings.regs.guard_time();
        let consumed = self.escape.on_bytes(bytes, now, esc, guard);
        let data_len = consumed.unwrap_or(bytes.len());
        if data_len > 0 {
            self.actions
                .push_back(LineAction::Data(shared.slice(..data_len)));
        }
        if consumed.is_some() {
            self.escape_to_command(now);
            self.command_input(&bytes[data_len..], now);
        }
    }

    /// The escape completed: online command state, `OK`.
    fn escape_to_command(&mut self, now: Instant) {
        if let CallState::Online(online) = &mut self.call {
            online.data_mode = false;
            tracing::debug!(modem = %self.label, "escape: online command state");
            self.editor.reset();
            self.emit_result(ResultCode::Ok, now);
        }
    }

    /// Ring-counter expiry: 8 s after the last ring activity S1 goes back to 0.
    fn ring_reset_deadline(&self) -> Option<Instant> {
        match self.call {
            CallState::Idle if self.settings.regs.ring_count() > 0 => {
                self.last_ring_at.map(|t| t + ring::RING_COUNT_RESET)
            }
            _ => None,
        }
    }
}

impl DteSide for SimModem {
    fn handle_dte_input(&mut self, bytes: &[u8], now: Instant) {
        self.handle_dte_bytes(Bytes::copy_from_slice(bytes), now);
    }

    fn handle_dte_bytes(&mut self, bytes: Bytes, now: Instant) {
        self.out.release(now);
        if !self.powered || self.hung || bytes.is_empty() {
            return;
        }
        if self.is_online_data() {
            self.data_input_shared(&bytes, now);
        } else if !self.fax_input(&bytes, now) && !self.voice_input(&bytes, now) {
            self.command_input(&bytes, now);
        }
    }

    fn poll_dte_output(&mut self) -> Option<Bytes> {
        self.out.take()
    }

    fn set_dtr(&mut self, on: bool, now: Instant) {
        self.out.release(now);
        if on == self.dtr {
            return;
        }
        self.dtr = on;
        if on || !self.powered || self.hung {
            return;
        }
        self.dtr_dropped(now);
    }

    fn control_lines(&self) -> ControlLines {
        if !self.powered {
            return ControlLines::default();
        }
        let carrier = matches!(self.call, CallState::Online(_) | CallState::Fax(_));
        ControlLines {
            dcd: carrier || !self.settings.dcd_follows_carrier,
            ri: self.ringing,
            dsr: true,
            cts: true,
        }
    }
}

impl Terminal for SimModem {
    fn on_signal(&mut self, signal: LineSignal, now: Instant) {
        self.out.release(now);
        if !self.powered {
            return;
        }
        self.line_signal(signal, now);
    }

    fn poll_action(&mut self) -> Option<LineAction> {
        self.actions.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        let escape = if self.is_online_data() {
            self.escape.deadline()
        } else {
            None
        };
        [
            escape,
            self.ring_reset_deadline(),
            self.call.deadline(),
            self.voice_deadline(),
            self.out.next_release(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.out.release(now);
        if !self.powered {
            return;
        }
        if self.is_online_data() && self.escape.on_timeout(now) {
            self.escape_to_command(now);
        }
        if self.ring_reset_deadline().is_some_and(|t| now >= t) {
            self.settings.regs.set_internal(1, 0);
            self.last_ring_at = None;
        }
        self.call_timeout(now);
    }
}
