//! Fax Class 1 (T.31) between two simulated modems on the exchange, driven through their serial
//! ports on paused tokio time: answering and dialling in class 1, HDLC frames on V.21, a page on
//! V.17, the turnaround, `+FCERROR`, aborts, and a call-waiting tone ending the session.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;

mod port_util;
use port_util::{cmd, until};
use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{DeviceId, Network};
use tsp_sim::port::SimPort;
use tsp_sim::sim::Sim;

const DLE: u8 = 0x10;
const ETX: u8 = 0x03;

fn two_fax_modems(call_waiting: bool) -> (Sim, DeviceId, DeviceId) {
    let mut network = Network::builder().seed(11).build(Instant::now());
    let a = network.add_line(LineConfig::new("5550100"));
    let mut b_config = LineConfig::new("5550101");
    if call_waiting {
        b_config = b_config.call_waiting(true);
    }
    let b = network.add_line(b_config);
    let da = network
        .attach_device(a, SimModem::new(Profile::v250()))
        .unwrap();
    let db = network
        .attach_device(b, SimModem::new(Profile::v250()))
        .unwrap();
    if call_waiting {
        // Carol calls B 12 s in, while a page is on the line.
        let carol = network.add_line(LineConfig::new("5550102"));
        let start = network.start();
        network
            .attach_party(
                carol,
                ScriptedParty::builder()
                    .call_at(Duration::from_secs(12), "5550101")
                    .build(start),
            )
            .unwrap();
    }
    (Sim::start(network), da, db)
}

/// `bytes` as a DTE sends them in class 1: every DLE doubled, then `<DLE><ETX>`.
fn shielded(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in bytes {
        out.push(b);
        if b == DLE {
            out.push(DLE);
        }
    }
    out.extend([DLE, ETX]);
    out
}

/// The data a DCE sent, up to its `<DLE><ETX>`, with the shielding removed.
fn unshielded(wire: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < wire.len() {
        if wire[i] == DLE {
            match wire.get(i + 1) {
                Some(&ETX) => return out,
                Some(&DLE) => out.push(DLE),
                _ => {}
            }
            i += 2;
        } else {
            out.push(wire[i]);
            i += 1;
        }
    }
    panic!("no <DLE><ETX> in {} bytes", wire.len());
}

/// The bytes after the first `CONNECT\r\n`.
fn after_connect(wire: &[u8]) -> &[u8] {
    let at = wire
        .windows(9)
        .position(|w| w == b"CONNECT\r\n")
        .expect("a CONNECT");
    &wire[at + 9..]
}

/// Both modems in class 1, echo off; B answers on the first ring.
async fn ready(sim: &Sim, a: &mut SimPort, b: &mut SimPort) {
    cmd(a, sim, "ATE0+FCLASS=1", "OK").await;
    cmd(b, sim, "ATE0S0=1+FCLASS=1", "OK").await;
}

/// A dials B; both reach the V.21 exchange: B transmitting (after CED), A receiving.
async fn connect(sim: &Sim, a: &mut SimPort, b: &mut SimPort) -> Duration {
    ready(sim, a, b).await;
    let dialled = tokio::time::Instant::now();
    a.write_all(b"ATD5550101\r").await.unwrap();
    until(b, sim, b"CONNECT\r\n").await;
    let answered = dialled.elapsed();
    until(a, sim, b"CONNECT\r\n").await;
    answered
}

/// A T.30 CSI-like frame (not final) and a DIS-like frame (final), as a DTE sends them.
const CSI: &[u8] = &[0xff, 0x03, 0x40, 0x31, 0x32, 0x33, 0x10, 0x20];
const DIS: &[u8] = &[0xff, 0x13, 0x80, 0x00, 0xce, 0xf4, 0x00];

/// A call in phase B: B has sent its DIS-like frame and A has read it; both in command state.
async fn after_dis(call_waiting: bool) -> (Sim, DeviceId, SimPort, SimPort) {
    let (sim, da, db) = two_fax_modems(call_waiting);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    connect(&sim, &mut a, &mut b).await;
    b.write_all(&shielded(DIS)).await.unwrap();
    until(&mut a, &sim, b"OK\r\n").await;
    until(&mut b, &sim, b"OK\r\n").await;
    (sim, da, a, b)
}

