//! [`ModemProvider`]: the reference TAPI-style provider for Hayes AT modems (T§9.4), on top of the
//! sans-IO [AT engine](crate::at) and the [transport](crate::transport).
//!
//! Each line is one modem on one port ([`ModemLineConfig`]). `open` opens the port, resets and
//! identifies the modem and initialises it for its [profile](crate::profile); one task per open
//! line then owns the port and the engine, and the provider's operations talk to it through a
//! channel. `close` and `shutdown` complete everything pending, hang up (CLOSEDROP) and close the
//! port, so it can be opened again at once; no task outlives them.
//!
//! | modem | TAPI |
//! |---|---|
//! | `ATD` written | make_call completes, then DIALING (DIALTONE for `ATD;` with no number) |
//! | `ATD…;` + `OK` (voice, a modem without `+FCLASS=8`) | PROCEEDING |
//! | `+FCLASS=8`, `ATD…` + `OK` (voice, V.253: the far end answered) | CONNECTED(ACTIVE) |
//! | `monitor_digits` / `<DLE>5` | `LINE_MONITORDIGITS` (see the task's `digits` module) |
//! | `generate_digits` / `AT+VTS=…` + `OK` | `LINE_GENERATE` DONE (CANCEL when replaced) |
//! | `<DLE>b` / `<DLE>d` on a connected voice call | DISCONNECTED(NORMAL) |
//! | `CONNECT [rate]` | CONNECTED(ACTIVE), rate in call info, CallInfo(RATE); `comm/datamodem` stream |
//! | `BUSY` | BUSY(UNKNOWN), DISCONNECTED(BUSY) |
//! | `NO ANSWER` / `NO DIALTONE` | DISCONNECTED(NOANSWER / NODIALTONE) |
//! | `NO CARRIER` before / after CONNECT | DISCONNECTED(NOANSWER after the whole S7 wait, else UNAVAIL) / DISCONNECTED(NORMAL) |
//! | `DELAYED` / `BLACKLISTED` | DISCONNECTED(TEMPFAILURE / BLOCKED) |
//! | `ERROR` to `ATD` | make_call fails if it has not completed, else DISCONNECTED(UNAVAIL) |
//! | `RING` | NewCall + OFFERING for a detected media mode; LineDevState(RINGING, 1, n) per ring |
//! | caller ID | CallInfo(CALLERID) |
//! | answer | `+FCLASS`, `ATA`; completes when `ATA` is written; CONNECTED |
//! | drop | DTR drop (or abort / `+++`), `ATH`, completes, IDLE |
//! | port error | DISCONNECTED(UNAVAIL), IDLE, pending requests fail, LINE_CLOSE |
//! | no result to a command in its time | the command's request fails; once the line is quiet: DTR drop, `ATZ`, the init again |
//! | no result to that reset either | LineDevState(OUTOFSERVICE); make_call/answer: INVALLINESTATE; a reset every 30 s (modem time) |
//! | the reset answered, the init done | LineDevState(INSERVICE) |
//! | `ERROR` to a multi-command init line | its commands one per line: the refused one named, dropped (generic profile) or fatal (known family) |
//!
//! Secure calls: the address advertises SECURE only when the line's location has a
//! cancel-call-waiting code; make_call with SECURE dials the code right after `T`/`P`
//! (`ATDT*70,5550100`); `secure_call` works until digits go out.
//!
//! A modem cannot reject a ringing call: dropping an OFFERING call ends it locally and leaves the
//! rings unannounced until they stop.

mod call;
pub mod config;
pub mod config_check;
mod dialing;
mod line_config;
mod offer;
mod outcome;
mod request;
mod task;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tracing::Instrument;
use tsp_sdk::kit::LineOffer;
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::{
    AddressCaps, AddressId, CallHandle, CallInfo, CallRequest, CallStatus, DeviceId, DeviceIdValue,
    Dial, GenerateDigits, GetId, Init, LineDevCaps, LineDevStatus, LineHandle, MakeCall, OpenLine,
    Provider, ProviderInfo, ProviderOptions, SecureCall, Select,
};
use tsp_sdk::{
    AddressStates, DigitModes, Error, LineDevStates, LineErr, MediaModes, Result, Version,
};

pub use line_config::ModemLineConfig;

