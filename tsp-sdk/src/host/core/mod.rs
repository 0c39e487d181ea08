//! The host's rules, sans I/O: tables of applications, opens, calls, handles and requests, and
//! the decisions TAPI's server makes (T§2.7, §4, §6). Every method runs under the host's lock,
//! never waits, and never calls a provider: it answers with a [`Plan`] of provider operations the
//! driver then performs, in order. Events for applications go straight into their queues (which
//! never block), so they keep the provider's order.

mod apps;
mod assisted;
mod calls;
mod deliveries;
mod lines;
mod snapshot;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use crate::error::{Error, LineErr};
use crate::spi::{
    AddressCaps, CallHandle, CallStateChange, DeviceId, LineDevCaps, LineHandle, RequestId,
};
use crate::types::{
    AddressStates, CallPrivilege, CallState, DigitModes, LineDevStates, MediaModes, Version,
};

use super::events::{AppEvent, AppQueue};
use super::handles::{AppId, Call, Line};
use super::options::{AssistedMakeCall, ClientInfo, InitialOwners};

pub(crate) use assisted::Assisted;
pub(crate) use calls::{StateRule, Ticket};
pub(crate) use lines::OpenStep;

/// Index of a provider in the host.
pub(crate) type Prov = usize;

/// A provider-level open line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct LineKey {
    pub(crate) prov: Prov,
    pub(crate) line: LineHandle,
}

/// A provider-level call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct CallKey {
    pub(crate) prov: Prov,
    pub(crate) call: CallHandle,
}

/// Something the driver must ask a provider, in plan order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProviderOp {
    /// `drop_call` issued by the host itself (unowned call, sole owner closing); its completion
    /// goes nowhere.
    Drop(CallKey),
    /// `close_call`: the last handle is gone.
    CloseCall(CallKey),
    /// `close` of a line whose record is marked closing (the last open went, or a forced close).
    Close(LineKey),
    /// `set_default_media_detection` with the new union.
    SetDetection(LineKey, MediaModes),
    /// `set_status_messages` with the new union.
    SetStatus(LineKey, LineDevStates, AddressStates),
    /// `monitor_digits` with the new union of the holders' modes.
    MonitorDigits(CallKey, DigitModes),
    /// Re-read a device's caps (after CAPSCHANGE).
    RefreshCaps(u32),
    /// Every application has shut down while a REINIT was pending: restart the providers.
    Reinit,
}

/// Provider operations to perform, in order.
pub(crate) type Plan = Vec<ProviderOp>;

/// Host settings the rules depend on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) queue_capacity: usize,
    pub(crate) max_outstanding_requests: usize,
    pub(crate) assisted_queue_capacity: usize,
    pub(crate) initial_owners: InitialOwners,
}

/// A provider as the host knows it.
#[derive(Debug, Clone)]
pub(crate) struct ProviderSlot {
    pub(crate) name: String,
    pub(crate) version: Version,
    pub(crate) min_version: Version,
    pub(crate) max_version: Version,
    pub(crate) capabilities: crate::spi::Capabilities,
}

/// A TAPI device id: a provider's device, its caps, and whether it is open or gone.
#[derive(Debug, Clone)]
pub(crate) struct DeviceSlot {
    pub(crate) prov: Prov,
    pub(crate) local: DeviceId,
    pub(crate) caps: LineDevCaps,
    pub(crate) address_caps: Vec<AddressCaps>,
    pub(crate) removed: bool,
    pub(crate) line: Option<LineHandle>,
}

#[derive(Debug)]
pub(crate) struct AppRec {
    pub(crate) name: String,
    pub(crate) client: ClientInfo,
    pub(crate) queue: Arc<AppQueue>,
    pub(crate) openers: BTreeSet<Line>,
    /// App-level request ids not yet answered.
    pub(crate) pending: BTreeSet<RequestId>,
}

