#![doc = include_str!("../README.md")]

pub mod behaviours;
mod case;
mod ctx;
mod failure;
mod fixture;
pub mod host_world;
mod network_fixture;
pub mod report;
pub mod runner;
mod shown;
pub mod targets;
mod world;

pub use behaviours::all_cases;
pub use case::{Case, CaseFn, Level, Need, WorldKind};
use std::sync::Arc;

pub use ctx::{Ctx, FAR_NUMBER, PATIENCE, Pending, Seen, THIRD_NUMBER};
pub use failure::Failure;
pub use fixture::{Clock, Fixture, FixtureError, LineSpec};
pub use network_fixture::{FarEndAdapter, NetworkFixture, NetworkLink, Toward};

/// The simulated network's vocabulary, for writing a [`FarEndAdapter`] without depending on
/// `tsp-sim` yourself: what a terminal does to its line and what the exchange signals back.
pub mod network {
    pub use tsp_sim::line::{
        CallerId, Carrier, CarrierKind, CarrierRole, LineAction, LineSignal, Presentation,
        ReleaseCause, RingPattern,
    };
}

pub use runner::{Outcome, run_tests};
/// `tsp-sim` itself (the exchange, far ends, the simulation), for fixtures that need more.
pub use tsp_sim;
pub use world::{CANCEL_CODE, DEFAULT_SEED, OUR_NUMBER};

/// A fresh world of `kind` with `fixture`'s provider attached, not yet initialised: what every
/// case starts from. Use it to call one behaviour from your provider's own test, in a tokio
/// runtime on the fixture's clock (`#[tokio::test(start_paused = true)]` for [`Clock::Paused`]),
/// and end with [`Ctx::end`]:
///
/// ```
/// # use std::sync::Arc;
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// use tsp_conformance::{Fixture, WorldKind, behaviours, start_world, targets::SimTarget};
/// let fixture: Arc<dyn Fixture> = Arc::new(SimTarget::default());
/// let mut ctx = start_world(&fixture, WorldKind::Standard).await.expect("a world");
/// behaviours::outgoing::busy(&mut ctx).await.expect("BUSY is reported");
/// ctx.end().await.expect("no contract violation");
/// # }
/// ```
///
/// # Errors
/// A [`Failure`] when the fixture cannot attach its provider.
pub async fn start_world(fixture: &Arc<dyn Fixture>, kind: WorldKind) -> Result<Ctx, Failure> {
    world::build(fixture, kind, false).await
}
