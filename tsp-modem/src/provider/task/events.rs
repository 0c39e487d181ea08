//! What the engine reports, turned into call states and line events (T§9.4).

use tsp_sdk::spi::{CallInfo, CallStateChange, PartyId};
use tsp_sdk::{
    CallInfoStates, CallOrigin, CallPartyIdFlags, ConnectedMode, DisconnectMode, MediaModes,
    OfferingMode,
};

use super::super::call::{Attempt, Call};
use super::super::outcome;
use super::{DataPath, LineTask};
use crate::at::{
    AtError, CallerId, CidValue, Command, CommandId, Connect, Event, Intermediate, Response, Ring,
};
use tsp_sdk::kit::CallDirection;

impl LineTask {
    pub(super) fn on_event(&mut self, event: Event) {
        match event {
            Event::Completed { id, result, .. } => self.on_completed(id, result),
            Event::Progress { id, intermediate } => self.on_progress(id, &intermediate),
            Event::Ring(ring) => self.on_ring(ring),
            Event::CallerId(record) => self.on_caller_id(record),
            Event::RingCadence(cadence) => tracing::trace!(?cadence, "ring cadence"),
            Event::CarrierLost(cause) => self.on_carrier_lost(cause),
            Event::Connected(connect) => {
                tracing::warn!(%connect, "CONNECT with no dial or answer (auto-answer?); hanging up");
                if self.hangup.is_none() {
                    self.start_hangup(None, false);
                }
            }
            Event::Data(bytes) if self.audio.is_some() => self.audio_from_modem(&bytes),
            Event::Data(bytes) => match self.data.as_mut() {
                Some(data) => data.push(bytes),
                None => tracing::debug!(bytes = bytes.len(), "data with no data call; dropped"),
            },
            Event::Text(text) => tracing::debug!(%text, "unsolicited text"),
            Event::LateResult { command, result } => {
                tracing::debug!(command = %command.name(), %result, "late result");
                if matches!(result, crate::at::FinalResult::Connect(_)) && self.hangup.is_none() {
                    // A dial given up on connected after all: nobody wants it.
                    self.start_hangup(None, false);
                }
            }
            Event::StrayResult(result) => {
                tracing::debug!(%result, "stray result skipped");
                self.hangup_heard_end();
            }
            Event::DleEvent(code) => self.on_dle_event(code),
        }
    }

    /// Completes the request waiting for an `ATD`/`ATA` to go on the wire, and reports DIALING.
    /// True if something happened.
    pub(super) fn check_written(&mut self) -> bool {
        let on_wire = matches!(
            self.driver.engine().in_flight(),
            Some(Command::Dial { .. } | Command::Answer)
        );
        let Some(call) = self.call.as_mut() else {
            return false;
        };
        let Some(attempt) = call.attempt.as_mut() else {
            return false;
        };
        if attempt.written.is_some() || !on_wire {
            return false;
        }
        attempt.written = Some(self.clock.now());
        let kind = attempt.attempt;
        let request = attempt.request.take();
        if kind != Attempt::OffHook && kind != Attempt::Answer {
            call.digits_sent = true;
        }
        // Complete first: no event for a call before its make_call completes (T§1.2).
        if let Some(request) = request {
            self.finish_request(request, Ok(()));
        }
        let dialing = self
            .call
            .as_ref()
            .is_some_and(|c| c.state == CallStateChange::Dialing);
        if matches!(kind, Attempt::Partial | Attempt::Voice | Attempt::Originate) && !dialing {
            self.emit(CallStateChange::Dialing);
        }
        true
    }

