//! The engine on a virtual clock: timeouts, retries, guard times, pacing, late and stale
//! results, data mode. No test sleeps; time moves only through the harness.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use bytes::Bytes;
use support::{Harness, Write};
use tsp_modem::at::{
    AtError, CallerId, CarrierDetect, CarrierLoss, CidValue, Command, DialString, EngineConfig,
    Event, FinalResult, Mode, Quirks, Ring,
};

const fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn dial(number: &str) -> Command {
    Command::Dial {
        number: DialString::new(number).unwrap(),
        voice: false,
    }
}

/// A harness already in online data mode after `ATDT5551212` / `CONNECT 33600`.
fn connected(cfg: EngineConfig) -> Harness {
    let mut h = Harness::new(cfg);
    let id = h.send(dial("T5551212"));
    h.advance(ms(10_000));
    h.feed(b"\r\nCONNECT 33600\r\n");
    assert!(h.completion(id).is_ok());
    assert_eq!(h.engine.mode(), Mode::Data);
    h.take_writes();
    h.take_events();
    h
}

fn in_band() -> EngineConfig {
    EngineConfig {
        carrier_detect: CarrierDetect::InBand { pause: ms(500) },
        ..EngineConfig::default()
    }
}

// ---- Timeouts and retries -----------------------------------------------------------------

#[test]
fn at_is_retried_every_two_seconds_and_times_out_at_exactly_six() {
    let mut h = Harness::default_config();
    let id = h.send(Command::At);
    h.advance(ms(5_999));
    assert!(h.completions().is_empty());
    h.advance(ms(1));
    let writes = h.take_writes();
    let at = |n| Write {
        at: ms(n),
        bytes: b"AT\r".to_vec(),
    };
    assert_eq!(writes, [at(0), at(2_000), at(4_000)]);
    let err = h.completion(id).unwrap_err();
    assert_eq!(
        err,
        AtError::Timeout {
            device: "modem".into(),
            command: "AT".into(),
            after: ms(2_000),
            attempts: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "modem: AT: no answer in 2 s (3 attempt(s))"
    );
}

#[test]
fn atz_is_not_retried_and_times_out_after_five_seconds() {
    let mut h = Harness::default_config();
    let id = h.send(Command::Reset);
    h.advance(ms(4_999));
    assert!(h.completions().is_empty());
    h.advance(ms(1));
    assert_eq!(h.take_writes().len(), 1);
    assert_eq!(
        h.completion(id).unwrap_err().to_string(),
        "modem: ATZ: no answer in 5 s (1 attempt(s))"
    );
}

#[test]
fn dial_timeout_follows_s7_set_by_the_engine_plus_the_margin() {
    let mut h = Harness::default_config();
    let s7 = h.send(Command::SetRegister {
        register: 7,
        value: 60,
    });
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(s7).is_ok());
    assert_eq!(h.engine.registers().connect_wait, 60);
    h.advance(ms(100));
    let d = h.send(dial("T*70,5551212"));
    let started = h.elapsed();
    // S7 60 s + one comma at S8 2 s + 10 s margin.
    h.advance(started + ms(71_999) - h.elapsed());
    assert!(h.completions().is_empty());
    h.advance(ms(1));
    assert!(matches!(
        h.completion(d),
        Err(AtError::Timeout { after, .. }) if after == ms(72_000)
    ));
}

#[test]
fn a_command_completes_once_when_both_attempts_are_answered() {
    let mut h = Harness::default_config();
    let id = h.send(Command::At);
    h.advance(ms(2_000)); // second attempt goes out
    h.advance(ms(500));
    h.feed(b"\r\nOK\r\n"); // answer to attempt one
    h.advance(ms(50));
    h.feed(b"\r\nOK\r\n"); // answer to attempt two
    assert!(h.completion(id).is_ok());
    assert_eq!(
        h.take_events(),
        [Event::LateResult {
            command: Command::At,
            result: FinalResult::Ok
        }]
    );
    h.advance(ms(100));
    let next = h.send(Command::Identify(0));
    h.feed(b"\r\n56000\r\n\r\nOK\r\n");
    assert_eq!(h.completion(next).unwrap().info, ["56000"]);
}

