//! [`App`]: an application's face of the host (TAPI's line API with an `hLineApp`).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{LineErr, Result};
use crate::spi::{
    AddressCaps, AddressId, CallInfo, CallParams, CallStatus, DeviceClass, DeviceId, DeviceIdValue,
    GenerateDigits, GetId, LineDevCaps, LineDevStatus, RequestId, Select,
};
use crate::types::{
    AddressStates, CallPrivilege, DigitModes, LineDevStates, MediaModes, RequestModes, Version,
};

use super::core::{CallKey, OpenStep, ProviderOp, StateRule, Ticket, Work, err};
use super::driver::{Host, HostInner};
use super::events::Events;
use super::handles::{AppId, Call, Line};
use super::options::{AssistedMakeCall, ClientInfo, HandoffTarget, OpenOptions};
use super::session::CallOp;

/// A call placed with `make_call`: the request to wait for and the application's handle to the
/// call (valid for requests once the reply says success).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placed {
    /// The request; its [`AppEvent::Reply`](super::AppEvent::Reply) says whether the call is
    /// under way.
    pub request: RequestId,
    /// The application's handle to the new call.
    pub call: Call,
}

/// A line's status as an application sees it (`LINEDEVSTATUS`): the provider's part and the
/// host's (`dwNumOpens`, `dwOpenMediaModes`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLineStatus {
    /// What the provider reports.
    pub status: LineDevStatus,
    /// How many opens the line has, from every application.
    pub num_opens: u32,
    /// The media modes it is open for (the union of the owners').
    pub open_media_modes: MediaModes,
}

/// A call's info as an application sees it (`LINECALLINFO`): the provider's part and the host's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCallInfo {
    /// What the provider reports.
    pub info: CallInfo,
    /// The application's line handle for the call.
    pub line: Line,
    /// How many handles have OWNER privilege (`dwNumOwners`).
    pub num_owners: u32,
    /// How many have MONITOR privilege (`dwNumMonitors`).
    pub num_monitors: u32,
    /// The application that placed the call, if one did (`AppName`).
    pub origin_app: Option<String>,
}

/// A call's status as an application sees it (`LINECALLSTATUS` with `dwCallPrivilege`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppCallStatus {
    /// What the provider reports: state, mode, features.
    pub status: CallStatus,
    /// This application's privilege.
    pub privilege: CallPrivilege,
}

/// What `get_id` is about, in the application's handles (`LINECALLSELECT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceSelect {
    /// The line.
    Line(Line),
    /// An address on the line.
    Address(Line, AddressId),
    /// A call.
    Call(Call),
}

struct AppShared {
    host: Arc<HostInner>,
    id: AppId,
    name: String,
    shut: AtomicBool,
}

impl Drop for AppShared {
    fn drop(&mut self) {
        if self.shut.load(Ordering::SeqCst) {
            return;
        }
        // The last handle went without `shutdown`: do it now, so nothing is left behind.
        if let Ok(work) = self.host.queue(|core| core.shutdown(self.id)) {
            self.host.spawn_run(work);
        }
    }
}

/// An application registered with the host (TAPI's `hLineApp`), from [`Host::initialize`]. Cheap
/// to clone; every method names its `LINEERR_*` errors. Dropping the last clone without
/// [`shutdown`](App::shutdown) shuts the application down anyway.
///
/// Asynchronous operations (`make_call`, `dial`, `answer`, `accept`, `drop_call`, `secure_call`)
/// return a [`RequestId`] once the provider accepted the request; the result arrives later as
/// [`AppEvent::Reply`](super::AppEvent::Reply) on this application's [`Events`], exactly once.
///
/// The provider operations of one device (its line's and its calls') happen in order whichever
/// application or task asks for them: a close waits for a make_call under way, an open for a
/// close. Do not cancel a method half-way (drop its future in a `select!` or a timeout): the
/// host's books and the provider could then disagree about that one operation. Operations the
/// host queued on its own behalf (drops and closes) are carried out even if the method that
/// queued them is cancelled. The gRPC server (`rpc::Server`) runs each request to its end
/// for this reason.
#[derive(Clone)]
pub struct App {
    shared: Arc<AppShared>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("id", &self.shared.id)
            .field("name", &self.shared.name)
            .finish()
    }
}

