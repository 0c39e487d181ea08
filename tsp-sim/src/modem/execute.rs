//! Executing command lines (V.250 5.6, 6.1–6.3; hayes.md §5, §9, §10.1).

use std::time::Instant;

use super::call::CallState;
use super::command::{Command, ExtOp};
use super::dial::{self, DialError};
use super::profile::{CallerIdLayout, ConnectReport};
use super::registers::Settings;
use super::result::ResultCode;
use super::{InfoKind, SimModem};

/// What executing one command asks of the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Carry on with the next command.
    Next,
    /// Fail the line: `ERROR`, the rest is not executed.
    Error,
    /// A dial or answer started: the line resumes when it ends.
    Suspend,
    /// The line ends here with this final result; the rest is ignored.
    End(ResultCode),
    /// `ATO` succeeded: CONNECT has been sent, the rest is ignored.
    Online,
}

/// DTE rates `+IPR` accepts (0 = autobaud).
const IPR_RATES: &[u32] = &[0, 300, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

/// An extended command's read or test answer: `+NAME: value` when the profile prefixes them
/// (V.250 5.7.2), the bare value otherwise.
pub(super) fn prefixed(prefix: bool, name: &str, value: impl Into<String>) -> String {
    let value = value.into();
    if prefix {
        format!("{name}: {value}")
    } else {
        value
    }
}

/// Parse a single decimal extended-command value.
fn ext_number(value: &str) -> Option<u32> {
    let v = value.trim();
    if v.is_empty() {
        return Some(0);
    }
    if !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse().ok()
}

/// `E1 L1 M1 Q0 V1 W2 X4 &C1 &D2 …` for a set of settings (`ATI4` on USR, `AT&V`).
fn summary(s: &Settings) -> String {
    let mut parts = vec![
        format!("E{}", u8::from(s.echo)),
        format!("L{}", s.speaker_volume),
        format!("M{}", s.speaker_mode),
        format!("Q{}", u8::from(s.quiet)),
        format!("V{}", u8::from(s.verbose)),
        format!("W{}", s.connect_report.w_value()),
        format!("X{}", s.x),
        format!("&C{}", u8::from(s.dcd_follows_carrier)),
        format!("&D{}", s.dtr_mode),
    ];
    parts.extend(s.passive.iter().map(|(n, v)| format!("{n}{v}")));
    parts.join(" ")
}

impl SimModem {
    /// Run queued commands until the line ends or suspends; then send the final result.
    pub(super) fn run_queue(&mut self, now: Instant) {
        while let Some(command) = self.queue.pop_front() {
            match self.execute(command, now) {
                Step::Next => {}
                Step::Error => {
                    self.queue.clear();
                    self.line_error = false;
                    self.emit_result(ResultCode::Error, now);
                    return;
                }
                Step::Suspend => {
                    self.awaiting_call = true;
                    return;
                }
                Step::End(code) => {
                    self.queue.clear();
                    self.line_error = false;
                    self.emit_result(code, now);
                    return;
                }
                Step::Online => {
                    self.queue.clear();
                    self.line_error = false;
                    return;
                }
            }
        }
        let code = if std::mem::take(&mut self.line_error) {
            ResultCode::Error
        } else {
            ResultCode::Ok
        };
        self.emit_result(code, now);
    }

    fn execute(&mut self, command: Command, now: Instant) -> Step {
        tracing::trace!(modem = %self.label, ?command, "execute");
        match command {
            Command::Answer => self.cmd_answer(now),
            Command::Dial(dial) => self.cmd_dial(&dial, now),
            Command::Basic { name, value } => self.cmd_basic(&name, value, now),
            Command::SetRegister { reg, value } => {
                if self.settings.regs.set(reg, value) {
                    Step::Next
                } else {
                    Step::Error
                }
            }
            Command::ReadRegister(reg) => self.read_register(reg, now),
            Command::SelectRegister(reg) => {
                if self.settings.regs.get(reg).is_some() {
                    self.selected_register = reg;
                    Step::Next
                } else {
                    Step::Error
                }
            }
            Command::ReadSelected => self.read_register(self.selected_register, now),
            Command::Extended { name, op } => self.cmd_extended(&name, op, now),
        }
    }

    fn read_register(&mut self, reg: u32, now: Instant) -> Step {
        match self.settings.regs.get(reg) {
            Some(v) => {
                self.emit_info(&[format!("{v:03}")], InfoKind::General, now);
                Step::Next
            }
            None => Step::Error,
        }
    }

    fn cmd_answer(&mut self, now: Instant) -> Step {
        match self.call {
            CallState::Idle | CallState::Voice => {
                self.start_answer(now);
                if matches!(self.call, CallState::Voice) {
                    Step::Next
                } else {
                    Step::Suspend
                }
            }
            _ => Step::Error,
        }
    }

    fn cmd_dial(&mut self, dial_string: &str, now: Instant) -> Step {
        if !matches!(self.call, CallState::Idle | CallState::Voice) {
            return Step::Error;
        }
        let dial_string = if dial::is_redial(dial_string) {
            match &self.last_number {
                Some(n) => n.clone(),
                None => return Step::Error,
            }
        } else {
            dial_string.to_owned()
        };
        let plan = match dial::parse_dial(&dial_string, self.settings.pulse) {
            Ok(plan) => plan,
            Err(e @ (DialError::Unsupported(_) | DialError::SemicolonNotLast)) => {
                tracing::debug!(modem = %self.label, dial = %dial_string, error = ?e, "dial string refused");
                return Step::Error;
            }
        };
        if let Some(pulse) = plan.pulse {
            self.settings.pulse = pulse;
        }
        self.last_number = Some(dial_string);
        self.start_dial(plan, now);
        if self.awaiting_call || self.in_line {
            Step::Suspend
        } else {
            // The dial completed synchronously (`ATD;` in voice state) and reported already.
            Step::Online
        }
    }

    fn cmd_basic(&mut self, name: &str, value: Option<u32>, now: Instant) -> Step {
        let v = value.unwrap_or(0);
        let flag = |v: u32| (v <= 1).then_some(v == 1);
        match name {
            "E" => match flag(v) {
                Some(on) => self.settings.echo = on,
                None => return Step::Error,
            },
            "Q" => match flag(v) {
                Some(on) => self.settings.quiet = on,
                None => return Step::Error,
            },
            "V" => match flag(v) {
                Some(on) => self.settings.verbose = on,
                None => return Step::Error,
            },
            "X" if v <= self.profile.max_x => self.settings.x = v,
            "W" => match ConnectReport::from_w(v) {
                Some(report) => self.settings.connect_report = report,
                None => return Step::Error,
            },
            "L" if v <= 3 => self.settings.speaker_volume = v,
            "M" if v <= 3 => self.settings.speaker_mode = v,
            "T" | "P" if value.is_none() => self.settings.pulse = name == "P",
            "H" => return self.cmd_hook(v, now),
            "O" if v <= 1 => return self.cmd_online(now),
            "I" => return self.cmd_info(v, now),
            "Z" if v <= 1 => {
                self.hang_up(now);
                self.settings = self.stored.clone();
            }
            "&F" if v == 0 => self.settings = Settings::factory(&self.profile),
            "&W" if v == 0 => {
                let mut stored = self.settings.clone();
                if !self.profile.cid_stored_by_w {
                    stored.cid_mode = self.stored.cid_mode;
                }
                self.stored = stored;
            }
            "&V" if v == 0 => {
                let lines = self.profile_dump();
                self.emit_info(&lines, InfoKind::General, now);
            }
            "&C" => match flag(v) {
                Some(on) => self.settings.dcd_follows_carrier = on,
                None => return Step::Error,
            },
            "&D" if v <= 3 => self.settings.dtr_mode = v,
            _ => return self.cmd_passive(name, v),
        }
        Step::Next
    }

    /// A command of the profile's passive list, or `ERROR`.
    fn cmd_passive(&mut self, name: &str, v: u32) -> Step {
        let known = self
            .profile
            .passive_commands
            .iter()
            .find(|(n, _, _)| *n == name);
        match known {
            Some(&(n, max, _)) if v <= max => {
                self.settings.passive.insert(n, v);
                Step::Next
            }
            _ => {
                tracing::debug!(modem = %self.label, command = name, value = v, "command refused");
                Step::Error
            }
        }
    }

    fn cmd_hook(&mut self, v: u32, now: Instant) -> Step {
        match v {
            0 => {
                self.hang_up(now);
                Step::Next
            }
            1 => {
                if matches!(self.call, CallState::Idle) {
                    self.actions.push_back(crate::line::LineAction::OffHook);
                    self.ringing = false;
                    self.call = CallState::Voice;
                }
                Step::Next
            }
            _ => Step::Error,
        }
    }

    fn cmd_online(&mut self, now: Instant) -> Step {
        match &mut self.call {
            CallState::Online(online) => {
                online.data_mode = true;
                self.report_connect(now);
                Step::Online
            }
            _ => Step::End(ResultCode::NoCarrier),
        }
    }

    fn cmd_info(&mut self, n: u32, now: Instant) -> Step {
        let Some(Some(lines)) = usize::try_from(n)
            .ok()
            .and_then(|i| self.profile.info.get(i))
            .copied()
        else {
            return Step::Error;
        };
        if lines.is_empty() {
            return Step::Next;
        }
        let mut text = Vec::new();
        for line in lines {
            if *line == "{settings}" {
                text.push(summary(&self.settings));
                text.push(format!(
                    "BAUD={}  PARITY=N  WORDLEN=8",
                    self.profile.dte_rate
                ));
            } else {
                text.push((*line).to_owned());
            }
        }
        self.emit_info(&text, InfoKind::General, now);
        Step::Next
    }

    /// `AT&V`: active and stored settings with the S-registers.
    fn profile_dump(&self) -> Vec<String> {
        let regs = |settings: &Settings| -> Vec<String> {
            let cells: Vec<String> = settings
                .regs
                .iter()
                .map(|(n, v)| {
                    if self.profile.sreg_dump_padded {
                        format!("S{n:02}:{v:03}")
                    } else {
                        format!("S{n:02}:{v}")
                    }
                })
                .collect();
            cells.chunks(8).map(|c| c.join(" ")).collect()
        };
        let mut lines = vec!["ACTIVE PROFILE:".to_owned(), summary(&self.settings)];
        lines.extend(regs(&self.settings));
        lines.push(String::new());
        lines.push("STORED PROFILE 0:".to_owned());
        lines.push(summary(&self.stored));
        lines.extend(regs(&self.stored));
        lines
    }

    fn cmd_extended(&mut self, name: &str, op: ExtOp, now: Instant) -> Step {
        let prefix = self.profile.read_prefix;
        let read = |value: String| prefixed(prefix, name, value);
        match (name, op) {
            ("+FCLASS", ExtOp::Set(v)) => {
                match self.profile.fclass.iter().find(|c| **c == v.trim()) {
                    Some(class) => self.settings.fclass = class,
                    None => return Step::Error,
                }
            }
            // T.31 8.2 gives `+FCLASS` bare answers (`0`, `0,1,1.0`) whatever the prefix rule
            // for other commands: spandsp (iaxmodem) and Conexant answer so, and vgetty stores
            // the answer to put it back with `+FCLASS=`.
            ("+FCLASS", ExtOp::Read) => {
                let text = self.settings.fclass.to_owned();
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+FCLASS", ExtOp::Test) => {
                let text = self.profile.fclass.join(",");
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+FTH" | "+FRH" | "+FTM" | "+FRM" | "+FTS" | "+FRS", op) => {
                return self.cmd_fax(name, op, now);
            }
            ("+FAR", op) if self.profile.fclass.contains(&"1.0") => {
                return self.cmd_fax(name, op, now);
            }
            (
                "+VLS" | "+VSM" | "+VTX" | "+VRX" | "+VTS" | "+VSD" | "+VGT" | "+VGR" | "+VRA"
                | "+VRN" | "+VIT" | "+VDR" | "+VNH" | "+VTD",
                op,
            ) => return self.cmd_voice(name, op, now),
            // Adaptive answer (T.32 8.5.2.5; vgetty sends `+FAA=0` before answering as data):
            // off is the only setting, as the simulated modem does not tell fax from data
            // callers by ear.
            ("+FAA", ExtOp::Set(v)) if self.profile.fclass.len() > 1 => {
                if ext_number(&v) != Some(0) {
                    return Step::Error;
                }
            }
            ("+FAA", ExtOp::Read) if self.profile.fclass.len() > 1 => {
                self.emit_info(&[read("0".to_owned())], InfoKind::Read, now);
            }
            ("+FAA", ExtOp::Test) if self.profile.fclass.len() > 1 => {
                self.emit_info(&[read("(0)".to_owned())], InfoKind::Read, now);
            }
            ("+VCID", op) if self.profile.cid_commands.vcid => {
                return self.cmd_cid(name, op, prefix, now);
            }
            ("#CID", op) if self.profile.cid_commands.hash_cid => {
                return self.cmd_cid(name, op, false, now);
            }
            ("+GMI" | "+GMM" | "+GMR" | "+GSN" | "+GCAP", ExtOp::Action) => {
                let text = match name {
                    "+GMI" => self.profile.manufacturer.to_owned(),
                    "+GMM" => self.profile.model.to_owned(),
                    "+GMR" => self.profile.revision.to_owned(),
                    "+GSN" => self.profile.serial.to_owned(),
                    _ => read(self.profile.capabilities.to_owned()),
                };
                // A family that leaves the field empty (spandsp) answers a bare OK.
                if !text.is_empty() {
                    self.emit_info(&[text], InfoKind::General, now);
                }
            }
            ("+GMI" | "+GMM" | "+GMR" | "+GSN" | "+GCAP", ExtOp::Test) => {}
            ("+IPR", ExtOp::Set(v)) => match ext_number(&v).filter(|r| IPR_RATES.contains(r)) {
                Some(rate) => self.settings.ipr = rate,
                None => return Step::Error,
            },
            ("+IPR", ExtOp::Read) => {
                let text = read(self.settings.ipr.to_string());
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+IPR", ExtOp::Test) => {
                let list: Vec<String> = IPR_RATES.iter().map(u32::to_string).collect();
                let text = read(format!("({})", list.join(",")));
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+IFC", ExtOp::Set(v)) => {
                let mut parts = v.split(',').map(ext_number);
                let a = parts.next().flatten();
                let b = parts.next().unwrap_or(Some(self.settings.ifc.1));
                match (a, b, parts.next()) {
                    (Some(a), Some(b), None) if a <= 2 && b <= 2 => self.settings.ifc = (a, b),
                    _ => return Step::Error,
                }
            }
            ("+IFC", ExtOp::Read) => {
                let (a, b) = self.settings.ifc;
                let text = read(format!("{a},{b}"));
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ("+IFC", ExtOp::Test) => {
                let text = read("(0-2),(0-2)".to_owned());
                self.emit_info(&[text], InfoKind::Read, now);
            }
            _ => {
                tracing::debug!(modem = %self.label, command = name, "extended command refused");
                return Step::Error;
            }
        }
        Step::Next
    }

    /// `+VCID` / `#CID`.
    fn cmd_cid(&mut self, name: &str, op: ExtOp, prefix: bool, now: Instant) -> Step {
        let read = |value: &str| prefixed(prefix, name, value);
        match op {
            ExtOp::Set(v) => match ext_number(&v).filter(|m| *m <= self.profile.cid_max_mode) {
                Some(mode) => self.settings.cid_mode = mode,
                None => return Step::Error,
            },
            ExtOp::Read => {
                let text = read(&self.settings.cid_mode.to_string());
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ExtOp::Test => {
                // spandsp lists the modes bare (`0,1`); the others as a range.
                let list = match self.profile.cid_layout {
                    CallerIdLayout::FieldPerResponse => (0..=self.profile.cid_max_mode)
                        .map(|m| m.to_string())
                        .collect::<Vec<_>>()
                        .join(","),
                    CallerIdLayout::Block => format!("(0-{})", self.profile.cid_max_mode),
                };
                let text = read(&list);
                self.emit_info(&[text], InfoKind::Read, now);
            }
            ExtOp::Action => return Step::Error,
        }
        Step::Next
    }
}
