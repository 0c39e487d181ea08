//! Per-request latency of the host, in process and through the server's socket, on the loopback
//! provider (whose requests complete at once, so what is measured is the host and the transport):
//!
//! - `line_status`: a synchronous request, answered by the provider;
//! - `call_cycle`: `make_call` to a number that does not exist, its reply, the call's states to
//!   DISCONNECTED, `drop_call`, its reply, IDLE, `deallocate_call` — one whole call.
//!
//! Run: `cargo bench -p tsp-sdk --bench requests`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use tsp_sdk::CallState;
use tsp_sdk::host::{AppEvent, Events, Host, Line, LineApp, OpenOptions};
use tsp_sdk::loopback::Loopback;
use tsp_sdk::rpc::{Allow, Client, Server};

async fn call_cycle<A: LineApp>(app: &A, events: &mut Events, line: Line) {
    let placed = app
        .make_call(line, Some("199"), Default::default())
        .await
        .unwrap();
    while let Some(event) = events.next().await {
        match event {
            AppEvent::CallState { call, state, .. } if call == placed.call => match state.state() {
                CallState::Disconnected => {
                    app.drop_call(call).await.unwrap();
                }
                CallState::Idle => break,
                _ => {}
            },
            _ => {}
        }
    }
    // The replies that came meanwhile.
    while events.try_next().is_some() {}
    app.deallocate_call(placed.call).await.unwrap();
}

fn benches(c: &mut Criterion) {
    // One thread: the host's and the transport's own work.
    let one = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    on(c, "request/one_thread", &one);
    // Two workers, as `tsp-modem serve` runs: adds the cost of handing work between threads.
    let two = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    on(c, "request/two_threads", &two);
}

fn on(c: &mut Criterion, name: &str, rt: &tokio::runtime::Runtime) {
    let (host, local, remote, _dir) = rt.block_on(async {
        let host = Host::builder()
            .provider(Arc::new(Loopback::new(2)))
            .start()
            .await
            .unwrap();
        let local = host.initialize("in process").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tsp.sock");
        let listener = tsp_sdk::rpc::socket::bind(&socket).await.unwrap();
        let server = Server::new(host.clone()).allow(Allow::current_user());
        tokio::spawn(async move {
            let _ = server.serve_on(listener, std::future::pending()).await;
        });
        let client = Client::connect(&socket).await.unwrap();
        let remote = client.initialize("through the socket").await.unwrap();
        (host, local, remote, dir)
    });
    let (app, events) = local;
    let (rapp, revents) = remote;
    let line = rt.block_on(app.open_line(0, OpenOptions::none())).unwrap();
    let rline = rt.block_on(rapp.open_line(1, OpenOptions::none())).unwrap();
    let mut group = c.benchmark_group(name);
    group.bench_function("line_status/in_process", |b| {
        b.to_async(rt)
            .iter(|| async { app.line_status(line).await.unwrap() });
    });
    group.bench_function("line_status/socket", |b| {
        b.to_async(rt)
            .iter(|| async { rapp.line_status(rline).await.unwrap() });
    });
    let events = tokio::sync::Mutex::new(events);
    group.bench_function("call_cycle/in_process", |b| {
        b.to_async(rt).iter(|| async {
            let mut events = events.lock().await;
            call_cycle(&app, &mut events, line).await;
        });
    });
    let revents = tokio::sync::Mutex::new(revents);
    group.bench_function("call_cycle/socket", |b| {
        b.to_async(rt).iter(|| async {
            let mut events = revents.lock().await;
            call_cycle(&rapp, &mut events, rline).await;
        });
    });
    group.finish();
    rt.block_on(host.stop());
}

criterion_group!(host_requests, benches);
criterion_main!(host_requests);
