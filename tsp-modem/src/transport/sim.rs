//! [`SimPortOpener`]: the simulator's in-memory serial port, for tests and the conformance suite.

use std::io;

use futures::future::BoxFuture;
use tsp_sim::network::DeviceId;
use tsp_sim::sim::Sim;

use super::{ModemPort, PortClock, PortOpener};

/// Opens the serial port of a simulated modem ([`Sim::open_port`]). Like a real port it is
/// exclusive, fails while the device is unplugged, and dropping it drops DTR.
#[derive(Debug, Clone)]
pub struct SimPortOpener {
    /// The running simulation.
    pub sim: Sim,
    /// The simulated modem.
    pub device: DeviceId,
    /// Deliver one byte per read, like a slow UART (every reader must cope with lines in pieces).
    pub byte_at_a_time: bool,
}

impl SimPortOpener {
    /// An opener for `device` of `sim`.
    pub fn new(sim: Sim, device: DeviceId) -> Self {
        SimPortOpener {
            sim,
            device,
            byte_at_a_time: false,
        }
    }
}

impl PortOpener for SimPortOpener {
    fn open(&self) -> BoxFuture<'_, io::Result<Box<dyn ModemPort>>> {
        Box::pin(async move {
            let port = self
                .sim
                .open_port(self.device)?
                .byte_at_a_time(self.byte_at_a_time);
            Ok(Box::new(port) as Box<dyn ModemPort>)
        })
    }

    fn name(&self) -> String {
        format!("sim:{}", self.device)
    }

    /// The simulation's own time scale: the provider waits in the simulated modem's time.
    fn clock(&self) -> PortClock {
        PortClock::scaled(self.sim.with(|network, _| network.time_scale().factor()))
    }
}
