//! The media stream, device classes, media detection and status messages (T§9.5 items 18–20).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::{CallParams, DeviceClass, DeviceIdValue, GetId, Select};
use tsp_sdk::{AddressStates, CallState, LineDevStates, LineErr, MediaModes};

use super::parties;
use crate::case::{Case, Level, Need};
use crate::ctx::{Ctx, FAR_NUMBER};
use crate::failure::Failure;

pub(crate) fn cases() -> Vec<Case> {
    let case = |id, requirement, source, level, needs, run| {
        let case = Case::required(id, requirement, source, needs, run);
        if level == Level::Strict {
            case.should()
        } else {
            case
        }
    };
    vec![
        case(
            "media/datamodem_stream_only_when_connected/1",
            "get_id(\"comm/datamodem\") on a call gives a usable byte stream once CONNECTED, and only then",
            "TSPI_lineGetID, comm/datamodem; tapi.md §7, §9.5 item 20",
            Level::Required,
            &[Need::DataStream],
            crate::case_fn!(datamodem_stream_only_when_connected),
        ),
        case(
            "media/g3fax_call_connects_to_a_fax_machine/1",
            "a G3FAX call to a fax machine reaches CONNECTED with G3FAX in its call info, and get_id(\"comm/datamodem\") gives the stream the application's T.30 runs over",
            "TSPI_lineMakeCall, LINEMEDIAMODE_G3FAX, TSPI_lineGetID; tapi.md §7 (Unimodem: class 1, the application's own T.30)",
            Level::Required,
            &[Need::G3Fax, Need::DataStream],
            crate::case_fn!(g3fax_call_connects_to_a_fax_machine),
        ),
        case(
            "media/unknown_device_class/1",
            "get_id with a device class the provider does not have answers NODEVICE (or INVALDEVICECLASS)",
            "TSPI_lineGetID; tapi.md §7, §9.5 item 20",
            Level::Required,
            &[],
            crate::case_fn!(unknown_device_class),
        ),
        case(
            "media/detection_rejects_unsupported_modes/1",
            "set_default_media_detection with a mode the line cannot detect answers INVALMEDIAMODE",
            "TSPI_lineSetDefaultMediaDetection; tapi.md §1.5, §9.5 item 18",
            Level::Required,
            &[],
            crate::case_fn!(detection_rejects_unsupported_modes),
        ),
        case(
            "status/status_messages_reject_undefined_bits/1",
            "set_status_messages with undefined line or address state bits answers INVALLINESTATE / INVALADDRESSSTATE; defined bits succeed",
            "TSPI_lineSetStatusMessages; tapi.md §1.5, §9.5 item 19",
            Level::Required,
            &[],
            crate::case_fn!(status_messages_reject_undefined_bits),
        ),
        case(
            "status/line_status_tracks_calls/1",
            "line status offers MAKECALL while the line is free and counts the active call",
            "TSPI_lineGetLineDevStatus, LINEFEATURE_MAKECALL; tapi.md §1.5",
            Level::Strict,
            &[],
            crate::case_fn!(line_status_tracks_calls),
        ),
    ]
}

/// Get_id(\"comm/datamodem\") on a call gives a usable byte stream once CONNECTED, and only then.
///
/// Case `media/datamodem_stream_only_when_connected/1`; source: TSPI_lineGetID, comm/datamodem; tapi.md §7, §9.5 item 20.
pub async fn datamodem_stream_only_when_connected(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(3))?;
    ctx.open().await?;
    let call = ctx
        .place(Some(&format!("T{FAR_NUMBER}")), CallParams::data_modem())
        .await?;
    ctx.any_state(
        call,
        &[
            CallState::Dialing,
            CallState::Proceeding,
            CallState::Ringback,
        ],
    )
    .await?;
    let early = ctx
        .provider
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new("comm/datamodem"),
        })
        .await;
    ctx.check(early.is_err(), || {
        "get_id(comm/datamodem) gave a stream before CONNECTED".into()
    })?;
    ctx.state(call, CallState::Connected).await?;
    let got = ctx
        .provider
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new("COMM/DATAMODEM"),
        })
        .await;
    let DeviceIdValue::DataStream { mut stream, .. } =
        ctx.expect("get_id(COMM/DATAMODEM) while CONNECTED", got)?
    else {
        return Err(ctx.fail("get_id(comm/datamodem) did not give a stream"));
    };
    let text = b"0123456789 the quick brown fox";
    stream
        .write_all(text)
        .await
        .map_err(|e| ctx.fail(format!("write: {e}")))?;
    let mut back = vec![0u8; text.len()];
    match tokio::time::timeout(Duration::from_secs(30), stream.read_exact(&mut back)).await {
        Ok(Ok(_)) if &back[..] == text => Ok(()),
        other => Err(ctx.fail(format!("echo through the stream failed: {other:?}"))),
    }
}

