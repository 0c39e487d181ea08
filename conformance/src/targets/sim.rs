//! The `sim` target.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::provider::{LineOptions, SimProvider};
use tsp_sim::sim::Sim;

use crate::fixture::{Fixture, FixtureError, LineSpec};

/// `sim`: [`SimProvider`], the contract straight on the exchange.
#[derive(Debug, Clone, Copy, Default)]
pub struct SimTarget;

impl Fixture for SimTarget {
    fn name(&self) -> &str {
        "sim"
    }

    fn attach<'a>(
        &'a self,
        sim: &'a Sim,
        line: &'a LineSpec,
    ) -> BoxFuture<'a, Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            let mut options = LineOptions::new(line.number.clone());
            options.cancel_call_waiting = line.cancel_call_waiting.clone();
            let provider = SimProvider::new(sim.clone()).with_line(line.line, options)?;
            Ok(Arc::new(provider) as Arc<dyn ProviderDyn>)
        }
        .boxed()
    }
}