use crate::profile::{Identity, Profile};
use request::{Reply, Request};
use task::{CallMap, LineTask, Setup};

/// What [`probe`] found: the modem's own answers and the profile tsp-modem picks for it.
#[derive(Debug, Clone)]
pub struct Probe {
    /// The answers to `ATI0`, `ATI3`, `+GMI`, `+GMM`, `+GMR` and `+FCLASS=?`.
    pub identity: crate::profile::Identity,
    /// The profile: init lines, caller-ID command, quirks, dial modifiers.
    pub profile: crate::profile::Profile,
}

/// Opens the line's port, resets and identifies the modem exactly as `open` does, and releases the
/// port again.
///
/// # Errors
/// As `open`: `ALLOCATED` for a busy port, `NODEVICE` for an absent or silent one, each naming the
/// port and the step.
pub async fn probe(config: &ModemLineConfig) -> tsp_sdk::Result<Probe> {
    let opened = task::open::open(config).await?;
    Ok(Probe {
        identity: opened.identity,
        profile: opened.profile,
    })
}

/// The provider (see the [module docs](self)).
pub struct ModemProvider {
    slots: Vec<Slot>,
    sink: Mutex<Option<EventSink>>,
    calls: CallMap,
}

struct Slot {
    config: ModemLineConfig,
    state: Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    /// Opening or open.
    busy: bool,
    open: Option<Running>,
    /// What the modem said the last time the line was opened.
    known: Option<(Identity, Profile)>,
}

struct Running {
    handle: LineHandle,
    tx: mpsc::UnboundedSender<Request>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for ModemProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModemProvider")
            .field(
                "lines",
                &self.slots.iter().map(|s| &s.config).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section is a few assignments; a poisoned lock still guards consistent data.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn gone(operation: &'static str) -> Error {
    Error::new(LineErr::OperationFailed)
        .operation(operation)
        .detail("the line's task has ended")
}

impl ModemProvider {
    /// A provider with these lines; they become devices `0, 1, …` in this order. Nothing is
    /// opened until a line is.
    pub fn new(lines: Vec<ModemLineConfig>) -> Self {
        ModemProvider {
            slots: lines
                .into_iter()
                .map(|config| Slot {
                    config,
                    state: Mutex::new(SlotState::default()),
                })
                .collect(),
            sink: Mutex::new(None),
            calls: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    fn slot(&self, device: DeviceId, operation: &'static str) -> Result<&Slot> {
        self.slots.get(device.0 as usize).ok_or_else(|| {
            Error::new(LineErr::BadDeviceId)
                .operation(operation)
                .detail(format!(
                    "{device} is not one of this provider's {} lines",
                    self.slots.len()
                ))
        })
    }

    fn line_tx(
        &self,
        line: LineHandle,
        operation: &'static str,
    ) -> Result<mpsc::UnboundedSender<Request>> {
        self.slots
            .iter()
            .find_map(|s| {
                lock(&s.state)
                    .open
                    .as_ref()
                    .filter(|r| r.handle == line)
                    .map(|r| r.tx.clone())
            })
            .ok_or_else(|| {
                Error::new(LineErr::InvalLineHandle)
                    .operation(operation)
                    .detail(format!("{line} is not open"))
            })
    }

    fn call_tx(
        &self,
        call: CallHandle,
        operation: &'static str,
    ) -> Result<mpsc::UnboundedSender<Request>> {
        let device = lock(&self.calls).get(&call).copied();
        let tx = device.and_then(|d| {
            self.slots
                .get(d as usize)
                .and_then(|s| lock(&s.state).open.as_ref().map(|r| r.tx.clone()))
        });
        tx.ok_or_else(|| {
            Error::new(LineErr::InvalCallHandle)
                .operation(operation)
                .detail(format!("{call} is not a call on these lines"))
        })
    }

    async fn ask<T>(
        tx: mpsc::UnboundedSender<Request>,
        operation: &'static str,
        make: impl FnOnce(Reply<T>) -> Request,
    ) -> Result<T> {
        let (reply, rx) = oneshot::channel();
        tx.send(make(reply)).map_err(|_| gone(operation))?;
        rx.await.map_err(|_| gone(operation))?
    }

    /// What the line offers, from what its modem is known to be.
    fn offer(&self, slot: &Slot) -> LineOffer {
        let (identity, profile) = self.known(slot);
        offer::modem_offer(&slot.config, identity.as_ref(), &profile)
    }

    /// What the line's modem is known to be: from its last open, or the configured profile, or
    /// the generic one.
    fn known(&self, slot: &Slot) -> (Option<Identity>, Profile) {
        if let Some((identity, profile)) = lock(&slot.state).known.clone() {
            return (Some(identity), profile);
        }
        let profile = slot
            .config
            .profile
            .as_deref()
            .and_then(Profile::by_name)
            .unwrap_or_else(Profile::generic);
        (None, profile)
    }

    async fn close_running(running: Running) {
        let (reply, rx) = oneshot::channel();
        if running.tx.send(Request::Close(reply)).is_ok()
            && let Ok(Err(e)) = rx.await
        {
            tracing::warn!(error = %e, "close");
        }
        if let Err(e) = running.task.await {
            tracing::error!(error = %e, "line task failed");
        }
    }
}

impl Provider for ModemProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "tsp-modem".into(),
            min_version: Version::V1_3,
            max_version: Version::V3_1,
            // Derived from the lines' offers, so the caps cannot promise more.
            capabilities: LineOffer::capabilities(
                &self.slots.iter().map(|s| self.offer(s)).collect::<Vec<_>>(),
            ),
        }
    }

    async fn enumerate_devices(&self) -> Result<u32> {
        Ok(self.slots.len() as u32)
    }

    async fn init(&self, init: Init) -> Result<ProviderOptions> {
        let mut sink = lock(&self.sink);
        if sink.is_none() {
            *sink = Some(init.sink);
        }
        Ok(ProviderOptions::default())
    }

    async fn shutdown(&self) -> Result<()> {
        for slot in &self.slots {
            let running = {
                let mut state = lock(&slot.state);
                state.busy = false;
                state.open.take()
            };
            if let Some(running) = running {
                Self::close_running(running).await;
            }
        }
        lock(&self.calls).clear();
        *lock(&self.sink) = None;
        Ok(())
    }

    async fn line_caps(&self, device: DeviceId, _version: Version) -> Result<LineDevCaps> {
        let slot = self.slot(device, "line_caps")?;
        Ok(self.offer(slot).line_caps(device))
    }

    async fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        _version: Version,
    ) -> Result<AddressCaps> {
        let slot = self.slot(device, "address_caps")?;
        if address != AddressId(0) {
            return Err(Error::new(LineErr::InvalAddressId)
                .operation("address_caps")
                .detail(format!("{address}: a modem line has only address 0")));
        }
        Ok(self.offer(slot).address_caps())
    }

