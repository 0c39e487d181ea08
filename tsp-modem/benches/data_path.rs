//! Throughput of a connected call's `comm/datamodem` stream (the modem provider driving a
//! simulated modem in memory, through the host, to the simulator's echo service) against a bare
//! `tokio::io::duplex` echo of the same bytes: what the provider, the AT engine's data mode and
//! the simulated modem cost per byte (BENCHMARKS.md; budget: at least 0.8× the bare copy).
//!
//! Both run on one current-thread runtime by default, so the figure is the work done per byte
//! and not where the scheduler happened to put two worker threads (which moves the bare duplex
//! between 37 and 90 µs per round trip on the two-vCPU machine). `TSP_BENCH_TWO_WORKERS=1` runs
//! them on two workers instead, as `tsp-modem serve` does. After criterion's report the bench
//! times both sides in turns and exits 1 when the budget is missed.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support {
    pub(crate) mod median;
}

use std::sync::Arc;
use std::time::Duration;

use support::median::median;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tsp_modem::cli::sim_world;
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::host::{App, AppEvent, DeviceSelect, Host, OpenOptions};
use tsp_sdk::spi::{CallParams, DeviceClass, DeviceIdValue};
use tsp_sdk::{CallState, Version};

/// Bytes per round: written, echoed, read back.
const ROUND: usize = 64 * 1024;
/// Bytes per write and read.
const CHUNK: usize = 4096;

/// Writes `ROUND` bytes and reads them back, concurrently.
async fn round_trip<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S, data: &[u8]) {
    let (mut reader, mut writer) = tokio::io::split(stream);
    let write = async {
        for piece in data.chunks(CHUNK) {
            writer.write_all(piece).await.unwrap();
        }
        writer.flush().await.unwrap();
    };
    let read = async {
        let mut got = 0;
        let mut buf = vec![0u8; CHUNK];
        while got < data.len() {
            let n = reader.read(&mut buf).await.unwrap();
            assert!(n > 0, "the echo ended after {got} bytes");
            got += n;
        }
    };
    tokio::join!(write, read);
}

/// A connected data call to the simulator's echo service, and what keeps it alive.
async fn connected_call() -> (
    Box<dyn tsp_sdk::spi::ByteStream>,
    (App, Host, sim_world::SimWorld),
) {
    let world = sim_world::start();
    let line = ModemLineConfig::new("bench", world.opener.clone());
    let host = Host::builder()
        .provider(Arc::new(ModemProvider::new(vec![line])))
        .start()
        .await
        .unwrap();
    let (app, mut events) = host.initialize("data path bench").await.unwrap();
    let line = app
        .open_line(0, OpenOptions::none().version(Version::V2_2))
        .await
        .unwrap();
    let placed = app
        .make_call(line, Some(sim_world::ECHO_NUMBER), CallParams::data_modem())
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(event) = events.next().await {
            if let AppEvent::CallState { call, state, .. } = event
                && call == placed.call
                && state.state() == CallState::Connected
            {
                return;
            }
        }
        panic!("the events ended before CONNECTED");
    })
    .await
    .expect("the call connects");
    let DeviceIdValue::DataStream { stream, .. } = app
        .get_id(DeviceSelect::Call(placed.call), DeviceClass::COMM_DATAMODEM)
        .await
        .unwrap()
    else {
        panic!("no data stream");
    };
    // The events are not read from here on; keep them from filling.
    tokio::spawn(async move { while events.next().await.is_some() {} });
    (stream, (app, host, world))
}

fn bench(c: &mut Criterion) {
    let runtime = if std::env::var_os("TSP_BENCH_TWO_WORKERS").is_some() {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    }
    .unwrap();
    let data: Vec<u8> = (0..ROUND).map(|i| (i % 251) as u8).collect();
    let mut group = c.benchmark_group("data_path");
    group.throughput(Throughput::Bytes(ROUND as u64));

    let (mut call, _alive) = runtime.block_on(connected_call());
    group.bench_function("modem_call_echo", |b| {
        b.iter(|| runtime.block_on(round_trip(&mut call, &data)));
    });

    let (mut ours, theirs) = tokio::io::duplex(CHUNK * 4);
    runtime.spawn(async move {
        let (mut r, mut w) = tokio::io::split(theirs);
        let _ = tokio::io::copy(&mut r, &mut w).await;
    });
    group.bench_function("duplex_echo", |b| {
        b.iter(|| runtime.block_on(round_trip(&mut ours, &data)));
    });
    group.finish();
    if support::median::checking_budgets() {
        check_budget(&runtime, &mut call, &mut ours, &data);
    }
}

/// The budget (BENCHMARKS.md): the call's stream at least 0.8× the bare duplex. Both are timed
/// here in turns, five times each (the median of 101 round trips every time), and each side's best
/// turn counts: on a two-vCPU virtual machine a turn can lose half its speed to where the
/// scheduler put the threads, and the best turn is what the code can do. Exit status 1 when
/// missed.
fn check_budget<A, B>(runtime: &tokio::runtime::Runtime, call: &mut A, duplex: &mut B, data: &[u8])
where
    A: AsyncRead + AsyncWrite + Unpin,
    B: AsyncRead + AsyncWrite + Unpin,
{
    let (mut ours, mut bare) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        ours = ours.min(median(101, || {
            runtime.block_on(round_trip(&mut *call, data))
        }));
        bare = bare.min(median(101, || {
            runtime.block_on(round_trip(&mut *duplex, data))
        }));
    }
    let mib_s = |t: Duration| data.len() as f64 / t.as_secs_f64() / f64::from(1 << 20);
    let ratio = bare.as_secs_f64() / ours.as_secs_f64();
    println!(
        "64 KiB round trip, best of five medians: modem call {ours:.1?} ({:.0} MiB/s), duplex {bare:.1?} ({:.0} MiB/s): {ratio:.2}x (budget >= 0.8x)",
        mib_s(ours),
        mib_s(bare)
    );
    if ratio < 0.8 {
        eprintln!(
            "budget missed: the modem call's stream is {ratio:.2}x the bare duplex, budget 0.8x"
        );
        std::process::exit(1);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
