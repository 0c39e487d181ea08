//! What a modem line offers ([`LineOffer`]): from its configuration and what its modem is known
//! to be. The line's caps, its address caps, the provider's capabilities, the call features and
//! the `make_call` checks all come from this one description.

use tsp_sdk::kit::LineOffer;
use tsp_sdk::spi::{AddressCaps, DeviceClass};
use tsp_sdk::{CallStates, DisconnectMode};

use super::ModemLineConfig;
use super::task::{detectable, placeable};
use crate::profile::{Identity, Profile, ServiceClasses};

/// Service classes assumed before a modem was ever opened: data and fax class 1.
pub(crate) fn assumed_classes() -> ServiceClasses {
    ServiceClasses::new(["0", "1"])
}

/// The offer of a line configured as `config`, whose modem answered as `identity` (if it was
/// ever opened) and runs `profile`.
pub(crate) fn modem_offer(
    config: &ModemLineConfig,
    identity: Option<&Identity>,
    profile: &Profile,
) -> LineOffer {
    let classes = identity.map_or_else(assumed_classes, Identity::service_classes);
    let modem = identity.map_or_else(|| format!("{} profile", profile.name), Identity::summary);
    let defaults = AddressCaps::default();
    LineOffer {
        line_name: config.name.clone(),
        provider_info: format!("tsp-modem: {modem} on {}", config.opener.name()),
        placeable: placeable(&classes),
        detectable: detectable(&classes),
        max_rate: profile.max_rate,
        dial_caps: profile.dial_caps,
        // Securing means dialing the location's cancel-call-waiting code first (DESIGN.md).
        secure: config.location.can_cancel_call_waiting(),
        device_classes: device_classes(&classes),
        call_states: defaults.call_states | CallStates::RINGBACK,
        disconnect_modes: defaults.disconnect_modes
            | DisconnectMode::BADADDRESS
            | DisconnectMode::TEMPFAILURE
            | DisconnectMode::BLOCKED
            | DisconnectMode::OUTOFORDER,
        // A modem that stops answering takes the line out of service until it answers again.
        line_states: LineOffer::default().line_states
            | tsp_sdk::LineDevStates::OUTOFSERVICE
            | tsp_sdk::LineDevStates::INSERVICE,
        // A voice modem (V.253) sends DTMF with +VTS and reports what it hears (task::digits).
        monitor_digit_modes: voice_digits(&classes),
        generate_digit_modes: voice_digits(&classes),
        ..LineOffer::default()
    }
}

/// The line's device classes: its id, the port, a call's data stream, and on a modem with the
/// voice class a voice call's audio (`wave/out` to play, `wave/in` to record: task::audio).
fn device_classes(classes: &ServiceClasses) -> Vec<String> {
    let mut all: Vec<String> = [
        DeviceClass::TAPI_LINE,
        DeviceClass::COMM,
        DeviceClass::COMM_DATAMODEM,
        DeviceClass::COMM_DATAMODEM_PORTNAME,
    ]
    .map(String::from)
    .to_vec();
    if classes.voice() {
        all.extend(["wave/out".to_owned(), "wave/in".to_owned()]);
    }
    all
}

/// DTMF on a modem with the voice class, nothing otherwise.
fn voice_digits(classes: &ServiceClasses) -> tsp_sdk::DigitModes {
    if classes.voice() {
        tsp_sdk::DigitModes::DTMF
    } else {
        tsp_sdk::DigitModes::empty()
    }
}
