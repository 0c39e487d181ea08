//! Modem profiles: identify the modem and pick its init string, caller-ID command, dial
//! modifiers and quirks (hayes.md §5.1, §9, §10, §12).
//!
//! [`Identity`] is what a modem says about itself (`ATI0`, `ATI3`, `+GMI`, `+GMM`, `+GMR`,
//! `+FCLASS=?`); [`Profile::identify`] picks the built-in profile that matches it, or the generic
//! V.250 profile when nothing does. A configuration can name a profile instead
//! ([`Profile::by_name`]) and override its init string.

mod builtin;
mod identity;

pub use builtin::NAMES;
pub use identity::{Answered, Asked, Identity, ServiceClasses};

use tsp_sdk::dial::DialCaps;

use crate::at::{CallerIdMode, Command, Quirks};

/// How a modem family switches caller ID reporting on (hayes.md §10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerIdCommand {
    /// `AT+VCID=1` (V.253, Conexant, USR 5637, Lucent).
    Vcid,
    /// `AT#CID=1` (Rockwell legacy, USR Sportster/Courier, Supra).
    HashCid,
    /// Try `AT+VCID=1`, then `AT#CID=1` if the modem answers `ERROR`.
    Probe,
    /// The family has no caller ID.
    None,
}

impl CallerIdCommand {
    /// In words, for `probe`: which command turns caller ID on, and whose it is.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Vcid => "AT+VCID=1 (V.253 formatted caller ID)",
            Self::HashCid => "AT#CID=1 (Rockwell-style formatted caller ID)",
            Self::Probe => "AT+VCID=1, or AT#CID=1 if the modem refuses it",
            Self::None => "none: this family reports no caller ID",
        }
    }

    /// The commands to try, in order.
    pub fn commands(self) -> Vec<Command> {
        let vcid = Command::VoiceCallerId(CallerIdMode::Formatted);
        let hash = Command::HashCallerId(CallerIdMode::Formatted);
        match self {
            Self::Vcid => vec![vcid],
            Self::HashCid => vec![hash],
            Self::Probe => vec![vcid, hash],
            Self::None => Vec::new(),
        }
    }
}

/// Everything the provider does differently per modem family.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Profile {
    /// Short name (`v250`, `usr`, `conexant`, `lucent-venus`, `rockwell`).
    pub name: String,
    /// One line for people.
    pub description: String,
    /// Command line(s) sent after `ATZ`, one per `;;`-free line (`AT&C1&D2X4`). `&C1` (DCD
    /// follows the carrier) and `&D2` (DTR drop hangs up) are what the provider relies on;
    /// `X4` turns on dial-tone and busy detection.
    pub init: Vec<String>,
    /// How caller ID is switched on (re-sent after every reset: Conexant USB forgets it).
    pub caller_id: CallerIdCommand,
    /// The engine's quirk switches for this family.
    pub quirks: Quirks,
    /// Dial modifiers the family honours. V.250 modems honour `W` (wait for dial tone) and `@`
    /// (wait for quiet answer) whatever the `X` level (hayes.md §4, §5.2), so every built-in
    /// profile advertises both; none honours `$` reliably.
    pub dial_caps: DialCaps,
    /// The highest line rate, bit/s (V.34: 33600; V.90 needs a digital far end).
    pub max_rate: u32,
    /// What to do when the modem rejects one command of an init line (V.250 §5.6: `ERROR` for
    /// the whole line, and none of it is done).
    pub rejected_init: RejectedInit,
}

/// What `open` does when the modem answers `ERROR` to an init line: it first resends the line's
/// commands one per line ([`crate::at::split_command_line`]) to name the command refused, then,
/// for a command the provider can do without, follows this. `&C1` and `&D2` (DCD follows the
/// carrier, DTR drop hangs up) are never dropped: without them a call's end goes unnoticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectedInit {
    /// Leave the refused command out (with a warning) and go on: for the generic profile, whose
    /// modem is unknown.
    DropCommand,
    /// Fail `open` with `LINEERR_OPERATIONFAILED` naming the command: for a known family, whose
    /// init it is known to take.
    FailOpen,
}

impl RejectedInit {
    /// In words, for `probe`.
    pub fn describe(self) -> &'static str {
        match self {
            Self::DropCommand => "a refused init command is named and dropped",
            Self::FailOpen => "a refused init command is named and fails open",
        }
    }
}

impl Profile {
    /// The generic V.250 profile: what is used when nothing else matches.
    pub fn generic() -> Self {
        builtin::v250()
    }

    /// The built-in profile called `name` (see [`NAMES`]); case-insensitive, `_` and `-` alike.
    pub fn by_name(name: &str) -> Option<Self> {
        builtin::by_name(name)
    }

    /// The built-in profile that matches what the modem said, or [`Profile::generic`].
    pub fn identify(identity: &Identity) -> Self {
        builtin::identify(identity)
    }

    /// The init lines as commands.
    ///
    /// # Errors
    /// A line that is not a valid AT command line (see [`crate::at::RawCommand::new`]).
    pub fn init_commands(&self) -> Result<Vec<Command>, crate::at::AtError> {
        self.init
            .iter()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                crate::at::RawCommand::new(line.trim(), INIT_TIMEOUT)
                    .map(|raw| Command::Raw(raw.with_retries(1)))
            })
            .collect()
    }
}

/// How long one init line may take.
const INIT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
