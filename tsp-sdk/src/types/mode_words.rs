//! Call-state modes in words, for people: `busy (kind unknown)`, `disconnected (busy)` rather than
//! `BUSY (mode 0x4)`. The words follow the `LINEBUSYMODE_*`, `LINEDISCONNECTMODE_*` … constants
//! (T§2.2); bits no constant names are shown in hex so nothing is hidden.

use super::{BusyMode, ConnectedMode, DialToneMode, DisconnectMode, OfferingMode, SpecialInfo};

/// Joins the words of the flags set in `bits`, in bit order; bits no entry names follow as hex.
fn words(bits: u32, table: &[(u32, &str)]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut named = 0;
    for &(bit, word) in table {
        if bits & bit != 0 {
            out.push(word.to_owned());
            named |= bit;
        }
    }
    let rest = bits & !named;
    if rest != 0 {
        out.push(format!("{rest:#x}"));
    }
    if out.is_empty() {
        "none".to_owned()
    } else {
        out.join(", ")
    }
}

macro_rules! describe {
    ($ty:ident, $source:literal, [$($flag:ident => $word:literal),* $(,)?]) => {
        impl $ty {
            #[doc = concat!("The mode in words (`", $source, "`), comma-separated when several ")]
            #[doc = "bits are set; bits no constant names follow in hex, and an empty set is `none`."]
            pub fn describe(self) -> String {
                words(self.bits(), &[$(($ty::$flag.bits(), $word)),*])
            }
        }
    };
}

describe!(DisconnectMode, "LINEDISCONNECTMODE_*", [
    NORMAL => "normal",
    UNKNOWN => "reason unknown",
    REJECT => "rejected",
    PICKUP => "picked up elsewhere",
    FORWARDED => "forwarded",
    BUSY => "busy",
    NOANSWER => "no answer",
    BADADDRESS => "bad address",
    UNREACHABLE => "unreachable",
    CONGESTION => "network congestion",
    INCOMPATIBLE => "incompatible",
    UNAVAIL => "reason unavailable",
    NODIALTONE => "no dial tone",
    NUMBERCHANGED => "number changed",
    OUTOFORDER => "out of order",
    TEMPFAILURE => "temporary failure",
    QOSUNAVAIL => "quality of service unavailable",
    BLOCKED => "blocked",
    DONOTDISTURB => "do not disturb",
    CANCELLED => "cancelled",
]);

describe!(ConnectedMode, "LINECONNECTEDMODE_*", [
    ACTIVE => "active",
    INACTIVE => "inactive",
    ACTIVEHELD => "active, held",
    INACTIVEHELD => "inactive, held",
    CONFIRMED => "confirmed",
]);

describe!(BusyMode, "LINEBUSYMODE_*", [
    STATION => "the station is busy",
    TRUNK => "a trunk is busy",
    UNKNOWN => "kind unknown",
    UNAVAIL => "kind unavailable",
]);

describe!(DialToneMode, "LINEDIALTONEMODE_*", [
    NORMAL => "normal",
    SPECIAL => "special",
    INTERNAL => "internal",
    EXTERNAL => "external",
    UNKNOWN => "kind unknown",
    UNAVAIL => "kind unavailable",
]);

describe!(OfferingMode, "LINEOFFERINGMODE_*", [
    ACTIVE => "active",
    INACTIVE => "inactive",
]);

describe!(SpecialInfo, "LINESPECIALINFO_*", [
    NOCIRCUIT => "no circuit",
    CUSTIRREG => "customer irregularity",
    REORDER => "reorder",
    UNKNOWN => "kind unknown",
    UNAVAIL => "kind unavailable",
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bit_reads_as_its_word() {
        assert_eq!(BusyMode::UNKNOWN.describe(), "kind unknown");
        assert_eq!(DisconnectMode::BUSY.describe(), "busy");
        assert_eq!(ConnectedMode::ACTIVE.describe(), "active");
    }

    #[test]
    fn several_bits_are_listed_in_bit_order() {
        assert_eq!(
            (DisconnectMode::NOANSWER | DisconnectMode::NORMAL).describe(),
            "normal, no answer"
        );
    }

    #[test]
    fn bits_no_constant_names_are_shown_in_hex_and_an_empty_set_says_none() {
        assert_eq!(
            BusyMode::from_bits_retain(0x4 | 0x100).describe(),
            "kind unknown, 0x100"
        );
        assert_eq!(OfferingMode::empty().describe(), "none");
    }
}
