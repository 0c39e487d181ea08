//! Data mode: payload both ways, the `+++` escape and its guard times, ATO/ATH, DTR per &D,
//! carrier loss, DCD per &C, noise; and a property test on random DTE bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod modem_support;

use bytes::Bytes;
use modem_support::{Bench, answer_carrier};
use proptest::prelude::*;
use tsp_sim::line::{LineAction, LineSignal, ReleaseCause, Terminal};
use tsp_sim::modem::Profile;

fn online() -> Bench {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.online();
    b.output();
    b
}

fn data(bytes: &[u8]) -> LineAction {
    LineAction::Data(Bytes::copy_from_slice(bytes))
}

/// Escape with proper guard times; the output is drained.
fn escape(b: &mut Bench) {
    b.secs(1.5);
    b.write(b"+++");
    b.secs(1.0);
    assert_eq!(b.output(), "\r\nOK\r\n");
    b.take_actions();
}

#[test]
fn bytes_flow_both_ways_in_data_mode() {
    let mut b = online();
    b.write(b"hello ATH\r");
    assert_eq!(b.take_actions(), vec![data(b"hello ATH\r")]);
    assert_eq!(b.output(), "", "no echo, no command parsing in data mode");
    b.signal(LineSignal::Data(Bytes::from_static(b"login: ")));
    assert_eq!(b.output(), "login: ");
}

#[test]
fn noise_reaches_the_dte_in_data_mode_only() {
    let mut b = online();
    b.signal(LineSignal::Noise(Bytes::from_static(b"\x7f~}")));
    assert_eq!(b.output(), "\x7f~}");
    escape(&mut b);
    b.signal(LineSignal::Noise(Bytes::from_static(b"zz")));
    assert_eq!(b.output(), "");
    let mut idle = Bench::quiet_echo(Profile::v250());
    idle.signal(LineSignal::Noise(Bytes::from_static(b"AT\r")));
    assert_eq!(idle.output(), "");
}

#[test]
fn escape_with_guard_times_gives_ok_and_keeps_the_call() {
    let mut b = online();
    b.secs(1.0);
    b.write(b"+++");
    assert_eq!(
        b.take_actions(),
        vec![data(b"+++")],
        "the escape characters still go out"
    );
    b.secs(0.99);
    assert_eq!(b.output(), "");
    b.secs(0.01);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert!(!b.modem.is_online_data());
    assert!(b.modem.is_off_hook());
    assert!(b.dcd(), "carrier still up in online command state");
    assert_eq!(b.cmd("ATS12?"), "\r\n050\r\n\r\nOK\r\n");
}

#[test]
fn data_inside_the_leading_guard_prevents_the_escape() {
    let mut b = online();
    b.secs(2.0);
    b.write(b"x");
    b.secs(0.5);
    b.write(b"+++");
    b.secs(3.0);
    assert_eq!(b.output(), "");
    assert!(b.modem.is_online_data());
}

#[test]
fn data_inside_the_trailing_guard_cancels_the_escape() {
    let mut b = online();
    b.secs(2.0);
    b.write(b"+++");
    b.secs(0.5);
    b.write(b"ATH\r");
    b.secs(3.0);
    assert_eq!(b.output(), "");
    assert!(b.modem.is_online_data());
    assert_eq!(b.take_actions(), vec![data(b"+++"), data(b"ATH\r")]);
}

#[test]
fn escape_characters_too_far_apart_do_not_escape() {
    let mut b = online();
    b.secs(2.0);
    b.write(b"+");
    b.secs(1.2);
    b.write(b"+");
    b.secs(0.2);
    b.write(b"+");
    b.secs(3.0);
    assert_eq!(b.output(), "");
    // Three within the guard of each other after a guard of silence do.
    let mut b = online();
    b.secs(2.0);
    b.write(b"+");
    b.secs(0.3);
    b.write(b"+");
    b.secs(0.3);
    b.write(b"+");
    b.secs(1.0);
    assert_eq!(b.output(), "\r\nOK\r\n");
}

#[test]
fn s2_and_s12_change_the_escape_and_s2_above_127_disables_it() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATS2=42S12=25");
    b.online();
    b.output();
    b.secs(0.5);
    b.write(b"***");
    b.secs(0.5);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert_eq!(b.cmd("ATS2=128O"), "\r\nCONNECT 33600\r\n");
    b.secs(2.0);
    b.write(b"+++");
    b.secs(2.0);
    b.write(b"***");
    b.secs(2.0);
    assert_eq!(b.output(), "");
}

#[test]
fn ato_returns_online_and_delivers_what_arrived_meanwhile() {
    let mut b = online();
    escape(&mut b);
    b.signal(LineSignal::Data(Bytes::from_static(b"held")));
    assert_eq!(b.output(), "");
    b.write(b"ATO\rmore");
    assert_eq!(b.output(), "\r\nCONNECT 33600\r\nheld");
    assert_eq!(b.take_actions(), vec![data(b"more")]);
    // The escape works again after ATO.
    escape(&mut b);
}

#[test]
fn ath_in_online_command_state_hangs_up() {
    let mut b = online();
    escape(&mut b);
    assert_eq!(b.cmd("ATH"), "\r\nOK\r\n");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::StopCarrier, LineAction::OnHook]
    );
    assert!(!b.dcd());
    assert_eq!(b.cmd("ATO"), "\r\nNO CARRIER\r\n");
}

