//! Flag sets printed for people by their TAPI constant names: `DATAMODEM, G3FAX` rather than
//! `MediaModes(DATAMODEM | G3FAX)`.

use std::fmt;

use super::{
    AddrCapFlags, AddressStates, AnswerModes, BearerModes, BusyMode, CallFeatures, CallInfoStates,
    CallOrigin, CallParamFlags, CallPartyIdFlags, CallPrivilege, CallReason, CallSelect,
    CallStates, ConnectedMode, DevCapFlags, DialToneMode, DigitModes, DisconnectMode,
    LineDevStates, LineFeatures, MediaModes, OfferingMode, RequestModes, SpecialInfo,
};

/// The names of the bits set, comma-separated in the order the constants are declared; bits no constant names follow in
/// hex, and an empty set is `nothing`.
fn write_names<F: bitflags::Flags<Bits = u32>>(
    flags: &F,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let mut names: Vec<String> = flags.iter_names().map(|(n, _)| n.to_owned()).collect();
    let unnamed = flags.bits() & !F::all().bits();
    if unnamed != 0 {
        names.push(format!("{unnamed:#x}"));
    }
    if names.is_empty() {
        f.write_str("nothing")
    } else {
        f.write_str(&names.join(", "))
    }
}

macro_rules! display_names {
    ($($ty:ident: $constants:literal),* $(,)?) => {$(
        impl fmt::Display for $ty {
            #[doc = concat!("The `", $constants, "` names of the bits set (`DTMF`, `DATAMODEM, G3FAX`), ")]
            #[doc = "comma-separated; unnamed bits in hex; `nothing` when empty."]
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_names(self, f)
            }
        }
    )*};
}

display_names!(
    MediaModes: "LINEMEDIAMODE_*",
    BearerModes: "LINEBEARERMODE_*",
    CallPartyIdFlags: "LINECALLPARTYID_*",
    DigitModes: "LINEDIGITMODE_*",
    CallStates: "LINECALLSTATE_*",
    CallParamFlags: "LINECALLPARAMFLAGS_*",
    AddrCapFlags: "LINEADDRCAPFLAGS_*",
    DevCapFlags: "LINEDEVCAPFLAGS_*",
    CallFeatures: "LINECALLFEATURE_*",
    LineFeatures: "LINEFEATURE_*",
    LineDevStates: "LINEDEVSTATE_*",
    AddressStates: "LINEADDRESSSTATE_*",
    CallInfoStates: "LINECALLINFOSTATE_*",
    CallOrigin: "LINECALLORIGIN_*",
    CallReason: "LINECALLREASON_*",
    CallSelect: "LINECALLSELECT_*",
    AnswerModes: "LINEANSWERMODE_*",
    CallPrivilege: "LINECALLPRIVILEGE_*",
    RequestModes: "LINEREQUESTMODE_*",
    DisconnectMode: "LINEDISCONNECTMODE_*",
    ConnectedMode: "LINECONNECTEDMODE_*",
    BusyMode: "LINEBUSYMODE_*",
    DialToneMode: "LINEDIALTONEMODE_*",
    OfferingMode: "LINEOFFERINGMODE_*",
    SpecialInfo: "LINESPECIALINFO_*",
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_sets_print_their_tapi_names() {
        assert_eq!(MediaModes::DATAMODEM.to_string(), "DATAMODEM");
        assert_eq!(
            (MediaModes::DATAMODEM | MediaModes::G3FAX).to_string(),
            "DATAMODEM, G3FAX"
        );
        assert_eq!(MediaModes::empty().to_string(), "nothing");
        assert_eq!(
            MediaModes::from_bits_retain(0x10_0010).to_string(),
            "DATAMODEM, 0x100000"
        );
        assert_eq!(BearerModes::VOICE.to_string(), "VOICE");
        assert_eq!(
            (CallPartyIdFlags::ADDRESS | CallPartyIdFlags::NAME).to_string(),
            "NAME, ADDRESS"
        );
        assert_eq!(DigitModes::DTMF.to_string(), "DTMF");
        assert_eq!(
            (CallFeatures::ANSWER | CallFeatures::DROP).to_string(),
            "ANSWER, DROP"
        );
        assert_eq!(CallPrivilege::MONITOR.to_string(), "MONITOR");
        assert_eq!(DisconnectMode::BUSY.to_string(), "BUSY");
    }
}
