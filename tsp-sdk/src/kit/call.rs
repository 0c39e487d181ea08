//! [`CallRecord`]: what a provider knows about one call, and the features it has now.

use crate::spi::{CallHandle, CallInfo, CallStateChange, RequestId};
use crate::types::{CallFeatures, CallParamFlags, MediaModes};

use super::LineOffer;

/// Who started a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallDirection {
    /// The application placed it (`make_call`).
    Outbound,
    /// It came in (`new_call`, then OFFERING).
    Inbound,
}

/// One call as its provider keeps it: the handle the host gave it, who started it, the state
/// last reported, its `LINECALLINFO`, the requests accepted on it and not completed, and how far
/// dialing went. Embed it in your own call type (the reference providers reach its fields
/// through `Deref`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    /// The host's handle for the call.
    pub handle: CallHandle,
    /// Who started it.
    pub direction: CallDirection,
    /// The state last reported (UNKNOWN before the first).
    pub state: CallStateChange,
    /// The call's info (`TSPI_lineGetCallInfo`).
    pub info: CallInfo,
    /// The `make_call` that creates the call, until it completes: no event for the call may be
    /// sent before (T§1.2).
    pub creating: Option<RequestId>,
    /// Requests on the call accepted and not completed, with their operation's name.
    pub pending: Vec<(RequestId, &'static str)>,
    /// Digits went out on the line (securing is too late once they did).
    pub digits_sent: bool,
    /// The last dial ended with `;`: more digits may follow with `dial`.
    pub partial: bool,
}

impl CallRecord {
    /// A call in state UNKNOWN with nothing pending.
    pub fn new(handle: CallHandle, direction: CallDirection, info: CallInfo) -> CallRecord {
        CallRecord {
            handle,
            direction,
            state: CallStateChange::Unknown,
            info,
            creating: None,
            pending: Vec::new(),
            digits_sent: false,
            partial: false,
        }
    }

    /// Takes `state` as the call's new state and adds it to `info.call_states`. Returns `false`
    /// (and changes nothing) for a call that is IDLE: a call never leaves IDLE (T§2.2).
    pub fn record_state(&mut self, state: CallStateChange) -> bool {
        if self.is_idle() {
            return false;
        }
        self.state = state;
        self.info.call_states |= state.state().as_set();
        true
    }

    /// Whether the call is IDLE.
    pub fn is_idle(&self) -> bool {
        self.state == CallStateChange::Idle
    }

    /// Whether the far end or the network ended it (DISCONNECTED).
    pub fn is_disconnected(&self) -> bool {
        matches!(self.state, CallStateChange::Disconnected(_))
    }

