//! The built-in profiles and how a modem's identification picks one (hayes.md §5.1, §12).

use std::time::Duration;

use tsp_sdk::dial::DialCaps;

use super::{CallerIdCommand, Identity, Profile, RejectedInit};
use crate::at::{NumericTable, Quirks};

/// Names [`Profile::by_name`] knows.
pub const NAMES: &[&str] = &["v250", "usr", "conexant", "lucent-venus", "rockwell"];

/// What every built-in profile sends after `ATZ`: DCD follows the carrier, DTR drop hangs up,
/// dial-tone and busy detection on (hayes.md §4, §8).
const BASE_INIT: &str = "AT&C1&D2X4";

/// `W` and `@` are honoured by V.250 modems whatever the `X` level (hayes.md §4, §5.2).
const WAIT_MODIFIERS: DialCaps = DialCaps {
    dial_dialtone: true,
    dial_quiet: true,
    dial_billing: false,
    voice_detect: false,
};

fn profile(name: &str, description: &str, caller_id: CallerIdCommand, quirks: Quirks) -> Profile {
    Profile {
        name: name.to_owned(),
        description: description.to_owned(),
        init: vec![BASE_INIT.to_owned()],
        caller_id,
        quirks,
        dial_caps: WAIT_MODIFIERS,
        max_rate: 33_600,
        rejected_init: RejectedInit::FailOpen,
    }
}

/// The generic V.250 modem: caller ID by `+VCID`, else `#CID`.
pub(super) fn v250() -> Profile {
    Profile {
        // The modem is unknown: an X4 it lacks must not keep it from working.
        rejected_init: RejectedInit::DropCommand,
        ..profile(
            "v250",
            "generic ITU-T V.250 modem",
            CallerIdCommand::Probe,
            Quirks::default(),
        )
    }
}

/// U.S. Robotics: the 5637 USB takes `+VCID`, Sportster/Courier `#CID`; after `ATZ` the port rate
/// may revert, so one more `AT` is sent (quirk #9).
fn usr(identity: &Identity) -> Profile {
    let text = identity.haystack();
    let usb = text.contains("usb") || text.contains("5637");
    let caller_id = if usb {
        CallerIdCommand::Vcid
    } else {
        CallerIdCommand::HashCid
    };
    profile(
        "usr",
        "U.S. Robotics (Sportster, Courier, 5637 USB)",
        caller_id,
        Quirks {
            extra_at_after_reset: true,
            ..Quirks::default()
        },
    )
}

/// Conexant CX930xx USB and HSF soft modems: `+VCID`, lost at every reset (quirk #3: the init
/// re-sends it); bare read answers and missing blank lines are tolerated by the engine anyway.
fn conexant() -> Profile {
    profile(
        "conexant",
        "Conexant CX930xx USB / HSF",
        CallerIdCommand::Vcid,
        Quirks {
            numeric_codes: NumericTable::rockwell(),
            ..Quirks::default()
        },
    )
}

/// Zoom 2949L and other Lucent/Agere "Venus" modems: a stale `OK` arrives up to 2 s after a DTR
/// drop (quirk #7), so commands wait and stray results are skipped for 2.2 s.
fn lucent_venus() -> Profile {
    profile(
        "lucent-venus",
        "Lucent/Agere Venus (Zoom 2949L)",
        CallerIdCommand::Vcid,
        Quirks {
            stale_result_after_dtr: Some(Duration::from_millis(2200)),
            ..Quirks::default()
        },
    )
}

/// Rockwell data pumps (RC288, RC336, ACF): `#CID`, the Rockwell numeric table.
fn rockwell() -> Profile {
    profile(
        "rockwell",
        "Rockwell RC288/RC336/ACF",
        CallerIdCommand::HashCid,
        Quirks {
            numeric_codes: NumericTable::rockwell(),
            ..Quirks::default()
        },
    )
}

