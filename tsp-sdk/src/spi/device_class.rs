//! `get_id`: device classes and what they answer (T§7).

use std::fmt;

use tokio::io::{AsyncRead, AsyncWrite};

use super::{AddressId, CallHandle, LineHandle};

/// What `get_id` is about (`LINECALLSELECT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Select {
    /// The line.
    Line(LineHandle),
    /// An address on the line.
    Address(LineHandle, AddressId),
    /// A call.
    Call(CallHandle),
}

/// A device class name, compared case-insensitively (`"comm/datamodem"`).
#[derive(Debug, Clone, Eq)]
pub struct DeviceClass(String);

impl DeviceClass {
    /// `tapi/line`: the line's device id.
    pub const TAPI_LINE: &'static str = "tapi/line";
    /// `comm`: the port or modem name.
    pub const COMM: &'static str = "comm";
    /// `comm/datamodem`: the data stream of a connected call, and the port name.
    pub const COMM_DATAMODEM: &'static str = "comm/datamodem";
    /// `comm/datamodem/portname`: the port name.
    pub const COMM_DATAMODEM_PORTNAME: &'static str = "comm/datamodem/portname";

    /// A class by name.
    pub fn new(name: impl Into<String>) -> Self {
        DeviceClass(name.into())
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the class `name` (case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.0.eq_ignore_ascii_case(name)
    }
}

impl PartialEq for DeviceClass {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl std::hash::Hash for DeviceClass {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_ascii_lowercase().hash(state);
    }
}

impl fmt::Display for DeviceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An owned, duplex byte stream: the data path of a connected modem call.
pub trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> ByteStream for T {}

/// What `get_id` answers.
#[non_exhaustive]
pub enum DeviceIdValue {
    /// A numeric id (`tapi/line`).
    Number(u32),
    /// A name (`comm`, `comm/datamodem/portname`).
    Name(String),
    /// The data stream of a connected call and the port's name (`comm/datamodem`). Dropping the
    /// stream gives it back to the provider; the call stays up until dropped.
    DataStream {
        /// The stream.
        stream: Box<dyn ByteStream>,
        /// The port's name.
        port: String,
    },
}

impl fmt::Debug for DeviceIdValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceIdValue::Number(n) => f.debug_tuple("Number").field(n).finish(),
            DeviceIdValue::Name(s) => f.debug_tuple("Name").field(s).finish(),
            DeviceIdValue::DataStream { port, .. } => f
                .debug_struct("DataStream")
                .field("port", port)
                .finish_non_exhaustive(),
        }
    }
}
