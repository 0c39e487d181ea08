//! Line-level checks every provider makes: the media modes to detect and the status messages to
//! report.

use crate::error::{Error, LineErr};
use crate::types::{AddressStates, LineDevStates, MediaModes};

use super::LineOffer;

impl LineOffer {
    /// Checks `TSPI_lineSetDefaultMediaDetection`'s modes against what the line detects (an
    /// empty set is always fine: nothing is announced then).
    ///
    /// # Errors
    /// `LINEERR_INVALMEDIAMODE` for a mode the line cannot detect.
    pub fn check_detection(&self, modes: MediaModes) -> Result<(), Error> {
        if self.detectable.contains(modes) {
            return Ok(());
        }
        Err(Error::new(LineErr::InvalMediaMode)
            .operation("set_default_media_detection")
            .detail(format!(
                "this line detects {}, not {}",
                self.detectable,
                modes - self.detectable
            )))
    }
}

/// Checks `TSPI_lineSetStatusMessages`'s filters: only defined `LINEDEVSTATE_*` and
/// `LINEADDRESSSTATE_*` bits (T§1.5).
///
/// # Errors
/// `LINEERR_INVALLINESTATE` / `LINEERR_INVALADDRESSSTATE` naming the undefined bits.
pub fn check_status_messages(
    line_states: LineDevStates,
    address_states: AddressStates,
) -> Result<(), Error> {
    let undefined_line = line_states.bits() & !LineDevStates::all().bits();
    if undefined_line != 0 {
        return Err(Error::new(LineErr::InvalLineState)
            .operation("set_status_messages")
            .detail(format!("undefined line-state bits {undefined_line:#x}")));
    }
    let undefined_address = address_states.bits() & !AddressStates::all().bits();
    if undefined_address != 0 {
        return Err(Error::new(LineErr::InvalAddressState)
            .operation("set_status_messages")
            .detail(format!(
                "undefined address-state bits {undefined_address:#x}"
            )));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn undefined_state_bits_are_refused_with_their_own_lineerr() {
        assert!(check_status_messages(LineDevStates::RINGING, AddressStates::empty()).is_ok());
        let line = LineDevStates::from_bits_retain(0x8000_0000);
        assert_eq!(
            check_status_messages(line, AddressStates::empty()).map_err(|e| e.kind()),
            Err(LineErr::InvalLineState)
        );
        let address = AddressStates::from_bits_retain(0x8000_0000);
        assert_eq!(
            check_status_messages(LineDevStates::empty(), address).map_err(|e| e.kind()),
            Err(LineErr::InvalAddressState)
        );
    }

    #[test]
    fn detection_of_a_mode_the_line_cannot_detect_is_invalmediamode() {
        let offer = LineOffer::default();
        assert!(offer.check_detection(MediaModes::empty()).is_ok());
        assert!(offer.check_detection(MediaModes::INTERACTIVEVOICE).is_ok());
        let refused = offer.check_detection(MediaModes::G3FAX).unwrap_err();
        assert_eq!(refused.kind(), LineErr::InvalMediaMode);
        assert!(refused.to_string().contains("G3FAX"), "{refused}");
    }
}
