//! The `tsp-sim` configuration file (TOML) and the checked values it and the flags resolve to.
//!
//! ```toml
//! link_dir = "/tmp/sim"            # optional: symlinks ttySIM0, ttySIM1, … to the ptys
//!
//! [exchange]
//! seed = 1                         # optional: the run's seed (default: TSP_SIM_SEED or fixed)
//! time_scale = 1.0                 # optional: real seconds per simulated second
//! caller_id = "after-first-ring"   # or "before-first-ring" (BT SIN 227, the UK)
//! clock = "03-21 14:05"            # caller ID's date and time at start, MM-DD HH:MM
//!                                  # (default: this computer's local time)
//!
//! [[modem]]
//! number = "5550100"
//! profile = "usr5637"              # v250 (default), conexant-usb, usr5637, iaxmodem
//! call_waiting = true              # default false
//! name = "O'BRIEN, J."             # caller-ID name sent when this line calls; optional
//! caller_id = "number-and-name"    # what this line receives: number-and-name (MDMF, the
//!                                  # default), number (SDMF), none
//! presentation = "available"       # how this line's number is shown to those it calls:
//!                                  # available (default), private (P), out-of-area (O)
//! ```
//!
//! Unknown keys are errors, and every error names the file, the line and the field.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, de};

use crate::exchange::{CallerIdClock, CallerIdPlacement};
use crate::line::Presentation;
use crate::modem::Profile;
use crate::network::TimeScale;

/// Most modems one simulator serves (each is a pseudo-terminal and a task).
pub const MAX_MODEMS: usize = 64;

/// The number given to modem `index` when none is configured: `5550100`, `5550101`, …
pub fn default_number(index: usize) -> String {
    format!("555{:04}", 100 + index)
}

/// One simulated modem, resolved from the flags or the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModemSpec {
    /// The line's directory number (digits only).
    pub number: String,
    /// The modem family's profile name ([`Profile::NAMES`]).
    pub profile: &'static str,
    /// Whether the line has call waiting.
    pub call_waiting: bool,
    /// The line's caller-ID name, if any.
    pub name: Option<String>,
    /// The caller ID this line receives.
    pub caller_id: CallerIdService,
    /// How this line's number and name are shown to the lines it calls.
    pub presentation: Presentation,
}

/// The caller-ID service a line subscribes to (hayes.md §10.1): what its modem is told about an
/// incoming call between the first and second ring (or before the first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CallerIdService {
    /// Number and name: Bellcore MDMF, the usual North American service (a missing name comes
    /// as `NAME = O` or `P`).
    #[default]
    NumberAndName,
    /// Number only: SDMF, and the UK's and most of Europe's service (no `NAME` line at all).
    Number,
    /// No caller ID.
    None,
}

impl CallerIdService {
    /// The spellings `caller_id =` and `--caller-id` take.
    pub const NAMES: [&'static str; 3] = ["number-and-name", "number", "none"];

    /// The service a spelling names.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "number-and-name" | "mdmf" => Ok(Self::NumberAndName),
            "number" | "sdmf" => Ok(Self::Number),
            "none" => Ok(Self::None),
            _ => Err(format!(
                "caller ID {text:?}: expected one of {}",
                Self::NAMES.join(", ")
            )),
        }
    }

    /// The canonical spelling (as the status table shows it).
    pub fn name(self) -> &'static str {
        match self {
            Self::NumberAndName => "number-and-name",
            Self::Number => "number",
            Self::None => "none",
        }
    }
}

/// A presentation from its spelling: `available`, `private` or `out-of-area`.
pub fn parse_presentation(text: &str) -> Result<Presentation, String> {
    match text {
        "available" => Ok(Presentation::Available),
        "private" => Ok(Presentation::Private),
        "out-of-area" => Ok(Presentation::OutOfArea),
        _ => Err(format!(
            "presentation {text:?}: expected available, private or out-of-area"
        )),
    }
}

/// Where caller ID goes from its spelling: `after-first-ring` or `before-first-ring`.
pub fn parse_placement(text: &str) -> Result<CallerIdPlacement, String> {
    match text {
        "after-first-ring" => Ok(CallerIdPlacement::AfterFirstRing),
        "before-first-ring" => Ok(CallerIdPlacement::BeforeFirstRing),
        _ => Err(format!(
            "caller ID placement {text:?}: expected after-first-ring (North America) or \
             before-first-ring (the UK)"
        )),
    }
}