/// One application's open of a line (`hLine`).
#[derive(Debug, Clone)]
pub(crate) struct Opener {
    pub(crate) app: AppId,
    pub(crate) key: LineKey,
    pub(crate) device: u32,
    pub(crate) privileges: CallPrivilege,
    pub(crate) media: MediaModes,
    pub(crate) version: Version,
    pub(crate) line_states: LineDevStates,
    pub(crate) address_states: AddressStates,
    pub(crate) calls: BTreeSet<Call>,
    /// The order of opens: earlier is higher priority (T§2.7 "first lineOpen wins").
    pub(crate) seq: u64,
}

/// A line open at the provider.
#[derive(Debug, Clone)]
pub(crate) struct LineRec {
    pub(crate) device: u32,
    pub(crate) openers: BTreeSet<Line>,
    pub(crate) detection: MediaModes,
    pub(crate) status: (LineDevStates, AddressStates),
    /// Marked for `close` (last open gone, or forced): no new opens join it.
    pub(crate) closing: bool,
    pub(crate) calls: BTreeSet<CallHandle>,
}

/// Where a call is in its creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Created by `make_call`; waiting for its completion (app-level request).
    Pending,
    /// Announced with `new_call`; waiting for its first state to pick owners.
    Announced,
    /// Known to applications.
    Live,
}

#[derive(Debug, Clone)]
pub(crate) struct CallRec {
    pub(crate) line: LineHandle,
    pub(crate) device: u32,
    pub(crate) phase: Phase,
    pub(crate) state: Option<CallStateChange>,
    pub(crate) media: MediaModes,
    /// Opener → the app's handle.
    pub(crate) holders: BTreeMap<Line, Call>,
    /// The union of digit modes sent to the provider.
    pub(crate) digit_modes: DigitModes,
    /// The application that created it, for call info.
    pub(crate) origin_app: Option<String>,
    /// The host dropped it (no owner, or its sole owner left).
    pub(crate) dropping: bool,
}

impl CallRec {
    pub(crate) fn is_idle(&self) -> bool {
        self.state.map(|s| s.state()) == Some(CallState::Idle)
    }
}

/// An application's handle to a call.
#[derive(Debug, Clone)]
pub(crate) struct Holder {
    pub(crate) app: AppId,
    pub(crate) opener: Line,
    pub(crate) key: CallKey,
    pub(crate) privilege: CallPrivilege,
    pub(crate) digit_modes: DigitModes,
}

/// An async request the host issued to a provider.
#[derive(Debug, Clone)]
pub(crate) struct RequestRec {
    /// Who gets the reply (the application and its id for the request); `None` for the host's own
    /// requests or once the application shut down.
    pub(crate) reply_to: Option<(AppId, RequestId)>,
    pub(crate) operation: &'static str,
    pub(crate) device: u32,
    pub(crate) call: Option<CallKey>,
    pub(crate) creates_call: bool,
}

/// The host's tables.
#[derive(Debug)]
pub(crate) struct Core {
    pub(crate) limits: Limits,
    pub(crate) providers: Vec<ProviderSlot>,
    pub(crate) devices: Vec<DeviceSlot>,
    pub(crate) apps: BTreeMap<AppId, AppRec>,
    pub(crate) openers: HashMap<Line, Opener>,
    pub(crate) lines: HashMap<LineKey, LineRec>,
    pub(crate) calls: HashMap<CallKey, CallRec>,
    pub(crate) handles: HashMap<Call, Holder>,
    pub(crate) requests: HashMap<(Prov, RequestId), RequestRec>,
    /// App-level request ids pending anywhere (unique while pending, T§1.1).
    pub(crate) app_requests: HashSet<RequestId>,
    /// End-to-end ids of digit generations → the handle that asked.
    pub(crate) generations: HashMap<(Prov, u32), Call>,
    pub(crate) assisted: Assisted,
    pub(crate) reinit_pending: bool,
    /// Where event latencies go, when measured.
    pub(crate) latency: Option<super::latency::LatencyRecorder>,
    /// When the provider sent the delivery being handled (events it causes carry it).
    pub(crate) stamp: Option<std::time::Instant>,
    next_app: u32,
    next_line: u32,
    next_call: u32,
    next_request: u32,
    next_e2e: u32,
    next_seq: u64,
}

