//! What the engine reports.

use std::fmt;

use bytes::Bytes;

use super::command::Command;
use super::error::AtError;
use super::parse::{CallerId, Connect, FinalResult, Intermediate, Ring, RingCadence};

/// Identifies one [`super::Engine::send`] call; unique for the engine's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub(crate) u64);

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A command's answer: its final result and what came before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// `OK` or `CONNECT …` (other results are [`AtError::Rejected`]).
    pub result: FinalResult<'static>,
    /// Information text lines, in order, cleaned (`ATI3` banners, `+FCLASS` lists, `S07:050`).
    pub info: Vec<String>,
    /// Intermediate result codes (`CARRIER`, `PROTOCOL:`, `FAX`…), in order.
    pub intermediates: Vec<Intermediate<'static>>,
}

/// How a data call's end was noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CarrierLoss {
    /// The transport saw DCD drop.
    Dcd,
    /// The modem printed `NO CARRIER` with no command waiting for it.
    Text,
    /// The host dropped DTR.
    Dtr,
}

/// Something the engine has to tell its driver.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A command finished. Every accepted command gets exactly one.
    Completed {
        /// The id [`super::Engine::send`] returned.
        id: CommandId,
        /// The command.
        command: Command,
        /// Its response, or why there is none.
        result: Result<Response, AtError>,
    },
    /// An intermediate result code arrived for the command in flight.
    Progress {
        /// The command's id.
        id: CommandId,
        /// What arrived.
        intermediate: Intermediate<'static>,
    },
    /// `RING`.
    Ring(Ring<'static>),
    /// A complete caller-ID record.
    CallerId(CallerId),
    /// `DRON` / `DROF`.
    RingCadence(RingCadence),
    /// The data call (or the online command state) ended.
    CarrierLost(CarrierLoss),
    /// `CONNECT` with no command waiting for it (auto-answer with `S0` > 0): now in data mode.
    Connected(Connect<'static>),
    /// Bytes received in data mode.
    Data(Bytes),
    /// Information text with no command in flight (vendor reports such as
    /// `DIGITAL LINE DETECTED` or `CALLED NUMBER: …`).
    Text(String),
    /// The answer of a command that already timed out or was interrupted.
    LateResult {
        /// The command it answers.
        command: Command,
        /// The result.
        result: FinalResult<'static>,
    },
    /// A result code that answers nothing known (a stale `OK` after a DTR drop); skipped.
    StrayResult(FinalResult<'static>),
    /// A `<DLE>`-shielded event in command state: a voice modem's report (ITU V.253 Table 16)
    /// of what it heard, by its code: a DTMF digit `0`–`9`, `*`, `#`, `A`–`D`; `b` busy, `d`
    /// dial tone, `a` answer tone, `c` fax calling, `e` data calling, `s`/`q` silence, `R` ring.
    /// The pair is taken out of the text around it.
    DleEvent(u8),
}
