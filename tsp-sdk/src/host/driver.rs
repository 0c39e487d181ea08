//! The host's async side: providers started once, one task per provider turning its deliveries
//! into application events, one worker performing the provider operations the rules ask for, and
//! per-device locks so opens and closes of one device never interleave.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::error::{Error, LineErr, Result};
use crate::sink::Deliveries;
use crate::spi::{AddressId, DeviceId, ProviderDyn};
use crate::types::Version;

use super::core::{Core, DeviceSlot, Limits, Plan, ProviderOp, ProviderSlot};
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
    /// [`events`](super::events) for the policy). Default 4,096.
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
        let (worker_tx, worker_rx) = mpsc::unbounded_channel();
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
            worker: worker_tx,
            tasks: Mutex::new(Vec::new()),
            stopped: AtomicBool::new(false),
        });
        inner.start_providers().await?;
        let worker = tokio::spawn(work(Arc::downgrade(&inner), worker_rx));
        inner.tasks().push(worker);
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
    worker: mpsc::UnboundedSender<Plan>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    stopped: AtomicBool,
}

impl HostInner {
    pub(crate) fn core(&self) -> MutexGuard<'_, Core> {
        // The rules never leave the tables half-changed across a panic point they could hit
        // (they do not panic on input); keep serving if a panic poisoned the lock.
        self.core.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn tasks(&self) -> MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn session(&self, prov: usize) -> Result<Arc<ProviderSession>> {
        self.sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(prov)
            .cloned()
            .ok_or_else(|| {
                Error::new(LineErr::OperationFailed).detail("the provider is restarting (REINIT)")
            })
    }

    /// The lock that keeps opens and closes of one device in order.
    pub(crate) fn device_lock(&self, device: u32) -> Arc<tokio::sync::Mutex<()>> {
        self.device_locks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(device)
            .or_default()
            .clone()
    }

    /// Starts (or restarts) every provider and rebuilds the device table.
    async fn start_providers(self: &Arc<Self>) -> Result<()> {
        let mut sessions = Vec::new();
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
            let (session, deliveries) = ProviderSession::start(provider.clone(), config)
                .await
                .map_err(|e| e.device(format!("provider {}", provider.info().name)))?;
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
        {
            let mut core = self.core();
            core.providers = slots;
            core.devices = devices;
        }
        for (prov, deliveries) in feeds.into_iter().enumerate() {
            let task = tokio::spawn(dispatch(Arc::downgrade(self), prov, deliveries));
            self.tasks().push(task);
        }
        Ok(())
    }

    /// Performs a plan's provider operations in order. `locked`: the device whose lock the
    /// caller already holds.
    pub(crate) async fn execute(self: &Arc<Self>, plan: Plan, locked: Option<u32>) {
        for op in plan {
            self.perform(op, locked).await;
        }
    }

    /// Performs a plan nobody waits for (an application dropped without `shutdown`), unless the
    /// host is stopping: then the stop itself releases everything, and a late operation would
    /// reach a provider already shut down.
    pub(crate) async fn execute_detached(self: &Arc<Self>, plan: Plan) {
        for op in plan {
            if self.stopped() {
                return;
            }
            self.perform(op, None).await;
        }
    }