/// `LINEERR_*` with the operation and a detail.
pub(crate) fn err(kind: LineErr, operation: &'static str, detail: impl Into<String>) -> Error {
    Error::new(kind).operation(operation).detail(detail.into())
}

fn next_nonzero(counter: &mut u32, taken: impl Fn(u32) -> bool) -> u32 {
    loop {
        *counter = counter.wrapping_add(1).max(1);
        if !taken(*counter) {
            return *counter;
        }
    }
}

impl Core {
    pub(crate) fn new(limits: Limits) -> Core {
        Core {
            limits,
            providers: Vec::new(),
            devices: Vec::new(),
            apps: BTreeMap::new(),
            openers: HashMap::new(),
            lines: HashMap::new(),
            calls: HashMap::new(),
            handles: HashMap::new(),
            requests: HashMap::new(),
            app_requests: HashSet::new(),
            generations: HashMap::new(),
            assisted: Assisted::default(),
            reinit_pending: false,
            latency: None,
            stamp: None,
            next_app: 0,
            next_line: 0,
            next_call: 0,
            next_request: 0,
            next_e2e: 0,
            next_seq: 0,
        }
    }

    fn new_app_id(&mut self) -> AppId {
        let apps = &self.apps;
        AppId(next_nonzero(&mut self.next_app, |n| {
            apps.contains_key(&AppId(n))
        }))
    }

    fn new_line_handle(&mut self) -> Line {
        let openers = &self.openers;
        Line(next_nonzero(&mut self.next_line, |n| {
            openers.contains_key(&Line(n))
        }))
    }

    fn new_call_handle(&mut self) -> Call {
        let handles = &self.handles;
        Call(next_nonzero(&mut self.next_call, |n| {
            handles.contains_key(&Call(n))
        }))
    }

    fn new_request_id(&mut self) -> RequestId {
        let pending = &self.app_requests;
        let n = next_nonzero(&mut self.next_request, |n| {
            n > RequestId::MAX || RequestId::new(n).is_some_and(|r| pending.contains(&r))
        });
        let id = RequestId::new(n).unwrap_or(RequestId::FIRST);
        if n >= RequestId::MAX {
            self.next_request = 0;
        }
        id
    }

    fn new_end_to_end(&mut self) -> u32 {
        next_nonzero(&mut self.next_e2e, |_| false)
    }

    fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The application, or `INVALAPPHANDLE`.
    pub(crate) fn app(&self, app: AppId, operation: &'static str) -> Result<&AppRec, Error> {
        self.apps.get(&app).ok_or_else(|| {
            err(
                LineErr::InvalAppHandle,
                operation,
                format!("{app} is not initialised (it shut down, or never was)"),
            )
        })
    }

    /// The application's open, or `INVALLINEHANDLE` (unknown, closed, or another application's).
    pub(crate) fn opener(
        &self,
        app: AppId,
        line: Line,
        operation: &'static str,
    ) -> Result<&Opener, Error> {
        self.app(app, operation)?;
        match self.openers.get(&line) {
            Some(o) if o.app == app => Ok(o),
            Some(_) => Err(err(
                LineErr::InvalLineHandle,
                operation,
                format!("{line} belongs to another application"),
            )),
            None => Err(err(
                LineErr::InvalLineHandle,
                operation,
                format!("{line} is not open (closed, or closed by the provider)"),
            )),
        }
    }

