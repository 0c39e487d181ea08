//! The application face of tsp: TAPI's server (TAPISRV, T§5) in Rust.
//!
//! A [`Host`] holds providers as `Arc<dyn ProviderDyn>`, each started once however many
//! applications use it. Applications [`initialize`](Host::initialize) and get an [`App`]
//! (`hLineApp`) and their [`Events`]; they open lines ([`Line`], `hLine`) with privileges and
//! media modes, and hold calls ([`Call`], `hCall`) as owners or monitors. The host does what
//! TAPI's server does and a provider never sees:
//!
//! | concern | rule (T§) |
//! |---|---|
//! | one provider-level open per line | the union of the owners' media modes and of everyone's status filters is re-sent as applications come and go (2.7, 5) |
//! | async requests | ids `1..=0x7FFFFFFF`, unique while pending; each reply to the requesting application only, exactly once (1.1) |
//! | checks before the provider | unknown or another application's handle, a monitor asking for an owner's operation, media or bearer modes the line cannot carry, SECURE without the address cap: `LINEERR_*`, and the provider never hears of it |
//! | ownership | an application owns the calls it makes; incoming calls go to owners that opened for their media mode, monitors see every call, a call nobody can own is dropped; [`handoff`](App::handoff), [`set_call_privilege`](App::set_call_privilege), [`deallocate_call`](App::deallocate_call) (2.7) |
//! | Assisted Telephony | request recipients by priority, a queue, `TAPIERR_NOREQUESTRECIPIENT` (6) |
//! | shutdown | [`close_line`](App::close_line) drops the calls the application solely owned; [`shutdown`](App::shutdown) closes everything, cancels pending requests, unregisters; the last close releases the device (4) |
//! | forced close, removal, REINIT | every application that had the line hears `Close` (and `Remove`); REINIT refuses new applications until all have shut down (4) |
//!
//! [`snapshot`](Host::snapshot) shows all of it. Beneath the host, [`ProviderSession`] drives one
//! provider with TAPI's bookkeeping only (tests, the conformance suite and simple tools use it
//! alone). The [`rpc`](crate::rpc) module serves the host to other processes.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> tsp_sdk::Result<()> {
//! use std::sync::Arc;
//! use tsp_sdk::host::{AppEvent, Host, OpenOptions};
//! use tsp_sdk::loopback::Loopback;
//! use tsp_sdk::MediaModes;
//! let host = Host::builder().provider(Arc::new(Loopback::new(2))).start().await?;
//! let (dialer, mut events) = host.initialize("dialer").await?;
//! let (watcher, mut watched) = host.initialize("watcher").await?;
//! let line = dialer.open_line(0, OpenOptions::owner(MediaModes::INTERACTIVEVOICE)).await?;
//! watcher.open_line(0, OpenOptions::monitor()).await?;
//! let placed = dialer.make_call(line, Some("101"), Default::default()).await?;
//! // The reply goes to the dialer only; the watcher is handed a monitor handle.
//! while let Some(event) = events.next().await {
//!     if let AppEvent::Reply { request, result } = event {
//!         assert_eq!(request, placed.request);
//!         result?;
//!         break;
//!     }
//! }
//! assert!(matches!(watched.next().await, Some(AppEvent::NewCall { .. })));
//! dialer.shutdown().await?; // drops the call it solely owned
//! # watcher.shutdown().await?;
//! # Ok(()) }
//! ```

mod api;
mod app;
mod core;
mod driver;
mod events;
mod handles;
mod latency;
mod options;
mod session;
mod snapshot;

pub use api::LineApp;
pub use app::{App, AppCallInfo, AppCallStatus, AppLineStatus, DeviceSelect, Placed};
pub use driver::{Host, HostBuilder};
pub use events::{AppEvent, Events};
pub use handles::{AppId, Call, Line};
pub use latency::{LatencyRecorder, LatencyStats};
pub use options::{
    AssistedMakeCall, ClientInfo, HandoffTarget, InitialOwners, OpenOptions, TAPIMAXAPPNAMESIZE,
    TAPIMAXCALLEDPARTYSIZE, TAPIMAXCOMMENTSIZE, TAPIMAXDESTADDRESSSIZE,
};
pub use session::{Accepted, ProviderSession, SessionConfig, Tally};
pub use snapshot::{
    AppView, AssistedView, CallView, HolderView, HostTables, LineView, OpenView, ProviderView,
    RecipientView, RequestView, Snapshot,
};
