//! [`LineOffer`]: what a line offers, said once.

use crate::dial::DialCaps;
use crate::spi::{AddressCaps, Capabilities, DeviceClass, DeviceId, LineDevCaps};
use crate::types::{
    AddrCapFlags, BearerModes, CallFeatures, CallStates, DevCapFlags, DigitModes, DisconnectMode,
    LineDevStates, MediaModes,
};

/// What one line offers: the single source from which its `LINEDEVCAPS`
/// ([`line_caps`](Self::line_caps)), its address's `LINEADDRESSCAPS`
/// ([`address_caps`](Self::address_caps)) and the provider's optional operations
/// ([`capabilities`](Self::capabilities)) are derived, and against which
/// [`check_make_call`](super::check_make_call) and [`CallRecord::features`](super::CallRecord::features)
/// decide.
///
/// Build it as a literal ending in `..LineOffer::default()`; the default is a one-address
/// analog voice line that answers, dials in stages and drops its calls when closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineOffer {
    /// The line's name for people (`LINEDEVCAPS` line name).
    pub line_name: String,
    /// Who provides the line (`LINEDEVCAPS` provider info).
    pub provider_info: String,
    /// About the switch, if known.
    pub switch_info: String,
    /// The address: the line's own number, if known.
    pub address: String,
    /// Media modes `make_call` places, one at a time (default INTERACTIVEVOICE).
    pub placeable: MediaModes,
    /// Media modes the line can detect on incoming calls (`set_default_media_detection`).
    pub detectable: MediaModes,
    /// Bearer modes (default VOICE: a 3.1 kHz analog line, which also carries fax and modems).
    pub bearer_modes: BearerModes,
    /// The highest rate, bit/s (0: not known).
    pub max_rate: u32,
    /// The wait modifiers honoured in dial strings (`W`, `@`, `$`).
    pub dial_caps: DialCaps,
    /// Multi-stage dialing: `make_call` with no destination or one ending in `;`, then `dial`
    /// (`LINEADDRCAPFLAGS_PARTIALDIAL`, the DIAL call feature).
    pub partial_dial: bool,
    /// Incoming calls can be answered.
    pub answer: bool,
    /// Incoming calls can be accepted (`lineAccept`).
    pub accept: bool,
    /// Calls can be secured (`LINEADDRCAPFLAGS_SECURE`): for an analog line, when its location
    /// has a cancel-call-waiting code.
    pub secure: bool,
    /// `set_media_mode` is honoured.
    pub set_media_mode: bool,
    /// Closing the line drops its calls (`LINEDEVCAPFLAGS_CLOSEDROP`).
    pub close_drop: bool,
    /// Digit modes `monitor_digits` detects (empty: not offered).
    pub monitor_digit_modes: DigitModes,
    /// Digit modes `generate_digits` sends (empty: not offered).
    pub generate_digit_modes: DigitModes,
    /// Line-device states the line reports.
    pub line_states: LineDevStates,
    /// Device classes `get_id` answers, `tapi/line` included.
    pub device_classes: Vec<String>,
    /// Call states calls on the line can reach.
    pub call_states: CallStates,
    /// Disconnect modes the line reports.
    pub disconnect_modes: DisconnectMode,
}

impl Default for LineOffer {
    fn default() -> Self {
        let address = AddressCaps::default();
        LineOffer {
            line_name: String::new(),
            provider_info: String::new(),
            switch_info: String::new(),
            address: String::new(),
            placeable: MediaModes::INTERACTIVEVOICE,
            detectable: MediaModes::INTERACTIVEVOICE,
            bearer_modes: BearerModes::VOICE,
            max_rate: 0,
            dial_caps: DialCaps::default(),
            partial_dial: true,
            answer: true,
            accept: false,
            secure: false,
            set_media_mode: false,
            close_drop: true,
            monitor_digit_modes: DigitModes::empty(),
            generate_digit_modes: DigitModes::empty(),
            line_states: LineDevStates::RINGING | LineDevStates::REINIT,
            device_classes: vec![DeviceClass::TAPI_LINE.into()],
            call_states: address.call_states,
            disconnect_modes: address.disconnect_modes,
        }
    }
}

impl LineOffer {
    /// The media modes the line carries at all: placed or detected.
    pub fn media_modes(&self) -> MediaModes {
        self.placeable | self.detectable
    }

    /// The line's `LINEDEVCAPS` as device `device`.
    pub fn line_caps(&self, device: DeviceId) -> LineDevCaps {
        let mut flags = DevCapFlags::from_bits_truncate(self.dial_caps.dev_cap_flags());
        if self.close_drop {
            flags |= DevCapFlags::CLOSEDROP;
        }
        LineDevCaps {
            provider_info: self.provider_info.clone(),
            switch_info: self.switch_info.clone(),
            permanent_line_id: device.0,
            line_name: self.line_name.clone(),
            bearer_modes: self.bearer_modes,
            max_rate: self.max_rate,
            media_modes: self.media_modes(),
            generate_digit_modes: self.generate_digit_modes,
            monitor_digit_modes: self.monitor_digit_modes,
            dev_cap_flags: flags,
            line_states: self.line_states,
            device_classes: self.device_classes.clone(),
            ..LineDevCaps::default()
        }
    }

    /// The call features a call on the line can ever have.
    pub fn call_features(&self) -> CallFeatures {
        let mut features = CallFeatures::DROP;
        let mut add = |on: bool, feature: CallFeatures| {
            if on {
                features |= feature;
            }
        };
        add(self.partial_dial, CallFeatures::DIAL);
        add(self.answer, CallFeatures::ANSWER);
        add(self.accept, CallFeatures::ACCEPT);
        add(self.secure, CallFeatures::SECURECALL);
        add(
            !self.monitor_digit_modes.is_empty(),
            CallFeatures::MONITORDIGITS,
        );
        add(
            !self.generate_digit_modes.is_empty(),
            CallFeatures::GENERATEDIGITS,
        );
        features
    }

    /// The line's address 0 `LINEADDRESSCAPS`: SECURE only when [`secure`](Self::secure).
    pub fn address_caps(&self) -> AddressCaps {
        let mut flags = AddrCapFlags::DIALED;
        if self.partial_dial {
            flags |= AddrCapFlags::PARTIALDIAL;
        }
        if self.secure {
            flags |= AddrCapFlags::SECURE;
        }
        AddressCaps {
            address: self.address.clone(),
            call_states: self.call_states,
            disconnect_modes: self.disconnect_modes,
            addr_cap_flags: flags,
            call_features: self.call_features(),
            ..AddressCaps::default()
        }
    }

    /// The provider's optional operations for lines offering these: an operation is offered
    /// when any line offers it (the host then checks each call's own features).
    pub fn capabilities<'a>(offers: impl IntoIterator<Item = &'a LineOffer>) -> Capabilities {
        let mut caps = Capabilities::NONE;
        for o in offers {
            caps.dial |= o.partial_dial;
            caps.answer |= o.answer;
            caps.accept |= o.accept;
            caps.secure |= o.secure;
            caps.set_media_mode |= o.set_media_mode;
            caps.monitor_digits |= !o.monitor_digit_modes.is_empty();
            caps.generate_digits |= !o.generate_digit_modes.is_empty();
            caps.get_id |= o
                .device_classes
                .iter()
                .any(|c| !DeviceClass::new(c.clone()).is(DeviceClass::TAPI_LINE));
        }
        caps
    }
}
