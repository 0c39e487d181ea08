//! Running cases: one fresh world and runtime per case, skips named by capability, and the
//! libtest-mimic front for `cargo test`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};
use tsp_sdk::AddrCapFlags;
use tsp_sdk::spi::{AddressId, DeviceClass, DeviceId};

use crate::case::{Case, Level, Need, WorldKind};
use crate::failure::Failure;
use crate::fixture::{Clock, Fixture};
use crate::{all_cases, world};

/// What a provider offers, as far as the cases' needs go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offered {
    dial: bool,
    answer: bool,
    secure: bool,
    data_stream: bool,
    device_removal: bool,
    host_level: bool,
    monitor_digits: bool,
    generate_digits: bool,
    g3_fax: bool,
    class1_fax: bool,
    voice_audio: bool,
}

impl Offered {
    /// The first need of `case` that is not offered.
    pub fn missing(&self, case: &Case) -> Option<Need> {
        case.needs.iter().copied().find(|need| match need {
            Need::Dial => !self.dial,
            Need::Answer => !self.answer,
            Need::Secure => !self.secure,
            Need::DataStream => !self.data_stream,
            Need::DeviceRemoval => !self.device_removal,
            Need::HostLevel => !self.host_level,
            Need::MonitorDigits => !self.monitor_digits,
            Need::GenerateDigits => !self.generate_digits,
            Need::G3Fax => !self.g3_fax,
            Need::Class1Fax => !self.class1_fax,
            Need::VoiceAudio => !self.voice_audio,
        })
    }
}

/// How a case ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Every check held.
    Passed,
    /// A check failed.
    Failed(Failure),
    /// Not run: the provider or fixture lacks what the case needs.
    Skipped(String),
}

fn runtime(clock: Clock) -> Result<tokio::runtime::Runtime, Failure> {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_all();
    if clock == Clock::Paused {
        builder.start_paused(true);
    }
    builder
        .build()
        .map_err(|e| Failure::setup(format!("cannot start a tokio runtime: {e}")))
}

/// Asks the provider (in a fresh standard world) what it offers.
pub fn probe(fixture: &Arc<dyn Fixture>) -> Result<Offered, Failure> {
    let rt = runtime(fixture.clock())?;
    rt.block_on(async {
        let mut ctx = world::build(fixture, WorldKind::Standard, false).await?;
        ctx.init().await?;
        // A provider may learn what its device can do only by opening it (a modem's service
        // classes): open and close the line once before reading the caps.
        ctx.open().await?;
        ctx.close().await?;
        let info = ctx.provider.info();
        let line_caps = ctx.provider.line_caps(DeviceId(0), ctx.version).await;
        let line_caps = ctx.expect("line_caps", line_caps)?;
        let address_caps = ctx
            .provider
            .address_caps(DeviceId(0), AddressId(0), ctx.version)
            .await;
        let address_caps = ctx.expect("address_caps", address_caps)?;
        let _ = ctx.shutdown().await;
        let caps = info.capabilities;
        Ok(Offered {
            dial: caps.dial,
            answer: caps.answer,
            secure: caps.secure && address_caps.addr_cap_flags.contains(AddrCapFlags::SECURE),
            data_stream: caps.get_id
                && line_caps
                    .device_classes
                    .iter()
                    .any(|c| DeviceClass::new(c.as_str()).is(DeviceClass::COMM_DATAMODEM)),
            device_removal: fixture.can_remove_device(),
            host_level: fixture.host_level(),
            monitor_digits: caps.monitor_digits && !line_caps.monitor_digit_modes.is_empty(),
            generate_digits: caps.generate_digits && !line_caps.generate_digit_modes.is_empty(),
            g3_fax: line_caps.media_modes.contains(tsp_sdk::MediaModes::G3FAX),
            class1_fax: fixture.class1_fax(),
            voice_audio: line_caps
                .media_modes
                .contains(tsp_sdk::MediaModes::AUTOMATEDVOICE)
                && ["wave/out", "wave/in"].iter().all(|class| {
                    line_caps
                        .device_classes
                        .iter()
                        .any(|c| DeviceClass::new(c.as_str()).is(class))
                }),
        })
    })
}

/// Runs one case in a fresh world on its own runtime.
pub fn run_case(
    fixture: &Arc<dyn Fixture>,
    case: &Case,
    offered: &Offered,
    strict: bool,
) -> Outcome {
    run_case_simulated(fixture, case, offered, strict).0
}

