//! The host's async side: providers started once, one task per provider turning its deliveries
//! into application events, one worker performing the provider operations the rules ask for, and
//! per-device locks so opens and closes of one device never interleave.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use tokio::task::JoinHandle;

use crate::error::{Error, LineErr, Result};
use crate::sink::Deliveries;
use crate::spi::{AddressId, DeviceId, ProviderDyn};
use crate::types::Version;

use super::core::{Core, DeviceSlot, Limits, Plan, ProviderOp, ProviderSlot, Work};
use super::options::InitialOwners;
use super::session::{ProviderSession, SessionConfig};
use super::snapshot::Snapshot;

/// Builds a [`Host`]: its providers and its limits. Every knob has a default.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> tsp_sdk::Result<()> {
/// use tsp_sdk::host::Host;
/// let host = Host::builder().event_queue_capacity(1024).start().await?;
/// assert_eq!(host.devices(), 0);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HostBuilder {
    providers: Vec<Arc<dyn ProviderDyn>>,
    limits: Limits,
    measure_latency: bool,
    low: Version,
    high: Version,
}

impl std::fmt::Debug for HostBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostBuilder")
            .field("providers", &self.providers.len())
            .field("limits", &self.limits)
            .finish()
    }
}

impl Default for HostBuilder {
    fn default() -> Self {
        HostBuilder {
            providers: Vec::new(),
            limits: Limits {
                queue_capacity: 4096,
                max_outstanding_requests: 1024,
                assisted_queue_capacity: 64,
                initial_owners: InitialOwners::All,
            },
            low: Version::V1_4,
            high: Version::V3_1,
            measure_latency: false,
        }
    }
}

impl HostBuilder {
    /// Adds a provider. Its devices get the next TAPI device ids, in the order providers are
    /// added.
    #[must_use]
    pub fn provider(mut self, provider: Arc<dyn ProviderDyn>) -> Self {
        self.providers.push(provider);
        self
    }

    /// How many droppable events an application's queue holds before it discards them (see
    /// [`Events`](super::Events) for the policy). Default 4,096.
    #[must_use]
    pub fn event_queue_capacity(mut self, events: usize) -> Self {
        self.limits.queue_capacity = events.max(1);
        self
    }

    /// How many replies an application may owe (requests pending plus replies unread) before new
    /// requests get `LINEERR_REQUESTOVERRUN`. Default 1,024.
    #[must_use]
    pub fn max_outstanding_requests(mut self, requests: usize) -> Self {
        self.limits.max_outstanding_requests = requests.max(1);
        self
    }

    /// How many Assisted Telephony requests may wait before `TAPIERR_REQUESTQUEUEFULL`.
    /// Default 64.
    #[must_use]
    pub fn assisted_queue_capacity(mut self, requests: usize) -> Self {
        self.limits.assisted_queue_capacity = requests;
        self
    }

    /// Which owners an incoming call is offered to. Default [`InitialOwners::All`].
    #[must_use]
    pub fn initial_owners(mut self, owners: InitialOwners) -> Self {
        self.limits.initial_owners = owners;
        self
    }

    /// Measure how long each event takes from the provider's callback to the application that
    /// reads it (in-process applications; the server reports its own side). Read with
    /// [`Host::event_latency`]. Costs a clock read per event. Default off.
    #[must_use]
    pub fn measure_event_latency(mut self, on: bool) -> Self {
        self.measure_latency = on;
        self
    }

    /// The TSPI versions the host speaks with providers. Default 1.4 to 3.1.
    #[must_use]
    pub fn versions(mut self, low: Version, high: Version) -> Self {
        self.low = low;
        self.high = high;
        self
    }

    /// Starts every provider once (version negotiation, device enumeration, `init`) and reads
    /// each device's caps. Must run inside a tokio runtime.
    ///
    /// # Errors
    /// The first provider that fails to start, named.
    pub async fn start(self) -> Result<Host> {
        let mut core = Core::new(self.limits);
        core.latency = self
            .measure_latency
            .then(super::latency::LatencyRecorder::new);
        let inner = Arc::new(HostInner {
            core: Mutex::new(core),
            sessions: RwLock::new(Vec::new()),
            providers: self.providers.clone(),
            low: self.low,
            high: self.high,
            device_locks: Mutex::new(HashMap::new()),
            dispatchers: Mutex::new(Vec::new()),
            stopped: AtomicBool::new(false),
            ended: AtomicBool::new(false),
        });
        inner.start_providers().await?;
        Ok(Host { inner })
    }
}

