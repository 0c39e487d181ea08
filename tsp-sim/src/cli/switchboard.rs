//! [`Switchboard`]: the running simulator behind `tsp-sim` — the modems on their lines (and
//! ptys), the scripted callers the commands create, and the commands' effects.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::exchange::{
    CallerIdClock, Exchange, ExchangeEvent, LineConfig, LineStatus, TranscriptEvent,
};
use crate::line::{LineId, LineSignal, Presentation};
use crate::modem::SimModem;
use crate::network::{DeviceId, Network};
use crate::pty::PtyLink;
use crate::sim::Sim;

use super::CliError;
use super::caller::Caller;
use super::commands::{CallerOptions, Command, HELP};
use super::config::{CallerIdService, ModemSpec, Setup};
use super::table;

/// The number of the first caller the commands create when none is given; later ones count up.
const FIRST_CALLER_NUMBER: u32 = 5_559_001;

/// What a command asks of the session after it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reply {
    /// Print this and go on.
    Text(String),
    /// Stop the simulator.
    Quit,
}

/// A command could not be carried out; the message names the command and says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{command}: {message}")]
pub struct CommandError {
    /// The command, as typed.
    pub command: String,
    /// Why it failed.
    pub message: String,
}

/// One simulated modem of the table.
#[derive(Debug)]
struct Modem {
    spec: ModemSpec,
    line: LineId,
    device: DeviceId,
    pty: Option<PtyLink>,
}

/// A caller created by `ring` or `waiting`.
#[derive(Debug)]
struct CallerLine {
    number: String,
    line: LineId,
    /// The modem it calls (index in the table).
    target: usize,
    /// `ring` or `waiting`.
    kind: &'static str,
}

/// The simulator `tsp-sim` runs: the modems on their lines and ptys, and the scripted callers
/// the `ring` and `waiting` commands create.
#[derive(Debug)]
pub struct Switchboard {
    sim: Sim,
    modems: Vec<Modem>,
    callers: Vec<CallerLine>,
    next_caller_number: u32,
}

/// This computer's local date and time, for caller ID when the setup names no clock.
fn local_clock() -> CallerIdClock {
    use chrono::{Datelike, Timelike};
    let now = chrono::Local::now();
    let part = |v: u32| u8::try_from(v).unwrap_or(0);
    CallerIdClock {
        month: part(now.month()),
        day: part(now.day()),
        hour: part(now.hour()),
        minute: part(now.minute()),
    }
}

impl Switchboard {
    /// Builds the exchange and its modems and starts the simulation on the current tokio runtime
    /// (the modems are not on ptys yet: see [`Switchboard::expose`]).
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub fn start(setup: &Setup) -> Result<Switchboard, CliError> {
        let exchange = Exchange::builder()
            .caller_id_placement(setup.caller_id_placement)
            .caller_id_clock(setup.clock.unwrap_or_else(local_clock));
        let mut builder = Network::builder()
            .exchange(exchange)
            .time_scale(setup.time_scale);
        if let Some(seed) = setup.seed {
            builder = builder.seed(seed);
        }
        let mut network = builder.build(std::time::Instant::now());
        let mut modems = Vec::with_capacity(setup.modems.len());
        for (index, spec) in setup.modems.iter().enumerate() {
            let mut config = LineConfig::new(spec.number.clone())
                .call_waiting(spec.call_waiting)
                .caller_id_delivery(spec.caller_id != CallerIdService::None)
                .name_delivery(spec.caller_id == CallerIdService::NumberAndName)
                .presentation(spec.presentation.clone());
            if let Some(name) = &spec.name {
                config = config.name(name.clone());
            }
            let line = network.add_line(config);
            let modem = SimModem::new(spec.profile())
                .with_label(format!("modem {index} ({})", spec.number));
            let device = network
                .attach_device(line, modem)
                .map_err(|e| CliError::Start {
                    operation: format!("attach modem {index} ({})", spec.number),
                    message: e.to_string(),
                })?;
            modems.push(Modem {
                spec: spec.clone(),
                line,
                device,
                pty: None,
            });
        }
        Ok(Switchboard {
            sim: Sim::start(network),
            modems,
            callers: Vec::new(),
            next_caller_number: FIRST_CALLER_NUMBER,
        })
    }

