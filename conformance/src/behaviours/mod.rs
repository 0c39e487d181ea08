//! The behaviours, one `pub async fn` each, grouped by area: call one from your provider's own
//! test (see [`start_world`](crate::start_world) and [`Ctx::end`](crate::Ctx::end)), or run them all with
//! [`run_tests`](crate::run_tests). Each function's doc is the requirement it checks, its case
//! id and its source.

pub mod digits;
pub mod fax;
pub mod host;
pub mod incoming;
pub mod lifecycle;
pub mod media;
pub mod outgoing;
mod parties;
pub mod secure;
pub mod teardown;
pub mod voice;

use crate::case::Case;

/// Every case of the suite, in a stable order (by area as listed in tapi.md §9.5).
pub fn all_cases() -> Vec<Case> {
    [
        lifecycle::cases(),
        outgoing::cases(),
        incoming::cases(),
        secure::cases(),
        media::cases(),
        fax::cases(),
        digits::cases(),
        voice::cases(),
        teardown::cases(),
        host::cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}