impl Host {
    /// `lineInitializeEx`: registers an application and gives its handle and its event stream.
    ///
    /// # Errors
    /// `LINEERR_REINIT` while a reinitialisation is pending; `LINEERR_INVALAPPNAME` for an empty
    /// name or one with control characters.
    pub async fn initialize(&self, name: &str) -> Result<(App, Events)> {
        self.initialize_as(name, ClientInfo::default()).await
    }

    /// [`initialize`](Host::initialize) for a client the host knows more about (the RPC server
    /// passes the peer's process and user ids, shown in snapshots).
    ///
    /// # Errors
    /// As [`initialize`](Host::initialize).
    pub async fn initialize_as(&self, name: &str, client: ClientInfo) -> Result<(App, Events)> {
        if self.inner.stopped() {
            return Err(err(
                LineErr::Uninitialized,
                "initialize",
                "the host has stopped",
            ));
        }
        let (id, queue) = self.inner.core().initialize(name, client)?;
        let app = App {
            shared: Arc::new(AppShared {
                host: self.inner.clone(),
                id,
                name: name.trim().to_owned(),
                shut: AtomicBool::new(false),
            }),
        };
        Ok((app, Events::local(queue)))
    }

    /// `tapiRequestMakeCall` (Assisted Telephony, T§6): any program may ask the highest-priority
    /// request recipient to place a call. Success means queued; the requester never controls the
    /// call.
    ///
    /// # Errors
    /// `TAPIERR_INVALDESTADDRESS`, `TAPIERR_NOREQUESTRECIPIENT`, `TAPIERR_REQUESTQUEUEFULL`.
    pub fn request_make_call(
        &self,
        request: &AssistedMakeCall,
    ) -> std::result::Result<(), crate::TapiErr> {
        self.inner.core().request_make_call(request)
    }
}

impl App {
    fn host(&self) -> &Arc<HostInner> {
        &self.shared.host
    }

    fn id(&self) -> AppId {
        self.shared.id
    }

    /// This application's handle (`hLineApp`).
    pub fn handle(&self) -> AppId {
        self.shared.id
    }

    /// The name it initialised with.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// How many line devices the host has (TAPI device ids `0..devices`).
    pub fn devices(&self) -> u32 {
        self.host().core().devices.len() as u32
    }

    fn device(&self, device: u32, operation: &'static str) -> Result<(usize, DeviceId)> {
        let core = self.host().core();
        core.app(self.id(), operation)?;
        let slot = core.device(device, operation)?;
        Ok((slot.prov, slot.local))
    }

    /// `lineNegotiateAPIVersion`: the highest version in `low..=high` the device's provider speaks.
    ///
    /// # Errors
    /// `INCOMPATIBLEAPIVERSION` when the ranges do not overlap; `BADDEVICEID`, `NODEVICE`.
    pub async fn negotiate_api_version(
        &self,
        device: u32,
        low: Version,
        high: Version,
    ) -> Result<Version> {
        let (prov, local) = self.device(device, "negotiate_api_version")?;
        let session = self.host().session(prov)?;
        session
            .provider()
            .negotiate_version(Some(local), low, high)
            .await
            .map_err(|e| e.device(format!("device {device}")))
    }

    /// `lineGetDevCaps`.
    ///
    /// # Errors
    /// `BADDEVICEID`, `NODEVICE`, or the provider's.
    pub async fn line_caps(&self, device: u32, version: Version) -> Result<LineDevCaps> {
        let (prov, local) = self.device(device, "line_caps")?;
        self.host().session(prov)?.line_caps(local, version).await
    }

