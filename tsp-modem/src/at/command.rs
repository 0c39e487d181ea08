//! AT commands as types: each knows its text, its timeout, its retries and which final results
//! can answer it.

use std::fmt;
use std::time::Duration;

use super::error::AtError;
use super::parse::FinalResult;
use super::registers::Registers;

/// Added to S7 (and dial-string pauses) for `ATD`/`ATA`: a host timeout equal to S7 makes the
/// modem's own `NO CARRIER` arrive after the host gave up (hayes.md §12 quirk 27: "S7 + 10 s or
/// more").
pub const DIAL_MARGIN: Duration = Duration::from_secs(10);

/// How long after the `+++` guard time the engine waits for the escape's `OK`.
pub const ESCAPE_OK_WAIT: Duration = Duration::from_secs(2);

const PLAIN: Duration = Duration::from_secs(2);
const SLOW: Duration = Duration::from_secs(5);

/// Longest dial string accepted (USR limits the dial string to 60 characters, hayes.md §1).
pub const MAX_DIAL_STRING: usize = 60;

/// Longest raw command line accepted, `AT` included.
pub const MAX_RAW_COMMAND: usize = 200;

/// A dial string the modem can take after `ATD`: digits, `A-D * # +`, the modifiers
/// `T P , W @ ! $ ^ /` and the ignored `( ) - . space` (V.250 6.3.1, hayes.md §5.2).
///
/// `;` is not part of it: ask for a voice dial with [`Command::Dial`]'s `voice` flag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialString(String);

impl DialString {
    /// Checks `s` and keeps it as given.
    pub fn new(s: &str) -> Result<Self, AtError> {
        let invalid = |reason: String| AtError::InvalidArgument {
            what: "dial string",
            value: s.to_owned(),
            reason,
        };
        if s.chars().count() > MAX_DIAL_STRING {
            return Err(invalid(format!("longer than {MAX_DIAL_STRING} characters")));
        }
        if let Some(bad) = s.chars().find(|&c| !is_dial_char(c)) {
            return Err(invalid(format!("character {bad:?} is not allowed")));
        }
        Ok(Self(s.to_owned()))
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn count(&self, pred: impl Fn(char) -> bool) -> u32 {
        self.0.chars().filter(|&c| pred(c)).count() as u32
    }
}

fn is_dial_char(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(c.to_ascii_uppercase(), 'A'..='D' | 'T' | 'P' | 'W')
        || matches!(c, '*' | '#' | '+' | ',' | '@' | '!' | '$' | '^' | '/')
        || matches!(c, '(' | ')' | '-' | '.' | ' ')
}

impl fmt::Display for DialString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A command line supplied by the user (`AT&V`, `AT+FMFR?`), with its own timeout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RawCommand {
    text: String,
    timeout: Duration,
    retries: u32,
}

impl RawCommand {
    /// Checks `text`: it must start with `AT` (any case), hold printable ASCII only (the engine
    /// adds the CR) and be at most [`MAX_RAW_COMMAND`] characters long.
    pub fn new(text: &str, timeout: Duration) -> Result<Self, AtError> {
        let invalid = |reason: &str| AtError::InvalidArgument {
            what: "raw AT command",
            value: text.to_owned(),
            reason: reason.to_owned(),
        };
        if !text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("AT")) {
            return Err(invalid("must start with AT"));
        }
        if text.len() > MAX_RAW_COMMAND {
            return Err(invalid("too long"));
        }
        if !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(invalid(
                "only printable ASCII is allowed (no CR, LF or controls)",
            ));
        }
        Ok(Self {
            text: text.to_owned(),
            timeout,
            retries: 0,
        })
    }

    /// Allows the engine to resend the line this many times after a timeout; only for lines
    /// that are safe to repeat.
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The command line without its terminator.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A `+FCLASS` service class (hayes.md §9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceClass {
    /// 0: data.
    Data,
    /// 1: fax class 1.
    Fax1,
    /// 1.0: fax class 1 per T.31.
    Fax1_0,
    /// 2: fax class 2 (pre-standard).
    Fax2,
    /// 2.0: fax class 2.0 (T.32).
    Fax2_0,
    /// 8: voice (V.253).
    Voice,
}

impl fmt::Display for ServiceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Data => "0",
            Self::Fax1 => "1",
            Self::Fax1_0 => "1.0",
            Self::Fax2 => "2",
            Self::Fax2_0 => "2.0",
            Self::Voice => "8",
        })
    }
}

