//! [`SimProvider`]: a second implementation of the `tsp-sdk` contract, straight on the simulated
//! exchange (no modem, no AT commands).
//!
//! Each provider line is a terminal plugged into an exchange line. It behaves as a modem line does
//! to TAPI: data, fax and voice calls; dialing with `T`/`P`, pauses and flash; caller ID into call
//! info; secure calls by dialing the line's cancel-call-waiting code first; and it suffers the same
//! threat — a call-waiting tone drops an unsecured data call. Use it as a reference next to the
//! modem provider, and to test applications and the host without a modem in the loop.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! use std::time::Instant;
//! use tsp_sim::exchange::LineConfig;
//! use tsp_sim::network::Network;
//! use tsp_sim::provider::{LineOptions, SimProvider};
//! use tsp_sim::sim::Sim;
//!
//! let mut network = Network::builder().build(Instant::now());
//! let line = network.add_line(LineConfig::new("5550100").call_waiting(true));
//! let sim = Sim::start(network);
//! let provider = SimProvider::new(sim)
//!     .with_line(line, LineOptions::new("5550100").cancel_call_waiting("*70"))
//!     .expect("the line is free");
//! # let _ = provider;
//! # }
//! ```

mod call;
mod line;
mod stream;

use std::sync::Mutex;

use tsp_sdk::dial::{DialCaps, DialElement, DialString};
use tsp_sdk::kit::{CallDirection, LineOffer, Secure, check_make_call, secure_decision};
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::*;
use tsp_sdk::{
    AddressStates, CallInfoStates, CallOrigin, CallParamFlags, DigitModes, Error, LineDevStates,
    LineErr, LineFeatures, MediaModes, Result, Version,
};

use crate::line::{LineAction, LineId};
use crate::network::NetworkError;
use crate::sim::Sim;
use call::{Call, Dialing};
use line::{DIAL_TONE_WAIT, LineState, ProviderTerminal, SharedLine, Timer};

/// How a provider line is set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOptions {
    /// The line's own number.
    pub number: String,
    /// The code that cancels call waiting for one call (`*70`), if the line's location has one.
    /// Without it the address does not advertise SECURE and secure calls are refused.
    pub cancel_call_waiting: Option<String>,
}

impl LineOptions {
    /// A line with this number and no cancel-call-waiting code.
    pub fn new(number: impl Into<String>) -> Self {
        LineOptions {
            number: number.into(),
            cancel_call_waiting: None,
        }
    }

    /// Sets the cancel-call-waiting code.
    #[must_use]
    pub fn cancel_call_waiting(mut self, code: impl Into<String>) -> Self {
        self.cancel_call_waiting = Some(code.into());
        self
    }
}

/// The simulated provider (see the [module docs](self)).
pub struct SimProvider {
    sim: Sim,
    lines: Vec<SharedLine>,
    sink: Mutex<Option<EventSink>>,
    /// Where a line or call handle was last found: checked first, so a thousand lines are not
    /// searched on every request (a stale hint is noticed and the search done).
    hints: Mutex<Hints>,
}

#[derive(Debug, Default)]
struct Hints {
    lines: std::collections::HashMap<LineHandle, usize>,
    calls: std::collections::HashMap<CallHandle, usize>,
}

impl std::fmt::Debug for SimProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimProvider")
            .field("lines", &self.lines.len())
            .finish_non_exhaustive()
    }
}

fn err(kind: LineErr, detail: impl Into<String>) -> Error {
    Error::new(kind).detail(detail.into())
}

impl SimProvider {
    /// A provider with no lines yet, on a running simulation.
    pub fn new(sim: Sim) -> Self {
        SimProvider {
            sim,
            lines: Vec::new(),
            sink: Mutex::new(None),
            hints: Mutex::new(Hints::default()),
        }
    }

    /// Plugs a provider line into the exchange line `line` (added with `Network::add_line`). Lines
    /// become devices `0, 1, …` in the order they are added.
    pub fn with_line(mut self, line: LineId, options: LineOptions) -> Result<Self, NetworkError> {
        let shared = SharedLine::new(
            line,
            options.number,
            options.cancel_call_waiting.filter(|c| !c.is_empty()),
        );
        let terminal = ProviderTerminal(shared.clone());
        self.sim
            .with(|network, _| network.attach_terminal(line, terminal))?;
        self.lines.push(shared);
        Ok(self)
    }

