//! Carriers and payload relayed through a connected call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod exchange_util;

use bytes::Bytes;
use exchange_util::*;
use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::{ScriptedParty, Step};
use tsp_sim::line::{LineSignal, ReleaseCause};

#[test]
fn data_flows_both_ways_once_both_carriers_are_up() {
    let mut sim = Sim::default();
    let a = sim.party(
        LineConfig::new(ALICE),
        caller(0.0, BOB)
            .carrier(ORIGINATE)
            .send_when_connected(Bytes::from_static(b"ping")),
    );
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(2)
            .carrier(ANSWER)
            .echo()
            .send_when_connected(Bytes::from_static(b"login: ")),
    );
    sim.run_to(s(10.0));
    assert_eq!(sim.p(b).data_received(), b"ping");
    assert_eq!(sim.p(a).data_received(), b"login: ping");
    assert_eq!(
        sim.times(a, |x| matches!(x, LineSignal::Data(_))),
        secs(&[6.0, 6.0])
    );
}

#[test]
fn carriers_are_relayed_with_their_role_and_rate() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB).carrier(ORIGINATE));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(ANSWER),
    );
    sim.run_to(s(1.0));
    assert_eq!(
        sim.heard(a),
        [
            LineSignal::DialTone,
            LineSignal::Ringback,
            LineSignal::Answered,
            LineSignal::RemoteCarrier(ANSWER)
        ]
    );
    assert!(sim.p(b).heard(&LineSignal::RemoteCarrier(ORIGINATE)));
}

#[test]
fn stopping_a_carrier_is_heard_as_carrier_loss_and_a_modem_hangs_up() {
    let mut sim = Sim::default();
    let a = sim.party(
        LineConfig::new(ALICE),
        caller(0.0, BOB)
            .carrier(ORIGINATE)
            .at(s(20.0), Step::StopCarrier),
    );
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(ANSWER),
    );
    sim.run_to(s(30.0));
    assert_eq!(
        sim.times(b, |x| *x == LineSignal::RemoteCarrierLost),
        secs(&[20.0])
    );
    assert_eq!(
        sim.times(a, |x| *x == LineSignal::RemoteCarrierLost),
        secs(&[20.0])
    );
    assert!(sim.p(a).heard(&LineSignal::Released(ReleaseCause::Normal)));
}

#[test]
fn a_carrier_started_while_ringing_reaches_the_far_end_at_the_answer() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE),
        caller(0.0, BOB).at(s(1.0), Step::StartCarrier(ORIGINATE)),
    );
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(2),
    );
    sim.run_to(s(7.0));
    let tail: Vec<LineSignal> = sim.heard(b).into_iter().rev().take(2).collect();
    assert_eq!(
        tail,
        [LineSignal::RemoteCarrier(ORIGINATE), LineSignal::Answered]
    );
    assert_eq!(
        sim.times(b, |x| matches!(x, LineSignal::RemoteCarrier(_))),
        secs(&[6.0])
    );
}

#[test]
fn data_sent_outside_a_call_goes_nowhere() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE),
        ScriptedParty::builder()
            .at(s(0.0), Step::OffHook)
            .at(s(1.0), Step::Send(Bytes::from_static(b"anyone?"))),
    );
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder().busy());
    sim.run_to(s(5.0));
    assert!(sim.p(b).data_received().is_empty());
    assert_eq!(sim.heard(b), [LineSignal::DialTone]);
}

#[test]
fn far_end_can_dial_a_line_and_send_at_a_scripted_time() {
    // The far end is the caller here: it rings the line under test and sends a banner.
    let mut sim = Sim::default();
    let far = sim.party(
        LineConfig::new(BOB),
        caller(5.0, ALICE).at(s(20.0), Step::Send(Bytes::from_static(b"CONNECT banner"))),
    );
    let near = sim.party(
        LineConfig::new(ALICE),
        ScriptedParty::builder().answer_after_rings(2),
    );
    sim.run_to(s(25.0));
    assert_eq!(sim.times(near, is_ring_on), secs(&[5.0, 11.0]));
    assert_eq!(sim.p(near).data_received(), b"CONNECT banner");
    assert!(sim.p(far).is_connected());
}