/// The TAPI server's role (T§5): one instance of each provider whatever the number of
/// applications, and everything applications share — handles, ownership, unions of media modes
/// and status filters, request ids, Assisted Telephony, shutdown that leaves nothing behind.
///
/// Cheap to clone. Applications come in with [`initialize`](Host::initialize).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> tsp_sdk::Result<()> {
/// use tsp_sdk::host::Host;
/// let host = Host::builder().start().await?;
/// let (app, mut events) = host.initialize("my dialer").await?;
/// assert_eq!(host.snapshot().apps.len(), 1);
/// app.shutdown().await?;
/// assert!(events.next().await.is_none(), "the stream ends at shutdown");
/// assert!(host.snapshot().apps.is_empty());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Host {
    pub(crate) inner: Arc<HostInner>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("devices", &self.devices())
            .finish_non_exhaustive()
    }
}

pub(crate) struct HostInner {
    pub(crate) core: Mutex<Core>,
    sessions: RwLock<Vec<Arc<ProviderSession>>>,
    providers: Vec<Arc<dyn ProviderDyn>>,
    low: Version,
    high: Version,
    device_locks: Mutex<HashMap<u32, Arc<tokio::sync::Mutex<()>>>>,
    /// One task per provider turning its deliveries into events.
    dispatchers: Mutex<Vec<JoinHandle<()>>>,
    /// `stop` began: no REINIT, no new application.
    stopped: AtomicBool,
    /// The providers are shut down for good: queued operations are dropped.
    ended: AtomicBool,
}

impl HostInner {
    pub(crate) fn core(&self) -> MutexGuard<'_, Core> {
        // The rules never leave the tables half-changed across a panic point they could hit
        // (they do not panic on input); keep serving if a panic poisoned the lock.
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn dispatchers(&self) -> MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.dispatchers.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn session(&self, prov: usize) -> Result<Arc<ProviderSession>> {
        self.sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(prov)
            .cloned()
            .ok_or_else(|| {
                let why = if self.ended() {
                    "the host has stopped"
                } else {
                    "the provider is restarting (REINIT)"
                };
                Error::new(LineErr::OperationFailed).detail(why)
            })
    }

    /// The lock that keeps a device's provider operations in order: whoever holds it may call
    /// the provider for that device's line and calls, and drains its queue.
    pub(crate) fn device_lock(&self, device: u32) -> Arc<tokio::sync::Mutex<()>> {
        self.device_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(device)
            .or_default()
            .clone()
    }

    /// Runs the rules (`plan`) under the core lock and queues the provider operations they ask
    /// for in the same critical section; perform them with [`run`](Self::run).
    pub(crate) fn queue(&self, plan: impl FnOnce(&mut Core) -> Result<Plan>) -> Result<Work> {
        let mut core = self.core();
        let plan = plan(&mut core)?;
        Ok(core.enqueue(plan))
    }

    /// Starts (or restarts) every provider and rebuilds the device table. On failure, the
    /// providers already started are shut down again.
    async fn start_providers(self: &Arc<Self>) -> Result<()> {
        let mut sessions: Vec<Arc<ProviderSession>> = Vec::new();
        let mut slots = Vec::new();
        let mut devices = Vec::new();
        let mut feeds = Vec::new();
        let mut base = 0u32;
        for (prov, provider) in self.providers.iter().enumerate() {
            let config = SessionConfig {
                provider_id: prov as u32 + 1,
                line_base: base,
                low: self.low,
                high: self.high,
            };
            let started = ProviderSession::start(provider.clone(), config).await;
            let (session, deliveries) = match started {
                Ok(started) => started,
                Err(e) => {
                    for session in sessions {
                        let _ = session.shutdown().await;
                    }
                    return Err(e.device(format!("provider {}", provider.info().name)));
                }
            };
            let info = session.info().clone();
            slots.push(ProviderSlot {
                name: info.name.clone(),
                version: session.version(),
                min_version: info.min_version,
                max_version: info.max_version,
                capabilities: info.capabilities,
            });
            for local in 0..session.devices() {
                devices.push(read_caps(&session, prov, DeviceId(local)).await);
            }
            base += session.devices();
            feeds.push(deliveries);
            sessions.push(Arc::new(session));
        }
        *self.sessions.write().unwrap_or_else(|p| p.into_inner()) = sessions;
        let epoch = {
            let mut core = self.core();
            core.providers = slots;
            core.devices = devices;
            core.epoch
        };
        let mut dispatchers = self.dispatchers();
        for (prov, deliveries) in feeds.into_iter().enumerate() {
            let task = tokio::spawn(dispatch(Arc::downgrade(self), prov, epoch, deliveries));
            dispatchers.push(task);
        }
        Ok(())
    }

