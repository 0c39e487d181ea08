//! Digits on a voice call (`TSPI_lineMonitorDigits`, `TSPI_lineGenerateDigits`; T§9.5 items 16,
//! 17): the modem in voice mode (ITU V.253, `+FCLASS=8`) sends DTMF with `+VTS` and reports the
//! digits it hears as `<DLE>` events (V.253 Table 16).
//!
//! | TAPI | modem |
//! |---|---|
//! | `generate_digits("123", DTMF)` | `AT+VTS=1,2,3` (`{1,<d>}` with a duration, in 0.01 s); `LINE_GENERATE` DONE at its `OK` |
//! | a new `generate_digits` (or `digits: None`) while one runs, or the call leaves CONNECTED | `LINE_GENERATE` CANCEL for the old one at once; its `+VTS` lines not yet sent are withdrawn (the one the modem is sounding finishes) |
//! | a `+VTS` line answered `ERROR` | `LINE_GENERATE` CANCEL at the end (not all digits went out) |
//! | `monitor_digits(DTMF)` | `<DLE>1` … from the modem: `LINE_MONITORDIGITS` (`1`, DTMF) |
//! | `<DLE>b` / `<DLE>d` on a connected voice call | the far end hung up (busy or dial tone): DISCONNECTED(NORMAL) |

use std::time::Duration;

use tsp_sdk::spi::{CallHandle, GenerateDigits, GenerateTerm, LineEvent};
use tsp_sdk::{DigitModes, DisconnectMode, Error, LineErr, MediaModes};

use super::super::outcome;
use super::LineTask;
use crate::at::{AtError, Command, CommandId, RawCommand, Response};

/// The longest `+VTS` command line (V.250's 40-character body, the shortest a modem may have).
const MAX_VTS_BODY: usize = 40;
/// The most commands the engine may hold before `generate_digits` refuses more.
const MAX_QUEUED: usize = 16;
/// What a `+VTS` line may take beyond its tones before it is given up.
const VTS_MARGIN: Duration = Duration::from_secs(5);
/// The tone length when `duration_ms` is 0: 0.1 s, sent explicitly (a modem's own `+VTD`
/// default differs by family: 1 s on ZyXEL).
const DEFAULT_TONE: Duration = Duration::from_millis(100);

/// A generation in progress: its `+VTS` lines not answered yet, whether one failed, and its
/// end-to-end id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Generating {
    pub(crate) pending: Vec<CommandId>,
    pub(crate) failed: bool,
    pub(crate) end_to_end_id: u32,
}

/// The `+VTS` lines that send `digits` (each `d` or `{d,t}`, `t` in 0.01 s), within
/// [`MAX_VTS_BODY`], and how long they sound. Digits other than DTMF keys are skipped (the
/// TSPI contract).
fn vts_lines(digits: &str, duration_ms: u32) -> (Vec<String>, Duration) {
    let tone = if duration_ms == 0 {
        DEFAULT_TONE
    } else {
        Duration::from_millis(u64::from(duration_ms.clamp(10, 5000)))
    };
    let items: Vec<String> = digits
        .chars()
        .map(|c| c.to_ascii_uppercase())
        .filter(|c| matches!(c, '0'..='9' | '*' | '#' | 'A'..='D'))
        .map(|c| format!("{{{c},{}}}", tone.as_millis() / 10))
        .collect();
    let total = tone * u32::try_from(items.len()).unwrap_or(u32::MAX);
    let mut lines = Vec::new();
    let mut body = String::new();
    for item in items {
        if !body.is_empty() && "+VTS=".len() + body.len() + 1 + item.len() > MAX_VTS_BODY {
            lines.push(format!("AT+VTS={body}"));
            body.clear();
        }
        if !body.is_empty() {
            body.push(',');
        }
        body.push_str(&item);
    }
    if !body.is_empty() {
        lines.push(format!("AT+VTS={body}"));
    }
    (lines, total)
}

