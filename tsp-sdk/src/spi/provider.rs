//! The provider trait: TAPI's TSPI in Rust.

use std::future::Future;

use crate::error::{Error, LineErr, Result};
use crate::types::{AddressStates, DigitModes, LineDevStates, MediaModes, Version};

use super::{
    AddressCaps, AddressId, CallHandle, CallInfo, CallRequest, CallStatus, DeviceId, DeviceIdValue,
    Dial, GenerateDigits, GetId, Init, LineDevCaps, LineDevStatus, LineHandle, MakeCall, OpenLine,
    ProviderInfo, ProviderOptions, SecureCall,
};

pub(crate) fn unavailable<T>(operation: &'static str) -> Result<T> {
    Err(Error::new(LineErr::OperationUnavail)
        .operation(operation)
        .detail("this provider does not offer it"))
}

/// A telephony service provider: the contract every line device implements (T§9.1).
///
/// **For provider authors only.** Applications never call this trait; the host does, one instance
/// per provider whatever the number of applications, with no notion of applications or ownership.
///
/// Methods return `impl Future + Send` so the host can run them on a multi-threaded runtime. The host
/// holds providers as `Arc<dyn ProviderDyn>`; every `Provider` is a [`ProviderDyn`](super::ProviderDyn)
/// through a blanket impl that also refuses optional operations the provider does not offer (see
/// [`Capabilities`](super::Capabilities)) and turns a panic into `LINEERR_OPERATIONFAILED`.
///
/// # Synchronous and asynchronous operations
///
/// Operations that carry a [`RequestId`](super::RequestId) (`make_call`, `dial`, `answer`, `accept`,
/// `drop_call`, `secure_call`) are asynchronous in TAPI's sense:
/// - returning `Err` is a synchronous failure: the request is over and must **never** be completed;
/// - returning `Ok(())` accepts the request: the provider must call
///   [`EventSink::complete`](crate::sink::EventSink::complete) for it **exactly once**, with `Ok` or an
///   error, possibly before the method returns (T§1.1).
///
/// Every other operation is synchronous: its result is the answer.
///
/// # Events
///
/// Events go through the [`EventSink`](crate::sink::EventSink) given at [`init`](Provider::init). The
/// sink enforces TAPI's invariants and refuses an event that breaks one (with an error the provider
/// can log): completions exactly once; no event for a pending call before its completion and none for
/// a failed one; an incoming call announced with `new_call` before its first state; no state after
/// IDLE; nothing after the line or the call is closed or after shutdown.
pub trait Provider: Send + Sync + 'static {
    /// Name, supported versions and optional operations. Called often; must be cheap.
    fn info(&self) -> ProviderInfo;

    /// `TSPI_lineNegotiateTSPIVersion`: the highest version in both `low..=high` and the provider's
    /// range. `device` is `None` for the overall negotiation (`INITIALIZE_NEGOTIATION`).
    ///
    /// # Contract
    /// - Never answer `OPERATIONUNAVAIL`, even with no lines.
    /// - A version in the overlap, the highest one; no overlap: `INCOMPATIBLEAPIVERSION`.
    /// - An unknown device: `BADDEVICEID`.
    ///
    /// The default implementation does all of this from [`info`](Provider::info) and
    /// [`enumerate_devices`](Provider::enumerate_devices).
    fn negotiate_version(
        &self,
        device: Option<DeviceId>,
        low: Version,
        high: Version,
    ) -> impl Future<Output = Result<Version>> + Send {
        let info = self.info();
        let devices = self.enumerate_devices();
        async move {
            if let Some(DeviceId(id)) = device {
                let lines = devices.await?;
                if id >= lines {
                    return Err(Error::new(LineErr::BadDeviceId)
                        .operation("negotiate_version")
                        .detail(format!(
                            "device {id} is not one of this provider's {lines} lines"
                        )));
                }
            }
            Version::negotiate(low, high, info.min_version, info.max_version).ok_or_else(|| {
                Error::new(LineErr::IncompatibleApiVersion)
                    .operation("negotiate_version")
                    .detail(format!(
                        "asked for {low}..={high}, {} speaks {}..={}",
                        info.name, info.min_version, info.max_version
                    ))
            })
        }
    }

    /// `TSPI_providerEnumDevices`: how many line devices this provider has. Called before
    /// [`init`](Provider::init).
    ///
    /// # Contract
    /// - Cheap and side-effect free: read configuration, do not open devices.
    fn enumerate_devices(&self) -> impl Future<Output = Result<u32>> + Send;

    /// `TSPI_providerInit`: start a session. Keep the sink for the whole session.
    ///
    /// # Contract
    /// - Init and [`shutdown`](Provider::shutdown) are strictly paired; a second `init` while a session
    ///   is open is ignored and succeeds.
    /// - Nothing is carried over from a previous session.
    fn init(&self, init: Init) -> impl Future<Output = Result<ProviderOptions>> + Send;

    /// `TSPI_providerShutdown`: end the session; the last call of a session.
    ///
    /// # Contract
    /// - Stop all activity, free everything (ports, tasks); should always succeed.
    /// - After it returns, no sink method is called again.
    fn shutdown(&self) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineGetDevCaps`: a line device's capabilities.
    ///
    /// # Contract
    /// - Unknown device: `BADDEVICEID`. Works whether or not the line is open.
    fn line_caps(
        &self,
        device: DeviceId,
        version: Version,
    ) -> impl Future<Output = Result<LineDevCaps>> + Send;

    /// `TSPI_lineGetAddressCaps`: an address's capabilities.
    ///
    /// # Contract
    /// - Advertise `AddrCapFlags::SECURE` only if `make_call` with `CallParamFlags::SECURE` really
    ///   protects the call. Unknown address: `INVALADDRESSID`.
    fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        version: Version,
    ) -> impl Future<Output = Result<AddressCaps>> + Send;

    /// `TSPI_lineOpen`: open a line; `open.line` names it from now on.
    ///
    /// # Contract
    /// - One provider-level open per device: a second open of an open device is `ALLOCATED`.
    /// - Should be cheap; may defer grabbing exclusive resources (a serial port) until needed, but
    ///   a device that cannot work at all should fail here (`NODEVICE`, `ALLOCATED`).
    fn open(&self, open: OpenLine) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineClose`: close a line.
    ///
    /// # Contract
    /// - Before returning: complete every pending request on the line and its calls, drop active calls
    ///   if the device has `CLOSEDROP`, release exclusive resources so the device can be opened again
    ///   at once. Afterwards report nothing about the line or its calls.
    fn close(&self, line: LineHandle) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineGetLineDevStatus`: the line's status now.
    fn line_status(&self, line: LineHandle) -> impl Future<Output = Result<LineDevStatus>> + Send;

    /// `TSPI_lineSetDefaultMediaDetection`: the media modes to look for in incoming calls (the
    /// union over all applications; may be empty).
    ///
    /// # Contract
    /// - A mode the line cannot detect: `INVALMEDIAMODE`.
    /// - With an empty set, or one that does not match an incoming call, do not announce the call.
    fn set_default_media_detection(
        &self,
        line: LineHandle,
        modes: MediaModes,
    ) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineSetStatusMessages`: which line and address state changes to report.
    ///
    /// # Contract
    /// - Undefined bits: `INVALLINESTATE` / `INVALADDRESSSTATE`.
    /// - Report at least the selected changes (more is allowed); `REINIT` is always reported.
    fn set_status_messages(
        &self,
        line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineGetID`: a device id of some class for a line, address or call. Optional
    /// ([`Capabilities::get_id`](super::Capabilities::get_id)).
    ///
    /// # Contract
    /// - `comm/datamodem` with `Select::Call` on a CONNECTED data call: the call's byte stream.
    ///   Not connected: `INVALCALLSTATE`. Not a call: `INVALCALLSELECT`.
    /// - An unknown class: `NODEVICE`.
    fn get_id(&self, request: GetId) -> impl Future<Output = Result<DeviceIdValue>> + Send {
        let _ = request;
        async { unavailable("get_id") }
    }

    /// `TSPI_lineMakeCall` (async): place a call. `request.call` is pending until the completion.
    ///
    /// # Contract
    /// - Pre-scan the destination: a modifier the device cannot honour (`W @ $ ?`) fails
    ///   synchronously with the matching `DIAL*` error and no side effect (nothing written to a device).
    /// - `CallParamFlags::SECURE` on an address without `AddrCapFlags::SECURE`: `INVALCALLPARAMS`.
    /// - A media mode the line cannot place: `INVALMEDIAMODE`.
    /// - Complete no later than the call reaching PROCEEDING, and **before** its first state event.
    /// - `dest == None`: go off hook and stop at DIALTONE; a destination ending in `;` stops at DIALING
    ///   for more `dial`s.
    fn make_call(&self, request: MakeCall) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineDial` (async): dial more digits on a call. Optional
    /// ([`Capabilities::dial`](super::Capabilities::dial)).
    ///
    /// # Contract
    /// - Allowed in DIALTONE, DIALING (after a partial dial) and the like; IDLE or DISCONNECTED:
    ///   `INVALCALLSTATE`. Same pre-scan as `make_call`. Completion means the digits were accepted.
    fn dial(&self, request: Dial) -> impl Future<Output = Result<()>> + Send {
        let _ = request;
        async { unavailable("dial") }
    }

    /// `TSPI_lineAnswer` (async): answer an offered call. Optional
    /// ([`Capabilities::answer`](super::Capabilities::answer)).
    ///
    /// # Contract
    /// - Only in OFFERING or ACCEPTED, else `INVALCALLSTATE`. Success normally ends in CONNECTED.
    fn answer(&self, request: CallRequest) -> impl Future<Output = Result<()>> + Send {
        let _ = request;
        async { unavailable("answer") }
    }

    /// `TSPI_lineAccept` (async): claim an offered call. Optional
    /// ([`Capabilities::accept`](super::Capabilities::accept)).
    ///
    /// # Contract
    /// - Only in OFFERING, else `INVALCALLSTATE`; usually moves it to ACCEPTED.
    fn accept(&self, request: CallRequest) -> impl Future<Output = Result<()>> + Send {
        let _ = request;
        async { unavailable("accept") }
    }

    /// `TSPI_lineDrop` (async): hang up (on OFFERING: reject).
    ///
    /// # Contract
    /// - Any state but IDLE (IDLE: `INVALCALLSTATE`). After success the call must reach IDLE unless
    ///   `close_call` comes first.
    fn drop_call(&self, request: CallRequest) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineSecureCall` (async): protect the call from interruptions such as call-waiting tones.
    /// Optional ([`Capabilities::secure`](super::Capabilities::secure)).
    ///
    /// # Contract
    /// - IDLE: `INVALCALLSTATE`. Cannot be done now without harming the call: `OPERATIONUNAVAIL`.
    ///   Already secure: success at once.
    /// - After success `CallInfo::call_param_flags` has SECURE and a `CallInfo` event was sent.
    fn secure_call(&self, request: SecureCall) -> impl Future<Output = Result<()>> + Send {
        let _ = request;
        async { unavailable("secure_call") }
    }

    /// `TSPI_lineCloseCall`: the host is done with the call.
    ///
    /// # Contract
    /// - Any state, including pending and failed calls (a harmless no-op then). Complete every
    ///   pending request on the call with `OPERATIONFAILED` before returning; drop the call if it is
    ///   active and the device has `CLOSEDROP`; report nothing about it afterwards.
    fn close_call(&self, call: CallHandle) -> impl Future<Output = Result<()>> + Send;

    /// `TSPI_lineGetCallInfo`: everything about a call, in any state.
    fn call_info(&self, call: CallHandle) -> impl Future<Output = Result<CallInfo>> + Send;

    /// `TSPI_lineGetCallStatus`: the call's state and what can be done to it now.
    ///
    /// # Contract
    /// - `features` is current: ANSWER/ACCEPT only when OFFERING, DIAL only where dialing is
    ///   possible, SECURECALL only where securing would work, never DROP in IDLE.
    fn call_status(&self, call: CallHandle) -> impl Future<Output = Result<CallStatus>> + Send;

    /// `TSPI_lineSetMediaMode`: the application says what the call's media is. Optional
    /// ([`Capabilities::set_media_mode`](super::Capabilities::set_media_mode)).
    fn set_media_mode(
        &self,
        call: CallHandle,
        mode: MediaModes,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (call, mode);
        async { unavailable("set_media_mode") }
    }

    /// `TSPI_lineMonitorDigits`: report digits detected on the call (empty modes: stop). Optional
    /// ([`Capabilities::monitor_digits`](super::Capabilities::monitor_digits)).
    ///
    /// # Contract
    /// - Enabling and cancelling both succeed; unsupported modes: `INVALDIGITMODE`. Monitoring ends by
    ///   itself at IDLE.
    fn monitor_digits(
        &self,
        call: CallHandle,
        modes: DigitModes,
    ) -> impl Future<Output = Result<()>> + Send {
        let _ = (call, modes);
        async { unavailable("monitor_digits") }
    }

    /// `TSPI_lineGenerateDigits`: send digits in-band. Optional
    /// ([`Capabilities::generate_digits`](super::Capabilities::generate_digits)).
    ///
    /// # Contract
    /// - Succeeds once generation started; a `Generate` event with the end-to-end id reports the end.
    ///   A new request or `digits: None` cancels a running one (`Generate { term: Cancel }`). Invalid
    ///   digits are skipped.
    fn generate_digits(&self, request: GenerateDigits) -> impl Future<Output = Result<()>> + Send {
        let _ = request;
        async { unavailable("generate_digits") }
    }
}