pub(super) fn by_name(name: &str) -> Option<Profile> {
    let wanted = name.trim().to_ascii_lowercase().replace('_', "-");
    let empty = Identity::default();
    match wanted.as_str() {
        "v250" | "v.250" | "generic" => Some(v250()),
        "usr" | "usrobotics" => Some(usr(&empty)),
        "usr-usb" | "usr5637" => Some(Profile {
            caller_id: CallerIdCommand::Vcid,
            ..usr(&empty)
        }),
        "conexant" => Some(conexant()),
        "lucent-venus" | "lucent" | "zoom-2949l" => Some(lucent_venus()),
        "rockwell" => Some(rockwell()),
        _ => None,
    }
}

pub(super) fn identify(identity: &Identity) -> Profile {
    let text = identity.haystack();
    let has = |needle: &str| text.contains(needle);
    if has("u.s. robotics") || has("usrobotics") || has("3com") {
        return usr(identity);
    }
    if has("lucent") || has("agere") || has("venus") || has("zoom v.90 serial") {
        return lucent_venus();
    }
    if has("conexant") || has("cx9300") || has("hsfmodem") {
        return conexant();
    }
    if has("rockwell") || has("rc288") || has("rc336") || has("rcv336") {
        return rockwell();
    }
    v250()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ServiceClasses;

    fn said(i0: &str, i3: &str, gmi: Option<&str>) -> Identity {
        Identity {
            i0: Some(i0.into()),
            i3: Some(i3.into()),
            manufacturer: gmi.map(Into::into),
            classes: Some(ServiceClasses::parse("0,1,8")),
            ..Identity::default()
        }
    }

    #[test]
    fn a_usr_5637_is_a_usr_with_vcid() {
        let p = Profile::identify(&said("5601", "U.S. Robotics 56K FAX USB V1.2.23", None));
        assert_eq!(p.name, "usr");
        assert_eq!(p.caller_id, CallerIdCommand::Vcid);
        assert!(p.quirks.extra_at_after_reset);
    }

    #[test]
    fn a_sportster_uses_hash_cid() {
        let p = Profile::identify(&said("2886", "USRobotics Sportster 28800", None));
        assert_eq!(
            (p.name.as_str(), p.caller_id),
            ("usr", CallerIdCommand::HashCid)
        );
    }

    #[test]
    fn a_conexant_usb_modem_is_recognised_by_gmi_or_firmware() {
        let by_gmi = Profile::identify(&said("56000", "CX93001-EIS_V0.2013-V92", Some("CONEXANT")));
        assert_eq!(by_gmi.name, "conexant");
        let by_banner = Profile::identify(&said("56000", "hsfmodem-7.80.02.04full", None));
        assert_eq!(by_banner.name, "conexant");
    }

    #[test]
    fn a_zoom_2949l_gets_the_late_ok_drain() {
        let p = Profile::identify(&said("56000", "Zoom V.90 Serial s052099g -I Z207", None));
        assert_eq!(p.name, "lucent-venus");
        assert_eq!(
            p.quirks.stale_result_after_dtr,
            Some(Duration::from_millis(2200))
        );
    }

    #[test]
    fn an_unknown_modem_gets_the_generic_profile() {
        let p = Profile::identify(&said(
            "33600",
            "tsp-sim V.250 reference modem",
            Some("tsp-sim"),
        ));
        assert_eq!(p.name, "v250");
        assert_eq!(p.caller_id, CallerIdCommand::Probe);
        assert!(p.dial_caps.dial_dialtone && p.dial_caps.dial_quiet && !p.dial_caps.dial_billing);
        assert_eq!(Profile::identify(&Identity::default()).name, "v250");
    }

    #[test]
    fn every_listed_name_builds_a_profile_of_that_name() {
        for name in NAMES {
            assert_eq!(
                Profile::by_name(name).map(|p| p.name),
                Some((*name).to_owned())
            );
        }
        assert_eq!(
            Profile::by_name("USR5637").map(|p| p.caller_id),
            Some(CallerIdCommand::Vcid)
        );
        assert!(Profile::by_name("hayes-smartmodem").is_none());
    }

    #[test]
    fn every_profile_init_keeps_dcd_and_dtr_semantics() {
        for name in NAMES {
            let p = Profile::by_name(name).unwrap_or_else(Profile::generic);
            let init = p.init.join(";");
            assert!(
                init.contains("&C1") && init.contains("&D2"),
                "{name}: {init}"
            );
            assert!(p.init_commands().is_ok());
        }
    }
}
