//! Securing a call against call waiting: the reason this project exists (DESIGN.md "Securing a
//! call"; T§3, §9.5 item 15).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::{CallHandle, CallParams, LineEvent};
use tsp_sdk::{AddrCapFlags, CallParamFlags, CallState, LineErr};

use super::outgoing::connected_data_call;
use super::parties;
use crate::case::{Case, Need, WorldKind};
use crate::ctx::{Ctx, FAR_NUMBER, Seen};
use crate::failure::Failure;
use crate::world::CANCEL_CODE;

pub(crate) fn cases() -> Vec<Case> {
    let case = |id, requirement, source, needs, world, run| {
        Case::required(id, requirement, source, needs, run).in_world(world)
    };
    vec![
        case(
            "secure/make_call_secure/1",
            "a call made with LINECALLPARAMFLAGS_SECURE carries the location's cancel-call-waiting code right after T/P, shows SECURE in call info, and a call-waiting caller arriving mid-call does not disturb it: bytes keep flowing both ways",
            "LINECALLPARAMFLAGS_SECURE, LINETRANSLATEOPTION_CANCELCALLWAITING; tapi.md §3.1, §3.2; DESIGN.md",
            &[Need::Secure, Need::DataStream],
            WorldKind::Standard,
            crate::case_fn!(make_call_secure),
        ),
        case(
            "secure/unsecured_call_is_broken_by_call_waiting/1",
            "the same data call without SECURE is broken by the call-waiting caller (the threat is real in the simulator)",
            "lineSecureCall motivation; tapi.md §3.1; hayes.md §11",
            &[Need::DataStream],
            WorldKind::Standard,
            crate::case_fn!(unsecured_call_is_broken),
        ),
        case(
            "secure/secure_at_dial_tone/1",
            "secure on a call in DIALTONE succeeds, sends a CallInfo event, sets SECURE in call info, and the following dial carries the cancel code first",
            "TSPI_lineSecureCall; tapi.md §3.1, §3.3; DESIGN.md",
            &[Need::Secure, Need::Dial],
            WorldKind::Standard,
            crate::case_fn!(secure_at_dial_tone),
        ),
        case(
            "secure/secure_when_connected_is_unavailable/1",
            "secure on a connected data call answers OPERATIONUNAVAIL (a modem cannot do it without breaking the session)",
            "TSPI_lineSecureCall (OPERATIONUNAVAIL); DESIGN.md",
            &[Need::Secure],
            WorldKind::Standard,
            crate::case_fn!(secure_when_connected),
        ),
        case(
            "secure/secure_on_idle_is_invalid/1",
            "secure on an IDLE call answers INVALCALLSTATE",
            "TSPI_lineSecureCall; tapi.md §3.1, §9.5 item 15",
            &[Need::Secure],
            WorldKind::Standard,
            crate::case_fn!(secure_on_idle),
        ),
        case(
            "secure/no_code_no_secure/1",
            "without a cancel-call-waiting code the address does not advertise SECURE and make_call with SECURE answers INVALCALLPARAMS",
            "LINEADDRCAPFLAGS_SECURE; tapi.md §3.1, §9.5 item 15",
            &[],
            WorldKind::NoCancelCode,
            crate::case_fn!(no_code_no_secure),
        ),
    ]
}

/// Exchanges a few bytes with the echoing far end over the call's data stream.
async fn echo_round_trip(
    ctx: &mut Ctx,
    stream: &mut Box<dyn tsp_sdk::spi::ByteStream>,
    text: &[u8],
) -> Result<(), Failure> {
    stream
        .write_all(text)
        .await
        .map_err(|e| ctx.fail(format!("write to the data stream: {e}")))?;
    let mut back = vec![0u8; text.len()];
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_exact(&mut back)).await;
    match read {
        Ok(Ok(_)) if back == text => Ok(()),
        other => Err(ctx.fail(format!(
            "the far end's echo of {:?} did not come back: {other:?} {:?}",
            String::from_utf8_lossy(text),
            String::from_utf8_lossy(&back)
        ))),
    }
}

/// A data call to the echoing far end, then a second caller on the third line 20 s in.
async fn call_with_waiting_caller(
    ctx: &mut Ctx,
    flags: CallParamFlags,
) -> Result<(CallHandle, Box<dyn tsp_sdk::spi::ByteStream>), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_data_call(
        ctx,
        CallParams {
            flags,
            ..CallParams::data_modem()
        },
    )
    .await?;
    let mut stream = ctx.data_stream(call).await?;
    echo_round_trip(ctx, &mut stream, b"before the second caller").await?;
    ctx.third(parties::calls_us(Duration::from_secs(20)))?;
    ctx.pass(Duration::from_secs(40)).await;
    Ok((call, stream))
}

