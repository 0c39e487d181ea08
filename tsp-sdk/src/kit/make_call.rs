//! [`check_make_call`]: a `make_call`'s arguments against what the line offers.

use crate::dial::DialString;
use crate::error::{Error, LineErr};
use crate::spi::MakeCall;
use crate::types::{CallParamFlags, MediaModes};

use super::LineOffer;

/// A `make_call` whose arguments the line can honour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCall {
    /// The call's media mode (INTERACTIVEVOICE when the parameters gave none).
    pub media: MediaModes,
    /// SECURE was asked for (and the line can secure calls).
    pub secure: bool,
    /// The destination, parsed and pre-scanned; `None`: off hook for dial tone only.
    pub dest: Option<DialString>,
    /// The destination ends with `;`: dial it, then wait for `dial`.
    pub partial: bool,
}

fn refuse(kind: LineErr, detail: impl Into<String>) -> Error {
    Error::new(kind)
        .operation("make_call")
        .detail(detail.into())
}

/// Checks `request` against `offer` before anything is done, so a refusal is synchronous and
/// has no side effect (T§1.5): no port opened, nothing dialed, the request never completes.
///
/// # Errors
/// - `LINEERR_INVALMEDIAMODE`: not exactly one media mode, or one the line does not place;
/// - `LINEERR_INVALBEARERMODE` (not exactly one) / `LINEERR_BEARERMODEUNAVAIL` (not carried);
/// - `LINEERR_INVALADDRESSID`: an address other than 0;
/// - `LINEERR_INVALCALLPARAMS`: SECURE on a line that cannot secure calls;
/// - the dial string's own errors (`INVALADDRESS`), and the pre-scan's `DIALDIALTONE`,
///   `DIALQUIET`, `DIALBILLING`, `DIALPROMPT` naming the first modifier the line cannot honour;
/// - `LINEERR_OPERATIONUNAVAIL`: no destination, or one ending in `;`, on a line that does not
///   dial in stages.
pub fn check_make_call(request: &MakeCall, offer: &LineOffer) -> Result<CheckedCall, Error> {
    let params = &request.params;
    let media = if params.media_mode.is_empty() {
        MediaModes::INTERACTIVEVOICE
    } else {
        params.media_mode
    };
    if media.bits().count_ones() != 1 || !offer.placeable.contains(media) {
        return Err(refuse(
            LineErr::InvalMediaMode,
            format!("this line places {}, not {}", offer.placeable, media),
        ));
    }
    if params.bearer_mode.bits().count_ones() != 1 {
        return Err(refuse(
            LineErr::InvalBearerMode,
            "a call has exactly one bearer mode",
        ));
    }
    if !offer.bearer_modes.contains(params.bearer_mode) {
        return Err(refuse(
            LineErr::BearerModeUnavail,
            format!(
                "this line carries the {} bearer, not {}",
                offer.bearer_modes, params.bearer_mode
            ),
        ));
    }
    if params.address.0 != 0 {
        return Err(refuse(
            LineErr::InvalAddressId,
            format!("{}: the line has one address, 0", params.address),
        ));
    }
    let secure = params.flags.contains(CallParamFlags::SECURE);
    if secure && !offer.secure {
        return Err(refuse(
            LineErr::InvalCallParams,
            "SECURE needs a line that can secure calls (a cancel-call-waiting code in its location)",
        ));
    }
    let dest = match request.dest.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(dest) => {
            let parsed = DialString::parse(dest).map_err(|e| refuse(e.kind(), e.to_string()))?;
            parsed
                .check(offer.dial_caps)
                .map_err(|e| refuse(e.kind(), e.to_string()))?;
            Some(parsed)
        }
    };
    let partial = dest.as_ref().is_some_and(DialString::is_partial);
    if (dest.is_none() || partial) && !offer.partial_dial {
        return Err(refuse(
            LineErr::OperationUnavail,
            "this line dials whole numbers only: give a complete destination",
        ));
    }
    Ok(CheckedCall {
        media,
        secure,
        dest,
        partial,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::dial::DialCaps;
    use crate::spi::{AddressId, CallHandle, CallParams, LineHandle, RequestId};
    use crate::types::BearerModes;

    fn request(dest: Option<&str>, params: CallParams) -> MakeCall {
        MakeCall {
            request: RequestId::FIRST,
            line: LineHandle(1),
            call: CallHandle(1),
            dest: dest.map(str::to_owned),
            country: 0,
            params,
        }
    }

    fn data_line() -> LineOffer {
        LineOffer {
            placeable: MediaModes::DATAMODEM | MediaModes::INTERACTIVEVOICE,
            ..LineOffer::default()
        }
    }

    fn kind(r: Result<CheckedCall, Error>) -> Option<LineErr> {
        r.err().map(|e| e.kind())
    }

    #[test]
    fn a_plain_data_call_passes_with_its_destination_parsed() {
        let checked = check_make_call(
            &request(Some("T5550100"), CallParams::data_modem()),
            &data_line(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.media, MediaModes::DATAMODEM);
        assert!(!checked.secure && !checked.partial);
        assert_eq!(
            checked.dest.map(|d| d.source().to_owned()).as_deref(),
            Some("T5550100")
        );
    }

    #[test]
    fn no_media_mode_means_interactive_voice() {
        let params = CallParams {
            media_mode: MediaModes::empty(),
            ..CallParams::default()
        };
        let checked = check_make_call(&request(None, params), &data_line());
        assert_eq!(
            checked.map(|c| c.media).ok(),
            Some(MediaModes::INTERACTIVEVOICE)
        );
    }

    #[test]
    fn each_bad_argument_gets_its_own_lineerr() {
        let line = data_line();
        let with = |f: fn(&mut CallParams)| {
            let mut p = CallParams::data_modem();
            f(&mut p);
            p
        };
        let cases = [
            (
                with(|p| p.media_mode = MediaModes::G3FAX),
                LineErr::InvalMediaMode,
            ),
            (
                with(|p| p.media_mode = MediaModes::DATAMODEM | MediaModes::G3FAX),
                LineErr::InvalMediaMode,
            ),
            (
                with(|p| p.bearer_mode = BearerModes::empty()),
                LineErr::InvalBearerMode,
            ),
            (
                with(|p| p.bearer_mode = BearerModes::DATA),
                LineErr::BearerModeUnavail,
            ),
            (with(|p| p.address = AddressId(1)), LineErr::InvalAddressId),
            (
                with(|p| p.flags |= CallParamFlags::SECURE),
                LineErr::InvalCallParams,
            ),
        ];
        for (params, want) in cases {
            assert_eq!(
                kind(check_make_call(
                    &request(Some("5550100"), params.clone()),
                    &line
                )),
                Some(want),
                "{params:?}"
            );
        }
    }

    #[test]
    fn the_pre_scan_names_the_first_modifier_the_line_cannot_honour() {
        let line = data_line();
        let r = |d| request(Some(d), CallParams::data_modem());
        assert_eq!(
            kind(check_make_call(&r("9W5550100"), &line)),
            Some(LineErr::DialDialtone)
        );
        assert_eq!(
            kind(check_make_call(&r("5550100@"), &line)),
            Some(LineErr::DialQuiet)
        );
        assert_eq!(
            kind(check_make_call(&r("5550100?"), &line)),
            Some(LineErr::DialPrompt)
        );
        let w_ok = LineOffer {
            dial_caps: DialCaps {
                dial_dialtone: true,
                ..DialCaps::default()
            },
            ..data_line()
        };
        assert!(check_make_call(&r("9W5550100"), &w_ok).is_ok());
    }

    #[test]
    fn a_line_without_staged_dialing_refuses_dial_tone_and_partial_dials() {
        let whole = LineOffer {
            partial_dial: false,
            ..data_line()
        };
        assert_eq!(
            kind(check_make_call(
                &request(None, CallParams::data_modem()),
                &whole
            )),
            Some(LineErr::OperationUnavail)
        );
        assert_eq!(
            kind(check_make_call(
                &request(Some("555;"), CallParams::data_modem()),
                &whole
            )),
            Some(LineErr::OperationUnavail)
        );
        let partial = check_make_call(
            &request(Some("555;"), CallParams::data_modem()),
            &data_line(),
        );
        assert!(partial.is_ok_and(|c| c.partial));
    }
}
