//! The example provider (`tsp-sdk/examples/in_memory_line/provider.rs`) passes the suite: the
//! same run as the out-of-workspace crate `tests/fixtures/sip-like` (the provider author's
//! path), here inside the workspace so `cargo test` keeps it green.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tsp-sdk/examples/in_memory_line/provider.rs"]
#[allow(dead_code, unreachable_pub)]
mod provider;

#[path = "fixtures/sip-like/tests/adapter/mod.rs"]
#[allow(dead_code, unreachable_pub)]
mod adapter;

use tsp_conformance::runner::{self, Outcome};

#[test]
fn the_example_provider_passes_every_case_it_does_not_skip() {
    let fixture = adapter::fixture();
    let reports = runner::run_all(&fixture, false, |_| true, |_| {});
    let failed: Vec<String> = reports
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(f) => Some(format!("{}: {}", r.case.id, f.message)),
            _ => None,
        })
        .collect();
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
    let passed = reports
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Passed))
        .count();
    let skipped: Vec<String> = reports
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Skipped(why) => Some(format!("{}: {why}", r.case.id)),
            _ => None,
        })
        .collect();
    println!("{passed} passed; skipped:\n  {}", skipped.join("\n  "));
    assert!(passed >= 60, "only {passed} cases passed");
}
