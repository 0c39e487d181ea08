//! Call waiting as the threat to data calls, the cancel codes that suppress it, and the hook flash.
//!
//! The scene: Alice's modem (call waiting on her line) calls Bob's answering modem; Carol calls
//! Alice 30 s into the data call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod exchange_util;

use bytes::Bytes;
use exchange_util::*;
use tsp_sim::exchange::{DialOutcome, ExchangeBuilder, LineConfig, LineStatus};
use tsp_sim::far_end::{ScriptBuilder, ScriptedParty, Step};
use tsp_sim::line::{LineId, LineSignal, ReleaseCause};

/// Alice's modem: dials `dialled`, originates a carrier, sends a probe at 40 s.
fn alice_modem(dialled: &str) -> ScriptBuilder {
    caller(0.0, dialled)
        .carrier(ORIGINATE)
        .at(s(40.0), Step::Send(Bytes::from_static(b"still there?")))
}

/// Bob's modem: answers on ring 1 with an answer carrier and echoes.
fn bob_modem() -> ScriptBuilder {
    ScriptedParty::builder()
        .answer_after_rings(1)
        .carrier(ANSWER)
        .echo()
}

struct Scene {
    sim: Sim,
    alice: LineId,
    bob: LineId,
    carol: LineId,
}

fn scene(
    exchange: ExchangeBuilder,
    alice_dials: &str,
    carol_calls: &str,
    alice_cw: bool,
    bob_cw: bool,
) -> Scene {
    let mut sim = Sim::new(exchange);
    let alice = sim.party(
        LineConfig::new(ALICE).call_waiting(alice_cw),
        alice_modem(alice_dials),
    );
    let bob = sim.party(LineConfig::new(BOB).call_waiting(bob_cw), bob_modem());
    let carol = sim.party(LineConfig::new(CAROL), caller(30.0, carol_calls));
    sim.run_to(s(60.0));
    Scene {
        sim,
        alice,
        bob,
        carol,
    }
}

#[test]
fn data_call_is_up_before_the_second_caller_arrives() {
    let Scene {
        sim, alice, bob, ..
    } = scene(ExchangeBuilder::new(), BOB, DAVE, true, false);
    assert_eq!(sim.p(alice).remote_carrier(), Some(ANSWER));
    assert_eq!(sim.p(bob).remote_carrier(), Some(ORIGINATE));
    assert_eq!(sim.p(alice).data_received(), b"still there?");
}

#[test]
fn call_waiting_tone_reaches_both_ends_and_drops_the_data_call() {
    let Scene {
        sim,
        alice,
        bob,
        carol,
    } = scene(ExchangeBuilder::new(), BOB, ALICE, true, false);
    assert_eq!(sim.times(alice, is_tone), secs(&[30.0]));
    assert_eq!(sim.times(bob, is_tone), secs(&[30.0]));
    assert_eq!(
        sim.heard(carol),
        [LineSignal::DialTone, LineSignal::Ringback]
    );
    // Alice's modem lost its carrier and hung up; Bob's saw the carrier go, then the release.
    assert_eq!(
        sim.times(bob, |x| *x == LineSignal::RemoteCarrierLost),
        secs(&[30.0])
    );
    assert!(
        sim.p(bob)
            .heard(&LineSignal::Released(ReleaseCause::Normal))
    );
    assert!(
        sim.p(alice).data_received().is_empty(),
        "the probe at 40 s never went"
    );
    // Alice hung up with Carol waiting: her line now rings for Carol.
    assert_eq!(
        sim.times(alice, is_ring_on),
        secs(&[30.0, 36.0, 42.0, 48.0, 54.0, 60.0])
    );
    assert!(
        sim.net
            .transcript()
            .to_string()
            .contains("call waiting: line 2 waits for line 0")
    );
}

