use std::fmt;

/// A TAPI/TSPI interface version: major in the high word, minor in the low word (T§2.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub u32);

impl Version {
    /// TAPI 1.3 (`0x00010003`).
    pub const V1_3: Version = Version(0x0001_0003);
    /// TAPI 1.4 (`0x00010004`).
    pub const V1_4: Version = Version(0x0001_0004);
    /// TAPI 2.0 (`0x00020000`).
    pub const V2_0: Version = Version(0x0002_0000);
    /// TAPI 2.1 (`0x00020001`).
    pub const V2_1: Version = Version(0x0002_0001);
    /// TAPI 2.2 (`0x00020002`).
    pub const V2_2: Version = Version(0x0002_0002);
    /// TAPI 3.0 (`0x00030000`).
    pub const V3_0: Version = Version(0x0003_0000);
    /// TAPI 3.1 (`0x00030001`).
    pub const V3_1: Version = Version(0x0003_0001);
    /// Every published version, oldest first.
    pub const ALL: [Version; 7] = [
        Self::V1_3,
        Self::V1_4,
        Self::V2_0,
        Self::V2_1,
        Self::V2_2,
        Self::V3_0,
        Self::V3_1,
    ];
    /// `INITIALIZE_NEGOTIATION` (`0xFFFFFFFF`): the device id that asks for the overall version.
    pub const INITIALIZE_NEGOTIATION: u32 = 0xFFFF_FFFF;

    /// A version from its parts.
    pub const fn new(major: u16, minor: u16) -> Version {
        Version(((major as u32) << 16) | minor as u32)
    }

    /// The major number.
    pub const fn major(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The minor number.
    pub const fn minor(self) -> u16 {
        (self.0 & 0xFFFF) as u16
    }

    /// Negotiation (T§1.4, lineNegotiateTSPIVersion): the highest version in both
    /// `[lo, hi]` and `[supported_lo, supported_hi]`, or `None` when they do not overlap.
    pub fn negotiate(
        lo: Version,
        hi: Version,
        supported_lo: Version,
        supported_hi: Version,
    ) -> Option<Version> {
        let top = hi.min(supported_hi);
        (top >= lo.max(supported_lo) && lo <= hi).then_some(top)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major(), self.minor())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_picks_the_highest_common_version() {
        assert_eq!(
            Version::negotiate(Version::V1_3, Version::V3_1, Version::V2_0, Version::V2_2),
            Some(Version::V2_2)
        );
        assert_eq!(
            Version::negotiate(Version::V1_3, Version::V1_4, Version::V2_0, Version::V2_2),
            None
        );
        assert_eq!(
            Version::negotiate(Version::V2_2, Version::V2_0, Version::V1_3, Version::V3_1),
            None
        );
    }

    #[test]
    fn versions_print_as_major_dot_minor() {
        assert_eq!(Version::V2_2.to_string(), "2.2");
        assert_eq!(Version::new(3, 1), Version::V3_1);
    }
}
