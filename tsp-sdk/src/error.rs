//! Errors: TAPI's `LINEERR_*` codes as a Rust enum, and [`Error`], which adds the operation, the
//! device and the detail a person needs to act on it.

use std::borrow::Cow;
use std::fmt;

macro_rules! line_errors {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $name:literal, $text:literal; )*) => {
        /// A TAPI line error, `LINEERR_*` in `tapi.h`, with its exact numeric value ([`LineErr::code`]).
        ///
        /// Applications treat an error they do not know as [`LineErr::OperationFailed`] (T§1.1). Codes
        /// in `0xC000_0000..=0xFFFF_FFFF` are reserved for device-specific errors and are carried by
        /// [`LineErr::DeviceSpecific`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
        #[non_exhaustive]
        pub enum LineErr {
            $(
                $(#[$doc])*
                #[doc = concat!("`", $name, "` (", stringify!($code), "): ", $text, ".")]
                #[error("{}: {}", $name, $text)]
                $variant,
            )*
            /// A device-specific error in the range `0xC000_0000..=0xFFFF_FFFF`.
            #[error("device-specific error {0:#010x}")]
            DeviceSpecific(u32),
        }

        impl LineErr {
            /// Every defined (non device-specific) error, in `tapi.h` order.
            pub const ALL: &'static [LineErr] = &[$(LineErr::$variant),*];

            /// The exact `tapi.h` value, as TSPI returns it (a negative `LONG` read as `u32`).
            pub const fn code(self) -> u32 {
                match self {
                    $(LineErr::$variant => $code,)*
                    LineErr::DeviceSpecific(code) => code,
                }
            }

            /// The `tapi.h` name, such as `"LINEERR_INVALCALLSTATE"`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(LineErr::$variant => $name,)*
                    LineErr::DeviceSpecific(_) => "LINEERR_DEVICESPECIFIC",
                }
            }

            /// The error with this numeric value: a defined one, a device-specific one, or `None`
            /// for a value that is neither (0, positive request ids, unassigned codes).
            pub const fn from_code(code: u32) -> Option<LineErr> {
                match code {
                    $($code => Some(LineErr::$variant),)*
                    0xC000_0000..=0xFFFF_FFFF => Some(LineErr::DeviceSpecific(code)),
                    _ => None,
                }
            }
        }
    };
}