#[test]
fn each_cancel_code_protects_the_data_call_and_the_second_caller_gets_busy() {
    for code in ["*70", "1170", "70#"] {
        let dialled = format!("{code}{BOB}");
        let Scene {
            sim,
            alice,
            bob,
            carol,
        } = scene(ExchangeBuilder::new(), &dialled, ALICE, true, false);
        assert!(sim.times(alice, is_tone).is_empty(), "{code}");
        assert!(sim.times(bob, is_tone).is_empty(), "{code}");
        assert_eq!(
            sim.times(carol, |x| *x == LineSignal::Busy),
            secs(&[30.0]),
            "{code}"
        );
        assert_eq!(sim.p(alice).data_received(), b"still there?", "{code}");
        assert_eq!(sim.net.exchange().connected_to(alice), Some(bob), "{code}");
        let record = sim.net.transcript().dialled(alice)[0].clone();
        assert_eq!(record.cancel_code.as_deref(), Some(code));
        assert_eq!(record.number, BOB);
        assert_eq!(record.chunks, std::slice::from_ref(&dialled));
        // The recall dial tone after the code.
        assert_eq!(
            sim.heard(alice)
                .iter()
                .filter(|x| **x == LineSignal::DialTone)
                .count(),
            2,
            "{code}"
        );
    }
}

#[test]
fn cancel_code_and_number_may_arrive_as_separate_chunks() {
    let mut sim = Sim::default();
    let alice = sim.party(
        LineConfig::new(ALICE).call_waiting(true),
        ScriptedParty::builder()
            .at(s(0.0), Step::OffHook)
            .at(s(0.5), Step::Dial("*70".into()))
            .at(s(2.5), Step::Dial(BOB.into()))
            .carrier(ORIGINATE),
    );
    sim.party(LineConfig::new(BOB), bob_modem());
    let carol = sim.party(LineConfig::new(CAROL), caller(30.0, ALICE));
    sim.run_to(s(40.0));
    assert_eq!(sim.net.transcript().digits_sent(alice), ["*70", BOB]);
    let record = sim.net.transcript().dialled(alice)[0].clone();
    assert_eq!(record.chunks, ["*70", BOB]);
    assert!(record.cancels_call_waiting());
    assert_eq!(
        sim.times(alice, |x| *x == LineSignal::DialTone),
        secs(&[0.0, 0.5])
    );
    assert!(sim.p(carol).heard(&LineSignal::Busy));
    assert!(sim.times(alice, is_tone).is_empty());
}

#[test]
fn configured_codes_replace_the_defaults() {
    let exchange = || ExchangeBuilder::new().cancel_call_waiting_codes(["*71"]);
    let Scene { sim, carol, .. } = scene(exchange(), &format!("*71{BOB}"), ALICE, true, false);
    assert!(sim.p(carol).heard(&LineSignal::Busy));
    let Scene { sim, alice, .. } = scene(exchange(), &format!("*70{BOB}"), ALICE, true, false);
    assert_eq!(
        sim.net.transcript().dialled(alice)[0].outcome,
        DialOutcome::Unrouted,
        "*70 is no code here, so *705550199 is no number"
    );
}

#[test]
fn the_called_party_cannot_cancel_call_waiting() {
    // Alice dials *70, but Carol calls Bob, whose line has call waiting: the code protects only
    // Alice's line.
    let Scene {
        sim,
        alice,
        bob,
        carol,
    } = scene(
        ExchangeBuilder::new(),
        &format!("*70{BOB}"),
        BOB,
        true,
        true,
    );
    assert_eq!(sim.times(alice, is_tone), secs(&[30.0]));
    assert_eq!(sim.times(bob, is_tone), secs(&[30.0]));
    assert!(sim.p(carol).heard(&LineSignal::Ringback));
    assert_eq!(
        sim.times(bob, |x| *x == LineSignal::RemoteCarrierLost),
        secs(&[30.0])
    );
    assert!(
        sim.p(alice).data_received().is_empty(),
        "the data call is gone"
    );
    assert_eq!(sim.net.exchange().connected_to(alice), None);
}

#[test]
fn a_line_without_call_waiting_is_simply_busy() {
    let Scene {
        sim, alice, carol, ..
    } = scene(ExchangeBuilder::new(), BOB, ALICE, false, false);
    assert!(sim.p(carol).heard(&LineSignal::Busy));
    assert!(sim.times(alice, is_tone).is_empty());
    assert_eq!(sim.p(alice).data_received(), b"still there?");
}

#[test]
fn only_one_caller_can_wait() {
    let mut sim = Sim::default();
    let alice = sim.party(LineConfig::new(ALICE).call_waiting(true), caller(0.0, BOB));
    sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    let carol = sim.party(LineConfig::new(CAROL), caller(30.0, ALICE));
    let dave = sim.party(LineConfig::new(DAVE), caller(32.0, ALICE));
    sim.run_to(s(35.0));
    assert!(sim.p(carol).heard(&LineSignal::Ringback));
    assert!(sim.p(dave).heard(&LineSignal::Busy));
    assert!(sim.net.exchange().has_waiting_call(alice));
}

