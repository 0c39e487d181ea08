//! Shared by the host tests: a host on loopback lines, a provider wrapper that records what the
//! provider was asked, and event helpers that never wait on the wall clock (tests run on paused
//! time, so a missing event fails after a virtual minute, at once).
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use tsp_sdk::host::{App, AppEvent, Call, Events, Host, HostBuilder, Line, OpenOptions};
use tsp_sdk::loopback::Loopback;
use tsp_sdk::spi::*;
use tsp_sdk::{AddressStates, CallState, DigitModes, LineDevStates, MediaModes, Result, Version};

/// Every provider operation, in order, with the call or line it named.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: String) {
        self.0.lock().unwrap().push(entry);
    }
    pub fn all(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
    /// Entries that start with one of `ops`.
    pub fn only(&self, ops: &[&str]) -> Vec<String> {
        self.all()
            .into_iter()
            .filter(|e| ops.iter().any(|op| e.split(' ').next() == Some(op)))
            .collect()
    }
    pub fn count(&self, op: &str) -> usize {
        self.only(&[op]).len()
    }
    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

/// Operations the recorder refuses (`LINEERR_OPERATIONFAILED`) instead of asking the loopback,
/// by the first word of their log entry.
#[derive(Clone, Default)]
pub struct Refusals(Arc<Mutex<Vec<&'static str>>>);

impl Refusals {
    pub fn set(&self, ops: &[&'static str]) {
        *self.0.lock().unwrap() = ops.to_vec();
    }
    fn refuses(&self, entry: &str) -> bool {
        let op = entry.split(' ').next().unwrap_or_default();
        self.0.lock().unwrap().contains(&op)
    }
}

/// A provider that logs what it is asked, then asks the loopback (or refuses, see
/// [`Refusals`]).
pub struct Recorder {
    pub inner: Loopback,
    pub log: Log,
    pub refuse: Refusals,
    pub narrowed: Narrowed,
}

/// What a test takes away from the loopback's offer: optional operations and the SECURE
/// address cap (to see the host refuse what a provider does not offer).
#[derive(Debug, Clone, Copy, Default)]
pub struct Narrowed {
    /// Capabilities advertised instead of the loopback's (all of them).
    pub capabilities: Option<tsp_sdk::spi::Capabilities>,
    /// Whether `AddrCapFlags::SECURE` is taken off the address caps.
    pub no_secure_address: bool,
}

macro_rules! logged {
    ($self:ident, $entry:expr, $call:expr) => {{
        let entry: String = $entry;
        let refused = $self.refuse.refuses(&entry);
        $self.log.push(entry);
        if refused {
            Box::pin(async {
                Err(tsp_sdk::Error::new(tsp_sdk::LineErr::OperationFailed)
                    .detail("refused by the test"))
            })
        } else {
            $call
        }
    }};
}

impl ProviderDyn for Recorder {
    fn info(&self) -> ProviderInfo {
        let mut info = Provider::info(&self.inner);
        if let Some(capabilities) = self.narrowed.capabilities {
            info.capabilities = capabilities;
        }
        info
    }
    fn negotiate_version(
        &self,
        device: Option<DeviceId>,
        low: Version,
        high: Version,
    ) -> BoxFuture<'_, Result<Version>> {
        ProviderDyn::negotiate_version(&self.inner, device, low, high)
    }
    fn enumerate_devices(&self) -> BoxFuture<'_, Result<u32>> {
        ProviderDyn::enumerate_devices(&self.inner)
    }
    fn init(&self, init: Init) -> BoxFuture<'_, Result<ProviderOptions>> {
        logged!(self, "init".into(), ProviderDyn::init(&self.inner, init))
    }
    fn shutdown(&self) -> BoxFuture<'_, Result<()>> {
        // Takes a turn of the runtime, as a real provider's shutdown would: other tasks run
        // meanwhile.
        logged!(
            self,
            "shutdown".into(),
            Box::pin(async {
                tokio::task::yield_now().await;
                ProviderDyn::shutdown(&self.inner).await
            })
        )
    }
    fn line_caps(&self, device: DeviceId, version: Version) -> BoxFuture<'_, Result<LineDevCaps>> {
        ProviderDyn::line_caps(&self.inner, device, version)
    }
    fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        version: Version,
    ) -> BoxFuture<'_, Result<AddressCaps>> {
        let no_secure = self.narrowed.no_secure_address;
        Box::pin(async move {
            let mut caps = ProviderDyn::address_caps(&self.inner, device, address, version).await?;
            if no_secure {
                caps.addr_cap_flags -= tsp_sdk::AddrCapFlags::SECURE;
            }
            Ok(caps)
        })
    }
    fn open(&self, open: OpenLine) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("open {}", open.device.0),
            ProviderDyn::open(&self.inner, open)
        )
    }
    fn close(&self, line: LineHandle) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("close {}", line.0),
            ProviderDyn::close(&self.inner, line)
        )
    }
    fn line_status(&self, line: LineHandle) -> BoxFuture<'_, Result<LineDevStatus>> {
        ProviderDyn::line_status(&self.inner, line)
    }
    fn set_default_media_detection(
        &self,
        line: LineHandle,
        modes: MediaModes,
    ) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("detect {:#x}", modes.bits()),
            ProviderDyn::set_default_media_detection(&self.inner, line, modes)
        )
    }
    fn set_status_messages(
        &self,
        line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("status {:#x}", line_states.bits()),
            ProviderDyn::set_status_messages(&self.inner, line, line_states, address_states)
        )
    }
    fn get_id(&self, request: GetId) -> BoxFuture<'_, Result<DeviceIdValue>> {
        ProviderDyn::get_id(&self.inner, request)
    }
    fn make_call(&self, request: MakeCall) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("make_call {}", request.call.0),
            ProviderDyn::make_call(&self.inner, request)
        )
    }
    fn dial(&self, request: Dial) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("dial {}", request.call.0),
            ProviderDyn::dial(&self.inner, request)
        )
    }
    fn answer(&self, request: CallRequest) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("answer {}", request.call.0),
            ProviderDyn::answer(&self.inner, request)
        )
    }
    fn accept(&self, request: CallRequest) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("accept {}", request.call.0),
            ProviderDyn::accept(&self.inner, request)
        )
    }
    fn drop_call(&self, request: CallRequest) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("drop_call {}", request.call.0),
            ProviderDyn::drop_call(&self.inner, request)
        )
    }
    fn secure_call(&self, request: SecureCall) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("secure_call {}", request.call.0),
            ProviderDyn::secure_call(&self.inner, request)
        )
    }
    fn close_call(&self, call: CallHandle) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("close_call {}", call.0),
            ProviderDyn::close_call(&self.inner, call)
        )
    }
    fn call_info(&self, call: CallHandle) -> BoxFuture<'_, Result<CallInfo>> {
        ProviderDyn::call_info(&self.inner, call)
    }
    fn call_status(&self, call: CallHandle) -> BoxFuture<'_, Result<CallStatus>> {
        ProviderDyn::call_status(&self.inner, call)
    }
    fn set_media_mode(&self, call: CallHandle, mode: MediaModes) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("set_media_mode {}", call.0),
            ProviderDyn::set_media_mode(&self.inner, call, mode)
        )
    }
    fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("monitor_digits {} {:#x}", call.0, modes.bits()),
            ProviderDyn::monitor_digits(&self.inner, call, modes)
        )
    }
    fn generate_digits(&self, request: GenerateDigits) -> BoxFuture<'_, Result<()>> {
        logged!(
            self,
            format!("generate_digits {}", request.call.0),
            ProviderDyn::generate_digits(&self.inner, request)
        )
    }
}