// ---- Late and stale results ---------------------------------------------------------------

#[test]
fn late_no_carrier_after_the_next_command_does_not_complete_it() {
    // hayes.md §2: "NO CARRIER of a timed-out dial arriving after the host has already sent its
    // next command".
    let mut h = Harness::default_config();
    let d = h.send(dial("T5551212"));
    h.advance(ms(60_000));
    assert!(matches!(h.completion(d), Err(AtError::Timeout { .. })));
    h.advance(ms(100));
    let hang_up = h.send(Command::HangUp);
    h.feed(b"\r\nNO CARRIER\r\n");
    assert!(h.completions().is_empty());
    assert_eq!(
        h.take_events(),
        [Event::LateResult {
            command: dial("T5551212"),
            result: FinalResult::NoCarrier
        }]
    );
    h.feed(b"\r\nOK\r\n");
    assert_eq!(h.completion(hang_up).unwrap().result, FinalResult::Ok);
}

#[test]
fn stale_ok_before_the_echo_is_skipped_when_echo_is_known_on() {
    // hayes.md §2: a stale OK arriving > 1 s after a DTR drop shifts every later response by
    // one; with echo on, a result before the echo cannot answer the command.
    let mut h = Harness::default_config();
    let e1 = h.send(Command::Echo(true));
    h.feed(b"ATE1\r\r\nOK\r\n");
    assert!(h.completion(e1).is_ok());
    assert_eq!(h.engine.echo(), Some(true));
    h.advance(ms(500));
    h.dtr_dropped();
    h.take_writes();
    let at = h.send(Command::At);
    assert_eq!(h.written(), b"AT\r");
    h.advance(ms(1_200));
    h.feed(b"\r\nOK\r\n");
    assert!(h.completions().is_empty());
    assert_eq!(h.take_events(), [Event::StrayResult(FinalResult::Ok)]);
    h.feed(b"AT\r\r\nOK\r\n");
    assert!(h.completion(at).is_ok());
}

#[test]
fn dtr_drop_interrupts_a_dial_and_its_late_answer_is_skipped() {
    let mut h = Harness::default_config();
    let d = h.send(dial("T5551212"));
    h.advance(ms(3_000));
    h.dtr_dropped();
    let err = h.completion(d).unwrap_err();
    assert_eq!(err.to_string(), "modem: ATD: interrupted by DTR drop");
    h.advance(ms(100));
    let at = h.send(Command::At);
    h.feed(b"\r\nNO CARRIER\r\n\r\nOK\r\n");
    assert!(h.completion(at).is_ok());
    assert_eq!(
        h.take_events(),
        [Event::LateResult {
            command: dial("T5551212"),
            result: FinalResult::NoCarrier
        }]
    );
}

// ---- Pacing, quirks, queue ----------------------------------------------------------------

#[test]
fn queued_commands_wait_for_the_pacing_delay() {
    let mut h = Harness::default_config();
    let a = h.send(Command::Echo(false));
    let b = h.send(Command::Verbose(true));
    assert_eq!(h.engine.queued(), 1);
    h.advance(ms(300));
    h.feed(b"ATE0\r\r\nOK\r\n");
    assert!(h.completion(a).is_ok());
    h.advance(ms(99));
    assert_eq!(h.take_writes().len(), 1, "only ATE0 so far");
    h.advance(ms(1));
    assert_eq!(
        h.take_writes().last().unwrap(),
        &Write {
            at: ms(400),
            bytes: b"ATV1\r".to_vec()
        }
    );
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(b).is_ok());
    assert_eq!(h.engine.echo(), Some(false));
}

#[test]
fn reset_settles_and_sends_an_extra_at_when_the_profile_asks() {
    let cfg = EngineConfig {
        quirks: Quirks {
            reset_settle: ms(3_000),
            extra_at_after_reset: true,
            ..Quirks::default()
        },
        ..EngineConfig::default()
    };
    let mut h = Harness::new(cfg);
    let z = h.send(Command::Reset);
    let i = h.send(Command::Identify(3));
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(z).is_ok());
    h.take_writes();
    h.advance(ms(3_099));
    assert!(h.take_writes().is_empty());
    h.advance(ms(1));
    assert_eq!(h.written(), b"AT\r");
    h.feed(b"\r\nOK\r\n");
    assert!(h.completions().is_empty(), "the extra AT is not reported");
    h.advance(ms(100));
    assert_eq!(h.written(), b"ATI3\r");
    h.feed(b"\r\nU.S. Robotics 56K FAX USB V1.2.23\r\n\r\nOK\r\n");
    assert!(h.completion(i).is_ok());
}