#[test]
fn tone_repeats_every_ten_seconds_while_the_caller_waits_and_stops_when_they_leave() {
    let mut sim = Sim::default();
    // Voice parties: the tone does not end their call.
    let alice = sim.party(LineConfig::new(ALICE).call_waiting(true), caller(0.0, BOB));
    let bob = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    sim.party(
        LineConfig::new(CAROL),
        caller(30.0, ALICE).at(s(55.0), Step::OnHook),
    );
    sim.run_to(s(90.0));
    assert_eq!(sim.times(alice, is_tone), secs(&[30.0, 40.0, 50.0]));
    assert_eq!(sim.times(bob, is_tone), secs(&[30.0, 40.0, 50.0]));
    assert!(!sim.net.exchange().has_waiting_call(alice));
    assert_eq!(sim.net.exchange().connected_to(alice), Some(bob));
}

#[test]
fn tone_sounds_once_when_repetition_is_off() {
    let mut sim = Sim::new(ExchangeBuilder::new().call_waiting_tone_interval(None));
    let alice = sim.party(LineConfig::new(ALICE).call_waiting(true), caller(0.0, BOB));
    sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    sim.party(LineConfig::new(CAROL), caller(30.0, ALICE));
    sim.run_to(s(90.0));
    assert_eq!(sim.times(alice, is_tone), secs(&[30.0]));
}

#[test]
fn flash_switches_to_the_waiting_caller_and_back() {
    let mut sim = Sim::default();
    let alice = sim.party(
        LineConfig::new(ALICE).call_waiting(true),
        caller(0.0, BOB)
            .at(s(35.0), Step::Flash)
            .at(s(36.0), Step::Send(Bytes::from_static(b"hi carol")))
            .at(s(40.0), Step::Flash)
            .at(s(41.0), Step::Send(Bytes::from_static(b"back, bob"))),
    );
    let bob = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(1)
            .at(s(37.0), Step::Send(Bytes::from_static(b"on hold?"))),
    );
    let carol = sim.party(
        LineConfig::new(CAROL),
        caller(30.0, ALICE).at(s(38.0), Step::Send(Bytes::from_static(b"hello alice"))),
    );
    sim.run_to(s(45.0));
    assert_eq!(
        sim.times(carol, |x| *x == LineSignal::Answered),
        secs(&[35.0])
    );
    assert_eq!(
        sim.times(alice, |x| *x == LineSignal::Answered),
        secs(&[0.0, 35.0, 40.0])
    );
    assert_eq!(sim.p(carol).data_received(), b"hi carol");
    assert_eq!(
        sim.p(alice).data_received(),
        b"hello alice",
        "held Bob is not heard"
    );
    assert_eq!(sim.p(bob).data_received(), b"back, bob");
    assert_eq!(sim.net.exchange().connected_to(alice), Some(bob));
    assert_eq!(
        sim.net.exchange().line_status(carol),
        Some(LineStatus::Connected)
    );
}

#[test]
fn hanging_up_with_a_caller_on_hold_releases_them() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE).call_waiting(true),
        caller(0.0, BOB)
            .at(s(35.0), Step::Flash)
            .at(s(40.0), Step::OnHook),
    );
    let bob = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    let carol = sim.party(LineConfig::new(CAROL), caller(30.0, ALICE));
    sim.run_to(s(45.0));
    let released = |x: &LineSignal| *x == LineSignal::Released(ReleaseCause::Normal);
    assert_eq!(sim.times(carol, released), secs(&[40.0]));
    assert_eq!(sim.times(bob, released), secs(&[40.0]));
}

#[test]
fn waiting_caller_can_be_rejected() {
    let mut sim = Sim::default();
    let alice = sim.party(
        LineConfig::new(ALICE).call_waiting(true),
        caller(0.0, BOB).at(s(33.0), Step::Reject),
    );
    let bob = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    let carol = sim.party(LineConfig::new(CAROL), caller(30.0, ALICE));
    sim.run_to(s(60.0));
    assert_eq!(
        sim.times(carol, |x| *x
            == LineSignal::Released(ReleaseCause::Rejected)),
        secs(&[33.0])
    );
    assert_eq!(sim.times(alice, is_tone), secs(&[30.0]));
    assert_eq!(sim.net.exchange().connected_to(alice), Some(bob));
}
