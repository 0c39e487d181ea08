//! A deliberately broken provider, one breakage at a time: each must be caught by the case that
//! checks that rule. If one of these tests fails, the suite has a blind spot.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};

use futures::FutureExt;
use futures::future::BoxFuture;
use tsp_conformance::runner::{self, Outcome};
use tsp_conformance::{Fixture, FixtureError, LineSpec, all_cases};
use tsp_sdk::sink::EventSink;
use tsp_sdk::spi::*;
use tsp_sdk::{
    AddressStates, CallParamFlags, ConnectedMode, DigitModes, LineDevStates, MediaModes, Result,
    Version,
};
use tsp_sim::provider::{LineOptions, SimProvider};
use tsp_sim::sim::Sim;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Breakage {
    EventsBeforeCompletion,
    CompletesTwice,
    LeavesIdle,
    IgnoresSecure,
    KeepsThePortAfterClose,
    PromisesAnswerItDoesNotOffer,
}

/// SimProvider with one rule broken.
struct Broken {
    inner: SimProvider,
    breakage: Breakage,
    sink: Mutex<Option<EventSink>>,
    line: Mutex<Option<LineHandle>>,
}

impl Broken {
    fn sink(&self) -> Option<EventSink> {
        self.sink.lock().unwrap().clone()
    }
}

impl Provider for Broken {
    fn info(&self) -> ProviderInfo {
        let mut info = Provider::info(&self.inner);
        if self.breakage == Breakage::PromisesAnswerItDoesNotOffer {
            info.capabilities.answer = false; // while the address caps still say ANSWER
        }
        info
    }
    async fn enumerate_devices(&self) -> Result<u32> {
        Provider::enumerate_devices(&self.inner).await
    }
    async fn init(&self, init: Init) -> Result<ProviderOptions> {
        *self.sink.lock().unwrap() = Some(init.sink.clone());
        Provider::init(&self.inner, init).await
    }
    async fn shutdown(&self) -> Result<()> {
        Provider::shutdown(&self.inner).await
    }
    async fn line_caps(&self, device: DeviceId, version: Version) -> Result<LineDevCaps> {
        Provider::line_caps(&self.inner, device, version).await
    }
    async fn address_caps(
        &self,
        device: DeviceId,
        address: AddressId,
        version: Version,
    ) -> Result<AddressCaps> {
        Provider::address_caps(&self.inner, device, address, version).await
    }
    async fn open(&self, open: OpenLine) -> Result<()> {
        *self.line.lock().unwrap() = Some(open.line);
        Provider::open(&self.inner, open).await
    }
    async fn close(&self, line: LineHandle) -> Result<()> {
        if self.breakage == Breakage::KeepsThePortAfterClose {
            return Ok(()); // "closed", but the device stays taken
        }
        Provider::close(&self.inner, line).await
    }
    async fn line_status(&self, line: LineHandle) -> Result<LineDevStatus> {
        Provider::line_status(&self.inner, line).await
    }
    async fn set_default_media_detection(&self, line: LineHandle, modes: MediaModes) -> Result<()> {
        Provider::set_default_media_detection(&self.inner, line, modes).await
    }
    async fn set_status_messages(
        &self,
        line: LineHandle,
        states: LineDevStates,
        addr: AddressStates,
    ) -> Result<()> {
        Provider::set_status_messages(&self.inner, line, states, addr).await
    }
    async fn get_id(&self, request: GetId) -> Result<DeviceIdValue> {
        Provider::get_id(&self.inner, request).await
    }
    async fn make_call(&self, mut request: MakeCall) -> Result<()> {
        let (line, call, id) = (request.line, request.call, request.request);
        match self.breakage {
            Breakage::EventsBeforeCompletion => {
                if let Some(sink) = self.sink() {
                    let _ = sink.call_state(
                        line,
                        call,
                        CallStateChange::Dialing,
                        MediaModes::DATAMODEM,
                    );
                }
            }
            Breakage::IgnoresSecure => request.params.flags.remove(CallParamFlags::SECURE),
            _ => {}
        }
        Provider::make_call(&self.inner, request).await?;
        if self.breakage == Breakage::CompletesTwice
            && let Some(sink) = self.sink()
        {
            let _ = sink.complete(id, Ok(()));
        }
        Ok(())
    }
    async fn dial(&self, request: Dial) -> Result<()> {
        Provider::dial(&self.inner, request).await
    }
    async fn answer(&self, request: CallRequest) -> Result<()> {
        Provider::answer(&self.inner, request).await
    }
    async fn drop_call(&self, request: CallRequest) -> Result<()> {
        let call = request.call;
        Provider::drop_call(&self.inner, request).await?;
        if self.breakage == Breakage::LeavesIdle
            && let (Some(sink), Some(line)) = (self.sink(), *self.line.lock().unwrap())
        {
            let _ = sink.call_state(
                line,
                call,
                CallStateChange::Connected(ConnectedMode::ACTIVE),
                MediaModes::DATAMODEM,
            );
        }
        Ok(())
    }
    async fn secure_call(&self, request: SecureCall) -> Result<()> {
        Provider::secure_call(&self.inner, request).await
    }
    async fn close_call(&self, call: CallHandle) -> Result<()> {
        Provider::close_call(&self.inner, call).await
    }
    async fn call_info(&self, call: CallHandle) -> Result<CallInfo> {
        Provider::call_info(&self.inner, call).await
    }
    async fn call_status(&self, call: CallHandle) -> Result<CallStatus> {
        Provider::call_status(&self.inner, call).await
    }
    async fn monitor_digits(&self, call: CallHandle, modes: DigitModes) -> Result<()> {
        Provider::monitor_digits(&self.inner, call, modes).await
    }
}

