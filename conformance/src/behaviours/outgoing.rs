//! Placing calls: states, dial strings and how calls end (T§9.5 items 8–12, the disconnect
//! modes).

use std::time::Duration;

use tsp_sdk::spi::{CallHandle, CallParams, CallStateChange};
use tsp_sdk::{CallFeatures, CallState, DisconnectMode, LineErr, MediaModes};

use super::parties;
use crate::case::{Case, Need};
use crate::ctx::{Ctx, FAR_NUMBER};
use crate::failure::Failure;

pub(crate) fn cases() -> Vec<Case> {
    let case = Case::required;
    vec![
        case(
            "make_call/data_call_connects/1",
            "a data call to an answering modem goes through dialing to CONNECTED, with the rate in call info",
            "TSPI_lineMakeCall, LINECALLSTATE; tapi.md §9.4 (CONNECT rate)",
            &[],
            crate::case_fn!(data_call_connects),
        ),
        case(
            "make_call/no_destination_gives_dial_tone/1",
            "make_call with no destination takes the line off hook and stops at DIALTONE",
            "TSPI_lineMakeCall (lpszDestAddress NULL); tapi.md §1.5",
            &[],
            crate::case_fn!(no_destination_gives_dial_tone),
        ),
        case(
            "make_call/partial_dial_then_dial/1",
            "a destination ending in ';' stops at DIALING; dial() sends the rest and the call proceeds",
            "TSPI_lineMakeCall, TSPI_lineDial; tapi.md §1.5, §9.5 item 12",
            &[Need::Dial],
            crate::case_fn!(partial_dial_then_dial),
        ),
        case(
            "dial_strings/unsupported_modifiers_fail_synchronously/1",
            "W @ $ ? a device cannot honour are found by pre-scanning and fail synchronously with the matching DIAL* error, with nothing sent to the network",
            "TSPI_lineMakeCall, 'Dialable addresses'; tapi.md §1.5, §9.5 item 12",
            &[],
            crate::case_fn!(unsupported_modifiers_fail_synchronously),
        ),
        case(
            "dial_strings/bad_characters_are_invalid_addresses/1",
            "a destination with characters outside the dialable format answers INVALADDRESS and dials nothing",
            "TSPI_lineMakeCall (LINEERR_INVALADDRESS); tapi.md §1.5",
            &[],
            crate::case_fn!(bad_characters_are_invalid_addresses),
        ),
        case(
            "make_call/unsupported_media_mode/1",
            "a media mode the line cannot place answers INVALMEDIAMODE",
            "TSPI_lineMakeCall (LINEERR_INVALMEDIAMODE); tapi.md §1.5",
            &[],
            crate::case_fn!(unsupported_media_mode),
        ),
        case(
            "disconnect/busy/1",
            "a busy far end ends the call DISCONNECTED with LINEDISCONNECTMODE_BUSY",
            "LINEDISCONNECTMODE; tapi.md §9.4 (BUSY)",
            &[],
            crate::case_fn!(busy),
        ),
        case(
            "disconnect/no_answer/1",
            "a far end that never answers ends the call DISCONNECTED with LINEDISCONNECTMODE_NOANSWER (UNAVAIL is allowed for a modem that can only say NO CARRIER; NOANSWER is checked with --strict)",
            "LINEDISCONNECTMODE; tapi.md §9.4 (NO ANSWER; NO CARRIER before connect)",
            &[],
            crate::case_fn!(no_answer),
        ),
        case(
            "disconnect/no_dial_tone/1",
            "with the line unplugged the call ends DISCONNECTED with LINEDISCONNECTMODE_NODIALTONE",
            "LINEDISCONNECTMODE_NODIALTONE (TAPI 1.4); tapi.md §9.4",
            &[],
            crate::case_fn!(no_dial_tone),
        ),
        case(
            "disconnect/far_end_hangs_up/1",
            "the far end hanging up a connected call gives DISCONNECTED with LINEDISCONNECTMODE_NORMAL",
            "LINEDISCONNECTMODE_NORMAL; tapi.md §9.4 (NO CARRIER after connect)",
            &[],
            crate::case_fn!(far_end_hangs_up),
        ),
        case(
            "disconnect/carrier_loss/1",
            "losing the carrier of a connected data call gives DISCONNECTED with LINEDISCONNECTMODE_NORMAL",
            "tapi.md §9.4 (NO CARRIER after connect)",
            &[],
            crate::case_fn!(carrier_loss),
        ),
        case(
            "call_states/info_and_features_track_the_call/1",
            "LINECALLINFO.dwCallStates holds every state reported; call features track the state (DROP while active, never in IDLE; no ANSWER on an outbound call)",
            "TSPI_lineGetCallInfo, LINECALLFEATURE; tapi.md §1.5, §9.5 items 8 and 10",
            &[],
            crate::case_fn!(info_and_features_track_the_call),
        ),
        case(
            "drop/drop_reaches_idle_and_idle_is_final/1",
            "after a successful drop the call reaches IDLE and reports nothing more; drop on IDLE answers INVALCALLSTATE",
            "TSPI_lineDrop, LINECALLSTATE_IDLE; tapi.md §2.2, §9.5 items 8 and 13",
            &[],
            crate::case_fn!(drop_reaches_idle_and_idle_is_final),
        ),
    ]
}

