//! The behaviours, one `async fn` each, grouped by area.

mod digits;
mod host;
mod incoming;
mod lifecycle;
mod media;
mod outgoing;
mod parties;
mod secure;
mod teardown;

use crate::case::Case;

/// Every case of the suite, in a stable order (by area as listed in tapi.md §9.5).
pub fn all_cases() -> Vec<Case> {
    [
        lifecycle::cases(),
        outgoing::cases(),
        incoming::cases(),
        secure::cases(),
        media::cases(),
        digits::cases(),
        teardown::cases(),
        host::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
