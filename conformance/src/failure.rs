//! [`Failure`]: what a failed case reports — the message, the seed that replays it, and the
//! exchange's transcript with virtual timestamps.

use std::fmt;
use std::time::Duration;

use tsp_sim::sim::Sim;

use crate::ctx::Seen;

/// A failed check, with everything needed to understand and replay it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What went wrong.
    pub message: String,
    /// The simulation's seed (`TSP_SIM_SEED=<seed>` replays the run).
    pub seed: u64,
    /// What each side sent, with virtual timestamps.
    pub transcript: String,
    /// What the provider reported, with virtual timestamps.
    pub reported: String,
}

impl Failure {
    pub(crate) fn new(message: impl Into<String>, sim: &Sim, seen: &[(Duration, Seen)]) -> Failure {
        let reported = seen
            .iter()
            .map(|(at, s)| format!("{:>10.3}s  {s:?}", at.as_secs_f64()))
            .collect::<Vec<_>>()
            .join("\n");
        Failure {
            message: message.into(),
            seed: sim.seed(),
            transcript: sim.transcript(),
            reported,
        }
    }

    /// A failure with no world (the fixture could not attach).
    pub fn setup(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            seed: 0,
            transcript: String::new(),
            reported: String::new(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message)?;
        writeln!(
            f,
            "seed: {} (replay with TSP_SIM_SEED={})",
            self.seed, self.seed
        )?;
        if !self.reported.is_empty() {
            writeln!(f, "--- what the provider reported ---\n{}", self.reported)?;
        }
        if !self.transcript.is_empty() {
            writeln!(f, "--- the exchange's transcript ---\n{}", self.transcript)?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {}
