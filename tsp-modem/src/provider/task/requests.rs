//! The provider's operations, as the line task carries them out.

use tsp_sdk::spi::{
    CallHandle, CallInfo, CallRequest, CallStateChange, CallStatus, DeviceClass, DeviceIdValue,
    Dial, LineDevStatus, MakeCall, SecureCall, Select,
};
use tsp_sdk::{
    CallInfoStates, CallOrigin, CallParamFlags, Error, LineErr, LineFeatures, MediaModes,
};

use super::super::call::{Attempt, Call};
use super::super::dialing;
use super::super::request::{Reply, Request};
use super::{LineTask, audio};
use crate::at::{self, Command};
use tsp_sdk::kit::{CallDirection, Secure, check_make_call, secure_decision};

fn answer<T>(reply: Reply<T>, result: Result<T, Error>) {
    // The caller may have given up waiting; nothing is owed then.
    let _ = reply.send(result);
}

impl LineTask {
    pub(super) async fn on_request(&mut self, request: Request) {
        if self.closing.is_some() {
            let gone = |op| {
                Error::new(LineErr::InvalLineHandle)
                    .operation(op)
                    .detail("the line is closing")
            };
            match request {
                Request::Close(reply) => answer(reply, Err(gone("close"))),
                Request::MakeCall(_, r)
                | Request::Dial(_, r)
                | Request::Answer(_, r)
                | Request::Drop(_, r)
                | Request::Secure(_, r)
                | Request::MonitorDigits(_, _, r)
                | Request::GenerateDigits(_, r)
                | Request::CloseCall(_, r)
                | Request::Detect(_, r) => answer(r, Err(gone("request"))),
                Request::CallInfo(_, r) => answer(r, Err(gone("call_info"))),
                Request::CallStatus(_, r) => answer(r, Err(gone("call_status"))),
                Request::LineStatus(r) => answer(r, Err(gone("line_status"))),
                Request::GetId(_, _, r) => answer(r, Err(gone("get_id"))),
            }
            return;
        }
        match request {
            Request::MakeCall(req, reply) => {
                let result = self.make_call(req);
                answer(reply, result);
            }
            Request::Dial(req, reply) => {
                let result = self.dial(req);
                answer(reply, result);
            }
            Request::Answer(req, reply) => {
                let result = self.answer(req);
                answer(reply, result);
            }
            Request::Drop(req, reply) => {
                let result = self.drop_call(req);
                answer(reply, result);
            }
            Request::Secure(req, reply) => {
                let result = self.secure(req);
                answer(reply, result);
            }
            Request::MonitorDigits(call, modes, reply) => {
                let result = self.monitor_digits(call, modes);
                answer(reply, result);
            }
            Request::GenerateDigits(req, reply) => {
                let result = self.generate_digits(req);
                answer(reply, result);
            }
            Request::CloseCall(call, reply) => self.close_call(call, reply),
            Request::CallInfo(call, reply) => {
                let result = self.our_call(call, "call_info").map(|c| c.info.clone());
                answer(reply, result);
            }
            Request::CallStatus(call, reply) => {
                let result = self.our_call(call, "call_status").map(|c| CallStatus {
                    state: c.state,
                    features: c.features(&self.offer),
                });
                answer(reply, result);
            }
            Request::LineStatus(reply) => answer(reply, Ok(self.line_status())),
            Request::Detect(modes, reply) => {
                let result = self.set_detection(modes);
                answer(reply, result);
            }
            Request::GetId(select, class, reply) => {
                let result = self.get_id(select, &class);
                answer(reply, result);
            }
            Request::Close(reply) => self.close(reply),
        }
    }

    pub(super) fn our_call(
        &self,
        handle: CallHandle,
        operation: &'static str,
    ) -> Result<&Call, Error> {
        self.call
            .as_ref()
            .filter(|c| c.handle == handle)
            .ok_or_else(|| {
                self.refuse(
                    LineErr::InvalCallHandle,
                    operation,
                    format!("{handle} is not a call on this line"),
                )
            })
    }

    pub(super) fn our_call_mut(
        &mut self,
        handle: CallHandle,
        operation: &'static str,
    ) -> Result<&mut Call, Error> {
        let error = self.refuse(
            LineErr::InvalCallHandle,
            operation,
            format!("{handle} is not a call on this line"),
        );
        self.call
            .as_mut()
            .filter(|c| c.handle == handle)
            .ok_or(error)
    }

    fn usable(&self, operation: &'static str) -> Result<(), Error> {
        if self.lost {
            return Err(self.refuse(
                LineErr::InvalLineState,
                operation,
                "the modem is gone; close the line and open it again when it is back",
            ));
        }
        if self.out_of_service() {
            return Err(self.refuse(
                LineErr::InvalLineState,
                operation,
                "the modem does not answer (the line is out of service until a reset gets an answer)",
            ));
        }
        Ok(())
    }

