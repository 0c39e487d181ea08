//! Property tests: arbitrary input never panics and memory stays bounded; any split of a valid
//! stream gives the same events; what the crate prints it parses back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::Duration;

use proptest::prelude::*;
use support::{CORPUS, Harness, run_exchange};
use tsp_modem::at::parse::{ParseContext, response_line};
use tsp_modem::at::{
    CallerIdField, CarrierDetect, CidValue, Command, Connect, DialString, EngineConfig, Event,
    FinalResult, Line, NumericTable, Ring, RingCadence, RingTag,
};

/// Bytes biased towards the ones the grammar cares about, so random input reaches deep states.
fn modem_bytes() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"OK".to_vec()),
        Just(b"CONNECT 33600".to_vec()),
        Just(b"NO CARRIER".to_vec()),
        Just(b"RING".to_vec()),
        Just(b"NMBR = ".to_vec()),
        Just(b"AT".to_vec()),
        Just(b"0\r".to_vec()),
        Just(b"   ".to_vec()),
    ];
    prop::collection::vec(token, 0..200).prop_map(|t| t.concat())
}

#[derive(Debug, Clone)]
enum Step {
    Input(Vec<u8>),
    Advance(u16),
    Send(u8),
    Data,
    CarrierLost,
    DtrDropped,
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        6 => modem_bytes().prop_map(Step::Input),
        3 => any::<u16>().prop_map(Step::Advance),
        2 => any::<u8>().prop_map(Step::Send),
        1 => Just(Step::Data),
        1 => Just(Step::CarrierLost),
        1 => Just(Step::DtrDropped),
    ];
    prop::collection::vec(step, 0..40)
}

