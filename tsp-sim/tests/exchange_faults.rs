//! Faults (carrier loss, noise, unplugged ports), devices on the network, seeded determinism and
//! the transcript.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod exchange_util;

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;
use exchange_util::*;
use tsp_sim::exchange::{ExchangeBuilder, LineConfig, LineStatus};
use tsp_sim::far_end::{ScriptedParty, Step};
use tsp_sim::line::{
    ControlLines, DteSide, LineAction, LineId, LineSignal, ReleaseCause, SimDevice, Terminal,
};
use tsp_sim::network::{DeviceId, Network, NetworkError, TimeScale};

#[test]
fn injected_carrier_loss_reaches_both_ends_of_the_call() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB).carrier(ORIGINATE));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(ANSWER),
    );
    sim.run_to(s(10.0));
    sim.net.inject_carrier_loss(a, sim.at(s(10.0))).unwrap();
    sim.run_to(s(11.0));
    let lost = |x: &LineSignal| *x == LineSignal::RemoteCarrierLost;
    assert_eq!(sim.times(a, lost)[0], s(10.0));
    assert_eq!(sim.times(b, lost)[0], s(10.0));
    // Both modems hung up.
    assert_eq!(sim.net.exchange().line_status(a), Some(LineStatus::Idle));
    assert_eq!(sim.net.exchange().line_status(b), Some(LineStatus::Idle));
    assert!(
        sim.net
            .transcript()
            .to_string()
            .contains("fault on line 0: carrier loss")
    );
}

#[test]
fn carrier_loss_without_a_call_is_an_error_naming_line_and_operation() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), ScriptedParty::builder());
    let error = sim.net.inject_carrier_loss(a, sim.t0).unwrap_err();
    assert_eq!(
        error.to_string(),
        "exchange: inject carrier loss on line 0: the line is not in a connected call"
    );
}

#[test]
fn noise_reaches_only_the_chosen_line_and_is_not_data() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    sim.run_to(s(2.0));
    sim.net
        .inject_noise(b, &b"\xff\x00garble"[..], sim.at(s(2.0)))
        .unwrap();
    assert!(
        sim.p(b)
            .heard(&LineSignal::Noise(Bytes::from_static(b"\xff\x00garble")))
    );
    assert!(sim.p(b).data_received().is_empty());
    assert!(
        !sim.p(a)
            .signals()
            .any(|x| matches!(x, LineSignal::Noise(_)))
    );
    assert!(
        sim.net
            .transcript()
            .to_string()
            .contains("Noise \"<ff><00>garble\"")
    );
}

#[test]
fn random_noise_comes_from_the_seed() {
    let noise = |seed: u64| {
        let t0 = Instant::now();
        let mut net = Network::builder().seed(seed).build(t0);
        let line = net.add_line(LineConfig::new(ALICE));
        net.inject_random_noise(line, 16, t0).unwrap()
    };
    assert_eq!(noise(5), noise(5));
    assert_ne!(noise(5), noise(6));
    assert_eq!(noise(5).len(), 16);
}

#[test]
fn unplugging_mid_call_releases_the_far_end_and_silences_the_line() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    sim.run_to(s(5.0));
    sim.net.set_plugged(a, false, sim.at(s(5.0))).unwrap();
    assert_eq!(
        sim.times(b, |x| *x == LineSignal::Released(ReleaseCause::Normal)),
        secs(&[5.0])
    );
    assert_eq!(
        sim.net.exchange().line_status(a),
        Some(LineStatus::Unplugged)
    );
    let before = sim.heard(a).len();
    sim.net
        .inject_noise(a, &b"x"[..], sim.at(s(6.0)))
        .unwrap_err();
    assert_eq!(
        sim.heard(a).len(),
        before,
        "an unplugged line hears nothing"
    );
}

#[test]
fn plugging_in_an_off_hook_terminal_gives_dial_tone() {
    let mut sim = Sim::default();
    let a = sim.party(
        LineConfig::new(ALICE).plugged_in(false),
        ScriptedParty::builder().at(s(0.0), Step::OffHook),
    );
    sim.run_to(s(3.0));
    assert!(sim.heard(a).is_empty());
    sim.net.set_plugged(a, true, sim.at(s(3.0))).unwrap();
    assert_eq!(sim.times(a, |x| *x == LineSignal::DialTone), secs(&[3.0]));
}

#[test]
fn an_unplugged_line_rings_silently_while_the_caller_hears_ringback() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(2),
    );
    sim.run_to(s(1.0));
    // Unplugged during the first burst: the ringer goes quiet for the terminal at once.
    sim.net.set_plugged(b, false, sim.at(s(1.0))).unwrap();
    sim.run_to(s(20.0));
    assert_eq!(sim.times(b, is_ring_off), secs(&[1.0]));
    assert_eq!(sim.p(b).rings_heard(), 1);
    assert!(sim.p(a).heard(&LineSignal::Ringback));
    assert!(!sim.p(a).heard(&LineSignal::Answered));
    assert_eq!(sim.net.exchange().line_status(a), Some(LineStatus::Calling));
}

