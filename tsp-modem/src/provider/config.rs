//! Configuration files: the serde form of [`ModemLineConfig`] for the CLI and the server (TOML).
//!
//! ```
//! use tsp_modem::provider::config::ModemConfig;
//!
//! let config: ModemConfig = toml::from_str(r#"
//!     [[line]]
//!     name = "data"
//!     port = "/dev/ttyACM0"
//!     baud = 115200
//!     profile = "usr"
//!     [line.location]
//!     country_code = 1
//!     area_code = "425"
//!     cancel_call_waiting = "*70,"
//! "#)?;
//! let lines = config.line_configs()?;
//! assert_eq!(lines[0].location.cancel_call_waiting, "*70,");
//! assert_eq!(lines[0].opener.name(), "/dev/ttyACM0");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use tsp_sdk::dial::{DialError, DialMode, Location};

use super::ModemLineConfig;
use crate::profile::Profile;
use crate::transport::{FlowControl, SerialPortOpener};

/// A provider's configuration: its lines.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModemConfig {
    /// The lines, in device order.
    #[serde(rename = "line", default)]
    pub lines: Vec<LineFile>,
    /// `tsp-modem serve`'s settings (`[server]`).
    #[serde(default)]
    pub server: ServerFile,
}

/// `[server]`: where `tsp-modem serve` listens and who may connect; the command line's
/// `--socket`, `--allow-uid` and `--allow-gid` take precedence or add to these.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerFile {
    /// The Unix socket (default `$XDG_RUNTIME_DIR/tsp/tsp.sock`; a service uses
    /// `/run/tsp/tsp.sock`).
    pub socket: Option<PathBuf>,
    /// User ids allowed besides the server's own user and root.
    pub allow_uids: Vec<u32>,
    /// Group ids allowed (by the client's primary group).
    pub allow_gids: Vec<u32>,
}

/// One line in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineFile {
    /// The line's name.
    pub name: String,
    /// The serial port's path.
    pub port: PathBuf,
    /// The DTE rate (default 115200).
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// `"none"`, `"software"` or `"hardware"` (default).
    #[serde(default)]
    pub flow_control: FlowControlFile,
    /// A built-in profile name, instead of identification.
    pub profile: Option<String>,
    /// Init lines instead of the profile's, `;`-separated.
    pub init: Option<String>,
    /// Where the line dials from.
    #[serde(default)]
    pub location: LocationFile,
}

fn default_baud() -> u32 {
    115_200
}

/// Flow control in a configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowControlFile {
    /// None.
    None,
    /// XON/XOFF.
    Software,
    /// RTS/CTS.
    #[default]
    Hardware,
}

/// A location in a configuration file (see [`Location`]); every field is optional.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocationFile {
    /// Country code (0: dialable destinations only).
    pub country_code: u32,
    /// Area code.
    pub area_code: String,
    /// Outside-line prefix for local calls.
    pub local_access: String,
    /// Outside-line prefix for long-distance calls.
    pub long_distance_access: String,
    /// Long-distance prefix (`1`); default per country code 1: `1`.
    pub long_distance_prefix: Option<String>,
    /// International prefix (`011`); default per country code 1: `011`.
    pub international_prefix: Option<String>,
    /// `true` for pulse dialing.
    pub pulse: bool,
    /// Cancel-call-waiting code (`*70,`); empty: none, and calls cannot be secured.
    pub cancel_call_waiting: String,
    /// Area codes dialed as local calls.
    pub local_area_codes: Vec<String>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The location does not validate.
    #[error("line {line:?}: location: {source}")]
    Location {
        /// The line.
        line: String,
        /// Why.
        #[source]
        source: DialError,
    },
    /// No built-in profile has this name.
    #[error("line {line:?}: no profile {profile:?} (known: {known})")]
    Profile {
        /// The line.
        line: String,
        /// The name.
        profile: String,
        /// The known names.
        known: String,
    },
}

