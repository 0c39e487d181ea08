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

    /// How many cases may run at once, each in its own world (default: 1 on paused time, where
    /// a case is pure CPU; 8 on real time, where cases mostly wait on the network's timers). A
    /// fixture whose worlds share something (one real modem) says 1. `TSP_CONFORMANCE_JOBS`
    /// overrides it for real-time fixtures.
    fn concurrent_cases(&self) -> usize {
        match self.clock() {
            Clock::Paused => 1,
            Clock::Scaled(_) => 8,
        }
    }

    /// Whether the host-level cases (`host/…`, `server/…`: the host's rules with this provider
    /// behind a host, in process and through the socket) run on this fixture (default: yes).
    fn host_level(&self) -> bool {
        true
    }

    /// Whether the provider's G3FAX calls are Unimodem's (tapi.md §7): the modem in Class 1
    /// (ITU T.31) and the call's `comm/datamodem` stream its command interface, over which the
    /// application runs its own T.30 once the call is CONNECTED. The fax-session cases
    /// (`fax/…`), whose application and far end are T.30 terminals
    /// ([`tsp_sim::t30::FaxTerminal`]), run only then (default: no).
    fn class1_fax(&self) -> bool {
        false
    }

    /// Whether [`Fixture::set_device_present`] works; cases that remove the device are skipped
    /// otherwise.
    fn can_remove_device(&self) -> bool {
        false
    }

    /// Everything the provider wrote to its device in this world, where the fixture can see it
    /// (a real port, tapped): lets a case prove that nothing was sent without waiting for a
    /// reaction. `None` (the default) when the exchange's transcript is the record instead.
    fn device_output(&self, sim: &Sim) -> Option<Vec<u8>> {
        let _ = sim;
        None
    }

    /// Fault: the provider's device disappears (`false`, like a USB modem pulled out) or comes
    /// back (`true`).
    fn set_device_present(&self, sim: &Sim, present: bool) {
        let _ = (sim, present);
    }
}