    fn on_completed(&mut self, id: CommandId, result: Result<Response, AtError>) {
        if self.recovery_step_done(id, &result) {
            return;
        }
        if let Err(e @ AtError::Timeout { .. }) = &result {
            self.modem_silent(e);
        }
        if self
            .hangup
            .as_ref()
            .is_some_and(|h| h.outstanding == Some(id))
        {
            self.hangup_step_done(result);
            return;
        }
        if self.call.is_none() {
            tracing::debug!(%id, ok = result.is_ok(), "completion of a command for no call");
            return;
        }
        if self.generation_step(id, &result) || self.audio_step(id, &result) {
            return;
        }
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if call.class_command.is_some_and(|(c, _)| c == id) {
            call.class_command = None;
            self.class_done(result);
            return;
        }
        if call.attempt.is_some_and(|a| a.id == id) {
            self.attempt_done(result);
        }
    }

    /// `+FCLASS` before a dial or answer finished: send the attempt, or fail it.
    fn class_done(&mut self, result: Result<Response, AtError>) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let Some((command, attempt, request)) = call.next.take() else {
            return;
        };
        if self.hangup.is_some() {
            if let Some(request) = request {
                let error = self.failed("make_call", "the call was dropped");
                self.finish_request(request, Err(error));
            }
            return;
        }
        if let Err(e) = result {
            let creating = call.creating.is_some();
            let error = self.failed("+FCLASS", e.to_string());
            if creating {
                self.fail_creation(error);
            } else if let Some(request) = request {
                self.finish_request(request, Err(error));
            }
            return;
        }
        if let Err(e) = self.send_attempt(command, attempt, request) {
            if let Some(call) = self.call.as_ref()
                && call.creating.is_some()
            {
                self.fail_creation(e);
                return;
            }
            if let Some(request) = request {
                self.finish_request(request, Err(e));
            }
        }
    }

    /// Queues an `ATD`/`ATA`; its request completes when it goes on the wire.
    pub(super) fn send_attempt(
        &mut self,
        command: Command,
        attempt: Attempt,
        request: Option<tsp_sdk::spi::RequestId>,
    ) -> Result<(), tsp_sdk::Error> {
        let id = self
            .driver
            .engine_mut()
            .send(command, self.clock.now())
            .map_err(|e| self.failed("ATD", e.to_string()))?;
        if let Some(call) = self.call.as_mut() {
            call.attempt = Some(super::super::call::InFlight {
                id,
                attempt,
                request,
                written: None,
            });
        }
        Ok(())
    }

    /// The `ATD`/`ATA` finished.
    fn attempt_done(&mut self, result: Result<Response, AtError>) {
        let connect_wait = self.driver.engine().registers().connect_wait();
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let Some(attempt) = call.attempt.take() else {
            return;
        };
        if attempt.written.is_none() {
            // It never went on the wire (refused in the engine's queue).
            let creating = call.creating.is_some();
            let error = match &result {
                Err(e) => self.failed("ATD", e.to_string()),
                Ok(_) => self.failed("ATD", "finished before it was sent"),
            };
            if creating {
                self.fail_creation(error);
            } else if let Some(request) = attempt.request {
                self.finish_request(request, Err(error));
            }
            return;
        }
        if self.hangup.is_some() {
            // Aborted for a drop or a close; the hang-up goes on.
            call.off_hook = true;
            return;
        }
        let waited = attempt.written.map_or_else(Default::default, |t| {
            self.clock.now().saturating_duration_since(t)
        });
        match (attempt.attempt, result) {
            (Attempt::OffHook, Ok(_)) => {
                call.off_hook = true;
                self.emit(CallStateChange::DialTone(tsp_sdk::DialToneMode::NORMAL));
            }
            (Attempt::Partial, Ok(_)) => call.off_hook = true,
            (Attempt::Voice, Ok(_)) => {
                call.off_hook = true;
                self.emit(CallStateChange::Proceeding);
            }
            (Attempt::Originate | Attempt::Answer, Ok(response)) => {
                call.off_hook = true;
                let connect = match response.result {
                    crate::at::FinalResult::Connect(c) => Some(c),
                    _ => None,
                };
                self.connected(connect.as_ref());
            }
            (_, Err(e)) => {
                call.off_hook = matches!(e, AtError::Timeout { .. });
                call.span
                    .in_scope(|| tracing::info!(error = %e, "no connection"));
                for state in outcome::not_connected(&e, waited, connect_wait, self.version) {
                    self.emit(state);
                }
            }
        }
    }

    /// CONNECTED, with the rate in call info and, for data and fax, the data path.
    fn connected(&mut self, connect: Option<&Connect>) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        let rate = connect
            .and_then(|c| c.line_rate().or_else(|| c.rate()))
            .unwrap_or(0);
        call.info.rate = rate;
        if call.wants_carrier() {
            self.data = Some(DataPath::new());
        }
        if call.info.media_mode.contains(MediaModes::G3FAX) {
            // Unimodem's fax: from here the application's T.30 drives the Class 1 modem over
            // the data stream (T.31), and its NO CARRIERs and carrier drops are its own.
            call.span.in_scope(|| {
                tracing::debug!(
                    "fax call: the data stream is the modem's Class 1 command interface"
                )
            });
            self.driver.engine_mut().set_passthrough(true);
        }
        self.emit(CallStateChange::Connected(ConnectedMode::ACTIVE));
        if rate > 0 {
            self.info_changed(CallInfoStates::RATE);
        }
    }

    fn on_progress(&mut self, id: CommandId, intermediate: &Intermediate) {
        let Some(call) = self.call.as_ref() else {
            return;
        };
        if call.attempt.is_none_or(|a| a.id != id) || call.creating.is_some() {
            return;
        }
        let text = intermediate.to_string().to_ascii_uppercase();
        match call.state {
            CallStateChange::Dialing | CallStateChange::Proceeding
                if text.starts_with("RINGING") =>
            {
                self.emit(CallStateChange::Ringback);
            }
            CallStateChange::Dialing | CallStateChange::Ringback => {
                self.emit(CallStateChange::Proceeding);
            }
            _ => {}
        }
    }

    fn on_carrier_lost(&mut self, cause: crate::at::CarrierLoss) {
        if cause == crate::at::CarrierLoss::Dtr || self.hangup.is_some() {
            return;
        }
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if call.is_connected() {
            call.off_hook = false;
            call.span
                .in_scope(|| tracing::info!(?cause, "the far end hung up"));
            self.emit(outcome::disconnected(DisconnectMode::NORMAL, self.version));
        }
    }

    /// Whether the ring-gap timer runs: ringing that is not being answered.
    pub(super) fn ringing_counts(&self) -> bool {
        match self.call.as_ref() {
            Some(call) => {
                call.direction == CallDirection::Inbound
                    && matches!(call.state, CallStateChange::Offering(_))
                    && call.attempt.is_none()
                    && call.class_command.is_none()
            }
            None => self.ringing.ignore,
        }
    }

    /// The medium an incoming call is offered as: the first detected of data, fax, voice.
    fn offered_media(&self) -> Option<MediaModes> {
        let detectable = super::detectable(&self.classes);
        [
            MediaModes::DATAMODEM,
            MediaModes::G3FAX,
            MediaModes::INTERACTIVEVOICE,
            MediaModes::AUTOMATEDVOICE,
        ]
        .into_iter()
        .find(|m| self.detect.contains(*m) && detectable.contains(*m))
    }

    fn on_ring(&mut self, ring: Ring<'static>) {
        let count = self.ringing.count;
        self.ringing.count += 1;
        self.ringing.last = Some(self.clock.now());
        if let Some(from) = ring.caller.clone() {
            let record = CallerId {
                number: Some(CidValue::Present(from)),
                ..CallerId::default()
            };
            self.on_caller_id(record);
        }
        if self.call.is_none() && !self.ringing.ignore {
            match self.offered_media() {
                Some(media) => self.offer(media),
                None => {
                    tracing::debug!("RING, but no media mode is being detected: not announced");
                    self.ringing.ignore = true;
                }
            }
        }
        if let Err(violation) = self.sink.ringing(self.line, count) {
            tracing::error!(%violation, "ring refused by the sink");
        }
    }

    /// A new incoming call: NEWCALL, OFFERING, caller ID if it came first.
    fn offer(&mut self, media: MediaModes) {
        let handle = match self.sink.new_call(self.line) {
            Ok(handle) => handle,
            Err(violation) => {
                tracing::error!(%violation, "new call refused by the sink");
                self.ringing.ignore = true;
                return;
            }
        };
        self.register_call(handle);
        let info = CallInfo::new(self.device, CallOrigin::EXTERNAL, media);
        let call = Call::new(handle, CallDirection::Inbound, info, &self.name);
        call.span
            .in_scope(|| tracing::info!(?media, "incoming call"));
        self.call = Some(call);
        self.emit(CallStateChange::Offering(OfferingMode::ACTIVE));
        if let Some(record) = self.ringing.caller_id.take() {
            self.on_caller_id(record);
        }
    }

    fn on_caller_id(&mut self, record: CallerId) {
        let party = party(&record);
        match self.call.as_mut() {
            Some(call)
                if call.direction == CallDirection::Inbound
                    && matches!(call.state, CallStateChange::Offering(_)) =>
            {
                call.span.in_scope(
                    || tracing::info!(number = ?party.number, name = ?party.name, "caller ID"),
                );
                call.info.caller_id = party;
                self.info_changed(CallInfoStates::CALLERID);
            }
            // A waiting caller's identity (call-waiting caller ID) is not this call's: a modem
            // line has one call appearance, so it has nowhere to go.
            Some(_) => {
                tracing::info!(number = ?party.number, "caller ID of a waiting caller; ignored")
            }
            None => self.ringing.caller_id = Some(record),
        }
    }

    /// No ring for a while: the caller gave up.
    pub(super) fn ring_gap(&mut self) {
        let offering = self.call.as_ref().is_some_and(|c| {
            c.direction == CallDirection::Inbound && matches!(c.state, CallStateChange::Offering(_))
        });
        if offering {
            if let Some(call) = self.call.as_ref() {
                call.span.in_scope(|| tracing::info!("the caller gave up"));
            }
            self.emit(super::super::outcome::disconnected(
                DisconnectMode::NORMAL,
                self.version,
            ));
        }
        self.ringing = super::Ringing::default();
    }
}

