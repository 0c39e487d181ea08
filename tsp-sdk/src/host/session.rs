//! [`ProviderSession`]: one provider driven through the contract with TAPI's bookkeeping and nothing
//! else — the layer beneath the multi-application [`Host`](super::Host), and what tests, the
//! conformance suite and small tools use when they want to talk TSPI to one provider directly.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use tracing::Instrument;

use crate::error::{Error, LineErr, Result};
use crate::sink::{self, Deliveries, LedgerSizes, RequestRecord, SinkControl, Violation};
use crate::spi::*;
use crate::types::{AddressStates, DigitModes, LineDevStates, MediaModes, Version};

/// How [`ProviderSession::start`] brings a provider up (`TSPI_providerInit`'s arguments, T§1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionConfig {
    /// The provider's permanent id.
    pub provider_id: u32,
    /// The TAPI device id of the provider's first line.
    pub line_base: u32,
    /// The oldest TSPI version the host speaks.
    pub low: Version,
    /// The newest TSPI version the host speaks.
    pub high: Version,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            provider_id: 1,
            line_base: 0,
            low: Version::V1_4,
            high: Version::V3_1,
        }
    }
}

/// A request the provider accepted (it will complete it exactly once), with the call it concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Accepted {
    /// The request, as the completion will name it.
    pub request: RequestId,
    /// The call: new (pending until the completion) for `make_call`.
    pub call: CallHandle,
}

/// An async operation on a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallOp {
    Dial { dest: String, country: u32 },
    Answer(Vec<u8>),
    Accept(Vec<u8>),
    Drop(Vec<u8>),
    Secure,
}

impl CallOp {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            CallOp::Dial { .. } => "dial",
            CallOp::Answer(_) => "answer",
            CallOp::Accept(_) => "accept",
            CallOp::Drop(_) => "drop_call",
            CallOp::Secure => "secure_call",
        }
    }
}

/// How many times each TSPI operation was issued for one device: what the provider saw.
pub type Tally = BTreeMap<&'static str, u64>;

#[derive(Debug, Default)]
struct Books {
    next_line: u32,
    device_of: HashMap<LineHandle, DeviceId>,
    tally: HashMap<DeviceId, Tally>,
}

/// One provider's session: version negotiated, devices enumerated, `init` done with a fresh
/// [`EventSink`](crate::sink::EventSink), and every later operation recorded with the sink before
/// the provider sees it.
///
/// What it does for you, per operation:
/// - names lines and calls (the host's handles), and async requests with ids unique while pending
///   (`1..=0x7FFF_FFFF`, T§1.1);
/// - registers each async request with the sink before the provider is called, and marks it refused
///   when the provider fails it synchronously (it must then never complete);
/// - tells the sink when a line opens and closes, a call closes, and the session shuts down, so
///   late callbacks are refused;
/// - refuses a call handle the sink does not know (never announced, or closed) with
///   `LINEERR_INVALCALLHANDLE` and an unopened line with `LINEERR_INVALLINEHANDLE`, without calling
///   the provider;
/// - counts what each device was asked ([`tally`](Self::tally)).
///
/// It does **not** check arguments the contract makes the provider's job (device ids, media modes,
/// dial strings, call states): that is what the conformance suite tests. The [`Host`](super::Host)
/// adds those checks, and applications, on top.
///
/// Completions and events arrive on the [`Deliveries`] returned by [`start`](Self::start).
pub struct ProviderSession {
    provider: Arc<dyn ProviderDyn>,
    control: SinkControl,
    info: ProviderInfo,
    version: Version,
    devices: u32,
    config: SessionConfig,
    books: Mutex<Books>,
}

impl std::fmt::Debug for ProviderSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderSession")
            .field("provider", &self.info.name)
            .field("version", &self.version)
            .field("devices", &self.devices)
            .finish_non_exhaustive()
    }
}