struct BrokenTarget(Breakage);

impl Fixture for BrokenTarget {
    fn name(&self) -> &str {
        "broken"
    }
    fn attach<'a>(
        &'a self,
        sim: &'a Sim,
        line: &'a LineSpec,
    ) -> BoxFuture<'a, std::result::Result<Arc<dyn ProviderDyn>, FixtureError>> {
        async move {
            let mut options = LineOptions::new(line.number.clone());
            options.cancel_call_waiting = line.cancel_call_waiting.clone();
            let inner = SimProvider::new(sim.clone()).with_line(line.line, options)?;
            Ok(Arc::new(Broken {
                inner,
                breakage: self.0,
                sink: Mutex::new(None),
                line: Mutex::new(None),
            }) as Arc<dyn ProviderDyn>)
        }
        .boxed()
    }
}

/// Runs one case against the broken provider and returns the failure message.
fn caught(breakage: Breakage, case_id: &str) -> String {
    let fixture: Arc<dyn Fixture> = Arc::new(BrokenTarget(breakage));
    let case = all_cases()
        .into_iter()
        .find(|c| c.id == case_id)
        .unwrap_or_else(|| panic!("no case {case_id}"));
    let offered = runner::probe(&fixture).unwrap();
    match runner::run_case(&fixture, &case, &offered, false) {
        Outcome::Failed(failure) => failure.message,
        other => panic!("{case_id} did not catch {breakage:?}: {other:?}"),
    }
}

#[test]
fn events_before_completion_are_caught_by_the_async_case() {
    let message = caught(
        Breakage::EventsBeforeCompletion,
        "async/complete_before_first_state/1",
    );
    assert!(message.contains("before its creating"), "{message}");
}

#[test]
fn completing_twice_is_caught_by_the_async_case() {
    let message = caught(
        Breakage::CompletesTwice,
        "async/complete_before_first_state/1",
    );
    assert!(message.contains("completed twice"), "{message}");
}

#[test]
fn leaving_idle_is_caught_by_the_drop_case() {
    let message = caught(
        Breakage::LeavesIdle,
        "drop/drop_reaches_idle_and_idle_is_final/1",
    );
    assert!(message.contains("IDLE"), "{message}");
}

#[test]
fn ignoring_secure_is_caught_by_the_secure_case() {
    let message = caught(Breakage::IgnoresSecure, "secure/make_call_secure/1");
    assert!(
        message.contains("cancel code") || message.contains("SECURE"),
        "{message}"
    );
}

#[test]
fn keeping_the_port_after_close_is_caught_by_the_close_case() {
    let message = caught(
        Breakage::KeepsThePortAfterClose,
        "close/close_in_every_call_state/1",
    );
    assert!(
        message.contains("reopen") || message.contains("events after closing"),
        "{message}"
    );
}

#[test]
fn caps_promising_an_operation_not_offered_are_caught_by_the_caps_case() {
    let message = caught(
        Breakage::PromisesAnswerItDoesNotOffer,
        "lifecycle/caps_agree/1",
    );
    assert!(message.contains("ANSWER"), "{message}");
}
