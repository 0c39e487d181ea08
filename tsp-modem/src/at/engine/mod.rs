//! The sans-IO AT engine: bytes and time in, bytes to write and events out.

mod data;
mod lines;
mod timeouts;

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::command::Command;
use super::config::EngineConfig;
use super::digest::Digester;
use super::error::AtError;
use super::event::{CommandId, Event, Response};
use super::parse::{CallerId, Intermediate};
use super::registers::Registers;

/// V.250 5.7: "characters of a response shall not be separated by more than 100 ms"; a numeric
/// result code's CR followed by this much silence is complete.
const NUMERIC_IDLE: Duration = Duration::from_millis(100);

/// Bytes received while waiting for the escape's `OK` that are kept to hand back as data if the
/// escape fails.
const ESCAPE_REPLAY_LIMIT: usize = 4096;

/// Bound on commands remembered as still owing an answer.
const OWED_LIMIT: usize = 8;

/// Where the modem is, as far as the engine knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// Offline command state: AT commands, no call in data mode.
    Command,
    /// Online data state: bytes go to and come from the far end.
    Data,
    /// Online command state after `+++`: the call is up, AT commands (`ATH`, `ATO`) work.
    OnlineCommand,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Command => "command",
            Self::Data => "online data",
            Self::OnlineCommand => "online command",
        })
    }
}

/// Result-code format, learnt from the last result code received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Verbose,
    Numeric,
}

#[derive(Debug, Clone)]
struct Queued {
    /// `None` for commands the engine sends on its own (the extra `AT` after `ATZ`).
    id: Option<CommandId>,
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EscapePhase {
    /// Silence before `+++` until the instant.
    GuardBefore(Instant),
    /// `+++` sent; silence after it until the instant.
    GuardAfter(Instant),
    /// Waiting for `OK`.
    AwaitOk,
}

#[derive(Debug)]
struct InFlight {
    id: Option<CommandId>,
    command: Command,
    deadline: Instant,
    attempts: u32,
    echo_seen: bool,
    info: Vec<String>,
    intermediates: Vec<Intermediate<'static>>,
    escape: Option<EscapePhase>,
    escape_replay: Vec<u8>,
    /// Bytes received in the guard time after `+++`: data, unless they end with the escape's
    /// `OK` (a modem whose S12 is shorter than the engine believes answers early).
    guard_rx: Vec<u8>,
}

#[derive(Debug, Clone)]
struct Owed {
    command: Command,
    until: Instant,
}

/// The AT engine for one modem.
///
/// # Driving it
///
/// The engine does no I/O and never reads a clock; a driver (serial port, pty, simulator pipe)
/// runs it:
///
/// * **Input** — [`handle_input`](Self::handle_input) with every chunk read from the port, and the
///   time it was read; [`carrier_lost`](Self::carrier_lost) when DCD drops;
///   [`dtr_dropped`](Self::dtr_dropped) after lowering DTR.
/// * **Commands and data** — [`send`](Self::send) queues a command;
///   [`write_data`](Self::write_data) writes in online data mode.
/// * **Output** — after any call above, drain [`poll_transmit`](Self::poll_transmit) and write
///   the bytes to the port at once (escape guard times are measured from the moment `+++` is
///   handed out), then drain [`poll_event`](Self::poll_event).
/// * **Time** — sleep until [`poll_timeout`](Self::poll_timeout) (or the next input) and call
///   [`handle_timeout`](Self::handle_timeout).
///
/// # Contract
///
/// * One command line is in flight at a time; further commands wait in a FIFO queue of
///   [`EngineConfig::max_queue`] entries and [`send`](Self::send) refuses more. A command is
///   checked against the mode when its turn comes: an AT line in online data mode, or `+++` outside
///   it, completes at once with [`AtError::WrongMode`].
/// * Every command accepted by `send` gets exactly one [`Event::Completed`]: `Ok` for `OK` and
///   `CONNECT`, [`AtError::Rejected`] for other final results, [`AtError::Timeout`] after the
///   command's own timeout and retries, [`AtError::Interrupted`] when DTR or carrier loss cut it
///   short.
/// * The echo of the command line (under `E1`) is recognised and dropped. `RING`, caller ID and
///   `DRON`/`DROF` are reported as events whenever they arrive, also in the middle of a response.
/// * A result code that cannot answer the command in flight (a `NO CARRIER` while `AT` runs), or
///   that arrives before the command's echo when echo is known to be on, is not taken as its
///   answer: it is reported as [`Event::LateResult`] for a command that timed out or was interrupted,
///   or as [`Event::StrayResult`].
/// * After `CONNECT` every received byte is [`Event::Data`] until carrier loss (see
///   [`super::CarrierDetect`]) or a successful [`Command::Escape`].
#[derive(Debug)]
pub struct Engine {
    cfg: EngineConfig,
    regs: Registers,
    mode: Mode,
    format: Format,
    echo: Option<bool>,
    digester: Digester,
    queue: VecDeque<Queued>,
    in_flight: Option<InFlight>,
    next_id: u64,
    next_start: Instant,
    drain_until: Option<Instant>,
    /// When DTR was last dropped while online (`&D2` hang-up): the modem may answer it with an
    /// `OK` of its own (hayes.md §8), which then answers nothing.
    dtr_hangup_at: Option<Instant>,
    owed: VecDeque<Owed>,
    caller_id: Option<(CallerId, Instant)>,
    transmit: VecDeque<Bytes>,
    events: VecDeque<Event>,
    last_rx: Option<Instant>,
    last_data_tx: Option<Instant>,
    swallow_lf: bool,
    holdback: Vec<u8>,
    holdback_since: Option<Instant>,
    numeric_flush_at: Option<Instant>,
    absorb_no_carrier: bool,
    /// A `<DLE>` ended the last input in command state: its code comes first in the next.
    dle_pending: bool,
    /// Online data belongs to the application's own protocol (see [`Engine::set_passthrough`]).
    passthrough: bool,
}

/// Data Link Escape: in command state, the start of a voice modem's event pair (V.253 8.1).
const DLE: u8 = 0x10;

impl Engine {
    /// An engine for a modem in command mode, started at `now` (the port was just opened).
    pub fn new(cfg: EngineConfig, now: Instant) -> Self {
        let drain_until = cfg.quirks.stale_result_after_dtr.map(|d| now + d);
        Self {
            regs: cfg.registers,
            digester: Digester::new(cfg.max_line, cfg.device.clone()),
            cfg,
            mode: Mode::Command,
            format: Format::Verbose,
            echo: None,
            queue: VecDeque::new(),
            in_flight: None,
            next_id: 1,
            next_start: now,
            drain_until,
            dtr_hangup_at: None,
            owed: VecDeque::new(),
            caller_id: None,
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            last_rx: None,
            last_data_tx: None,
            swallow_lf: false,
            holdback: Vec::new(),
            holdback_since: None,
            numeric_flush_at: None,
            absorb_no_carrier: false,
            dle_pending: false,
            passthrough: false,
        }
    }