impl ProviderSession {
    /// `lineNegotiateTSPIVersion(INITIALIZE_NEGOTIATION)`, `providerEnumDevices` and
    /// `providerInit`, in TAPI's order (T§1.3).
    ///
    /// # Errors
    /// The provider's: `INCOMPATIBLEAPIVERSION` when its versions and `config`'s do not overlap,
    /// whatever `enumerate_devices` or `init` answer.
    pub async fn start(
        provider: Arc<dyn ProviderDyn>,
        config: SessionConfig,
    ) -> Result<(ProviderSession, Deliveries)> {
        let info = provider.info();
        let span = tracing::info_span!("provider", name = %info.name);
        async move {
            let version = provider
                .negotiate_version(None, config.low, config.high)
                .await?;
            let devices = provider.enumerate_devices().await?;
            let (sink, host) = sink::channel();
            let (control, deliveries) = host.split();
            provider
                .init(Init {
                    version,
                    provider_id: config.provider_id,
                    line_base: config.line_base,
                    lines: devices,
                    sink,
                })
                .await?;
            control.begin_session();
            tracing::debug!(%version, devices, "provider initialised");
            Ok((
                ProviderSession {
                    provider,
                    control,
                    info,
                    version,
                    devices,
                    config,
                    books: Mutex::new(Books::default()),
                },
                deliveries,
            ))
        }
        .instrument(span)
        .await
    }

    /// The provider.
    pub fn provider(&self) -> &Arc<dyn ProviderDyn> {
        &self.provider
    }

    /// What the provider said about itself at start.
    pub fn info(&self) -> &ProviderInfo {
        &self.info
    }

    /// The TSPI version negotiated for the session.
    pub fn version(&self) -> Version {
        self.version
    }

    /// How many line devices the provider has (`0..devices`).
    pub fn devices(&self) -> u32 {
        self.devices
    }

    /// How the session was started.
    pub fn config(&self) -> SessionConfig {
        self.config
    }

    /// The sink's bookkeeping (violations, pending requests, call states).
    pub fn sink(&self) -> &SinkControl {
        &self.control
    }

    /// Contract violations the sink refused so far.
    pub fn violations(&self) -> Vec<Violation> {
        self.control.violations()
    }

    /// What the sink holds now (nothing should be left after everything is closed).
    pub fn sink_sizes(&self) -> LedgerSizes {
        self.control.sizes()
    }

    /// How many times each operation was issued for `device` since the session started.
    pub fn tally(&self, device: DeviceId) -> Tally {
        self.books().tally.get(&device).cloned().unwrap_or_default()
    }

    /// The device an open line is on.
    pub fn device_of(&self, line: LineHandle) -> Option<DeviceId> {
        self.books().device_of.get(&line).copied()
    }

    fn books(&self) -> MutexGuard<'_, Books> {
        // Every mutation is a single insert or increment: a poisoned lock is still consistent.
        self.books.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn count(&self, device: Option<DeviceId>, operation: &'static str) {
        if let Some(device) = device {
            *self
                .books()
                .tally
                .entry(device)
                .or_default()
                .entry(operation)
                .or_default() += 1;
        }
    }

    fn count_line(&self, line: LineHandle, operation: &'static str) {
        let device = self.device_of(line);
        self.count(device, operation);
    }

    fn line_of_call(&self, call: CallHandle, operation: &'static str) -> Result<LineHandle> {
        self.control.line_of(call).ok_or_else(|| {
            Error::new(LineErr::InvalCallHandle)
                .operation(operation)
                .detail(format!(
                    "{call} is not a call of this session (never announced, or closed)"
                ))
        })
    }

    fn check_line(&self, line: LineHandle, operation: &'static str) -> Result<DeviceId> {
        self.device_of(line).ok_or_else(|| {
            Error::new(LineErr::InvalLineHandle)
                .operation(operation)
                .detail(format!("{line} is not open"))
        })
    }