/// Places a data call to the far end and waits for CONNECTED.
pub(crate) async fn connected_data_call(
    ctx: &mut Ctx,
    params: CallParams,
) -> Result<CallHandle, Failure> {
    let call = ctx.place(Some(&format!("T{FAR_NUMBER}")), params).await?;
    ctx.state(call, CallState::Connected).await?;
    Ok(call)
}

/// A data call to an answering modem goes through dialing to CONNECTED, with the rate in call info.
///
/// Case `make_call/data_call_connects/1`; source: TSPI_lineMakeCall, LINECALLSTATE; tapi.md §9.4 (CONNECT rate).
pub async fn data_call_connects(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(2))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    let states: Vec<CallState> = ctx.states(call).iter().map(|s| s.state()).collect();
    ctx.check(
        states.contains(&CallState::Dialing) || states.contains(&CallState::Proceeding),
        || format!("no DIALING or PROCEEDING before CONNECTED: {states:?}"),
    )?;
    let info = ctx.provider.call_info(call).await;
    let info = ctx.expect("call_info", info)?;
    ctx.check(info.rate > 0, || {
        "call info has no rate after CONNECTED".into()
    })?;
    ctx.check(info.media_mode.contains(MediaModes::DATAMODEM), || {
        format!("media mode {}", info.media_mode)
    })
}

/// Make_call with no destination takes the line off hook and stops at DIALTONE.
///
/// Case `make_call/no_destination_gives_dial_tone/1`; source: TSPI_lineMakeCall (lpszDestAddress NULL); tapi.md §1.5.
pub async fn no_destination_gives_dial_tone(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let call = ctx.place(None, CallParams::data_modem()).await?;
    ctx.state(call, CallState::DialTone).await?;
    ctx.pass(Duration::from_secs(5)).await;
    let last = ctx.states(call).last().copied();
    ctx.check(matches!(last, Some(CallStateChange::DialTone(_))), || {
        format!("the call moved on to {last:?} with nothing dialed")
    })
}

/// A destination ending in ';' stops at DIALING; dial() sends the rest and the call proceeds.
///
/// Case `make_call/partial_dial_then_dial/1`; source: TSPI_lineMakeCall, TSPI_lineDial; tapi.md §1.5, §9.5 item 12.
pub async fn partial_dial_then_dial(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = ctx.place(Some("T555;"), CallParams::data_modem()).await?;
    ctx.state(call, CallState::Dialing).await?;
    ctx.pass(Duration::from_secs(3)).await;
    let dialed = ctx.dial(call, "0101").await;
    let done = ctx.finish(dialed).await?;
    ctx.expect("dial(\"0101\")", done)?;
    ctx.state(call, CallState::Connected).await?;
    let dialled = ctx.dialled().concat().concat();
    ctx.check(dialled == FAR_NUMBER, || {
        format!("the exchange received {dialled:?}, not {FAR_NUMBER}")
    })
}

/// W @ $ ? a device cannot honour are found by pre-scanning and fail synchronously with the matching DIAL* error, with nothing sent to the network.
///
/// Case `dial_strings/unsupported_modifiers_fail_synchronously/1`; source: TSPI_lineMakeCall, 'Dialable addresses'; tapi.md §1.5, §9.5 item 12.
pub async fn unsupported_modifiers_fail_synchronously(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let mut accepted = 0;
    for (dest, kind) in [
        ("T555W0101", LineErr::DialDialtone),
        ("T555@0101", LineErr::DialQuiet),
        ("T5550101$", LineErr::DialBilling),
        ("T?5550101", LineErr::DialPrompt),
    ] {
        let before = ctx.device_output().map(|b| b.len());
        match ctx.make_call(Some(dest), CallParams::data_modem()).await {
            Err(e) if e.kind() == kind => {
                // On a real device the proof is the port: no dial command went out.
                if let (Some(from), Some(now)) = (before, ctx.device_output()) {
                    let sent = String::from_utf8_lossy(now.get(from..).unwrap_or_default())
                        .to_ascii_uppercase();
                    ctx.check(!sent.contains("ATD"), || {
                        format!("make_call({dest:?}) was refused but sent {sent:?} to the device")
                    })?;
                }
            }
            // A device that honours W, @ or $ may accept them (LINEDEVCAPFLAGS_DIAL*); `?` never.
            Ok(pending) if kind != LineErr::DialPrompt => {
                accepted += 1;
                let _ = ctx.completion(pending.request).await?;
                let _ = ctx.drop_call(pending.call).await;
                ctx.pass(Duration::from_secs(2)).await;
                ctx.close_call(pending.call).await?;
            }
            other => {
                return Err(ctx.fail(format!(
                    "make_call({dest:?}): expected {}, got {other:?}",
                    kind.name()
                )));
            }
        }
    }
    let dialled = ctx.dialled();
    ctx.check(accepted > 0 || dialled.is_empty(), || {
        format!("refused calls reached the exchange: {dialled:?}")
    })
}