/// A toy device with a serial-port face: `H1`/`H0` lift and drop the hook, `D<digits>` dials,
/// every signal is written to the DTE as text, RI follows the ringer, DCD the far carrier, and a
/// DTR drop hangs up. `deaf` models a modem that stopped answering the computer.
#[derive(Default)]
struct ToyModem {
    actions: VecDeque<LineAction>,
    out: VecDeque<Bytes>,
    lines: ControlLines,
    deaf: bool,
}

impl Terminal for ToyModem {
    fn on_signal(&mut self, signal: LineSignal, _now: Instant) {
        match &signal {
            LineSignal::RingOn(_) => self.lines.ri = true,
            LineSignal::RingOff => self.lines.ri = false,
            LineSignal::RemoteCarrier(_) => self.lines.dcd = true,
            LineSignal::RemoteCarrierLost | LineSignal::Released(_) => self.lines.dcd = false,
            _ => {}
        }
        self.out
            .push_back(Bytes::from(format!("{signal:?}\r\n").into_bytes()));
    }
    fn poll_action(&mut self) -> Option<LineAction> {
        self.actions.pop_front()
    }
    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
    fn handle_timeout(&mut self, _now: Instant) {}
}

impl DteSide for ToyModem {
    fn handle_dte_input(&mut self, bytes: &[u8], _now: Instant) {
        if self.deaf {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        let text = text.trim();
        match text {
            "H1" => self.actions.push_back(LineAction::OffHook),
            "H0" => self.actions.push_back(LineAction::OnHook),
            _ => {
                if let Some(digits) = text.strip_prefix('D') {
                    self.actions.push_back(LineAction::Digits(digits.into()));
                }
            }
        }
        self.out.push_back(Bytes::from_static(b"OK\r\n"));
    }
    fn poll_dte_output(&mut self) -> Option<Bytes> {
        self.out.pop_front()
    }
    fn set_dtr(&mut self, on: bool, _now: Instant) {
        if !on {
            self.actions.push_back(LineAction::OnHook);
        }
    }
    fn control_lines(&self) -> ControlLines {
        self.lines
    }
}

fn drain_dte(net: &mut Network, device: DeviceId) -> String {
    let mut text = String::new();
    while let Some(bytes) = net.poll_dte_output(device) {
        text.push_str(&String::from_utf8_lossy(&bytes));
    }
    text
}

#[test]
fn device_bytes_control_lines_and_dtr_go_through_the_network() {
    let t0 = Instant::now();
    let mut net = Network::builder().build(t0);
    let a = net.add_line(LineConfig::new(ALICE));
    let b = net.add_line(LineConfig::new(BOB));
    let modem = net.attach_device(a, ToyModem::default()).unwrap();
    net.attach_party(b, ScriptedParty::builder().build(t0))
        .unwrap();
    assert_eq!(net.device_line(modem), Some(a));

    net.dte_input(modem, b"H1\r", t0).unwrap();
    net.dte_input(modem, format!("D{BOB}\r").as_bytes(), t0)
        .unwrap();
    assert_eq!(
        drain_dte(&mut net, modem),
        "OK\r\nDialTone\r\nOK\r\nRingback\r\n"
    );
    net.advance_to(t0 + s(7.0));
    assert_eq!(net.party(b).unwrap().rings_heard(), 2);

    net.set_dtr(modem, false, t0 + s(7.0)).unwrap();
    assert_eq!(net.exchange().line_status(a), Some(LineStatus::Idle));
    assert_eq!(net.exchange().line_status(b), Some(LineStatus::Idle));
    let transcript = net.transcript();
    assert_eq!(
        transcript.dte_input(modem),
        format!("H1\rD{BOB}\r").into_bytes()
    );
    assert!(transcript.to_string().contains("device 0 DTR off"));
    assert!(String::from_utf8_lossy(&transcript.dte_output(modem)).contains("Ringback"));
}

#[test]
fn ring_indicator_follows_the_cadence_on_a_device() {
    let t0 = Instant::now();
    let mut net = Network::builder().build(t0);
    let a = net.add_line(LineConfig::new(ALICE));
    let b = net.add_line(LineConfig::new(BOB));
    let modem = net.attach_device(b, ToyModem::default()).unwrap();
    net.attach_party(a, ScriptedParty::builder().call_at(s(0.0), BOB).build(t0))
        .unwrap();
    net.advance_to(t0 + s(1.0));
    assert!(net.control_lines(modem).unwrap().ri);
    net.advance_to(t0 + s(3.0));
    assert!(!net.control_lines(modem).unwrap().ri);
    net.advance_to(t0 + s(6.0));
    assert!(net.control_lines(modem).unwrap().ri);
}

#[test]
fn a_device_can_be_reached_to_make_it_stop_answering() {
    let t0 = Instant::now();
    let mut net = Network::builder().build(t0);
    let a = net.add_line(LineConfig::new(ALICE));
    let modem = net.attach_device(a, ToyModem::default()).unwrap();
    net.device_as_mut::<ToyModem>(modem).unwrap().deaf = true;
    net.dte_input(modem, b"H1\r", t0).unwrap();
    assert_eq!(net.poll_dte_output(modem), None);
    assert!(net.device::<ToyModem>(modem).is_some_and(|m| m.deaf));
    assert!(net.device_mut(modem).is_some());
    assert_eq!(net.exchange().line_status(a), Some(LineStatus::Idle));
}

#[test]
fn boxed_devices_are_driven_like_typed_ones() {
    let t0 = Instant::now();
    let mut net = Network::builder().build(t0);
    let a = net.add_line(LineConfig::new(ALICE));
    let boxed: Box<dyn SimDevice> = Box::new(ToyModem::default());
    let modem = net.attach_boxed_device(a, boxed).unwrap();
    net.dte_input(modem, b"H1\r", t0).unwrap();
    assert_eq!(drain_dte(&mut net, modem), "OK\r\nDialTone\r\n");
    assert!(
        net.device::<ToyModem>(modem).is_none(),
        "the concrete type is hidden"
    );
}

#[test]
fn network_errors_name_the_device_or_line_and_the_operation() {
    let t0 = Instant::now();
    let mut net = Network::builder().build(t0);
    let a = net.add_line(LineConfig::new(ALICE));
    net.attach_party(a, ScriptedParty::builder().build(t0))
        .unwrap();
    let occupied = net.attach_device(a, ToyModem::default()).unwrap_err();
    assert_eq!(
        occupied.to_string(),
        "network: attach device on line 0: a terminal is already attached"
    );
    let unknown = net.dte_input(DeviceId(3), b"AT\r", t0).unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "network: DTE input on device 3: no such device"
    );
    assert!(matches!(
        net.attach_party(LineId(9), ScriptedParty::builder().build(t0)),
        Err(NetworkError::UnknownLine { .. })
    ));
    assert!(net.control_lines(DeviceId(0)).is_err());
}