/// Caller ID's date and time at start from `MM-DD HH:MM` (24-hour), e.g. `03-21 14:05`.
pub fn parse_clock(text: &str) -> Result<CallerIdClock, String> {
    let bad = || format!("clock {text:?}: expected MM-DD HH:MM, such as \"03-21 14:05\"");
    let (date, time) = text.trim().split_once(' ').ok_or_else(bad)?;
    let (month, day) = date.split_once('-').ok_or_else(bad)?;
    let (hour, minute) = time.trim().split_once(':').ok_or_else(bad)?;
    let field = |t: &str, range: std::ops::RangeInclusive<u8>| {
        t.parse::<u8>()
            .ok()
            .filter(|v| range.contains(v) && t.len() <= 2)
            .ok_or_else(bad)
    };
    const DAYS: [u8; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let month = field(month, 1..=12)?;
    let day = field(day, 1..=DAYS[usize::from(month - 1)])?;
    Ok(CallerIdClock {
        month,
        day,
        hour: field(hour, 0..=23)?,
        minute: field(minute, 0..=59)?,
    })
}

impl ModemSpec {
    /// A modem with this number, the given profile, no call waiting, no name, number-and-name
    /// caller ID and its number shown.
    pub fn new(number: impl Into<String>, profile: &'static str) -> Self {
        Self {
            number: number.into(),
            profile,
            call_waiting: false,
            name: None,
            caller_id: CallerIdService::default(),
            presentation: Presentation::Available,
        }
    }

    /// The modem's profile.
    pub fn profile(&self) -> Profile {
        // `profile` only ever holds a name `Profile::by_name` accepted.
        Profile::by_name(self.profile).unwrap_or_default()
    }
}

/// Everything the simulator needs to start.
#[derive(Debug, Clone, PartialEq)]
pub struct Setup {
    /// The modems, in table order (modem 0 first).
    pub modems: Vec<ModemSpec>,
    /// The seed, or `None` for the exchange's default.
    pub seed: Option<u64>,
    /// Real seconds per simulated second.
    pub time_scale: TimeScale,
    /// Where to put `ttySIM<n>` symlinks, if anywhere.
    pub link_dir: Option<PathBuf>,
    /// Where caller ID goes relative to the rings.
    pub caller_id_placement: CallerIdPlacement,
    /// Caller ID's date and time at start, or `None` for this computer's local time then.
    pub clock: Option<CallerIdClock>,
}

impl Default for Setup {
    /// Two `v250` modems on `5550100` and `5550101`, real time, no symlinks.
    fn default() -> Self {
        Self {
            modems: (0..2)
                .map(|i| ModemSpec::new(default_number(i), "v250"))
                .collect(),
            seed: None,
            time_scale: TimeScale::REAL_TIME,
            link_dir: None,
            caller_id_placement: CallerIdPlacement::default(),
            clock: None,
        }
    }
}

/// The configuration could not be used; the message names the file, line and field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration (toml's message names line and field).
    #[error("config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong, where.
        message: String,
    },
    /// The file or the flags are consistent TOML but describe an impossible setup.
    #[error("{origin}: {message}")]
    Invalid {
        /// `config <file>, line <n>` or `flags`.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    link_dir: Option<PathBuf>,
    #[serde(default)]
    exchange: ExchangeSection,
    #[serde(default, rename = "modem")]
    modems: Vec<ModemSection>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeSection {
    seed: Option<u64>,
    time_scale: Option<Scale>,
    caller_id: Option<Checked<CallerIdPlacement>>,
    clock: Option<Checked<CallerIdClock>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ModemSection {
    number: toml::Spanned<Number>,
    #[serde(default)]
    profile: ProfileName,
    #[serde(default)]
    call_waiting: bool,
    name: Option<String>,
    caller_id: Option<Checked<CallerIdService>>,
    presentation: Option<Checked<Presentation>>,
}

/// A value read from a string by one of this module's `parse_*` functions, so the file and the
/// flags accept the same spellings and give the same messages.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Checked<T>(T);

/// The string parser for each checked kind.
trait FromSpelling: Sized {
    fn from_spelling(text: &str) -> Result<Self, String>;
}

impl FromSpelling for CallerIdPlacement {
    fn from_spelling(text: &str) -> Result<Self, String> {
        parse_placement(text)
    }
}

impl FromSpelling for CallerIdClock {
    fn from_spelling(text: &str) -> Result<Self, String> {
        parse_clock(text)
    }
}

impl FromSpelling for CallerIdService {
    fn from_spelling(text: &str) -> Result<Self, String> {
        Self::parse(text)
    }
}

impl FromSpelling for Presentation {
    fn from_spelling(text: &str) -> Result<Self, String> {
        parse_presentation(text)
    }
}

impl<'de, T: FromSpelling> Deserialize<'de> for Checked<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        T::from_spelling(&text)
            .map(Checked)
            .map_err(de::Error::custom)
    }
}