    /// Performs queued work: drains each device's queue in order (taking its lock, unless the
    /// caller holds it: `locked`), then runs a due REINIT. When this returns, every operation
    /// of the work is done (by this task or by another that held the device's lock), except
    /// work for a device other than `locked`, handed to a task of its own so a task never waits
    /// for a second device's lock while holding one.
    pub(crate) async fn run(self: &Arc<Self>, work: Work, locked: Option<u32>) {
        for device in work.devices {
            match locked {
                Some(held) if held != device => self.spawn_run(Work::device(device)),
                _ => self.drain(device, locked == Some(device)).await,
            }
        }
        if work.reinit {
            if locked.is_some() {
                self.spawn_run(Work {
                    devices: Vec::new(),
                    reinit: true,
                });
            } else {
                self.run_reinit().await;
            }
        }
    }

    /// [`run`](Self::run) in a task of its own (nobody waits for it).
    pub(crate) fn spawn_run(self: &Arc<Self>, work: Work) {
        if work.is_empty() {
            return;
        }
        let host = self.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                rt.spawn(async move { host.run(work, None).await });
            }
            Err(_) => tracing::warn!(
                "provider operations queued outside a runtime; the next operation on their devices performs them"
            ),
        }
    }

    /// Performs the device's queued operations in order, holding its lock.
    async fn drain(self: &Arc<Self>, device: u32, have_lock: bool) {
        let mut unfinished = Unfinished {
            host: self.clone(),
            device,
            armed: true,
        };
        let lock = self.device_lock(device);
        let _guard = if have_lock {
            None
        } else {
            Some(lock.lock().await)
        };
        loop {
            let op = self.core().next_op(device);
            let Some(op) = op else {
                break;
            };
            if self.ended() {
                continue;
            }
            self.perform(op).await;
        }
        unfinished.armed = false;
    }

    /// One provider operation; the caller holds the device's lock.
    async fn perform(self: &Arc<Self>, op: ProviderOp) {
        match op {
            ProviderOp::Drop { call, device } => {
                if let Ok(session) = self.session(call.prov)
                    && let Err(e) = session.drop_call(call.call, Vec::new()).await
                {
                    tracing::debug!(device, call = %call.call, error = %e, "host drop refused");
                }
            }
            ProviderOp::CloseCall { call, device } => {
                if let Ok(session) = self.session(call.prov) {
                    match session.close_call(call.call).await {
                        Ok(()) => {}
                        // Gone with its line already.
                        Err(e) if e.kind() == LineErr::InvalCallHandle => {
                            tracing::debug!(device, call = %call.call, "close_call: already closed with its line");
                        }
                        Err(e) => {
                            tracing::warn!(device, call = %call.call, error = %e, "close_call failed")
                        }
                    }
                }
            }
            ProviderOp::Close { line, device } => {
                if !self.core().is_closing(line) {
                    return;
                }
                if let Ok(session) = self.session(line.prov) {
                    match session.close(line.line).await {
                        Ok(()) => tracing::info!(device, "line closed at the provider"),
                        Err(e) => tracing::warn!(device, error = %e, "close failed"),
                    }
                }
                self.core().forget_line(line);
            }
            ProviderOp::SetDetection { line, .. } => {
                let _ = self.apply_unions(line, true).await;
            }
            ProviderOp::SetStatus { line, .. } => {
                let _ = self.apply_unions(line, false).await;
            }
            ProviderOp::MonitorDigits { call, device } => {
                let modes = self.core().calls.get(&call).map(|c| c.digit_modes);
                if let (Some(modes), Ok(session)) = (modes, self.session(call.prov))
                    && let Err(e) = session.monitor_digits(call.call, modes).await
                {
                    tracing::warn!(device, call = %call.call, error = %e, "monitor_digits failed");
                }
            }
            ProviderOp::RefreshCaps { device } => {
                let at = self
                    .core()
                    .devices
                    .get(device as usize)
                    .map(|d| (d.prov, d.local));
                if let Some((prov, local)) = at
                    && let Ok(session) = self.session(prov)
                {
                    let fresh = read_caps(&session, prov, local).await;
                    // Only the caps: whether the device is open or removed changed under us,
                    // maybe, and is not the caps' business.
                    if let Some(d) = self.core().devices.get_mut(device as usize)
                        && d.prov == prov
                        && d.local == local
                    {
                        d.caps = fresh.caps;
                        d.address_caps = fresh.address_caps;
                    }
                }
            }
            ProviderOp::Reinit => {}
        }
    }

    /// Sends the line's current detection (or status) union to the provider; the caller holds
    /// the device's lock.
    pub(crate) async fn apply_unions(
        &self,
        key: super::core::LineKey,
        detection: bool,
    ) -> Result<()> {
        let current = self.core().lines.get(&key).map(|l| (l.detection, l.status));
        let Some((modes, (line_states, address_states))) = current else {
            return Ok(());
        };
        let session = self.session(key.prov)?;
        let result = if detection {
            session.set_default_media_detection(key.line, modes).await
        } else {
            session
                .set_status_messages(key.line, line_states, address_states)
                .await
        };
        if let Err(e) = &result {
            tracing::warn!(line = %key.line, error = %e, "the provider refused the new unions");
        }
        result
    }

    /// Takes every device's lock, in order, performing what is queued for each: afterwards no
    /// task is calling a provider for a device, and none will until the guards go.
    async fn quiesce(self: &Arc<Self>) -> Vec<tokio::sync::OwnedMutexGuard<()>> {
        let mut devices: Vec<u32> = {
            let core = self.core();
            let mut ids: Vec<u32> = (0..core.devices.len() as u32).collect();
            ids.extend((0..core.providers.len()).map(super::core::orphan_queue));
            ids.extend(core.queues.keys().copied());
            ids
        };
        devices.sort_unstable();
        devices.dedup();
        let mut guards = Vec::with_capacity(devices.len());
        for device in devices {
            guards.push(self.device_lock(device).lock_owned().await);
            self.drain(device, true).await;
        }
        guards
    }

    /// Runs a due REINIT unless another task runs one (or the host is stopping).
    async fn run_reinit(self: &Arc<Self>) {
        if self.stopped() || !self.core().take_reinit_due() {
            return;
        }
        while self.reinit().await {}
    }

    /// Every application has shut down while a REINIT was pending: the providers restart with a
    /// fresh session (removed devices no longer take an id), then applications are welcome again.
    /// Operations other tasks queued are performed first; deliveries from the old sessions are
    /// ignored. Returns whether another REINIT was asked for meanwhile.
    async fn reinit(self: &Arc<Self>) -> bool {
        tracing::info!("REINIT: restarting the providers");
        let guards = self.quiesce().await;
        let sessions: Vec<_> =
            std::mem::take(&mut *self.sessions.write().unwrap_or_else(|p| p.into_inner()));
        for task in self.dispatchers().drain(..) {
            task.abort();
        }
        for session in sessions {
            if let Err(e) = session.shutdown().await {
                tracing::warn!(provider = %session.info().name, error = %e, "REINIT: provider shutdown failed");
            }
        }
        self.core().restarting();
        let ok = match self.start_providers().await {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(error = %e, "REINIT: a provider failed to restart; applications get LINEERR_REINIT until Host::reinit succeeds");
                false
            }
        };
        let again = self.core().reinit_finished(ok);
        drop(guards);
        again
    }

    /// Every session, for snapshots and shutdown.
    fn all_sessions(&self) -> Vec<Arc<ProviderSession>> {
        self.sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn ended(&self) -> bool {
        self.ended.load(Ordering::SeqCst)
    }
}