impl LocationFile {
    /// The location.
    pub fn location(&self) -> Location {
        let nanp = self.country_code == 1;
        let default_prefix = |given: &Option<String>, nanp_value: &str| {
            given.clone().unwrap_or_else(|| {
                if nanp {
                    nanp_value.to_owned()
                } else {
                    String::new()
                }
            })
        };
        Location {
            country_code: self.country_code,
            area_code: self.area_code.clone(),
            local_access: self.local_access.clone(),
            long_distance_access: self.long_distance_access.clone(),
            long_distance_prefix: default_prefix(&self.long_distance_prefix, "1"),
            international_prefix: default_prefix(&self.international_prefix, "011"),
            dial_mode: if self.pulse {
                DialMode::Pulse
            } else {
                DialMode::Tone
            },
            cancel_call_waiting: self.cancel_call_waiting.clone(),
            local_area_codes: self.local_area_codes.clone(),
        }
    }
}

impl ModemConfig {
    /// The provider's line configurations, on serial ports.
    ///
    /// # Errors
    /// A location that does not validate, or an unknown profile name.
    pub fn line_configs(&self) -> Result<Vec<ModemLineConfig>, ConfigError> {
        self.lines.iter().map(LineFile::line_config).collect()
    }
}

impl LineFile {
    /// This line's configuration, on its serial port.
    ///
    /// # Errors
    /// A location that does not validate, or an unknown profile name.
    pub fn line_config(&self) -> Result<ModemLineConfig, ConfigError> {
        let location = self.location.location();
        location
            .validate()
            .map_err(|source| ConfigError::Location {
                line: self.name.clone(),
                source,
            })?;
        if let Some(profile) = &self.profile
            && Profile::by_name(profile).is_none()
        {
            return Err(ConfigError::Profile {
                line: self.name.clone(),
                profile: profile.clone(),
                known: crate::profile::NAMES.join(", "),
            });
        }
        let flow = match self.flow_control {
            FlowControlFile::None => FlowControl::None,
            FlowControlFile::Software => FlowControl::Software,
            FlowControlFile::Hardware => FlowControl::Hardware,
        };
        let opener = SerialPortOpener::new(self.port.clone(), self.baud).with_flow_control(flow);
        Ok(ModemLineConfig {
            name: self.name.clone(),
            opener: Arc::new(opener),
            profile: self.profile.clone(),
            init: self
                .init
                .as_ref()
                .map(|s| s.split(';').map(|l| l.trim().to_owned()).collect()),
            location,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn a_minimal_line_gets_the_documented_defaults() {
        let config: ModemConfig =
            toml::from_str("[[line]]\nname = \"a\"\nport = \"/dev/ttyS0\"\n").unwrap();
        let line = &config.lines[0];
        assert_eq!(line.baud, 115_200);
        assert_eq!(line.flow_control, FlowControlFile::Hardware);
        let built = config.line_configs().unwrap();
        assert_eq!(built[0].location, Location::default());
        assert!(built[0].init.is_none());
    }

    #[test]
    fn init_lines_split_on_semicolons_and_bad_profiles_are_named() {
        let config: ModemConfig = toml::from_str(
            "[[line]]\nname = \"a\"\nport = \"/dev/ttyS0\"\ninit = \"AT&F; AT&C1&D2\"\nprofile = \"nope\"\n",
        )
        .unwrap();
        let err = config.line_configs().unwrap_err().to_string();
        assert!(err.contains("nope") && err.contains("usr"), "{err}");
        let mut fixed = config.clone();
        fixed.lines[0].profile = None;
        let built = fixed.line_configs().unwrap();
        assert_eq!(
            built[0].init,
            Some(vec!["AT&F".to_owned(), "AT&C1&D2".to_owned()])
        );
    }

    #[test]
    fn unknown_keys_and_bad_locations_are_refused() {
        assert!(
            toml::from_str::<ModemConfig>("[[line]]\nname=\"a\"\nport=\"p\"\nspeed=1\n").is_err()
        );
        let config: ModemConfig = toml::from_str(
            "[[line]]\nname = \"a\"\nport = \"p\"\n[line.location]\narea_code = \"4x5\"\n",
        )
        .unwrap();
        assert!(matches!(
            config.line_configs(),
            Err(ConfigError::Location { .. })
        ));
    }
}
