//! [`ModemLineConfig`]: one line of a [`ModemProvider`](super::ModemProvider).

use std::sync::Arc;

use tsp_sdk::dial::Location;

use crate::transport::PortOpener;

/// One modem line: where its modem is, how to set it up, and where it dials from.
#[derive(Clone)]
pub struct ModemLineConfig {
    /// The line's name for people and logs (`"fax line"`).
    pub name: String,
    /// Opens the modem's port (a serial port, a pty, the simulator's port).
    pub opener: Arc<dyn PortOpener>,
    /// A built-in profile to use instead of the one identification picks
    /// ([`Profile::by_name`](crate::profile::Profile::by_name)).
    pub profile: Option<String>,
    /// Init command lines to use instead of the profile's, separated by `;` in the configuration
    /// file (`"AT&F&C1&D2X4"`). Keep `&C1` and `&D2`: the provider relies on them.
    pub init: Option<Vec<String>>,
    /// Where the line dials from: prefixes, tone or pulse, the cancel-call-waiting code.
    pub location: Location,
}

impl ModemLineConfig {
    /// A line named `name` on the port `opener` opens, with the profile identification picks and
    /// an unconfigured location (dialable destinations only, no cancel code).
    pub fn new(name: impl Into<String>, opener: Arc<dyn PortOpener>) -> Self {
        ModemLineConfig {
            name: name.into(),
            opener,
            profile: None,
            init: None,
            location: Location::default(),
        }
    }

    /// Uses this built-in profile.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Uses these init lines instead of the profile's.
    #[must_use]
    pub fn with_init<I: IntoIterator<Item = S>, S: Into<String>>(mut self, lines: I) -> Self {
        self.init = Some(lines.into_iter().map(Into::into).collect());
        self
    }

    /// Dials from this location.
    #[must_use]
    pub fn with_location(mut self, location: Location) -> Self {
        self.location = location;
        self
    }
}

impl std::fmt::Debug for ModemLineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModemLineConfig")
            .field("name", &self.name)
            .field("port", &self.opener.name())
            .field("profile", &self.profile)
            .field("init", &self.init)
            .field("location", &self.location)
            .finish()
    }
}
