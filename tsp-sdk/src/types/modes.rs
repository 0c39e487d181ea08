//! The mode that goes with a call state (`dwParam2` of `LINE_CALLSTATE`), T§2.1.

use bitflags::bitflags;

use super::Version;

bitflags! {
    /// `LINEDISCONNECTMODE_*`: why a call reached DISCONNECTED. High 16 bits are device-specific.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DisconnectMode: u32 {
        /// `LINEDISCONNECTMODE_NORMAL`: the far end hung up.
        const NORMAL = 0x0000_0001;
        /// `LINEDISCONNECTMODE_UNKNOWN`: the reason is not known (it may become known).
        const UNKNOWN = 0x0000_0002;
        /// `LINEDISCONNECTMODE_REJECT`: the far end rejected the call.
        const REJECT = 0x0000_0004;
        /// `LINEDISCONNECTMODE_PICKUP`: picked up from elsewhere.
        const PICKUP = 0x0000_0008;
        /// `LINEDISCONNECTMODE_FORWARDED`: forwarded.
        const FORWARDED = 0x0000_0010;
        /// `LINEDISCONNECTMODE_BUSY`: the far end was busy.
        const BUSY = 0x0000_0020;
        /// `LINEDISCONNECTMODE_NOANSWER`: the far end did not answer.
        const NOANSWER = 0x0000_0040;
        /// `LINEDISCONNECTMODE_BADADDRESS`: the address is invalid.
        const BADADDRESS = 0x0000_0080;
        /// `LINEDISCONNECTMODE_UNREACHABLE`: the far end could not be reached.
        const UNREACHABLE = 0x0000_0100;
        /// `LINEDISCONNECTMODE_CONGESTION`: the network is congested.
        const CONGESTION = 0x0000_0200;
        /// `LINEDISCONNECTMODE_INCOMPATIBLE`: the far end's equipment is incompatible.
        const INCOMPATIBLE = 0x0000_0400;
        /// `LINEDISCONNECTMODE_UNAVAIL`: the reason is unavailable and will never be known.
        const UNAVAIL = 0x0000_0800;
        /// `LINEDISCONNECTMODE_NODIALTONE` (TAPI 1.4): no dial tone.
        const NODIALTONE = 0x0000_1000;
        /// `LINEDISCONNECTMODE_NUMBERCHANGED` (2.0).
        const NUMBERCHANGED = 0x0000_2000;
        /// `LINEDISCONNECTMODE_OUTOFORDER` (2.0).
        const OUTOFORDER = 0x0000_4000;
        /// `LINEDISCONNECTMODE_TEMPFAILURE` (2.0): a modem's DELAYED result maps here.
        const TEMPFAILURE = 0x0000_8000;
        /// `LINEDISCONNECTMODE_QOSUNAVAIL` (2.0).
        const QOSUNAVAIL = 0x0001_0000;
        /// `LINEDISCONNECTMODE_BLOCKED` (2.0): a modem's BLACKLISTED result maps here.
        const BLOCKED = 0x0002_0000;
        /// `LINEDISCONNECTMODE_DONOTDISTURB` (2.0).
        const DONOTDISTURB = 0x0004_0000;
        /// `LINEDISCONNECTMODE_CANCELLED` (2.0).
        const CANCELLED = 0x0008_0000;
    }
}

impl DisconnectMode {
    /// The oldest TAPI version that defines this mode (for a single bit).
    pub fn introduced_in(self) -> Version {
        if self.bits() >= Self::NUMBERCHANGED.bits() {
            Version::V2_0
        } else if self.contains(Self::NODIALTONE) {
            Version::V1_4
        } else {
            Version::V1_3
        }
    }

    /// This mode as a line negotiated at `version` may see it: a mode newer than the version
    /// falls back to UNKNOWN (T§2.1 version rule).
    pub fn for_version(self, version: Version) -> Self {
        if self.introduced_in() <= version {
            self
        } else {
            Self::UNKNOWN
        }
    }
}

bitflags! {
    /// `LINECONNECTEDMODE_*`: the mode of a CONNECTED call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct ConnectedMode: u32 {
        /// `LINECONNECTEDMODE_ACTIVE`: connected at this station.
        const ACTIVE = 0x01;
        /// `LINECONNECTEDMODE_INACTIVE`: connected elsewhere (bridged).
        const INACTIVE = 0x02;
        /// `LINECONNECTEDMODE_ACTIVEHELD` (2.0).
        const ACTIVEHELD = 0x04;
        /// `LINECONNECTEDMODE_INACTIVEHELD` (2.0).
        const INACTIVEHELD = 0x08;
        /// `LINECONNECTEDMODE_CONFIRMED` (2.0): the far end confirmed the connection.
        const CONFIRMED = 0x10;
    }
}

bitflags! {
    /// `LINEBUSYMODE_*`: the mode of a BUSY call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct BusyMode: u32 {
        /// `LINEBUSYMODE_STATION`: the called station is busy.
        const STATION = 0x1;
        /// `LINEBUSYMODE_TRUNK`: a trunk is busy.
        const TRUNK = 0x2;
        /// `LINEBUSYMODE_UNKNOWN`: busy, of an unknown kind yet.
        const UNKNOWN = 0x4;
        /// `LINEBUSYMODE_UNAVAIL`: busy, of a kind that will never be known.
        const UNAVAIL = 0x8;
    }
}

bitflags! {
    /// `LINEDIALTONEMODE_*`: the mode of a DIALTONE call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct DialToneMode: u32 {
        /// `LINEDIALTONEMODE_NORMAL`
        const NORMAL = 0x01;
        /// `LINEDIALTONEMODE_SPECIAL` (stutter tone, voicemail waiting)
        const SPECIAL = 0x02;
        /// `LINEDIALTONEMODE_INTERNAL`
        const INTERNAL = 0x04;
        /// `LINEDIALTONEMODE_EXTERNAL`
        const EXTERNAL = 0x08;
        /// `LINEDIALTONEMODE_UNKNOWN`
        const UNKNOWN = 0x10;
        /// `LINEDIALTONEMODE_UNAVAIL`
        const UNAVAIL = 0x20;
    }
}

bitflags! {
    /// `LINEOFFERINGMODE_*`: the mode of an OFFERING call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct OfferingMode: u32 {
        /// `LINEOFFERINGMODE_ACTIVE`: alerting at this station.
        const ACTIVE = 0x1;
        /// `LINEOFFERINGMODE_INACTIVE` (1.4): offered but not alerting here.
        const INACTIVE = 0x2;
    }
}

bitflags! {
    /// `LINESPECIALINFO_*`: the mode of a SPECIALINFO call.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SpecialInfo: u32 {
        /// `LINESPECIALINFO_NOCIRCUIT`
        const NOCIRCUIT = 0x01;
        /// `LINESPECIALINFO_CUSTIRREG`
        const CUSTIRREG = 0x02;
        /// `LINESPECIALINFO_REORDER`
        const REORDER = 0x04;
        /// `LINESPECIALINFO_UNKNOWN`
        const UNKNOWN = 0x08;
        /// `LINESPECIALINFO_UNAVAIL`
        const UNAVAIL = 0x10;
    }
}
