//! Two simulated modems on the exchange, driven through their serial ports on paused tokio time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{DeviceId, Network};
use tsp_sim::port::SimPort;
use tsp_sim::sim::Sim;

mod port_util;

fn two_modems() -> (Sim, DeviceId, DeviceId) {
    port_util::two_modems(7)
}

/// Reads until `needle` shows up (or panics with what was read and the transcript).
async fn expect(port: &mut SimPort, sim: &Sim, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    loop {
        if String::from_utf8_lossy(&seen).contains(needle) {
            return String::from_utf8_lossy(&seen).into_owned();
        }
        match tokio::time::timeout_at(deadline, port.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => panic!(
                "waiting for {needle:?} on {}: got {other:?} after {:?}\nread so far: {:?}\ntranscript:\n{}",
                port.name(),
                String::from_utf8_lossy(&seen),
                sim.elapsed(),
                sim.transcript()
            ),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn one_modem_dials_the_other_and_bytes_flow_both_ways_until_hang_up() {
    let (sim, da, db) = two_modems();
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap().byte_at_a_time(true);

    a.write_all(b"ATE0V1X4&C1&D2\r").await.unwrap();
    expect(&mut a, &sim, "OK").await;
    b.write_all(b"ATS0=2\r").await.unwrap();
    expect(&mut b, &sim, "OK").await;

    a.write_all(b"ATDT5550101\r").await.unwrap();
    expect(&mut b, &sim, "RING").await;
    let connect_b = expect(&mut b, &sim, "CONNECT").await;
    let connect_a = expect(&mut a, &sim, "CONNECT").await;
    assert!(connect_a.contains("CONNECT") && connect_b.contains("CONNECT"));
    assert!(
        sim.control_lines(da).unwrap().dcd,
        "DCD follows the carrier"
    );

    a.write_all(b"hello from a").await.unwrap();
    expect(&mut b, &sim, "hello from a").await;
    b.write_all(b"and back from b").await.unwrap();
    expect(&mut a, &sim, "and back from b").await;

    // Escape with guard times (S12 = 1 s before and after), then hang up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    a.write_all(b"+++").await.unwrap();
    expect(&mut a, &sim, "OK").await;
    a.write_all(b"ATH\r").await.unwrap();
    expect(&mut a, &sim, "OK").await;
    expect(&mut b, &sim, "NO CARRIER").await;
    assert!(!sim.control_lines(db).unwrap().dcd);
}

#[tokio::test(start_paused = true)]
async fn closing_the_port_drops_dtr_and_the_modem_hangs_up() {
    let (sim, da, db) = two_modems();
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    a.write_all(b"AT&D2\r").await.unwrap();
    expect(&mut a, &sim, "OK").await;
    b.write_all(b"ATS0=1\r").await.unwrap();
    expect(&mut b, &sim, "OK").await;
    a.write_all(b"ATDT5550101\r").await.unwrap();
    expect(&mut a, &sim, "CONNECT").await;
    expect(&mut b, &sim, "CONNECT").await;
    drop(a);
    expect(&mut b, &sim, "NO CARRIER").await;
    assert!(
        sim.open_port(da).is_ok(),
        "the port can be opened again at once"
    );
}

#[tokio::test(start_paused = true)]
async fn ports_are_exclusive_and_an_unplugged_device_fails_every_io() {
    let (sim, da, _db) = two_modems();
    let mut a = sim.open_port(da).unwrap();
    assert_eq!(
        sim.open_port(da).unwrap_err().kind(),
        std::io::ErrorKind::ResourceBusy
    );
    sim.set_port_present(da, false);
    assert!(a.write_all(b"AT\r").await.is_err());
    let mut buf = [0u8; 8];
    assert!(a.read(&mut buf).await.is_err());
    assert!(a.set_dtr(true).is_err());
    drop(a);
    assert!(
        sim.open_port(da).is_err(),
        "an unplugged device cannot be opened"
    );
    sim.set_port_present(da, true);
    let mut again = sim.open_port(da).unwrap();
    again.write_all(b"AT\r").await.unwrap();
    expect(&mut again, &sim, "OK").await;
}

#[tokio::test(start_paused = true)]
async fn a_minute_of_unanswered_ringing_runs_on_virtual_time() {
    let (sim, da, db) = two_modems();
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    a.write_all(b"ATX4S7=60DT5550101\r").await.unwrap();
    for _ in 0..5 {
        expect(&mut b, &sim, "RING").await;
    }
    let result = expect(&mut a, &sim, "NO ").await; // NO ANSWER or NO CARRIER after S7
    assert!(
        result.contains("NO ANSWER") || result.contains("NO CARRIER"),
        "{result}"
    );
    assert!(
        sim.elapsed() >= Duration::from_secs(60),
        "virtual time passed: {:?}",
        sim.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn bytes_sent_while_the_slower_modem_still_trains_are_not_lost() {
    let mut network = Network::builder().seed(9).build(Instant::now());
    let a = network.add_line(LineConfig::new("5550100"));
    let b = network.add_line(LineConfig::new("5550101"));
    let fast = network
        .attach_device(a, SimModem::new(Profile::v250()))
        .unwrap();
    let slow = network
        .attach_device(b, SimModem::new(Profile::usr5637()))
        .unwrap();
    let sim = Sim::start(network);
    let mut a = sim.open_port(fast).unwrap();
    let mut b = sim.open_port(slow).unwrap();
    b.write_all(b"ATS0=1\r").await.unwrap();
    expect(&mut b, &sim, "OK").await;
    a.write_all(b"ATDT5550101\r").await.unwrap();
    expect(&mut a, &sim, "CONNECT").await;
    a.write_all(b"sent before the other end said CONNECT")
        .await
        .unwrap();
    let seen = expect(&mut b, &sim, "sent before the other end said CONNECT").await;
    let connect = seen.find("CONNECT").unwrap();
    let data = seen.find("sent before").unwrap();
    assert!(connect < data, "the data must follow CONNECT: {seen:?}");
}
