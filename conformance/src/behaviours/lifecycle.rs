//! Provider lifecycle and async discipline (T§9.5 items 1–7).

use std::time::Duration;

use tsp_sdk::spi::{CallParams, DeviceId, LineEvent, OpenLine};
use tsp_sdk::{CallState, LineErr, Version};

use super::parties;
use crate::case::{Case, Level, WorldKind};
use crate::ctx::{Ctx, FAR_NUMBER, Seen};
use crate::failure::Failure;

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            id: "lifecycle/negotiate_version/1",
            requirement: "lineNegotiateTSPIVersion never answers OPERATIONUNAVAIL; it returns the highest version in the overlap, and INCOMPATIBLEAPIVERSION when the ranges do not overlap",
            source: "TSPI_lineNegotiateTSPIVersion; tapi.md §1.3, §9.5 item 1",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(negotiate_version),
        },
        Case {
            id: "lifecycle/device_ids/1",
            requirement: "device ids are exactly those enumerated; any other id answers BADDEVICEID",
            source: "TSPI_providerEnumDevices, TSPI_lineGetDevCaps; tapi.md §9.5 item 2",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(device_ids),
        },
        Case {
            id: "lifecycle/caps_agree/1",
            requirement: "every optional operation a line's caps advertise (ANSWER, ACCEPT, DIAL and PARTIALDIAL, SECURE and SECURECALL, digit modes, device classes) is one the provider offers, and SECURE goes with SECURECALL",
            source: "TSPI_lineGetDevCaps, TSPI_lineGetAddressCaps; tapi.md §1.4, §9.5 item 10",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(caps_agree),
        },
        Case {
            id: "lifecycle/open_once/1",
            requirement: "one provider-level open per line device: a second open of an open device answers ALLOCATED",
            source: "TSPI_lineOpen (single TSPI open per line); tapi.md §5",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(open_once),
        },
        Case {
            id: "async/complete_before_first_state/1",
            requirement: "make_call completes exactly once, before any event for the new call, and no later than PROCEEDING",
            source: "TSPI_lineMakeCall, 'The meaning of success', pending call handles; tapi.md §1.1, §1.2, §9.5 items 4, 6, 7",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(complete_before_first_state),
        },
        Case {
            id: "async/close_call_on_a_failed_call_is_harmless/1",
            requirement: "close_call on a call whose creation failed is accepted as a no-op",
            source: "TSPI_lineCloseCall, pending call handles [conflict note]; tapi.md §1.2, §9.5 item 6",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(close_call_on_a_failed_call_is_harmless),
        },
        Case {
            id: "async/sync_failure_never_completes/1",
            requirement: "a request that fails synchronously is never completed",
            source: "ASYNC_COMPLETION; tapi.md §1.1, §9.5 item 4",
            level: Level::Required,
            needs: &[],
            world: WorldKind::Standard,
            run: crate::case_fn!(sync_failure_never_completes),
        },
    ]
}

/// LineNegotiateTSPIVersion never answers OPERATIONUNAVAIL; it returns the highest version in the overlap, and INCOMPATIBLEAPIVERSION when the ranges do not overlap.
///
/// Case `lifecycle/negotiate_version/1`; source: TSPI_lineNegotiateTSPIVersion; tapi.md §1.3, §9.5 item 1.
pub async fn negotiate_version(ctx: &mut Ctx) -> Result<(), Failure> {
    let got = ctx
        .provider
        .negotiate_version(None, Version::V1_3, Version::V3_1)
        .await;
    let got = ctx.expect("negotiate_version(INITIALIZE_NEGOTIATION, 1.3, 3.1)", got)?;
    ctx.check((Version::V1_3..=Version::V3_1).contains(&got), || {
        format!("negotiated {got}, outside 1.3..=3.1")
    })?;
    let narrow = ctx.provider.negotiate_version(None, got, got).await;
    ctx.check(narrow.as_ref().ok() == Some(&got), || {
        format!("asked for exactly {got}, got {narrow:?}")
    })?;
    let disjoint = ctx
        .provider
        .negotiate_version(None, Version::new(0, 1), Version::new(0, 2))
        .await;
    ctx.expect_err(
        "negotiate_version(0.1, 0.2)",
        disjoint,
        LineErr::IncompatibleApiVersion,
    )?;
    Ok(())
}