/// Caller-ID reporting mode for `+VCID` / `#CID` (hayes.md §10.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerIdMode {
    /// 0: off.
    Off,
    /// 1: formatted (`NMBR = …` lines).
    Formatted,
    /// 2: unformatted (the packet as hex).
    Unformatted,
}

impl CallerIdMode {
    fn digit(self) -> u8 {
        match self {
            Self::Off => 0,
            Self::Formatted => 1,
            Self::Unformatted => 2,
        }
    }
}

/// One AT command line (or the `+++` escape).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Command {
    /// `AT`: attention, answers `OK`.
    At,
    /// `ATZ`: reset to the stored profile (may take seconds).
    Reset,
    /// `AT&F`: load factory defaults.
    FactoryDefaults,
    /// `ATE0` / `ATE1`: command echo off / on.
    Echo(bool),
    /// `ATV0` / `ATV1`: numeric / verbose result codes.
    Verbose(bool),
    /// `ATQ0` / `ATQ1`: result codes on / off. After `ATQ1` the modem sends no result codes, so
    /// `Quiet(true)` itself and every later command end in a timeout until `Quiet(false)`.
    Quiet(bool),
    /// `ATX<n>`: result code set and call-progress detection (hayes.md §4).
    ResultCodes(u8),
    /// `ATS<n>=<v>`.
    SetRegister {
        /// Register number.
        register: u8,
        /// New value.
        value: u8,
    },
    /// `ATS<n>?`: answers three digits (`043`) as information text.
    ReadRegister(u8),
    /// `ATI<n>`: identification text.
    Identify(u8),
    /// `AT+GMI`: manufacturer.
    Manufacturer,
    /// `AT+GMM`: model.
    Model,
    /// `AT+GMR`: revision.
    Revision,
    /// `AT+GCAP`: capabilities.
    Capabilities,
    /// `AT+FCLASS=?`: supported service classes.
    ServiceClasses,
    /// `AT+FCLASS?`: current service class.
    ServiceClass,
    /// `AT+FCLASS=<n>`.
    SetServiceClass(ServiceClass),
    /// `AT+VCID=<n>`: caller ID (V.253, Conexant, USR 5637, Lucent).
    VoiceCallerId(CallerIdMode),
    /// `AT#CID=<n>`: caller ID (Rockwell legacy, USR Sportster, Supra).
    HashCallerId(CallerIdMode),
    /// `ATD<number>[;]`: dial; with `voice` the modem returns to command state after dialling.
    Dial {
        /// What to dial, modifiers included (`T*70,5551212`).
        number: DialString,
        /// Append `;` (voice call: `OK` after dialling, no carrier expected).
        voice: bool,
    },
    /// `ATA`: answer.
    Answer,
    /// `ATH`: hang up (sent as `ATH`, not `ATH0`, which some old modems refuse: hayes.md §12 #12).
    HangUp,
    /// `ATO`: back to online data from online command state.
    Online,
    /// `+++` with guard times: from online data to online command state.
    Escape,
    /// A user-supplied line.
    Raw(RawCommand),
}

impl Command {
    /// The bytes to send: the command line and CR (`+++` for [`Command::Escape`]).
    pub fn encode(&self) -> Vec<u8> {
        let mut line = self.to_string().into_bytes();
        if !matches!(self, Self::Escape) {
            line.push(b'\r');
        }
        line
    }

    /// How to name the command in errors and logs: the line itself, except that a dial shows
    /// only `ATD` (the number stays out of error messages).
    pub fn name(&self) -> String {
        match self {
            Self::Dial { .. } => "ATD".to_owned(),
            other => other.to_string(),
        }
    }

