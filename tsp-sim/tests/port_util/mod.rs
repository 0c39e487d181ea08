//! Driving a simulated modem's serial port from a test: read until a result, send a command.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{DeviceId, Network};
use tsp_sim::port::SimPort;
use tsp_sim::sim::Sim;

/// Two `v250` modems on lines 5550100 and 5550101 of an exchange seeded with `seed`.
pub fn two_modems(seed: u64) -> (Sim, DeviceId, DeviceId) {
    let mut network = Network::builder().seed(seed).build(Instant::now());
    let a = network.add_line(LineConfig::new("5550100"));
    let b = network.add_line(LineConfig::new("5550101"));
    let (da, db) = (v250_on(&mut network, a), v250_on(&mut network, b));
    (Sim::start(network), da, db)
}

/// A `v250` modem plugged into `line`.
pub fn v250_on(network: &mut Network, line: tsp_sim::line::LineId) -> DeviceId {
    network
        .attach_device(line, SimModem::new(Profile::v250()))
        .unwrap()
}

/// Reads until `needle` ends what was read (or panics with what was read and the transcript).
pub async fn until(port: &mut SimPort, sim: &Sim, needle: &[u8]) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 512];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        if seen.windows(needle.len()).any(|w| w == needle) {
            return seen;
        }
        match tokio::time::timeout_at(deadline, port.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => panic!(
                "waiting for {:?} on {}: got {other:?} after {:?}\nlast bytes read: {:?}\ntranscript:\n{}",
                String::from_utf8_lossy(needle),
                port.name(),
                sim.elapsed(),
                String::from_utf8_lossy(&seen[seen.len().saturating_sub(200)..]),
                sim.transcript()
            ),
        }
    }
}

/// Sends `command` and returns what came back up to `result`.
pub async fn cmd(port: &mut SimPort, sim: &Sim, command: &str, result: &str) -> Vec<u8> {
    port.write_all(command.as_bytes()).await.unwrap();
    port.write_all(b"\r").await.unwrap();
    until(port, sim, result.as_bytes()).await
}
