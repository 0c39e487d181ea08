//! What every provider gets at the `ProviderDyn` boundary, whatever it does itself.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tsp_sdk::spi::*;
use tsp_sdk::{LineErr, MediaModes, Result, Version};

/// A provider that offers nothing optional, counts every call into it, and panics in `make_call`.
#[derive(Default)]
struct Bare {
    calls: AtomicUsize,
}

impl Bare {
    fn touch(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

impl Provider for Bare {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "bare".into(),
            min_version: Version::V2_0,
            max_version: Version::V2_2,
            capabilities: Capabilities::NONE,
        }
    }
    async fn enumerate_devices(&self) -> Result<u32> {
        Ok(2)
    }
    async fn init(&self, _init: Init) -> Result<ProviderOptions> {
        Ok(ProviderOptions::default())
    }
    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }
    async fn line_caps(&self, _d: DeviceId, _v: Version) -> Result<LineDevCaps> {
        Ok(LineDevCaps::default())
    }
    async fn address_caps(&self, _d: DeviceId, _a: AddressId, _v: Version) -> Result<AddressCaps> {
        Ok(AddressCaps::default())
    }
    async fn open(&self, _open: OpenLine) -> Result<()> {
        Ok(())
    }
    async fn close(&self, _line: LineHandle) -> Result<()> {
        Ok(())
    }
    async fn line_status(&self, _line: LineHandle) -> Result<LineDevStatus> {
        Ok(LineDevStatus::default())
    }
    async fn set_default_media_detection(&self, _l: LineHandle, _m: MediaModes) -> Result<()> {
        Ok(())
    }
    async fn set_status_messages(
        &self,
        _l: LineHandle,
        _s: tsp_sdk::LineDevStates,
        _a: tsp_sdk::AddressStates,
    ) -> Result<()> {
        Ok(())
    }
    async fn make_call(&self, _request: MakeCall) -> Result<()> {
        self.touch();
        panic!("wire said something odd");
    }
    async fn drop_call(&self, _request: CallRequest) -> Result<()> {
        Ok(())
    }
    async fn close_call(&self, _call: CallHandle) -> Result<()> {
        Ok(())
    }
    async fn call_info(&self, _call: CallHandle) -> Result<CallInfo> {
        self.touch();
        Err(tsp_sdk::Error::new(LineErr::InvalCallHandle))
    }
    async fn call_status(&self, _call: CallHandle) -> Result<CallStatus> {
        Ok(CallStatus {
            state: CallStateChange::Idle,
            features: Default::default(),
        })
    }
    async fn secure_call(&self, _request: SecureCall) -> Result<()> {
        self.touch();
        Ok(())
    }
    async fn answer(&self, _request: CallRequest) -> Result<()> {
        self.touch();
        Ok(())
    }
}

fn req(n: u32) -> RequestId {
    RequestId::new(n).unwrap()
}

#[tokio::test]
async fn operations_the_provider_does_not_offer_are_refused_without_calling_it() {
    let bare = Arc::new(Bare::default());
    let provider: Arc<dyn ProviderDyn> = bare.clone();
    let secure = provider
        .secure_call(SecureCall {
            request: req(1),
            call: CallHandle(1),
        })
        .await;
    let answer = provider
        .answer(CallRequest::new(req(2), CallHandle(1)))
        .await;
    let dial = provider
        .dial(Dial {
            request: req(3),
            call: CallHandle(1),
            dest: "1".into(),
            country: 0,
        })
        .await;
    for (op, result) in [("secure_call", secure), ("answer", answer), ("dial", dial)] {
        let err = result.unwrap_err();
        assert_eq!(err.kind(), LineErr::OperationUnavail, "{op}");
        assert_eq!(err.operation_name(), Some(op));
    }
    assert_eq!(
        bare.calls.load(Ordering::SeqCst),
        0,
        "the provider was called"
    );
}

#[tokio::test]
async fn a_panic_in_the_provider_becomes_operation_failed_naming_the_operation() {
    let provider: Arc<dyn ProviderDyn> = Arc::new(Bare::default());
    let request = MakeCall {
        request: req(1),
        line: LineHandle(1),
        call: CallHandle(1),
        dest: Some("5550100".into()),
        country: 0,
        params: CallParams::default(),
    };
    let err = provider.make_call(request).await.unwrap_err();
    assert_eq!(err.kind(), LineErr::OperationFailed);
    assert!(err.to_string().contains("make_call"), "{err}");
    assert!(err.to_string().contains("wire said something odd"), "{err}");
    // The provider is still usable afterwards.
    assert!(provider.call_status(CallHandle(1)).await.is_ok());
}

#[tokio::test]
async fn errors_from_the_provider_are_tagged_with_the_operation() {
    let provider: Arc<dyn ProviderDyn> = Arc::new(Bare::default());
    let err = provider.call_info(CallHandle(9)).await.unwrap_err();
    assert_eq!(err.operation_name(), Some("call_info"));
}

#[tokio::test]
async fn version_negotiation_follows_the_tspi_rules_by_default() {
    let provider: Arc<dyn ProviderDyn> = Arc::new(Bare::default());
    assert_eq!(
        provider
            .negotiate_version(None, Version::V1_3, Version::V3_1)
            .await
            .unwrap(),
        Version::V2_2
    );
    let disjoint = provider
        .negotiate_version(None, Version::V1_3, Version::V1_4)
        .await
        .unwrap_err();
    assert_eq!(disjoint.kind(), LineErr::IncompatibleApiVersion);
    let bad = provider
        .negotiate_version(Some(DeviceId(2)), Version::V2_0, Version::V2_0)
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), LineErr::BadDeviceId);
    assert!(
        provider
            .negotiate_version(Some(DeviceId(1)), Version::V2_0, Version::V2_0)
            .await
            .is_ok()
    );
}