    // ---- Commands and data -------------------------------------------------------------------

    /// Queues `command`; it is sent when the commands before it have completed (and, for AT
    /// lines, the pacing delay has passed). Returns the id its [`Event::Completed`] will carry.
    ///
    /// # Errors
    ///
    /// [`AtError::QueueFull`] when [`EngineConfig::max_queue`] commands are already waiting.
    pub fn send(&mut self, command: Command, now: Instant) -> Result<CommandId, AtError> {
        if self.queue.len() >= self.cfg.max_queue {
            return Err(AtError::QueueFull {
                device: self.cfg.device.clone(),
                command: command.name(),
                limit: self.cfg.max_queue,
            });
        }
        let id = CommandId(self.next_id);
        self.next_id += 1;
        self.queue.push_back(Queued {
            id: Some(id),
            command,
        });
        self.maybe_start(now);
        Ok(id)
    }

    /// Takes back `id` if it is still waiting in the queue: it is never sent and never
    /// completes. Returns false when it is in flight or already done (it then completes as
    /// usual). What TAPI's cancels need for the parts of a request not yet on the wire, e.g.
    /// the `+VTS` lines of a cancelled `lineGenerateDigits`.
    pub fn withdraw(&mut self, id: CommandId) -> bool {
        let before = self.queue.len();
        self.queue.retain(|q| q.id != Some(id));
        self.queue.len() != before
    }