fn command(n: u8) -> Command {
    match n % 8 {
        0 => Command::At,
        1 => Command::Reset,
        2 => Command::Identify(n),
        3 => Command::Dial {
            number: DialString::new("T5551212").unwrap(),
            voice: n.is_multiple_of(2),
        },
        4 => Command::Escape,
        5 => Command::Verbose(n.is_multiple_of(2)),
        6 => Command::Online,
        _ => Command::HangUp,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_steps_never_panic_and_memory_stays_bounded(
        steps in steps(),
        in_band in any::<bool>(),
    ) {
        let cfg = EngineConfig {
            carrier_detect: if in_band {
                CarrierDetect::InBand { pause: Duration::from_millis(300) }
            } else {
                CarrierDetect::Dcd
            },
            max_queue: 4,
            ..EngineConfig::default()
        };
        let mut h = Harness::new(cfg);
        let mut sent = std::collections::BTreeSet::new();
        for step in steps {
            match step {
                Step::Input(bytes) => h.feed(&bytes),
                Step::Advance(ms) => h.advance(Duration::from_millis(u64::from(ms))),
                Step::Send(n) => {
                    if let Ok(id) = h.try_send(command(n)) {
                        sent.insert(id);
                    }
                }
                Step::Data => { let _ = h.write_data(b"payload"); }
                Step::CarrierLost => h.carrier_lost(),
                Step::DtrDropped => h.dtr_dropped(),
            }
            // 256-byte line, 4 KiB kept during an escape, a short held-back NO CARRIER.
            prop_assert!(h.engine.buffered() <= 256 + 4096 + 32, "{}", h.engine.buffered());
        }
        // Every command completes at most once, and all of them eventually.
        h.advance(Duration::from_secs(600));
        let done: Vec<_> = h.completions().into_iter().map(|(id, _)| id).collect();
        let unique: std::collections::BTreeSet<_> = done.iter().copied().collect();
        prop_assert_eq!(done.len(), unique.len(), "a command completed twice");
        prop_assert_eq!(unique, sent);
    }

    #[test]
    fn random_bytes_never_make_the_parser_fail_hard(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let table = NumericTable::rockwell();
        for numeric in [false, true] {
            for idle in [false, true] {
                let ctx = ParseContext { numeric, table: &table, idle };
                let mut input = &bytes[..];
                loop {
                    match response_line(input, &ctx) {
                        Ok((rest, _)) => {
                            prop_assert!(rest.len() < input.len());
                            input = rest;
                        }
                        Err(nom::Err::Incomplete(_)) => break,
                        Err(e) => prop_assert!(false, "hard error {e:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn any_split_of_a_real_stream_gives_the_same_events(
        index in 0..CORPUS.len(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let ex = &CORPUS[index];
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(ex.bytes.len() + 1)).collect();
        points.sort_unstable();
        points.dedup();
        let mut chunks = Vec::new();
        let mut from = 0;
        for p in points {
            chunks.push(&ex.bytes[from..p]);
            from = p;
        }
        chunks.push(&ex.bytes[from..]);
        prop_assert_eq!(run_exchange(ex, &[ex.bytes]), run_exchange(ex, &chunks));
    }

    #[test]
    fn connect_text_round_trips(
        rate in prop::option::of(300u32..=230_400),
        suffix in "(/[A-Z0-9]{1,6}){0,4}",
    ) {
        let text = match rate {
            Some(r) => format!("{r}{suffix}"),
            None => suffix.trim_start_matches('/').to_owned(),
        };
        let connect = Connect::from_text(&text);
        let line = format!("{connect}\r\n");
        let (_, parsed) = tsp_modem::at::parse::connect(line.as_bytes()).unwrap();
        prop_assert_eq!(&parsed, &connect);
        if rate.is_some() {
            prop_assert_eq!(parsed.rate(), rate);
            prop_assert_eq!(parsed.suffix(), suffix.as_str());
        }
    }

    #[test]
    fn caller_id_fields_round_trip(value in "[A-Z0-9][A-Z0-9 .]{0,20}[A-Z0-9]", kind in 0u8..6) {
        let field = match kind {
            0 => CallerIdField::Date(value.as_str().into()),
            1 => CallerIdField::Time(value.as_str().into()),
            2 => CallerIdField::Number(CidValue::from_text(&value)),
            3 => CallerIdField::Name(CidValue::from_text(&value)),
            4 => CallerIdField::Message(value.as_str().into()),
            _ => CallerIdField::Called(value.as_str().into()),
        };
        let line = format!("{field}\r\n");
        let (_, parsed) = tsp_modem::at::parse::caller_id(line.as_bytes()).unwrap();
        prop_assert_eq!(parsed, field);
    }

    #[test]
    fn rings_and_cadences_round_trip(n in 0u8..10, letter in "[A-E]", digits in "[0-9]{2,12}", tenths in 0u64..10_000) {
        let rings = [
            Ring::default(),
            Ring { tag: Some(RingTag::Number(n)), ..Ring::default() },
            Ring { tag: Some(RingTag::Letter(letter.chars().next().unwrap())), ..Ring::default() },
            Ring { caller: Some(digits.as_str().into()), ..Ring::default() },
            Ring { called: Some(digits.as_str().into()), ..Ring::default() },
            Ring { caller: Some(digits.as_str().into()), called: Some("42".into()), ..Ring::default() },
            Ring { tag: Some(RingTag::Number(n)), caller: Some(digits.as_str().into()), called: None },
        ];
        for ring in rings {
            let line = format!("{ring}\r\n");
            let (_, parsed) = tsp_modem::at::parse::ring(line.as_bytes()).unwrap();
            prop_assert_eq!(parsed, ring);
        }
        for ringing in [true, false] {
            let c = RingCadence { ringing, duration: Duration::from_millis(tenths * 100) };
            let line = format!("{c}\r\n");
            let (_, parsed) = tsp_modem::at::parse::ring_cadence(line.as_bytes()).unwrap();
            prop_assert_eq!(parsed, c);
        }
    }

    #[test]
    fn the_echo_of_every_command_is_recognised(register in 0u8..100, value in any::<u8>(), n in 0u8..10, number in "[0-9*#,TPW]{0,20}") {
        let commands = [
            Command::SetRegister { register, value },
            Command::ReadRegister(register),
            Command::Identify(n),
            Command::ResultCodes(n),
            Command::Dial { number: DialString::new(&number).unwrap(), voice: true },
            Command::Manufacturer,
            Command::ServiceClasses,
        ];
        for command in commands {
            let mut h = Harness::default_config();
            let id = h.send(command.clone());
            let mut answer = command.encode();
            answer.extend_from_slice(b"\r\nOK\r\n");
            h.feed(&answer);
            let response = h.completion(id).unwrap();
            prop_assert!(response.info.is_empty(), "{command}: {:?}", response.info);
            prop_assert_eq!(h.engine.echo(), Some(true));
        }
    }
}

#[test]
fn final_and_numeric_results_round_trip() {
    let table = NumericTable::default();
    let verbose = ParseContext {
        numeric: false,
        table: &table,
        idle: true,
    };
    let numeric = ParseContext {
        numeric: true,
        table: &table,
        idle: true,
    };
    let results = [
        FinalResult::Ok,
        FinalResult::Connect(Connect::default()),
        FinalResult::Connect(Connect::from_text("1200")),
        FinalResult::Connect(Connect::from_text("33600/ARQ/V34/LAPM/V42BIS")),
        FinalResult::NoCarrier,
        FinalResult::Error,
        FinalResult::NoDialtone,
        FinalResult::Busy,
        FinalResult::NoAnswer,
        FinalResult::Delayed,
        FinalResult::Blacklisted,
        FinalResult::BlacklistFull,
        FinalResult::LineInUse,
        FinalResult::NoLine,
        FinalResult::Unobtainable,
    ];
    for result in results {
        let line = format!("\r\n{result}\r\n");
        let (_, parsed) = response_line(line.as_bytes(), &verbose).unwrap();
        assert_eq!(parsed, Line::Result(result.clone()));
        if let Some(code) = result.numeric_code() {
            let line = format!("{code}\r");
            let (_, parsed) = response_line(line.as_bytes(), &numeric).unwrap();
            assert_eq!(parsed, Line::Result(result));
        }
    }
    let (_, ring) = response_line(b"2\r", &numeric).unwrap();
    assert_eq!(ring, Line::Ring(Ring::default()));
}

#[test]
fn every_unsolicited_corpus_stream_reports_events() {
    for ex in CORPUS.iter().filter(|ex| ex.sent.is_none()) {
        let events = run_exchange(ex, &[ex.bytes]);
        assert!(
            events.iter().all(|e| !matches!(e, Event::StrayResult(_))),
            "{}",
            ex.modem
        );
    }
}
