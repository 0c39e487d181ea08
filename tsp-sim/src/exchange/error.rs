//! Errors of the exchange's operations.

use crate::line::LineId;

/// An exchange operation could not be carried out. Each error names the line and the operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// No line has this id.
    #[error("exchange: {operation} on {line}: no such line")]
    UnknownLine {
        /// The line asked for.
        line: LineId,
        /// The operation that was refused.
        operation: &'static str,
    },
    /// The operation needs a connected call on the line and there is none.
    #[error("exchange: {operation} on {line}: the line is not in a connected call")]
    NotConnected {
        /// The line asked for.
        line: LineId,
        /// The operation that was refused.
        operation: &'static str,
    },
    /// Nothing is ringing or waiting on the line, so there is nothing to reject.
    #[error("exchange: {operation} on {line}: no call is ringing or waiting on the line")]
    NothingToReject {
        /// The line asked for.
        line: LineId,
        /// The operation that was refused.
        operation: &'static str,
    },
    /// The line is unplugged, so nothing can reach its terminal.
    #[error("exchange: {operation} on {line}: the line is unplugged")]
    Unplugged {
        /// The line asked for.
        line: LineId,
        /// The operation that was refused.
        operation: &'static str,
    },
}
