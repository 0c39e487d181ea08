//! [`CallTable`]: a provider's calls by handle.

use std::collections::HashMap;

use crate::error::{Error, LineErr};
use crate::spi::{CallHandle, RequestId};

use super::CallRecord;

/// The calls of a provider (or of one line) by the host's handle, each a [`CallRecord`] with the
/// provider's own data `X` beside it.
///
/// ```
/// use tsp_sdk::kit::{CallDirection, CallRecord, CallTable};
/// use tsp_sdk::spi::{CallHandle, CallInfo, DeviceId};
/// use tsp_sdk::{CallOrigin, LineErr, MediaModes};
///
/// let mut calls: CallTable<&str> = CallTable::default();
/// let info = CallInfo::new(DeviceId(0), CallOrigin::OUTBOUND, MediaModes::INTERACTIVEVOICE);
/// calls.insert(CallRecord::new(CallHandle(7), CallDirection::Outbound, info), "sip:alice");
/// assert_eq!(calls.get(CallHandle(7), "call_info").ok().map(|(_, x)| *x), Some("sip:alice"));
/// let unknown = calls.get(CallHandle(8), "call_info").map(|_| ());
/// assert_eq!(unknown.map_err(|e| e.kind()), Err(LineErr::InvalCallHandle));
/// ```
#[derive(Debug, Clone)]
pub struct CallTable<X = ()> {
    calls: HashMap<CallHandle, (CallRecord, X)>,
}

impl<X> Default for CallTable<X> {
    fn default() -> Self {
        CallTable {
            calls: HashMap::new(),
        }
    }
}

fn unknown(call: CallHandle, operation: &'static str) -> Error {
    Error::new(LineErr::InvalCallHandle)
        .operation(operation)
        .detail(format!("{call} is not a call of this provider"))
}

impl<X> CallTable<X> {
    /// Adds a call (replacing any under the same handle).
    pub fn insert(&mut self, record: CallRecord, extra: X) {
        self.calls.insert(record.handle, (record, extra));
    }

    /// A call.
    ///
    /// # Errors
    /// `LINEERR_INVALCALLHANDLE` naming `operation` for a handle not in the table.
    pub fn get(
        &self,
        call: CallHandle,
        operation: &'static str,
    ) -> Result<(&CallRecord, &X), Error> {
        self.calls
            .get(&call)
            .map(|(r, x)| (r, x))
            .ok_or_else(|| unknown(call, operation))
    }

    /// A call, to change it.
    ///
    /// # Errors
    /// `LINEERR_INVALCALLHANDLE` naming `operation` for a handle not in the table.
    pub fn get_mut(
        &mut self,
        call: CallHandle,
        operation: &'static str,
    ) -> Result<(&mut CallRecord, &mut X), Error> {
        self.calls
            .get_mut(&call)
            .map(|(r, x)| (r, x))
            .ok_or_else(|| unknown(call, operation))
    }

    /// Removes a call (`close_call`), with the requests still pending on it (to complete with
    /// `OPERATIONFAILED`).
    pub fn remove(&mut self, call: CallHandle) -> Option<(CallRecord, X)> {
        self.calls.remove(&call)
    }

    /// The call a pending request belongs to.
    pub fn by_request(&self, request: RequestId) -> Option<CallHandle> {
        self.calls
            .values()
            .find(|(r, _)| r.pending.iter().any(|(p, _)| *p == request))
            .map(|(r, _)| r.handle)
    }

    /// Every call.
    pub fn iter(&self) -> impl Iterator<Item = (&CallRecord, &X)> {
        self.calls.values().map(|(r, x)| (r, x))
    }

    /// Every call, to change them.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&mut CallRecord, &mut X)> {
        self.calls.values_mut().map(|(r, x)| (r, x))
    }

    /// Removes every call `keep` says no to (the calls of a line being closed), returning them.
    pub fn drain_where(
        &mut self,
        mut take: impl FnMut(&CallRecord, &X) -> bool,
    ) -> Vec<(CallRecord, X)> {
        let handles: Vec<CallHandle> = self
            .calls
            .values()
            .filter(|(r, x)| take(r, x))
            .map(|(r, _)| r.handle)
            .collect();
        handles
            .into_iter()
            .filter_map(|h| self.calls.remove(&h))
            .collect()
    }

    /// How many calls.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}