    /// Writes `data` to the far end.
    ///
    /// # Errors
    ///
    /// [`AtError::WrongMode`] unless the engine is in online data mode with no escape under way
    /// (bytes sent during the `+++` guard times would cancel the escape).
    pub fn write_data(&mut self, data: &[u8], now: Instant) -> Result<(), AtError> {
        let escaping = self.in_flight.is_some();
        if self.mode != Mode::Data || escaping {
            return Err(AtError::WrongMode {
                device: self.cfg.device.clone(),
                command: if escaping {
                    "write data during +++".to_owned()
                } else {
                    "write data".to_owned()
                },
                mode: self.mode,
            });
        }
        if !data.is_empty() {
            self.transmit.push_back(Bytes::copy_from_slice(data));
            self.last_data_tx = Some(now);
        }
        Ok(())
    }

    // ---- Input -------------------------------------------------------------------------------

    /// Feeds bytes read from the modem at `now`.
    ///
    /// In command state a `<DLE>` and the byte after it are a voice modem's event (V.253 8.1:
    /// the DCE shields its event reports with `<DLE>` in voice command state; no result code
    /// or information text contains a `<DLE>`): the pair becomes [`Event::DleEvent`] and the
    /// text on either side of it is read as if the pair were not there.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        let mut owned: Vec<u8>;
        let mut input: &[u8] = bytes;
        while !input.is_empty() {
            let (rest, leftover) = if self.input_is_data() {
                self.data_input(input, now)
            } else if !self.dle_events_possible() {
                self.dle_pending = false;
                self.command_input(input, now)
            } else if std::mem::take(&mut self.dle_pending) {
                self.push_event(Event::DleEvent(input[0]));
                (&input[1..], None)
            } else {
                match input.iter().position(|&b| b == DLE) {
                    Some(0) => match input.get(1) {
                        Some(&code) => {
                            self.push_event(Event::DleEvent(code));
                            (&input[2..], None)
                        }
                        None => {
                            self.dle_pending = true;
                            (&input[1..], None)
                        }
                    },
                    Some(at) => {
                        let (text, events) = input.split_at(at);
                        let (rest, leftover) = self.command_input(text, now);
                        match leftover {
                            // Now in data mode: the rest, the pair included, is data.
                            Some(mut pending) => {
                                pending.extend_from_slice(rest);
                                pending.extend_from_slice(events);
                                (&[][..], Some(pending))
                            }
                            None if rest.is_empty() => (events, None),
                            None => {
                                let mut pending = rest.to_vec();
                                pending.extend_from_slice(events);
                                (&[][..], Some(pending))
                            }
                        }
                    }
                    None => self.command_input(input, now),
                }
            };
            match leftover {
                None => input = rest,
                Some(mut pending) => {
                    pending.extend_from_slice(rest);
                    owned = pending;
                    input = &owned;
                }
            }
        }
        self.maybe_start(now);
    }

    /// Whether a `<DLE>` now starts a voice modem's event: offline command state, with no `+++`
    /// waiting for its `OK` (the far end's data still arriving then is data).
    fn dle_events_possible(&self) -> bool {
        self.mode == Mode::Command && self.in_flight.as_ref().is_none_or(|f| f.escape.is_none())
    }

    /// Hands the online data state to the application's own protocol, or takes it back.
    ///
    /// A Class 1 fax call (ITU T.31) is the DTE's T.30 driving the modem command by command
    /// after the dial's or answer's `CONNECT`: each `+FRM` ends with `NO CARRIER`, and DCD
    /// follows each carrier, neither of which ends the call. While passthrough is on, every
    /// byte received online is [`Event::Data`] (no in-band `NO CARRIER` is looked for) and
    /// [`carrier_lost`](Self::carrier_lost) is ignored; the call ends when the provider hangs up
    /// ([`end_passthrough`](Self::end_passthrough), or DTR). Commands queued meanwhile wait for
    /// that end. Set it before the `CONNECT` arrives or just after; it stays on until either of
    /// those.
    pub fn set_passthrough(&mut self, on: bool) {
        self.passthrough = on;
    }

    /// True while online data belongs to the application's protocol
    /// ([`set_passthrough`](Self::set_passthrough)).
    pub fn passthrough(&self) -> bool {
        self.passthrough
    }