/// A host on `lines` loopback lines, with the loopback (for faults) and the provider's log.
pub struct World {
    pub host: Host,
    pub loopback: Loopback,
    pub log: Log,
    pub refuse: Refusals,
}

pub async fn world(lines: u32) -> World {
    world_with(lines, |b| b).await
}

pub async fn world_with(lines: u32, tune: impl FnOnce(HostBuilder) -> HostBuilder) -> World {
    world_narrowed(lines, Narrowed::default(), tune).await
}

pub async fn world_narrowed(
    lines: u32,
    narrowed: Narrowed,
    tune: impl FnOnce(HostBuilder) -> HostBuilder,
) -> World {
    let loopback = Loopback::new(lines);
    let log = Log::default();
    let refuse = Refusals::default();
    let provider = Arc::new(Recorder {
        inner: loopback.clone(),
        log: log.clone(),
        refuse: refuse.clone(),
        narrowed,
    });
    let host = tune(Host::builder().provider(provider))
        .start()
        .await
        .unwrap();
    World {
        host,
        loopback,
        log,
        refuse,
    }
}

impl World {
    pub async fn app(&self, name: &str) -> (App, Events) {
        self.host.initialize(name).await.unwrap()
    }

    /// Nothing of applications, calls or requests is left, no line is open, none of the host's
    /// tables holds anything, and the provider's sink holds nothing live. After letting completions already on their way arrive (a provider's answer to a request
    /// the application no longer waits for still reaches the host's tables), nothing is left.
    pub async fn assert_nothing_left(&self) {
        settle().await;
        let snap = self.host.snapshot();
        assert!(snap.apps.is_empty(), "apps left: {:?}", snap.apps);
        assert!(snap.calls.is_empty(), "calls left: {:?}", snap.calls);
        assert!(
            snap.pending_requests.is_empty(),
            "requests left: {:?}",
            snap.pending_requests
        );
        assert!(
            snap.request_recipients.is_empty(),
            "recipients left: {:?}",
            snap.request_recipients
        );
        assert!(
            snap.lines.iter().all(|l| !l.open),
            "lines left open: {:?}",
            snap.lines
        );
        assert!(
            snap.tables.is_empty(),
            "the host's tables still hold {:?}",
            snap.tables
        );
        let sizes = self.host.session(0).unwrap().sink_sizes();
        assert_eq!(
            (sizes.open_lines, sizes.live_calls, sizes.pending_requests),
            (0, 0, 0),
            "the sink still holds {sizes:?}"
        );
        let violations = self.host.session(0).unwrap().violations();
        assert!(violations.is_empty(), "contract violations: {violations:?}");
    }
}