/// A destination with characters outside the dialable format answers INVALADDRESS and dials nothing.
///
/// Case `dial_strings/bad_characters_are_invalid_addresses/1`; source: TSPI_lineMakeCall (LINEERR_INVALADDRESS); tapi.md §1.5.
pub async fn bad_characters_are_invalid_addresses(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let made = ctx
        .make_call(Some("T555x0101"), CallParams::data_modem())
        .await;
    ctx.expect_err("make_call(\"T555x0101\")", made, LineErr::InvalAddress)?;
    ctx.check(ctx.dialled().is_empty(), || {
        "digits reached the exchange".into()
    })
}

/// A media mode the line cannot place answers INVALMEDIAMODE.
///
/// Case `make_call/unsupported_media_mode/1`; source: TSPI_lineMakeCall (LINEERR_INVALMEDIAMODE); tapi.md §1.5.
pub async fn unsupported_media_mode(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let params = CallParams {
        media_mode: MediaModes::TELEX,
        ..CallParams::default()
    };
    let made = ctx.make_call(Some(&format!("T{FAR_NUMBER}")), params).await;
    ctx.expect_err(
        "make_call with LINEMEDIAMODE_TELEX",
        made,
        LineErr::InvalMediaMode,
    )?;
    Ok(())
}

async fn disconnected_with(
    ctx: &mut Ctx,
    call: CallHandle,
    mode: DisconnectMode,
) -> Result<(), Failure> {
    let got = ctx.state(call, CallState::Disconnected).await?;
    ctx.check(got.disconnect_mode() == Some(mode), || {
        format!(
            "DISCONNECTED with {}, expected {}",
            mode_words(got.disconnect_mode()),
            mode.describe()
        )
    })
}

/// A disconnect mode in words, or that the state carried none.
fn mode_words(mode: Option<DisconnectMode>) -> String {
    mode.map_or_else(|| "no disconnect mode".to_owned(), DisconnectMode::describe)
}

/// A busy far end ends the call DISCONNECTED with LINEDISCONNECTMODE_BUSY.
///
/// Case `disconnect/busy/1`; source: LINEDISCONNECTMODE; tapi.md §9.4 (BUSY).
pub async fn busy(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::busy())?;
    ctx.open().await?;
    let call = ctx
        .place(Some(&format!("T{FAR_NUMBER}")), CallParams::data_modem())
        .await?;
    disconnected_with(ctx, call, DisconnectMode::BUSY).await
}

/// A far end that never answers ends the call DISCONNECTED with LINEDISCONNECTMODE_NOANSWER (UNAVAIL is allowed for a modem that can only say NO CARRIER; NOANSWER is checked with --strict).
///
/// Case `disconnect/no_answer/1`; source: LINEDISCONNECTMODE; tapi.md §9.4 (NO ANSWER; NO CARRIER before connect).
pub async fn no_answer(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::never_answers())?;
    ctx.open().await?;
    let call = ctx
        .place(Some(&format!("T{FAR_NUMBER}")), CallParams::data_modem())
        .await?;
    let got = ctx.state(call, CallState::Disconnected).await?;
    // A data modem says NO CARRIER when nobody answers; T§9.4 maps that to UNAVAIL or NOANSWER.
    let mode = got.disconnect_mode();
    let allowed = [DisconnectMode::NOANSWER, DisconnectMode::UNAVAIL].map(Some);
    ctx.check(allowed.contains(&mode), || {
        format!(
            "DISCONNECTED with {}, expected no answer (or unavailable)",
            mode_words(mode)
        )
    })?;
    ctx.should(mode == Some(DisconnectMode::NOANSWER), || {
        format!(
            "DISCONNECTED with {}; no answer tells the user more",
            mode_words(mode)
        )
    })
}

