//! The `tsp-sim` command-line simulator as a library: flags and config file ([`args`],
//! [`config`]), the stdin command language ([`commands`]), the running simulator and what the
//! commands do to it ([`Switchboard`]), and the session loop ([`run`]).
//!
//! The binary (`src/bin/tsp-sim.rs`) only parses the flags, sets up logging and calls [`run`].

pub mod args;
pub mod caller;
pub mod commands;
pub mod config;
mod session;
mod switchboard;
pub mod table;

pub use args::Args;
pub use session::{init_logging, run, run_with_input};
pub use switchboard::{CommandError, Reply, Switchboard};

/// `tsp-sim` could not start or run; the message names the operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The flags or the config file describe no usable setup.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// Starting the simulator failed.
    #[error("{operation}: {message}")]
    Start {
        /// What was being done (`put modem 0 (5550100) on a pseudo-terminal`).
        operation: String,
        /// Why it failed.
        message: String,
    },
    /// Reading commands or writing results failed.
    #[error("{operation}: {source}")]
    Io {
        /// What was being done (`read stdin`, `write to stdout`).
        operation: &'static str,
        /// Why it failed.
        source: std::io::Error,
    },
}