pub const VOICE: MediaModes = MediaModes::INTERACTIVEVOICE;
pub const DATA: MediaModes = MediaModes::DATAMODEM;

pub fn owner(media: MediaModes) -> OpenOptions {
    OpenOptions::owner(media)
}

/// The next event that `pick` accepts (others are skipped), or a panic naming `what` after a
/// virtual minute.
pub async fn next_where<T>(
    events: &mut Events,
    what: &str,
    mut pick: impl FnMut(&AppEvent) -> Option<T>,
) -> T {
    let mut skipped = Vec::new();
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(event) = events.next().await {
            if let Some(hit) = pick(&event) {
                return Some(hit);
            }
            skipped.push(event);
        }
        None
    })
    .await;
    match found {
        Ok(Some(hit)) => hit,
        Ok(None) => panic!("waiting for {what}: the event stream ended; skipped {skipped:#?}"),
        Err(_) => panic!("waiting for {what}: nothing after a minute; skipped {skipped:#?}"),
    }
}

/// The reply to `request`.
pub async fn reply(events: &mut Events, request: RequestId) -> Result<()> {
    next_where(events, &format!("the reply to {request}"), |e| match e {
        AppEvent::Reply { request: r, result } if *r == request => Some(result.clone()),
        _ => None,
    })
    .await
}

/// The next new call handle, with its privilege.
pub async fn new_call(events: &mut Events) -> (Line, Call, tsp_sdk::CallPrivilege) {
    next_where(events, "a new call", |e| match e {
        AppEvent::NewCall {
            line,
            call,
            privilege,
            ..
        } => Some((*line, *call, *privilege)),
        _ => None,
    })
    .await
}

/// Waits until `call` reports `state`.
pub async fn state(events: &mut Events, call: Call, state: CallState) {
    next_where(events, &format!("{call} to reach {state}"), |e| match e {
        AppEvent::CallState {
            call: c, state: s, ..
        } if *c == call && s.state() == state => Some(()),
        _ => None,
    })
    .await
}

/// Everything queued now.
pub fn drain(events: &mut Events) -> Vec<AppEvent> {
    std::iter::from_fn(|| events.try_next()).collect()
}

/// Lets the host's tasks run (paused time: no wall-clock wait).
pub async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

/// Places a call from `line` to the loopback's line 101 and waits for its reply (success).
pub async fn placed_call(app: &App, events: &mut Events, line: Line) -> tsp_sdk::host::Placed {
    let placed = app
        .make_call(line, Some("101"), Default::default())
        .await
        .unwrap();
    reply(events, placed.request).await.unwrap();
    placed
}