/// A G3FAX call to a fax machine reaches CONNECTED with G3FAX in its call info, and
/// get_id("comm/datamodem") gives the stream the application's T.30 runs over.
///
/// Case `media/g3fax_call_connects_to_a_fax_machine/1`; source: TSPI_lineMakeCall,
/// LINEMEDIAMODE_G3FAX, TSPI_lineGetID; tapi.md §7.
pub async fn g3fax_call_connects_to_a_fax_machine(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::fax_machine())?;
    ctx.open().await?;
    let call = ctx
        .place(Some(&format!("T{FAR_NUMBER}")), CallParams::g3_fax())
        .await?;
    ctx.state(call, CallState::Connected).await?;
    let info = ctx.provider.call_info(call).await;
    let info = ctx.expect("call_info", info)?;
    ctx.check(info.media_mode.contains(MediaModes::G3FAX), || {
        format!("media mode {} on a G3FAX call", info.media_mode)
    })?;
    ctx.data_stream(call).await.map(drop)
}

/// Get_id with a device class the provider does not have answers NODEVICE (or INVALDEVICECLASS).
///
/// Case `media/unknown_device_class/1`; source: TSPI_lineGetID; tapi.md §7, §9.5 item 20.
pub async fn unknown_device_class(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let got = ctx
        .provider
        .get_id(GetId {
            select: Select::Line(ctx.line),
            class: DeviceClass::new("acme/teleporter"),
        })
        .await;
    match got {
        Err(e)
            if matches!(
                e.kind(),
                LineErr::NoDevice | LineErr::InvalDeviceClass | LineErr::OperationUnavail
            ) =>
        {
            Ok(())
        }
        other => Err(ctx.fail(format!(
            "get_id(acme/teleporter): expected NODEVICE, got {other:?}"
        ))),
    }
}

/// Set_default_media_detection with a mode the line cannot detect answers INVALMEDIAMODE.
///
/// Case `media/detection_rejects_unsupported_modes/1`; source: TSPI_lineSetDefaultMediaDetection; tapi.md §1.5, §9.5 item 18.
pub async fn detection_rejects_unsupported_modes(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let set = ctx
        .provider
        .set_default_media_detection(ctx.line, MediaModes::TELEX)
        .await;
    ctx.expect_err(
        "set_default_media_detection(TELEX)",
        set,
        LineErr::InvalMediaMode,
    )?;
    let empty = ctx
        .provider
        .set_default_media_detection(ctx.line, MediaModes::empty())
        .await;
    ctx.expect("set_default_media_detection(empty)", empty)
}

/// Set_status_messages with undefined line or address state bits answers INVALLINESTATE / INVALADDRESSSTATE; defined bits succeed.
///
/// Case `status/status_messages_reject_undefined_bits/1`; source: TSPI_lineSetStatusMessages; tapi.md §1.5, §9.5 item 19.
pub async fn status_messages_reject_undefined_bits(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let ok = ctx
        .provider
        .set_status_messages(ctx.line, LineDevStates::RINGING, AddressStates::empty())
        .await;
    ctx.expect("set_status_messages(RINGING)", ok)?;
    let bad_line = LineDevStates::from_bits_retain(0x8000_0000);
    let set = ctx
        .provider
        .set_status_messages(ctx.line, bad_line, AddressStates::empty())
        .await;
    ctx.expect_err(
        "set_status_messages(0x80000000)",
        set,
        LineErr::InvalLineState,
    )?;
    let bad_address = AddressStates::from_bits_retain(0x8000_0000);
    let set = ctx
        .provider
        .set_status_messages(ctx.line, LineDevStates::empty(), bad_address)
        .await;
    ctx.expect_err(
        "set_status_messages(address 0x80000000)",
        set,
        LineErr::InvalAddressState,
    )?;
    Ok(())
}

/// Line status offers MAKECALL while the line is free and counts the active call.
///
/// Case `status/line_status_tracks_calls/1`; source: TSPI_lineGetLineDevStatus, LINEFEATURE_MAKECALL; tapi.md §1.5.
pub async fn line_status_tracks_calls(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let free = ctx.provider.line_status(ctx.line).await;
    let free = ctx.expect("line_status", free)?;
    ctx.should(
        free.line_features.contains(tsp_sdk::LineFeatures::MAKECALL),
        || "a free line does not offer MAKECALL".into(),
    )?;
    let call = ctx
        .place(Some(&format!("T{FAR_NUMBER}")), CallParams::data_modem())
        .await?;
    ctx.state(call, CallState::Connected).await?;
    let busy = ctx.provider.line_status(ctx.line).await;
    let busy = ctx.expect("line_status", busy)?;
    ctx.should(busy.num_active_calls == 1, || {
        format!(
            "{} active calls reported during a call",
            busy.num_active_calls
        )
    })
}
