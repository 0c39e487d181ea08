//! tsp's digester against the `atat` crate's `AtDigester` (0.25), side by side on the same
//! realistic analog-modem output fed in 1-, 7- and 4096-byte chunks (BENCHMARKS.md).
//!
//! atat is given what it needs to parse the same things: a URC parser for `RING` and the
//! caller-ID lines, a custom success matcher for the `CONNECT` variants, and a custom error
//! matcher for `NO DIAL TONE`/`NO ANSWER`. Both sides count what they classified; a count that
//! differs from the stream's is reported, because a parser that skips lines is not faster.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support {
    pub(crate) mod median;
}

use std::hint::black_box;
use std::time::Duration;

use support::median::median;

use atat::digest::{AtDigester, DigestResult, Digester as _, ParseError, Parser};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use tsp_modem::at::parse::{FinalResult, Line, ParseContext};
use tsp_modem::at::{Digester, NumericTable};

/// One exchange after another, as a modem sends them: echo on and off, identification,
/// a caller-ID block, CONNECT variants, BUSY, NO CARRIER, NO DIALTONE, ERROR, a profile dump.
const UNITS: &[&[u8]] = &[
    b"ATI3\r\r\nU.S. Robotics 56K FAX USB V1.2.23\r\n\r\nOK\r\n",
    b"\r\n56000\r\n\r\nOK\r\n",
    b"\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5045551234\r\nNAME = JANE DOE\r\n\r\nRING\r\n",
    b"ATDT5550100\r\r\nCONNECT 33600/ARQ/V34/LAPM/V42BIS\r\n",
    b"\r\nNO CARRIER\r\n",
    b"\r\nCONNECT 14400/REL-LAPM\r\n",
    b"\r\nBUSY\r\n",
    b"\r\nCONNECT\r\n",
    b"\r\nNO DIALTONE\r\n",
    b"AT&V\r\r\nACTIVE PROFILE:\r\nB1 E1 L1 M1 N1 Q0 T V1 W0 X4 Y0 &C1 &D2 &G0 &J0 &K3 &Q5 &R1 &S0\r\nS00:000 S01:000 S02:043 S03:013 S04:010 S05:008 S06:002 S07:050\r\n\r\nOK\r\n",
    b"\r\nERROR\r\n",
];

/// What one pass of [`UNITS`] holds: final results that succeed (OK, CONNECT), final results
/// that fail, unsolicited lines (RING, caller ID).
const SUCCESSES: u64 = 6;
const FAILURES: u64 = 4;
const UNSOLICITED: u64 = 6;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    successes: u64,
    failures: u64,
    unsolicited: u64,
}

fn stream(repeats: usize) -> Vec<u8> {
    UNITS
        .iter()
        .copied()
        .cycle()
        .take(UNITS.len() * repeats)
        .flatten()
        .copied()
        .collect()
}

fn expected(repeats: usize) -> Counts {
    let r = repeats as u64;
    Counts {
        successes: SUCCESSES * r,
        failures: FAILURES * r,
        unsolicited: UNSOLICITED * r,
    }
}

// ---- tsp ----

fn run_tsp(input: &[u8], chunk: usize) -> Counts {
    let table = NumericTable::default();
    let ctx = ParseContext {
        numeric: false,
        table: &table,
        idle: false,
    };
    let mut d = Digester::new(256, "bench".into());
    let mut c = Counts::default();
    for piece in input.chunks(chunk) {
        let mut rest = piece;
        while !rest.is_empty() {
            let taken = d.push(rest);
            rest = &rest[taken..];
            while let Some(got) = d.next_line(&ctx).as_ref() {
                match &got.line {
                    Line::Result(FinalResult::Ok | FinalResult::Connect(_)) => c.successes += 1,
                    Line::Result(_) => c.failures += 1,
                    Line::Ring(_) | Line::CallerId(_) => c.unsolicited += 1,
                    other => {
                        black_box(other);
                    }
                }
            }
        }
    }
    c
}

// ---- atat ----

/// The line at the start of `buf` (after blank lines), and how many bytes up to its CRLF.
fn first_line(buf: &[u8]) -> Option<(&[u8], usize)> {
    let start = buf.iter().position(|&b| b != b'\r' && b != b'\n')?;
    let end = buf[start..].windows(2).position(|w| w == b"\r\n")?;
    Some((&buf[start..start + end], start + end + 2))
}

/// Whether `buf` (after blank lines) could still become a line starting with one of `tokens`.
fn may_become(buf: &[u8], tokens: &[&[u8]]) -> bool {
    let start = buf
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(buf.len());
    let rest = &buf[start..];
    tokens
        .iter()
        .any(|t| t.starts_with(&rest[..rest.len().min(t.len())]))
}

