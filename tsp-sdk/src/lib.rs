#![doc = include_str!("../README.md")]

pub mod dial;
mod error;
pub mod sink;
pub mod spi;
pub mod types;

pub use error::{Error, LineErr, Result};
pub use types::*;
