//! Arbitrary bytes from a modem, interleaved with commands, data, time and control-line events,
//! must never panic, must keep the engine's memory bounded, and must complete every command
//! exactly once.
#![no_main]

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use tsp_modem::at::{
    CarrierDetect, Command, DialString, Engine, EngineConfig, Event, NumericTable, Quirks,
};

fn command(n: u8) -> Command {
    match n % 9 {
        0 => Command::At,
        1 => Command::Reset,
        2 => Command::Identify(n),
        3 => match DialString::new("T*70,5551212") {
            Ok(number) => Command::Dial {
                number,
                voice: n & 0x10 != 0,
            },
            Err(_) => Command::At,
        },
        4 => Command::Escape,
        5 => Command::Verbose(n & 0x10 != 0),
        6 => Command::Online,
        7 => Command::SetRegister {
            register: 12,
            value: n,
        },
        _ => Command::HangUp,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, mut rest)) = data.split_first() else {
        return;
    };
    let t0 = Instant::now();
    let mut now = t0;
    let cfg = EngineConfig {
        carrier_detect: if flags & 1 == 0 {
            CarrierDetect::Dcd
        } else {
            CarrierDetect::InBand {
                pause: Duration::from_millis(200),
            }
        },
        quirks: Quirks {
            numeric_codes: if flags & 2 == 0 {
                NumericTable::default()
            } else {
                NumericTable::rockwell()
            },
            stale_result_after_dtr: (flags & 4 != 0).then(|| Duration::from_millis(500)),
            echo_any_at_line: flags & 8 != 0,
            extra_at_after_reset: flags & 16 != 0,
            reset_settle: Duration::from_millis(u64::from(flags & 32) * 10),
        },
        max_queue: 8,
        ..EngineConfig::default()
    };
    let mut engine = Engine::new(cfg, now);
    let mut sent = BTreeSet::new();
    let mut done = BTreeSet::new();
    let drain = |engine: &mut Engine, done: &mut BTreeSet<_>| {
        while engine.poll_transmit().is_some() {}
        while let Some(e) = engine.poll_event() {
            if let Event::Completed { id, .. } = e {
                assert!(done.insert(id), "{id} completed twice");
            }
        }
    };
    while let Some((&op, tail)) = rest.split_first() {
        rest = tail;
        match op >> 5 {
            0..=3 => {
                let n = usize::from(op & 0x3f).min(rest.len());
                engine.handle_input(&rest[..n], now);
                rest = &rest[n..];
            }
            4 => {
                now += Duration::from_millis(u64::from(op & 0x1f) * 97);
                while let Some(t) = engine.poll_timeout().filter(|t| *t <= now) {
                    engine.handle_timeout(t.max(t0));
                    drain(&mut engine, &mut done);
                }
                engine.handle_timeout(now);
            }
            5 => {
                if let Ok(id) = engine.send(command(op), now) {
                    sent.insert(id);
                }
            }
            6 => {
                let _ = engine.write_data(&[op; 3], now);
            }
            _ => {
                if op & 1 == 0 {
                    engine.carrier_lost(now);
                } else {
                    engine.dtr_dropped(now);
                }
            }
        }
        drain(&mut engine, &mut done);
        assert!(
            engine.buffered() <= 256 + 4096 + 32,
            "{} bytes buffered",
            engine.buffered()
        );
    }
    // Let every timeout run out: each accepted command must have completed.
    for _ in 0..64 {
        now += Duration::from_secs(120);
        engine.handle_timeout(now);
        drain(&mut engine, &mut done);
    }
    assert_eq!(sent, done, "commands never completed");
});