#[test]
fn dtr_drop_follows_and_d() {
    // &D0: ignored.
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT&D0");
    b.online();
    b.output();
    b.set_dtr(false);
    assert!(b.modem.is_online_data());
    assert_eq!(b.output(), "");
    // &D1: online command state with OK.
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT&D1");
    b.online();
    b.output();
    b.set_dtr(false);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert!(b.modem.is_off_hook() && !b.modem.is_online_data());
    // &D2: hang up with OK.
    let mut b = online();
    b.set_dtr(false);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::StopCarrier, LineAction::OnHook]
    );
    assert!(!b.dcd());
    // &D3: hang up and reset silently (echo back on).
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT&D3");
    b.online();
    b.output();
    b.set_dtr(false);
    assert_eq!(b.output(), "");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::StopCarrier, LineAction::OnHook]
    );
    b.set_dtr(true);
    assert_eq!(b.cmd("AT"), "AT\r\r\nOK\r\n");
}

#[test]
fn dtr_drop_with_and_d2_aborts_a_dial() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATDT5550100");
    b.signal(LineSignal::DialTone);
    b.set_dtr(false);
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert_eq!(b.take_actions().last(), Some(&LineAction::OnHook));
}

#[test]
fn remote_carrier_loss_hangs_up_after_s10_unless_it_returns() {
    let mut b = online();
    b.signal(LineSignal::RemoteCarrierLost);
    b.secs(1.3);
    b.signal(LineSignal::RemoteCarrier(answer_carrier(33600)));
    b.secs(5.0);
    assert!(b.modem.is_online_data());
    b.signal(LineSignal::RemoteCarrierLost);
    b.secs(1.39);
    assert_eq!(b.output(), "");
    b.secs(0.01);
    assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
    assert_eq!(
        b.take_actions(),
        vec![LineAction::StopCarrier, LineAction::OnHook]
    );
    assert!(!b.dcd());
}

#[test]
fn release_and_call_waiting_tone_drop_the_connection_at_once() {
    for signal in [
        LineSignal::Released(ReleaseCause::Normal),
        LineSignal::CallWaitingTone,
    ] {
        let mut b = online();
        b.signal(signal);
        assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
        assert_eq!(
            b.take_actions(),
            vec![LineAction::StopCarrier, LineAction::OnHook]
        );
        assert!(!b.dcd());
    }
    // In online command state too.
    let mut b = online();
    escape(&mut b);
    b.signal(LineSignal::CallWaitingTone);
    assert_eq!(b.output(), "\r\nNO CARRIER\r\n");
}

#[test]
fn call_waiting_tone_is_harmless_in_a_voice_call() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("ATDT5550100;");
    b.signal(LineSignal::DialTone);
    b.output();
    b.signal(LineSignal::CallWaitingTone);
    assert_eq!(b.output(), "");
    assert!(b.modem.is_off_hook());
}

#[test]
fn dcd_is_always_on_with_and_c0() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert!(!b.dcd());
    b.cmd("AT&C0");
    assert!(b.dcd());
    b.cmd("AT&C1");
    assert!(!b.dcd());
}

#[test]
fn a_hung_modem_keeps_the_call_but_sends_nothing() {
    let mut b = online();
    b.modem.set_hung(true);
    b.signal(LineSignal::Data(Bytes::from_static(b"lost")));
    b.write(b"ignored");
    assert_eq!(b.output(), "");
    assert_eq!(b.take_actions(), vec![]);
    assert!(b.modem.is_online_data());
}

#[test]
fn poll_timeout_names_the_next_timer() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.modem.poll_timeout(), None);
    b.cmd("ATX3DT5");
    assert_eq!(
        b.modem.poll_timeout(),
        Some(b.now + std::time::Duration::from_secs(2))
    );
}

proptest! {
    #[test]
    fn random_dte_bytes_never_panic_and_output_stays_bounded(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..64),
        signals in proptest::collection::vec(0u8..12, 0..16),
        profile in 0usize..3,
    ) {
        let profile = Profile::by_name(Profile::NAMES[profile]).unwrap();
        let mut b = Bench::new(profile);
        let mut total_in = 0usize;
        let mut total_out = 0usize;
        for (i, chunk) in chunks.iter().enumerate() {
            total_in += chunk.len();
            b.write(chunk);
            if let Some(&s) = signals.get(i) {
                let signal = match s {
                    0 => LineSignal::DialTone,
                    1 => modem_support::ring(),
                    2 => LineSignal::RingOff,
                    3 => LineSignal::CallerId(modem_support::caller_id(Some("5551234"), Some("X"))),
                    4 => LineSignal::Answered,
                    5 => LineSignal::RemoteCarrier(answer_carrier(33600)),
                    6 => LineSignal::RemoteCarrier(modem_support::originate_carrier(33600)),
                    7 => LineSignal::Busy,
                    8 => LineSignal::RemoteCarrierLost,
                    9 => LineSignal::Data(Bytes::from_static(b"payload")),
                    10 => LineSignal::CallWaitingTone,
                    _ => LineSignal::Released(ReleaseCause::Normal),
                };
                b.signal(signal);
            }
            b.secs(0.7);
            total_out += b.output().len();
        }
        b.secs(120.0);
        total_out += b.output().len();
        // Echo is at most one byte per input byte; every other output is a bounded response to
        // a line, a signal or a timer.
        prop_assert!(total_out <= total_in * 2 + 600 * (chunks.len() + 2), "{total_out} bytes out");
        prop_assert!(b.modem.poll_timeout().is_none_or(|t| t > b.now));
    }
}