    /// Whether it is CONNECTED.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, CallStateChange::Connected(_))
    }

    /// Whether it was secured (`LINECALLPARAMFLAGS_SECURE` in its info).
    pub fn is_secure(&self) -> bool {
        self.info.call_param_flags.contains(CallParamFlags::SECURE)
    }

    /// Marks it secured (the caller then reports `LINE_CALLINFO` with OTHER).
    pub fn mark_secure(&mut self) {
        self.info.call_param_flags |= CallParamFlags::SECURE;
    }

    /// Whether its media needs a carrier and a byte stream (data or fax) rather than a voice
    /// path.
    pub fn wants_carrier(&self) -> bool {
        self.info
            .media_mode
            .intersects(MediaModes::DATAMODEM | MediaModes::G3FAX)
    }

    /// Notes a request accepted on the call.
    pub fn begin(&mut self, request: RequestId, operation: &'static str) {
        self.pending.push((request, operation));
    }

    /// Forgets a request once completed; its operation, if it was pending.
    pub fn finish(&mut self, request: RequestId) -> Option<&'static str> {
        let at = self.pending.iter().position(|(r, _)| *r == request)?;
        if self.creating == Some(request) {
            self.creating = None;
        }
        Some(self.pending.remove(at).1)
    }

    /// Every pending request, taken (to complete them all, as `close_call` must).
    pub fn take_pending(&mut self) -> Vec<(RequestId, &'static str)> {
        self.creating = None;
        std::mem::take(&mut self.pending)
    }

    /// Whether `lineSecureCall` could be honoured now on a line offering `offer` (an analog
    /// line: an outbound call, not yet dialed, no carrier up; see
    /// [`secure_decision`](super::secure_decision)).
    pub fn can_secure_now(&self, offer: &LineOffer) -> bool {
        offer.secure
            && self.direction == CallDirection::Outbound
            && !self.digits_sent
            && !self.is_idle()
            && !self.is_disconnected()
            && !self.is_connected()
    }

    /// `LINECALLSTATUS.dwCallFeatures`: what can be done to the call now (T§1.5, T§9.5 item 10).
    ///
    /// | state | features |
    /// |---|---|
    /// | IDLE | none |
    /// | OFFERING | ANSWER, ACCEPT (as offered), DROP |
    /// | ACCEPTED | ANSWER, DROP |
    /// | DIALTONE | DIAL (multi-stage dialing), DROP, SECURECALL while it can be secured |
    /// | DIALING after a partial dial | DIAL, DROP |
    /// | CONNECTED | DROP, MONITORDIGITS and GENERATEDIGITS as offered |
    /// | any other | DROP |
    pub fn features(&self, offer: &LineOffer) -> CallFeatures {
        let when = |on: bool, feature: CallFeatures| {
            if on { feature } else { CallFeatures::empty() }
        };
        let secure = when(
            self.can_secure_now(offer) && !self.is_secure(),
            CallFeatures::SECURECALL,
        );
        let dial = when(offer.partial_dial, CallFeatures::DIAL);
        match self.state {
            CallStateChange::Idle => CallFeatures::empty(),
            CallStateChange::Offering(_) => {
                CallFeatures::DROP
                    | when(offer.answer, CallFeatures::ANSWER)
                    | when(offer.accept, CallFeatures::ACCEPT)
            }
            CallStateChange::Accepted => {
                CallFeatures::DROP | when(offer.answer, CallFeatures::ANSWER)
            }
            CallStateChange::DialTone(_) => CallFeatures::DROP | dial | secure,
            CallStateChange::Dialing if self.partial => CallFeatures::DROP | dial,
            CallStateChange::Connected(_) => {
                CallFeatures::DROP
                    | when(
                        !offer.monitor_digit_modes.is_empty(),
                        CallFeatures::MONITORDIGITS,
                    )
                    | when(
                        !offer.generate_digit_modes.is_empty(),
                        CallFeatures::GENERATEDIGITS,
                    )
            }
            _ => CallFeatures::DROP,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::spi::DeviceId;
    use crate::types::{CallOrigin, ConnectedMode, DialToneMode, DisconnectMode, OfferingMode};

    fn outbound() -> CallRecord {
        let info = CallInfo::new(DeviceId(0), CallOrigin::OUTBOUND, MediaModes::DATAMODEM);
        CallRecord::new(CallHandle(1), CallDirection::Outbound, info)
    }

    fn secure_line() -> LineOffer {
        LineOffer {
            secure: true,
            ..LineOffer::default()
        }
    }

    #[test]
    fn a_call_never_leaves_idle_and_its_states_are_remembered() {
        let mut call = outbound();
        assert!(call.record_state(CallStateChange::Dialing));
        assert!(call.record_state(CallStateChange::Idle));
        assert!(!call.record_state(CallStateChange::Dialing));
        assert_eq!(call.state, CallStateChange::Idle);
        assert!(
            call.info
                .call_states
                .contains(crate::CallStates::DIALING | crate::CallStates::IDLE)
        );
    }

    #[test]
    fn securing_is_offered_at_dial_tone_only_until_digits_go_out() {
        let offer = secure_line();
        let mut call = outbound();
        call.record_state(CallStateChange::DialTone(DialToneMode::NORMAL));
        assert!(call.features(&offer).contains(CallFeatures::SECURECALL));
        call.mark_secure();
        assert!(!call.features(&offer).contains(CallFeatures::SECURECALL));
        let mut dialed = outbound();
        dialed.record_state(CallStateChange::DialTone(DialToneMode::NORMAL));
        dialed.digits_sent = true;
        assert!(!dialed.can_secure_now(&offer));
        assert!(!dialed.features(&offer).contains(CallFeatures::SECURECALL));
        let no_code = LineOffer::default();
        assert!(!outbound().can_secure_now(&no_code));
    }

    #[test]
    fn features_follow_the_state_and_the_offer() {
        let offer = LineOffer {
            accept: true,
            monitor_digit_modes: crate::DigitModes::DTMF,
            ..LineOffer::default()
        };
        let info = CallInfo::new(
            DeviceId(0),
            CallOrigin::EXTERNAL,
            MediaModes::INTERACTIVEVOICE,
        );
        let mut call = CallRecord::new(CallHandle(2), CallDirection::Inbound, info);
        assert_eq!(call.features(&offer), CallFeatures::DROP);
        call.record_state(CallStateChange::Offering(OfferingMode::ACTIVE));
        assert_eq!(
            call.features(&offer),
            CallFeatures::ANSWER | CallFeatures::ACCEPT | CallFeatures::DROP
        );
        call.record_state(CallStateChange::Connected(ConnectedMode::ACTIVE));
        assert_eq!(
            call.features(&offer),
            CallFeatures::DROP | CallFeatures::MONITORDIGITS
        );
        call.record_state(CallStateChange::Disconnected(DisconnectMode::NORMAL));
        assert_eq!(call.features(&offer), CallFeatures::DROP);
        call.record_state(CallStateChange::Idle);
        assert_eq!(call.features(&offer), CallFeatures::empty());
    }

    #[test]
    fn pending_requests_are_tracked_until_finished() {
        let mut call = outbound();
        let r = RequestId::new(5).unwrap_or(RequestId::FIRST);
        call.creating = Some(r);
        call.begin(r, "make_call");
        assert_eq!(call.finish(r), Some("make_call"));
        assert_eq!(call.creating, None);
        assert_eq!(call.finish(r), None);
        call.begin(r, "drop_call");
        assert_eq!(call.take_pending(), vec![(r, "drop_call")]);
    }
}
