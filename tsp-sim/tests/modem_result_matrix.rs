//! Every result code under every combination of E0/E1, V0/V1, Q0/Q1 and X0–X4, byte for byte
//! (strict V.250 profile).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod modem_support;

use std::time::Duration;

use modem_support::{Bench, answer_carrier, res, ring};
use tsp_sim::line::{LineAction, LineSignal};
use tsp_sim::modem::Profile;

#[derive(Debug, Clone, Copy)]
struct Combo {
    e: bool,
    v: bool,
    q: bool,
    x: u32,
}

fn combos() -> Vec<Combo> {
    let mut all = Vec::new();
    for e in [false, true] {
        for v in [false, true] {
            for q in [false, true] {
                for x in 0..=4 {
                    all.push(Combo { e, v, q, x });
                }
            }
        }
    }
    all
}

/// A v250 modem configured to the combination, output drained.
fn bench(c: Combo) -> Bench {
    let mut b = Bench::v250();
    b.cmd(&format!(
        "ATE{}V{}Q{}X{}",
        u8::from(c.e),
        u8::from(c.v),
        u8::from(c.q),
        c.x
    ));
    b.output();
    b
}

/// When the digits go out after `ATD`: at once with dial-tone detection (X2, X4, the dial tone
/// comes at once here), after the S6 blind-dial wait (2 s) otherwise.
fn digits_sent_at(c: Combo) -> f64 {
    if c.x == 2 || c.x == 4 { 0.0 } else { 2.0 }
}

/// The echo of a command line under E.
fn echo(c: Combo, line: &str) -> String {
    if c.e {
        format!("{line}\r")
    } else {
        String::new()
    }
}

#[test]
fn ok_and_error_under_every_combination() {
    for c in combos() {
        let mut b = bench(c);
        assert_eq!(
            b.cmd("AT"),
            echo(c, "AT") + &res(c.v, c.q, "OK", 0),
            "{c:?}"
        );
        assert_eq!(
            b.cmd("AT$"),
            echo(c, "AT$") + &res(c.v, c.q, "ERROR", 4),
            "{c:?}"
        );
        assert_eq!(
            b.cmd("ATJ"),
            echo(c, "ATJ") + &res(c.v, c.q, "ERROR", 4),
            "{c:?}"
        );
        assert_eq!(
            b.cmd("ATO"),
            echo(c, "ATO") + &res(c.v, c.q, "NO CARRIER", 3),
            "{c:?}"
        );
    }
}

#[test]
fn ring_under_every_combination() {
    for c in combos() {
        let mut b = bench(c);
        b.signal(ring());
        assert_eq!(b.output(), res(c.v, c.q, "RING", 2), "{c:?}");
    }
}

#[test]
fn connect_under_every_combination_has_a_rate_from_x1() {
    for c in combos() {
        let mut b = bench(c);
        let out = b.dial_and_connect("T5550100", 28800);
        let text = if c.x == 0 { "CONNECT" } else { "CONNECT 28800" };
        // The strict profile has no vendor numeric table: CONNECT <rate> is 1 under V0.
        assert_eq!(
            out,
            echo(c, "ATDT5550100") + &res(c.v, c.q, text, 1),
            "{c:?}"
        );
        assert!(b.dcd(), "{c:?}");
        assert_eq!(b.modem.connection_rate(), Some(28800));
    }
}

#[test]
fn busy_is_reported_at_x3_and_x4_and_otherwise_times_out_as_no_carrier() {
    for c in combos() {
        let mut b = bench(c);
        let mut out = b.cmd("ATDT5550100");
        b.signal(LineSignal::DialTone);
        b.secs(2.5);
        b.take_actions();
        b.signal(LineSignal::Busy);
        out += &b.output();
        if c.x >= 3 {
            assert_eq!(
                out,
                echo(c, "ATDT5550100") + &res(c.v, c.q, "BUSY", 7),
                "{c:?}"
            );
            assert_eq!(b.take_actions(), vec![LineAction::OnHook], "{c:?}");
        } else {
            assert_eq!(out, echo(c, "ATDT5550100"), "{c:?}");
            // S7 (50 s) runs from the end of dialling.
            b.secs(digits_sent_at(c) + 50.0 - 2.5 - 0.1);
            assert_eq!(b.output(), "", "{c:?}");
            b.secs(0.1);
            assert_eq!(b.output(), res(c.v, c.q, "NO CARRIER", 3), "{c:?}");
            assert_eq!(b.take_actions(), vec![LineAction::OnHook], "{c:?}");
        }
    }
}

#[test]
fn no_dialtone_is_reported_at_x2_and_x4_and_otherwise_the_modem_dials_blind() {
    for c in combos() {
        let mut b = bench(c);
        let mut out = b.cmd("ATDT5550100");
        assert_eq!(b.take_actions(), vec![LineAction::OffHook]);
        b.secs(1.9);
        assert_eq!(b.take_actions(), vec![], "{c:?}");
        b.secs(0.1);
        out += &b.output();
        if c.x == 2 || c.x == 4 {
            assert_eq!(
                out,
                echo(c, "ATDT5550100") + &res(c.v, c.q, "NO DIALTONE", 6),
                "{c:?}"
            );
            assert_eq!(b.take_actions(), vec![LineAction::OnHook], "{c:?}");
        } else {
            assert_eq!(out, echo(c, "ATDT5550100"), "{c:?}");
            assert_eq!(
                b.take_actions(),
                vec![LineAction::Digits("5550100".into())],
                "{c:?}"
            );
            b.secs(50.0);
            assert_eq!(b.output(), res(c.v, c.q, "NO CARRIER", 3), "{c:?}");
        }
    }
}

#[test]
fn no_answer_after_quiet_answer_wait_under_every_combination() {
    for c in combos() {
        let mut b = bench(c);
        let mut out = b.cmd("ATDT5550100@");
        b.signal(LineSignal::DialTone);
        b.signal(LineSignal::Ringback);
        b.advance(Duration::from_secs_f64(digits_sent_at(c) + 49.9));
        out += &b.output();
        assert_eq!(out, echo(c, "ATDT5550100@"), "{c:?}");
        b.secs(0.1);
        assert_eq!(b.output(), res(c.v, c.q, "NO ANSWER", 8), "{c:?}");
    }
}

#[test]
fn no_carrier_when_answering_without_a_far_carrier_under_every_combination() {
    for c in combos() {
        let mut b = bench(c);
        b.signal(ring());
        b.output();
        let out = b.cmd("ATA");
        assert_eq!(out, echo(c, "ATA"), "{c:?}");
        b.secs(50.0);
        assert_eq!(b.output(), res(c.v, c.q, "NO CARRIER", 3), "{c:?}");
    }
}

#[test]
fn numeric_connect_codes_follow_the_vendor_tables() {
    let mut b = Bench::new(Profile::conexant_usb());
    b.cmd("ATE0V0W2");
    b.output();
    assert_eq!(b.dial_and_connect("T5550100", 33600), "84\r");
    let mut b = Bench::new(Profile::usr5637());
    b.cmd("ATE0V0");
    b.output();
    assert_eq!(b.dial_and_connect("T5550100", 28800), "58\r");
    let mut b = Bench::new(Profile::usr5637());
    b.cmd("ATE0V0");
    b.output();
    b.signal(ring());
    assert_eq!(b.output(), "2\r");
    b.cmd("ATA");
    b.signal(LineSignal::RemoteCarrier(modem_support::originate_carrier(
        1200,
    )));
    b.secs(10.0);
    assert_eq!(b.output(), "5\r");
    let _ = answer_carrier(0);
}