fn line_matcher<'a>(buf: &'a [u8], tokens: &[&[u8]]) -> Result<(&'a [u8], usize), ParseError> {
    match first_line(buf) {
        Some((line, used)) if tokens.iter().any(|t| line.starts_with(t)) => Ok((line, used)),
        Some(_) => Err(ParseError::NoMatch),
        None if may_become(buf, tokens) => Err(ParseError::Incomplete),
        None => Err(ParseError::NoMatch),
    }
}

/// `RING` and the caller-ID fields as URCs.
struct ModemUrcs;

impl Parser for ModemUrcs {
    fn parse(buf: &[u8]) -> Result<(&[u8], usize), ParseError> {
        line_matcher(buf, &[b"RING", b"DATE", b"TIME", b"NMBR", b"NAME", b"MESG"])
    }
}

fn connect(buf: &[u8]) -> Result<(&[u8], usize), ParseError> {
    line_matcher(buf, &[b"CONNECT"])
}

fn analog_errors(buf: &[u8]) -> Result<(&[u8], usize), ParseError> {
    line_matcher(buf, &[b"NO DIAL TONE", b"NO ANSWER", b"NO DIALTONE"])
}

fn run_atat(input: &[u8], chunk: usize) -> Counts {
    let mut d = AtDigester::<ModemUrcs>::new()
        .with_custom_success(connect)
        .with_custom_error(analog_errors);
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut c = Counts::default();
    for piece in input.chunks(chunk) {
        buf.extend_from_slice(piece);
        loop {
            let (result, used) = d.digest(&buf);
            match result {
                DigestResult::Urc(_) => c.unsolicited += 1,
                DigestResult::Response(Ok(r)) => {
                    black_box(r);
                    c.successes += 1;
                }
                DigestResult::Response(Err(_)) => c.failures += 1,
                DigestResult::Prompt(_) | DigestResult::None => {}
            }
            if used == 0 {
                break;
            }
            buf.drain(..used);
        }
    }
    c
}

fn bench(c: &mut Criterion) {
    let repeats = 100;
    let input = stream(repeats);
    let want = expected(repeats);
    let mut group = c.benchmark_group("digest_vs_atat");
    group.throughput(Throughput::Bytes(input.len() as u64));
    for chunk in [1usize, 7, 4096] {
        let tsp = run_tsp(&input, chunk);
        let atat = run_atat(&input, chunk);
        assert_eq!(
            tsp, want,
            "tsp classifies every line at {chunk}-byte chunks"
        );
        if atat != want {
            eprintln!("atat at {chunk}-byte chunks classified {atat:?}, the stream holds {want:?}");
        }
        group.bench_with_input(BenchmarkId::new("tsp", chunk), &chunk, |b, &chunk| {
            b.iter(|| run_tsp(black_box(&input), chunk));
        });
        group.bench_with_input(BenchmarkId::new("atat", chunk), &chunk, |b, &chunk| {
            b.iter(|| run_atat(black_box(&input), chunk));
        });
    }
    group.finish();
}

/// The budget (BENCHMARKS.md): tsp at least 1.5× atat at every chunk size, both timed here
/// side by side (medians of interleaved runs) after criterion's report. Exit status 1 when missed.
fn check_budget() {
    let input = stream(100);
    let mut missed = Vec::new();
    println!("chunk   tsp          atat         tsp/atat  (budget >= 1.5x)");
    for chunk in [1usize, 7, 4096] {
        let runs = if chunk == 1 { 31 } else { 201 };
        let mut tsp = Duration::ZERO;
        let mut atat = Duration::ZERO;
        for _ in 0..3 {
            tsp += median(runs, || {
                black_box(run_tsp(black_box(&input), chunk));
            });
            atat += median(runs, || {
                black_box(run_atat(black_box(&input), chunk));
            });
        }
        let ratio = atat.as_secs_f64() / tsp.as_secs_f64();
        println!(
            "{chunk:<7} {:<12} {:<12} {ratio:.2}x",
            format!("{:.1?}", tsp / 3),
            format!("{:.1?}", atat / 3)
        );
        if ratio < 1.5 {
            missed.push(format!(
                "{chunk}-byte chunks: tsp is {ratio:.2}x atat, budget 1.5x"
            ));
        }
    }
    if !missed.is_empty() {
        eprintln!("budgets missed:\n  {}", missed.join("\n  "));
        std::process::exit(1);
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if support::median::checking_budgets() {
        check_budget();
    }
}