#[test]
fn a_withdrawn_command_is_never_sent_and_never_completes() {
    let mut h = Harness::default_config();
    let a = h.send(Command::Echo(false));
    let b = h.send(Command::Verbose(true));
    let c = h.send(Command::At);
    assert!(!h.engine.withdraw(a), "ATE0 is in flight");
    assert!(h.engine.withdraw(b));
    assert!(!h.engine.withdraw(b), "already withdrawn");
    h.feed(b"ATE0\r\r\nOK\r\n");
    h.advance(ms(300));
    h.feed(b"\r\nOK\r\n");
    let done: Vec<_> = h.completions().into_iter().map(|(id, _)| id).collect();
    assert_eq!(done, [a, c]);
    let writes: Vec<Vec<u8>> = h.take_writes().into_iter().map(|w| w.bytes).collect();
    assert_eq!(writes, [b"ATE0\r".to_vec(), b"AT\r".to_vec()]);
}

#[test]
fn the_queue_refuses_commands_beyond_its_limit() {
    let cfg = EngineConfig {
        max_queue: 2,
        ..EngineConfig::default()
    };
    let mut h = Harness::new(cfg);
    h.send(Command::At);
    h.send(Command::At);
    h.send(Command::At);
    let err = h.engine.send(Command::Reset, h.now).unwrap_err();
    assert_eq!(
        err.to_string(),
        "modem: ATZ: command queue full (2 commands waiting)"
    );
}

#[test]
fn at_lines_in_data_mode_and_escape_in_command_mode_fail_at_once() {
    let mut h = Harness::default_config();
    let esc = h.send(Command::Escape);
    assert!(matches!(
        h.completion(esc),
        Err(AtError::WrongMode {
            mode: Mode::Command,
            ..
        })
    ));
    let mut h = connected(EngineConfig::default());
    let at = h.send(Command::At);
    assert_eq!(
        h.completion(at).unwrap_err().to_string(),
        "modem: AT: not possible in online data mode"
    );
    assert!(h.take_writes().is_empty());
}

// ---- Unsolicited reports during commands --------------------------------------------------

#[test]
fn ring_and_caller_id_during_a_command_do_not_complete_it() {
    let mut h = Harness::default_config();
    let id = h.send(Command::ReadRegister(0));
    h.feed(b"\r\nRING\r\n\r\nNMBR=5551212\r\n\r\n000\r\n\r\nOK\r\n");
    assert_eq!(h.completion(id).unwrap().info, ["000"]);
    assert_eq!(
        h.take_events(),
        [
            Event::Ring(Ring::default()),
            Event::CallerId(CallerId {
                number: Some(CidValue::Present("5551212".into())),
                ..CallerId::default()
            })
        ]
    );
}

#[test]
fn a_caller_id_record_is_reported_after_its_quiet_time() {
    let mut h = Harness::default_config();
    h.feed(b"\r\nRING\r\n\r\nDATE=0117\r\n");
    h.advance(ms(200));
    h.feed(b"NMBR=5551212\r\n");
    h.advance(ms(499));
    assert_eq!(h.take_events(), [Event::Ring(Ring::default())]);
    h.advance(ms(1));
    assert_eq!(
        h.take_events(),
        [Event::CallerId(CallerId {
            date: Some("0117".into()),
            number: Some(CidValue::Present("5551212".into())),
            ..CallerId::default()
        })]
    );
}

#[test]
fn a_numeric_result_completes_after_100_ms_of_silence() {
    let mut h = Harness::default_config();
    let v0 = h.send(Command::Verbose(false));
    h.feed(b"0\r");
    h.advance(ms(99));
    assert!(h.completions().is_empty());
    h.advance(ms(1));
    assert!(h.completion(v0).is_ok());
    h.advance(ms(100));
    let i = h.send(Command::ServiceClass);
    h.feed(b"0\r\n0\r");
    h.advance(ms(100));
    assert_eq!(h.completion(i).unwrap().info, ["0"]);
}

