//! The provider contract (TAPI's TSPI, T§9): **for provider authors only**.
//!
//! A provider implements [`Provider`]; the host (and the conformance suite) hold it as
//! `Arc<dyn `[`ProviderDyn`]`>`. Requests come as one struct per operation ([`MakeCall`], [`Dial`],
//! …); answers are owned Rust values ([`LineDevCaps`], [`CallInfo`], …); completions and events go
//! to the [`EventSink`](crate::sink::EventSink) given at [`Provider::init`].

mod caps;
mod device_class;
mod dyn_provider;
mod event;
mod handles;
mod params;
mod provider;
mod requests;
mod status;

pub use caps::{AddressCaps, Capabilities, LineDevCaps, ProviderInfo};
pub use device_class::{ByteStream, DeviceClass, DeviceIdValue, Select};
pub use dyn_provider::ProviderDyn;
pub use event::{CallStateChange, GenerateTerm, LineEvent};
pub use handles::{AddressId, CallHandle, DeviceId, LineHandle, RequestId};
pub use params::{CallParams, DialParams};
pub use provider::Provider;
pub use requests::{
    CallRequest, Dial, GenerateDigits, GetId, Init, MakeCall, OpenLine, ProviderOptions, SecureCall,
};
pub use status::{CallInfo, CallStatus, LineDevStatus, PartyId};