    /// `lineGetAddressCaps`.
    ///
    /// # Errors
    /// `BADDEVICEID`, `NODEVICE`, `INVALADDRESSID`, or the provider's.
    pub async fn address_caps(
        &self,
        device: u32,
        address: AddressId,
        version: Version,
    ) -> Result<AddressCaps> {
        let (prov, local) = self.device(device, "address_caps")?;
        self.host()
            .session(prov)?
            .address_caps(local, address, version)
            .await
    }

    /// `lineOpen`: opens a device with these privileges. The first open opens the line at the
    /// provider; every open re-sends the union of the owners' media modes
    /// (`set_default_media_detection`) when it changes. Other opens that asked hear
    /// `LINEDEVSTATE_OPEN`.
    ///
    /// # Errors
    /// `INVALAPPHANDLE`, `REINIT`, `BADDEVICEID`, `NODEVICE`, `INCOMPATIBLEAPIVERSION`,
    /// `INVALPRIVSELECT`, `INVALMEDIAMODE`; the provider's (`ALLOCATED`: the port is taken).
    pub async fn open_line(&self, device: u32, options: OpenOptions) -> Result<Line> {
        const OP: &str = "open_line";
        let host = self.host();
        let named = |e: crate::Error| e.operation(OP).device(format!("device {device}"));
        let lock = host.device_lock(device);
        let _guard = lock.lock().await;
        // What is queued for the device (a close under way) goes first.
        host.run(Work::device(device), Some(device)).await;
        let step = host.core().begin_open(self.id(), device, &options)?;
        let (line, plan) = match step {
            OpenStep::Joined(line, plan) => (line, plan),
            OpenStep::ProviderOpen { prov, local } => {
                let session = host.session(prov)?;
                let handle = session
                    .open(local, session.version())
                    .await
                    .map_err(named)?;
                let opened = {
                    let mut core = host.core();
                    match core.provider_opened(self.id(), device, handle, &options) {
                        Ok(opened) => Ok(opened),
                        Err((e, plan)) => Err((e, core.enqueue(plan))),
                    }
                };
                match opened {
                    Ok(opened) => opened,
                    Err((e, undo)) => {
                        host.run(undo, Some(device)).await;
                        return Err(e);
                    }
                }
            }
        };
        // The new unions, with the provider's refusal returned (and the open undone).
        for op in plan {
            let applied = match op {
                ProviderOp::SetDetection { line: key, .. } => host.apply_unions(key, true).await,
                ProviderOp::SetStatus { line: key, .. } => host.apply_unions(key, false).await,
                _ => Ok(()),
            };
            if let Err(e) = applied {
                if let Ok(undo) = host.queue(|core| Ok(core.abort_open(line))) {
                    host.run(undo, Some(device)).await;
                }
                return Err(named(e));
            }
        }
        host.core().open_done(line);
        Ok(line)
    }

    /// `lineClose`: gives up the line. Calls this application solely owned are dropped, its call
    /// handles on the line die, other holders and openers are told; the last close closes the
    /// line at the provider (`close`), which releases the device. When this returns, those
    /// provider operations are done (provider errors are logged: the line is closed in the
    /// host's books regardless).
    ///
    /// Replies to the application's pending requests on the line still arrive. This is a
    /// deliberate choice: lineClose's reference says outstanding replies are suppressed, but an
    /// application that counts its replies (and the request budget) is better served by getting
    /// each exactly once; lineShutdown answers them instead (cancelled).
    ///
    /// # Errors
    /// `INVALLINEHANDLE`.
    pub async fn close_line(&self, line: Line) -> Result<()> {
        let work = self.host().queue(|core| core.close_line(self.id(), line))?;
        self.host().run(work, None).await;
        Ok(())
    }