line_errors! {
    Allocated = 0x8000_0001, "LINEERR_ALLOCATED", "the device is allocated to someone else (a port opened exclusively elsewhere)";
    BadDeviceId = 0x8000_0002, "LINEERR_BADDEVICEID", "the device id is out of range";
    BearerModeUnavail = 0x8000_0003, "LINEERR_BEARERMODEUNAVAIL", "the bearer mode is not available now";
    CallUnavail = 0x8000_0005, "LINEERR_CALLUNAVAIL", "no call appearance is available (or no dial tone)";
    CompletionOverrun = 0x8000_0006, "LINEERR_COMPLETIONOVERRUN", "too many call completions are outstanding";
    ConferenceFull = 0x8000_0007, "LINEERR_CONFERENCEFULL", "the conference is full";
    DialBilling = 0x8000_0008, "LINEERR_DIALBILLING", "the dial string has `$` (wait for billing tone), which this device cannot honour";
    DialDialtone = 0x8000_0009, "LINEERR_DIALDIALTONE", "the dial string has `W` (wait for dial tone), which this device cannot honour";
    DialPrompt = 0x8000_000A, "LINEERR_DIALPROMPT", "the dial string has `?` (prompt the user), which no line device honours";
    DialQuiet = 0x8000_000B, "LINEERR_DIALQUIET", "the dial string has `@` (wait for quiet answer), which this device cannot honour";
    IncompatibleApiVersion = 0x8000_000C, "LINEERR_INCOMPATIBLEAPIVERSION", "the requested version range does not overlap the supported one";
    IncompatibleExtVersion = 0x8000_000D, "LINEERR_INCOMPATIBLEEXTVERSION", "the extension version is not supported";
    IniFileCorrupt = 0x8000_000E, "LINEERR_INIFILECORRUPT", "the configuration cannot be read";
    InUse = 0x8000_000F, "LINEERR_INUSE", "the device is in use";
    InvalAddress = 0x8000_0010, "LINEERR_INVALADDRESS", "the address is invalid or not allowed";
    InvalAddressId = 0x8000_0011, "LINEERR_INVALADDRESSID", "the address id is invalid or out of range";
    InvalAddressMode = 0x8000_0012, "LINEERR_INVALADDRESSMODE", "the address mode is invalid";
    InvalAddressState = 0x8000_0013, "LINEERR_INVALADDRESSSTATE", "the address states hold undefined bits";
    InvalAppHandle = 0x8000_0014, "LINEERR_INVALAPPHANDLE", "the application handle is invalid";
    InvalAppName = 0x8000_0015, "LINEERR_INVALAPPNAME", "the application name is invalid";
    InvalBearerMode = 0x8000_0016, "LINEERR_INVALBEARERMODE", "the bearer mode is invalid";
    InvalCallComplMode = 0x8000_0017, "LINEERR_INVALCALLCOMPLMODE", "the call completion mode is invalid";
    InvalCallHandle = 0x8000_0018, "LINEERR_INVALCALLHANDLE", "the call handle is invalid";
    InvalCallParams = 0x8000_0019, "LINEERR_INVALCALLPARAMS", "the call parameters are invalid or cannot be honoured";
    InvalCallPrivilege = 0x8000_001A, "LINEERR_INVALCALLPRIVILEGE", "the call privilege is invalid";
    InvalCallSelect = 0x8000_001B, "LINEERR_INVALCALLSELECT", "the call select value is invalid";
    InvalCallState = 0x8000_001C, "LINEERR_INVALCALLSTATE", "the operation is not allowed in the call's current state";
    InvalCallStateList = 0x8000_001D, "LINEERR_INVALCALLSTATELIST", "the call state list is invalid";
    InvalCard = 0x8000_001E, "LINEERR_INVALCARD", "the calling card is invalid";
    InvalCompletionId = 0x8000_001F, "LINEERR_INVALCOMPLETIONID", "the completion id is invalid";
    InvalConfCallHandle = 0x8000_0020, "LINEERR_INVALCONFCALLHANDLE", "the conference call handle is invalid";
    InvalConsultCallHandle = 0x8000_0021, "LINEERR_INVALCONSULTCALLHANDLE", "the consultation call handle is invalid";
    InvalCountryCode = 0x8000_0022, "LINEERR_INVALCOUNTRYCODE", "the country code is invalid";
    InvalDeviceClass = 0x8000_0023, "LINEERR_INVALDEVICECLASS", "the device class is not supported";
    InvalDeviceHandle = 0x8000_0024, "LINEERR_INVALDEVICEHANDLE", "the device handle is invalid";
    InvalDialParams = 0x8000_0025, "LINEERR_INVALDIALPARAMS", "the dial parameters are invalid";
    InvalDigitList = 0x8000_0026, "LINEERR_INVALDIGITLIST", "the digit list is invalid";
    InvalDigitMode = 0x8000_0027, "LINEERR_INVALDIGITMODE", "the digit mode is invalid";
    InvalDigits = 0x8000_0028, "LINEERR_INVALDIGITS", "the digits are invalid";
    InvalExtVersion = 0x8000_0029, "LINEERR_INVALEXTVERSION", "the extension version is invalid";
    InvalGroupId = 0x8000_002A, "LINEERR_INVALGROUPID", "the pickup group id is invalid";
    InvalLineHandle = 0x8000_002B, "LINEERR_INVALLINEHANDLE", "the line handle is invalid";
    InvalLineState = 0x8000_002C, "LINEERR_INVALLINESTATE", "the line cannot do this now (or the line states hold undefined bits)";
    InvalLocation = 0x8000_002D, "LINEERR_INVALLOCATION", "the location is invalid";
    InvalMediaList = 0x8000_002E, "LINEERR_INVALMEDIALIST", "the media list is invalid";
    InvalMediaMode = 0x8000_002F, "LINEERR_INVALMEDIAMODE", "the media mode is invalid or not supported";
    InvalMessageId = 0x8000_0030, "LINEERR_INVALMESSAGEID", "the message id is invalid";
    InvalParam = 0x8000_0032, "LINEERR_INVALPARAM", "a parameter is invalid";
    InvalParkId = 0x8000_0033, "LINEERR_INVALPARKID", "the park id is invalid";
    InvalParkMode = 0x8000_0034, "LINEERR_INVALPARKMODE", "the park mode is invalid";
    InvalPointer = 0x8000_0035, "LINEERR_INVALPOINTER", "a pointer or buffer is invalid";
    InvalPrivSelect = 0x8000_0036, "LINEERR_INVALPRIVSELECT", "the privilege selection is invalid";
    InvalRate = 0x8000_0037, "LINEERR_INVALRATE", "the rate is invalid";
    InvalRequestMode = 0x8000_0038, "LINEERR_INVALREQUESTMODE", "the request mode is invalid";
    InvalTerminalId = 0x8000_0039, "LINEERR_INVALTERMINALID", "the terminal id is invalid";
    InvalTerminalMode = 0x8000_003A, "LINEERR_INVALTERMINALMODE", "the terminal mode is invalid";
    InvalTimeout = 0x8000_003B, "LINEERR_INVALTIMEOUT", "the timeout is invalid";
    InvalTone = 0x8000_003C, "LINEERR_INVALTONE", "the tone is invalid";
    InvalToneList = 0x8000_003D, "LINEERR_INVALTONELIST", "the tone list is invalid";
    InvalToneMode = 0x8000_003E, "LINEERR_INVALTONEMODE", "the tone mode is invalid";
    InvalTransferMode = 0x8000_003F, "LINEERR_INVALTRANSFERMODE", "the transfer mode is invalid";
    LineMapperFailed = 0x8000_0040, "LINEERR_LINEMAPPERFAILED", "no line matches the requested parameters";
    NoConference = 0x8000_0041, "LINEERR_NOCONFERENCE", "the call is not in a conference";
    NoDevice = 0x8000_0042, "LINEERR_NODEVICE", "the device was removed, or has nothing of that class";
    NoDriver = 0x8000_0043, "LINEERR_NODRIVER", "a provider component is missing or corrupt";
    NoMem = 0x8000_0044, "LINEERR_NOMEM", "out of memory";
    NoRequest = 0x8000_0045, "LINEERR_NOREQUEST", "no request is pending";
    NotOwner = 0x8000_0046, "LINEERR_NOTOWNER", "the application does not own the call";
    NotRegistered = 0x8000_0047, "LINEERR_NOTREGISTERED", "the application is not registered as a request recipient";
    OperationFailed = 0x8000_0048, "LINEERR_OPERATIONFAILED", "the operation failed";
    OperationUnavail = 0x8000_0049, "LINEERR_OPERATIONUNAVAIL", "the operation is not available on this device";
    RateUnavail = 0x8000_004A, "LINEERR_RATEUNAVAIL", "the rate is not available now";
    ResourceUnavail = 0x8000_004B, "LINEERR_RESOURCEUNAVAIL", "a resource is temporarily unavailable";
    RequestOverrun = 0x8000_004C, "LINEERR_REQUESTOVERRUN", "too many requests are queued";
    StructureTooSmall = 0x8000_004D, "LINEERR_STRUCTURETOOSMALL", "the structure is too small";
    TargetNotFound = 0x8000_004E, "LINEERR_TARGETNOTFOUND", "no handoff target was found";
    TargetSelf = 0x8000_004F, "LINEERR_TARGETSELF", "the caller is itself the handoff target";
    Uninitialized = 0x8000_0050, "LINEERR_UNINITIALIZED", "the application has not initialised";
    UserUserInfoTooBig = 0x8000_0051, "LINEERR_USERUSERINFOTOOBIG", "the user-user information is too big";
    Reinit = 0x8000_0052, "LINEERR_REINIT", "a reinitialisation is pending; shut down first";
    AddressBlocked = 0x8000_0053, "LINEERR_ADDRESSBLOCKED", "the address is blocked";
    BillingRejected = 0x8000_0054, "LINEERR_BILLINGREJECTED", "the billing information was rejected";
    InvalFeature = 0x8000_0055, "LINEERR_INVALFEATURE", "the feature is invalid";
    NoMultipleInstance = 0x8000_0056, "LINEERR_NOMULTIPLEINSTANCE", "the provider allows only one instance";
    InvalAgentId = 0x8000_0057, "LINEERR_INVALAGENTID", "the agent id is invalid";
    InvalAgentGroup = 0x8000_0058, "LINEERR_INVALAGENTGROUP", "the agent group is invalid";
    InvalPassword = 0x8000_0059, "LINEERR_INVALPASSWORD", "the password is invalid";
    InvalAgentState = 0x8000_005A, "LINEERR_INVALAGENTSTATE", "the agent state is invalid";
    InvalAgentActivity = 0x8000_005B, "LINEERR_INVALAGENTACTIVITY", "the agent activity is invalid";
    DialVoiceDetect = 0x8000_005C, "LINEERR_DIALVOICEDETECT", "the dial string has `:` (wait for voice), which this device cannot honour";
}