    fn line_status(&self) -> LineDevStatus {
        let active = self
            .call
            .as_ref()
            .is_some_and(|c| !c.is_idle() && !matches!(c.state, CallStateChange::Offering(_)));
        let free = self.call.is_none() && self.hangup.is_none() && !self.lost;
        let features = if free {
            LineFeatures::MAKECALL
        } else {
            LineFeatures::empty()
        };
        LineDevStatus::new(u32::from(active), features, !self.lost, !self.lost)
    }

    fn set_detection(&mut self, modes: MediaModes) -> Result<(), Error> {
        self.offer
            .check_detection(modes)
            .map_err(|e| e.device(self.port.clone()))?;
        self.detect = modes;
        Ok(())
    }

    fn make_call(&mut self, req: MakeCall) -> Result<(), Error> {
        const OP: &str = "make_call";
        self.usable(OP)?;
        if self.call.is_some() || self.hangup.is_some() {
            return Err(self.refuse(
                LineErr::CallUnavail,
                OP,
                "a modem line has one call at a time",
            ));
        }
        let checked =
            check_make_call(&req, &self.offer).map_err(|e| e.device(self.port.clone()))?;
        let (media, secure) = (checked.media, checked.secure);
        let params = &req.params;
        // A voice modem dials a voice call in voice mode and reports the far end's answer
        // (V.253 +VRA/+VRN): `OK` means CONNECTED. Others dial with `;` (PROCEEDING).
        let voice_by_semicolon = media == MediaModes::INTERACTIVEVOICE && !self.classes.voice();
        let dest = req.dest.as_deref().filter(|d| !d.is_empty());
        let (command, attempt, dialed) = match dest {
            Some(dest) => {
                let plan =
                    dialing::first_dial(OP, dest, &self.location, secure, self.profile.dial_caps)?;
                let attempt = if plan.partial {
                    Attempt::Partial
                } else if voice_by_semicolon {
                    Attempt::Voice
                } else {
                    Attempt::Originate
                };
                let command = Command::Dial {
                    number: plan.number,
                    voice: plan.partial || voice_by_semicolon,
                };
                (command, attempt, Some(plan.dialed))
            }
            None => {
                let mode = self.location.dial_mode.element().as_char().to_string();
                let number = at::DialString::new(&mode)
                    .map_err(|e| self.refuse(LineErr::OperationFailed, OP, e.to_string()))?;
                (
                    Command::Dial {
                        number,
                        voice: true,
                    },
                    Attempt::OffHook,
                    None,
                )
            }
        };
        let mut info = CallInfo::new(self.device, CallOrigin::OUTBOUND, media);
        info.bearer_mode = params.bearer_mode;
        info.call_param_flags = params.flags & CallParamFlags::SECURE;
        info.dial_params = params.dial_params;
        info.dialed = dialed;
        let mut call = Call::new(req.call, CallDirection::Outbound, info, &self.name);
        call.creating = Some(req.request);
        call.pending.push((req.request, OP));
        call.partial = attempt == Attempt::Partial;
        call.span
            .in_scope(|| tracing::info!(?media, secure, "placing a call"));
        let class = self.class_for(media, false);
        self.call = Some(call);
        self.register_call(req.call);
        let started = match class {
            Some(class) => self
                .driver
                .engine_mut()
                .send(Command::SetServiceClass(class), self.clock.now())
                .map(|id| {
                    if let Some(call) = self.call.as_mut() {
                        call.class_command = Some((id, attempt));
                        call.next = Some((command, attempt, Some(req.request)));
                    }
                })
                .map_err(|e| self.refuse(LineErr::ResourceUnavail, OP, e.to_string())),
            None => self.send_attempt(command, attempt, Some(req.request)),
        };
        if let Err(e) = started {
            self.forget_call();
            return Err(e);
        }
        Ok(())
    }