#[tokio::test(start_paused = true)]
async fn a_page_crosses_two_class_1_modems_the_way_t30_sends_it() {
    let (sim, da, db) = two_fax_modems(false);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    let answered = connect(&sim, &mut a, &mut b).await;
    assert!(
        answered >= Duration::from_secs(3),
        "the answer tone sounds 3 s before the flags: {answered:?}"
    );

    // Phase B: the called modem's frames; a frame with the final bit off is followed by CONNECT.
    b.write_all(&shielded(CSI)).await.unwrap();
    until(&mut b, &sim, b"CONNECT\r\n").await;
    b.write_all(&shielded(DIS)).await.unwrap();
    let csi = until(&mut a, &sim, b"OK\r\n").await;
    let mut want = CSI.to_vec();
    want.extend([0xad, 0xac]); // its FCS-16
    assert_eq!(unshielded(&csi), want, "the frame, its FCS, <DLE><ETX>, OK");
    let dis = cmd(&mut a, &sim, "AT+FRH=3", "OK\r\n").await;
    assert_eq!(
        unshielded(after_connect(&dis)),
        [DIS, &[0xa4, 0xc7]].concat()
    );
    until(&mut b, &sim, b"OK\r\n").await;

    // The caller answers with its own final frame.
    b.write_all(b"AT+FRH=3\r").await.unwrap();
    cmd(&mut a, &sim, "AT+FTH=3", "CONNECT\r\n").await;
    a.write_all(&shielded(&[0xff, 0x13, 0x83, 0x00, 0xc6, 0x74, 0x00]))
        .await
        .unwrap();
    until(&mut a, &sim, b"OK\r\n").await;
    let dcs = until(&mut b, &sim, b"OK\r\n").await;
    assert_eq!(
        unshielded(after_connect(&dcs)),
        [0xff, 0x13, 0x83, 0x00, 0xc6, 0x74, 0x00, 0x66, 0x90]
    );

    // Phase C: the page on V.17 at 14,400 bit/s, DLEs and all.
    let page: Vec<u8> = (0..6000u32).map(|i| (i * 7 % 256) as u8).collect();
    b.write_all(b"AT+FRM=146\r").await.unwrap();
    cmd(&mut a, &sim, "AT+FTM=146", "CONNECT\r\n").await;
    let sent = tokio::time::Instant::now();
    a.write_all(&shielded(&page)).await.unwrap();
    let received = until(&mut b, &sim, b"\x10\x03\r\nNO CARRIER\r\n").await;
    until(&mut a, &sim, b"OK\r\n").await;
    let took = sent.elapsed();
    let mut want = page.clone();
    want.extend([0u8; 18]); // 10 ms of the carrier's turn-off at 14,400 bit/s
    assert_eq!(unshielded(after_connect(&received)), want);
    let on_air = Duration::from_secs_f64(6000.0 * 8.0 / 14_400.0);
    assert!(
        took >= on_air && took < on_air + Duration::from_millis(300),
        "6,000 bytes take {on_air:?} at 14,400 bit/s (plus the short training); took {took:?}"
    );

    cmd(&mut a, &sim, "ATH", "OK").await;
}

#[tokio::test(start_paused = true)]
async fn class_1_lists_its_modulations_and_refuses_them_on_hook() {
    let (sim, da, _db) = two_fax_modems(false);
    let mut a = sim.open_port(da).unwrap();
    cmd(&mut a, &sim, "ATE0", "OK").await;
    assert_eq!(
        cmd(&mut a, &sim, "AT+FTM=?", "ERROR\r\n").await,
        b"\r\nERROR\r\n",
        "not in class 1"
    );
    cmd(&mut a, &sim, "AT+FCLASS=1", "OK").await;
    assert_eq!(
        cmd(&mut a, &sim, "AT+FTM=?", "OK\r\n").await,
        b"\r\n24,48,72,73,74,96,97,98,121,122,145,146\r\n\r\nOK\r\n"
    );
    assert_eq!(
        cmd(&mut a, &sim, "AT+FRH=?", "OK\r\n").await,
        b"\r\n3\r\n\r\nOK\r\n"
    );
    assert_eq!(
        cmd(&mut a, &sim, "AT+FTH=3", "ERROR\r\n").await,
        b"\r\nERROR\r\n",
        "on-hook"
    );
    assert_eq!(
        cmd(&mut a, &sim, "AT+FTM=99", "ERROR\r\n").await,
        b"\r\nERROR\r\n"
    );
}