/// A drain that did not finish (its task was cancelled): another task performs the rest.
struct Unfinished {
    host: Arc<HostInner>,
    device: u32,
    armed: bool,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if self.armed {
            self.host.spawn_run(Work::device(self.device));
        }
    }
}

async fn read_caps(session: &ProviderSession, prov: usize, local: DeviceId) -> DeviceSlot {
    let version = session.version();
    let caps = match session.line_caps(local, version).await {
        Ok(caps) => caps,
        Err(e) => {
            tracing::warn!(%local, error = %e, "line_caps failed; using defaults");
            Default::default()
        }
    };
    let mut address_caps = Vec::new();
    for a in 0..caps.num_addresses.clamp(1, 64) {
        match session.address_caps(local, AddressId(a), version).await {
            Ok(c) => address_caps.push(c),
            Err(e) => {
                tracing::warn!(%local, address = a, error = %e, "address_caps failed; using defaults");
                address_caps.push(Default::default());
            }
        }
    }
    for address in &address_caps {
        for mismatch in crate::kit::check_caps(local, &session.info().capabilities, &caps, address)
        {
            tracing::warn!(provider = %session.info().name, %mismatch, "the provider's caps disagree");
        }
    }
    DeviceSlot {
        prov,
        local,
        caps,
        address_caps,
        removed: false,
        line: None,
    }
}