    async fn open(&self, open: OpenLine) -> Result<()> {
        let sink = lock(&self.sink).clone().ok_or_else(|| {
            Error::new(LineErr::Uninitialized)
                .operation("open")
                .detail("init was not called")
        })?;
        let slot = self.slot(open.device, "open")?;
        {
            let mut state = lock(&slot.state);
            if state.busy {
                return Err(Error::new(LineErr::Allocated)
                    .operation("open")
                    .device(slot.config.opener.name())
                    .detail(format!("{} is already open", open.device)));
            }
            state.busy = true;
        }
        let opened = match task::open(&slot.config).await {
            Ok(opened) => opened,
            Err(e) => {
                lock(&slot.state).busy = false;
                tracing::warn!(line = %slot.config.name, error = %e, "open failed");
                return Err(e);
            }
        };
        let known = (opened.identity.clone(), opened.profile.clone());
        let offer = offer::modem_offer(&slot.config, Some(&opened.identity), &opened.profile);
        let (tx, rx) = mpsc::unbounded_channel();
        let setup = Setup {
            name: slot.config.name.clone(),
            line: open.line,
            device: open.device,
            version: open.version,
            sink,
            location: slot.config.location.clone(),
            offer,
            calls: self.calls.clone(),
            rx,
        };
        let span = tracing::info_span!("line", line = %slot.config.name);
        let task = tokio::spawn(LineTask::new(setup, opened).run().instrument(span));
        let mut state = lock(&slot.state);
        state.known = Some(known);
        state.open = Some(Running {
            handle: open.line,
            tx,
            task,
        });
        Ok(())
    }