    fn dial(&mut self, req: Dial) -> Result<(), Error> {
        const OP: &str = "dial";
        self.usable(OP)?;
        let caps = self.profile.dial_caps;
        let location = self.location.clone();
        let call = self.our_call(req.call, OP)?;
        let dialable = matches!(call.state, CallStateChange::DialTone(_))
            || (call.state == CallStateChange::Dialing && call.partial);
        if !dialable || call.attempt.is_some() || self.hangup.is_some() {
            return Err(self.refuse(
                LineErr::InvalCallState,
                OP,
                format!("cannot dial on a call that is {}", call.state),
            ));
        }
        let voice_by_semicolon =
            call.info.media_mode == MediaModes::INTERACTIVEVOICE && !self.classes.voice();
        let first = !call.digits_sent;
        let secure = call.is_secure();
        if req.dest.is_empty() {
            // The end of a partial dial.
            if !call.partial {
                self.complete(req.request, Ok(()));
                return Ok(());
            }
            if voice_by_semicolon {
                if let Some(call) = self.call.as_mut() {
                    call.partial = false;
                }
                self.complete(req.request, Ok(()));
                self.emit(CallStateChange::Proceeding);
                return Ok(());
            }
            let number = at::DialString::new("")
                .map_err(|e| self.refuse(LineErr::OperationFailed, OP, e.to_string()))?;
            if let Some(call) = self.call.as_mut() {
                call.partial = false;
                call.pending.push((req.request, OP));
            }
            return self.send_attempt(
                Command::Dial {
                    number,
                    voice: false,
                },
                Attempt::Originate,
                Some(req.request),
            );
        }
        let plan = if first {
            dialing::first_dial(OP, &req.dest, &location, secure, caps)?
        } else {
            dialing::more_digits(OP, &req.dest, caps)?
        };
        let attempt = if plan.partial {
            Attempt::Partial
        } else if voice_by_semicolon {
            Attempt::Voice
        } else {
            Attempt::Originate
        };
        let command = Command::Dial {
            number: plan.number,
            voice: plan.partial || voice_by_semicolon,
        };
        if let Some(call) = self.call.as_mut() {
            call.partial = plan.partial;
            call.pending.push((req.request, OP));
            let dialed = match call.info.dialed.take() {
                Some(before) => format!("{}{}", before.trim_end_matches(';'), plan.dialed),
                None => plan.dialed,
            };
            call.info.dialed = Some(dialed);
        }
        self.send_attempt(command, attempt, Some(req.request))
    }

    fn answer(&mut self, req: CallRequest) -> Result<(), Error> {
        const OP: &str = "answer";
        self.usable(OP)?;
        let call = self.our_call(req.call, OP)?;
        let offered = call.direction == CallDirection::Inbound
            && matches!(
                call.state,
                CallStateChange::Offering(_) | CallStateChange::Accepted
            )
            && call.attempt.is_none()
            && call.class_command.is_none();
        if !offered || self.hangup.is_some() {
            return Err(self.refuse(
                LineErr::InvalCallState,
                OP,
                format!(
                    "only an OFFERING call can be answered; it is {}",
                    call.state
                ),
            ));
        }
        let media = call.info.media_mode;
        let class = self.class_for(media, true);
        self.ringing.last = None;
        if let Some(call) = self.call.as_mut() {
            call.pending.push((req.request, OP));
            call.span.in_scope(|| tracing::info!("answering"));
        }
        match class {
            Some(class) => {
                let id = self
                    .driver
                    .engine_mut()
                    .send(Command::SetServiceClass(class), self.clock.now())
                    .map_err(|e| self.refuse(LineErr::ResourceUnavail, OP, e.to_string()))?;
                if let Some(call) = self.call.as_mut() {
                    call.class_command = Some((id, Attempt::Answer));
                    call.next = Some((Command::Answer, Attempt::Answer, Some(req.request)));
                }
                Ok(())
            }
            None => self.send_attempt(Command::Answer, Attempt::Answer, Some(req.request)),
        }
    }

    fn drop_call(&mut self, req: CallRequest) -> Result<(), Error> {
        const OP: &str = "drop_call";
        let lost = self.lost;
        let command_mode = self.driver.engine().mode() == at::Mode::Command;
        let dropping = self.hangup.as_ref().is_some_and(|h| h.has_request());
        let call = self.our_call_mut(req.call, OP)?;
        if call.is_idle() || call.creating.is_some() || dropping {
            let why = if call.creating.is_some() {
                "the call is not placed yet".to_owned()
            } else if dropping {
                "a drop is already under way".to_owned()
            } else {
                format!("the call is {}", call.state)
            };
            return Err(Error::new(LineErr::InvalCallState)
                .operation(OP)
                .detail(why));
        }
        call.span.in_scope(|| tracing::info!("drop"));
        let offering = matches!(call.state, CallStateChange::Offering(_))
            && call.attempt.is_none()
            && call.class_command.is_none();
        let active = call.off_hook
            || call.attempt.is_some()
            || call.class_command.is_some()
            || !command_mode;
        if offering || lost || !active {
            if offering {
                // A modem cannot reject: the call is left to ring out, unannounced.
                self.ringing.ignore = true;
            }
            self.complete(req.request, Ok(()));
            self.emit(CallStateChange::Idle);
            return Ok(());
        }
        call.pending.push((req.request, OP));
        self.start_hangup(Some(req.request), true);
        Ok(())
    }

