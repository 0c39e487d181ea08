//! Ring cadence and caller ID timing and fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod exchange_util;

use std::time::Instant;

use exchange_util::*;
use tsp_sim::exchange::{
    CallerIdClock, CallerIdPlacement, Exchange, ExchangeBuilder, LineConfig, RingCadence,
};
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::{LineAction, LineSignal, Presentation};

#[test]
fn ring_cadence_is_two_seconds_on_four_off_exactly() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(27.0));
    assert_eq!(
        sim.times(b, is_ring_on),
        secs(&[0.0, 6.0, 12.0, 18.0, 24.0])
    );
    assert_eq!(
        sim.times(b, is_ring_off),
        secs(&[2.0, 8.0, 14.0, 20.0, 26.0])
    );
}

#[test]
fn cadence_stays_exact_when_the_clock_is_advanced_in_one_jump() {
    let t0 = Instant::now();
    let mut ex = Exchange::builder().build(t0);
    let a = ex.add_line(LineConfig::new(ALICE));
    let b = ex.add_line(LineConfig::new(BOB));
    ex.handle_action(a, LineAction::OffHook, t0).unwrap();
    ex.handle_action(a, LineAction::Digits(BOB.into()), t0)
        .unwrap();
    // One late handle_timeout runs every step due by then; the schedule keeps its own times.
    ex.handle_timeout(t0 + s(27.0));
    let signals: Vec<LineSignal> = std::iter::from_fn(|| ex.poll_signal())
        .filter(|(line, _)| *line == b)
        .map(|(_, sig)| sig)
        .collect();
    assert_eq!(signals.iter().filter(|x| is_ring_on(x)).count(), 5);
    assert_eq!(signals.iter().filter(|x| is_ring_off(x)).count(), 5);
    assert_eq!(ex.poll_timeout(), Some(t0 + s(30.0)));
}

#[test]
fn custom_cadence_is_followed() {
    let cadence = RingCadence {
        on: s(1.0),
        off: s(3.0),
    };
    let mut sim = Sim::new(ExchangeBuilder::new().ring_cadence(cadence));
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(9.0));
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.0, 4.0, 8.0]));
    assert_eq!(sim.times(b, is_ring_off), secs(&[1.0, 5.0, 9.0]));
}

#[test]
fn caller_id_arrives_once_between_the_first_and_second_ring() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE).name("ALICE A"), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(30.0));
    assert_eq!(sim.times(b, is_caller_id), secs(&[2.5]));
    let order: Vec<&str> = sim
        .heard(b)
        .iter()
        .take(4)
        .map(|sig| match sig {
            LineSignal::RingOn(_) => "on",
            LineSignal::RingOff => "off",
            LineSignal::CallerId(_) => "cid",
            _ => "other",
        })
        .collect();
    assert_eq!(order, ["on", "off", "cid", "on"]);
    let ids = sim.p(b).caller_ids();
    assert_eq!(ids[0].number.as_deref(), Some(ALICE));
    assert_eq!(ids[0].name.as_deref(), Some("ALICE A"));
    assert_eq!(ids[0].number_presentation, Presentation::Available);
}

#[test]
fn caller_id_precedes_the_first_ring_when_configured_as_in_the_uk() {
    let mut sim =
        Sim::new(ExchangeBuilder::new().caller_id_placement(CallerIdPlacement::BeforeFirstRing));
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB).name_delivery(false),
        ScriptedParty::builder(),
    );
    sim.run_to(s(14.0));
    assert_eq!(sim.times(b, is_caller_id), secs(&[0.0]));
    assert_eq!(sim.times(b, is_ring_on), secs(&[0.5, 6.5, 12.5]));
    assert!(matches!(sim.heard(b)[0], LineSignal::CallerId(_)));
}

#[test]
fn caller_id_delay_knob_moves_the_burst() {
    let mut sim = Sim::new(ExchangeBuilder::new().caller_id_delay(s(1.25)));
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(7.0));
    assert_eq!(sim.times(b, is_caller_id), secs(&[3.25]));
}