    /// Puts every modem on a pseudo-terminal, with a `ttySIM<n>` symlink in `link_dir` if given
    /// (the directory is created if missing).
    pub fn expose(&mut self, link_dir: Option<&Path>) -> Result<(), CliError> {
        if let Some(dir) = link_dir {
            std::fs::create_dir_all(dir).map_err(|e| CliError::Start {
                operation: format!("create the link directory {}", dir.display()),
                message: e.to_string(),
            })?;
        }
        for (index, modem) in self.modems.iter_mut().enumerate() {
            let what = || format!("modem {index} ({})", modem.spec.number);
            let mut pty = PtyLink::spawn(&self.sim, modem.device).map_err(|e| CliError::Start {
                operation: format!("put {} on a pseudo-terminal", what()),
                message: e.to_string(),
            })?;
            if let Some(dir) = link_dir {
                pty = pty
                    .with_symlink(dir.join(format!("ttySIM{index}")))
                    .map_err(|e| CliError::Start {
                        operation: format!("link {}", what()),
                        message: e.to_string(),
                    })?;
            }
            tracing::info!(modem = index, number = %modem.spec.number, path = %pty.path().display(), "tsp-sim: modem on a pty");
            modem.pty = Some(pty);
        }
        Ok(())
    }

    /// The running simulation.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// The device of modem `index` (table order).
    pub fn device(&self, index: usize) -> Option<DeviceId> {
        self.modems.get(index).map(|m| m.device)
    }

    /// The pty path of modem `index`, once exposed.
    pub fn pty_path(&self, index: usize) -> Option<&Path> {
        self.modems.get(index)?.pty.as_ref().map(PtyLink::path)
    }

    /// The table printed at start: modem, pty, link, number, profile, call waiting, name.
    pub fn table(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .modems
            .iter()
            .enumerate()
            .map(|(index, m)| {
                let pty = m.pty.as_ref();
                let link = pty
                    .filter(|p| p.name() != p.path())
                    .map(|p| p.name().display().to_string());
                vec![
                    index.to_string(),
                    pty.map_or_else(|| "-".into(), |p| p.path().display().to_string()),
                    link.unwrap_or_else(|| "-".into()),
                    m.spec.number.clone(),
                    m.spec.profile.to_owned(),
                    on_off(m.spec.call_waiting).to_owned(),
                    m.spec.name.clone().unwrap_or_else(|| "-".into()),
                    m.spec.caller_id.name().to_owned(),
                    match m.spec.presentation {
                        Presentation::Available => "shown",
                        Presentation::Private => "private",
                        Presentation::OutOfArea => "out-of-area",
                    }
                    .to_owned(),
                ]
            })
            .collect();
        let mut out = table::render(
            &[
                "modem",
                "pty",
                "link",
                "number",
                "profile",
                "call-waiting",
                "name",
                "caller-id",
                "presentation",
            ],
            &rows,
        );
        let scale = self.sim.with(|net, _| net.time_scale().factor());
        let _ = writeln!(
            out,
            "seed {} (TSP_SIM_SEED or --seed replays it), time scale {scale}{}; type `help` for commands",
            self.sim.seed(),
            if scale == 1.0 { " (real time)" } else { "" },
        );
        out
    }

    /// Carries out one command.
    pub fn execute(&mut self, command: &Command) -> Result<Reply, CommandError> {
        let fail = |message: String| CommandError {
            command: command.to_string(),
            message,
        };
        if matches!(
            command,
            Command::Ring { .. } | Command::Waiting { .. } | Command::Hangup { .. }
        ) {
            let text = format!("tsp-sim: {command}");
            self.sim.with(|net, now| net.note(text, now));
        }
        let text = match command {
            Command::Ring { line, caller } => {
                let target = self.resolve(line).map_err(fail)?;
                self.place_call(target, caller, "ring").map_err(fail)?
            }
            Command::Waiting { line, caller } => {
                let target = self.resolve(line).map_err(fail)?;
                self.check_waiting(target).map_err(fail)?;
                self.place_call(target, caller, "waiting").map_err(fail)?
            }
            Command::Hangup { line } => {
                let target = self.resolve(line).map_err(fail)?;
                self.hang_up(target).map_err(fail)?
            }
            Command::State => self.state(),
            Command::Transcript => self.sim.transcript(),
            Command::Help => HELP.to_owned(),
            Command::Quit => return Ok(Reply::Quit),
        };
        Ok(Reply::Text(text))
    }