/// One provider's deliveries, in order, into the rules; the provider operations they ask for are
/// queued and performed by a task of their own, so this task never waits on a provider. Ends
/// when the provider's session is replaced (REINIT).
async fn dispatch(host: Weak<HostInner>, prov: usize, epoch: u64, mut deliveries: Deliveries) {
    while let Some((at, delivery)) = deliveries.recv_stamped().await {
        let Some(host) = host.upgrade() else {
            return;
        };
        let work = {
            let mut core = host.core();
            if core.epoch != epoch {
                return;
            }
            let plan = core.on_delivery(prov, delivery, Some(at));
            core.enqueue(plan)
        };
        host.spawn_run(work);
    }
}

impl Host {
    /// A builder with every default.
    pub fn builder() -> HostBuilder {
        HostBuilder::default()
    }

    /// How many line devices the host has (TAPI device ids `0..devices`).
    pub fn devices(&self) -> u32 {
        self.inner.core().devices.len() as u32
    }

    /// Everything the host tracks, for operators (see [`Snapshot`]).
    pub fn snapshot(&self) -> Snapshot {
        let mut snap = self.inner.core().snapshot();
        let sessions = self.inner.all_sessions();
        let core = self.inner.core();
        for line in &mut snap.lines {
            if let Some(d) = core.devices.get(line.device as usize)
                && let Some(s) = sessions.get(d.prov)
            {
                line.provider_operations = s
                    .tally(d.local)
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
            }
        }
        for (i, p) in snap.providers.iter_mut().enumerate() {
            if let Some(s) = sessions.get(i) {
                p.violations = s.violations().len() as u64 + s.sink().violations_dropped();
            }
        }
        snap
    }

    /// Event latencies from the providers' callbacks to the applications that read them, if
    /// [`HostBuilder::measure_event_latency`] is on.
    pub fn event_latency(&self) -> Option<super::latency::LatencyStats> {
        self.inner.core().latency.as_ref().map(|l| l.stats())
    }

    /// Forgets the latencies measured so far (between benchmark phases).
    pub fn reset_event_latency(&self) {
        if let Some(l) = &self.inner.core().latency {
            l.reset();
        }
    }

    /// The one-provider session beneath the host for provider `index` (tests and tools that
    /// need the provider's view: its sink's violations, what it holds).
    pub fn session(&self, index: usize) -> Option<Arc<ProviderSession>> {
        self.inner.session(index).ok()
    }

    /// Asks every application to shut down (`LINEDEVSTATE_REINIT`) and refuses `initialize` and
    /// `open_line` with `LINEERR_REINIT` until the last one has; then restarts the providers (a
    /// new configuration takes effect). With no application, restarts at once (and retries a
    /// restart that failed). Does nothing once the host is stopping.
    pub async fn reinit(&self) {
        if self.inner.stopped() {
            return;
        }
        let work = self.inner.queue(|core| Ok(core.request_reinit()));
        if let Ok(work) = work {
            self.inner.run(work, None).await;
        }
    }

    /// Stops the host: every application is shut down as if it called `shutdown` (its calls
    /// dropped, its lines closed, every device released), operations under way finish, then
    /// every provider is shut down. Afterwards applications get `LINEERR_INVALAPPHANDLE`, and
    /// `initialize` `LINEERR_UNINITIALIZED`.
    pub async fn stop(&self) {
        if self.inner.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let apps: Vec<_> = self.inner.core().apps.keys().copied().collect();
        for app in apps {
            if let Ok(work) = self.inner.queue(|core| core.shutdown(app)) {
                self.inner.run(work, None).await;
            }
        }
        let guards = self.inner.quiesce().await;
        self.inner.ended.store(true, Ordering::SeqCst);
        for task in self.inner.dispatchers().drain(..) {
            task.abort();
        }
        let sessions: Vec<_> = std::mem::take(
            &mut *self
                .inner
                .sessions
                .write()
                .unwrap_or_else(|p| p.into_inner()),
        );
        for session in sessions {
            if let Err(e) = session.shutdown().await {
                tracing::warn!(provider = %session.info().name, error = %e, "provider shutdown failed");
            }
        }
        drop(guards);
        tracing::info!("host stopped");
    }
}
