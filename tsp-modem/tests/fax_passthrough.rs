//! A Class 1 fax call's passthrough (ITU T.31 under the application's T.30): after the dial's
//! `CONNECT` every byte is the application's, a `NO CARRIER` ending each `+FRM` included, DCD
//! drops do not end the call, and taking the port back returns the engine to command state
//! without reporting carrier loss.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use support::Harness;
use tsp_modem::at::{CarrierDetect, Command, DialString, EngineConfig, Event, Mode};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// An engine after a fax dial's `CONNECT`, passthrough on, on a port with in-band carrier
/// detection (a pty: no DCD).
fn fax_call(in_band: bool) -> Harness {
    let cfg = EngineConfig {
        carrier_detect: if in_band {
            CarrierDetect::InBand { pause: ms(500) }
        } else {
            CarrierDetect::Dcd
        },
        ..EngineConfig::default()
    };
    let mut h = Harness::new(cfg);
    h.engine.set_passthrough(true);
    let id = h.send(Command::Dial {
        number: DialString::new("T5550101").unwrap(),
        voice: false,
    });
    h.advance(ms(4_000));
    h.feed(b"\r\nCONNECT\r\n");
    assert!(h.completion(id).is_ok());
    assert_eq!(h.engine.mode(), Mode::Data);
    h.take_events();
    h
}

fn data(events: &[Event]) -> Vec<u8> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Data(b) => Some(b.to_vec()),
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn no_carrier_after_a_pause_is_the_applications_text_in_passthrough() {
    let mut h = fax_call(true);
    h.feed(b"\xff\x13\x80\x00\xce\xf4\x00\xa4\xc7\x10\x03\r\nOK\r\n");
    h.advance(ms(2_000));
    h.feed(b"\r\nNO CARRIER\r\n");
    h.advance(ms(2_000));
    let events = h.take_events();
    assert!(
        !events.iter().any(|e| matches!(e, Event::CarrierLost(_))),
        "{events:?}"
    );
    assert!(
        data(&events).ends_with(b"\r\nOK\r\n\r\nNO CARRIER\r\n"),
        "{events:?}"
    );
    assert_eq!(h.engine.mode(), Mode::Data);
    h.write_data(b"AT+FRH=3\r").unwrap();
    assert!(h.written().ends_with(b"AT+FRH=3\r"));
}

#[test]
fn a_dcd_drop_between_carriers_does_not_end_the_fax_call() {
    let mut h = fax_call(false);
    h.carrier_lost();
    assert_eq!(h.engine.mode(), Mode::Data);
    assert!(h.take_events().is_empty());
}

#[test]
fn taking_the_port_back_returns_to_command_state_and_ath_hangs_up() {
    let mut h = fax_call(true);
    h.engine.end_passthrough();
    assert!(!h.engine.passthrough());
    assert_eq!(h.engine.mode(), Mode::Command);
    assert!(
        !h.take_events()
            .iter()
            .any(|e| matches!(e, Event::CarrierLost(_)))
    );
    let id = h.send(Command::HangUp);
    h.advance(ms(100));
    assert!(h.written().ends_with(b"ATH\r"));
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(id).is_ok());
}

#[test]
fn without_passthrough_the_same_no_carrier_ends_the_call() {
    let mut h = fax_call(true);
    h.engine.end_passthrough();
    // A data call again (as if passthrough had never been on): the pause makes it a result.
    let id = h.send(Command::Dial {
        number: DialString::new("T5550101").unwrap(),
        voice: false,
    });
    h.advance(ms(100));
    h.feed(b"\r\nCONNECT 9600\r\n");
    assert!(h.completion(id).is_ok());
    h.take_events();
    h.advance(ms(2_000));
    h.feed(b"\r\nNO CARRIER\r\n");
    let events = h.take_events();
    assert!(
        events.iter().any(|e| matches!(e, Event::CarrierLost(_))),
        "{events:?}"
    );
}

#[test]
fn a_dtr_drop_ends_passthrough_too() {
    let mut h = fax_call(false);
    h.dtr_dropped();
    assert!(!h.engine.passthrough());
    assert_eq!(h.engine.mode(), Mode::Command);
}