impl LineErr {
    /// The range reserved for device-specific errors (T§1.1).
    pub const DEVICE_SPECIFIC: std::ops::RangeInclusive<u32> = 0xC000_0000..=0xFFFF_FFFF;

    /// The TSPI return value: the code as the negative `LONG` a C caller sees.
    pub const fn as_long(self) -> i32 {
        self.code() as i32
    }
}

/// The error every fallible tsp operation returns: a [`LineErr`] kind (what TAPI sees), the
/// operation and device it concerns, and the detail a person needs ("ATZ on /dev/ttyACM0: no answer
/// in 2 s").
///
/// ```
/// use tsp_sdk::{Error, LineErr};
/// let err = Error::new(LineErr::CallUnavail)
///     .operation("make_call")
///     .device("line 0 (/dev/ttyACM0)")
///     .detail("the modem answered NO DIALTONE");
/// assert_eq!(err.kind(), LineErr::CallUnavail);
/// assert_eq!(
///     err.to_string(),
///     "make_call on line 0 (/dev/ttyACM0): LINEERR_CALLUNAVAIL: the modem answered NO DIALTONE"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
pub struct Error {
    kind: LineErr,
    operation: Option<Cow<'static, str>>,
    device: Option<Cow<'static, str>>,
    detail: Option<Cow<'static, str>>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// An error of this kind with no context yet.
    pub fn new(kind: LineErr) -> Self {
        Error {
            kind,
            operation: None,
            device: None,
            detail: None,
            source: None,
        }
    }

