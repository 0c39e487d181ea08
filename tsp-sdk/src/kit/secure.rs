//! [`secure_decision`]: `lineSecureCall` on an analog line.

use crate::error::{Error, LineErr};

use super::{CallRecord, LineOffer};

/// What to do about a `secure_call` that can be honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secure {
    /// The call is secure already: complete the request with success, change nothing.
    AlreadySecure,
    /// Secure it now: [`CallRecord::mark_secure`], make the next dial carry the line's
    /// cancel-call-waiting code right after the `T`/`P`, complete the request, report
    /// `LINE_CALLINFO` (OTHER).
    Now,
}

/// Decides `TSPI_lineSecureCall` for `call` on a line offering `offer` (T§3, DESIGN.md "Securing
/// a call"): the rule every analog provider applies.
///
/// # Errors
/// - `LINEERR_INVALCALLSTATE` for an IDLE call;
/// - `LINEERR_OPERATIONUNAVAIL` when the line cannot secure calls (no cancel-call-waiting code),
///   or no longer can for this call: an incoming call, digits already dialed, a carrier up or
///   the call ended — a modem cannot cancel call waiting without breaking the session.
pub fn secure_decision(call: &CallRecord, offer: &LineOffer) -> Result<Secure, Error> {
    const OP: &str = "secure_call";
    if call.is_idle() {
        return Err(Error::new(LineErr::InvalCallState)
            .operation(OP)
            .detail("an IDLE call cannot be secured"));
    }
    if call.is_secure() {
        return Ok(Secure::AlreadySecure);
    }
    if !offer.secure {
        return Err(Error::new(LineErr::OperationUnavail)
            .operation(OP)
            .detail("the line's location has no cancel-call-waiting code"));
    }
    if !call.can_secure_now(offer) {
        return Err(Error::new(LineErr::OperationUnavail)
            .operation(OP)
            .detail(format!(
                "the call is {}: digits went out or a carrier is up, and call waiting cannot be \
                 cancelled mid-call without breaking the session",
                call.state
            )));
    }
    Ok(Secure::Now)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kit::CallDirection;
    use crate::spi::{CallHandle, CallInfo, CallStateChange, DeviceId};
    use crate::types::{CallOrigin, ConnectedMode, DialToneMode, MediaModes};

    fn call(direction: CallDirection, state: CallStateChange) -> CallRecord {
        let info = CallInfo::new(DeviceId(0), CallOrigin::OUTBOUND, MediaModes::DATAMODEM);
        let mut call = CallRecord::new(CallHandle(1), direction, info);
        call.record_state(state);
        call
    }

    fn kind(r: Result<Secure, Error>) -> Result<Secure, LineErr> {
        r.map_err(|e| e.kind())
    }

    #[test]
    fn each_case_of_the_rule_gets_its_answer() {
        let coded = LineOffer {
            secure: true,
            ..LineOffer::default()
        };
        let tone = CallStateChange::DialTone(DialToneMode::NORMAL);
        let out = CallDirection::Outbound;
        assert_eq!(
            kind(secure_decision(&call(out, tone), &coded)),
            Ok(Secure::Now)
        );
        assert_eq!(
            kind(secure_decision(&call(out, CallStateChange::Idle), &coded)),
            Err(LineErr::InvalCallState)
        );
        assert_eq!(
            kind(secure_decision(&call(out, tone), &LineOffer::default())),
            Err(LineErr::OperationUnavail)
        );
        let connected = call(out, CallStateChange::Connected(ConnectedMode::ACTIVE));
        assert_eq!(
            kind(secure_decision(&connected, &coded)),
            Err(LineErr::OperationUnavail)
        );
        let mut secured = connected;
        secured.mark_secure();
        assert_eq!(
            kind(secure_decision(&secured, &coded)),
            Ok(Secure::AlreadySecure)
        );
        assert_eq!(
            kind(secure_decision(&call(CallDirection::Inbound, tone), &coded)),
            Err(LineErr::OperationUnavail)
        );
    }
}
