//! Engine configuration and the per-family quirk switches (hayes.md §12).

use std::sync::Arc;
use std::time::Duration;

use super::parse::NumericTable;
use super::registers::Registers;

/// Behaviours of particular modem families, chosen at run time by the modem profile.
///
/// Everything the engine can tolerate at no cost it always tolerates: no header or no blank line
/// before `OK`, trailing blanks, `NO DIAL TONE`, ZyXEL's two blanks in `CONNECT`, caller ID with or
/// without blanks around `=`, `RING` variants. The switches here are the behaviours that cost
/// something (time, or a possible misreading) and so must be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Quirks {
    /// Numeric result codes above 8 (hayes.md §3.2: vendor tables disagree). Default: none, so a
    /// code above 8 under `ATV0` reads as information text.
    pub numeric_codes: NumericTable,
    /// Zoom 2949L / Lucent Venus, and modems that say `OK` when DTR rises (quirks #7, #8): after
    /// the engine starts (port opened) and after [`super::Engine::dtr_dropped`], hold commands for
    /// this long and drop any result code that arrives meanwhile (mgetty drains 2.2 s).
    pub stale_result_after_dtr: Option<Duration>,
    /// AT&T-chip 1428VQE, Dell RD02-D400 (quirk #14): take any line starting with `AT` before the
    /// first response line as the echo, even when it differs from the line sent. Costs: an answer
    /// that itself starts with `AT` (`AT&T` to `+FMFR?` on those very chips) is lost when echo is
    /// off, so leave it off unless the echo is known to be mangled.
    pub echo_any_at_line: bool,
    /// USR and ELSA (quirk #9): after `ATZ` the port rate may revert to the stored one; send one
    /// extra `AT` (not reported) before the next command so the modem autobauds again.
    pub extra_at_after_reset: bool,
    /// Quirk #11: extra pause after the `OK` of `ATZ`/`AT&F` before the next command (HylaFAX
    /// `ModemSoftResetCmdDelay` is 3 s).
    pub reset_settle: Duration,
}

impl Quirks {
    /// The switches that are on, each by name with what it does (hayes.md §12), for `probe`;
    /// empty when the modem needs none.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.numeric_codes.is_empty() {
            out.push(format!(
                "numeric result codes: {} vendor codes above 8 are read as result codes under ATV0",
                self.numeric_codes.len()
            ));
        }
        if let Some(wait) = self.stale_result_after_dtr {
            out.push(format!(
                "stale result after DTR: commands wait {:.1} s after the port opens or DTR drops, and a result code meanwhile is dropped",
                wait.as_secs_f64()
            ));
        }
        if self.echo_any_at_line {
            out.push(
                "echo any AT line: a line starting with AT before the response is taken as the (mangled) echo"
                    .to_owned(),
            );
        }
        if self.extra_at_after_reset {
            out.push(
                "extra AT after reset: one AT after ATZ so the modem autobauds again".to_owned(),
            );
        }
        if !self.reset_settle.is_zero() {
            out.push(format!(
                "reset settle: {:.1} s pause after the OK of ATZ or AT&F",
                self.reset_settle.as_secs_f64()
            ));
        }
        out
    }
}

/// How the end of a data call is noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarrierDetect {
    /// The transport watches DCD and calls [`super::Engine::carrier_lost`]; every byte received
    /// in data mode is data. For serial ports with `&C1`.
    Dcd,
    /// No control lines (a pty, hayes.md §12 #38): a line `NO CARRIER` received after at least
    /// `pause` of silence ends data mode. Bytes that could be the start of it are held back for
    /// up to `pause` and then delivered as data if the text does not complete. A data stream that
    /// itself sends `\r\nNO CARRIER\r\n` after a pause is misread: this is why DCD is preferred.
    InBand {
        /// The silence that must precede the text (the modem's S10 carrier-loss delay is 0.7-1.4 s).
        pause: Duration,
    },
}

/// Everything the engine needs to know before the first byte. Every field has a documented
/// default; build it as `EngineConfig { device: "ttyACM0".into(), ..Default::default() }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// Names the device in errors and logs (a port path). Default `"modem"`.
    pub device: Arc<str>,
    /// Per-family switches. Default: none.
    pub quirks: Quirks,
    /// How carrier loss is detected in data mode. Default: [`CarrierDetect::Dcd`].
    pub carrier_detect: CarrierDetect,
    /// Register values assumed at start (followed afterwards through `ATSn=v`).
    pub registers: Registers,
    /// Wait after a final result before the next command line (V.250 5.5: "at least 100 ms").
    pub pacing: Duration,
    /// Longest response line kept; longer lines are skipped with a warning. Default 256 bytes.
    pub max_line: usize,
    /// Commands that may wait behind the one in flight; more are refused. Default 32.
    pub max_queue: usize,
    /// Information lines kept per command; more are dropped with a warning. Default 256.
    pub max_info_lines: usize,
    /// A caller-ID record is reported this long after its last line if no `RING` or result code
    /// ends it first. Default 500 ms.
    pub caller_id_quiet: Duration,
    /// How long a command that timed out or was interrupted may still answer; results arriving
    /// in that window that cannot belong to the command in flight are reported as late results.
    /// Default 30 s.
    pub late_result_window: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            device: Arc::from("modem"),
            quirks: Quirks::default(),
            carrier_detect: CarrierDetect::Dcd,
            registers: Registers::default(),
            pacing: Duration::from_millis(100),
            max_line: 256,
            max_queue: 32,
            max_info_lines: 256,
            caller_id_quiet: Duration::from_millis(500),
            late_result_window: Duration::from_secs(30),
        }
    }
}