    /// Takes the port back from the application's protocol to hang up: the engine returns to
    /// command state (the modem is there between the T.31 commands the application sent, or
    /// will be once the `<DLE><ETX>` the caller writes ends a transmission), without reporting
    /// carrier loss. Nothing happens unless passthrough is on.
    pub fn end_passthrough(&mut self) {
        if !std::mem::take(&mut self.passthrough) {
            return;
        }
        self.holdback.clear();
        self.holdback_since = None;
        self.swallow_lf = false;
        if self.mode != Mode::Command {
            self.mode = Mode::Command;
            self.absorb_no_carrier = false;
        }
    }

    /// The transport saw DCD drop (carrier lost). Ignored in offline command mode and in
    /// passthrough ([`set_passthrough`](Self::set_passthrough)).
    pub fn carrier_lost(&mut self, now: Instant) {
        if self.mode == Mode::Command {
            tracing::debug!(device = %self.cfg.device, "DCD dropped in command mode; ignored");
            return;
        }
        if self.passthrough {
            tracing::trace!(device = %self.cfg.device, "DCD dropped in passthrough; the application's protocol runs on");
            return;
        }
        self.flush_holdback();
        if self.in_flight.as_ref().is_some_and(|f| f.escape.is_some()) {
            self.interrupt("carrier loss", false, now);
        }
        self.enter_command_mode(super::event::CarrierLoss::Dcd);
        self.maybe_start(now);
    }

    /// The driver lowered DTR (to hang up, `&D2`). The command in flight is interrupted (its
    /// late answer is expected and skipped), the engine returns to command mode and, with
    /// [`super::Quirks::stale_result_after_dtr`], holds commands and skips result codes for that
    /// long.
    pub fn dtr_dropped(&mut self, now: Instant) {
        self.dle_pending = false;
        self.passthrough = false;
        self.holdback.clear();
        self.holdback_since = None;
        if self.in_flight.is_some() {
            self.interrupt("DTR drop", true, now);
        }
        if self.mode != Mode::Command {
            self.dtr_hangup_at = Some(now);
            self.enter_command_mode(super::event::CarrierLoss::Dtr);
        }
        self.swallow_lf = false;
        if let Some(d) = self.cfg.quirks.stale_result_after_dtr {
            self.drain_until = Some(now + d);
        }
        self.maybe_start(now);
    }

    // ---- Output ------------------------------------------------------------------------------

