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

/// Something the driver must ask a provider. Each names the device it concerns: operations on a
/// device are queued and performed in order (see [`Core::enqueue`]), whichever task performs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProviderOp {
    /// `drop_call` issued by the host itself (unowned call, sole owner closing); its completion
    /// goes nowhere.
    Drop { call: CallKey, device: u32 },
    /// `close_call`: the last handle is gone.
    CloseCall { call: CallKey, device: u32 },
    /// `close` of a line whose record is marked closing (the last open went, or a forced close).
    Close { line: LineKey, device: u32 },
    /// `set_default_media_detection` with the line's union at the time it is performed.
    SetDetection { line: LineKey, device: u32 },
    /// `set_status_messages` with the line's union at the time it is performed.
    SetStatus { line: LineKey, device: u32 },
    /// `monitor_digits` with the call's union at the time it is performed.
    MonitorDigits { call: CallKey, device: u32 },
    /// Re-read a device's caps (after CAPSCHANGE).
    RefreshCaps { device: u32 },
    /// Every application has shut down while a REINIT was pending: restart the providers.
    Reinit,
}

impl ProviderOp {
    /// The device whose queue the operation joins (`None`: the host's own, REINIT).
    pub(crate) fn device(&self) -> Option<u32> {
        match self {
            ProviderOp::Drop { device, .. }
            | ProviderOp::CloseCall { device, .. }
            | ProviderOp::Close { device, .. }
            | ProviderOp::SetDetection { device, .. }
            | ProviderOp::SetStatus { device, .. }
            | ProviderOp::MonitorDigits { device, .. }
            | ProviderOp::RefreshCaps { device } => Some(*device),
            ProviderOp::Reinit => None,
        }
    }
}

/// A queue for operations on calls of a line the host no longer tracks (their device unknown):
/// one per provider, after every device.
pub(crate) fn orphan_queue(prov: Prov) -> u32 {
    u32::MAX - prov as u32
}

/// Provider operations to perform, in order.
pub(crate) type Plan = Vec<ProviderOp>;

/// Queued work a task must drain (see [`Core::enqueue`]).
#[derive(Debug, Default)]
#[must_use = "queued operations wait until someone drains their device"]
pub(crate) struct Work {
    /// Devices (or [`orphan_queue`]s) with operations queued.
    pub(crate) devices: Vec<u32>,
    /// A REINIT is due.
    pub(crate) reinit: bool,
}

impl Work {
    /// Whatever is queued for one device.
    pub(crate) fn device(device: u32) -> Work {
        Work {
            devices: vec![device],
            reinit: false,
        }
    }

