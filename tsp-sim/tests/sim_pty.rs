//! A simulated modem on a pseudo-terminal, opened through tokio-serial as a real port would be.
//! Real I/O runs on real time, so the network runs 100 times faster than life.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio_serial::SerialPortBuilderExt;
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{Network, TimeScale};
use tsp_sim::pty::PtyLink;
use tsp_sim::sim::Sim;

async fn expect(port: &mut (impl AsyncRead + Unpin), sim: &Sim, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        if String::from_utf8_lossy(&seen).contains(needle) {
            return String::from_utf8_lossy(&seen).into_owned();
        }
        match tokio::time::timeout_at(deadline, port.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => panic!(
                "waiting for {needle:?}: got {other:?}\nread so far: {:?}\ntranscript:\n{}",
                String::from_utf8_lossy(&seen),
                sim.transcript()
            ),
        }
    }
}

#[tokio::test]
async fn a_program_on_the_pty_dials_and_closing_the_terminal_hangs_up() {
    let mut network = Network::builder()
        .seed(3)
        .time_scale(TimeScale::new(0.01).unwrap())
        .build(Instant::now());
    let a = network.add_line(LineConfig::new("5550100"));
    let b = network.add_line(LineConfig::new("5550101"));
    let da = network
        .attach_device(a, SimModem::new(Profile::usr5637()))
        .unwrap();
    let db = network
        .attach_device(b, SimModem::new(Profile::v250()))
        .unwrap();
    let sim = Sim::start(network);
    let pty = PtyLink::spawn(&sim, da).unwrap();
    let mut b_port = sim.open_port(db).unwrap();
    b_port.write_all(b"ATS0=1\r").await.unwrap();
    expect(&mut b_port, &sim, "OK").await;

    let mut tty = tokio_serial::new(pty.path().to_string_lossy(), 115_200)
        .open_native_async()
        .unwrap();
    tty.write_all(b"ATI3\r").await.unwrap();
    expect(&mut tty, &sim, "OK").await;
    tty.write_all(b"ATDT5550101\r").await.unwrap();
    expect(&mut tty, &sim, "CONNECT").await;
    expect(&mut b_port, &sim, "CONNECT").await;
    tty.write_all(b"over the pty").await.unwrap();
    expect(&mut b_port, &sim, "over the pty").await;

    drop(tty);
    expect(&mut b_port, &sim, "NO CARRIER").await;

    // The terminal can be opened again and the modem answers.
    let mut again = tokio_serial::new(pty.path().to_string_lossy(), 115_200)
        .open_native_async()
        .unwrap();
    again.write_all(b"AT\r").await.unwrap();
    expect(&mut again, &sim, "OK").await;
}

#[tokio::test]
async fn the_pty_can_have_a_stable_symlink_name() {
    let mut network = Network::builder().build(Instant::now());
    let a = network.add_line(LineConfig::new("5550100"));
    let da = network
        .attach_device(a, SimModem::new(Profile::v250()))
        .unwrap();
    let sim = Sim::start(network);
    let dir = tempfile::tempdir().unwrap();
    let link_path = dir.path().join("ttySIM0");
    let pty = PtyLink::spawn(&sim, da)
        .unwrap()
        .with_symlink(&link_path)
        .unwrap();
    assert_eq!(std::fs::read_link(&link_path).unwrap(), pty.path());
    let mut tty = tokio_serial::new(link_path.to_string_lossy(), 9600)
        .open_native_async()
        .unwrap();
    tty.write_all(b"AT\r").await.unwrap();
    expect(&mut tty, &sim, "OK").await;
    drop(tty);
    drop(pty);
    assert!(
        std::fs::symlink_metadata(&link_path).is_err(),
        "the symlink goes with the link"
    );
}
