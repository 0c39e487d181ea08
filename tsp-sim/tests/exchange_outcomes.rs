//! Every outcome of a call: answered after N rings, busy, no answer, reject, no dial tone, far-end
//! hang-up, reorder; plus digit collection and routing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod exchange_util;

use std::time::{Duration, Instant};

use exchange_util::*;
use tsp_sim::exchange::{
    DialOutcome, Exchange, ExchangeBuilder, LineConfig, LineStatus, NoAnswerTimeout,
};
use tsp_sim::far_end::{ScriptedParty, Step};
use tsp_sim::line::{LineAction, LineSignal, ReleaseCause, RingPattern};

#[test]
fn answer_after_two_rings_connects_both_ends() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(2),
    );
    sim.run_to(s(10.0));
    assert_eq!(
        sim.heard(a),
        [
            LineSignal::DialTone,
            LineSignal::Ringback,
            LineSignal::Answered
        ]
    );
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.0, 6.0]));
    assert_eq!(sim.times(a, |x| *x == LineSignal::Answered), secs(&[6.0]));
    assert_eq!(sim.times(b, |x| *x == LineSignal::Answered), secs(&[6.0]));
    let ex = sim.net.exchange();
    assert_eq!(ex.connected_to(a), Some(b));
    assert_eq!(ex.connected_to(b), Some(a));
    assert_eq!(ex.line_status(a), Some(LineStatus::Connected));
    assert_eq!(ex.dialled()[0].outcome, DialOutcome::Ringing(b));
}

#[test]
fn answer_time_follows_the_ring_count_for_one_to_four_rings() {
    for rings in 1..=4u32 {
        let mut sim = Sim::default();
        let a = sim.party(LineConfig::new(ALICE), caller(1.0, BOB));
        let b = sim.party(
            LineConfig::new(BOB),
            ScriptedParty::builder().answer_after_rings(rings),
        );
        sim.run_to(s(40.0));
        let expected = 1.0 + 6.0 * f64::from(rings - 1);
        assert_eq!(
            sim.times(a, |x| *x == LineSignal::Answered),
            secs(&[expected]),
            "{rings} rings"
        );
        assert_eq!(sim.p(b).rings_heard(), rings);
    }
}

#[test]
fn calling_an_off_hook_line_without_call_waiting_gives_busy() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(1.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder().busy());
    sim.run_to(s(5.0));
    assert_eq!(sim.heard(a), [LineSignal::DialTone, LineSignal::Busy]);
    assert_eq!(sim.times(a, |x| *x == LineSignal::Busy), secs(&[1.0]));
    assert_eq!(sim.heard(b), [LineSignal::DialTone]);
    assert_eq!(
        sim.net.exchange().dialled()[0].outcome,
        DialOutcome::Busy(b)
    );
    // The scripted caller hung up on busy; the line is idle again.
    assert_eq!(sim.net.exchange().line_status(a), Some(LineStatus::Idle));
}

#[test]
fn a_line_with_call_waiting_that_is_only_dialling_is_busy() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(1.0, BOB));
    sim.party(
        LineConfig::new(BOB).call_waiting(true),
        ScriptedParty::builder().busy(),
    );
    sim.run_to(s(2.0));
    assert!(sim.p(a).heard(&LineSignal::Busy));
    assert!(!sim.p(a).heard(&LineSignal::Ringback));
}

#[test]
fn calling_your_own_number_is_busy() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, ALICE));
    sim.run_to(s(1.0));
    assert_eq!(sim.heard(a), [LineSignal::DialTone, LineSignal::Busy]);
}

#[test]
fn unanswered_line_rings_until_the_caller_gives_up() {
    let mut sim = Sim::default();
    let a = sim.party(
        LineConfig::new(ALICE),
        caller(0.0, BOB).at(s(45.0), Step::OnHook),
    );
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().never_answer(),
    );
    sim.run_to(s(120.0));
    assert_eq!(
        sim.times(b, is_ring_on),
        secs(&[0.0, 6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0])
    );
    // Hung up at 45 s, in the silence after ring 8: no stray RingOff, nothing after.
    assert_eq!(sim.times(b, is_ring_off).last(), Some(&s(44.0)));
    assert!(
        sim.p(b)
            .received()
            .iter()
            .all(|(t, _)| *t - sim.t0 <= s(45.0))
    );
    assert_eq!(sim.heard(a), [LineSignal::DialTone, LineSignal::Ringback]);
    assert_eq!(sim.net.exchange().line_status(b), Some(LineStatus::Idle));
    assert_eq!(sim.net.poll_timeout(), None, "nothing left to do");
}