    /// `lineSetStatusMessages`: which line and address state changes this open hears (all off at
    /// open; REINIT always). The provider hears the union.
    ///
    /// # Errors
    /// `INVALLINEHANDLE`, `INVALLINESTATE`, `INVALADDRESSSTATE`.
    pub async fn set_status_messages(
        &self,
        line: Line,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> Result<()> {
        self.set_status_bits(line, line_states.bits(), address_states.bits())
            .await
    }

    /// [`set_status_messages`](Self::set_status_messages) with raw bits, checked (for the RPC
    /// server).
    ///
    /// # Errors
    /// As [`set_status_messages`](Self::set_status_messages).
    pub async fn set_status_bits(
        &self,
        line: Line,
        line_states: u32,
        address_states: u32,
    ) -> Result<()> {
        let work = self
            .host()
            .queue(|core| core.set_status_messages(self.id(), line, line_states, address_states))?;
        self.host().run(work, None).await;
        Ok(())
    }

    /// `lineGetLineDevStatus`.
    ///
    /// # Errors
    /// `INVALLINEHANDLE`, or the provider's.
    pub async fn line_status(&self, line: Line) -> Result<AppLineStatus> {
        let (key, num_opens, open_media_modes) = self.host().core().open_counts(self.id(), line)?;
        let status = self.host().session(key.prov)?.line_status(key.line).await?;
        Ok(AppLineStatus {
            status,
            num_opens,
            open_media_modes,
        })
    }

    /// `lineMakeCall`: places a call this application owns. `dest: None` stops at dial tone.
    ///
    /// # Errors
    /// Before the provider: `INVALLINEHANDLE`, `INVALMEDIAMODE`, `INVALBEARERMODE`,
    /// `INVALADDRESSID`, `INVALCALLPARAMS` (SECURE on an address that cannot secure),
    /// `REQUESTOVERRUN`; then the provider's synchronous refusal (`DIAL*`, `INVALADDRESS`, …).
    pub async fn make_call(
        &self,
        line: Line,
        dest: Option<&str>,
        params: CallParams,
    ) -> Result<Placed> {
        let host = self.host();
        let (_, device) = host
            .core()
            .check_make_call(self.id(), line, dest, &params)?;
        // The device's operations stay in order: a close of the line or of this call (another
        // task's close_line or shutdown) reaches the provider after the make_call, not before.
        let lock = host.device_lock(device);
        let _guard = lock.lock().await;
        let (key, device) = host
            .core()
            .check_make_call(self.id(), line, dest, &params)?;
        let session = host.session(key.prov)?;
        let provider_call = session.allocate_call(key.line);
        let ticket = match host
            .core()
            .admit_make_call(self.id(), line, key, device, provider_call)
        {
            Ok(ticket) => ticket,
            Err(e) => {
                session.sink().call_closed(provider_call);
                return Err(e);
            }
        };
        let mut provider_request = None;
        let made = session
            .make_call_hooked(key.line, provider_call, dest, 0, params, |request| {
                provider_request = Some(request);
                host.core().issued(&ticket, request, "make_call", true);
            })
            .await;
        match made {
            Ok(_) => Ok(Placed {
                request: ticket.request,
                call: ticket.call,
            }),
            Err(e) => {
                host.core().refused(&ticket, provider_request, true);
                Err(e.device(format!("device {device}")))
            }
        }
    }

    /// The device a call of this application is on (to take its lock), if the handle is known.
    fn call_device(&self, call: Call) -> Option<u32> {
        let core = self.host().core();
        let key = core.handles.get(&call).filter(|h| h.app == self.id())?.key;
        core.calls.get(&key).map(|c| c.device)
    }

    /// Takes the lock of the device a call is on (nothing for an unknown handle: the checks
    /// that follow refuse it).
    async fn lock_call_device(&self, call: Call) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        let device = self.call_device(call)?;
        Some(self.host().device_lock(device).lock_owned().await)
    }

    async fn call_request(&self, call: Call, op: CallOp, rule: StateRule) -> Result<RequestId> {
        let host = self.host();
        let operation = op.name();
        let _guard = self.lock_call_device(call).await;
        let ticket = {
            let mut core = host.core();
            let caps = core
                .handles
                .get(&call)
                .and_then(|h| core.providers.get(h.key.prov))
                .map(|p| p.capabilities)
                .unwrap_or_default();
            let offered = match op {
                CallOp::Dial { .. } => caps.dial,
                CallOp::Answer(_) => caps.answer,
                CallOp::Accept(_) => caps.accept,
                CallOp::Secure => caps.secure,
                CallOp::Drop(_) => true,
            };
            core.check_call_request(self.id(), call, operation, rule, offered)?
        };
        self.issue(ticket, op).await
    }