/// With the line unplugged the call ends DISCONNECTED with LINEDISCONNECTMODE_NODIALTONE.
///
/// Case `disconnect/no_dial_tone/1`; source: LINEDISCONNECTMODE_NODIALTONE (TAPI 1.4); tapi.md §9.4.
pub async fn no_dial_tone(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let ours = ctx.spec.line;
    ctx.sim
        .with(|net, now| net.set_plugged(ours, false, now))
        .map_err(|e| ctx.fail(format!("unplug: {e}")))?;
    let made = ctx
        .make_call(Some(&format!("T{FAR_NUMBER}")), CallParams::data_modem())
        .await;
    let pending = ctx.expect("make_call", made)?;
    match ctx.completion(pending.request).await? {
        // A provider may learn of the missing dial tone before it completes.
        Err(e) => ctx.check(
            e.kind() == LineErr::CallUnavail || e.kind() == LineErr::OperationFailed,
            || format!("make_call failed with {e}"),
        ),
        Ok(()) => disconnected_with(ctx, pending.call, DisconnectMode::NODIALTONE).await,
    }
}

/// The far end hanging up a connected call gives DISCONNECTED with LINEDISCONNECTMODE_NORMAL.
///
/// Case `disconnect/far_end_hangs_up/1`; source: LINEDISCONNECTMODE_NORMAL; tapi.md §9.4 (NO CARRIER after connect).
pub async fn far_end_hangs_up(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::hangs_up_after(Duration::from_secs(20)))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    disconnected_with(ctx, call, DisconnectMode::NORMAL).await
}

/// Losing the carrier of a connected data call gives DISCONNECTED with LINEDISCONNECTMODE_NORMAL.
///
/// Case `disconnect/carrier_loss/1`; source: tapi.md §9.4 (NO CARRIER after connect).
pub async fn carrier_loss(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    ctx.pass(Duration::from_secs(5)).await;
    let far = ctx.far;
    ctx.sim
        .with(|net, now| net.inject_carrier_loss(far, now))
        .map_err(|e| ctx.fail(format!("carrier loss: {e}")))?;
    disconnected_with(ctx, call, DisconnectMode::NORMAL).await
}

/// LINECALLINFO.dwCallStates holds every state reported; call features track the state (DROP while active, never in IDLE; no ANSWER on an outbound call).
///
/// Case `call_states/info_and_features_track_the_call/1`; source: TSPI_lineGetCallInfo, LINECALLFEATURE; tapi.md §1.5, §9.5 items 8 and 10.
pub async fn info_and_features_track_the_call(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    let status = ctx.provider.call_status(call).await;
    let status = ctx.expect("call_status", status)?;
    ctx.check(status.call_state() == CallState::Connected, || {
        format!("call_status says {}", status.state)
    })?;
    ctx.check(status.features.contains(CallFeatures::DROP), || {
        "no DROP feature on a CONNECTED call".into()
    })?;
    ctx.check(!status.features.contains(CallFeatures::ANSWER), || {
        "ANSWER offered on a connected outbound call".into()
    })?;
    let info = ctx.provider.call_info(call).await;
    let info = ctx.expect("call_info", info)?;
    for state in ctx.states(call) {
        ctx.check(info.call_states.has(state.state()), || {
            format!(
                "dwCallStates {:?} lacks {}",
                info.call_states,
                state.state()
            )
        })?;
    }
    ctx.hang_up(call).await?;
    let status = ctx.provider.call_status(call).await;
    let status = ctx.expect("call_status after IDLE", status)?;
    ctx.check(!status.features.contains(CallFeatures::DROP), || {
        "DROP offered on an IDLE call".into()
    })
}

/// After a successful drop the call reaches IDLE and reports nothing more; drop on IDLE answers INVALCALLSTATE.
///
/// Case `drop/drop_reaches_idle_and_idle_is_final/1`; source: TSPI_lineDrop, LINECALLSTATE_IDLE; tapi.md §2.2, §9.5 items 8 and 13.
pub async fn drop_reaches_idle_and_idle_is_final(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    ctx.hang_up(call).await?;
    let again = ctx.drop_call(call).await;
    ctx.expect_err("drop_call on IDLE", again, LineErr::InvalCallState)?;
    let before = ctx.states(call).len();
    ctx.pass(Duration::from_secs(30)).await;
    let after = ctx.states(call).len();
    ctx.check(before == after, || {
        format!("states after IDLE: {:?}", &ctx.states(call)[before..])
    })?;
    ctx.close_call(call).await
}
