#![doc = include_str!("../README.md")]

pub mod access;
#[cfg(feature = "cli")]
pub mod cli;
pub mod exchange;
pub mod far_end;
pub mod line;
pub mod modem;
pub mod network;
pub mod port;
pub mod provider;
#[cfg(feature = "pty")]
pub mod pty;
pub mod sim;
pub mod t30;