/// A busy scenario with every source of randomness on.
fn noisy_run(seed: u64) -> String {
    let mut sim = Sim::new(ExchangeBuilder::new().seed(seed).ring_jitter(s(0.7)));
    let a = sim.party(
        LineConfig::new(ALICE).call_waiting(true),
        caller(0.0, BOB).carrier(ORIGINATE),
    );
    sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(3)
            .carrier(ANSWER)
            .echo(),
    );
    sim.party(LineConfig::new(CAROL), caller(40.0, ALICE));
    sim.run_to(s(30.0));
    sim.net.inject_random_noise(a, 8, sim.at(s(30.0))).unwrap();
    sim.run_to(s(90.0));
    sim.net.transcript().to_string()
}

#[test]
fn the_same_seed_gives_the_same_transcript() {
    let first = noisy_run(2024);
    assert_eq!(first, noisy_run(2024));
    assert_ne!(first, noisy_run(2025));
    assert!(first.starts_with("transcript (seed 2024; replay with TSP_SIM_SEED=2024)"));
}

#[test]
fn transcript_reads_as_a_timeline_of_the_call() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE), caller(1.0, &format!("*70{BOB}")));
    sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(2),
    );
    sim.run_to(s(8.0));
    let text = sim.net.transcript().to_string();
    for expected in [
        "     1.000s  line 0 -> exchange: OffHook",
        "     1.000s  line 0 <- exchange: DialTone",
        "     1.000s  line 0 -> exchange: Digits \"*705550199\"",
        "     1.000s  exchange: line 0 dialled \"*705550199\": cancel call waiting *70, number \"5550199\" -> ringing line 1",
        "     3.500s  line 1 <- exchange: CallerId DATE=0101 TIME=1200 NMBR=5550100 NAME=(OutOfArea)",
        "     7.000s  line 1 <- exchange: RingOn(Normal)",
        "     7.000s  line 0 <- exchange: Answered",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn time_scale_converts_between_virtual_and_real_time() {
    let scale = TimeScale::new(0.01).unwrap();
    assert_eq!(scale.to_real(s(6.0)), s(0.06));
    assert_eq!(scale.to_virtual(s(0.06)), s(6.0));
    assert!(TimeScale::new(0.0).is_none());
    assert!(TimeScale::new(f64::NAN).is_none());
    let net = Network::builder().time_scale(scale).build(Instant::now());
    assert_eq!(net.time_scale().factor(), 0.01);
    assert_eq!(
        Network::builder().build(Instant::now()).time_scale(),
        TimeScale::REAL_TIME
    );
}