/// [`run_case`], and how much simulated time the case's world lived through.
pub fn run_case_simulated(
    fixture: &Arc<dyn Fixture>,
    case: &Case,
    offered: &Offered,
    strict: bool,
) -> (Outcome, Duration) {
    if let Some(need) = offered.missing(case) {
        return (
            Outcome::Skipped(format!("needs {}", need.describe())),
            Duration::ZERO,
        );
    }
    let simulated = std::sync::Mutex::new(Duration::ZERO);
    let result = runtime(fixture.clock()).and_then(|rt| {
        rt.block_on(async {
            let mut ctx = world::build(fixture, case.world, strict).await?;
            let ran = (case.run)(&mut ctx).await;
            *simulated.lock().unwrap_or_else(|p| p.into_inner()) = ctx.sim.elapsed();
            // Leave nothing behind for the next case, whatever happened.
            ctx.wind_up().await;
            let violations = ctx.violations();
            fixture.detach(&ctx.sim);
            ran?;
            if violations.is_empty() {
                Ok(())
            } else {
                let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
                Err(ctx.fail(format!(
                    "the provider broke the contract:\n  {}",
                    list.join("\n  ")
                )))
            }
        })
    });
    let outcome = match result {
        Ok(()) => Outcome::Passed,
        Err(failure) if case.level == Level::Strict && !strict => {
            tracing::warn!(case = case.id, "SHOULD not met: {}", failure.message);
            Outcome::Passed
        }
        Err(failure) => Outcome::Failed(failure),
    };
    let simulated = *simulated.lock().unwrap_or_else(|p| p.into_inner());
    (outcome, simulated)
}

/// One case's result, with its wall time.
#[derive(Debug, Clone)]
pub struct CaseReport {
    /// The case.
    pub case: Case,
    /// How it ended.
    pub outcome: Outcome,
    /// Wall-clock time it took.
    pub took: Duration,
    /// Simulated time its world lived through (rings, answers, timeouts: what a real line would
    /// have taken).
    pub simulated: Duration,
}

/// Runs every case (or those `select` keeps) against one fixture, calling `progress` after each
/// as it ends; the reports come back in the cases' order. Cases run as many at a time as the
/// fixture allows ([`Fixture::concurrent_cases`]), each in its own world.
pub fn run_all(
    fixture: &Arc<dyn Fixture>,
    strict: bool,
    select: impl Fn(&Case) -> bool,
    mut progress: impl FnMut(&CaseReport),
) -> Vec<CaseReport> {
    let cases: Vec<Case> = all_cases().into_iter().filter(|c| select(c)).collect();
    let offered = match probe(fixture) {
        Ok(offered) => offered,
        Err(failure) => {
            return cases
                .into_iter()
                .map(|case| CaseReport {
                    case,
                    outcome: Outcome::Failed(failure.clone()),
                    took: Duration::ZERO,
                    simulated: Duration::ZERO,
                })
                .collect();
        }
    };
    let workers = parallelism(fixture).min(cases.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel::<(usize, CaseReport)>();
    let mut reports: Vec<Option<CaseReport>> = Vec::new();
    reports.resize_with(cases.len(), || None);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (cases, next, offered) = (&cases, &next, &offered);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(case) = cases.get(i) else { break };
                    let started = Instant::now();
                    let (outcome, simulated) = run_case_simulated(fixture, case, offered, strict);
                    let report = CaseReport {
                        case: *case,
                        outcome,
                        took: started.elapsed(),
                        simulated,
                    };
                    if tx.send((i, report)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, report) in rx {
            progress(&report);
            if let Some(slot) = reports.get_mut(i) {
                *slot = Some(report);
            }
        }
    });
    reports.into_iter().flatten().collect()
}

/// How many cases run at once: the fixture's say ([`Fixture::concurrent_cases`]), or
/// `TSP_CONFORMANCE_JOBS` for a real-time fixture that allows more than one.
fn parallelism(fixture: &Arc<dyn Fixture>) -> usize {
    let own = fixture.concurrent_cases().max(1);
    if own == 1 || fixture.clock() == Clock::Paused {
        return own;
    }
    std::env::var("TSP_CONFORMANCE_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(own)
}

/// The libtest-mimic trials for a fixture: one per case, named `target::id`.
pub fn trials(fixture: Arc<dyn Fixture>, strict: bool) -> Vec<Trial> {
    let offered = probe(&fixture);
    all_cases()
        .into_iter()
        .map(|case| {
            let fixture = fixture.clone();
            let offered = offered.clone();
            let name = format!("{}::{}", fixture.name(), case.id);
            let kind = if case.level == Level::Strict {
                "should"
            } else {
                "must"
            };
            Trial::ignorable_test(name, move || {
                let offered = offered.map_err(|f| Failed::from(f.to_string()))?;
                match run_case(&fixture, &case, &offered, strict) {
                    Outcome::Passed => Ok(Completion::Completed),
                    Outcome::Skipped(reason) => Ok(Completion::ignored_with(reason)),
                    Outcome::Failed(failure) => Err(Failed::from(failure.to_string())),
                }
            })
            .with_kind(kind)
        })
        .collect()
}

/// The `main` of a `harness = false` test target: runs the whole suite against `fixtures` with
/// libtest's command line (`--list`, a filter by id or prefix, `--exact`, `--ignored`), plus
/// `--strict` to make SHOULD-level checks fail. Exits with the result.
pub fn run_tests(fixtures: Vec<Arc<dyn Fixture>>) -> ! {
    let mut strict = std::env::var_os("TSP_CONFORMANCE_STRICT").is_some();
    let args: Vec<String> = std::env::args()
        .filter(|a| {
            let is_strict = a == "--strict";
            strict |= is_strict;
            !is_strict
        })
        .collect();
    let args = Arguments::from_iter(args);
    let trials = fixtures
        .into_iter()
        .flat_map(|f| trials(f, strict))
        .collect();
    libtest_mimic::run(&args, trials).exit()
}
