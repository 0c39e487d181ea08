//! `TAPIERR_*`: the results of Assisted Telephony's `tapiRequestMakeCall` (T§6), which are not
//! `LINEERR_*` codes.

/// An Assisted Telephony error, `TAPIERR_*` in `tapi.h`, with its exact (negative) value
/// ([`TapiErr::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum TapiErr {
    /// `TAPIERR_DROPPED` (-1).
    #[error("TAPIERR_DROPPED: the call was dropped")]
    Dropped,
    /// `TAPIERR_NOREQUESTRECIPIENT` (-2): no application is registered to take the request.
    #[error(
        "TAPIERR_NOREQUESTRECIPIENT: no application is registered as a request recipient (start one that calls register_request_recipient)"
    )]
    NoRequestRecipient,
    /// `TAPIERR_REQUESTQUEUEFULL` (-3): the host's request queue is full.
    #[error("TAPIERR_REQUESTQUEUEFULL: the assisted-telephony request queue is full")]
    RequestQueueFull,
    /// `TAPIERR_INVALDESTADDRESS` (-4): the destination is empty or not an address.
    #[error("TAPIERR_INVALDESTADDRESS: the destination address is empty or invalid")]
    InvalDestAddress,
    /// `TAPIERR_REQUESTFAILED` (-16).
    #[error("TAPIERR_REQUESTFAILED: the request failed")]
    RequestFailed,
    /// `TAPIERR_REQUESTCANCELLED` (-17).
    #[error("TAPIERR_REQUESTCANCELLED: the request was cancelled")]
    RequestCancelled,
    /// `TAPIERR_INVALPOINTER` (-18): a required string is missing.
    #[error("TAPIERR_INVALPOINTER: a required parameter is missing")]
    InvalPointer,
}

impl TapiErr {
    /// The exact `tapi.h` value.
    pub const fn code(self) -> i32 {
        match self {
            TapiErr::Dropped => -1,
            TapiErr::NoRequestRecipient => -2,
            TapiErr::RequestQueueFull => -3,
            TapiErr::InvalDestAddress => -4,
            TapiErr::RequestFailed => -16,
            TapiErr::RequestCancelled => -17,
            TapiErr::InvalPointer => -18,
        }
    }

    /// The `tapi.h` name.
    pub const fn name(self) -> &'static str {
        match self {
            TapiErr::Dropped => "TAPIERR_DROPPED",
            TapiErr::NoRequestRecipient => "TAPIERR_NOREQUESTRECIPIENT",
            TapiErr::RequestQueueFull => "TAPIERR_REQUESTQUEUEFULL",
            TapiErr::InvalDestAddress => "TAPIERR_INVALDESTADDRESS",
            TapiErr::RequestFailed => "TAPIERR_REQUESTFAILED",
            TapiErr::RequestCancelled => "TAPIERR_REQUESTCANCELLED",
            TapiErr::InvalPointer => "TAPIERR_INVALPOINTER",
        }
    }

    /// The error with this value, if it is one of these.
    pub const fn from_code(code: i32) -> Option<TapiErr> {
        Some(match code {
            -1 => TapiErr::Dropped,
            -2 => TapiErr::NoRequestRecipient,
            -3 => TapiErr::RequestQueueFull,
            -4 => TapiErr::InvalDestAddress,
            -16 => TapiErr::RequestFailed,
            -17 => TapiErr::RequestCancelled,
            -18 => TapiErr::InvalPointer,
            _ => return None,
        })
    }
}
