//! The hardware profile (`tsp-conformance --device PATH`) against a "real" port: a simulated modem
//! on a pseudo-terminal, running on its own runtime as an external device would.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use tsp_conformance::Fixture;
use tsp_conformance::runner::{self, Outcome};
use tsp_conformance::targets::{HARDWARE_CASES, HardwareTarget};
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{Network, TimeScale};
use tsp_sim::pty::PtyLink;
use tsp_sim::sim::Sim;

#[test]
fn the_hardware_profile_passes_against_a_modem_on_a_serial_port() {
    // The "device": a Conexant-like modem on a pty, alive for the whole test.
    let device = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ttyACM0");
    let (_sim, _pty) = device.block_on(async {
        let mut network = Network::builder()
            .time_scale(TimeScale::new(0.1).unwrap())
            .build(Instant::now());
        let line = network.add_line(LineConfig::new("5550100"));
        let modem = network
            .attach_device(line, SimModem::new(Profile::conexant_usb()))
            .unwrap();
        let sim = Sim::start(network);
        let pty = PtyLink::spawn(&sim, modem)
            .unwrap()
            .with_symlink(&path)
            .unwrap();
        (sim, pty)
    });

    let fixture: Arc<dyn Fixture> = Arc::new(HardwareTarget::new(path.clone(), 115_200));
    let reports = runner::run_all(&fixture, false, |c| HARDWARE_CASES.contains(&c.id), |_| {});
    assert_eq!(
        reports.len(),
        HARDWARE_CASES.len(),
        "every hardware case exists"
    );
    for report in &reports {
        match &report.outcome {
            Outcome::Passed => {}
            other => panic!("{} on {}: {other:?}", report.case.id, path.display()),
        }
    }
}