    /// `TSPI_lineOpen` under a new line handle; the sink accepts events on it from now on.
    ///
    /// # Errors
    /// The provider's (`BADDEVICEID`, `ALLOCATED`, `NODEVICE`, …); the line is then closed again in
    /// the sink's books.
    pub async fn open(&self, device: DeviceId, version: Version) -> Result<LineHandle> {
        let line = {
            let mut books = self.books();
            books.next_line = books.next_line.wrapping_add(1).max(1);
            while books.device_of.contains_key(&LineHandle(books.next_line)) {
                books.next_line = books.next_line.wrapping_add(1).max(1);
            }
            LineHandle(books.next_line)
        };
        let span = tracing::info_span!("line", %device, %line);
        async {
            self.count(Some(device), "open");
            self.control.line_opened(line);
            match self
                .provider
                .open(OpenLine {
                    device,
                    line,
                    version,
                })
                .await
            {
                Ok(()) => {
                    self.books().device_of.insert(line, device);
                    tracing::debug!("opened");
                    Ok(line)
                }
                Err(e) => {
                    self.control.line_closed(line);
                    Err(e)
                }
            }
        }
        .instrument(span)
        .await
    }

    /// `TSPI_lineClose`. Whatever the provider answers, the line is closed in the sink's books:
    /// requests it left pending are completed with `OPERATIONFAILED` (and reported as violations).
    ///
    /// # Errors
    /// `INVALLINEHANDLE` for a line not open; otherwise the provider's answer.
    pub async fn close(&self, line: LineHandle) -> Result<()> {
        let device = self.check_line(line, "close")?;
        let span = tracing::info_span!("line", %device, %line);
        async {
            self.count(Some(device), "close");
            let closed = self.provider.close(line).await;
            self.control.line_closed(line);
            self.books().device_of.remove(&line);
            tracing::debug!(ok = closed.is_ok(), "closed");
            closed
        }
        .instrument(span)
        .await
    }

    /// `TSPI_lineGetDevCaps`.
    pub async fn line_caps(&self, device: DeviceId, version: Version) -> Result<LineDevCaps> {
        self.provider.line_caps(device, version).await
    }