#[test]
fn an_over_long_line_is_skipped_and_the_command_still_completes() {
    let mut h = Harness::default_config();
    let id = h.send(Command::Identify(4));
    let mut answer = b"\r\n".to_vec();
    answer.extend(std::iter::repeat_n(b'x', 10_000));
    answer.extend_from_slice(b"\r\nshort\r\n\r\nOK\r\n");
    h.feed(&answer);
    assert_eq!(h.completion(id).unwrap().info, ["short"]);
    assert!(h.engine.buffered() <= 256);
}

#[test]
fn voice_dial_returns_ok_and_stays_in_command_mode() {
    let mut h = Harness::default_config();
    let id = h.send(Command::Dial {
        number: DialString::new("T5551212").unwrap(),
        voice: true,
    });
    assert_eq!(h.written(), b"ATDT5551212;\r");
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(id).is_ok());
    assert_eq!(h.engine.mode(), Mode::Command);
}

// ---- Data mode and the escape -------------------------------------------------------------

#[test]
fn escape_waits_a_guard_time_before_and_after_the_plus_signs() {
    let mut h = connected(EngineConfig::default());
    h.feed(b"hello from far away");
    h.write_data(b"hi").unwrap();
    let data_at = h.elapsed();
    h.advance(ms(300));
    let esc = h.send(Command::Escape);
    assert!(h.write_data(b"more").is_err(), "no data during the escape");
    h.advance(ms(699));
    assert_eq!(h.take_writes().len(), 1, "only the data so far");
    h.advance(ms(1));
    assert_eq!(
        h.take_writes(),
        [Write {
            at: data_at + ms(1_000),
            bytes: b"+++".to_vec()
        }]
    );
    h.feed(b"late data");
    h.advance(ms(1_000));
    assert!(
        h.take_writes().is_empty(),
        "nothing written after +++ in the guard time"
    );
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(esc).is_ok());
    assert_eq!(h.engine.mode(), Mode::OnlineCommand);
    assert_eq!(
        support::normalise(h.take_events()),
        [Event::Data(Bytes::from_static(
            b"hello from far awaylate data"
        ))]
    );
    h.advance(ms(100));
    let hang_up = h.send(Command::HangUp);
    assert_eq!(h.written(), b"ATH\r");
    h.feed(b"ATH\r\r\nOK\r\n");
    assert!(h.completion(hang_up).is_ok());
    assert_eq!(h.engine.mode(), Mode::Command);
}

#[test]
fn escape_guard_time_follows_s12() {
    let mut h = Harness::default_config();
    let s12 = h.send(Command::SetRegister {
        register: 12,
        value: 25,
    });
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(s12).is_ok());
    h.advance(ms(100));
    let d = h.send(dial("T5551212"));
    h.feed(b"\r\nCONNECT 9600\r\n");
    assert!(h.completion(d).is_ok());
    h.take_writes();
    h.write_data(b"x").unwrap();
    let esc = h.send(Command::Escape);
    h.advance(ms(499));
    assert_eq!(h.take_writes().len(), 1);
    h.advance(ms(1));
    assert_eq!(h.take_writes()[0].bytes, b"+++");
    h.advance(ms(500));
    h.feed(b"\r\nOK\r\n");
    assert!(h.completion(esc).is_ok());
}

#[test]
fn escape_with_no_ok_stays_online_and_returns_the_bytes_as_data() {
    let mut h = connected(EngineConfig::default());
    let esc = h.send(Command::Escape);
    h.advance(ms(2_000)); // guard, +++, guard
    h.feed(b"\r\nJUST DATA\r\n");
    h.advance(ms(2_000));
    assert!(matches!(h.completion(esc), Err(AtError::Timeout { .. })));
    assert_eq!(h.engine.mode(), Mode::Data);
    assert_eq!(
        h.take_events(),
        [Event::Data(Bytes::from_static(b"\r\nJUST DATA\r\n"))]
    );
    h.write_data(b"still online").unwrap();
}