/// A directory number: one or more digits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Number(String);

impl<'de> Deserialize<'de> for Number {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        check_number(&text)
            .map(|()| Number(text))
            .map_err(de::Error::custom)
    }
}

/// A profile name [`Profile::by_name`] knows, in its canonical spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ProfileName(&'static str);

impl Default for ProfileName {
    fn default() -> Self {
        Self("v250")
    }
}

impl<'de> Deserialize<'de> for ProfileName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_profile(&text)
            .map(ProfileName)
            .map_err(de::Error::custom)
    }
}

/// A time scale: finite and greater than zero.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale(TimeScale);

impl<'de> Deserialize<'de> for Scale {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let factor = f64::deserialize(deserializer)?;
        parse_time_scale_factor(factor)
            .map(Scale)
            .map_err(de::Error::custom)
    }
}

/// Checks a directory number: one to 15 digits (E.164's limit).
pub fn check_number(text: &str) -> Result<(), String> {
    if text.is_empty() || text.len() > 15 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "number {text:?}: expected 1 to 15 digits, such as \"5550100\""
        ));
    }
    Ok(())
}

/// The canonical name of a built-in profile (`v250`, `conexant-usb`, `usr5637`, `iaxmodem`).
pub fn parse_profile(text: &str) -> Result<&'static str, String> {
    Profile::by_name(text).map(|p| p.name).ok_or_else(|| {
        format!(
            "unknown profile {text:?}: expected one of {}",
            Profile::NAMES.join(", ")
        )
    })
}