    /// The simulation the provider runs on.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Fault: the terminal of line device `device` is unplugged (`present: false`, as a USB
    /// modem pulled out) or plugged back in (`true`).
    ///
    /// Unplugging an open line ends its call (DISCONNECTED with `LINEDISCONNECTMODE_UNAVAIL`,
    /// then IDLE; the far end hears the line go on hook) and asks the host to close the line
    /// (`LINE_CLOSE`, T§4). While unplugged, `open` answers `LINEERR_NODEVICE`. Requests of this
    /// provider always complete before they return, so none is left pending. An unknown device
    /// is ignored.
    pub fn set_line_present(&self, device: u32, present: bool) {
        let Some(line) = self.lines.get(device as usize) else {
            return;
        };
        {
            let mut state = line.lock();
            if state.absent != present {
                return;
            }
            state.absent = !present;
            if present {
                return;
            }
            if state.call.as_ref().is_some_and(|c| !c.is_idle()) {
                state.hang_up();
                if !matches!(
                    state.call.as_ref().map(|c| c.state),
                    Some(CallStateChange::Disconnected(_))
                ) {
                    state.set_state(CallStateChange::Disconnected(
                        tsp_sdk::DisconnectMode::UNAVAIL,
                    ));
                }
                state.set_state(CallStateChange::Idle);
            }
            if let (Some(handle), Some(sink)) = (state.handle, &state.sink)
                && let Err(v) = sink.request_close(handle)
            {
                tracing::error!(%v, "sim provider: close request refused");
            }
        }
        self.settle_line(line);
    }

    fn device(&self, device: DeviceId) -> Result<&SharedLine> {
        self.lines.get(device.0 as usize).ok_or_else(|| {
            err(
                LineErr::BadDeviceId,
                format!("{device} is not one of {} sim lines", self.lines.len()),
            )
        })
    }

    fn hints(&self) -> std::sync::MutexGuard<'_, Hints> {
        self.hints.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn line(&self, handle: LineHandle) -> Result<&SharedLine> {
        let hint = self.hints().lines.get(&handle).copied();
        if let Some(line) = hint.and_then(|i| self.lines.get(i))
            && line.lock().handle == Some(handle)
        {
            return Ok(line);
        }
        let found = self
            .lines
            .iter()
            .position(|l| l.lock().handle == Some(handle))
            .ok_or_else(|| err(LineErr::InvalLineHandle, format!("{handle} is not open")))?;
        self.hints().lines.insert(handle, found);
        Ok(&self.lines[found])
    }

    fn call_line(&self, handle: CallHandle) -> Result<&SharedLine> {
        let hint = self.hints().calls.get(&handle).copied();
        if let Some(line) = hint.and_then(|i| self.lines.get(i))
            && line.lock().call_handle() == Some(handle)
        {
            return Ok(line);
        }
        let found = self
            .lines
            .iter()
            .position(|l| l.lock().call_handle() == Some(handle))
            .ok_or_else(|| {
                self.hints().calls.remove(&handle);
                err(
                    LineErr::InvalCallHandle,
                    format!("{handle} is not a call on these lines"),
                )
            })?;
        let mut hints = self.hints();
        if hints.calls.len() > 4 * self.lines.len() + 64 {
            hints.calls.clear(); // forget handles of calls long gone
        }
        hints.calls.insert(handle, found);
        Ok(&self.lines[found])
    }

    /// Lets the network deliver what the provider queued on every line.
    fn settle(&self) {
        self.sim.with(|network, now| network.settle(now));
    }

    /// Lets the network deliver what the provider queued on one line (the network then looks at
    /// that line and whatever it sets moving, not at every line).
    fn settle_line(&self, line: &SharedLine) {
        let id = line.lock().line;
        self.sim.with(|network, now| network.settle_line(id, now));
    }

    fn complete(&self, line: &LineState, request: RequestId, result: Result<()>) {
        if let Some(sink) = &line.sink
            && let Err(v) = sink.complete(request, result)
        {
            tracing::error!(%v, "sim provider: completion refused");
        }
    }
}

