//! What the provider's operations ask of a line's task, and how the task answers.

use tokio::sync::oneshot;
use tsp_sdk::Result;
use tsp_sdk::spi::{
    CallHandle, CallInfo, CallRequest, CallStatus, DeviceIdValue, Dial, GenerateDigits,
    LineDevStatus, MakeCall, SecureCall, Select,
};
use tsp_sdk::{DigitModes, MediaModes};

/// The synchronous part of an operation; completions go to the sink.
pub(crate) type Reply<T> = oneshot::Sender<Result<T>>;

pub(crate) enum Request {
    MakeCall(MakeCall, Reply<()>),
    Dial(Dial, Reply<()>),
    Answer(CallRequest, Reply<()>),
    Drop(CallRequest, Reply<()>),
    Secure(SecureCall, Reply<()>),
    MonitorDigits(CallHandle, DigitModes, Reply<()>),
    GenerateDigits(GenerateDigits, Reply<()>),
    CloseCall(CallHandle, Reply<()>),
    CallInfo(CallHandle, Reply<CallInfo>),
    CallStatus(CallHandle, Reply<CallStatus>),
    LineStatus(Reply<LineDevStatus>),
    Detect(MediaModes, Reply<()>),
    GetId(Select, String, Reply<DeviceIdValue>),
    Close(Reply<()>),
}
