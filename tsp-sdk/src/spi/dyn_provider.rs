//! [`ProviderDyn`]: the object-safe twin of [`Provider`], so the host can hold `Arc<dyn ProviderDyn>`.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::BoxFuture;

use crate::error::{Error, LineErr, Result};
use crate::types::{AddressStates, DigitModes, LineDevStates, MediaModes, Version};

use super::provider::unavailable;
use super::{
    AddressCaps, AddressId, CallHandle, CallInfo, CallRequest, CallStatus, Capabilities, DeviceId,
    DeviceIdValue, Dial, GenerateDigits, GetId, Init, LineDevCaps, LineDevStatus, LineHandle,
    MakeCall, OpenLine, Provider, ProviderInfo, ProviderOptions, SecureCall,
};

/// The object-safe form of [`Provider`], with boxed futures. Every `Provider` is one through a blanket
/// impl that adds two guarantees at the boundary:
///
/// - an optional operation whose [`Capabilities`] flag is off answers `LINEERR_OPERATIONUNAVAIL`
///   **without calling the provider**;
/// - a panic inside the provider becomes `LINEERR_OPERATIONFAILED` (naming the operation) and the
///   host keeps running (T§9.5 item 26).
///
/// Method docs and contracts are on [`Provider`].
#[allow(missing_docs)]
pub trait ProviderDyn: Send + Sync + 'static {
    fn info(&self) -> ProviderInfo;
    fn negotiate_version(
        &self,
        device: Option<DeviceId>,
        low: Version,
        high: Version,
    ) -> BoxFuture<'_, Result<Version>>;
    fn enumerate_devices(&self) -> BoxFuture<'_, Result<u32>>;
    fn init(&self, init: Init) -> BoxFuture<'_, Result<ProviderOptions>>;
    fn shutdown(&self) -> BoxFuture<'_, Result<()>>;
    fn line_caps(&self, device: DeviceId, version: Version) -> BoxFuture<'_, Result<LineDevCaps>>;
    fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        version: Version,
    ) -> BoxFuture<'_, Result<AddressCaps>>;
    fn open(&self, open: OpenLine) -> BoxFuture<'_, Result<()>>;
    fn close(&self, line: LineHandle) -> BoxFuture<'_, Result<()>>;
    fn line_status(&self, line: LineHandle) -> BoxFuture<'_, Result<LineDevStatus>>;
    fn set_default_media_detection(
        &self,
        line: LineHandle,
        modes: MediaModes,
    ) -> BoxFuture<'_, Result<()>>;
    fn set_status_messages(
        &self,
        line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> BoxFuture<'_, Result<()>>;
    fn get_id(&self, request: GetId) -> BoxFuture<'_, Result<DeviceIdValue>>;
    fn make_call(&self, request: MakeCall) -> BoxFuture<'_, Result<()>>;
    fn dial(&self, request: Dial) -> BoxFuture<'_, Result<()>>;
    fn answer(&self, request: CallRequest) -> BoxFuture<'_, Result<()>>;
    fn accept(&self, request: CallRequest) -> BoxFuture<'_, Result<()>>;
    fn drop_call(&self, request: CallRequest) -> BoxFuture<'_, Result<()>>;
    fn secure_call(&self, request: SecureCall) -> BoxFuture<'_, Result<()>>;
    fn close_call(&self, call: CallHandle) -> BoxFuture<'_, Result<()>>;
    fn call_info(&self, call: CallHandle) -> BoxFuture<'_, Result<CallInfo>>;
    fn call_status(&self, call: CallHandle) -> BoxFuture<'_, Result<CallStatus>>;
    fn set_media_mode(&self, call: CallHandle, mode: MediaModes) -> BoxFuture<'_, Result<()>>;
    fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> BoxFuture<'_, Result<()>>;
    fn generate_digits(&self, request: GenerateDigits) -> BoxFuture<'_, Result<()>>;
}

/// Runs one provider operation behind the boundary: panics become `OPERATIONFAILED`.
fn guarded<'a, T: Send + 'a>(
    operation: &'static str,
    fut: impl std::future::Future<Output = Result<T>> + Send + 'a,
) -> BoxFuture<'a, Result<T>> {
    AssertUnwindSafe(fut)
        .catch_unwind()
        .map(move |outcome| match outcome {
            Ok(result) => result.map_err(|e| e.operation(operation)),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_owned());
                tracing::error!(operation, panic = %what, "provider panicked; answered OPERATIONFAILED");
                Err(Error::new(LineErr::OperationFailed)
                    .operation(operation)
                    .detail(format!("the provider panicked: {what}")))
            }
        })
        .boxed()
}