/// Device ids are exactly those enumerated; any other id answers BADDEVICEID.
///
/// Case `lifecycle/device_ids/1`; source: TSPI_providerEnumDevices, TSPI_lineGetDevCaps; tapi.md §9.5 item 2.
pub async fn device_ids(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.init().await?;
    let lines = ctx.provider.enumerate_devices().await;
    let lines = ctx.expect("enumerate_devices", lines)?;
    for id in 0..lines {
        let caps = ctx.provider.line_caps(DeviceId(id), ctx.version).await;
        ctx.expect(&format!("line_caps(device {id})"), caps)?;
    }
    let beyond = ctx.provider.line_caps(DeviceId(lines), ctx.version).await;
    ctx.expect_err(
        &format!("line_caps(device {lines})"),
        beyond,
        LineErr::BadDeviceId,
    )?;
    let open = ctx
        .provider
        .open(OpenLine {
            device: DeviceId(lines),
            line: tsp_sdk::spi::LineHandle(99),
            version: ctx.version,
        })
        .await;
    ctx.expect_err(&format!("open(device {lines})"), open, LineErr::BadDeviceId)?;
    let negotiate = ctx
        .provider
        .negotiate_version(Some(DeviceId(lines)), Version::V1_4, Version::V3_1)
        .await;
    ctx.expect_err(
        &format!("negotiate_version(device {lines})"),
        negotiate,
        LineErr::BadDeviceId,
    )?;
    Ok(())
}

/// Every optional operation a line's caps advertise (ANSWER, ACCEPT, DIAL and PARTIALDIAL, SECURE and SECURECALL, digit modes, device classes) is one the provider offers, and SECURE goes with SECURECALL.
///
/// Case `lifecycle/caps_agree/1`; source: TSPI_lineGetDevCaps, TSPI_lineGetAddressCaps; tapi.md §1.4, §9.5 item 10.
pub async fn caps_agree(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.init().await?;
    let lines = ctx.provider.enumerate_devices().await;
    let lines = ctx.expect("enumerate_devices", lines)?;
    let capabilities = ctx.provider.info().capabilities;
    for id in 0..lines {
        let device = DeviceId(id);
        let line = ctx.provider.line_caps(device, ctx.version).await;
        let line = ctx.expect(&format!("line_caps({device})"), line)?;
        for a in 0..line.num_addresses.max(1) {
            let address = ctx
                .provider
                .address_caps(device, tsp_sdk::spi::AddressId(a), ctx.version)
                .await;
            let address = ctx.expect(&format!("address_caps({device}, address {a})"), address)?;
            let found = tsp_sdk::kit::check_caps(device, &capabilities, &line, &address);
            ctx.check(found.is_empty(), || {
                let words: Vec<String> = found.iter().map(ToString::to_string).collect();
                format!("the caps disagree: {}", words.join("; "))
            })?;
        }
    }
    Ok(())
}

/// One provider-level open per line device: a second open of an open device answers ALLOCATED.
///
/// Case `lifecycle/open_once/1`; source: TSPI_lineOpen (single TSPI open per line); tapi.md §5.
pub async fn open_once(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let again = ctx
        .provider
        .open(OpenLine {
            device: DeviceId(0),
            line: tsp_sdk::spi::LineHandle(77),
            version: ctx.version,
        })
        .await;
    ctx.expect_err("a second open of device 0", again, LineErr::Allocated)?;
    Ok(())
}