    /// The next bytes to write to the modem.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.transmit.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ---- Time --------------------------------------------------------------------------------

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if at all.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        match &self.in_flight {
            Some(f) => match f.escape {
                Some(EscapePhase::GuardBefore(t) | EscapePhase::GuardAfter(t)) => consider(Some(t)),
                _ => consider(Some(f.deadline)),
            },
            None if !self.queue.is_empty() => {
                let start = self
                    .drain_until
                    .map_or(self.next_start, |d| d.max(self.next_start));
                consider(Some(start));
            }
            None => {}
        }
        if let (Some(since), super::CarrierDetect::InBand { pause }) =
            (self.holdback_since, self.cfg.carrier_detect)
        {
            consider(Some(since + pause));
        }
        consider(self.numeric_flush_at);
        consider(
            self.caller_id
                .as_ref()
                .map(|(_, t)| *t + self.cfg.caller_id_quiet),
        );
        next
    }

    /// Runs whatever was due at or before `now`: escape guard times, command timeouts and
    /// retries, held-back data, caller-ID records, the next queued command.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.escape_timers(now);
        if let Some(f) = &self.in_flight {
            let waiting = !matches!(
                f.escape,
                Some(EscapePhase::GuardBefore(_) | EscapePhase::GuardAfter(_))
            );
            if waiting && now >= f.deadline {
                self.command_timed_out(now);
            }
        }
        if let (Some(since), super::CarrierDetect::InBand { pause }) =
            (self.holdback_since, self.cfg.carrier_detect)
            && now >= since + pause
        {
            self.flush_holdback();
        }
        if self.numeric_flush_at.is_some_and(|t| now >= t) {
            self.numeric_flush_at = None;
            self.drain_lines(true, now);
        }
        if self
            .caller_id
            .as_ref()
            .is_some_and(|(_, t)| now >= *t + self.cfg.caller_id_quiet)
        {
            self.flush_caller_id();
        }
        self.maybe_start(now);
    }

    // ---- State -------------------------------------------------------------------------------

    /// The mode the engine believes the modem is in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The register values the engine uses.
    pub fn registers(&self) -> &Registers {
        &self.regs
    }

    /// The command in flight.
    pub fn in_flight(&self) -> Option<&Command> {
        self.in_flight.as_ref().map(|f| &f.command)
    }

    /// Commands waiting behind the one in flight.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Nothing to write, in flight or queued: the port may be lent to the application
    /// ([`Driver::lend`](crate::transport::Driver::lend)).
    pub fn is_quiet(&self) -> bool {
        self.in_flight.is_none() && self.queue.is_empty() && self.transmit.is_empty()
    }

    /// The application wrote data straight to the port until `at` (a lent port): a `+++` escape
    /// keeps its S12 guard time of silence (hayes.md §7) from then. Nothing outside data
    /// mode.
    pub fn data_sent_by_application(&mut self, at: Instant) {
        if self.mode == Mode::Data {
            self.last_data_tx = Some(at);
        }
    }

    /// Whether the modem echoes commands, as far as the engine has seen (`None`: not known yet).
    pub fn echo(&self) -> Option<bool> {
        self.echo
    }

    /// Received bytes held inside the engine (a partial line, held-back data, bytes kept during
    /// an escape); bounded by the configuration whatever the input.
    pub fn buffered(&self) -> usize {
        self.digester.len()
            + self.holdback.len()
            + self
                .in_flight
                .as_ref()
                .map_or(0, |f| f.escape_replay.len() + f.guard_rx.len())
    }

    // ---- Internals shared by the submodules --------------------------------------------------

    fn push_event(&mut self, event: Event) {
        self.events.push_back(event);
    }

    /// Starts the next queued command if nothing is in flight and its time has come.
    fn maybe_start(&mut self, now: Instant) {
        while self.in_flight.is_none() {
            let Some(front) = self.queue.front() else {
                return;
            };
            let escape = matches!(front.command, Command::Escape);
            let fits = if escape {
                self.mode == Mode::Data
            } else {
                self.mode != Mode::Data
            };
            if !fits && !escape && self.passthrough {
                // The application's protocol owns the port: commands wait for its end.
                return;
            }
            if fits && !escape {
                let held = self.drain_until.is_some_and(|d| now < d);
                if held || now < self.next_start {
                    return;
                }
            }
            let Some(q) = self.queue.pop_front() else {
                return;
            };
            if !fits {
                let error = AtError::WrongMode {
                    device: self.cfg.device.clone(),
                    command: q.command.name(),
                    mode: self.mode,
                };
                self.report(q.id, q.command, Err(error));
                continue;
            }
            self.start(q, now);
        }
    }

    fn start(&mut self, q: Queued, now: Instant) {
        tracing::debug!(device = %self.cfg.device, command = %q.command.name(), "sending");
        let mut flight = InFlight {
            id: q.id,
            deadline: now + q.command.timeout(&self.regs),
            command: q.command,
            attempts: 1,
            echo_seen: false,
            info: Vec::new(),
            intermediates: Vec::new(),
            escape: None,
            escape_replay: Vec::new(),
            guard_rx: Vec::new(),
        };
        if matches!(flight.command, Command::Escape) {
            let guard = self.regs.guard();
            let quiet_from = self.last_data_tx.map_or(now, |t| (t + guard).max(now));
            flight.escape = Some(EscapePhase::GuardBefore(quiet_from));
            self.in_flight = Some(flight);
            self.escape_timers(now);
        } else {
            self.transmit
                .push_back(Bytes::from(flight.command.encode()));
            self.in_flight = Some(flight);
        }
    }

    /// Emits the completion of a command (nothing for the engine's own commands).
    fn report(
        &mut self,
        id: Option<CommandId>,
        command: Command,
        result: Result<Response, AtError>,
    ) {
        match id {
            Some(id) => {
                if let Err(e) = &result {
                    tracing::debug!(device = %self.cfg.device, error = %e, "command failed");
                }
                self.push_event(Event::Completed {
                    id,
                    command,
                    result,
                });
            }
            None => tracing::debug!(
                device = %self.cfg.device,
                command = %command.name(),
                ok = result.is_ok(),
                "internal command finished"
            ),
        }
    }

    fn flush_caller_id(&mut self) {
        if let Some((record, _)) = self.caller_id.take() {
            self.push_event(Event::CallerId(record));
        }
    }
}