/// A call made with LINECALLPARAMFLAGS_SECURE carries the location's cancel-call-waiting code right after T/P, shows SECURE in call info, and a call-waiting caller arriving mid-call does not disturb it: bytes keep flowing both ways.
///
/// Case `secure/make_call_secure/1`; source: LINECALLPARAMFLAGS_SECURE, LINETRANSLATEOPTION_CANCELCALLWAITING; tapi.md §3.1, §3.2; DESIGN.md.
pub async fn make_call_secure(ctx: &mut Ctx) -> Result<(), Failure> {
    let (call, mut stream) = call_with_waiting_caller(ctx, CallParamFlags::SECURE).await?;
    let dialled = ctx.dialled();
    let first = dialled.first().and_then(|chunks| chunks.first()).cloned();
    ctx.check(first.as_deref() == Some(CANCEL_CODE), || {
        format!("the exchange received {dialled:?}; the cancel code {CANCEL_CODE} must come first")
    })?;
    ctx.check(
        dialled
            .first()
            .is_some_and(|d| d.concat().ends_with(FAR_NUMBER)),
        || format!("dialled {dialled:?}"),
    )?;
    let states: Vec<CallState> = ctx.states(call).iter().map(|s| s.state()).collect();
    ctx.check(states.last() == Some(&CallState::Connected), || {
        format!("the secured call was disturbed: {states:?}")
    })?;
    echo_round_trip(ctx, &mut stream, b"after the second caller").await?;
    let info = ctx.provider.call_info(call).await;
    let info = ctx.expect("call_info", info)?;
    ctx.check(
        info.call_param_flags.contains(CallParamFlags::SECURE),
        || "call info lacks SECURE".into(),
    )
}

/// The same data call without SECURE is broken by the call-waiting caller (the threat is real in the simulator).
///
/// Case `secure/unsecured_call_is_broken_by_call_waiting/1`; source: lineSecureCall motivation; tapi.md §3.1; hayes.md §11.
pub async fn unsecured_call_is_broken(ctx: &mut Ctx) -> Result<(), Failure> {
    let (call, _stream) = call_with_waiting_caller(ctx, CallParamFlags::empty()).await?;
    let states: Vec<CallState> = ctx.states(call).iter().map(|s| s.state()).collect();
    ctx.check(states.contains(&CallState::Disconnected), || {
        format!("the call-waiting tone did not break the unsecured data call: {states:?}")
    })
}

/// Secure on a call in DIALTONE succeeds, sends a CallInfo event, sets SECURE in call info, and the following dial carries the cancel code first.
///
/// Case `secure/secure_at_dial_tone/1`; source: TSPI_lineSecureCall; tapi.md §3.1, §3.3; DESIGN.md.
pub async fn secure_at_dial_tone(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = ctx.place(None, CallParams::data_modem()).await?;
    ctx.state(call, CallState::DialTone).await?;
    let secured = ctx.secure(call).await;
    let done = ctx.finish(secured).await?;
    ctx.expect("secure_call at DIALTONE", done)?;
    let info = ctx.provider.call_info(call).await;
    let info = ctx.expect("call_info", info)?;
    ctx.check(
        info.call_param_flags.contains(CallParamFlags::SECURE),
        || "call info lacks SECURE after secure_call".into(),
    )?;
    ctx.drain();
    let info_event = ctx.seen().iter().any(|(_, s)| matches!(s, Seen::Event(LineEvent::CallInfo { call: c, changed }) if *c == call && !changed.is_empty()));
    ctx.check(info_event, || "no CallInfo event after secure_call".into())?;
    let dialed = ctx.dial(call, FAR_NUMBER).await;
    let done = ctx.finish(dialed).await?;
    ctx.expect("dial", done)?;
    ctx.state(call, CallState::Connected).await?;
    let dialled = ctx.dialled();
    let first = dialled.first().and_then(|chunks| chunks.first()).cloned();
    ctx.check(first.as_deref() == Some(CANCEL_CODE), || {
        format!("the dial after secure_call sent {dialled:?}")
    })?;
    Ok(())
}

/// Secure on a connected data call answers OPERATIONUNAVAIL (a modem cannot do it without breaking the session).
///
/// Case `secure/secure_when_connected_is_unavailable/1`; source: TSPI_lineSecureCall (OPERATIONUNAVAIL); DESIGN.md.
pub async fn secure_when_connected(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    let secured = ctx.secure(call).await;
    let result = ctx.finish(secured).await?;
    ctx.expect_err(
        "secure_call on a CONNECTED data call",
        result,
        LineErr::OperationUnavail,
    )?;
    Ok(())
}

/// Secure on an IDLE call answers INVALCALLSTATE.
///
/// Case `secure/secure_on_idle_is_invalid/1`; source: TSPI_lineSecureCall; tapi.md §3.1, §9.5 item 15.
pub async fn secure_on_idle(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_data_call(ctx, CallParams::data_modem()).await?;
    ctx.hang_up(call).await?;
    let secured = ctx.secure(call).await;
    let result = ctx.finish(secured).await?;
    ctx.expect_err("secure_call on IDLE", result, LineErr::InvalCallState)?;
    Ok(())
}

/// Without a cancel-call-waiting code the address does not advertise SECURE and make_call with SECURE answers INVALCALLPARAMS.
///
/// Case `secure/no_code_no_secure/1`; source: LINEADDRCAPFLAGS_SECURE; tapi.md §3.1, §9.5 item 15.
pub async fn no_code_no_secure(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let caps = ctx
        .provider
        .address_caps(
            tsp_sdk::spi::DeviceId(0),
            tsp_sdk::spi::AddressId(0),
            ctx.version,
        )
        .await;
    let caps = ctx.expect("address_caps", caps)?;
    ctx.check(!caps.addr_cap_flags.contains(AddrCapFlags::SECURE), || {
        "SECURE advertised with no cancel-call-waiting code".into()
    })?;
    let made = ctx
        .make_call(
            Some(&format!("T{FAR_NUMBER}")),
            CallParams::data_modem().secure(),
        )
        .await;
    ctx.expect_err("make_call with SECURE", made, LineErr::InvalCallParams)?;
    Ok(())
}