    /// Names the operation (`"make_call"`, `"ATZ"`), keeping one already named.
    #[must_use]
    pub fn operation(mut self, operation: impl Into<Cow<'static, str>>) -> Self {
        self.operation.get_or_insert_with(|| operation.into());
        self
    }

    /// Names the device (`"line 0 (/dev/ttyACM0)"`), keeping one already named.
    #[must_use]
    pub fn device(mut self, device: impl Into<Cow<'static, str>>) -> Self {
        self.device.get_or_insert_with(|| device.into());
        self
    }

    /// Says what happened, in words for a person.
    #[must_use]
    pub fn detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Attaches the underlying cause (an I/O error, a parse error).
    #[must_use]
    pub fn source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The TAPI error kind.
    pub fn kind(&self) -> LineErr {
        self.kind
    }

    /// The operation, if named.
    pub fn operation_name(&self) -> Option<&str> {
        self.operation.as_deref()
    }

    /// The device, if named.
    pub fn device_name(&self) -> Option<&str> {
        self.device.as_deref()
    }

    /// The detail, if given.
    pub fn detail_text(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    fn render(&self) -> String {
        let mut out = String::new();
        let _ = self.write_context(&mut out);
        match &self.detail {
            Some(detail) => out.push_str(&format!("{}: {detail}", self.kind.name())),
            None => out.push_str(&self.kind.to_string()),
        }
        out
    }

    fn write_context(&self, out: &mut String) -> fmt::Result {
        use fmt::Write;
        match (&self.operation, &self.device) {
            (Some(op), Some(dev)) => write!(out, "{op} on {dev}: "),
            (Some(op), None) => write!(out, "{op}: "),
            (None, Some(dev)) => write!(out, "{dev}: "),
            (None, None) => Ok(()),
        }
    }
}

/// A source that was cloned: its message, kept as text.
#[derive(Debug)]
struct SourceText(String);

impl fmt::Display for SourceText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SourceText {}

/// A clone keeps kind, operation, device and detail; the source, which may not be `Clone`, is kept
/// as its message.
impl Clone for Error {
    fn clone(&self) -> Self {
        Error {
            kind: self.kind,
            operation: self.operation.clone(),
            device: self.device.clone(),
            detail: self.detail.clone(),
            source: self.source.as_ref().map(|s| {
                Box::new(SourceText(s.to_string())) as Box<dyn std::error::Error + Send + Sync>
            }),
        }
    }
}

impl From<LineErr> for Error {
    fn from(kind: LineErr) -> Self {
        Error::new(kind)
    }
}

impl PartialEq<LineErr> for Error {
    fn eq(&self, other: &LineErr) -> bool {
        self.kind == *other
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_defined_error_round_trips_through_its_code() {
        for &err in LineErr::ALL {
            assert_eq!(LineErr::from_code(err.code()), Some(err), "{}", err.name());
        }
    }

    #[test]
    fn device_specific_codes_are_kept_and_unassigned_codes_are_not_errors() {
        assert_eq!(
            LineErr::from_code(0xC000_1234),
            Some(LineErr::DeviceSpecific(0xC000_1234))
        );
        assert_eq!(LineErr::from_code(0x8000_0004), None);
        assert_eq!(LineErr::from_code(0x8000_0031), None);
        assert_eq!(LineErr::from_code(0), None);
        assert_eq!(LineErr::from_code(17), None);
    }

    #[test]
    fn tspi_return_values_are_negative() {
        assert!(LineErr::OperationFailed.as_long() < 0);
        assert_eq!(LineErr::OperationFailed.as_long(), 0x8000_0048_u32 as i32);
    }

    #[test]
    fn context_is_kept_once_named() {
        let err = Error::new(LineErr::NoDevice)
            .operation("open")
            .operation("other")
            .device("line 3");
        assert_eq!(
            err.to_string(),
            "open on line 3: LINEERR_NODEVICE: the device was removed, or has nothing of that class"
        );
    }
}