    async fn close(&self, line: LineHandle) -> Result<()> {
        let found = self.slots.iter().enumerate().find_map(|(i, s)| {
            let mut state = lock(&s.state);
            if state.open.as_ref().is_some_and(|r| r.handle == line) {
                state.open.take().map(|r| (i, s, r))
            } else {
                None
            }
        });
        let Some((index, slot, running)) = found else {
            return Err(Error::new(LineErr::InvalLineHandle)
                .operation("close")
                .detail(format!("{line} is not open")));
        };
        Self::close_running(running).await;
        lock(&self.calls).retain(|_, device| *device as usize != index);
        lock(&slot.state).busy = false;
        Ok(())
    }

    async fn line_status(&self, line: LineHandle) -> Result<LineDevStatus> {
        let tx = self.line_tx(line, "line_status")?;
        Self::ask(tx, "line_status", Request::LineStatus).await
    }

    async fn set_default_media_detection(&self, line: LineHandle, modes: MediaModes) -> Result<()> {
        let tx = self.line_tx(line, "set_default_media_detection")?;
        Self::ask(tx, "set_default_media_detection", |r| {
            Request::Detect(modes, r)
        })
        .await
    }

    async fn set_status_messages(
        &self,
        line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> Result<()> {
        self.line_tx(line, "set_status_messages")?;
        tsp_sdk::kit::check_status_messages(line_states, address_states)
    }

    async fn get_id(&self, request: GetId) -> Result<DeviceIdValue> {
        let tx = match request.select {
            Select::Line(line) | Select::Address(line, _) => self.line_tx(line, "get_id")?,
            Select::Call(call) => self.call_tx(call, "get_id")?,
        };
        let class = request.class.as_str().to_owned();
        Self::ask(tx, "get_id", |r| Request::GetId(request.select, class, r)).await
    }

    async fn make_call(&self, request: MakeCall) -> Result<()> {
        let tx = self.line_tx(request.line, "make_call")?;
        Self::ask(tx, "make_call", |r| Request::MakeCall(request, r)).await
    }

    async fn dial(&self, request: Dial) -> Result<()> {
        let tx = self.call_tx(request.call, "dial")?;
        Self::ask(tx, "dial", |r| Request::Dial(request, r)).await
    }

    async fn answer(&self, request: CallRequest) -> Result<()> {
        let tx = self.call_tx(request.call, "answer")?;
        Self::ask(tx, "answer", |r| Request::Answer(request, r)).await
    }

    async fn drop_call(&self, request: CallRequest) -> Result<()> {
        let tx = self.call_tx(request.call, "drop_call")?;
        Self::ask(tx, "drop_call", |r| Request::Drop(request, r)).await
    }

    async fn secure_call(&self, request: SecureCall) -> Result<()> {
        let tx = self.call_tx(request.call, "secure_call")?;
        Self::ask(tx, "secure_call", |r| Request::Secure(request, r)).await
    }

    async fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> Result<()> {
        let tx = self.call_tx(call, "monitor_digits")?;
        Self::ask(tx, "monitor_digits", |r| {
            Request::MonitorDigits(call, modes, r)
        })
        .await
    }

    async fn generate_digits(&self, request: GenerateDigits) -> Result<()> {
        let tx = self.call_tx(request.call, "generate_digits")?;
        Self::ask(tx, "generate_digits", |r| {
            Request::GenerateDigits(request, r)
        })
        .await
    }

    async fn close_call(&self, call: CallHandle) -> Result<()> {
        let Ok(tx) = self.call_tx(call, "close_call") else {
            return Ok(()); // pending, failed or unknown: a harmless no-op
        };
        Self::ask(tx, "close_call", |r| Request::CloseCall(call, r)).await?;
        lock(&self.calls).remove(&call);
        Ok(())
    }

    async fn call_info(&self, call: CallHandle) -> Result<CallInfo> {
        let tx = self.call_tx(call, "call_info")?;
        Self::ask(tx, "call_info", |r| Request::CallInfo(call, r)).await
    }

    async fn call_status(&self, call: CallHandle) -> Result<CallStatus> {
        let tx = self.call_tx(call, "call_status")?;
        Self::ask(tx, "call_status", |r| Request::CallStatus(call, r)).await
    }
}
