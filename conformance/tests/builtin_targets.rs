//! The whole suite against the built-in targets, as `cargo test` runs it (libtest's command line:
//! `cargo test -p tsp-conformance --test builtin_targets -- secure/` runs one area; `--strict` makes
//! SHOULD-level checks fail).

fn main() {
    let targets = tsp_conformance::targets::NAMES
        .iter()
        .filter_map(|n| tsp_conformance::targets::by_name(n))
        .collect();
    tsp_conformance::run_tests(targets)
}
