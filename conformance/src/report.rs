//! Reports: the summary table per target and area, and JUnit XML.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::case::Level;
use crate::runner::{CaseReport, Outcome};

/// Counts for one area of one target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Cases that passed.
    pub passed: usize,
    /// Required cases that failed.
    pub failed: usize,
    /// SHOULD-level cases that failed (fail only with `--strict`).
    pub warned: usize,
    /// Cases skipped for a missing capability.
    pub skipped: usize,
}

/// Per-area tallies of one target's reports.
pub fn tally(reports: &[CaseReport]) -> BTreeMap<&'static str, Tally> {
    let mut areas: BTreeMap<&'static str, Tally> = BTreeMap::new();
    for report in reports {
        let t = areas.entry(report.case.area()).or_default();
        match &report.outcome {
            Outcome::Passed => t.passed += 1,
            Outcome::Skipped(_) => t.skipped += 1,
            Outcome::Failed(_) if report.case.level == Level::Strict => t.warned += 1,
            Outcome::Failed(_) => t.failed += 1,
        }
    }
    areas
}

/// The summary table: one block per target, one row per area, then a total.
pub fn summary(results: &[(String, Vec<CaseReport>, Duration)]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<12} {:<14} {:>6} {:>6} {:>6} {:>7} {:>10}",
        "target", "area", "pass", "fail", "skip", "time", "simulated"
    );
    for (target, reports, took) in results {
        let areas = tally(reports);
        let mut total = Tally::default();
        for (area, t) in &areas {
            let _ = writeln!(
                out,
                "{target:<12} {area:<14} {:>6} {:>6} {:>6}",
                t.passed,
                t.failed + t.warned,
                t.skipped
            );
            total.passed += t.passed;
            total.failed += t.failed + t.warned;
            total.skipped += t.skipped;
        }
        let simulated: Duration = reports.iter().map(|r| r.simulated).sum();
        let _ = writeln!(
            out,
            "{target:<12} {:<14} {:>6} {:>6} {:>6} {:>6.2}s {:>10}",
            "TOTAL",
            total.passed,
            total.failed,
            total.skipped,
            took.as_secs_f64(),
            minutes(simulated)
        );
    }
    out
}

/// A simulated duration for the summary: `12m34s`.
fn minutes(d: Duration) -> String {
    let secs = d.as_secs();
    format!("{}m{:02}s", secs / 60, secs % 60)
}

/// The JUnit report: one suite per target, one case per behaviour (skips carry the missing
/// capability, failures the message, seed and transcript).
pub fn junit(results: &[(String, Vec<CaseReport>, Duration)]) -> Report {
    let mut report = Report::new("tsp-conformance");
    for (target, reports, took) in results {
        let mut suite = TestSuite::new(target.as_str());
        suite.set_time(*took);
        for r in reports {
            let status = match &r.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::Skipped(reason) => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(reason.as_str());
                    s
                }
                Outcome::Failed(failure) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(failure.message.as_str());
                    s.set_description(failure.to_string());
                    s
                }
            };
            let mut case = TestCase::new(r.case.id, status);
            case.set_classname(format!("{target}.{}", r.case.area()));
            case.set_time(r.took);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    report
}
