//! `tsp-conformance`: runs the conformance suite against the built-in targets (or a real modem).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use tsp_conformance::runner::{self, Outcome};
use tsp_conformance::{Case, Fixture, Level, all_cases, report, targets};

/// Checks telephony providers against TAPI's contract on a simulated telephone network.
///
/// Every case builds a fresh simulated exchange, attaches the provider under test, plays the far
/// end, and checks what the provider reports through the tsp-sdk contract. In-memory targets run
/// on paused time: minutes of ringing cost microseconds.
///
/// Examples:
///
///   tsp-conformance                          all built-in targets, summary table
///
///   tsp-conformance --target sim secure/     the secure-call cases against the sim provider
///
///   tsp-conformance --list                   every case id with its requirement
///
///   tsp-conformance --junit report.xml       also write JUnit XML for CI
///
///   tsp-conformance --device /dev/ttyACM0    a real modem: the cases that need no second line
#[derive(Debug, Parser)]
#[command(version, verbatim_doc_comment)]
struct Cli {
    /// Targets to run (repeatable). Default: every built-in target.
    #[arg(long = "target", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(targets::NAMES))]
    targets: Vec<String>,

    /// Only cases whose id starts with one of these (`secure/`, `make_call/data_call_connects/1`).
    #[arg(value_name = "FILTER")]
    filters: Vec<String>,

    /// List the cases (id, level, requirement, source) and exit.
    #[arg(long)]
    list: bool,

    /// Make SHOULD-level checks fail the run too.
    #[arg(long)]
    strict: bool,

    /// A real modem's serial port: runs the hardware profile (the cases that need no second line:
    /// identification and init, version and device ids, dial-string checks, close and reopen)
    /// against it instead of the built-in targets.
    #[arg(long, value_name = "PATH")]
    device: Option<PathBuf>,

    /// The real modem's serial speed.
    #[arg(long, default_value_t = 115_200, requires = "device")]
    baud: u32,

    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// More logging (-v: the providers' warnings, -vv: info, -vvv: debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

fn selected(filters: &[String], hardware: bool, case: &Case) -> bool {
    let by_filter = filters.is_empty() || filters.iter().any(|f| case.id.starts_with(f.as_str()));
    by_filter && (!hardware || targets::HARDWARE_CASES.contains(&case.id))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The cases provoke failures on purpose (a device unplugged, a modem that will not escape):
    // by default only the suite speaks (SHOULD-level misses); -v adds the providers' own logs.
    let level = match cli.verbose {
        0 => "tsp_conformance=warn",
        1 => "warn,tsp_conformance=info",
        2 => "info",
        _ => "debug",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| level.into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    if cli.list {
        for case in all_cases()
            .iter()
            .filter(|c| selected(&cli.filters, cli.device.is_some(), c))
        {
            let level = if case.level == Level::Required {
                "MUST"
            } else {
                "SHOULD"
            };
            println!(
                "{:<58} {level:<6} {}\n{:<58}        ({})",
                case.id, case.requirement, "", case.source
            );
        }
        return ExitCode::SUCCESS;
    }

    let names: Vec<String> = if cli.targets.is_empty() {
        targets::NAMES.iter().map(|s| s.to_string()).collect()
    } else {
        cli.targets.clone()
    };
    let fixtures: Vec<Arc<dyn Fixture>> = match &cli.device {
        Some(path) => vec![Arc::new(targets::HardwareTarget::new(
            path.clone(),
            cli.baud,
        ))],
        None => names.iter().filter_map(|n| targets::by_name(n)).collect(),
    };
    let count = all_cases()
        .iter()
        .filter(|c| selected(&cli.filters, cli.device.is_some(), c))
        .count()
        * fixtures.len();
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(count as u64)
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }

    let mut results = Vec::new();
    let mut failed = false;
    for fixture in &fixtures {
        let started = Instant::now();
        let reports = runner::run_all(
            fixture,
            cli.strict,
            |c| selected(&cli.filters, cli.device.is_some(), c),
            |r| {
                bar.set_message(format!("{}::{}", fixture.name(), r.case.id));
                bar.inc(1);
                if let Outcome::Failed(failure) = &r.outcome {
                    bar.suspend(|| {
                        eprintln!("FAILED {}::{}\n{failure}", fixture.name(), r.case.id)
                    });
                }
            },
        );
        failed |= reports.iter().any(|r| {
            matches!(r.outcome, Outcome::Failed(_))
                && (cli.strict || r.case.level == Level::Required)
        });
        results.push((fixture.name().to_owned(), reports, started.elapsed()));
    }
    bar.finish_and_clear();

    print!("{}", report::summary(&results));
    for (target, reports, _) in &results {
        // One line per case, or one per reason when many cases share it.
        let mut by_reason: Vec<(&str, Vec<&str>)> = Vec::new();
        for r in reports {
            if let Outcome::Skipped(reason) = &r.outcome {
                match by_reason
                    .iter_mut()
                    .find(|(why, _)| *why == reason.as_str())
                {
                    Some((_, ids)) => ids.push(r.case.id),
                    None => by_reason.push((reason.as_str(), vec![r.case.id])),
                }
            }
        }
        for (reason, ids) in by_reason {
            if ids.len() > 3 {
                println!(
                    "skipped {} {target} cases ({}, …): {reason}",
                    ids.len(),
                    ids[0]
                );
            } else {
                for id in ids {
                    println!("skipped {target}::{id}: {reason}");
                }
            }
        }
    }
    if let Some(path) = &cli.junit {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Err(e) = std::fs::create_dir_all(dir)
        {
            eprintln!(
                "tsp-conformance: creating {} for the JUnit report: {e}",
                dir.display()
            );
            return ExitCode::FAILURE;
        }
        let xml = report::junit(&results).to_string();
        match xml
            .map_err(|e| e.to_string())
            .and_then(|x| std::fs::write(path, x).map_err(|e| e.to_string()))
        {
            Ok(()) => println!("JUnit report: {}", path.display()),
            Err(e) => {
                eprintln!(
                    "tsp-conformance: writing the JUnit report to {}: {e}",
                    path.display()
                );
                return ExitCode::FAILURE;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