    async fn perform(self: &Arc<Self>, op: ProviderOp, locked: Option<u32>) {
        match op {
            ProviderOp::Drop(key) => {
                if let Ok(session) = self.session(key.prov)
                    && let Err(e) = session.drop_call(key.call, Vec::new()).await
                {
                    tracing::debug!(call = %key.call, error = %e, "host drop refused");
                }
            }
            ProviderOp::CloseCall(key) => {
                if let Ok(session) = self.session(key.prov)
                    && let Err(e) = session.close_call(key.call).await
                {
                    tracing::warn!(call = %key.call, error = %e, "close_call failed");
                }
            }
            ProviderOp::Close(key) => {
                let device = self.core().lines.get(&key).map(|l| l.device);
                let Some(device) = device else {
                    return;
                };
                let lock = self.device_lock(device);
                let _guard = if locked == Some(device) {
                    None
                } else {
                    Some(lock.lock().await)
                };
                if !self.core().take_closing(key) {
                    return;
                }
                if let Ok(session) = self.session(key.prov) {
                    match session.close(key.line).await {
                        Ok(()) => tracing::info!(device, "line closed at the provider"),
                        Err(e) => tracing::warn!(device, error = %e, "close failed"),
                    }
                }
            }
            ProviderOp::SetDetection(key, _) | ProviderOp::SetStatus(key, ..) => {
                // Send the current unions (a later change may have superseded the op's values).
                let device = self.core().lines.get(&key).map(|l| l.device);
                let Some(device) = device else {
                    return;
                };
                let lock = self.device_lock(device);
                let _guard = if locked == Some(device) {
                    None
                } else {
                    Some(lock.lock().await)
                };
                let _ = self
                    .apply_unions(key, matches!(op, ProviderOp::SetDetection(..)))
                    .await;
            }
            ProviderOp::MonitorDigits(key, _) => {
                let modes = self.core().calls.get(&key).map(|c| c.digit_modes);
                if let (Some(modes), Ok(session)) = (modes, self.session(key.prov))
                    && let Err(e) = session.monitor_digits(key.call, modes).await
                {
                    tracing::warn!(call = %key.call, error = %e, "monitor_digits failed");
                }
            }
            ProviderOp::RefreshCaps(device) => {
                let at = self
                    .core()
                    .devices
                    .get(device as usize)
                    .map(|d| (d.prov, d.local, d.line, d.removed));
                if let Some((prov, local, line, removed)) = at
                    && let Ok(session) = self.session(prov)
                {
                    let mut slot = read_caps(&session, prov, local).await;
                    slot.line = line;
                    slot.removed = removed;
                    if let Some(d) = self.core().devices.get_mut(device as usize) {
                        *d = slot;
                    }
                }
            }
            ProviderOp::Reinit => self.reinit().await,
        }
    }

    /// Sends the line's current detection (or status) union to the provider.
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

    /// Every application has shut down while a REINIT was pending: the providers restart with a
    /// fresh session (removed devices no longer take an id), then applications are welcome again.
    async fn reinit(self: &Arc<Self>) {
        tracing::info!("REINIT: restarting the providers");
        let sessions: Vec<_> =
            std::mem::take(&mut *self.sessions.write().unwrap_or_else(|p| p.into_inner()));
        for session in sessions {
            let _ = session.shutdown().await;
        }
        // Dispatchers end on their own once their provider's sink is gone or refuses everything;
        // the new ones are started below.
        if let Err(e) = self.start_providers().await {
            tracing::error!(error = %e, "REINIT: a provider failed to restart");
        }
        let mut core = self.core();
        core.lines.clear();
        core.calls.clear();
        core.handles.clear();
        core.requests.clear();
        core.reinit_done();
    }

    /// Every session, for snapshots and shutdown.
    fn all_sessions(&self) -> Vec<Arc<ProviderSession>> {
        self.sessions
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
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
    DeviceSlot {
        prov,
        local,
        caps,
        address_caps,
        removed: false,
        line: None,
    }
}

/// One provider's deliveries, in order, into the rules; provider operations they need go to the
/// worker so this task never waits on a provider.
async fn dispatch(host: Weak<HostInner>, prov: usize, mut deliveries: Deliveries) {
    while let Some((at, delivery)) = deliveries.recv_stamped().await {
        let Some(host) = host.upgrade() else {
            return;
        };
        let plan = host.core().on_delivery(prov, delivery, Some(at));
        if !plan.is_empty() {
            let _ = host.worker.send(plan);
        }
    }
}

/// Performs the plans the dispatchers hand over, one after another.
async fn work(host: Weak<HostInner>, mut plans: mpsc::UnboundedReceiver<Plan>) {
    while let Some(plan) = plans.recv().await {
        let Some(host) = host.upgrade() else {
            return;
        };
        host.execute_detached(plan).await;
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
    /// new configuration takes effect). With no application, restarts at once.
    pub async fn reinit(&self) {
        let plan = self.inner.core().request_reinit();
        self.inner.execute(plan, None).await;
    }

    /// Stops the host: every application is shut down as if it called `shutdown` (its calls
    /// dropped, its lines closed, every device released), then every provider is shut down.
    pub async fn stop(&self) {
        if self.inner.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let apps: Vec<_> = self.inner.core().apps.keys().copied().collect();
        for app in apps {
            let plan = self.inner.core().shutdown(app);
            if let Ok(plan) = plan {
                self.inner.execute(plan, None).await;
            }
        }
        for session in self.inner.all_sessions() {
            if let Err(e) = session.shutdown().await {
                tracing::warn!(provider = %session.info().name, error = %e, "provider shutdown failed");
            }
        }
        for task in self.inner.tasks().drain(..) {
            task.abort();
        }
        tracing::info!("host stopped");
    }
}
