//! The host under load: 1,000 `SimProvider` lines in one host, 10,000 full call lifecycles
//! (place, offer, answer, connect, drop, idle, deallocate at both ends) under 600 applications,
//! in process and through the server's socket; and the memory an idle open line costs.
//!
//! Run: `cargo bench -p tsp-sim --bench host_load`. Criterion measures the lifecycles (each
//! sample is a whole run of 10,000, reported as lifecycles per second); then the bench prints the
//! event latency from a provider's callback to the application that reads it (p50, p99, over
//! every event of every sample) and the memory per idle open line, and checks the budgets (exit
//! status 1 when one is missed):
//!
//! | figure | budget |
//! |---|---|
//! | event latency p99, in process | < 100 µs |
//! | event latency p99, through the socket | < 1 ms |
//! | memory per idle open line (peak RSS of a process with 1,000 open lines / 1,000) | < 16 KiB |
//!
//! The memory figure comes from child processes (this bench binary started again with
//! `TSP_LOAD_MEMORY_LINES=N`): one that opens all 1,000 lines and one that builds the same host
//! and opens none, so both the whole process's peak RSS per line and the marginal cost of an
//! open line are shown.
//!
//! Simulated time runs paused (rings and carriers cost no wall time): what is measured is the
//! host's own work. `TSP_LOAD_LIFECYCLES` changes the number of lifecycles (default 10,000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use tsp_sdk::host::{AppEvent, Events, Host, LatencyStats, LineApp, OpenOptions};
use tsp_sdk::rpc::{Allow, Client, Server};
use tsp_sdk::spi::CallParams;
use tsp_sdk::{CallState, MediaModes};
use tsp_sim::exchange::LineConfig;
use tsp_sim::network::Network;
use tsp_sim::provider::{LineOptions, SimProvider};
use tsp_sim::sim::Sim;

const LINES: u32 = 1_000;
const PAIRS: u32 = LINES / 2;
const ANSWERER_APPS: u32 = 100;

fn number(i: u32) -> String {
    format!("{}", 5_550_000 + i)
}

fn provider(lines: u32) -> SimProvider {
    let mut network = Network::builder().seed(7).build(std::time::Instant::now());
    let ids: Vec<_> = (0..lines)
        .map(|i| network.add_line(LineConfig::new(number(i))))
        .collect();
    let sim = Sim::start(network);
    let mut provider = SimProvider::new(sim);
    for (i, id) in ids.into_iter().enumerate() {
        provider = provider
            .with_line(id, LineOptions::new(number(i as u32)))
            .unwrap();
    }
    provider
}

