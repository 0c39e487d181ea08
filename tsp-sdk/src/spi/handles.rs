//! Handles. One namespace, the host's: the host names lines, calls and requests, and the provider
//! uses those names as keys (TSPI's `htLine`/`htCall`/`dwRequestID`, T§1.2).

use std::fmt;

/// A provider's line device, by index: `0..n` where `n` is what
/// [`enumerate_devices`](super::Provider::enumerate_devices) said. The host maps TAPI's global device
/// ids (`line_base + index`, T§1.3) to these, so a provider never needs to know its base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(pub u32);

/// An open line, named by the host at [`open`](super::Provider::open).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LineHandle(pub u32);

/// A call, named by the host: for [`make_call`](super::Provider::make_call) in the request, for an
/// incoming call by [`EventSink::new_call`](crate::sink::EventSink::new_call).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u32);

/// An asynchronous request, `DRV_REQUESTID`: `1..=0x7FFF_FFFF`, unique while pending (T§1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u32);

impl RequestId {
    /// The largest request id.
    pub const MAX: u32 = 0x7FFF_FFFF;
    /// The first request id (1).
    pub const FIRST: RequestId = RequestId(1);

    /// A request id, or `None` outside `1..=0x7FFF_FFFF`.
    pub const fn new(id: u32) -> Option<RequestId> {
        if id >= 1 && id <= Self::MAX {
            Some(RequestId(id))
        } else {
            None
        }
    }

    /// The numeric id.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The id after this one, wrapping from `0x7FFF_FFFF` back to 1.
    pub const fn next(self) -> RequestId {
        if self.0 == Self::MAX {
            RequestId(1)
        } else {
            RequestId(self.0 + 1)
        }
    }
}

/// An address on a line (analog lines have one: address 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AddressId(pub u32);

macro_rules! display_as {
    ($ty:ty, $fmt:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, $fmt, self.0)
            }
        }
    };
}
display_as!(DeviceId, "device {}");
display_as!(LineHandle, "line {}");
display_as!(CallHandle, "call {}");
display_as!(RequestId, "request {}");
display_as!(AddressId, "address {}");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_stay_in_the_tapi_range() {
        assert!(RequestId::new(0).is_none());
        assert!(RequestId::new(0x8000_0000).is_none());
        let max = RequestId::new(RequestId::MAX).map(RequestId::next);
        assert_eq!(max.map(RequestId::get), Some(1));
    }
}
