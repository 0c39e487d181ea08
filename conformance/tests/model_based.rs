//! A seeded, model-based random run: random operations on a line and its calls (open, close,
//! make_call with good and bad destinations, drop_call, close_call, time passing) against
//! `ModemProvider` on the simulated modem and against `SimProvider`, with the far end a random
//! kind of party per episode. After every step the sink's invariants (TAPI's rules, checked by
//! the session: one completion per request, nothing after IDLE or close_call, legal states) and a
//! reference model (which handles exist, which calls were dropped and must reach IDLE, which
//! requests must complete) are checked.
//!
//! `TSP_MODEL_SEED=<n>` replays a run, `TSP_MODEL_STEPS=<n>` sets its length (default 100,000;
//! the seed is printed at the start and in every failure).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tsp_conformance::tsp_sim::far_end::ScriptedParty;
use tsp_conformance::tsp_sim::line::{Carrier, CarrierKind, CarrierRole};
use tsp_conformance::{Ctx, FAR_NUMBER, Fixture, Seen, WorldKind, start_world, targets};
use tsp_sdk::spi::{CallHandle, CallParams, CallStateChange};
use tsp_sdk::{CallState, LineErr};

/// SplitMix64: small, seeded, the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// What the model knows of one call handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    /// make_call accepted; its completion not seen yet.
    Placing,
    /// Live (placed, not IDLE).
    Live,
    /// IDLE seen: only close_call is left.
    Idle,
}

/// What a run did, printed at its end (a run that never connects a call tests little).
#[derive(Debug, Default)]
struct Stats {
    placed: u64,
    refused: u64,
    connected: u64,
    dropped: u64,
    closed_calls: u64,
    reopened: u64,
    passed: u64,
}

struct Model {
    open: bool,
    calls: BTreeMap<CallHandle, Known>,
    /// make_call requests not yet completed, by call.
    placing: BTreeMap<CallHandle, tsp_sdk::spi::RequestId>,
}

const DATA: Carrier = Carrier {
    role: CarrierRole::Answer,
    kind: CarrierKind::Data,
    max_rate: 33_600,
};

fn far_party(kind: u64) -> impl FnOnce(Instant) -> ScriptedParty {
    move |start| match kind {
        0 => ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(DATA)
            .echo()
            .build(start),
        1 => ScriptedParty::builder().busy().build(start),
        2 => ScriptedParty::builder().never_answer().build(start),
        _ => ScriptedParty::builder()
            .answer_after_rings(1)
            .carrier(DATA)
            .hang_up_after(Duration::from_secs(3))
            .build(start),
    }
}

/// Fails with the replay line.
macro_rules! ensure {
    ($cond:expr, $seed:expr, $step:expr, $log:expr, $($msg:tt)+) => {
        if !$cond {
            panic!(
                "model-based run failed at step {} (replay: TSP_MODEL_SEED={}): {}\nlast steps:\n{}",
                $step,
                $seed,
                format!($($msg)+),
                $log.join("\n")
            );
        }
    };
}

/// The last state the session delivered for `call`.
fn last_state(ctx: &Ctx, call: CallHandle) -> Option<CallStateChange> {
    ctx.states(call).last().copied()
}