/// One caller line: `rounds` lifecycles to its partner, each after a random pause (up to two
/// minutes of simulated time, free on paused time): calls arrive spread over time, as they do,
/// instead of all at the same simulated instant.
async fn caller<A: LineApp>(
    app: A,
    mut events: Events,
    device: u32,
    partner: u32,
    rounds: u32,
) -> u32 {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(u64::from(device));
    let line = app.open_line(device, OpenOptions::none()).await.unwrap();
    let mut done = 0;
    for _ in 0..rounds {
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..120_000))).await;
        let placed = app
            .make_call(line, Some(&number(partner)), CallParams::data_modem())
            .await
            .unwrap();
        let mut connected = false;
        while let Some(event) = events.next().await {
            match event {
                AppEvent::CallState { call, state, .. } if call == placed.call => {
                    match state.state() {
                        CallState::Connected => {
                            connected = true;
                            app.drop_call(call).await.unwrap();
                        }
                        CallState::Disconnected if !connected => {
                            app.drop_call(call).await.unwrap();
                        }
                        CallState::Idle => break,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        app.deallocate_call(placed.call).await.unwrap();
        if connected {
            done += 1;
        }
    }
    app.shutdown().await.unwrap();
    done
}

/// An answering application for several lines: answers what is offered, hangs up when the far
/// end does, gives the handle back at IDLE.
async fn answerer<A: LineApp>(app: A, mut events: Events, devices: Vec<u32>) {
    for device in devices {
        app.open_line(device, OpenOptions::owner(MediaModes::DATAMODEM))
            .await
            .unwrap();
    }
    while let Some(event) = events.next().await {
        if let AppEvent::CallState { call, state, .. } = event {
            match state.state() {
                CallState::Offering => {
                    let _ = app.answer(call).await;
                }
                CallState::Disconnected => {
                    let _ = app.drop_call(call).await;
                }
                CallState::Idle => {
                    let _ = app.deallocate_call(call).await;
                }
                _ => {}
            }
        }
    }
}

trait Start: Clone + Send + Sync + 'static {
    type App: LineApp + Clone + 'static;
    fn start(&self, name: String) -> impl std::future::Future<Output = (Self::App, Events)> + Send;
}

#[derive(Clone)]
struct Local(Host);
impl Start for Local {
    type App = tsp_sdk::host::App;
    async fn start(&self, name: String) -> (Self::App, Events) {
        self.0.initialize(&name).await.unwrap()
    }
}

#[derive(Clone)]
struct Remote(Client);
impl Start for Remote {
    type App = tsp_sdk::rpc::RemoteApp;
    async fn start(&self, name: String) -> (Self::App, Events) {
        self.0.initialize(&name).await.unwrap()
    }
}

/// Runs `lifecycles` lifecycles (rounded up to a whole number per caller line) over the pairs;
/// returns how many ran and the wall time. Every one must reach CONNECTED: a lifecycle that does
/// not is a failure of the host or the simulator, not a slower run.
async fn run<S: Start>(starter: S, lifecycles: u32) -> (u32, Duration) {
    let per_line = lifecycles.div_ceil(PAIRS);
    let per_answerer = PAIRS / ANSWERER_APPS;
    let mut answerers = Vec::new();
    for a in 0..ANSWERER_APPS {
        let (app, events) = starter.start(format!("answerer {a}")).await;
        let devices: Vec<u32> = (0..per_answerer)
            .map(|k| PAIRS + a * per_answerer + k)
            .collect();
        answerers.push((app.clone(), tokio::spawn(answerer(app, events, devices))));
    }
    let started = Instant::now();
    let mut callers = Vec::new();
    for i in 0..PAIRS {
        let (app, events) = starter.start(format!("caller {i}")).await;
        callers.push(tokio::spawn(caller(app, events, i, PAIRS + i, per_line)));
    }
    let mut completed = 0;
    for c in callers {
        completed += c.await.unwrap();
    }
    let took = started.elapsed();
    for (app, task) in answerers {
        app.shutdown().await.unwrap();
        let _ = task.await;
    }
    assert_eq!(
        completed,
        per_line * PAIRS,
        "every lifecycle connects: {completed} of {} did",
        per_line * PAIRS
    );
    (completed, took)
}

/// Reads a process's peak resident set (VmHWM) from its `/proc/…/status`, in KiB.
fn vm_hwm_kib(status: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child process's whole job (`TSP_LOAD_MEMORY_LINES=N`): a host over 1,000 simulated lines,
/// `N` of them opened by an application, then the peak RSS on stdout.
fn memory_child(open: u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    runtime.block_on(async {
        let host = Host::builder()
            .provider(Arc::new(provider(LINES)))
            .start()
            .await
            .unwrap();
        let (idle, _events) = host.initialize("idle opener").await.unwrap();
        for device in 0..open {
            idle.open_line(device, OpenOptions::owner(MediaModes::DATAMODEM))
                .await
                .unwrap();
        }
        assert_eq!(
            host.snapshot().lines.iter().filter(|l| l.open).count(),
            open as usize
        );
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        println!("{}", vm_hwm_kib(&status));
    });
}

/// Runs this binary again as a memory child; its peak RSS in KiB.
fn child_peak_rss(open: u32) -> u64 {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .env("TSP_LOAD_MEMORY_LINES", open.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "memory child failed: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// A host over 1,000 lines, measuring event latency, on a paused-time runtime.
fn loaded_host(runtime: &tokio::runtime::Runtime) -> Host {
    runtime.block_on(async {
        Host::builder()
            .provider(Arc::new(provider(LINES)))
            .measure_event_latency(true)
            .start()
            .await
            .unwrap()
    })
}

fn paused_runtime() -> tokio::runtime::Runtime {
    // Paused time: the simulated exchange's rings and carriers cost no wall time, so the run
    // measures the host (one thread: every figure is the host's own work, nothing hidden in
    // parallelism).
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap()
}

fn main() {
    if let Some(open) = std::env::var("TSP_LOAD_MEMORY_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        memory_child(open);
        return;
    }
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let benching = std::env::args().any(|a| a == "--bench");
    let lifecycles: u32 = std::env::var("TSP_LOAD_LIFECYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 500 });
    let mut criterion = Criterion::default().sample_size(10).configure_from_args();
    let mut group = criterion.benchmark_group("host_load");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .throughput(Throughput::Elements(u64::from(lifecycles)));

    let runtime = paused_runtime();
    let host = loaded_host(&runtime);
    // Ten whole runs per figure (a run takes about 0.5 s in process, 2.5 s through the socket).
    group.measurement_time(Duration::from_secs(6));
    group.bench_function("lifecycles/in_process", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| runtime.block_on(run(Local(host.clone()), lifecycles)).1)
                .sum()
        });
    });
    let local_latency = host.event_latency();

    host.reset_event_latency();
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("tsp.sock");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (client, served) = runtime.block_on(async {
        let listener = tsp_sdk::rpc::socket::bind(&socket).await.unwrap();
        let server = Server::new(host.clone()).allow(Allow::current_user());
        let served = tokio::spawn(async move {
            let _ = server
                .serve_on(listener, async {
                    let _ = stopped.await;
                })
                .await;
        });
        let client = Client::connect(&socket)
            .await
            .unwrap()
            .measuring_event_latency();
        (client, served)
    });
    group.measurement_time(Duration::from_secs(30));
    group.bench_function("lifecycles/socket", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| runtime.block_on(run(Remote(client.clone()), lifecycles)).1)
                .sum()
        });
    });
    group.finish();
    let socket_latency = client.event_latency();
    runtime.block_on(async {
        let _ = stop.send(());
        let _ = served.await;
        host.stop().await;
    });

    let with_lines = child_peak_rss(LINES);
    let without = child_peak_rss(0);
    let per_line = with_lines * 1024 / u64::from(LINES);
    let marginal = with_lines.saturating_sub(without) * 1024 / u64::from(LINES);

    let mut missed = Vec::new();
    let mut latency = |what: &str, stats: Option<LatencyStats>, budget: Duration| {
        let line = stats.map_or_else(|| "not measured".into(), |l| l.to_string());
        println!(
            "event latency, {what:<18} {line} (p99 budget < {} µs)",
            budget.as_micros()
        );
        match stats {
            Some(l) if l.p99 >= budget => missed.push(format!(
                "event latency p99 {what} {} µs >= {} µs",
                l.p99.as_micros(),
                budget.as_micros()
            )),
            None => missed.push(format!("event latency {what} not measured")),
            Some(_) => {}
        }
    };
    latency("in process", local_latency, Duration::from_micros(100));
    latency(
        "through the socket",
        socket_latency,
        Duration::from_millis(1),
    );
    println!(
        "memory per idle open line    {per_line} bytes (peak RSS {with_lines} KiB with {LINES} open lines; \
         {marginal} bytes each above the same host with none open, {without} KiB; budget < 16384)"
    );
    if per_line >= 16 * 1024 {
        missed.push(format!(
            "memory per idle open line {per_line} bytes >= 16 KiB"
        ));
    }
    criterion.final_summary();
    if benching && !missed.is_empty() {
        eprintln!("budgets missed:\n  {}", missed.join("\n  "));
        std::process::exit(1);
    }
}