/// A time scale from its factor (real seconds per simulated second).
pub fn parse_time_scale_factor(factor: f64) -> Result<TimeScale, String> {
    TimeScale::new(factor)
        .ok_or_else(|| format!("time scale {factor}: expected a number greater than 0 (1.0 is real time, 0.01 is 100 times faster)"))
}

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Setup, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Checks a configuration given as text; `path` names it in errors.
pub fn parse(text: &str, path: &Path) -> Result<Setup, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })?;
    if file.modems.is_empty() {
        return Err(ConfigError::Invalid {
            origin: format!("config {}", path.display()),
            message: "no [[modem]] tables: add at least one, e.g. [[modem]] number = \"5550100\""
                .into(),
        });
    }
    if file.modems.len() > MAX_MODEMS {
        return Err(ConfigError::Invalid {
            origin: format!("config {}", path.display()),
            message: format!(
                "{} modems: at most {MAX_MODEMS} are supported",
                file.modems.len()
            ),
        });
    }
    let mut modems: Vec<ModemSpec> = Vec::with_capacity(file.modems.len());
    for (index, modem) in file.modems.into_iter().enumerate() {
        let number = modem.number.get_ref().0.clone();
        if let Some(first) = modems.iter().position(|m| m.number == number) {
            return Err(ConfigError::Invalid {
                origin: format!(
                    "config {}, line {}",
                    path.display(),
                    line_of(text, modem.number.span())
                ),
                message: format!("modem {index}: number {number} is already used by modem {first}"),
            });
        }
        modems.push(ModemSpec {
            number,
            profile: modem.profile.0,
            call_waiting: modem.call_waiting,
            name: modem.name,
            caller_id: modem
                .caller_id
                .map_or_else(CallerIdService::default, |c| c.0),
            presentation: modem.presentation.map_or(Presentation::Available, |p| p.0),
        });
    }
    Ok(Setup {
        modems,
        seed: file.exchange.seed,
        time_scale: file
            .exchange
            .time_scale
            .map_or(TimeScale::REAL_TIME, |s| s.0),
        link_dir: file.link_dir,
        caller_id_placement: file
            .exchange
            .caller_id
            .map_or_else(CallerIdPlacement::default, |c| c.0),
        clock: file.exchange.clock.map(|c| c.0),
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, span: Range<usize>) -> usize {
    text.get(..span.start)
        .map_or(0, |before| before.matches('\n').count())
        + 1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    fn parse_str(text: &str) -> Result<Setup, ConfigError> {
        parse(text, Path::new("sim.toml"))
    }

    #[test]
    fn a_full_file_resolves_every_field() {
        let setup = parse_str(
            r#"
link_dir = "/tmp/sims"

[exchange]
seed = 1
time_scale = 0.5
caller_id = "before-first-ring"
clock = "03-21 14:05"

[[modem]]
number = "5550100"
profile = "usr5637"
call_waiting = true
name = "O'BRIEN, J."
caller_id = "number"
presentation = "private"

[[modem]]
number = "5550101"
"#,
        )
        .unwrap();
        assert_eq!(setup.seed, Some(1));
        assert_eq!(setup.time_scale.factor(), 0.5);
        assert_eq!(setup.link_dir, Some(PathBuf::from("/tmp/sims")));
        assert_eq!(
            setup.caller_id_placement,
            CallerIdPlacement::BeforeFirstRing
        );
        assert_eq!(
            setup.clock,
            Some(CallerIdClock {
                month: 3,
                day: 21,
                hour: 14,
                minute: 5
            })
        );
        assert_eq!(
            setup.modems,
            [
                ModemSpec {
                    number: "5550100".into(),
                    profile: "usr5637",
                    call_waiting: true,
                    name: Some("O'BRIEN, J.".into()),
                    caller_id: CallerIdService::Number,
                    presentation: Presentation::Private,
                },
                ModemSpec::new("5550101", "v250"),
            ]
        );
    }

    #[test]
    fn caller_id_settings_name_what_they_accept() {
        let err = parse_str("[[modem]]\nnumber = \"5550100\"\ncaller_id = \"name\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("number-and-name, number, none"), "{err}");
        let err = parse_str("[exchange]\nclock = \"13-01 10:00\"\n[[modem]]\nnumber = \"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected MM-DD HH:MM"), "{err}");
        assert_eq!(
            setup_default().clock,
            None,
            "no clock: this computer's local time"
        );
    }

    fn setup_default() -> Setup {
        parse_str("[[modem]]\nnumber = \"5550100\"\n").unwrap()
    }

    #[test]
    fn a_clock_is_a_real_month_day_and_time() {
        assert_eq!(
            parse_clock("12-31 23:59"),
            Ok(CallerIdClock {
                month: 12,
                day: 31,
                hour: 23,
                minute: 59
            })
        );
        assert!(
            parse_clock("02-29 00:00").is_ok(),
            "a leap day exists in some years"
        );
        for bad in [
            "02-30 10:00",
            "00-10 10:00",
            "03-21 24:00",
            "03-21 10:60",
            "0321 1405",
            "03-21",
            "",
            "3-21 1:5:0",
        ] {
            assert!(parse_clock(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_unknown_field_is_named_with_its_file_and_line() {
        let err = parse_str("[[modem]]\nnumber = \"5550100\"\ncallwaiting = true\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("config sim.toml:"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("callwaiting"), "{err}");
    }

    #[test]
    fn an_unknown_profile_lists_the_known_ones_and_its_line() {
        let err = parse_str("[[modem]]\nnumber = \"5550100\"\nprofile = \"zoom\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("unknown profile \"zoom\""), "{err}");
        assert!(
            err.contains("v250, conexant-usb, usr5637, iaxmodem"),
            "{err}"
        );
    }

    #[test]
    fn profile_aliases_resolve_to_the_canonical_name() {
        let setup = parse_str("[[modem]]\nnumber = \"1\"\nprofile = \"Conexant_USB\"\n").unwrap();
        assert_eq!(setup.modems[0].profile, "conexant-usb");
    }

    #[test]
    fn a_number_with_dashes_is_refused_at_its_line() {
        let err = parse_str("[[modem]]\n\nnumber = \"555-0100\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("expected 1 to 15 digits"), "{err}");
    }

    #[test]
    fn a_duplicate_number_names_both_modems_and_the_line() {
        let err = parse_str("[[modem]]\nnumber = \"5550100\"\n\n[[modem]]\nnumber = \"5550100\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "config sim.toml, line 5: modem 1: number 5550100 is already used by modem 0"
        );
    }

    #[test]
    fn a_zero_time_scale_is_refused() {
        let err = parse_str("[exchange]\ntime_scale = 0.0\n[[modem]]\nnumber = \"1\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("greater than 0"), "{err}");
    }

    #[test]
    fn a_file_without_modems_is_refused() {
        let err = parse_str("[exchange]\nseed = 3\n").unwrap_err().to_string();
        assert!(err.contains("no [[modem]] tables"), "{err}");
    }

    #[test]
    fn a_missing_file_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.toml");
        let err = load(&path).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("read config {}", path.display())),
            "{err}"
        );
    }

    #[test]
    fn default_numbers_count_up_from_5550100() {
        assert_eq!(default_number(0), "5550100");
        assert_eq!(default_number(11), "5550111");
    }
}