#[test]
fn dcd_loss_ends_data_mode_and_the_following_no_carrier_is_not_reported_twice() {
    let mut h = connected(EngineConfig::default());
    h.feed(b"\r\nNO CARRIER\r\n");
    assert_eq!(
        h.take_events(),
        [Event::Data(Bytes::from_static(b"\r\nNO CARRIER\r\n"))],
        "with DCD, text in data mode is data"
    );
    h.carrier_lost();
    h.feed(b"\r\nNO CARRIER\r\n");
    h.advance(ms(100));
    assert_eq!(h.take_events(), [Event::CarrierLost(CarrierLoss::Dcd)]);
    assert_eq!(h.engine.mode(), Mode::Command);
}

#[test]
fn in_band_no_carrier_after_a_pause_ends_data_mode() {
    let mut h = connected(in_band());
    h.feed(b"some data");
    h.advance(ms(1_000));
    h.feed(b"\r\nNO CAR");
    h.feed(b"RIER\r\n\r\nRING\r\n");
    assert_eq!(
        h.take_events(),
        [
            Event::Data(Bytes::from_static(b"some data")),
            Event::CarrierLost(CarrierLoss::Text),
            Event::Ring(Ring::default())
        ]
    );
    assert_eq!(h.engine.mode(), Mode::Command);
}

#[test]
fn in_band_no_carrier_without_a_pause_is_data() {
    let mut h = connected(in_band());
    h.feed(b"some data");
    h.advance(ms(100));
    h.feed(b"\r\nNO CARRIER\r\n");
    assert_eq!(
        support::normalise(h.take_events()),
        [Event::Data(Bytes::from_static(
            b"some data\r\nNO CARRIER\r\n"
        ))]
    );
    assert_eq!(h.engine.mode(), Mode::Data);
}

#[test]
fn in_band_held_back_bytes_become_data_when_the_text_does_not_complete() {
    let mut h = connected(in_band());
    h.advance(ms(1_000));
    h.feed(b"\r\nNO");
    h.advance(ms(499));
    assert!(h.take_events().is_empty());
    h.advance(ms(1));
    assert_eq!(
        h.take_events(),
        [Event::Data(Bytes::from_static(b"\r\nNO"))]
    );
    assert_eq!(h.engine.mode(), Mode::Data);
}

#[test]
fn connect_line_feed_is_not_data_even_when_it_arrives_alone() {
    let mut h = Harness::default_config();
    let d = h.send(dial("T5551212"));
    h.feed(b"\r\nCONNECT 2400\r");
    assert!(h.completion(d).is_ok());
    h.feed(b"\n");
    h.feed(b"\nx");
    assert_eq!(
        support::normalise(h.take_events()),
        [Event::Data(Bytes::from_static(b"\nx"))]
    );
}

#[test]
fn connect_with_nothing_in_flight_means_the_modem_answered_by_itself() {
    // S0 > 0: the modem auto-answers and says CONNECT unprompted.
    let mut h = Harness::default_config();
    h.feed(b"\r\nRING\r\n\r\nCONNECT 2400\r\nwelcome");
    let events = h.take_events();
    assert_eq!(events[0], Event::Ring(Ring::default()));
    assert!(matches!(&events[1], Event::Connected(c) if c.rate() == Some(2400)));
    assert_eq!(events[2], Event::Data(Bytes::from_static(b"welcome")));
    assert_eq!(h.engine.mode(), Mode::Data);
}

#[test]
fn a_late_connect_after_a_dial_timeout_puts_the_engine_online() {
    let mut h = Harness::default_config();
    let d = h.send(dial("T5551212"));
    h.advance(ms(60_000));
    assert!(matches!(h.completion(d), Err(AtError::Timeout { .. })));
    h.feed(b"\r\nCONNECT 9600\r\n");
    let events = h.take_events();
    assert!(matches!(
        &events[..],
        [Event::LateResult { command, result: FinalResult::Connect(_) }] if *command == dial("T5551212")
    ));
    assert_eq!(h.engine.mode(), Mode::Data);
    h.write_data(b"ok to talk").unwrap();
}