#[test]
fn caller_hanging_up_during_a_burst_stops_the_ringer_at_once() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE),
        caller(0.0, BOB).at(s(13.0), Step::OnHook),
    );
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(30.0));
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.0, 6.0, 12.0]));
    assert_eq!(sim.times(b, is_ring_off), secs(&[2.0, 8.0, 13.0]));
}

#[test]
fn network_no_answer_timeout_by_ring_count_gives_reorder() {
    let mut sim =
        Sim::new(ExchangeBuilder::new().no_answer_timeout(Some(NoAnswerTimeout::Rings(3))));
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(60.0));
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.0, 6.0, 12.0]));
    assert_eq!(sim.times(a, |x| *x == LineSignal::Reorder), secs(&[18.0]));
    assert!(sim.net.transcript().to_string().contains("no answer"));
}

#[test]
fn network_no_answer_timeout_by_duration_stops_a_sounding_burst() {
    let mut sim =
        Sim::new(ExchangeBuilder::new().no_answer_timeout(Some(NoAnswerTimeout::After(s(19.0)))));
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(60.0));
    assert_eq!(sim.times(a, |x| *x == LineSignal::Reorder), secs(&[19.0]));
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.0, 6.0, 12.0, 18.0]));
    assert_eq!(sim.times(b, is_ring_off), secs(&[2.0, 8.0, 14.0, 19.0]));
}

#[test]
fn scripted_reject_releases_the_caller_with_rejected() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().reject_after_rings(2),
    );
    sim.run_to(s(30.0));
    assert_eq!(
        sim.times(a, |x| *x == LineSignal::Released(ReleaseCause::Rejected)),
        secs(&[6.0])
    );
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.0, 6.0]));
    assert_eq!(sim.times(b, is_ring_off), secs(&[2.0, 6.0]));
    assert_eq!(sim.net.exchange().line_status(a), Some(LineStatus::Idle));
}

#[test]
fn on_hook_from_a_ringing_analog_line_does_not_reject() {
    let t0 = Instant::now();
    let mut ex = Exchange::builder().build(t0);
    let a = ex.add_line(LineConfig::new(ALICE));
    let b = ex.add_line(LineConfig::new(BOB));
    ex.handle_action(a, LineAction::OffHook, t0).unwrap();
    ex.handle_action(a, LineAction::Digits(BOB.into()), t0)
        .unwrap();
    while ex.poll_signal().is_some() {}
    ex.handle_action(b, LineAction::OnHook, t0 + s(1.0))
        .unwrap();
    assert_eq!(ex.poll_signal(), None, "the caller hears nothing new");
    assert_eq!(ex.line_status(b), Some(LineStatus::Ringing));
    assert_eq!(ex.line_status(a), Some(LineStatus::Calling));
}

#[test]
fn reject_with_nothing_ringing_names_the_line_and_operation() {
    let t0 = Instant::now();
    let mut ex = Exchange::builder().build(t0);
    let a = ex.add_line(LineConfig::new(ALICE));
    let error = ex.reject(a, t0).unwrap_err();
    assert_eq!(
        error.to_string(),
        "exchange: reject on line 0: no call is ringing or waiting on the line"
    );
}

#[test]
fn unplugged_line_gets_no_dial_tone_and_dials_nothing() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE).plugged_in(false), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(20.0));
    assert!(sim.heard(a).is_empty());
    assert!(sim.heard(b).is_empty());
    assert!(sim.net.exchange().dialled().is_empty());
    assert_eq!(
        sim.net.exchange().line_status(a),
        Some(LineStatus::Unplugged)
    );
    let actions = sim.net.transcript().actions(a);
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].1, &LineAction::OffHook);
}

#[test]
fn far_end_hangs_up_after_the_scripted_time() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder()
            .answer_after_rings(1)
            .hang_up_after(s(30.0)),
    );
    sim.run_to(s(60.0));
    assert_eq!(
        sim.times(a, |x| *x == LineSignal::Released(ReleaseCause::Normal)),
        secs(&[30.0])
    );
    assert!(!sim.p(b).heard(&LineSignal::Released(ReleaseCause::Normal)));
    assert_eq!(sim.net.exchange().line_status(a), Some(LineStatus::Idle));
    assert_eq!(sim.net.exchange().line_status(b), Some(LineStatus::Idle));
}

