//! What applications and operators choose: [`OpenOptions`] for `open_line`, [`HandoffTarget`],
//! [`ClientInfo`], [`InitialOwners`], and the Assisted Telephony request.

use crate::types::{CallPrivilege, MediaModes, Version};

/// `lineOpen`'s choices (T§2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenOptions {
    /// NONE (outgoing calls only), MONITOR (a handle to every call on the line), OWNER (offered
    /// incoming calls of `media_modes`, a handoff target), or MONITOR|OWNER. Anything else:
    /// `LINEERR_INVALPRIVSELECT`.
    pub privileges: CallPrivilege,
    /// With OWNER: the media modes this application takes (at least one, each one the line
    /// supports, else `LINEERR_INVALMEDIAMODE`). Ignored without OWNER.
    pub media_modes: MediaModes,
    /// The API version the application negotiated for this device (`negotiate_api_version`).
    pub version: Version,
}

impl OpenOptions {
    /// Owner of incoming calls of `media_modes`.
    pub fn owner(media_modes: MediaModes) -> Self {
        OpenOptions {
            privileges: CallPrivilege::OWNER,
            media_modes,
            version: Version::V2_2,
        }
    }

    /// A monitor of every call on the line.
    pub fn monitor() -> Self {
        OpenOptions {
            privileges: CallPrivilege::MONITOR,
            media_modes: MediaModes::empty(),
            version: Version::V2_2,
        }
    }

    /// Outgoing calls only.
    pub fn none() -> Self {
        OpenOptions {
            privileges: CallPrivilege::NONE,
            media_modes: MediaModes::empty(),
            version: Version::V2_2,
        }
    }

    /// The same with another API version.
    #[must_use]
    pub fn version(mut self, version: Version) -> Self {
        self.version = version;
        self
    }

    /// The same with MONITOR added (an owner that also monitors the calls it is not offered).
    #[must_use]
    pub fn and_monitor(mut self) -> Self {
        self.privileges |= CallPrivilege::MONITOR;
        self
    }
}

/// Where `handoff` sends a call (`lineHandoff`, T§2.7).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HandoffTarget {
    /// Directed: the application initialised with this name (compared without regard to case),
    /// which must have the line open as OWNER. Handing off to oneself succeeds and changes
    /// nothing.
    App(String),
    /// By media mode: the highest-priority application with the line open as OWNER for this one
    /// media mode (priority: the order of `open_line`). `LINEERR_TARGETSELF` when that is the
    /// caller.
    MediaMode(MediaModes),
}

/// Who an application is, as the host knows it (from the RPC socket's peer credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ClientInfo {
    /// The client's process id.
    pub pid: Option<u32>,
    /// Its user id.
    pub uid: Option<u32>,
    /// Its group id.
    pub gid: Option<u32>,
}

/// Which owners an incoming call is offered to (T§2.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InitialOwners {
    /// Every application that opened the line as OWNER for a media mode of the call gets an owner
    /// handle (the default): they coordinate among themselves (the first `answer` wins; the others
    /// get `LINEERR_INVALCALLSTATE`) or with `handoff`.
    #[default]
    All,
    /// Only the highest-priority one (the first to open the line), as TAPISRV does; the other
    /// candidates get monitor handles if they opened with MONITOR too.
    HighestPriority,
}

/// An Assisted Telephony request to place a call (`tapiRequestMakeCall`, T§6). Longer strings are
/// truncated to TAPI's sizes: 79 characters for `dest` and `comment`, 39 for `app_name` and
/// `called_party` (`TAPIMAX*SIZE` counts the terminating NUL).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AssistedMakeCall {
    /// The destination: dialable or canonical (`+1 (425) 555-0100`); not validated beyond being
    /// non-empty (`TAPIERR_INVALDESTADDRESS`).
    pub dest: String,
    /// The requesting application's name.
    pub app_name: String,
    /// Who is being called, for display.
    pub called_party: String,
    /// A comment.
    pub comment: String,
}

/// `TAPIMAXDESTADDRESSSIZE`, with the NUL.
pub const TAPIMAXDESTADDRESSSIZE: usize = 80;
/// `TAPIMAXAPPNAMESIZE`, with the NUL.
pub const TAPIMAXAPPNAMESIZE: usize = 40;
/// `TAPIMAXCALLEDPARTYSIZE`, with the NUL.
pub const TAPIMAXCALLEDPARTYSIZE: usize = 40;
/// `TAPIMAXCOMMENTSIZE`, with the NUL.
pub const TAPIMAXCOMMENTSIZE: usize = 80;

fn truncate(s: &str, size_with_nul: usize) -> String {
    s.chars().take(size_with_nul.saturating_sub(1)).collect()
}

impl AssistedMakeCall {
    /// A request to call `dest`.
    pub fn new(dest: impl Into<String>) -> Self {
        AssistedMakeCall {
            dest: dest.into(),
            ..Self::default()
        }
    }

    /// The same with every string cut to TAPI's size.
    #[must_use]
    pub fn truncated(&self) -> Self {
        AssistedMakeCall {
            dest: truncate(self.dest.trim(), TAPIMAXDESTADDRESSSIZE),
            app_name: truncate(&self.app_name, TAPIMAXAPPNAMESIZE),
            called_party: truncate(&self.called_party, TAPIMAXCALLEDPARTYSIZE),
            comment: truncate(&self.comment, TAPIMAXCOMMENTSIZE),
        }
    }
}