    /// How long one attempt may wait for the final result, given the modem's registers.
    ///
    /// `ATZ`/`AT&F` and identification 5 s (reset time varies; `+GMI` text may be 2048
    /// characters); `ATD` S7 + S8 per `,` + S7 per `W`/`@` + [`DIAL_MARGIN`]; `ATA` S7 +
    /// margin; `ATO` 10 s; `ATH` 5 s; `+++` twice the guard time + [`ESCAPE_OK_WAIT`]; others 2 s.
    pub fn timeout(&self, regs: &Registers) -> Duration {
        match self {
            Self::Reset | Self::FactoryDefaults => SLOW,
            Self::Identify(_)
            | Self::Manufacturer
            | Self::Model
            | Self::Revision
            | Self::Capabilities
            | Self::ServiceClasses => SLOW,
            Self::Dial { number, .. } => {
                let commas = number.count(|c| c == ',');
                let waits = number.count(|c| matches!(c, 'W' | 'w' | '@'));
                regs.connect_wait()
                    + regs.comma_pause() * commas
                    + regs.connect_wait() * waits
                    + DIAL_MARGIN
            }
            Self::Answer => regs.connect_wait() + DIAL_MARGIN,
            Self::Online => Duration::from_secs(10),
            Self::HangUp => SLOW,
            Self::Escape => regs.guard() * 2 + ESCAPE_OK_WAIT,
            Self::Raw(raw) => raw.timeout,
            _ => PLAIN,
        }
    }

    /// How many times the engine may resend the command after a timeout: only commands that are
    /// safe to repeat (`AT`, settings, queries) are retried.
    pub fn retries(&self) -> u32 {
        match self {
            Self::At => 2,
            Self::Echo(_)
            | Self::Verbose(_)
            | Self::ResultCodes(_)
            | Self::SetRegister { .. }
            | Self::ReadRegister(_)
            | Self::Identify(_)
            | Self::Manufacturer
            | Self::Model
            | Self::Revision
            | Self::Capabilities
            | Self::ServiceClasses
            | Self::ServiceClass
            | Self::SetServiceClass(_)
            | Self::VoiceCallerId(_)
            | Self::HashCallerId(_)
            | Self::HangUp => 1,
            Self::Raw(raw) => raw.retries,
            _ => 0,
        }
    }

    /// True when `result` can be this command's final result. Anything else arriving while the
    /// command is in flight belongs to an earlier command (a late `NO CARRIER` of a timed-out
    /// dial) or is unsolicited.
    pub fn accepts(&self, result: &FinalResult) -> bool {
        use FinalResult as R;
        match self {
            Self::Dial { .. } | Self::Raw(_) => true,
            Self::Answer => matches!(
                result,
                R::Connect(_) | R::NoCarrier | R::Error | R::Ok | R::NoAnswer
            ),
            Self::Online => matches!(result, R::Connect(_) | R::NoCarrier | R::Error | R::Ok),
            Self::Escape => matches!(result, R::Ok | R::NoCarrier | R::Error),
            _ => matches!(result, R::Ok | R::Error),
        }
    }

    /// True when the modem echoes the line under `E1` (everything but `+++`, which is sent in
    /// data mode).
    pub fn echoes(&self) -> bool {
        !matches!(self, Self::Escape)
    }

