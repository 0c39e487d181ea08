//! `--sim`: an embedded simulated exchange with a modem for tsp-modem to drive.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole};
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{Network, TimeScale};
use tsp_sim::sim::Sim;

use crate::transport::SimPortOpener;

/// Our simulated line's number.
pub const OUR_NUMBER: &str = "5550199";
/// A far end that answers as a data modem and echoes what it receives.
pub const ECHO_NUMBER: &str = "5550100";
/// A far end that is busy.
pub const BUSY_NUMBER: &str = "5550111";
/// Who rings us (`answer --sim`, `monitor --sim`).
pub const CALLER_NUMBER: &str = "5550123";
/// The simulated location's cancel-call-waiting code.
pub const CANCEL_CODE: &str = "*70,";
/// The first of the lines `serve --sim` shares: 5550191, 5550192, ….
pub const FIRST_SERVED_NUMBER: u32 = 5_550_191;

/// A running simulated world.
pub struct SimWorld {
    /// The simulation (its transcript is printed with `-v`).
    pub sim: Sim,
    /// Opens our (first) modem's port.
    pub opener: Arc<SimPortOpener>,
    /// Every modem line: its number and the opener of its port.
    pub lines: Vec<(String, Arc<SimPortOpener>)>,
    caller: tsp_sim::line::LineId,
}

/// Starts the world: our line (call waiting on) with a USR-like modem, an echoing data modem at
/// [`ECHO_NUMBER`] and a busy line. Time runs 20 times faster than life so rings don't keep you
/// waiting. [`SimWorld::ring_us_in`] makes [`CALLER_NUMBER`] call.
pub fn start() -> SimWorld {
    build(&[OUR_NUMBER.to_owned()])
}

/// `lines` modem lines numbered from [`FIRST_SERVED_NUMBER`] (call waiting on, USR-like modems),
/// with the same echo, busy and caller lines as [`start`]: what `serve --sim` shares. The lines
/// can call each other.
pub fn start_lines(lines: u32) -> SimWorld {
    let numbers: Vec<String> = (0..lines)
        .map(|i| (FIRST_SERVED_NUMBER + i).to_string())
        .collect();
    build(&numbers)
}

fn build(numbers: &[String]) -> SimWorld {
    let start = Instant::now();
    let scale = TimeScale::new(0.05).unwrap_or_default();
    let mut network = Network::builder().time_scale(scale).build(start);
    let ours: Vec<_> = numbers
        .iter()
        .map(|n| {
            network.add_line(
                LineConfig::new(n.as_str())
                    .name("TSP MODEM")
                    .call_waiting(true),
            )
        })
        .collect();
    let echo = network.add_line(LineConfig::new(ECHO_NUMBER).name("ECHO SERVICE"));
    let busy = network.add_line(LineConfig::new(BUSY_NUMBER).name("ALWAYS BUSY"));
    let caller = network.add_line(LineConfig::new(CALLER_NUMBER).name("JANE DOE"));
    let answer = Carrier {
        role: CarrierRole::Answer,
        kind: CarrierKind::Data,
        max_rate: 33_600,
    };
    let mut devices = Vec::new();
    for line in &ours {
        // The lines were just added, so attaching cannot fail; fall back to device 0 regardless.
        let device = network
            .attach_device(*line, SimModem::new(Profile::usr5637()))
            .unwrap_or(tsp_sim::network::DeviceId(0));
        devices.push(device);
    }
    let parties = network
        .attach_party(
            echo,
            ScriptedParty::builder()
                .answer_after_rings(2)
                .carrier(answer)
                .echo()
                .build(start),
        )
        .and_then(|()| network.attach_party(busy, ScriptedParty::builder().busy().build(start)));
    if let Err(e) = parties {
        tracing::error!(error = %e, "sim: the far ends could not be set up");
    }
    let sim = Sim::start(network);
    let lines: Vec<(String, Arc<SimPortOpener>)> = numbers
        .iter()
        .zip(devices)
        .map(|(n, d)| (n.clone(), Arc::new(SimPortOpener::new(sim.clone(), d))))
        .collect();
    let opener = lines.first().map(|(_, o)| o.clone()).unwrap_or_else(|| {
        Arc::new(SimPortOpener::new(
            sim.clone(),
            tsp_sim::network::DeviceId(0),
        ))
    });
    SimWorld {
        sim,
        opener,
        lines,
        caller,
    }
}

impl SimWorld {
    /// [`CALLER_NUMBER`] (JANE DOE, a data modem) calls our (first) line `after` from now.
    pub fn ring_us_in(&self, after: Duration) {
        let originate = Carrier {
            role: CarrierRole::Originate,
            kind: CarrierKind::Data,
            max_rate: 33_600,
        };
        let caller = self.caller;
        let ours = self
            .lines
            .first()
            .map_or(OUR_NUMBER.to_owned(), |(n, _)| n.clone());
        let attached = self.sim.with(|net, now| {
            let party = ScriptedParty::builder()
                .carrier(originate)
                .echo()
                .call_at(after, ours.as_str());
            net.attach_party(caller, party.build(now))
        });
        if let Err(e) = attached {
            tracing::error!(error = %e, "sim: the caller could not be set up");
        }
    }
}