/// Turns a dial string into line actions, with the cancel code first when securing.
fn dial_steps(parsed: &DialString, cancel_code: Option<&str>) -> Result<Vec<LineAction>> {
    let mut steps = Vec::new();
    let mut run = String::new();
    let push_elements =
        |elements: &[DialElement], run: &mut String, steps: &mut Vec<LineAction>| {
            for element in elements {
                match element {
                    DialElement::Digit(d) => run.push(d.as_char()),
                    DialElement::Flash => {
                        if !run.is_empty() {
                            steps.push(LineAction::Digits(std::mem::take(run)));
                        }
                        steps.push(LineAction::Flash);
                    }
                    _ => {
                        if !run.is_empty() {
                            steps.push(LineAction::Digits(std::mem::take(run)));
                        }
                    }
                }
            }
        };
    if let Some(code) = cancel_code {
        let code = DialString::parse(code)?;
        push_elements(code.first().elements(), &mut run, &mut steps);
        if !run.is_empty() {
            steps.push(LineAction::Digits(std::mem::take(&mut run)));
        }
    }
    push_elements(parsed.first().elements(), &mut run, &mut steps);
    if !run.is_empty() {
        steps.push(LineAction::Digits(run));
    }
    Ok(steps)
}

impl Provider for SimProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "tsp-sim".into(),
            min_version: Version::V1_4,
            max_version: Version::V3_1,
            // Derived from the lines' offers, so the caps cannot promise more.
            capabilities: LineOffer::capabilities(
                &self
                    .lines
                    .iter()
                    .map(|l| l.lock().offer())
                    .collect::<Vec<_>>(),
            ),
        }
    }

    async fn enumerate_devices(&self) -> Result<u32> {
        Ok(self.lines.len() as u32)
    }

    async fn init(&self, init: Init) -> Result<ProviderOptions> {
        let mut sink = self.sink.lock().unwrap_or_else(|p| p.into_inner());
        if sink.is_none() {
            *sink = Some(init.sink);
        }
        Ok(ProviderOptions::default())
    }

    async fn shutdown(&self) -> Result<()> {
        for line in &self.lines {
            let mut state = line.lock();
            state.hang_up();
            state.call = None;
            state.handle = None;
            state.sink = None;
            state.detect = MediaModes::empty();
        }
        self.settle();
        *self.sink.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    async fn line_caps(&self, device: DeviceId, _version: Version) -> Result<LineDevCaps> {
        Ok(self.device(device)?.lock().offer().line_caps(device))
    }

    async fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        _version: Version,
    ) -> Result<AddressCaps> {
        let line = self.device(device)?.lock();
        if address != AddressId(0) {
            return Err(err(
                LineErr::InvalAddressId,
                format!("{address}: a sim line has only address 0"),
            ));
        }
        Ok(line.offer().address_caps())
    }

    async fn open(&self, open: OpenLine) -> Result<()> {
        let sink = self.sink.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let sink = sink.ok_or_else(|| err(LineErr::Uninitialized, "init was not called"))?;
        let mut line = self.device(open.device)?.lock();
        if line.absent {
            return Err(err(
                LineErr::NoDevice,
                format!("{} is unplugged", open.device),
            ));
        }
        if line.handle.is_some() {
            return Err(err(
                LineErr::Allocated,
                format!("{} is already open", open.device),
            ));
        }
        line.handle = Some(open.line);
        line.sink = Some(sink);
        line.rings = 0;
        Ok(())
    }

    async fn close(&self, handle: LineHandle) -> Result<()> {
        let line = self.line(handle)?;
        {
            let mut state = line.lock();
            state.hang_up(); // CLOSEDROP
            state.call = None;
            state.handle = None;
            state.sink = None;
            state.detect = MediaModes::empty();
        }
        self.settle_line(line);
        Ok(())
    }

    async fn line_status(&self, handle: LineHandle) -> Result<LineDevStatus> {
        let line = self.line(handle)?.lock();
        let busy = line.call.as_ref().is_some_and(|c| !c.is_idle());
        let features = if line.call.is_none() {
            LineFeatures::MAKECALL
        } else {
            LineFeatures::empty()
        };
        Ok(LineDevStatus::new(u32::from(busy), features, true, true))
    }

    async fn set_default_media_detection(
        &self,
        handle: LineHandle,
        modes: MediaModes,
    ) -> Result<()> {
        let line = self.line(handle)?;
        line.lock().offer().check_detection(modes)?;
        line.lock().detect = modes;
        Ok(())
    }

    async fn set_status_messages(
        &self,
        handle: LineHandle,
        states: LineDevStates,
        addr: AddressStates,
    ) -> Result<()> {
        self.line(handle)?;
        tsp_sdk::kit::check_status_messages(states, addr)
    }

    async fn get_id(&self, request: GetId) -> Result<DeviceIdValue> {
        if request.class.is(DeviceClass::TAPI_LINE) {
            let line = match request.select {
                Select::Line(l) | Select::Address(l, _) => self.line(l)?,
                Select::Call(c) => self.call_line(c)?,
            };
            let index = self
                .lines
                .iter()
                .position(|l| std::ptr::eq(l, line))
                .unwrap_or_default();
            return Ok(DeviceIdValue::Number(index as u32));
        }
        if !request.class.is(DeviceClass::COMM_DATAMODEM) {
            return Err(err(
                LineErr::NoDevice,
                format!("a sim line has no device of class {}", request.class),
            ));
        }
        let Select::Call(handle) = request.select else {
            return Err(err(
                LineErr::InvalCallSelect,
                "comm/datamodem gives a call's stream: select the call",
            ));
        };
        let line = self.call_line(handle)?;
        let rx = {
            let mut state = line.lock();
            let Some(call) = state.call.as_mut() else {
                return Err(err(LineErr::InvalCallHandle, "no call"));
            };
            if !matches!(call.state, CallStateChange::Connected(_)) || !call.wants_carrier() {
                return Err(err(
                    LineErr::InvalCallState,
                    format!(
                        "the data stream exists only on a CONNECTED data call; the call is {}",
                        call.state
                    ),
                ));
            }
            call.data_rx.take().ok_or_else(|| {
                err(
                    LineErr::ResourceUnavail,
                    "the call's stream was already handed out",
                )
            })?
        };
        let stream = stream::open(self.sim.clone(), line.clone(), rx);
        let port = format!("sim:{}", line.lock().line);
        Ok(DeviceIdValue::DataStream {
            stream: Box::new(stream),
            port,
        })
    }

    async fn make_call(&self, request: MakeCall) -> Result<()> {
        let line = self.line(request.line)?;
        let (offer, cancel_code) = {
            let state = line.lock();
            (state.offer(), state.cancel_code.clone())
        };
        let checked = check_make_call(&request, &offer)?;
        let code = if checked.secure {
            cancel_code.as_deref()
        } else {
            None
        };
        let steps = checked
            .dest
            .as_ref()
            .map(|dest| dial_steps(dest, code).map(|steps| (steps, checked.partial)))
            .transpose()?;
        let params = &request.params;
        let now = self.sim.now();
        {
            let mut state = line.lock();
            if state.call.is_some() {
                return Err(err(
                    LineErr::CallUnavail,
                    "a sim line has one call at a time",
                ));
            }
            let device = self
                .lines
                .iter()
                .position(|l| std::ptr::eq(l, line))
                .unwrap_or_default();
            let mut info =
                CallInfo::new(DeviceId(device as u32), CallOrigin::OUTBOUND, checked.media);
            info.call_param_flags = params.flags & CallParamFlags::SECURE;
            info.bearer_mode = params.bearer_mode;
            info.dialed = request.dest.clone();
            let mut call = Call::new(request.call, CallDirection::Outbound, info);
            let (steps, partial) = steps.unwrap_or_default();
            call.partial = partial;
            // The digits are committed now: too late to add a cancel code.
            call.digits_sent = !steps.is_empty();
            call.dialing = Dialing::AwaitingDialTone(steps);
            state.call = Some(call);
            // Complete before the first state event (T§1.2); states follow as the exchange answers.
            self.complete(&state, request.request, Ok(()));
            state.outbox.push_back(LineAction::OffHook);
            state.deadline = Some((now + DIAL_TONE_WAIT, Timer::DialTone));
        }
        self.settle_line(line);
        Ok(())
    }

    async fn dial(&self, request: Dial) -> Result<()> {
        let line = self.call_line(request.call)?;
        let now = self.sim.now();
        {
            let mut state = line.lock();
            let cancel = state.cancel_code.clone();
            let Some(call) = state.call.as_mut() else {
                return Err(err(LineErr::InvalCallHandle, "no call"));
            };
            let dialable = matches!(call.state, CallStateChange::DialTone(_))
                || (call.state == CallStateChange::Dialing && call.partial);
            if !dialable {
                return Err(err(
                    LineErr::InvalCallState,
                    format!("cannot dial on a call that is {}", call.state),
                ));
            }
            let first = call.dialing == Dialing::Ready;
            let code = if call.is_secure() && first {
                cancel.as_deref()
            } else {
                None
            };
            let (steps, partial) = if request.dest.is_empty() {
                (Vec::new(), false)
            } else {
                let dest = DialString::parse_checked(&request.dest, DialCaps::default())?;
                (dial_steps(&dest, code)?, dest.is_partial())
            };
            call.partial = partial;
            call.digits_sent |= !steps.is_empty();
            self.complete(&state, request.request, Ok(()));
            state.dial_now(steps, now);
        }
        self.settle_line(line);
        Ok(())
    }

    async fn answer(&self, request: CallRequest) -> Result<()> {
        let line = self.call_line(request.call)?;
        {
            let mut state = line.lock();
            let offering = state.call.as_ref().is_some_and(|c| {
                matches!(
                    c.state,
                    CallStateChange::Offering(_) | CallStateChange::Accepted
                )
            });
            if !offering {
                let now = state
                    .call
                    .as_ref()
                    .map(|c| c.state.to_string())
                    .unwrap_or_default();
                return Err(err(
                    LineErr::InvalCallState,
                    format!("only an OFFERING call can be answered; it is {now}"),
                ));
            }
            self.complete(&state, request.request, Ok(()));
            state.answer();
        }
        self.settle_line(line);
        Ok(())
    }

    async fn drop_call(&self, request: CallRequest) -> Result<()> {
        let line = self.call_line(request.call)?;
        let exchange_line;
        {
            let mut state = line.lock();
            let Some(call) = state.call.as_ref() else {
                return Err(err(LineErr::InvalCallHandle, "no call"));
            };
            if call.is_idle() {
                return Err(err(LineErr::InvalCallState, "the call is already IDLE"));
            }
            let offering = matches!(call.state, CallStateChange::Offering(_));
            exchange_line = offering.then_some(state.line);
            self.complete(&state, request.request, Ok(()));
            if !offering {
                state.hang_up();
            }
            state.set_state(CallStateChange::Idle);
        }
        if let Some(exchange_line) = exchange_line {
            // Dropping an offered call rejects it (T§1.5).
            let _ = self
                .sim
                .with(|network, now| network.reject(exchange_line, now));
        }
        self.settle_line(line);
        Ok(())
    }

    async fn secure_call(&self, request: SecureCall) -> Result<()> {
        let line = self.call_line(request.call)?;
        let mut state = line.lock();
        let offer = state.offer();
        let Some(call) = state.call.as_mut() else {
            return Err(err(LineErr::InvalCallHandle, "no call"));
        };
        if secure_decision(call, &offer)? == Secure::Now {
            call.mark_secure();
            self.complete(&state, request.request, Ok(()));
            state.call_info_changed(CallInfoStates::OTHER);
        } else {
            self.complete(&state, request.request, Ok(()));
        }
        Ok(())
    }

    async fn close_call(&self, handle: CallHandle) -> Result<()> {
        let Ok(line) = self.call_line(handle) else {
            return Ok(());
        }; // pending or failed: a no-op
        {
            let mut state = line.lock();
            if state.call.as_ref().is_some_and(|c| !c.is_idle()) {
                state.hang_up(); // CLOSEDROP
            }
            state.call = None;
            state.deadline = None;
        }
        self.settle_line(line);
        Ok(())
    }

    async fn call_info(&self, handle: CallHandle) -> Result<CallInfo> {
        let line = self.call_line(handle)?.lock();
        line.call
            .as_ref()
            .map(|c| c.info.clone())
            .ok_or_else(|| err(LineErr::InvalCallHandle, "no call"))
    }

    async fn call_status(&self, handle: CallHandle) -> Result<CallStatus> {
        let line = self.call_line(handle)?.lock();
        let call = line
            .call
            .as_ref()
            .ok_or_else(|| err(LineErr::InvalCallHandle, "no call"))?;
        Ok(CallStatus {
            state: call.state,
            features: call.features(&line.offer()),
        })
    }

    async fn monitor_digits(&self, _call: CallHandle, _modes: DigitModes) -> Result<()> {
        Err(err(
            LineErr::OperationUnavail,
            "sim lines do not detect digits",
        ))
    }
}