/// Caller ID as TAPI's party id: number and name when delivered, BLOCKED for `P`, OUTOFAREA for `O`.
fn party(record: &CallerId) -> PartyId {
    let mut party = PartyId::default();
    match &record.number {
        Some(CidValue::Present(number)) => {
            party.number = Some(number.to_string());
            party.flags |= CallPartyIdFlags::ADDRESS;
        }
        Some(CidValue::Private) => party.flags |= CallPartyIdFlags::BLOCKED,
        Some(CidValue::Unavailable) => party.flags |= CallPartyIdFlags::OUTOFAREA,
        None => {}
    }
    if let Some(CidValue::Present(name)) = &record.name {
        party.name = Some(name.to_string());
        party.flags |= CallPartyIdFlags::NAME;
    }
    if party.flags.is_empty() {
        party.flags = CallPartyIdFlags::UNAVAIL;
    }
    party
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withheld_and_out_of_area_numbers_map_to_their_flags() {
        let private = CallerId {
            number: Some(CidValue::Private),
            ..CallerId::default()
        };
        assert_eq!(party(&private).flags, CallPartyIdFlags::BLOCKED);
        let away = CallerId {
            number: Some(CidValue::Unavailable),
            name: Some(CidValue::Present("WIRELESS CALLER".into())),
            ..CallerId::default()
        };
        let p = party(&away);
        assert_eq!(
            p.flags,
            CallPartyIdFlags::OUTOFAREA | CallPartyIdFlags::NAME
        );
        assert_eq!(p.name.as_deref(), Some("WIRELESS CALLER"));
        assert_eq!(party(&CallerId::default()).flags, CallPartyIdFlags::UNAVAIL);
    }
}
