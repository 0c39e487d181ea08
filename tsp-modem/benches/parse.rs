//! Response-parser throughput in lines per second: the bare grammar ([`response_line`]), the
//! digester around it, and the whole engine answering a command.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tsp_modem::at::parse::{ParseContext, response_line};
use tsp_modem::at::{Command, Digester, Engine, EngineConfig, Event, NumericTable};

/// A mix of what modems send: results, info text, connects, rings, caller ID.
const LINES: &[&[u8]] = &[
    b"\r\nOK\r\n",
    b"\r\nCONNECT 33600/ARQ/V34/LAPM/V42BIS\r\n",
    b"\r\nRING\r\n",
    b"\r\nNMBR = 5045551234\r\n",
    b"\r\nNAME=WIRELESS CALLER\r\n",
    b"\r\nU.S. Robotics Sportster Flash 56000 Rev. 10.1.29\r\n",
    b"\r\nS00:000 S02:043 S03:013 S04:010 S05:008 S06:002 S07:045 S08:002 \r\n",
    b"\r\nNO DIAL TONE\r\n",
    b"\r\nDRON=11\r\n",
    b"\r\n+FCLASS: (0,1,1.0,2,8)\r\n",
    b"\r\nCARRIER 28800\r\n",
    b"\r\nERROR\r\n",
];

fn stream(repeats: usize) -> Vec<u8> {
    LINES
        .iter()
        .copied()
        .cycle()
        .take(LINES.len() * repeats)
        .flatten()
        .copied()
        .collect()
}

fn bench(c: &mut Criterion) {
    let repeats = 100;
    let input = stream(repeats);
    let lines = (LINES.len() * repeats) as u64;
    let table = NumericTable::rockwell();
    let ctx = ParseContext {
        numeric: false,
        table: &table,
        idle: false,
    };

    let mut group = c.benchmark_group("responses");
    group.throughput(Throughput::Elements(lines));

    group.bench_function("response_line", |b| {
        b.iter(|| {
            let mut rest = black_box(&input[..]);
            let mut n = 0u64;
            while let Ok((next, line)) = response_line(rest, &ctx) {
                black_box(line);
                rest = next;
                n += 1;
            }
            assert_eq!(n, lines);
        });
    });

    group.bench_function("digester", |b| {
        b.iter(|| {
            let mut d = Digester::new(256, "bench".into());
            let mut rest = black_box(&input[..]);
            let mut n = 0u64;
            while !rest.is_empty() {
                let taken = d.push(rest);
                rest = &rest[taken..];
                while let Some(line) = d.next_line(&ctx) {
                    black_box(line);
                    n += 1;
                }
            }
            assert_eq!(n, lines);
        });
    });

    // The engine answering one long-running raw command with all the lines as information text.
    let info: Vec<u8> = LINES
        .iter()
        .filter(|l| !l.starts_with(b"\r\nOK") && !l.starts_with(b"\r\nERROR"))
        .filter(|l| !l.starts_with(b"\r\nCONNECT") && !l.starts_with(b"\r\nNO DIAL"))
        .copied()
        .cycle()
        .take(1000)
        .flatten()
        .copied()
        .collect();
    group.throughput(Throughput::Elements(1000));
    group.bench_function("engine", |b| {
        let cfg = EngineConfig {
            max_info_lines: 2000,
            ..EngineConfig::default()
        };
        b.iter(|| {
            let now = Instant::now();
            let mut engine = Engine::new(cfg.clone(), now);
            engine.send(Command::Identify(7), now).unwrap();
            engine.handle_input(black_box(&info), now);
            let mut events = 0;
            while let Some(e) = engine.poll_event() {
                events += usize::from(!matches!(e, Event::Completed { .. }));
            }
            black_box(events);
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