#[tokio::test(start_paused = true)]
async fn a_receiver_set_for_another_modulation_answers_fcerror() {
    let (sim, _, mut a, mut b) = after_dis(false).await;
    // B sends flags; A waits for V.17 and hears V.21.
    cmd(&mut b, &sim, "AT+FTH=3", "CONNECT\r\n").await;
    assert!(
        cmd(&mut a, &sim, "AT+FRM=146", "\r\n+FCERROR\r\n")
            .await
            .ends_with(b"+FCERROR\r\n")
    );
}

#[tokio::test(start_paused = true)]
async fn a_frame_sent_while_nobody_listens_is_lost_and_a_dte_character_abandons_the_wait() {
    let (sim, _, mut a, mut b) = after_dis(false).await;
    // B sends a frame A is not listening for (A stays in command state).
    cmd(&mut b, &sim, "AT+FTH=3", "CONNECT\r\n").await;
    b.write_all(&shielded(DIS)).await.unwrap();
    until(&mut b, &sim, b"OK\r\n").await;
    a.write_all(b"AT+FRH=3\r").await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    a.write_all(b"x").await.unwrap();
    assert_eq!(until(&mut a, &sim, b"OK\r\n").await, b"\r\nOK\r\n");
}

#[tokio::test(start_paused = true)]
async fn a_transmission_waits_75_ms_after_the_far_end_falls_silent() {
    let (sim, da, db) = two_fax_modems(false);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    connect(&sim, &mut a, &mut b).await;
    b.write_all(&shielded(DIS)).await.unwrap();
    until(&mut a, &sim, b"OK\r\n").await;
    let quiet = tokio::time::Instant::now();
    a.write_all(b"AT+FTH=3\r").await.unwrap();
    until(&mut a, &sim, b"CONNECT\r\n").await;
    let waited = quiet.elapsed();
    assert!(
        waited >= Duration::from_millis(75) && waited < Duration::from_millis(100),
        "T.30's turnaround: {waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn frs_waits_for_silence_on_the_line_and_fts_for_its_own_time() {
    let (sim, da, db) = two_fax_modems(false);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    connect(&sim, &mut a, &mut b).await;
    // B is still sending flags (no frame yet): A's +FRS cannot finish before B stops.
    a.write_all(b"x").await.unwrap(); // leave the implied +FRH
    until(&mut a, &sim, b"OK\r\n").await;
    a.write_all(b"AT+FRS=20\r").await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    b.write_all(&shielded(DIS)).await.unwrap();
    until(&mut b, &sim, b"OK\r\n").await;
    let b_quiet = tokio::time::Instant::now();
    until(&mut a, &sim, b"OK\r\n").await;
    let waited = b_quiet.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_millis(230),
        "200 ms of silence after B's carrier: {waited:?}"
    );
    let start = tokio::time::Instant::now();
    cmd(&mut b, &sim, "AT+FTS=8", "OK").await;
    let paused = start.elapsed();
    assert!(
        paused >= Duration::from_millis(80) && paused < Duration::from_millis(100),
        "{paused:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_waiting_tone_ends_an_unsecured_fax_session_with_no_carrier() {
    let (sim, da, mut a, mut b) = after_dis(true).await;
    b.write_all(b"AT+FRM=146\r").await.unwrap();
    cmd(&mut a, &sim, "AT+FTM=146", "CONNECT\r\n").await;
    // 36 kB take 20 s at 14,400 bit/s: Carol's call comes in the middle of it.
    let page = vec![0u8; 36_000];
    a.write_all(&shielded(&page)).await.unwrap();
    let got = until(&mut b, &sim, b"NO CARRIER\r\n").await;
    assert!(sim.elapsed() < Duration::from_secs(14), "at Carol's call");
    assert!(
        unshielded(after_connect(&got)).len() < page.len(),
        "the page was cut short"
    );
    assert!(
        until(&mut a, &sim, b"NO CARRIER\r\n")
            .await
            .ends_with(b"NO CARRIER\r\n"),
        "the sender loses the call too"
    );
    assert!(!sim.control_lines(da).unwrap().dcd);
}

// The fax state machine on its own (sans-IO), fed arbitrary DTE bytes and line signals.
mod modem_support;

use bytes::Bytes;
use proptest::prelude::*;
use tsp_sim::line::{FaxSignal, LineSignal, Modulation, ReleaseCause, Terminal};

/// Commands and data a Class 1 DTE sends, whole or cut anywhere, mixed with arbitrary bytes.
fn dte_chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::sample::select(vec![
            b"AT+FTH=3\r".to_vec(),
            b"AT+FRH=3\r".to_vec(),
            b"AT+FTM=146\r".to_vec(),
            b"AT+FRM=96\r".to_vec(),
            b"AT+FRS=5\r".to_vec(),
            b"AT+FTS=3\r".to_vec(),
            b"ATA\r".to_vec(),
            b"ATD5550100\r".to_vec(),
            b"ATH\r".to_vec(),
            b"\xff\x13\x10\x10\x00\x10\x03".to_vec(),
            b"\x10\x03".to_vec(),
            b"\x10".to_vec(),
        ]),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

fn fax_signal(n: u8) -> LineSignal {
    match n {
        0 => LineSignal::DialTone,
        1 => LineSignal::Answered,
        2 => LineSignal::RingOn(Default::default()),
        3 => LineSignal::Fax(FaxSignal::AnswerTone),
        4 => LineSignal::Fax(FaxSignal::Carrier(Modulation::V21)),
        5 => LineSignal::Fax(FaxSignal::Carrier(Modulation::from_code(146).unwrap())),
        6 => LineSignal::Fax(FaxSignal::Silence),
        7 => LineSignal::Fax(FaxSignal::Frame(Bytes::from_static(b"\xff\x13\x10\x80"))),
        8 => LineSignal::Data(Bytes::from_static(b"\x10\x00page")),
        9 => LineSignal::CallWaitingTone,
        10 => LineSignal::RemoteCarrierLost,
        _ => LineSignal::Released(ReleaseCause::Normal),
    }
}

proptest! {
    #[test]
    fn a_class_1_modem_fed_anything_never_panics_and_its_timers_move_on(
        steps in proptest::collection::vec((dte_chunk(), proptest::option::of(0u8..12), 0u32..3000), 1..48),
    ) {
        let mut b = modem_support::Bench::quiet_echo(Profile::v250());
        b.cmd("AT+FCLASS=1");
        let steps: Vec<_> = steps.into_iter().map(|(c, s, ms)| (c, s.map(fax_signal), ms)).collect();
        let (total_in, total_out) = b.run_steps(&steps);
        // Received frames and data are shielded (at most doubled) and every response is short.
        prop_assert!(total_out <= total_in * 2 + 200 * (steps.len() + 2), "{total_out} bytes out");
        prop_assert!(b.modem.poll_timeout().is_none_or(|t| t > b.now));
    }
}

#[tokio::test(start_paused = true)]
async fn a_transmission_whose_dte_falls_silent_ends_with_error_after_5_s() {
    let (sim, _, mut a, _b) = after_dis(false).await;
    cmd(&mut a, &sim, "AT+FTM=96", "CONNECT\r\n").await;
    a.write_all(&[0xff; 20]).await.unwrap(); // and never <DLE><ETX>
    let started = tokio::time::Instant::now();
    until(&mut a, &sim, b"ERROR\r\n").await;
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(5), "{waited:?}");
    assert_eq!(
        cmd(&mut a, &sim, "AT", "OK\r\n").await,
        b"\r\nOK\r\n",
        "back in command state"
    );
}

