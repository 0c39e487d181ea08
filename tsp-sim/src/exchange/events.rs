//! Things the exchange reports about itself (beyond the signals on the lines), for transcripts.

use std::fmt;

use crate::line::LineId;

use super::dialling::DialRecord;

/// A fault injected on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// The carrier on the line's call was lost (both ends hear `RemoteCarrierLost`).
    CarrierLoss,
    /// Noise bytes reached the line's terminal.
    Noise(usize),
    /// The terminal was unplugged from the line.
    Unplugged,
    /// The terminal was plugged back in.
    PluggedIn,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CarrierLoss => f.write_str("carrier loss"),
            Self::Noise(n) => write!(f, "{n} noise bytes"),
            Self::Unplugged => f.write_str("unplugged"),
            Self::PluggedIn => f.write_str("plugged in"),
        }
    }
}

/// Something the exchange did that is worth a line in a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeEvent {
    /// A line finished (or abandoned) dialling: what reached the exchange and where it went.
    Dialled(DialRecord),
    /// A second caller reached a line in a call with call waiting; the tone went into the call.
    CallWaiting {
        /// The line in a call.
        line: LineId,
        /// The second caller.
        caller: LineId,
        /// The other end of the active call, which hears the tone too.
        partner: Option<LineId>,
    },
    /// The exchange gave up ringing an unanswered line ([`super::NoAnswerTimeout`]).
    NoAnswerTimeout {
        /// The calling line (it hears reorder).
        caller: LineId,
        /// The line that was rung.
        callee: LineId,
    },
    /// A call was rejected while ringing or waiting ([`super::Exchange::reject`]).
    Rejected {
        /// The calling line.
        caller: LineId,
        /// The line that rejected it.
        callee: LineId,
    },
    /// A fault was injected on a line.
    Fault {
        /// The line.
        line: LineId,
        /// What happened.
        fault: Fault,
    },
}

impl fmt::Display for ExchangeEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dialled(record) => write!(f, "{record}"),
            Self::CallWaiting {
                line,
                caller,
                partner,
            } => {
                write!(
                    f,
                    "call waiting: {caller} waits for {line}, tone into the call"
                )?;
                if let Some(partner) = partner {
                    write!(f, " (heard by {partner} too)")?;
                }
                Ok(())
            }
            Self::NoAnswerTimeout { caller, callee } => {
                write!(
                    f,
                    "no answer: {callee} stopped ringing, {caller} gets reorder"
                )
            }
            Self::Rejected { caller, callee } => {
                write!(f, "{callee} rejected the call from {caller}")
            }
            Self::Fault { line, fault } => write!(f, "fault on {line}: {fault}"),
        }
    }
}
