//! Errors of the AT engine: each names the device and the command.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::engine::Mode;
use super::parse::FinalResult;

/// A duration as people write it in messages: `5 s`, `2.5 s`, `200 ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Secs(pub Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        if d < Duration::from_secs(1) {
            write!(f, "{} ms", d.as_millis())
        } else if d.subsec_millis() == 0 {
            write!(f, "{} s", d.as_secs())
        } else {
            write!(f, "{:.1} s", d.as_secs_f64())
        }
    }
}

/// What went wrong with an AT command or with data written through the engine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtError {
    /// The modem sent no final result within the command's timeout (after every retry).
    #[error("{device}: {command}: no answer in {} ({attempts} attempt(s))", Secs(*.after))]
    Timeout {
        /// The device (port path or name).
        device: Arc<str>,
        /// The command, e.g. `ATZ`.
        command: String,
        /// The timeout of one attempt.
        after: Duration,
        /// How many times the command was sent.
        attempts: u32,
    },
    /// The modem answered with a final result other than `OK` or `CONNECT`.
    #[error("{device}: {command}: modem answered {result}")]
    Rejected {
        /// The device.
        device: Arc<str>,
        /// The command.
        command: String,
        /// The final result code, e.g. `ERROR`, `BUSY`, `NO CARRIER`.
        result: FinalResult<'static>,
        /// Information text received before the result.
        info: Vec<String>,
    },
    /// The command was cut short by something outside it (DTR drop, carrier loss).
    #[error("{device}: {command}: interrupted by {cause}")]
    Interrupted {
        /// The device.
        device: Arc<str>,
        /// The command.
        command: String,
        /// What interrupted it.
        cause: &'static str,
    },
    /// The command cannot run in the engine's current mode (an AT line in online data mode,
    /// `+++` in command mode, data written while not online).
    #[error("{device}: {command}: not possible in {mode} mode")]
    WrongMode {
        /// The device.
        device: Arc<str>,
        /// The command or operation.
        command: String,
        /// The mode the engine was in.
        mode: Mode,
    },
    /// The command queue is full.
    #[error("{device}: {command}: command queue full ({limit} commands waiting)")]
    QueueFull {
        /// The device.
        device: Arc<str>,
        /// The refused command.
        command: String,
        /// The queue's capacity.
        limit: usize,
    },
    /// A dial string, raw command or other argument is not acceptable; nothing was sent.
    #[error("{what} {value:?}: {reason}")]
    InvalidArgument {
        /// What was being built, e.g. `dial string`.
        what: &'static str,
        /// The offending value.
        value: String,
        /// Why it was refused.
        reason: String,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn messages_name_device_and_command() {
        let e = AtError::Timeout {
            device: "ttyACM0".into(),
            command: "ATZ".into(),
            after: Duration::from_secs(5),
            attempts: 1,
        };
        assert_eq!(
            e.to_string(),
            "ttyACM0: ATZ: no answer in 5 s (1 attempt(s))"
        );
        let e = AtError::Rejected {
            device: "ttyS0".into(),
            command: "ATD".into(),
            result: FinalResult::Error,
            info: vec![],
        };
        assert_eq!(e.to_string(), "ttyS0: ATD: modem answered ERROR");
        assert_eq!(Secs(Duration::from_millis(2500)).to_string(), "2.5 s");
        assert_eq!(Secs(Duration::from_millis(200)).to_string(), "200 ms");
    }
}