    /// True when the command may change the result-code format (`ATV`, `ATZ`, `AT&F`, raw
    /// lines), so numeric result codes are accepted while it runs.
    pub fn may_change_format(&self) -> bool {
        matches!(
            self,
            Self::Verbose(_) | Self::Reset | Self::FactoryDefaults | Self::Raw(_)
        )
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = |b: &bool| u8::from(*b);
        match self {
            Self::At => f.write_str("AT"),
            Self::Reset => f.write_str("ATZ"),
            Self::FactoryDefaults => f.write_str("AT&F"),
            Self::Echo(on) => write!(f, "ATE{}", flag(on)),
            Self::Verbose(on) => write!(f, "ATV{}", flag(on)),
            Self::Quiet(on) => write!(f, "ATQ{}", flag(on)),
            Self::ResultCodes(x) => write!(f, "ATX{x}"),
            Self::SetRegister { register, value } => write!(f, "ATS{register}={value}"),
            Self::ReadRegister(r) => write!(f, "ATS{r}?"),
            Self::Identify(n) => write!(f, "ATI{n}"),
            Self::Manufacturer => f.write_str("AT+GMI"),
            Self::Model => f.write_str("AT+GMM"),
            Self::Revision => f.write_str("AT+GMR"),
            Self::Capabilities => f.write_str("AT+GCAP"),
            Self::ServiceClasses => f.write_str("AT+FCLASS=?"),
            Self::ServiceClass => f.write_str("AT+FCLASS?"),
            Self::SetServiceClass(c) => write!(f, "AT+FCLASS={c}"),
            Self::VoiceCallerId(m) => write!(f, "AT+VCID={}", m.digit()),
            Self::HashCallerId(m) => write!(f, "AT#CID={}", m.digit()),
            Self::Dial { number, voice } => {
                write!(f, "ATD{number}{}", if *voice { ";" } else { "" })
            }
            Self::Answer => f.write_str("ATA"),
            Self::HangUp => f.write_str("ATH"),
            Self::Online => f.write_str("ATO"),
            Self::Escape => f.write_str("+++"),
            Self::Raw(raw) => f.write_str(&raw.text),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn commands_encode_with_a_carriage_return() {
        assert_eq!(Command::Reset.encode(), b"ATZ\r");
        assert_eq!(
            Command::SetRegister {
                register: 7,
                value: 60
            }
            .encode(),
            b"ATS7=60\r"
        );
        assert_eq!(
            Command::SetServiceClass(ServiceClass::Fax1_0).encode(),
            b"AT+FCLASS=1.0\r"
        );
        assert_eq!(
            Command::HashCallerId(CallerIdMode::Formatted).encode(),
            b"AT#CID=1\r"
        );
        assert_eq!(Command::Escape.encode(), b"+++");
        let dial = Command::Dial {
            number: DialString::new("T*70,5551212").unwrap(),
            voice: true,
        };
        assert_eq!(dial.encode(), b"ATDT*70,5551212;\r");
        assert_eq!(dial.name(), "ATD");
    }

    #[test]
    fn dial_timeout_grows_with_pauses_and_waits() {
        let regs = Registers::default();
        let plain = Command::Dial {
            number: DialString::new("5551212").unwrap(),
            voice: false,
        };
        assert_eq!(plain.timeout(&regs), Duration::from_secs(60));
        let paused = Command::Dial {
            number: DialString::new("T*70,,5551212W1").unwrap(),
            voice: false,
        };
        assert_eq!(paused.timeout(&regs), Duration::from_secs(50 + 4 + 50 + 10));
        assert_eq!(Command::Reset.timeout(&regs), Duration::from_secs(5));
        assert_eq!(Command::At.timeout(&regs), Duration::from_secs(2));
    }

    #[test]
    fn dial_strings_and_raw_lines_refuse_injection() {
        assert!(DialString::new("555\rATH").is_err());
        assert!(DialString::new("5551212;").is_err());
        assert!(DialString::new(&"5".repeat(61)).is_err());
        assert!(RawCommand::new("AT&V\r", PLAIN).is_err());
        assert!(RawCommand::new("&V", PLAIN).is_err());
        assert_eq!(
            Command::Raw(RawCommand::new("at+fmfr?", PLAIN).unwrap()).encode(),
            b"at+fmfr?\r"
        );
    }

    #[test]
    fn only_dial_like_commands_accept_call_progress_results() {
        assert!(!Command::At.accepts(&FinalResult::NoCarrier));
        assert!(Command::At.accepts(&FinalResult::Error));
        assert!(
            Command::Dial {
                number: DialString::new("1").unwrap(),
                voice: false
            }
            .accepts(&FinalResult::Busy)
        );
    }
}