    fn secure(&mut self, req: SecureCall) -> Result<(), Error> {
        const OP: &str = "secure_call";
        let offer = self.offer.clone();
        let port = self.port.clone();
        let call = self.our_call_mut(req.call, OP)?;
        if secure_decision(call, &offer).map_err(|e| e.device(port))? == Secure::Now {
            call.mark_secure();
            call.span
                .in_scope(|| tracing::info!("secured: the next dial carries the cancel code"));
            self.complete(req.request, Ok(()));
            self.info_changed(CallInfoStates::OTHER);
        } else {
            self.complete(req.request, Ok(()));
        }
        Ok(())
    }

    fn close_call(&mut self, handle: CallHandle, reply: Reply<()>) {
        if self.call.as_ref().is_none_or(|c| c.handle != handle) {
            // A pending or failed call, or one already forgotten: a harmless no-op.
            answer(reply, Ok(()));
            return;
        }
        let command_mode = self.driver.engine().mode() == at::Mode::Command;
        let active = self.call.as_ref().is_some_and(|c| {
            c.off_hook || c.attempt.is_some() || c.class_command.is_some() || !command_mode
        });
        self.fail_pending("the call was closed");
        if let Some(h) = self.hangup.as_mut() {
            h.silence();
        }
        self.forget_call();
        if active && !self.lost {
            // CLOSEDROP: hang up, silently, before close_call returns.
            self.start_hangup(None, false);
        }
        self.wait_for_hangup(reply);
    }

    fn get_id(&mut self, select: Select, class: &str) -> Result<DeviceIdValue, Error> {
        const OP: &str = "get_id";
        let class = DeviceClass::new(class);
        if let Select::Call(handle) = select {
            self.our_call(handle, OP)?;
        }
        if class.is(DeviceClass::TAPI_LINE) {
            return Ok(DeviceIdValue::Number(self.device.0));
        }
        if class.is(DeviceClass::COMM) || class.is(DeviceClass::COMM_DATAMODEM_PORTNAME) {
            return Ok(DeviceIdValue::Name(self.port.clone()));
        }
        if let Some(direction) = [audio::Direction::Play, audio::Direction::Record]
            .into_iter()
            .find(|d| self.classes.voice() && class.is(d.class()))
        {
            let Select::Call(handle) = select else {
                return Err(self.refuse(
                    LineErr::InvalCallSelect,
                    OP,
                    format!("{class} gives a voice call's audio: select the call"),
                ));
            };
            return self.start_audio(handle, direction);
        }
        if !class.is(DeviceClass::COMM_DATAMODEM) {
            return Err(self.refuse(
                LineErr::NoDevice,
                OP,
                format!("a modem line has no device of class {class}"),
            ));
        }
        let Select::Call(handle) = select else {
            return Err(self.refuse(
                LineErr::InvalCallSelect,
                OP,
                "comm/datamodem gives a call's data stream: select the call",
            ));
        };
        let call = self.our_call(handle, OP)?;
        if !call.is_connected() || !call.wants_carrier() {
            let why = format!(
                "the data stream exists only while a data or fax call is CONNECTED; the call is {}",
                call.state
            );
            return Err(self.refuse(LineErr::InvalCallState, OP, why));
        }
        let port = self.port.clone();
        const ALREADY: &str = "the call's data stream is already handed out";
        if self.driver.is_lent() {
            return Err(self.refuse(LineErr::ResourceUnavail, OP, ALREADY));
        }
        // Unimodem's way, where the port has DCD to watch: the port itself, lent.
        if self.driver.can_lend()
            && let Some(unread) = self
                .data
                .as_mut()
                .and_then(super::DataPath::take_for_lending)
            && let Some(lent) = self.driver.lend(unread)
        {
            return Ok(DeviceIdValue::DataStream {
                stream: Box::new(lent),
                port,
            });
        }
        let stream = self
            .data
            .as_mut()
            .and_then(super::DataPath::take_stream)
            .ok_or_else(|| self.refuse(LineErr::ResourceUnavail, OP, ALREADY))?;
        Ok(DeviceIdValue::DataStream {
            stream: Box::new(stream),
            port,
        })
    }

    fn close(&mut self, reply: Reply<()>) {
        let command_mode = self.driver.engine().mode() == at::Mode::Command;
        let active = self.call.as_ref().is_some_and(|c| {
            c.off_hook || c.attempt.is_some() || c.class_command.is_some() || !command_mode
        }) || self.hangup.is_some();
        self.fail_pending("the line was closed");
        if let Some(h) = self.hangup.as_mut() {
            h.silence();
        }
        self.forget_call();
        self.closing = Some((reply, self.clock.now()));
        if active && !self.lost {
            // CLOSEDROP.
            self.start_hangup(None, false);
        } else {
            self.done = true;
        }
    }
}
