#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod at;
#[cfg(feature = "cli")]
pub mod cli;
pub mod profile;
pub mod provider;
pub mod transport;

pub use provider::{ModemLineConfig, ModemProvider, config};
