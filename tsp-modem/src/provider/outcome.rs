//! Result codes to call states (T§9.4): how a dial or an answer that did not connect is reported.

use std::time::Duration;

use tsp_sdk::spi::CallStateChange;
use tsp_sdk::{BusyMode, DisconnectMode, Version};

use crate::at::{AtError, FinalResult};

/// The states to report, in order, when a dial or answer ends without a connection.
///
/// | modem says | reported |
/// |---|---|
/// | `BUSY` | BUSY(UNKNOWN), DISCONNECTED(BUSY) |
/// | `NO ANSWER` | DISCONNECTED(NOANSWER) |
/// | `NO DIALTONE` | DISCONNECTED(NODIALTONE) (UNKNOWN before TAPI 1.4) |
/// | `NO CARRIER` after the whole S7 wait | DISCONNECTED(NOANSWER) |
/// | `NO CARRIER` sooner | DISCONNECTED(UNAVAIL) |
/// | `DELAYED`, `BLACKLIST FULL` | DISCONNECTED(TEMPFAILURE) (2.0, else UNKNOWN) |
/// | `BLACKLISTED` | DISCONNECTED(BLOCKED) (2.0, else UNKNOWN) |
/// | `UN-OBTAINABLE NUMBER` | DISCONNECTED(BADADDRESS) |
/// | `NO LINE` | DISCONNECTED(OUTOFORDER) (2.0, else UNKNOWN) |
/// | `ERROR`, `LINE IN USE`, no answer at all | DISCONNECTED(UNAVAIL) |
pub(crate) fn not_connected(
    error: &AtError,
    waited: Duration,
    connect_wait: Duration,
    version: Version,
) -> Vec<CallStateChange> {
    let result = match error {
        AtError::Rejected { result, .. } => result,
        _ => return vec![disconnected(DisconnectMode::UNAVAIL, version)],
    };
    let mode = match result {
        FinalResult::Busy => {
            return vec![
                CallStateChange::Busy(BusyMode::UNKNOWN),
                disconnected(DisconnectMode::BUSY, version),
            ];
        }
        FinalResult::NoAnswer => DisconnectMode::NOANSWER,
        FinalResult::NoDialtone => DisconnectMode::NODIALTONE,
        FinalResult::NoCarrier if waited >= connect_wait => DisconnectMode::NOANSWER,
        FinalResult::Delayed | FinalResult::BlacklistFull => DisconnectMode::TEMPFAILURE,
        FinalResult::Blacklisted => DisconnectMode::BLOCKED,
        FinalResult::Unobtainable => DisconnectMode::BADADDRESS,
        FinalResult::NoLine => DisconnectMode::OUTOFORDER,
        _ => DisconnectMode::UNAVAIL,
    };
    vec![disconnected(mode, version)]
}

/// DISCONNECTED with `mode`, or UNKNOWN when the line's version predates the mode (T§2.1).
pub(crate) fn disconnected(mode: DisconnectMode, version: Version) -> CallStateChange {
    CallStateChange::Disconnected(mode.for_version(version))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(result: FinalResult<'static>) -> AtError {
        AtError::Rejected {
            device: "sim".into(),
            command: "ATD".into(),
            result,
            info: Vec::new(),
        }
    }

    fn modes(result: FinalResult<'static>, waited: u64, version: Version) -> Vec<CallStateChange> {
        not_connected(
            &rejected(result),
            Duration::from_secs(waited),
            Duration::from_secs(50),
            version,
        )
    }

    #[test]
    fn busy_is_reported_as_busy_then_disconnected_busy() {
        assert_eq!(
            modes(FinalResult::Busy, 5, Version::V2_0),
            [
                CallStateChange::Busy(BusyMode::UNKNOWN),
                CallStateChange::Disconnected(DisconnectMode::BUSY)
            ]
        );
    }

    #[test]
    fn no_carrier_means_no_answer_only_after_the_whole_wait() {
        let late = modes(FinalResult::NoCarrier, 50, Version::V2_0);
        assert_eq!(
            late,
            [CallStateChange::Disconnected(DisconnectMode::NOANSWER)]
        );
        let early = modes(FinalResult::NoCarrier, 3, Version::V2_0);
        assert_eq!(
            early,
            [CallStateChange::Disconnected(DisconnectMode::UNAVAIL)]
        );
    }

    #[test]
    fn newer_modes_fall_back_to_unknown_on_old_lines() {
        let v13 = modes(FinalResult::NoDialtone, 1, Version::V1_3);
        assert_eq!(
            v13,
            [CallStateChange::Disconnected(DisconnectMode::UNKNOWN)]
        );
        let v14 = modes(FinalResult::NoDialtone, 1, Version::V1_4);
        assert_eq!(
            v14,
            [CallStateChange::Disconnected(DisconnectMode::NODIALTONE)]
        );
        let blocked = modes(FinalResult::Blacklisted, 1, Version::V2_0);
        assert_eq!(
            blocked,
            [CallStateChange::Disconnected(DisconnectMode::BLOCKED)]
        );
        let delayed = modes(FinalResult::Delayed, 1, Version::V1_4);
        assert_eq!(
            delayed,
            [CallStateChange::Disconnected(DisconnectMode::UNKNOWN)]
        );
        let delayed = modes(FinalResult::Delayed, 1, Version::V2_0);
        assert_eq!(
            delayed,
            [CallStateChange::Disconnected(DisconnectMode::TEMPFAILURE)]
        );
    }

    #[test]
    fn errors_and_silence_are_unavail() {
        assert_eq!(
            modes(FinalResult::Error, 0, Version::V2_0),
            [CallStateChange::Disconnected(DisconnectMode::UNAVAIL)]
        );
        let timeout = AtError::Timeout {
            device: "sim".into(),
            command: "ATD".into(),
            after: Duration::from_secs(60),
            attempts: 1,
        };
        assert_eq!(
            not_connected(
                &timeout,
                Duration::from_secs(60),
                Duration::from_secs(50),
                Version::V2_0
            ),
            [CallStateChange::Disconnected(DisconnectMode::UNAVAIL)]
        );
    }
}