    async fn issue(&self, ticket: Ticket, op: CallOp) -> Result<RequestId> {
        let host = self.host();
        let operation = op.name();
        let session = match host.session(ticket.key.prov) {
            Ok(s) => s,
            Err(e) => {
                host.core().refused(&ticket, None, false);
                return Err(e);
            }
        };
        let mut provider_request = None;
        let issued = session
            .request(op, ticket.key.call, |request| {
                provider_request = Some(request);
                host.core().issued(&ticket, request, operation, false);
            })
            .await;
        match issued {
            Ok(_) => Ok(ticket.request),
            Err(e) => {
                host.core().refused(&ticket, provider_request, false);
                Err(e.device(format!("device {}", ticket.device)))
            }
        }
    }

    /// `lineDial`: more digits on a call (OWNER; not IDLE or DISCONNECTED).
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `NOTOWNER`, `INVALCALLSTATE`, `OPERATIONUNAVAIL`, `REQUESTOVERRUN`, or
    /// the provider's.
    pub async fn dial(&self, call: Call, dest: &str) -> Result<RequestId> {
        let op = CallOp::Dial {
            dest: dest.to_owned(),
            country: 0,
        };
        self.call_request(call, op, StateRule::Dialable).await
    }

    /// `lineAnswer` (OWNER; OFFERING or ACCEPTED).
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn answer(&self, call: Call) -> Result<RequestId> {
        self.call_request(call, CallOp::Answer(Vec::new()), StateRule::Answerable)
            .await
    }

    /// `lineAccept` (OWNER; OFFERING).
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn accept(&self, call: Call) -> Result<RequestId> {
        self.call_request(call, CallOp::Accept(Vec::new()), StateRule::Offering)
            .await
    }

    /// `lineDrop` (OWNER; any state but IDLE; on OFFERING it rejects the call).
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn drop_call(&self, call: Call) -> Result<RequestId> {
        self.call_request(call, CallOp::Drop(Vec::new()), StateRule::NotIdle)
            .await
    }

    /// `lineSecureCall` (OWNER; any state but IDLE).
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn secure_call(&self, call: Call) -> Result<RequestId> {
        self.call_request(call, CallOp::Secure, StateRule::NotIdle)
            .await
    }

    /// `lineDeallocateCall`: gives up this handle. The last handle closes the call at the
    /// provider (`close_call`). Replies to pending requests on the call still arrive.
    ///
    /// # Errors
    /// `INVALCALLHANDLE`; `INVALCALLSTATE` for the sole owner of a call that is not IDLE.
    pub async fn deallocate_call(&self, call: Call) -> Result<()> {
        let work = self.host().queue(|core| core.deallocate(self.id(), call))?;
        self.host().run(work, None).await;
        Ok(())
    }

    /// `lineHandoff` (see [`HandoffTarget`]).
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `NOTOWNER`, `INVALMEDIAMODE`, `TARGETNOTFOUND`, `TARGETSELF`.
    pub async fn handoff(&self, call: Call, target: HandoffTarget) -> Result<()> {
        self.host().core().handoff(self.id(), call, &target)
    }