/// Make_call completes exactly once, before any event for the new call, and no later than PROCEEDING.
///
/// Case `async/complete_before_first_state/1`; source: TSPI_lineMakeCall, 'The meaning of success', pending call handles; tapi.md §1.1, §1.2, §9.5 items 4, 6, 7.
pub async fn complete_before_first_state(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let made = ctx
        .make_call(Some(&format!("T{FAR_NUMBER}")), CallParams::data_modem())
        .await;
    let pending = ctx.expect("make_call", made)?;
    ctx.state(pending.call, CallState::Connected).await?;
    let seen = ctx.seen();
    let completion = seen
        .iter()
        .position(|(_, s)| matches!(s, Seen::Completed(r, _) if *r == pending.request));
    let first_state = seen
        .iter()
        .position(|(_, s)| matches!(s, Seen::Event(LineEvent::CallState { call, .. }) if *call == pending.call));
    let completions = seen
        .iter()
        .filter(|(_, s)| matches!(s, Seen::Completed(r, _) if *r == pending.request))
        .count();
    ctx.check(completions == 1, || {
        format!("make_call completed {completions} times")
    })?;
    ctx.check(completion < first_state, || {
        "a state event came before make_call completed".into()
    })?;
    let proceeding = seen.iter().position(|(_, s)| {
        matches!(s, Seen::Event(LineEvent::CallState { call, state, .. })
            if *call == pending.call && matches!(state.state(), CallState::Proceeding | CallState::Ringback | CallState::Connected))
    });
    ctx.check(completion < proceeding, || {
        "make_call completed after the call was past PROCEEDING".into()
    })?;
    Ok(())
}

/// A request that fails synchronously is never completed.
///
/// Case `async/sync_failure_never_completes/1`; source: ASYNC_COMPLETION; tapi.md §1.1, §9.5 item 4.
pub async fn sync_failure_never_completes(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let before = ctx.device_output();
    let refused = ctx
        .make_call(Some("T555?0101"), CallParams::data_modem())
        .await;
    ctx.expect_err("make_call(\"T555?0101\")", refused, LineErr::DialPrompt)?;
    match before {
        // A real device: if nothing at all reached it, nothing can answer and bring a late
        // completion; a short look is enough.
        Some(before) => {
            ctx.pass(Duration::from_secs(2)).await;
            let after = ctx.device_output().unwrap_or_default();
            let sent = after.get(before.len()..).unwrap_or_default();
            ctx.check(sent.is_empty(), || {
                format!(
                    "a refused make_call still sent {:?} to the device",
                    String::from_utf8_lossy(sent)
                )
            })?;
        }
        // The simulator: half a minute of virtual time costs nothing.
        None => ctx.pass(Duration::from_secs(30)).await,
    }
    let completions = ctx
        .seen()
        .iter()
        .filter(|(_, s)| matches!(s, Seen::Completed(..)))
        .count();
    ctx.check(completions == 0, || {
        format!("{completions} completions arrived for a refused request")
    })
}

/// Close_call on a call whose creation failed is accepted as a no-op.
///
/// Case `async/close_call_on_a_failed_call_is_harmless/1`; source: TSPI_lineCloseCall, pending call handles [conflict note]; tapi.md §1.2, §9.5 item 6.
pub async fn close_call_on_a_failed_call_is_harmless(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open().await?;
    let call = ctx.host_call();
    let refused = ctx
        .make_call_as(call, Some("T555?0101"), CallParams::data_modem())
        .await;
    ctx.expect_err("make_call(\"T555?0101\")", refused, LineErr::DialPrompt)?;
    ctx.close_call_unchecked(call).await?;
    ctx.pass(Duration::from_secs(5)).await;
    let about_it = ctx
        .seen()
        .iter()
        .any(|(_, s)| matches!(s, Seen::Event(e) if e.call() == Some(call)));
    ctx.check(!about_it, || {
        "events for a call whose creation failed".into()
    })
}
