//! [`Snapshot`]: everything the host tracks, as plain data an operator reads (`tsp-modem status`
//! prints it as tables or JSON; the RPC server sends it to clients in any language).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What the host holds now. Empty lists mean nothing is left: after every application shut
/// down, `apps`, `calls`, `pending_requests`, `request_recipients` are empty and no line is open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// Whether a REINIT is pending (new applications and opens are refused until every
    /// application has shut down).
    pub reinit_pending: bool,
    /// The providers, each initialised once.
    pub providers: Vec<ProviderView>,
    /// Every line device, by TAPI device id.
    pub lines: Vec<LineView>,
    /// The applications.
    pub apps: Vec<AppView>,
    /// The calls the host tracks.
    pub calls: Vec<CallView>,
    /// Asynchronous requests of applications not answered yet.
    pub pending_requests: Vec<RequestView>,
    /// Assisted Telephony request recipients, highest priority first.
    pub request_recipients: Vec<RecipientView>,
    /// Assisted Telephony requests waiting to be taken.
    pub assisted_queue: Vec<AssistedView>,
    /// How many entries each of the host's internal tables holds: all zero once every
    /// application has shut down (what "nothing left behind" means, table by table).
    #[serde(default)]
    pub tables: HostTables,
}

/// The sizes of the host's internal tables. After every application has shut down and the
/// providers have answered, every field is 0; a field that stays above 0 is a leak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HostTables {
    /// Applications (`hLineApp`s).
    pub apps: u64,
    /// Applications' opens of lines (`hLine`s).
    pub opens: u64,
    /// Lines open at a provider.
    pub provider_lines: u64,
    /// Calls the host tracks.
    pub calls: u64,
    /// Applications' call handles (`hCall`s).
    pub call_handles: u64,
    /// Asynchronous requests issued to providers and not completed (the host's own included).
    pub provider_requests: u64,
    /// Application request ids reserved while their requests are pending.
    pub app_request_ids: u64,
    /// Digit generations (`lineGenerateDigits`) not finished.
    pub digit_generations: u64,
    /// Provider operations queued and not yet performed.
    pub queued_operations: u64,
}

impl HostTables {
    /// Whether every table is empty.
    pub fn is_empty(&self) -> bool {
        *self == HostTables::default()
    }
}

/// A provider.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProviderView {
    /// Its name (`tsp-modem`).
    pub name: String,
    /// The TSPI version negotiated for its session (`2.2`).
    pub version: String,
    /// Its TAPI device ids.
    pub devices: Vec<u32>,
    /// Contract violations its sink refused so far.
    pub violations: u64,
}

/// A line device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineView {
    /// The TAPI device id.
    pub device: u32,
    /// The provider's name.
    pub provider: String,
    /// The line's name (its caps' `line_name`).
    pub name: String,
    /// Whether the device was removed (it answers `LINEERR_NODEVICE`).
    pub removed: bool,
    /// Whether the line is open at the provider.
    pub open: bool,
    /// The applications' opens (`LINEDEVSTATUS.dwNumOpens` is their number).
    pub opens: Vec<OpenView>,
    /// The union of the owners' media modes: the provider's default media detection.
    pub media_modes: Vec<String>,
    /// The union of the opens' line-state filters.
    pub status_messages: Vec<String>,
    /// Calls on the line.
    pub calls: u32,
    /// How many times each TSPI operation was issued for this device since the host started:
    /// what the provider saw (`drop_call`, `close_call`, `open`, `close`, …).
    pub provider_operations: BTreeMap<String, u64>,
}

/// One application's open of a line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OpenView {
    /// The application.
    pub app: u32,
    /// Its name.
    pub app_name: String,
    /// Its line handle.
    pub line: u32,
    /// NONE, MONITOR, OWNER.
    pub privileges: Vec<String>,
    /// The media modes it owns (OWNER opens).
    pub media_modes: Vec<String>,
    /// The API version it negotiated (`2.2`).
    pub version: String,
}

/// An application.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AppView {
    /// Its handle (`hLineApp`).
    pub app: u32,
    /// The name it initialised with.
    pub name: String,
    /// Its process id, for clients over the socket.
    pub pid: Option<u32>,
    /// Its user id, for clients over the socket.
    pub uid: Option<u32>,
    /// Its open lines (handles).
    pub lines: Vec<u32>,
    /// Its call handles.
    pub calls: Vec<u32>,
    /// Its requests not answered yet.
    pub pending_requests: Vec<u32>,
    /// Events queued for it, not read yet.
    pub queued_events: u64,
    /// Events discarded because it did not read them.
    pub events_lost: u64,
    /// Whether it is an Assisted Telephony request recipient.
    pub request_recipient: bool,
}

/// A call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CallView {
    /// The TAPI device id of its line.
    pub device: u32,
    /// The provider's handle for it.
    pub call: u32,
    /// Its last state (`CONNECTED`), or `PENDING` while its `make_call` is not answered.
    pub state: String,
    /// Its media mode.
    pub media_modes: Vec<String>,
    /// The application that created it, if one did.
    pub origin_app: Option<String>,
    /// Handles with OWNER privilege.
    pub owners: Vec<HolderView>,
    /// Handles with MONITOR privilege.
    pub monitors: Vec<HolderView>,
    /// Whether the host dropped it (nobody could own it, or its sole owner left).
    pub dropped_by_host: bool,
}

/// An application's handle to a call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HolderView {
    /// The application.
    pub app: u32,
    /// Its name.
    pub app_name: String,
    /// Its call handle.
    pub call: u32,
}

/// A request not answered yet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RequestView {
    /// The application's request id.
    pub request: u32,
    /// The application.
    pub app: u32,
    /// Its name.
    pub app_name: String,
    /// The operation (`make_call`).
    pub operation: String,
    /// The TAPI device id.
    pub device: u32,
}

/// A request recipient.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RecipientView {
    /// The application.
    pub app: u32,
    /// Its name.
    pub app_name: String,
    /// Its priority: 1 is the highest, 0 unlisted (below every listed one).
    pub priority: u32,
    /// The request modes (`MAKECALL`).
    pub modes: Vec<String>,
}

/// A queued Assisted Telephony request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AssistedView {
    /// The destination.
    pub dest: String,
    /// The requesting application.
    pub app_name: String,
    /// The called party.
    pub called_party: String,
    /// The comment.
    pub comment: String,
}

/// The names of a flag set's bits (`["DATAMODEM", "G3FAX"]`).
pub(crate) fn names<F: bitflags::Flags>(flags: F) -> Vec<String> {
    flags.iter_names().map(|(n, _)| n.to_owned()).collect()
}