/// Runs an optional operation only if the provider offers it.
fn optional<'a, T: Send + 'a, F>(
    offered: bool,
    operation: &'static str,
    fut: impl FnOnce() -> F,
) -> BoxFuture<'a, Result<T>>
where
    F: std::future::Future<Output = Result<T>> + Send + 'a,
{
    if offered {
        guarded(operation, fut())
    } else {
        futures::future::ready(unavailable(operation)).boxed()
    }
}

fn caps<P: Provider>(p: &P) -> Capabilities {
    p.info().capabilities
}

impl<P: Provider> ProviderDyn for P {
    fn info(&self) -> ProviderInfo {
        Provider::info(self)
    }
    fn negotiate_version(
        &self,
        device: Option<DeviceId>,
        low: Version,
        high: Version,
    ) -> BoxFuture<'_, Result<Version>> {
        guarded(
            "negotiate_version",
            Provider::negotiate_version(self, device, low, high),
        )
    }
    fn enumerate_devices(&self) -> BoxFuture<'_, Result<u32>> {
        guarded("enumerate_devices", Provider::enumerate_devices(self))
    }
    fn init(&self, init: Init) -> BoxFuture<'_, Result<ProviderOptions>> {
        guarded("init", Provider::init(self, init))
    }
    fn shutdown(&self) -> BoxFuture<'_, Result<()>> {
        guarded("shutdown", Provider::shutdown(self))
    }
    fn line_caps(&self, device: DeviceId, version: Version) -> BoxFuture<'_, Result<LineDevCaps>> {
        guarded("line_caps", Provider::line_caps(self, device, version))
    }
    fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        version: Version,
    ) -> BoxFuture<'_, Result<AddressCaps>> {
        guarded(
            "address_caps",
            Provider::address_caps(self, device, address, version),
        )
    }
    fn open(&self, open: OpenLine) -> BoxFuture<'_, Result<()>> {
        guarded("open", Provider::open(self, open))
    }
    fn close(&self, line: LineHandle) -> BoxFuture<'_, Result<()>> {
        guarded("close", Provider::close(self, line))
    }
    fn line_status(&self, line: LineHandle) -> BoxFuture<'_, Result<LineDevStatus>> {
        guarded("line_status", Provider::line_status(self, line))
    }
    fn set_default_media_detection(
        &self,
        line: LineHandle,
        modes: MediaModes,
    ) -> BoxFuture<'_, Result<()>> {
        guarded(
            "set_default_media_detection",
            Provider::set_default_media_detection(self, line, modes),
        )
    }
    fn set_status_messages(
        &self,
        line: LineHandle,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> BoxFuture<'_, Result<()>> {
        guarded(
            "set_status_messages",
            Provider::set_status_messages(self, line, line_states, address_states),
        )
    }
    fn get_id(&self, request: GetId) -> BoxFuture<'_, Result<DeviceIdValue>> {
        optional(caps(self).get_id, "get_id", || {
            Provider::get_id(self, request)
        })
    }
    fn make_call(&self, request: MakeCall) -> BoxFuture<'_, Result<()>> {
        guarded("make_call", Provider::make_call(self, request))
    }
    fn dial(&self, request: Dial) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).dial, "dial", || Provider::dial(self, request))
    }
    fn answer(&self, request: CallRequest) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).answer, "answer", || {
            Provider::answer(self, request)
        })
    }
    fn accept(&self, request: CallRequest) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).accept, "accept", || {
            Provider::accept(self, request)
        })
    }
    fn drop_call(&self, request: CallRequest) -> BoxFuture<'_, Result<()>> {
        guarded("drop_call", Provider::drop_call(self, request))
    }
    fn secure_call(&self, request: SecureCall) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).secure, "secure_call", || {
            Provider::secure_call(self, request)
        })
    }
    fn close_call(&self, call: CallHandle) -> BoxFuture<'_, Result<()>> {
        guarded("close_call", Provider::close_call(self, call))
    }
    fn call_info(&self, call: CallHandle) -> BoxFuture<'_, Result<CallInfo>> {
        guarded("call_info", Provider::call_info(self, call))
    }
    fn call_status(&self, call: CallHandle) -> BoxFuture<'_, Result<CallStatus>> {
        guarded("call_status", Provider::call_status(self, call))
    }
    fn set_media_mode(&self, call: CallHandle, mode: MediaModes) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).set_media_mode, "set_media_mode", || {
            Provider::set_media_mode(self, call, mode)
        })
    }
    fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).monitor_digits, "monitor_digits", || {
            Provider::monitor_digits(self, call, modes)
        })
    }
    fn generate_digits(&self, request: GenerateDigits) -> BoxFuture<'_, Result<()>> {
        optional(caps(self).generate_digits, "generate_digits", || {
            Provider::generate_digits(self, request)
        })
    }
}
