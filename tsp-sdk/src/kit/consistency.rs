//! [`check_caps`]: a provider's capabilities, line caps and address caps must agree.

use crate::spi::{AddressCaps, Capabilities, DeviceClass, DeviceId, LineDevCaps};
use crate::types::{AddrCapFlags, CallFeatures};

/// One disagreement between what a provider says it offers and what a line's caps advertise:
/// an application reading the caps would be promised an operation the host then refuses, or
/// the other way round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapsMismatch {
    /// The line device.
    pub device: DeviceId,
    /// What disagrees, in words.
    pub what: String,
}

impl std::fmt::Display for CapsMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.device, self.what)
    }
}

/// Checks one line device's caps against the provider's [`Capabilities`] (every optional
/// operation a line or address advertises must be offered; SECURE and the SECURECALL feature go
/// together). A provider that builds its caps from a [`LineOffer`](super::LineOffer) passes by
/// construction; the host runs this at start and logs what it finds, and the conformance suite
/// fails on it.
pub fn check_caps(
    device: DeviceId,
    capabilities: &Capabilities,
    line: &LineDevCaps,
    address: &AddressCaps,
) -> Vec<CapsMismatch> {
    let mut found = Vec::new();
    let mut need = |advertised: bool, offered: bool, what: &str| {
        if advertised && !offered {
            found.push(CapsMismatch {
                device,
                what: what.to_owned(),
            });
        }
    };
    let features = address.call_features;
    let flags = address.addr_cap_flags;
    need(
        features.contains(CallFeatures::ANSWER),
        capabilities.answer,
        "the ANSWER call feature is advertised but answer is not offered",
    );
    need(
        features.contains(CallFeatures::ACCEPT),
        capabilities.accept,
        "the ACCEPT call feature is advertised but accept is not offered",
    );
    need(
        features.contains(CallFeatures::DIAL) || flags.contains(AddrCapFlags::PARTIALDIAL),
        capabilities.dial,
        "multi-stage dialing (DIAL, PARTIALDIAL) is advertised but dial is not offered",
    );
    need(
        flags.contains(AddrCapFlags::SECURE) || features.contains(CallFeatures::SECURECALL),
        capabilities.secure,
        "securing calls (SECURE, SECURECALL) is advertised but secure is not offered",
    );
    need(
        flags.contains(AddrCapFlags::SECURE) != features.contains(CallFeatures::SECURECALL),
        false,
        "the SECURE address flag and the SECURECALL call feature disagree",
    );
    need(
        features.contains(CallFeatures::MONITORDIGITS) || !line.monitor_digit_modes.is_empty(),
        capabilities.monitor_digits,
        "digit monitoring (MONITORDIGITS, monitor digit modes) is advertised but monitor_digits is not offered",
    );
    need(
        features.contains(CallFeatures::MONITORDIGITS) && line.monitor_digit_modes.is_empty(),
        false,
        "the MONITORDIGITS call feature is advertised with no monitor digit modes",
    );
    need(
        features.contains(CallFeatures::GENERATEDIGITS) || !line.generate_digit_modes.is_empty(),
        capabilities.generate_digits,
        "digit generation (GENERATEDIGITS, generate digit modes) is advertised but generate_digits is not offered",
    );
    need(
        line.device_classes
            .iter()
            .any(|c| !DeviceClass::new(c.clone()).is(DeviceClass::TAPI_LINE)),
        capabilities.get_id,
        "device classes beyond tapi/line are advertised but get_id is not offered",
    );
    found
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::kit::LineOffer;

    #[test]
    fn caps_built_from_one_offer_always_agree() {
        let offers = [
            LineOffer::default(),
            LineOffer {
                secure: true,
                accept: true,
                monitor_digit_modes: crate::DigitModes::DTMF,
                device_classes: vec!["tapi/line".into(), "comm/datamodem".into()],
                ..LineOffer::default()
            },
        ];
        for offer in &offers {
            let caps = LineOffer::capabilities([offer]);
            let found = check_caps(
                DeviceId(0),
                &caps,
                &offer.line_caps(DeviceId(0)),
                &offer.address_caps(),
            );
            assert!(found.is_empty(), "{found:?}");
        }
    }

    #[test]
    fn an_address_that_promises_securing_the_provider_does_not_offer_is_named() {
        let offer = LineOffer {
            secure: true,
            ..LineOffer::default()
        };
        let caps = Capabilities {
            secure: false,
            ..LineOffer::capabilities([&offer])
        };
        let found = check_caps(
            DeviceId(3),
            &caps,
            &offer.line_caps(DeviceId(3)),
            &offer.address_caps(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].to_string().contains("secure is not offered"));
        assert!(found[0].to_string().starts_with("device 3"), "{}", found[0]);
    }
}
