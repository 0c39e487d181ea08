//! Close, shutdown, forced close and device loss leave nothing behind (T§4; T§9.5 items 3, 22, 23).

use std::time::Duration;

use tsp_sdk::spi::{CallHandle, CallParams};
use tsp_sdk::{CallState, MediaModes};
use tsp_sim::line::{LineSignal, ReleaseCause};

use super::parties;
use crate::case::{Case, Need};
use crate::ctx::{Ctx, FAR_NUMBER, Seen, THIRD_NUMBER};
use crate::failure::Failure;

pub(crate) fn cases() -> Vec<Case> {
    let case = Case::required;
    vec![
        case(
            "close/close_in_every_call_state/1",
            "closing the line with a call in DIALTONE, while dialing, ringing, or CONNECTED completes every pending request, drops the call (CLOSEDROP: the far end is released), reports nothing afterwards, and the device can be opened again at once",
            "TSPI_lineClose; tapi.md §4, §9.5 items 3, 22",
            &[],
            crate::case_fn!(close_in_every_call_state),
        ),
        case(
            "close/close_and_reopen_at_once/1",
            "after close the device is released and the line can be opened again at once",
            "TSPI_lineClose (release non-shareable resources); tapi.md §4, §9.5 item 22",
            &[],
            crate::case_fn!(close_and_reopen_at_once),
        ),
        case(
            "close/close_call_silences_the_call/1",
            "after close_call nothing more is reported about the call, and an active call is dropped",
            "TSPI_lineCloseCall; tapi.md §1.5, §9.5 item 3",
            &[],
            crate::case_fn!(close_call_silences_the_call),
        ),
        case(
            "close/shutdown_leaves_nothing_behind/1",
            "shutdown with an active call ends it, reports nothing afterwards, leaves no task running, and the provider can start a new session and open the device again at once",
            "TSPI_providerShutdown; tapi.md §1.3, §4; DESIGN.md (nothing left behind)",
            &[],
            crate::case_fn!(shutdown_leaves_nothing_behind),
        ),
        case(
            "forced_close/device_loss/1",
            "a device that disappears mid-call brings the call to DISCONNECTED then IDLE, completes pending requests, asks for a close (LINE_CLOSE), and the line can be reopened when the device is back",
            "LINE_CLOSE (provider-initiated close); tapi.md §4, §9.5 item 23",
            &[Need::DeviceRemoval],
            crate::case_fn!(device_loss),
        ),
    ]
}

fn released(ctx: &Ctx, line: tsp_sim::line::LineId) -> bool {
    ctx.sim.with(|net, _| {
        net.party(line)
            .is_some_and(|p| p.heard(&LineSignal::Released(ReleaseCause::Normal)))
    })
}

fn far_released(ctx: &Ctx) -> bool {
    released(ctx, ctx.far)
}

/// Places a call to the far end and waits until it is in `until`.
async fn call_until(
    ctx: &mut Ctx,
    dest: Option<&str>,
    until: CallState,
) -> Result<CallHandle, Failure> {
    let call = ctx.place(dest, CallParams::data_modem()).await?;
    ctx.state(call, until).await?;
    Ok(call)
}

async fn close_and_reopen(ctx: &mut Ctx, call: CallHandle, what: &str) -> Result<(), Failure> {
    ctx.drain();
    let before = ctx.seen().len();
    ctx.close().await?;
    ctx.pass(Duration::from_secs(10)).await;
    let after: Vec<&Seen> = ctx.seen()[before..].iter().map(|(_, s)| s).collect();
    let late = after
        .iter()
        .any(|s| matches!(s, Seen::Event(_) | Seen::NewCall(_)));
    ctx.check(!late, || {
        format!("events after closing with a call {what}: {after:?}")
    })?;
    let _ = call;
    ctx.open_line(MediaModes::DATAMODEM).await.map_err(|f| {
        ctx.fail(format!(
            "reopen after closing with a call {what}: {}",
            f.message
        ))
    })
}

