//! What the provider's operations ask of a line's task, and how the task answers.

use tokio::sync::oneshot;
use tsp_sdk::MediaModes;
use tsp_sdk::Result;
use tsp_sdk::spi::{
    CallHandle, CallInfo, CallRequest, CallStatus, DeviceIdValue, Dial, LineDevStatus, MakeCall,
    SecureCall, Select,
};

/// The synchronous part of an operation; completions go to the sink.
pub(crate) type Reply<T> = oneshot::Sender<Result<T>>;

pub(crate) enum Request {
    MakeCall(MakeCall, Reply<()>),
    Dial(Dial, Reply<()>),
    Answer(CallRequest, Reply<()>),
    Drop(CallRequest, Reply<()>),
    Secure(SecureCall, Reply<()>),
    CloseCall(CallHandle, Reply<()>),
    CallInfo(CallHandle, Reply<CallInfo>),
    CallStatus(CallHandle, Reply<CallStatus>),
    LineStatus(Reply<LineDevStatus>),
    Detect(MediaModes, Reply<()>),
    GetId(Select, String, Reply<DeviceIdValue>),
    Close(Reply<()>),
}
