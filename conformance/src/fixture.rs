//! [`Fixture`]: how a provider under test is attached to a fresh simulated exchange.

use std::sync::Arc;

use futures::future::BoxFuture;
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::line::LineId;
use tsp_sim::sim::Sim;

/// The error a fixture returns when it cannot attach its provider.
pub type FixtureError = Box<dyn std::error::Error + Send + Sync>;

/// The subscriber line a fixture plugs its provider into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSpec {
    /// The exchange line.
    pub line: LineId,
    /// Its number.
    pub number: String,
    /// The location's cancel-call-waiting code, if this world has one (`*70`). A provider that
    /// can secure calls should advertise `AddrCapFlags::SECURE` exactly when this is set.
    pub cancel_call_waiting: Option<String>,
}

/// How time runs for a fixture's worlds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clock {
    /// Paused tokio time: the whole suite runs in milliseconds. For providers that do no real I/O
    /// (in memory, on the simulator's ports).
    Paused,
    /// Real time with the simulated network sped up by `1 / factor` (real I/O such as a pty cannot
    /// run on paused time). 0.05 makes a 6 s ring cycle take 300 ms.
    Scaled(f64),
}

/// Attaches a provider under test to a fresh simulated exchange; implement it for your provider
/// to run the suite against it.
///
/// The suite builds a new world for every case (an exchange with the provider's line, far ends it
/// scripts itself, and faults), calls [`Fixture::attach`], and then drives the provider only
/// through the `tsp-sdk` contract.
pub trait Fixture: Send + Sync + 'static {
    /// A short name for reports (`modem-sim`).
    fn name(&self) -> &str;

    /// How time runs (default: paused).
    fn clock(&self) -> Clock {
        Clock::Paused
    }

    /// Plugs the provider into `line` of the running simulation and returns it, not yet
    /// initialised: the suite negotiates, inits and opens it. Its first line device must be the
    /// one on `line`.
    fn attach<'a>(
        &'a self,
        sim: &'a Sim,
        line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>>;

    /// The world `sim` is over (the provider was shut down): release whatever the fixture made for
    /// it. Cases run in parallel, so keep per-world state keyed by [`Sim::id`].
    fn detach(&self, sim: &Sim) {
        let _ = sim;
    }

    /// Whether the host-level cases (`host/…`, `server/…`: the host's rules with this provider
    /// behind a host, in process and through the socket) run on this fixture (default: yes).
    fn host_level(&self) -> bool {
        true
    }

    /// Whether [`Fixture::set_device_present`] works; cases that remove the device are skipped
    /// otherwise.
    fn can_remove_device(&self) -> bool {
        false
    }

    /// Fault: the provider's device disappears (`false`, like a USB modem pulled out) or comes
    /// back (`true`).
    fn set_device_present(&self, sim: &Sim, present: bool) {
        let _ = (sim, present);
    }
}