async fn episode(
    fixture: &Arc<dyn Fixture>,
    rng: &mut Rng,
    steps: u64,
    seed: u64,
    done: &mut u64,
    stats: &mut Stats,
) {
    let mut ctx = start_world(fixture, WorldKind::Standard).await.unwrap();
    ctx.far(far_party(rng.below(4))).unwrap();
    ctx.open().await.unwrap();
    let mut model = Model {
        open: true,
        calls: BTreeMap::new(),
        placing: BTreeMap::new(),
    };
    let mut log: Vec<String> = Vec::new();
    for _ in 0..steps {
        *done += 1;
        let step = *done;
        let roll = rng.below(100);
        let live: Vec<CallHandle> = model
            .calls
            .iter()
            .filter(|(_, k)| matches!(k, Known::Live | Known::Placing))
            .map(|(c, _)| *c)
            .collect();
        let idle: Vec<CallHandle> = model
            .calls
            .iter()
            .filter(|(_, k)| **k == Known::Idle)
            .map(|(c, _)| *c)
            .collect();
        match roll {
            // make_call: to the far end, with a bad character, or with a modifier.
            0..=24 if model.open => {
                let dest = match rng.below(4) {
                    0 | 1 => format!("T{FAR_NUMBER}"),
                    2 => format!("T555x{}", rng.below(10)),
                    _ => format!("T{FAR_NUMBER}"),
                };
                let made = ctx.make_call(Some(&dest), CallParams::data_modem()).await;
                log.push(format!(
                    "{step}: make_call({dest}) -> {:?}",
                    made.as_ref().map(|p| p.call)
                ));
                match made {
                    Ok(pending) => {
                        stats.placed += 1;
                        model.calls.insert(pending.call, Known::Placing);
                        model.placing.insert(pending.call, pending.request);
                    }
                    Err(e) => {
                        stats.refused += 1;
                        // The model's prediction: a bad character is INVALADDRESS; a good
                        // destination is refused only while another call holds the line's one
                        // call appearance (the tested providers count an IDLE call until its
                        // close_call, as Unimodem does), with CALLUNAVAIL.
                        let busy_line = !model.calls.is_empty();
                        let no_appearance = busy_line
                            && matches!(e.kind(), LineErr::CallUnavail | LineErr::ResourceUnavail);
                        let ok = if dest.contains('x') {
                            e.kind() == LineErr::InvalAddress || no_appearance
                        } else {
                            no_appearance
                        };
                        ensure!(
                            ok,
                            seed,
                            step,
                            log,
                            "make_call({dest}) refused unexpectedly: {e}"
                        );
                    }
                }
            }
            // drop_call on a live call: it must complete and reach IDLE.
            25..=44 if !live.is_empty() => {
                let call = live[rng.below(live.len() as u64) as usize];
                let dropped = ctx.drop_call(call).await;
                log.push(format!("{step}: drop_call({call}) -> {}", dropped.is_ok()));
                if let Ok(request) = dropped {
                    let done = ctx.completion(request).await.unwrap();
                    ensure!(
                        done.is_ok(),
                        seed,
                        step,
                        log,
                        "drop_call({call}) completed {done:?}"
                    );
                    stats.dropped += 1;
                    if ctx
                        .states(call)
                        .iter()
                        .any(|s| s.state() == CallState::Connected)
                    {
                        stats.connected += 1;
                    }
                    let reached = ctx.state(call, CallState::Idle).await;
                    ensure!(
                        reached.is_ok(),
                        seed,
                        step,
                        log,
                        "{call} never reached IDLE after drop"
                    );
                    model.calls.insert(call, Known::Idle);
                    model.placing.remove(&call);
                }
            }
            // close_call on an IDLE call: the handle goes.
            45..=59 if !idle.is_empty() => {
                let call = idle[rng.below(idle.len() as u64) as usize];
                log.push(format!("{step}: close_call({call})"));
                ctx.close_call(call).await.unwrap();
                stats.closed_calls += 1;
                model.calls.remove(&call);
            }
            // close the line (every call goes) and open it again.
            60..=63 if model.open => {
                log.push(format!("{step}: close and reopen"));
                stats.reopened += 1;
                ctx.close().await.unwrap();
                // Every call of the line goes with it; the sink flags anything they report later.
                model.calls.clear();
                model.placing.clear();
                ctx.open_line(tsp_sdk::MediaModes::DATAMODEM).await.unwrap();
            }
            // time passes.
            _ => {
                let span = Duration::from_millis(rng.below(20_000));
                log.push(format!("{step}: pass {span:?}"));
                stats.passed += 1;
                ctx.pass(span).await;
            }
        }
        // The reference model against what the session saw.
        ctx.drain();
        for (call, request) in model.placing.clone() {
            if ctx
                .seen()
                .iter()
                .any(|(_, s)| matches!(s, Seen::Completed(r, _) if *r == request))
            {
                model.placing.remove(&call);
                if model.calls.get(&call) == Some(&Known::Placing) {
                    model.calls.insert(call, Known::Live);
                }
            }
        }
        for (call, known) in model.calls.clone() {
            if let Some(CallStateChange::Idle) = last_state(&ctx, call) {
                model.calls.insert(call, Known::Idle);
            } else {
                ensure!(
                    known != Known::Idle,
                    seed,
                    step,
                    log,
                    "{call} left IDLE: {:?}",
                    ctx.states(call)
                );
            }
        }
        let violations = ctx.violations();
        ensure!(
            violations.is_empty(),
            seed,
            step,
            log,
            "sink violations: {violations:?}"
        );
        if log.len() > 30 {
            log.drain(..log.len() - 30);
        }
    }
    ctx.end().await.unwrap_or_else(|f| {
        panic!(
            "ending the episode (replay: TSP_MODEL_SEED={seed}): {}",
            f.message
        )
    });
}

async fn run(target: &str) {
    let Some(fixture) = targets::by_name(target) else {
        eprintln!("{target}: not built (the builtin-targets feature is off)");
        return;
    };
    let seed = std::env::var("TSP_MODEL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let total: u64 = std::env::var("TSP_MODEL_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    eprintln!("{target}: {total} steps, seed {seed} (replay: TSP_MODEL_SEED={seed})");
    let mut rng = Rng(seed);
    let started = Instant::now();
    let mut done = 0;
    let mut stats = Stats::default();
    let mut episodes = 0;
    while done < total {
        let steps = (20 + rng.below(60)).min(total - done);
        episode(&fixture, &mut rng, steps, seed, &mut done, &mut stats).await;
        episodes += 1;
    }
    eprintln!(
        "{target}: {done} steps in {episodes} worlds, {:.1} s of wall time: {stats:?}",
        started.elapsed().as_secs_f64()
    );
    assert!(
        total < 1000 || (stats.connected > 0 && stats.dropped > 0 && stats.closed_calls > 0),
        "the run exercised too little: {stats:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn random_operations_on_the_modem_provider_keep_tapi_s_rules_and_the_model() {
    run("modem-sim").await;
}

#[tokio::test(start_paused = true)]
async fn random_operations_on_the_sim_provider_keep_tapi_s_rules_and_the_model() {
    run("sim").await;
}
