#![doc = include_str!("../README.md")]

mod behaviours;
mod case;
mod ctx;
mod failure;
mod fixture;
pub mod host_world;
pub mod report;
pub mod runner;
pub mod targets;
mod world;

pub use behaviours::all_cases;
pub use case::{Case, CaseFn, Level, Need, WorldKind};
pub use ctx::{Ctx, FAR_NUMBER, PATIENCE, Pending, Seen, THIRD_NUMBER};
pub use failure::Failure;
pub use fixture::{Clock, Fixture, FixtureError, LineSpec};
pub use runner::{Outcome, run_tests};
pub use world::{CANCEL_CODE, DEFAULT_SEED, OUR_NUMBER};
