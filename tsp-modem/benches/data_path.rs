//! Throughput of a connected call's `comm/datamodem` stream (the modem provider driving a
//! simulated modem in memory, through the host, to the simulator's echo service) against a bare
//! `tokio::io::duplex` echo of the same bytes: what the provider, the AT engine's data mode and
//! the simulated modem cost per byte (BENCHMARKS.md; budget: at least 0.8× the bare copy).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
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
}

criterion_group!(benches, bench);
criterion_main!(benches);
