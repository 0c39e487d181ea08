#![doc = include_str!("../README.md")]

pub mod dial;
mod error;
pub mod host;
pub mod kit;
pub mod loopback;
#[cfg(feature = "rpc")]
pub mod rpc;
pub mod sink;
pub mod spi;
mod tapi_err;
pub mod types;

pub use error::{Error, LineErr, Result};
pub use tapi_err::TapiErr;
pub use types::*;
