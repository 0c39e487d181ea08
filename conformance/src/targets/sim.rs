//! The `sim` target.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::BoxFuture;
use tsp_sdk::spi::ProviderDyn;
use tsp_sim::provider::{LineOptions, SimProvider};
use tsp_sim::sim::Sim;

use crate::fixture::{Fixture, FixtureError, LineSpec};

/// `sim`: [`SimProvider`], the contract straight on the exchange.
#[derive(Debug, Default)]
pub struct SimTarget {
    /// Each running world's provider, by [`Sim::id`] (for the device-removal fault).
    worlds: Mutex<HashMap<u64, Arc<SimProvider>>>,
}

impl SimTarget {
    fn worlds(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<SimProvider>>> {
        self.worlds.lock().unwrap_or_else(|p| p.into_inner())
    }
}

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
            let provider = Arc::new(SimProvider::new(sim.clone()).with_line(line.line, options)?);
            self.worlds().insert(sim.id(), provider.clone());
            Ok(provider as Arc<dyn ProviderDyn>)
        }
        .boxed()
    }

    fn detach(&self, sim: &Sim) {
        self.worlds().remove(&sim.id());
    }

    fn can_remove_device(&self) -> bool {
        true
    }

    /// Unplugs (or plugs back) the provider's only line (device 0).
    fn set_device_present(&self, sim: &Sim, present: bool) {
        let provider = self.worlds().get(&sim.id()).cloned();
        if let Some(provider) = provider {
            provider.set_line_present(0, present);
        }
    }
}