#[tokio::test(start_paused = true)]
async fn the_lf_of_a_cr_lf_does_not_abandon_a_reception_and_two_frames_in_one_write_both_go() {
    let (sim, _, mut a, mut b) = after_dis(false).await;
    a.write_all(b"AT+FRH=3\r").await.unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    a.write_all(b"\n").await.unwrap();
    cmd(&mut b, &sim, "AT+FTH=3", "CONNECT\r\n").await;
    let first = [0xff, 0x03, 0x40, 0x31];
    let mut both = shielded(&first);
    both.extend(shielded(DIS));
    b.write_all(&both).await.unwrap();
    let got = until(&mut a, &sim, b"OK\r\n").await;
    assert_eq!(
        &unshielded(after_connect(&got))[..4],
        &first,
        "not abandoned by the LF"
    );
    let second = cmd(&mut a, &sim, "AT+FRH=3", "OK\r\n").await;
    assert_eq!(&unshielded(after_connect(&second))[..DIS.len()], DIS);
    until(&mut b, &sim, b"OK\r\n").await;
}

#[tokio::test(start_paused = true)]
async fn a_silence_command_lets_the_rest_of_its_line_run() {
    let (sim, _, mut a, _b) = after_dis(false).await;
    let start = tokio::time::Instant::now();
    cmd(&mut a, &sim, "AT+FTS=8;+FTM=96", "CONNECT\r\n").await;
    assert!(start.elapsed() >= Duration::from_millis(80));
    a.write_all(&shielded(&[0u8; 100])).await.unwrap();
    until(&mut a, &sim, b"OK\r\n").await;
}