impl LineTask {
    /// The call, if it is a voice call on a modem with voice mode, not IDLE (and CONNECTED when
    /// `connected`).
    pub(super) fn voice_call(
        &self,
        handle: CallHandle,
        op: &'static str,
        connected: bool,
    ) -> Result<(), Error> {
        let call = self.our_call(handle, op)?;
        let voice = call
            .info
            .media_mode
            .intersects(MediaModes::INTERACTIVEVOICE | MediaModes::AUTOMATEDVOICE);
        if !self.classes.voice() {
            return Err(self.refuse(
                LineErr::OperationUnavail,
                op,
                "the modem has no voice mode (+FCLASS=8), so it can neither send nor hear digits",
            ));
        }
        if !voice || call.is_idle() || (connected && !call.is_connected()) {
            return Err(self.refuse(
                LineErr::InvalCallState,
                op,
                format!(
                    "digits need a {}voice call; this one is {} ({})",
                    if connected { "CONNECTED " } else { "" },
                    call.state,
                    call.info.media_mode
                ),
            ));
        }
        Ok(())
    }

    /// `monitor_digits`: DTMF (or nothing, to stop); others answer `INVALDIGITMODE`.
    pub(super) fn monitor_digits(
        &mut self,
        handle: CallHandle,
        modes: DigitModes,
    ) -> Result<(), Error> {
        const OP: &str = "monitor_digits";
        if !DigitModes::DTMF.contains(modes) {
            return Err(self.refuse(
                LineErr::InvalDigitMode,
                OP,
                format!("{}: a voice modem reports DTMF digits only", modes),
            ));
        }
        if modes.is_empty() {
            // Stopping always succeeds on a call that is still there (TSPI contract).
            let call = self.our_call_mut(handle, OP)?;
            call.monitor_digits = modes;
            return Ok(());
        }
        self.voice_call(handle, OP, false)?;
        let call = self.our_call_mut(handle, OP)?;
        call.monitor_digits = modes;
        call.span
            .in_scope(|| tracing::info!(?modes, "monitoring digits"));
        Ok(())
    }

    /// `generate_digits`: `+VTS` lines for DTMF; a running generation is cancelled first.
    pub(super) fn generate_digits(&mut self, req: GenerateDigits) -> Result<(), Error> {
        const OP: &str = "generate_digits";
        if req.digits.is_some() && req.mode != DigitModes::DTMF {
            return Err(self.refuse(
                LineErr::InvalDigitMode,
                OP,
                format!("{}: a voice modem generates DTMF only", req.mode),
            ));
        }
        let Some(digits) = req.digits else {
            // Cancelling always succeeds on a call that is still there (TSPI contract).
            self.our_call(req.call, OP)?;
            self.cancel_generation();
            return Ok(());
        };
        self.voice_call(req.call, OP, true)?;
        let room = self
            .driver
            .engine()
            .queued()
            .saturating_add(vts_lines(&digits, req.duration_ms).0.len());
        if room > MAX_QUEUED {
            return Err(self.refuse(
                LineErr::ResourceUnavail,
                OP,
                "too many commands are waiting for the modem; try again when the digits sent are out",
            ));
        }
        self.cancel_generation();
        let (lines, total) = vts_lines(&digits, req.duration_ms);
        let mut pending = Vec::new();
        for line in &lines {
            let raw = RawCommand::new(line, total + VTS_MARGIN)
                .map_err(|e| self.refuse(LineErr::OperationFailed, OP, e.to_string()))?;
            let id = self
                .driver
                .engine_mut()
                .send(Command::Raw(raw), self.clock.now())
                .map_err(|e| self.refuse(LineErr::ResourceUnavail, OP, e.to_string()))?;
            pending.push(id);
        }
        if pending.is_empty() {
            // Nothing to send: done at once.
            self.generate_ended(GenerateTerm::Done, req.end_to_end_id);
        } else if let Some(call) = self.call.as_mut() {
            call.generating = Some(Generating {
                pending,
                failed: false,
                end_to_end_id: req.end_to_end_id,
            });
        }
        Ok(())
    }

