//! The host under load: 1,000 `SimProvider` lines in one host, 10,000 full call lifecycles
//! (place, offer, answer, connect, drop, idle, deallocate at both ends) under 600 applications,
//! in process and through the server's socket; and the memory an idle open line costs.
//!
//! Run: `cargo bench -p tsp-sim --bench host_load`. It prints lifecycles per second and the event
//! latency from a provider's callback to the application that reads it (p50, p99), and checks
//! the budgets (exit status 1 when one is missed):
//!
//! | figure | budget |
//! |---|---|
//! | event latency p99, in process | < 100 µs |
//! | event latency p99, through the socket | < 1 ms |
//! | memory per idle open line (peak RSS / lines) | < 16 KiB |
//!
//! Simulated time runs paused (rings and carriers cost no wall time): what is measured is the
//! host's own work. `TSP_LOAD_LIFECYCLES` changes the number of lifecycles (default 10,000).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tsp_sdk::host::{AppEvent, Events, Host, LineApp, OpenOptions};
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

fn provider() -> SimProvider {
    let mut network = Network::builder().seed(7).build(std::time::Instant::now());
    let ids: Vec<_> = (0..LINES)
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

/// Reads the process's peak resident set (VmHWM), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
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

/// Runs `lifecycles` lifecycles over the pairs; returns (completed, wall time).
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
    (completed, took)
}

fn report(
    what: &str,
    completed: u32,
    took: Duration,
    latency: Option<tsp_sdk::host::LatencyStats>,
) {
    println!(
        "{what:<28} {completed:>6} lifecycles in {:>6.2} s = {:>7.0} lifecycles/s; event latency {}",
        took.as_secs_f64(),
        f64::from(completed) / took.as_secs_f64(),
        latency.map_or_else(|| "not measured".into(), |l| l.to_string())
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run small then.
    let benching = std::env::args().any(|a| a == "--bench");
    let lifecycles: u32 = std::env::var("TSP_LOAD_LIFECYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if benching { 10_000 } else { 500 });
    // Paused time: the simulated exchange's rings and carriers cost no wall time, so the run
    // measures the host (one thread: every figure is the host's own work, nothing hidden in
    // parallelism).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .unwrap();
    let mut missed = Vec::new();
    runtime.block_on(async {
        // Memory per idle open line: one process, the host with its 1,000 lines, then each
        // opened by an application.
        let host = Host::builder()
            .provider(Arc::new(provider()))
            .measure_event_latency(true)
            .start()
            .await
            .unwrap();
        let before = peak_rss_kib();
        let (idle, _idle_events) = host.initialize("idle opener").await.unwrap();
        for device in 0..LINES {
            idle.open_line(device, OpenOptions::owner(MediaModes::DATAMODEM))
                .await
                .unwrap();
        }
        let after = peak_rss_kib();
        let per_line = (after.saturating_sub(before) * 1024) / u64::from(LINES);
        println!(
            "memory per idle open line    {per_line} bytes ({LINES} lines: peak RSS {before} KiB before opening, {after} KiB after; budget 16384)"
        );
        if per_line >= 16 * 1024 {
            missed.push(format!("memory per idle open line {per_line} bytes >= 16 KiB"));
        }
        idle.shutdown().await.unwrap();

        host.reset_event_latency();
        let (completed, took) = run(Local(host.clone()), lifecycles).await;
        let latency = host.event_latency();
        report("in process", completed, took, latency);
        if let Some(l) = latency
            && l.p99 >= Duration::from_micros(100) {
                missed.push(format!("in-process event latency p99 {} µs >= 100 µs", l.p99.as_micros()));
            }

        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("tsp.sock");
        let listener = tsp_sdk::rpc::socket::bind(&socket).await.unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = Server::new(host.clone()).allow(Allow::current_user());
        let served = tokio::spawn(async move {
            let _ = server
                .serve_on(listener, async {
                    let _ = stopped.await;
                })
                .await;
        });
        let client = Client::connect(&socket).await.unwrap().measuring_event_latency();
        let (completed, took) = run(Remote(client.clone()), lifecycles).await;
        let latency = client.event_latency();
        report("through the socket", completed, took, latency);
        if let Some(l) = latency
            && l.p99 >= Duration::from_millis(1) {
                missed.push(format!("socket event latency p99 {} µs >= 1000 µs", l.p99.as_micros()));
            }
        let _ = stop.send(());
        let _ = served.await;
        host.stop().await;
    });
    if benching && !missed.is_empty() {
        eprintln!("budgets missed:\n  {}", missed.join("\n  "));
        std::process::exit(1);
    }
}