    /// Finds a modem by index, number, name or `ttySIM<n>`.
    fn resolve(&self, token: &str) -> Result<usize, String> {
        if let Some(index) = self.modems.iter().position(|m| m.spec.number == token) {
            return Ok(index);
        }
        let index_text = token.strip_prefix("ttySIM").unwrap_or(token);
        if let Ok(index) = index_text.parse::<usize>()
            && index < self.modems.len()
        {
            return Ok(index);
        }
        if let Some(index) = self.modems.iter().position(|m| {
            m.spec
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(token))
        }) {
            return Ok(index);
        }
        Err(format!(
            "no line {token:?}: give a modem's index (0 to {}), number, name or ttySIM<n>",
            self.modems.len().saturating_sub(1)
        ))
    }

    /// A caller number no modem and no earlier caller uses.
    fn fresh_caller_number(&mut self) -> String {
        loop {
            let candidate = self.next_caller_number.to_string();
            self.next_caller_number = self.next_caller_number.wrapping_add(1);
            let taken = self.modems.iter().any(|m| m.spec.number == candidate)
                || self.callers.iter().any(|c| c.number == candidate);
            if !taken {
                return candidate;
            }
        }
    }

    fn check_waiting(&self, target: usize) -> Result<(), String> {
        let Some(modem) = self.modems.get(target) else {
            return Err("no such modem".into());
        };
        let status = self
            .sim
            .with(|net, _| net.exchange().line_status(modem.line));
        if status != Some(LineStatus::Connected) {
            return Err(format!(
                "{} is not in a call (it is {}): call waiting needs an active call; use `ring` to ring it",
                modem.spec.number,
                status.map_or_else(|| "unknown".into(), |s| s.to_string())
            ));
        }
        if !modem.spec.call_waiting {
            return Err(format!(
                "{} has no call waiting (a second caller would only hear busy): start with --call-waiting or \
                 call_waiting = true in the config",
                modem.spec.number
            ));
        }
        Ok(())
    }

    /// A new caller on a hidden line dials modem `target` now; says what happened.
    fn place_call(
        &mut self,
        target: usize,
        options: &CallerOptions,
        kind: &'static str,
    ) -> Result<String, String> {
        let number = match &options.from {
            Some(from) => from.clone(),
            None => self.fresh_caller_number(),
        };
        let Some(modem) = self.modems.get(target) else {
            return Err("no such modem".into());
        };
        let (target_line, target_number) = (modem.line, modem.spec.number.clone());
        let mut config = LineConfig::new(number.clone());
        if options.private {
            config = config.presentation(Presentation::Private);
        }
        let line = self.sim.with(|net, now| {
            let line = net.add_line(config);
            net.attach_terminal(line, Caller::new(&target_number, options, now))
                .map_err(|e| format!("attach the caller: {e}"))?;
            // The caller's first step (off-hook, then dial on dial tone) is due now: run it, so
            // the outcome is known when the command returns.
            net.handle_timeout(now);
            Ok::<_, String>(line)
        })?;
        self.callers.push(CallerLine {
            number: number.clone(),
            line,
            target,
            kind,
        });
        Ok(self.outcome(&number, line, target_line))
    }

    /// What became of the call a new caller on `line` placed to `target_line`.
    fn outcome(&self, number: &str, line: LineId, target_line: LineId) -> String {
        let who = self.describe(target_line);
        self.sim.with(|net, _| {
            let exchange = net.exchange();
            let status = exchange.line_status(target_line);
            let heard = |signal: &LineSignal| net.terminal::<Caller>(line).is_some_and(|c| c.party().heard(signal));
            let waited_for = net.transcript().entries().find_map(|entry| match &entry.event {
                TranscriptEvent::Exchange(ExchangeEvent::CallWaiting { caller, partner, .. }) if *caller == line => {
                    Some(*partner)
                }
                _ => None,
            });
            if heard(&LineSignal::Busy) {
                return format!(
                    "{number} hears busy: {who} is {} (no call waiting, call waiting cancelled for this call, or a \
                     caller already waiting)",
                    status_text(status)
                );
            }
            if heard(&LineSignal::Reorder) {
                return format!("{number} hears reorder: {who} cannot be reached");
            }
            if let Some(partner) = waited_for {
                let partner = partner.map_or_else(|| "?".into(), |l| self.describe(l));
                let mut text =
                    format!("{number} is waiting on {who}: call-waiting tone injected into its call with {partner}");
                if heard(&LineSignal::Answered) {
                    text.push_str(&format!("; {who} left that call and answered {number}"));
                } else if status == Some(LineStatus::Ringing) {
                    text.push_str(&format!("; that call ended and {who} is ringing for {number}"));
                }
                return text;
            }
            if heard(&LineSignal::Answered) {
                return format!("{number} rang {who}, which answered at once");
            }
            if status == Some(LineStatus::Ringing) {
                return format!("{number} is ringing {who}");
            }
            format!("{number} called {who}, which is {}", status_text(status))
        })
    }

    /// The far end of modem `target`'s call hangs up, or callers ringing it give up.
    fn hang_up(&mut self, target: usize) -> Result<String, String> {
        let Some(modem) = self.modems.get(target) else {
            return Err("no such modem".into());
        };
        let line = modem.line;
        let who = self.describe(line);
        let far = self.sim.with(|net, _| net.exchange().connected_to(line));
        if let Some(far) = far {
            if let Some(caller) = self.callers.iter().find(|c| c.line == far) {
                let number = caller.number.clone();
                self.sim.with(|net, now| {
                    if let Some(c) = net.terminal::<Caller>(far) {
                        c.request_hang_up();
                    }
                    net.settle(now);
                });
                return Ok(format!("{number} hung up on {who}"));
            }
            let far_end = self.describe(far);
            let pty = self
                .modems
                .iter()
                .find(|m| m.line == far)
                .and_then(|m| m.pty.as_ref())
                .map(|p| format!(" on {}", p.path().display()))
                .unwrap_or_default();
            return Err(format!(
                "the far end of {who} is {far_end}{pty}, driven by whatever program has it open: hang up there \
                 (+++ then ATH, or close the port)"
            ));
        }
        let calling: Vec<usize> = self
            .callers
            .iter()
            .enumerate()
            .filter(|(_, c)| c.target == target)
            .filter(|(_, c)| {
                self.sim.with(|net, _| net.exchange().line_status(c.line))
                    == Some(LineStatus::Calling)
            })
            .map(|(index, _)| index)
            .collect();
        if calling.is_empty() {
            let status = self.sim.with(|net, _| net.exchange().line_status(line));
            return Err(format!(
                "nothing to hang up: {who} is {} and no caller is calling it",
                status_text(status)
            ));
        }
        let mut numbers = Vec::new();
        for index in calling {
            if let Some(caller) = self.callers.get(index) {
                let caller_line = caller.line;
                numbers.push(caller.number.clone());
                self.sim.with(|net, now| {
                    if let Some(c) = net.terminal::<Caller>(caller_line) {
                        c.request_hang_up();
                    }
                    net.settle(now);
                });
            }
        }
        Ok(format!("{} gave up calling {who}", numbers.join(", ")))
    }

    /// `modem 0 (5550100)`, `caller 5559001`, or `line 7`.
    fn describe(&self, line: LineId) -> String {
        if let Some((index, m)) = self.modems.iter().enumerate().find(|(_, m)| m.line == line) {
            return format!("modem {index} ({})", m.spec.number);
        }
        if let Some(c) = self.callers.iter().find(|c| c.line == line) {
            return format!("caller {}", c.number);
        }
        line.to_string()
    }

    /// The `state` report: time, the modems and their lines, the callers.
    fn state(&self) -> String {
        let mut out = String::new();
        let elapsed = self.sim.elapsed();
        let _ = writeln!(
            out,
            "simulated time {}, seed {}",
            seconds(elapsed),
            self.sim.seed()
        );
        let rows: Vec<Vec<String>> = self
            .modems
            .iter()
            .enumerate()
            .map(|(index, m)| {
                let (status, partner, waiting, modem_state) = self.sim.with(|net, _| {
                    let exchange = net.exchange();
                    (
                        exchange.line_status(m.line),
                        exchange.connected_to(m.line),
                        exchange.has_waiting_call(m.line),
                        net.device::<SimModem>(m.device)
                            .map_or_else(|| "?".to_owned(), modem_text),
                    )
                });
                let lines = self.sim.control_lines(m.device).ok();
                vec![
                    index.to_string(),
                    m.spec.number.clone(),
                    status_text(status),
                    partner.map_or_else(|| "-".into(), |l| self.describe(l)),
                    if waiting { "yes".into() } else { "-".into() },
                    modem_state,
                    lines.map_or("?", |l| on_off(l.dcd)).to_owned(),
                    lines.map_or("?", |l| on_off(l.ri)).to_owned(),
                    m.pty
                        .as_ref()
                        .map_or_else(|| "-".into(), |p| p.name().display().to_string()),
                ]
            })
            .collect();
        out.push_str(&table::render(
            &[
                "modem",
                "number",
                "line",
                "call with",
                "waiting",
                "modem state",
                "DCD",
                "RI",
                "port",
            ],
            &rows,
        ));
        if self.callers.is_empty() {
            out.push_str("no callers yet (`ring LINE` makes one)\n");
            return out;
        }
        let rows: Vec<Vec<String>> = self
            .callers
            .iter()
            .map(|c| {
                let (status, last, received, finished) = self.sim.with(|net, _| {
                    let caller = net.terminal::<Caller>(c.line);
                    (
                        net.exchange().line_status(c.line),
                        caller
                            .and_then(|c| c.party().signals().filter_map(signal_text).last())
                            .unwrap_or("-"),
                        caller.map_or(0, |c| c.party().data_received().len()),
                        caller.is_some_and(Caller::is_finished),
                    )
                });
                let target = self
                    .modems
                    .get(c.target)
                    .map_or_else(|| "?".into(), |m| m.spec.number.clone());
                vec![
                    c.number.clone(),
                    c.kind.to_owned(),
                    target,
                    if finished {
                        "hung up".into()
                    } else {
                        status_text(status)
                    },
                    last.to_owned(),
                    format!("{received} bytes"),
                ]
            })
            .collect();
        out.push_str(&table::render(
            &[
                "caller",
                "command",
                "calls",
                "line",
                "last heard",
                "received",
            ],
            &rows,
        ));
        out
    }

    /// Stops the simulation: the ptys are closed and the symlinks removed (dropping the
    /// switchboard does the same).
    pub fn shut_down(self) {
        let links: Vec<PathBuf> = self
            .modems
            .iter()
            .filter_map(|m| m.pty.as_ref())
            .map(|p| p.name().to_owned())
            .collect();
        drop(self);
        tracing::debug!(?links, "tsp-sim: ptys closed, symlinks removed");
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn status_text(status: Option<LineStatus>) -> String {
    status.map_or_else(|| "unknown".into(), |s| s.to_string())
}

fn modem_text(modem: &SimModem) -> String {
    match (modem.connection_rate(), modem.is_online_data()) {
        (Some(rate), true) => format!("online {rate}"),
        (Some(rate), false) => format!("online command {rate}"),
        (None, _) if modem.is_off_hook() => "off-hook".into(),
        (None, _) => "on-hook".into(),
    }
}

/// The signals worth showing as "last heard" for a caller.
fn signal_text(signal: &LineSignal) -> Option<&'static str> {
    Some(match signal {
        LineSignal::Ringback => "ringback",
        LineSignal::Busy => "busy",
        LineSignal::Reorder => "reorder",
        LineSignal::Answered => "answered",
        LineSignal::Released(_) => "released",
        LineSignal::RemoteCarrier(_) => "carrier",
        LineSignal::RemoteCarrierLost => "carrier lost",
        LineSignal::CallWaitingTone => "call-waiting tone",
        _ => return None,
    })
}

#[cfg(test)]
#[path = "switchboard_tests.rs"]
mod tests;