    /// `lineSetCallPrivilege`: OWNER or MONITOR.
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `INVALCALLPRIVILEGE`, `INVALCALLSTATE` (the sole owner of a call that
    /// is not IDLE cannot become a monitor).
    pub async fn set_call_privilege(&self, call: Call, privilege: CallPrivilege) -> Result<()> {
        self.host()
            .core()
            .set_call_privilege(self.id(), call, privilege)
    }

    /// `lineGetNewCalls`: monitor handles to the line's calls this open holds no handle to.
    ///
    /// # Errors
    /// `INVALLINEHANDLE`.
    pub async fn get_new_calls(&self, line: Line) -> Result<Vec<Call>> {
        self.host().core().get_new_calls(self.id(), line)
    }

    /// `lineGetCallInfo`: the provider's info and the host's (owners, monitors, origin).
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `INVALCALLSTATE` (still being created), or the provider's.
    pub async fn call_info(&self, call: Call) -> Result<AppCallInfo> {
        let view = self
            .host()
            .core()
            .holder_view(self.id(), call, "call_info")?;
        let session = self.host().session(view.key.prov)?;
        let info = session.call_info(view.key.call).await?;
        Ok(AppCallInfo {
            info,
            line: view.line,
            num_owners: view.owners,
            num_monitors: view.monitors,
            origin_app: view.origin_app,
        })
    }

    /// `lineGetCallStatus`: the provider's status and this application's privilege.
    ///
    /// # Errors
    /// As [`call_info`](Self::call_info).
    pub async fn call_status(&self, call: Call) -> Result<AppCallStatus> {
        let view = self
            .host()
            .core()
            .holder_view(self.id(), call, "call_status")?;
        let session = self.host().session(view.key.prov)?;
        let status = session.call_status(view.key.call).await?;
        Ok(AppCallStatus {
            status,
            privilege: view.privilege,
        })
    }

    fn target(
        &self,
        call: Call,
        operation: &'static str,
        need_owner: bool,
    ) -> Result<(CallKey, u32)> {
        self.host()
            .core()
            .call_target(self.id(), call, operation, need_owner)
    }

    /// `lineSetMediaMode` (OWNER).
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `NOTOWNER`, `INVALMEDIAMODE` (a mode the line cannot carry), or the
    /// provider's.
    pub async fn set_media_mode(&self, call: Call, mode: MediaModes) -> Result<()> {
        const OP: &str = "set_media_mode";
        let _guard = self.lock_call_device(call).await;
        let (key, device) = self.target(call, OP, true)?;
        self.host()
            .core()
            .require_offered(key, device, OP, |c| c.set_media_mode)?;
        let carried = self.host().core().device(device, OP)?.caps.media_modes;
        if mode.is_empty() || !(mode - carried - MediaModes::UNKNOWN).is_empty() {
            return Err(err(
                LineErr::InvalMediaMode,
                OP,
                format!(
                    "media {:#x}: device {device} carries {:#x}",
                    mode.bits(),
                    carried.bits()
                ),
            ));
        }
        self.host()
            .session(key.prov)?
            .set_media_mode(key.call, mode)
            .await
    }

    /// `lineMonitorDigits` (empty: stop). The provider hears the union over the call's holders;
    /// this application hears only the modes it asked for.
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `INVALDIGITMODE`, `OPERATIONUNAVAIL` (the provider does not offer
    /// digit monitoring; it is not asked), or the provider's.
    pub async fn monitor_digits(&self, call: Call, modes: DigitModes) -> Result<()> {
        let host = self.host();
        let _guard = self.lock_call_device(call).await;
        let (plan, undo) = host.core().monitor_digits(self.id(), call, modes)?;
        for op in plan {
            if let ProviderOp::MonitorDigits { call: key, .. } = op {
                let union = host.core().calls.get(&key).map(|c| c.digit_modes);
                let Some(union) = union else { continue };
                let applied = match host.session(key.prov) {
                    Ok(session) => session.monitor_digits(key.call, union).await,
                    Err(e) => Err(e),
                };
                if let Err(e) = applied {
                    undo(&mut host.core());
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    /// `lineGenerateDigits` (OWNER): `digits: None` cancels. The end is reported as
    /// [`AppEvent::Generate`](super::AppEvent::Generate) to this application.
    ///
    /// # Errors
    /// `INVALCALLHANDLE`, `NOTOWNER`, `OPERATIONUNAVAIL` (not offered by the provider, which is
    /// not asked), or the provider's (`INVALDIGITMODE`, …).
    pub async fn generate_digits(
        &self,
        call: Call,
        mode: DigitModes,
        digits: Option<&str>,
        duration_ms: u32,
    ) -> Result<()> {
        let _guard = self.lock_call_device(call).await;
        let (key, end_to_end_id) = self.host().core().begin_generate(self.id(), call)?;
        let result = match self.host().session(key.prov) {
            Ok(session) => {
                session
                    .generate_digits(GenerateDigits {
                        call: key.call,
                        end_to_end_id,
                        mode,
                        digits: digits.map(str::to_owned),
                        duration_ms,
                    })
                    .await
            }
            Err(e) => Err(e),
        };
        if result.is_err() {
            self.host().core().generate_refused(key.prov, end_to_end_id);
        }
        result
    }

    /// `lineGetID`: a device id of `class` for a line, address or call. `comm/datamodem` on a
    /// call needs OWNER (one application reads the data stream).
    ///
    /// # Errors
    /// `INVALLINEHANDLE`, `INVALCALLHANDLE`, `INVALADDRESSID`, `NOTOWNER`, or the provider's
    /// (`INVALCALLSTATE` before CONNECTED, `NODEVICE` for an unknown class).
    pub async fn get_id(&self, select: DeviceSelect, class: &str) -> Result<DeviceIdValue> {
        const OP: &str = "get_id";
        let class = DeviceClass::new(class);
        let (prov, select) = match select {
            DeviceSelect::Line(line) => {
                let key = self.host().core().opener(self.id(), line, OP)?.key;
                (key.prov, Select::Line(key.line))
            }
            DeviceSelect::Address(line, address) => {
                let core = self.host().core();
                let opener = core.opener(self.id(), line, OP)?;
                let key = opener.key;
                let addresses = core.device(opener.device, OP)?.address_caps.len() as u32;
                if address.0 >= addresses {
                    return Err(err(
                        LineErr::InvalAddressId,
                        OP,
                        format!("{address} does not exist"),
                    ));
                }
                (key.prov, Select::Address(key.line, address))
            }
            DeviceSelect::Call(call) => {
                let need_owner = class.is(DeviceClass::COMM_DATAMODEM);
                let (key, _) = self.target(call, OP, need_owner)?;
                (key.prov, Select::Call(key.call))
            }
        };
        self.host()
            .session(prov)?
            .get_id(GetId { select, class })
            .await
    }

    /// `lineRegisterRequestRecipient`: become (`enable`) or stop being an Assisted Telephony
    /// request recipient for `modes` (MAKECALL). `priority` 1 is the highest, 0 is "unlisted"
    /// (below every listed one; among equals, the earliest registered wins, and registering
    /// again counts as registering anew).
    ///
    /// # Errors
    /// `INVALAPPHANDLE`, `INVALREQUESTMODE`.
    pub async fn register_request_recipient(
        &self,
        modes: RequestModes,
        priority: u32,
        enable: bool,
    ) -> Result<()> {
        self.host()
            .core()
            .register_request_recipient(self.id(), modes, priority, enable)
    }

    /// `lineGetRequest`: takes the oldest queued request of `mode`.
    ///
    /// # Errors
    /// `NOTREGISTERED`, `NOREQUEST` (nothing queued, or another recipient has the higher
    /// priority), `INVALREQUESTMODE`.
    pub async fn get_request(&self, mode: RequestModes) -> Result<AssistedMakeCall> {
        self.host().core().get_request(self.id(), mode)
    }

    /// `lineShutdown`: closes every line of this application (dropping the calls it solely
    /// owned), unregisters it as a request recipient, answers its pending requests with
    /// `OPERATIONFAILED` (cancelled), and ends its event stream after them. Completes a pending
    /// REINIT when it is the last application.
    ///
    /// # Errors
    /// `INVALAPPHANDLE` if it already shut down.
    pub async fn shutdown(&self) -> Result<()> {
        let work = self.host().queue(|core| {
            self.shared.shut.store(true, Ordering::SeqCst);
            core.shutdown(self.id())
        })?;
        self.host().run(work, None).await;
        Ok(())
    }
}
