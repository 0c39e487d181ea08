//! The median wall time of repeated runs: how the benches compare two sides taken in turns after
//! criterion's report, to check a budget.

use std::time::{Duration, Instant};

/// The median wall time of `runs` calls of `f` (`runs` at least 1).
pub(crate) fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Whether this run checks the budget: a `cargo bench` run (`--bench`), not a smoke test and not
/// a `--profile-time` run under a profiler (which must see only the bench it names).
pub(crate) fn checking_budgets() -> bool {
    let args: Vec<String> = std::env::args().collect();
    args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--profile-time")
}