    /// The application's handle to a call, or `INVALCALLHANDLE`.
    pub(crate) fn holder(
        &self,
        app: AppId,
        call: Call,
        operation: &'static str,
    ) -> Result<&Holder, Error> {
        self.app(app, operation)?;
        match self.handles.get(&call) {
            Some(h) if h.app == app => Ok(h),
            Some(_) => Err(err(
                LineErr::InvalCallHandle,
                operation,
                format!("{call} belongs to another application"),
            )),
            None => Err(err(
                LineErr::InvalCallHandle,
                operation,
                format!(
                    "{call} is not a call of this application (deallocated, or its line closed)"
                ),
            )),
        }
    }

    /// The device slot for a TAPI device id, or `BADDEVICEID` / `NODEVICE`.
    pub(crate) fn device(
        &self,
        device: u32,
        operation: &'static str,
    ) -> Result<&DeviceSlot, Error> {
        match self.devices.get(device as usize) {
            Some(slot) if slot.removed => Err(err(
                LineErr::NoDevice,
                operation,
                format!("device {device} was removed"),
            )),
            Some(slot) => Ok(slot),
            None => Err(err(
                LineErr::BadDeviceId,
                operation,
                format!(
                    "device {device} does not exist (the host has {})",
                    self.devices.len()
                ),
            )),
        }
    }

    /// Sends an event to an application, if it is still there.
    pub(crate) fn send(&self, app: AppId, event: AppEvent) {
        if let Some(rec) = self.apps.get(&app) {
            rec.queue.push_stamped(event, self.stamp);
        }
    }

    /// How many owners and monitors hold a call.
    pub(crate) fn counts(&self, call: &CallRec) -> (usize, usize) {
        let mut owners = 0;
        let mut monitors = 0;
        for handle in call.holders.values() {
            match self.handles.get(handle).map(|h| h.privilege) {
                Some(p) if p == CallPrivilege::OWNER => owners += 1,
                Some(_) => monitors += 1,
                None => {}
            }
        }
        (owners, monitors)
    }

    /// Tells the holders of a call (but `except`) that its owner/monitor counts changed
    /// (`LINE_CALLINFO`; not for IDLE calls, T§ research §1).
    pub(crate) fn tell_counts(
        &self,
        key: CallKey,
        except: Option<Call>,
        changed: crate::types::CallInfoStates,
    ) {
        let Some(call) = self.calls.get(&key) else {
            return;
        };
        if call.is_idle() || changed.is_empty() {
            return;
        }
        for (opener, handle) in &call.holders {
            if Some(*handle) == except {
                continue;
            }
            if let Some(h) = self.handles.get(handle) {
                self.send(
                    h.app,
                    AppEvent::CallInfo {
                        line: *opener,
                        call: *handle,
                        changed,
                    },
                );
            }
        }
    }

    /// Whether the application is over its reply budget (`LINEERR_REQUESTOVERRUN`).
    pub(crate) fn check_budget(&self, app: AppId, operation: &'static str) -> Result<(), Error> {
        let rec = self.app(app, operation)?;
        let owed = rec.pending.len() + rec.queue.replies_unread();
        if owed >= self.limits.max_outstanding_requests {
            return Err(err(
                LineErr::RequestOverrun,
                operation,
                format!(
                    "{app} already has {owed} replies outstanding or unread (limit {}); read your events",
                    self.limits.max_outstanding_requests
                ),
            ));
        }
        Ok(())
    }

    /// Whether REINIT refuses new initialisations and opens.
    pub(crate) fn check_reinit(&self, operation: &'static str) -> Result<(), Error> {
        if self.reinit_pending {
            return Err(err(
                LineErr::Reinit,
                operation,
                "a reinitialisation is pending: every application must shut down first",
            ));
        }
        Ok(())
    }

    /// A request queued so the assisted-telephony tables can be read by the snapshot.
    pub(crate) fn assisted_queue(&self) -> impl Iterator<Item = &AssistedMakeCall> {
        self.assisted.queue.iter()
    }
}