#[test]
fn answering_on_the_first_ring_gets_no_caller_id() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB),
        ScriptedParty::builder().answer_after_rings(1),
    );
    sim.run_to(s(20.0));
    assert!(sim.p(b).caller_ids().is_empty());
    assert_eq!(sim.p(b).rings_heard(), 1);
}

#[test]
fn private_caller_is_reported_as_p_without_number_or_name() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE)
            .name("ALICE")
            .presentation(Presentation::Private),
        caller(0.0, BOB),
    );
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(3.0));
    let id = sim.p(b).caller_ids()[0].clone();
    assert_eq!(id.number, None);
    assert_eq!(id.name, None);
    assert_eq!(id.number_presentation, Presentation::Private);
    assert_eq!(id.name_presentation, Presentation::Private);
}

#[test]
fn out_of_area_caller_is_reported_as_o() {
    let mut sim = Sim::default();
    sim.party(
        LineConfig::new(ALICE).presentation(Presentation::OutOfArea),
        caller(0.0, BOB),
    );
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(3.0));
    let id = sim.p(b).caller_ids()[0].clone();
    assert_eq!(id.number, None);
    assert_eq!(id.number_presentation, Presentation::OutOfArea);
    assert_eq!(id.name_presentation, Presentation::OutOfArea);
}

#[test]
fn caller_without_a_name_sends_the_number_only() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(3.0));
    let id = sim.p(b).caller_ids()[0].clone();
    assert_eq!(id.number.as_deref(), Some(ALICE));
    assert_eq!(id.name, None);
}

#[test]
fn line_without_caller_id_service_hears_only_rings() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE).name("ALICE"), caller(0.0, BOB));
    let b = sim.party(
        LineConfig::new(BOB).caller_id_delivery(false),
        ScriptedParty::builder(),
    );
    sim.run_to(s(13.0));
    assert!(sim.p(b).caller_ids().is_empty());
    assert_eq!(sim.p(b).rings_heard(), 3);
}

#[test]
fn caller_id_date_and_time_follow_the_exchange_clock() {
    let clock = CallerIdClock {
        month: 3,
        day: 21,
        hour: 14,
        minute: 5,
    };
    let mut sim = Sim::new(ExchangeBuilder::new().caller_id_clock(clock));
    sim.party(LineConfig::new(ALICE), caller(125.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    sim.run_to(s(130.0));
    let id = sim.p(b).caller_ids()[0].clone();
    assert_eq!((id.date.as_str(), id.time.as_str()), ("0321", "1407"));
}

#[test]
fn ring_jitter_is_reproducible_from_the_seed() {
    let run = |seed: u64| {
        let mut sim = Sim::new(ExchangeBuilder::new().seed(seed).ring_jitter(s(0.5)));
        sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
        let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
        sim.run_to(s(60.0));
        sim.times(b, is_ring_on)
    };
    let first = run(11);
    assert_eq!(first, run(11));
    assert_ne!(first, run(12));
    for pair in first.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= s(6.0) && gap <= s(6.5), "gap {gap:?}");
    }
}

#[test]
fn one_late_wake_up_still_records_each_ring_at_its_own_time() {
    let mut sim = Sim::default();
    sim.party(LineConfig::new(ALICE), caller(0.0, BOB));
    let b = sim.party(LineConfig::new(BOB), ScriptedParty::builder());
    // A driver that slept through everything calls handle_timeout once.
    let late = sim.at(s(27.0));
    sim.net.handle_timeout(late);
    assert_eq!(
        sim.times(b, is_ring_on),
        secs(&[0.0, 6.0, 12.0, 18.0, 24.0])
    );
    assert_eq!(sim.times(b, is_caller_id), secs(&[2.5]));
    assert_eq!(sim.net.now(), late);
    assert_eq!(sim.net.poll_timeout(), Some(sim.at(s(30.0))));
}
