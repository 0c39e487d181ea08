//! [`LineApp`]: what an application can do, whether the host is in its process ([`App`]) or
//! behind a socket ([`RemoteApp`](crate::rpc::RemoteApp)). Code written against it — a dialer, a
//! conformance case — runs unchanged on both.

use std::future::Future;

use crate::error::Result;
use crate::spi::{AddressCaps, AddressId, CallParams, DeviceIdValue, LineDevCaps, RequestId};
use crate::types::{
    AddressStates, CallPrivilege, DigitModes, LineDevStates, MediaModes, RequestModes, Version,
};

use super::app::{App, AppCallInfo, AppCallStatus, AppLineStatus, DeviceSelect, Placed};
use super::handles::{AppId, Call, Line};
use super::options::{AssistedMakeCall, HandoffTarget, OpenOptions};

/// TAPI's line API for one application (`hLineApp`). Every method's rules and errors are those
/// of the same method on [`App`].
#[allow(missing_docs)]
pub trait LineApp: Send + Sync {
    /// This application's handle.
    fn handle(&self) -> AppId;
    /// How many line devices the host has.
    fn devices(&self) -> u32;
    fn negotiate_api_version(
        &self,
        device: u32,
        low: Version,
        high: Version,
    ) -> impl Future<Output = Result<Version>> + Send;
    fn line_caps(
        &self,
        device: u32,
        version: Version,
    ) -> impl Future<Output = Result<LineDevCaps>> + Send;
    fn address_caps(
        &self,
        device: u32,
        address: AddressId,
        version: Version,
    ) -> impl Future<Output = Result<AddressCaps>> + Send;
    fn open_line(
        &self,
        device: u32,
        options: OpenOptions,
    ) -> impl Future<Output = Result<Line>> + Send;
    fn close_line(&self, line: Line) -> impl Future<Output = Result<()>> + Send;
    fn set_status_messages(
        &self,
        line: Line,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> impl Future<Output = Result<()>> + Send;
    fn line_status(&self, line: Line) -> impl Future<Output = Result<AppLineStatus>> + Send;
    fn get_new_calls(&self, line: Line) -> impl Future<Output = Result<Vec<Call>>> + Send;
    fn make_call(
        &self,
        line: Line,
        dest: Option<&str>,
        params: CallParams,
    ) -> impl Future<Output = Result<Placed>> + Send;
    fn dial(&self, call: Call, dest: &str) -> impl Future<Output = Result<RequestId>> + Send;
    fn answer(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send;
    fn accept(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send;
    fn drop_call(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send;
    fn secure_call(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send;
    fn deallocate_call(&self, call: Call) -> impl Future<Output = Result<()>> + Send;
    fn handoff(&self, call: Call, target: HandoffTarget)
    -> impl Future<Output = Result<()>> + Send;
    fn set_call_privilege(
        &self,
        call: Call,
        privilege: CallPrivilege,
    ) -> impl Future<Output = Result<()>> + Send;
    fn call_info(&self, call: Call) -> impl Future<Output = Result<AppCallInfo>> + Send;
    fn call_status(&self, call: Call) -> impl Future<Output = Result<AppCallStatus>> + Send;
    fn set_media_mode(
        &self,
        call: Call,
        mode: MediaModes,
    ) -> impl Future<Output = Result<()>> + Send;
    fn monitor_digits(
        &self,
        call: Call,
        modes: DigitModes,
    ) -> impl Future<Output = Result<()>> + Send;
    fn generate_digits(
        &self,
        call: Call,
        mode: DigitModes,
        digits: Option<&str>,
        duration_ms: u32,
    ) -> impl Future<Output = Result<()>> + Send;
    fn get_id(
        &self,
        select: DeviceSelect,
        class: &str,
    ) -> impl Future<Output = Result<DeviceIdValue>> + Send;
    fn register_request_recipient(
        &self,
        modes: RequestModes,
        priority: u32,
        enable: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    fn get_request(
        &self,
        mode: RequestModes,
    ) -> impl Future<Output = Result<AssistedMakeCall>> + Send;
    fn shutdown(&self) -> impl Future<Output = Result<()>> + Send;
}

impl LineApp for App {
    fn handle(&self) -> AppId {
        App::handle(self)
    }
    fn devices(&self) -> u32 {
        App::devices(self)
    }
    fn negotiate_api_version(
        &self,
        device: u32,
        low: Version,
        high: Version,
    ) -> impl Future<Output = Result<Version>> + Send {
        App::negotiate_api_version(self, device, low, high)
    }
    fn line_caps(
        &self,
        device: u32,
        version: Version,
    ) -> impl Future<Output = Result<LineDevCaps>> + Send {
        App::line_caps(self, device, version)
    }
    fn address_caps(
        &self,
        device: u32,
        address: AddressId,
        version: Version,
    ) -> impl Future<Output = Result<AddressCaps>> + Send {
        App::address_caps(self, device, address, version)
    }
    fn open_line(
        &self,
        device: u32,
        options: OpenOptions,
    ) -> impl Future<Output = Result<Line>> + Send {
        App::open_line(self, device, options)
    }
    fn close_line(&self, line: Line) -> impl Future<Output = Result<()>> + Send {
        App::close_line(self, line)
    }
    fn set_status_messages(
        &self,
        line: Line,
        line_states: LineDevStates,
        address_states: AddressStates,
    ) -> impl Future<Output = Result<()>> + Send {
        App::set_status_messages(self, line, line_states, address_states)
    }
    fn line_status(&self, line: Line) -> impl Future<Output = Result<AppLineStatus>> + Send {
        App::line_status(self, line)
    }
    fn get_new_calls(&self, line: Line) -> impl Future<Output = Result<Vec<Call>>> + Send {
        App::get_new_calls(self, line)
    }
    fn make_call(
        &self,
        line: Line,
        dest: Option<&str>,
        params: CallParams,
    ) -> impl Future<Output = Result<Placed>> + Send {
        App::make_call(self, line, dest, params)
    }
    fn dial(&self, call: Call, dest: &str) -> impl Future<Output = Result<RequestId>> + Send {
        App::dial(self, call, dest)
    }
    fn answer(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send {
        App::answer(self, call)
    }
    fn accept(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send {
        App::accept(self, call)
    }
    fn drop_call(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send {
        App::drop_call(self, call)
    }
    fn secure_call(&self, call: Call) -> impl Future<Output = Result<RequestId>> + Send {
        App::secure_call(self, call)
    }
    fn deallocate_call(&self, call: Call) -> impl Future<Output = Result<()>> + Send {
        App::deallocate_call(self, call)
    }
    fn handoff(
        &self,
        call: Call,
        target: HandoffTarget,
    ) -> impl Future<Output = Result<()>> + Send {
        App::handoff(self, call, target)
    }
    fn set_call_privilege(
        &self,
        call: Call,
        privilege: CallPrivilege,
    ) -> impl Future<Output = Result<()>> + Send {
        App::set_call_privilege(self, call, privilege)
    }
    fn call_info(&self, call: Call) -> impl Future<Output = Result<AppCallInfo>> + Send {
        App::call_info(self, call)
    }
    fn call_status(&self, call: Call) -> impl Future<Output = Result<AppCallStatus>> + Send {
        App::call_status(self, call)
    }
    fn set_media_mode(
        &self,
        call: Call,
        mode: MediaModes,
    ) -> impl Future<Output = Result<()>> + Send {
        App::set_media_mode(self, call, mode)
    }
    fn monitor_digits(
        &self,
        call: Call,
        modes: DigitModes,
    ) -> impl Future<Output = Result<()>> + Send {
        App::monitor_digits(self, call, modes)
    }
    fn generate_digits(
        &self,
        call: Call,
        mode: DigitModes,
        digits: Option<&str>,
        duration_ms: u32,
    ) -> impl Future<Output = Result<()>> + Send {
        App::generate_digits(self, call, mode, digits, duration_ms)
    }
    fn get_id(
        &self,
        select: DeviceSelect,
        class: &str,
    ) -> impl Future<Output = Result<DeviceIdValue>> + Send {
        App::get_id(self, select, class)
    }
    fn register_request_recipient(
        &self,
        modes: RequestModes,
        priority: u32,
        enable: bool,
    ) -> impl Future<Output = Result<()>> + Send {
        App::register_request_recipient(self, modes, priority, enable)
    }
    fn get_request(
        &self,
        mode: RequestModes,
    ) -> impl Future<Output = Result<AssistedMakeCall>> + Send {
        App::get_request(self, mode)
    }
    fn shutdown(&self) -> impl Future<Output = Result<()>> + Send {
        App::shutdown(self)
    }
}