/// Closing the line with a call in DIALTONE, while dialing, ringing, or CONNECTED completes every pending request, drops the call (CLOSEDROP: the far end is released), reports nothing afterwards, and the device can be opened again at once.
///
/// Case `close/close_in_every_call_state/1`; source: TSPI_lineClose; tapi.md §4, §9.5 items 3, 22.
pub async fn close_in_every_call_state(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    // DIALTONE.
    let call = call_until(ctx, None, CallState::DialTone).await?;
    close_and_reopen(ctx, call, "in DIALTONE").await?;
    // Ringing: the far end never answers.
    ctx.far(parties::never_answers())?;
    let call = call_until(ctx, Some(&format!("T{FAR_NUMBER}")), CallState::Dialing).await?;
    ctx.pass(Duration::from_secs(4)).await;
    close_and_reopen(ctx, call, "ringing").await?;
    ctx.pass(Duration::from_secs(2)).await;
    // CONNECTED: the third line answers as a data modem.
    ctx.third(parties::echo_modem(1))?;
    let call = call_until(ctx, Some(&format!("T{THIRD_NUMBER}")), CallState::Connected).await?;
    close_and_reopen(ctx, call, "CONNECTED").await?;
    ctx.pass(Duration::from_secs(2)).await;
    let third = ctx.third;
    ctx.check(released(ctx, third), || {
        "the far end of the CONNECTED call was never released (CLOSEDROP)".into()
    })
}

/// After close the device is released and the line can be opened again at once.
///
/// Case `close/close_and_reopen_at_once/1`; source: TSPI_lineClose (release non-shareable resources); tapi.md §4, §9.5 item 22.
pub async fn close_and_reopen_at_once(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    for round in 1..=3 {
        ctx.close().await?;
        ctx.open_line(MediaModes::DATAMODEM)
            .await
            .map_err(|f| ctx.fail(format!("reopen #{round} right after close: {}", f.message)))?;
    }
    Ok(())
}

/// After close_call nothing more is reported about the call, and an active call is dropped.
///
/// Case `close/close_call_silences_the_call/1`; source: TSPI_lineCloseCall; tapi.md §1.5, §9.5 item 3.
pub async fn close_call_silences_the_call(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = call_until(ctx, Some(&format!("T{FAR_NUMBER}")), CallState::Connected).await?;
    ctx.close_call(call).await?;
    let before = ctx.seen().len();
    ctx.pass(Duration::from_secs(10)).await;
    let late: Vec<&Seen> = ctx.seen()[before..]
        .iter()
        .map(|(_, s)| s)
        .filter(|s| matches!(s, Seen::Event(e) if e.call() == Some(call)))
        .collect();
    ctx.check(late.is_empty(), || {
        format!("events for the call after close_call: {late:?}")
    })?;
    ctx.check(far_released(ctx), || {
        "the far end was not released after close_call of a connected call".into()
    })
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Shutdown with an active call ends it, reports nothing afterwards, leaves no task running, and the provider can start a new session and open the device again at once.
///
/// Case `close/shutdown_leaves_nothing_behind/1`; source: TSPI_providerShutdown; tapi.md §1.3, §4; DESIGN.md (nothing left behind).
pub async fn shutdown_leaves_nothing_behind(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.pass(Duration::from_millis(10)).await;
    let before = alive_tasks();
    ctx.open().await?;
    let _call = call_until(ctx, Some(&format!("T{FAR_NUMBER}")), CallState::Connected).await?;
    ctx.shutdown().await?;
    ctx.pass(Duration::from_secs(10)).await;
    let after = alive_tasks();
    ctx.check(after <= before, || {
        format!(
            "{} task(s) still running after shutdown ({before} before init, {after} after)",
            after - before
        )
    })?;
    ctx.check(far_released(ctx), || {
        "the far end was not released by shutdown".into()
    })?;
    // A new session works at once.
    ctx.open().await?;
    ctx.close().await?;
    ctx.shutdown().await
}

/// A device that disappears mid-call brings the call to DISCONNECTED then IDLE, completes pending requests, asks for a close (LINE_CLOSE), and the line can be reopened when the device is back.
///
/// Case `forced_close/device_loss/1`; source: LINE_CLOSE (provider-initiated close); tapi.md §4, §9.5 item 23.
pub async fn device_loss(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = call_until(ctx, Some(&format!("T{FAR_NUMBER}")), CallState::Connected).await?;
    ctx.set_device_present(false);
    ctx.state(call, CallState::Disconnected).await?;
    ctx.state(call, CallState::Idle).await?;
    ctx.close_request().await?;
    ctx.close_call(call).await?;
    ctx.close().await?;
    ctx.set_device_present(true);
    ctx.open_line(MediaModes::DATAMODEM)
        .await
        .map_err(|f| ctx.fail(format!("reopen after the device came back: {}", f.message)))
}