    /// Nothing to do.
    pub(crate) fn is_empty(&self) -> bool {
        self.devices.is_empty() && !self.reinit
    }
}

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
    /// Provider operations waiting to be performed, per device, in order.
    pub(crate) queues: BTreeMap<u32, std::collections::VecDeque<ProviderOp>>,
    /// A REINIT was asked for and not started.
    pub(crate) reinit_due: bool,
    /// A REINIT is running.
    pub(crate) reinit_running: bool,
    /// Which generation of provider sessions the tables describe (REINIT starts a new one).
    pub(crate) epoch: u64,
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
            queues: BTreeMap::new(),
            reinit_due: false,
            reinit_running: false,
            epoch: 0,
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

    /// The next request id not pending (`1..=0x7FFF_FFFF`, wrapping within that range).
    fn new_request_id(&mut self) -> RequestId {
        loop {
            self.next_request = if self.next_request >= RequestId::MAX {
                1
            } else {
                self.next_request + 1
            };
            if let Some(id) = RequestId::new(self.next_request)
                && !self.app_requests.contains(&id)
            {
                return id;
            }
        }
    }

    /// Queues a plan's operations on their devices, in order (call it under the same lock that
    /// made the plan, so no other task sees the tables without the plan queued). Returns what to
    /// drain: the devices with work (drain each with its lock held) and whether a REINIT is due.
    pub(crate) fn enqueue(&mut self, plan: Plan) -> Work {
        let mut work = Work::default();
        for op in plan {
            match op.device() {
                Some(device) => {
                    self.queues.entry(device).or_default().push_back(op);
                    if !work.devices.contains(&device) {
                        work.devices.push(device);
                    }
                }
                None => {
                    self.reinit_due = true;
                    work.reinit = true;
                }
            }
        }
        work
    }

    /// The next queued operation for `device`.
    pub(crate) fn next_op(&mut self, device: u32) -> Option<ProviderOp> {
        let queue = self.queues.get_mut(&device)?;
        let op = queue.pop_front();
        if queue.is_empty() {
            self.queues.remove(&device);
        }
        op
    }

    /// Whether this task should run the due REINIT (only one runs at a time; one asked for while
    /// another runs is run after it).
    pub(crate) fn take_reinit_due(&mut self) -> bool {
        if self.reinit_due && !self.reinit_running {
            self.reinit_due = false;
            self.reinit_running = true;
            true
        } else {
            false
        }
    }

    /// The providers are being restarted: the tables of the old sessions go, operations still
    /// queued for them are dropped, and deliveries from the old sessions are ignored from now on.
    pub(crate) fn restarting(&mut self) {
        self.lines.clear();
        self.calls.clear();
        self.handles.clear();
        self.requests.clear();
        self.generations.clear();
        self.queues.clear();
        for device in &mut self.devices {
            device.line = None;
        }
        self.epoch += 1;
    }

    /// The providers restarted (`ok`) or failed to: after a failure REINIT stays pending (a later
    /// [`request_reinit`](Self::request_reinit) retries). Returns whether another REINIT was asked
    /// for meanwhile (then the caller runs it).
    pub(crate) fn reinit_finished(&mut self, ok: bool) -> bool {
        self.reinit_running = false;
        if ok {
            self.reinit_pending = false;
        }
        let again = self.reinit_due && self.apps.is_empty();
        if again {
            self.reinit_due = false;
            self.reinit_running = true;
        }
        again
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

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> Core {
        Core::new(Limits {
            queue_capacity: 16,
            max_outstanding_requests: 16,
            assisted_queue_capacity: 4,
            initial_owners: InitialOwners::All,
        })
    }

    #[test]
    fn request_ids_wrap_from_the_largest_to_one_skipping_pending_ones() {
        let mut core = core();
        core.next_request = RequestId::MAX - 1;
        let max = core.new_request_id();
        assert_eq!(max.get(), RequestId::MAX);
        core.app_requests.insert(RequestId::FIRST);
        core.app_requests.insert(max);
        core.next_request = RequestId::MAX - 1;
        assert_eq!(
            core.new_request_id().get(),
            2,
            "the largest and 1 are pending: the next free id after wrapping"
        );
    }

    #[test]
    fn queued_operations_come_out_per_device_in_the_order_they_went_in() {
        let mut core = core();
        let line = LineKey {
            prov: 0,
            line: LineHandle(1),
        };
        let call = CallKey {
            prov: 0,
            call: CallHandle(7),
        };
        let work = core.enqueue(vec![
            ProviderOp::Drop { call, device: 3 },
            ProviderOp::RefreshCaps { device: 1 },
            ProviderOp::CloseCall { call, device: 3 },
            ProviderOp::Close { line, device: 3 },
        ]);
        assert_eq!(work.devices, vec![3, 1]);
        assert!(!work.reinit);
        assert_eq!(
            std::iter::from_fn(|| core.next_op(3)).collect::<Vec<_>>(),
            vec![
                ProviderOp::Drop { call, device: 3 },
                ProviderOp::CloseCall { call, device: 3 },
                ProviderOp::Close { line, device: 3 },
            ]
        );
        assert_eq!(core.next_op(1), Some(ProviderOp::RefreshCaps { device: 1 }));
        assert!(core.queues.is_empty());
    }

    #[test]
    fn only_one_reinit_runs_and_one_asked_for_meanwhile_runs_after_it() {
        let mut core = core();
        assert!(core.enqueue(vec![ProviderOp::Reinit]).reinit);
        assert!(core.take_reinit_due());
        let _ = core.enqueue(vec![ProviderOp::Reinit]);
        assert!(!core.take_reinit_due(), "one is running");
        core.restarting();
        assert!(core.reinit_finished(true), "the second runs next");
        assert!(!core.reinit_finished(true));
        assert!(!core.take_reinit_due());
    }
}