    /// Ends the generation in progress, if any, with CANCEL (a new request, or the call left
    /// CONNECTED).
    pub(super) fn cancel_generation(&mut self) {
        if let Some(g) = self.call.as_mut().and_then(|c| c.generating.take()) {
            // The `+VTS` lines not yet sent are taken back; the one the modem is sounding ends.
            let engine = self.driver.engine_mut();
            let withdrawn = g.pending.iter().filter(|&&id| engine.withdraw(id)).count();
            tracing::debug!(withdrawn, "digit generation cancelled");
            self.generate_ended(GenerateTerm::Cancel, g.end_to_end_id);
        }
    }

    /// Reports the end of a generation.
    fn generate_ended(&mut self, term: GenerateTerm, end_to_end_id: u32) {
        let Some(call) = self.call.as_ref() else {
            return;
        };
        let event = LineEvent::Generate {
            call: call.handle,
            term,
            end_to_end_id,
        };
        if let Err(violation) = self.sink.event(self.line, event) {
            tracing::error!(%violation, "generate event refused by the sink");
        }
    }

    /// A `+VTS` line completed: the generation ends with its last line, DONE when every line
    /// was answered `OK` (true if the command was one of the generation's).
    pub(super) fn generation_step(
        &mut self,
        id: CommandId,
        result: &Result<Response, AtError>,
    ) -> bool {
        let Some(g) = self.call.as_mut().and_then(|c| c.generating.as_mut()) else {
            return false;
        };
        let Some(at) = g.pending.iter().position(|p| *p == id) else {
            return false;
        };
        g.pending.remove(at);
        if let Err(e) = result {
            tracing::warn!(error = %e, "a +VTS line failed: not all digits were sent");
            g.failed = true;
        }
        if !g.pending.is_empty() {
            return true;
        }
        let (failed, end_to_end_id) = (g.failed, g.end_to_end_id);
        if let Some(call) = self.call.as_mut() {
            call.generating = None;
        }
        let term = if failed {
            GenerateTerm::Cancel
        } else {
            GenerateTerm::Done
        };
        self.generate_ended(term, end_to_end_id);
        true
    }

    /// A `<DLE>` event from the modem (V.253 Table 16).
    pub(super) fn on_dle_event(&mut self, code: u8) {
        let Some(call) = self.call.as_ref() else {
            tracing::debug!(code = %char::from(code), "voice event with no call");
            return;
        };
        let digit = char::from(code);
        match digit {
            '0'..='9' | '*' | '#' | 'A'..='D' => {
                if call.monitor_digits.contains(DigitModes::DTMF) && call.is_connected() {
                    let event = LineEvent::MonitorDigits {
                        call: call.handle,
                        digit,
                        mode: DigitModes::DTMF,
                    };
                    if let Err(violation) = self.sink.event(self.line, event) {
                        tracing::error!(%violation, "digit event refused by the sink");
                    }
                }
            }
            'b' | 'd' if call.is_connected() && !call.wants_carrier() => {
                call.span.in_scope(
                    || tracing::info!(tone = %digit, "busy or dial tone: the far end hung up"),
                );
                self.emit(outcome::disconnected(DisconnectMode::NORMAL, self.version));
            }
            _ => tracing::debug!(code = %digit, "voice event"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn digits_become_vts_lines_within_forty_characters() {
        let (lines, total) = vts_lines("12a#x9", 0);
        assert_eq!(lines, vec!["AT+VTS={1,10},{2,10},{A,10},{#,10},{9,10}"]);
        assert_eq!(total, Duration::from_millis(500));
        let (lines, total) = vts_lines("1234567", 200);
        assert_eq!(
            lines,
            vec![
                "AT+VTS={1,20},{2,20},{3,20},{4,20},{5,20}",
                "AT+VTS={6,20},{7,20}"
            ]
        );
        assert!(lines.iter().all(|l| l.len() - 2 <= MAX_VTS_BODY));
        assert_eq!(total, Duration::from_millis(1400));
        assert!(vts_lines("xyz", 0).0.is_empty());
    }
}
