//! The built-in targets: the suite's own fixtures for the providers in this workspace.

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

/// Every built-in target by name.
pub fn by_name(name: &str) -> Option<Arc<dyn Fixture>> {
    match name {
        "sim" => Some(Arc::new(SimTarget)),
        _ => None,
    }
}

/// The names of the built-in targets, in the order the CLI runs them.
pub const NAMES: &[&str] = &["sim"];