#[test]
fn caller_hanging_up_releases_the_called_end() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE),
        caller(0.0, BOB).at(s(20.0), Step::OnHook),
    );
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    sim.run_to(s(30.0));
    assert_eq!(
        sim.times(b, |x| *x == LineSignal::Released(ReleaseCause::Normal)),
        secs(&[20.0])
    );
}

#[test]
fn unknown_seven_digit_number_gets_reorder_at_once() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, "5559999"));
    sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(10.0));
    assert_eq!(sim.heard(a), [LineSignal::DialTone, LineSignal::Reorder]);
    assert_eq!(sim.times(a, |x| *x == LineSignal::Reorder), secs(&[0.0]));
    let record = &sim.net.exchange().dialled()[0];
    assert_eq!(record.number, "5559999");
    assert_eq!(record.outcome, DialOutcome::Unrouted);
}

#[test]
fn incomplete_number_gets_reorder_after_the_inter_digit_timeout() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(1.0, "555"));
    sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(20.0));
    assert_eq!(sim.times(a, |x| *x == LineSignal::Reorder), secs(&[6.0]));
}

#[test]
fn silent_off_hook_line_gets_reorder_only_with_a_first_digit_timeout() {
    for timeout in [None, Some(s(10.0))] {
        let mut sim = Sim::new(ExchangeBuilder::new().first_digit_timeout(timeout));
        let a = sim.party(
            LineConfig::new(ALICE),
            ScriptedParty::builder().at(Duration::ZERO, Step::OffHook),
        );
        sim.run_to(s(60.0));
        let reorders = sim.times(a, |x| *x == LineSignal::Reorder);
        match timeout {
            None => assert!(reorders.is_empty()),
            Some(_) => assert_eq!(reorders, secs(&[10.0])),
        }
    }
}

#[test]
fn digits_in_chunks_are_collected_and_recorded_as_sent() {
    let mut sim = Sim::default();
    let a = sim.party(
        LineConfig::new(ALICE),
        ScriptedParty::builder()
            .at(Duration::ZERO, Step::OffHook)
            .at(s(1.0), Step::Dial("555".into()))
            .at(s(3.0), Step::Dial("0199".into())),
    );
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(4.0));
    assert_eq!(sim.times(b, is_ring_on), secs(&[3.0]));
    let records = sim.net.transcript().dialled(a);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].chunks, ["555", "0199"]);
    assert_eq!(records[0].number, BOB);
    assert_eq!(records[0].cancel_code, None);
}

#[test]
fn area_code_forms_reach_the_same_line() {
    for dialled in ["14255550199", "4255550199", BOB] {
        let mut sim = Sim::new(ExchangeBuilder::new().area_code(Some("425".into())));
        let a = sim.party(LineConfig::new(ALICE), caller(0.0, dialled));
        let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
        sim.run_to(s(1.0));
        assert!(sim.p(a).heard(&LineSignal::Ringback), "{dialled}");
        assert_eq!(sim.times(b, is_ring_on), secs(&[0.0]), "{dialled}");
    }
}

#[test]
fn digits_after_a_complete_number_are_ignored() {
    let mut sim = Sim::default();
    let a = sim.party(LineConfig::new(ALICE), caller(0.0, "555019912"));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(1.0));
    assert!(sim.p(a).heard(&LineSignal::Ringback));
    assert_eq!(sim.p(b).rings_heard(), 1);
    assert_eq!(sim.net.exchange().dialled()[0].digits(), "555019912");
}

#[test]
fn hanging_up_mid_dial_is_recorded_as_abandoned() {
    let mut sim = Sim::default();
    let a = sim.party(
        LineConfig::new(ALICE),
        caller(0.0, "555").at(s(2.0), Step::OnHook),
    );
    sim.run_to(s(10.0));
    assert_eq!(
        sim.net.transcript().dialled(a)[0].outcome,
        DialOutcome::Abandoned
    );
    assert!(!sim.p(a).heard(&LineSignal::Reorder));
}

#[test]
fn distinctive_ring_line_rings_with_its_pattern() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB).distinctive_ring(RingPattern::Double),
        ScriptedParty::builder(),
    );
    sim.run_to(s(7.0));
    assert_eq!(
        sim.heard(b)
            .into_iter()
            .filter(is_ring_on)
            .collect::<Vec<_>>(),
        [
            LineSignal::RingOn(RingPattern::Double),
            LineSignal::RingOn(RingPattern::Double)
        ]
    );
}
