//! Builds a fresh world for a case: the exchange, its lines, the provider attached by the fixture.

use std::sync::Arc;
use std::time::Instant;

use tsp_sim::exchange::{CallerIdPlacement, ExchangeBuilder, LineConfig};
use tsp_sim::network::{Network, TimeScale};
use tsp_sim::sim::Sim;

use crate::case::WorldKind;
use crate::ctx::{Ctx, FAR_NUMBER, THIRD_NUMBER, WorldParts};
use crate::failure::Failure;
use crate::fixture::{Clock, Fixture, LineSpec};

/// The provider's own number.
pub const OUR_NUMBER: &str = "5550100";
/// The cancel-call-waiting code of the standard world's location.
pub const CANCEL_CODE: &str = "*70";
/// The seed used unless `TSP_SIM_SEED` says otherwise.
pub const DEFAULT_SEED: u64 = 0x7470_5f73_696d; // "tsp_sim"

/// The seed for this run: `TSP_SIM_SEED` if set, else [`DEFAULT_SEED`].
pub(crate) fn seed() -> u64 {
    std::env::var("TSP_SIM_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// Builds the world of `kind` and attaches the fixture's provider. Must run inside the runtime
/// the case runs on.
pub(crate) async fn build(
    fixture: &Arc<dyn Fixture>,
    kind: WorldKind,
    strict: bool,
) -> Result<Ctx, Failure> {
    let clock = fixture.clock();
    let scale = match clock {
        Clock::Paused => TimeScale::REAL_TIME,
        Clock::Scaled(f) => TimeScale::new(f).unwrap_or(TimeScale::REAL_TIME),
    };
    let mut exchange = ExchangeBuilder::new().seed(seed());
    if kind == WorldKind::CallerIdBeforeRing {
        exchange = exchange.caller_id_placement(CallerIdPlacement::BeforeFirstRing);
    }
    let mut network = Network::builder()
        .exchange(exchange)
        .seed(seed())
        .time_scale(scale)
        .build(Instant::now());
    let ours = network.add_line(
        LineConfig::new(OUR_NUMBER)
            .name("TSP UNDER TEST")
            .call_waiting(true),
    );
    let far = network.add_line(LineConfig::new(FAR_NUMBER).name("FAR END"));
    let third = network.add_line(LineConfig::new(THIRD_NUMBER).name("JANE DOE"));
    let sim = Sim::start(network);
    let cancel_call_waiting = (kind != WorldKind::NoCancelCode).then(|| CANCEL_CODE.to_owned());
    let spec = LineSpec {
        line: ours,
        number: OUR_NUMBER.into(),
        cancel_call_waiting,
    };
    let provider = fixture.attach(&sim, &spec).await.map_err(|e| {
        Failure::setup(format!(
            "fixture {}: cannot attach the provider: {e}",
            fixture.name()
        ))
    })?;
    Ok(Ctx::new(WorldParts {
        fixture: fixture.clone(),
        sim,
        provider,
        spec,
        far,
        third,
        clock,
        strict,
    }))
}