    /// `TSPI_lineGetAddressCaps`.
    pub async fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        version: Version,
    ) -> Result<AddressCaps> {
        self.provider.address_caps(device, address, version).await
    }

    /// `TSPI_lineGetLineDevStatus`.
    pub async fn line_status(&self, line: LineHandle) -> Result<LineDevStatus> {
        self.check_line(line, "line_status")?;
        self.provider.line_status(line).await
    }

    /// `TSPI_lineSetDefaultMediaDetection`.
    pub async fn set_default_media_detection(
        &self,
        line: LineHandle,
        modes: MediaModes,
    ) -> Result<()> {
        self.check_line(line, "set_default_media_detection")?;
        self.count_line(line, "set_default_media_detection");
        self.provider.set_default_media_detection(line, modes).await
    }

    /// `TSPI_lineSetStatusMessages`.
    pub async fn set_status_messages(
        &self,
        line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> Result<()> {
        self.check_line(line, "set_status_messages")?;
        self.count_line(line, "set_status_messages");
        self.provider
            .set_status_messages(line, line_states, address_states)
            .await
    }

    /// Names a new call on `line` for [`make_call_as`](Self::make_call_as).
    pub fn allocate_call(&self, line: LineHandle) -> CallHandle {
        self.control.allocate_call(line)
    }

    /// `TSPI_lineMakeCall` for a new call: `Ok` once the provider accepted it.
    ///
    /// # Errors
    /// `INVALLINEHANDLE` for a line not open; otherwise the provider's synchronous refusal.
    pub async fn make_call(
        &self,
        line: LineHandle,
        dest: Option<&str>,
        country: u32,
        params: CallParams,
    ) -> Result<Accepted> {
        self.check_line(line, "make_call")?;
        let call = self.allocate_call(line);
        self.make_call_as(line, call, dest, country, params).await
    }

    /// `TSPI_lineMakeCall` for a call named with [`allocate_call`](Self::allocate_call).
    ///
    /// # Errors
    /// As [`make_call`](Self::make_call).
    pub async fn make_call_as(
        &self,
        line: LineHandle,
        call: CallHandle,
        dest: Option<&str>,
        country: u32,
        params: CallParams,
    ) -> Result<Accepted> {
        self.make_call_hooked(line, call, dest, country, params, |_| {})
            .await
    }

    /// `make_call_as`, telling `registered` the request id after the sink knows it and before the
    /// provider is called (so a completion can never arrive before the caller knows its id).
    pub(crate) async fn make_call_hooked(
        &self,
        line: LineHandle,
        call: CallHandle,
        dest: Option<&str>,
        country: u32,
        params: CallParams,
        registered: impl FnOnce(RequestId),
    ) -> Result<Accepted> {
        let device = self.check_line(line, "make_call")?;
        let request = self.control.begin(RequestRecord {
            operation: "make_call",
            line,
            call: Some(call),
            creates_call: true,
        });
        registered(request);
        let span = tracing::info_span!("call", %device, %line, %call);
        async {
            self.count(Some(device), "make_call");
            let accepted = self
                .provider
                .make_call(MakeCall {
                    request,
                    line,
                    call,
                    dest: dest.map(str::to_owned),
                    country,
                    params,
                })
                .await;
            self.settle(request, accepted)
                .map(|()| Accepted { request, call })
        }
        .instrument(span)
        .await
    }

    /// `TSPI_lineDial`.
    ///
    /// # Errors
    /// `INVALCALLHANDLE` for a call the session does not know; otherwise the provider's refusal.
    pub async fn dial(&self, call: CallHandle, dest: &str, country: u32) -> Result<RequestId> {
        self.request(
            CallOp::Dial {
                dest: dest.to_owned(),
                country,
            },
            call,
            |_| {},
        )
        .await
    }

    /// `TSPI_lineAnswer`.
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn answer(&self, call: CallHandle, user_user_info: Vec<u8>) -> Result<RequestId> {
        self.request(CallOp::Answer(user_user_info), call, |_| {})
            .await
    }

    /// `TSPI_lineAccept`.
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn accept(&self, call: CallHandle, user_user_info: Vec<u8>) -> Result<RequestId> {
        self.request(CallOp::Accept(user_user_info), call, |_| {})
            .await
    }

    /// `TSPI_lineDrop`.
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn drop_call(&self, call: CallHandle, user_user_info: Vec<u8>) -> Result<RequestId> {
        self.request(CallOp::Drop(user_user_info), call, |_| {})
            .await
    }

    /// `TSPI_lineSecureCall`.
    ///
    /// # Errors
    /// As [`dial`](Self::dial).
    pub async fn secure_call(&self, call: CallHandle) -> Result<RequestId> {
        self.request(CallOp::Secure, call, |_| {}).await
    }

    /// An async request on a call; `registered` hears the request id before the provider is
    /// called.
    pub(crate) async fn request(
        &self,
        op: CallOp,
        call: CallHandle,
        registered: impl FnOnce(RequestId),
    ) -> Result<RequestId> {
        let operation = op.name();
        let line = self.line_of_call(call, operation)?;
        let device = self.device_of(line);
        let request = self.control.begin(RequestRecord {
            operation,
            line,
            call: Some(call),
            creates_call: false,
        });
        registered(request);
        let span = tracing::info_span!("call", ?device, %line, %call);
        async {
            self.count(device, operation);
            let accepted = match op {
                CallOp::Dial { dest, country } => {
                    self.provider
                        .dial(Dial {
                            request,
                            call,
                            dest,
                            country,
                        })
                        .await
                }
                CallOp::Answer(user_user_info) => {
                    self.provider
                        .answer(CallRequest {
                            request,
                            call,
                            user_user_info,
                        })
                        .await
                }
                CallOp::Accept(user_user_info) => {
                    self.provider
                        .accept(CallRequest {
                            request,
                            call,
                            user_user_info,
                        })
                        .await
                }
                CallOp::Drop(user_user_info) => {
                    self.provider
                        .drop_call(CallRequest {
                            request,
                            call,
                            user_user_info,
                        })
                        .await
                }
                CallOp::Secure => {
                    self.provider
                        .secure_call(SecureCall { request, call })
                        .await
                }
            };
            self.settle(request, accepted).map(|()| request)
        }
        .instrument(span)
        .await
    }

    fn settle(&self, request: RequestId, accepted: Result<()>) -> Result<()> {
        if accepted.is_err() {
            self.control.request_refused(request);
        }
        accepted
    }

    /// `TSPI_lineCloseCall`: any call, even pending or failed ones. Afterwards the sink refuses
    /// events for it, and requests the provider left pending are completed with
    /// `OPERATIONFAILED`.
    ///
    /// # Errors
    /// `LINEERR_INVALCALLHANDLE` for a handle the sink does not know (never announced, already
    /// closed, or its line closed), without calling the provider; otherwise the provider's answer
    /// (the call is closed in the books regardless).
    pub async fn close_call(&self, call: CallHandle) -> Result<()> {
        let Some(line) = self.control.line_of(call) else {
            return Err(Error::new(LineErr::InvalCallHandle)
                .operation("close_call")
                .detail(format!(
                    "{call} is not a call of this session (never announced, or closed)"
                )));
        };
        let line = Some(line);
        let device = line.and_then(|l| self.device_of(l));
        let span = tracing::info_span!("call", ?device, ?line, %call);
        async {
            self.count(device, "close_call");
            let closed = self.provider.close_call(call).await;
            self.control.call_closed(call);
            closed
        }
        .instrument(span)
        .await
    }

    /// `TSPI_lineGetCallInfo`.
    pub async fn call_info(&self, call: CallHandle) -> Result<CallInfo> {
        self.line_of_call(call, "call_info")?;
        self.provider.call_info(call).await
    }

    /// `TSPI_lineGetCallStatus`.
    pub async fn call_status(&self, call: CallHandle) -> Result<CallStatus> {
        self.line_of_call(call, "call_status")?;
        self.provider.call_status(call).await
    }

    /// `TSPI_lineSetMediaMode`.
    pub async fn set_media_mode(&self, call: CallHandle, mode: MediaModes) -> Result<()> {
        self.line_of_call(call, "set_media_mode")?;
        self.provider.set_media_mode(call, mode).await
    }

    /// `TSPI_lineMonitorDigits`.
    pub async fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> Result<()> {
        self.line_of_call(call, "monitor_digits")?;
        self.provider.monitor_digits(call, modes).await
    }

    /// `TSPI_lineGenerateDigits`.
    pub async fn generate_digits(&self, request: GenerateDigits) -> Result<()> {
        self.line_of_call(request.call, "generate_digits")?;
        self.provider.generate_digits(request).await
    }

    /// `TSPI_lineGetID`.
    pub async fn get_id(&self, request: GetId) -> Result<DeviceIdValue> {
        match request.select {
            Select::Line(line) | Select::Address(line, _) => {
                self.check_line(line, "get_id")?;
            }
            Select::Call(call) => {
                self.line_of_call(call, "get_id")?;
            }
        }
        self.provider.get_id(request).await
    }

    /// `TSPI_providerShutdown`; afterwards the sink refuses every callback, and requests left
    /// pending are completed with `OPERATIONFAILED`.
    ///
    /// # Errors
    /// The provider's answer (advisory: the session is over regardless).
    pub async fn shutdown(&self) -> Result<()> {
        let done = self.provider.shutdown().await;
        self.control.shut_down();
        self.books().device_of.clear();
        done
    }
}
