//! Digit monitoring and generation (T§9.5 items 16, 17), for providers that offer them.

use std::time::Duration;

use tsp_sdk::spi::{CallParams, GenerateDigits, GenerateTerm, LineEvent};
use tsp_sdk::{CallState, DigitModes, LineErr};

use super::parties;
use crate::case::{Case, Need};
use crate::ctx::{Ctx, Seen};
use crate::failure::Failure;

pub(crate) fn cases() -> Vec<Case> {
    let case = Case::required;
    vec![
        case(
            "digits/monitor_enable_and_cancel/1",
            "monitor_digits succeeds when monitoring starts and when cancelled with no modes; an unsupported mode answers INVALDIGITMODE",
            "TSPI_lineMonitorDigits; tapi.md §1.5, §9.5 item 16",
            &[Need::MonitorDigits],
            crate::case_fn!(monitor_enable_and_cancel),
        ),
        case(
            "digits/monitored_dtmf_is_reported/1",
            "digits the far end keys while the call is monitored for DTMF arrive as MonitorDigits events, in order, and none after monitoring is cancelled",
            "TSPI_lineMonitorDigits, LINE_MONITORDIGITS; tapi.md §1.5, §9.5 item 16",
            &[Need::MonitorDigits],
            crate::case_fn!(monitored_dtmf_is_reported),
        ),
        case(
            "digits/generate_reports_done_and_cancel/1",
            "generate_digits returns once started and ends with a Generate event carrying its end-to-end id; a second request cancels the first (Generate Cancel with the old id)",
            "TSPI_lineGenerateDigits, LINE_GENERATE; tapi.md §1.5, §9.5 item 17",
            &[Need::GenerateDigits],
            crate::case_fn!(generate_reports_done_and_cancel),
        ),
    ]
}

/// Monitor_digits succeeds when monitoring starts and when cancelled with no modes; an unsupported mode answers INVALDIGITMODE.
///
/// Case `digits/monitor_enable_and_cancel/1`; source: TSPI_lineMonitorDigits; tapi.md §1.5, §9.5 item 16.
pub async fn monitor_enable_and_cancel(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_voice_call(ctx).await?;
    let on = ctx.provider.monitor_digits(call, DigitModes::DTMF).await;
    ctx.expect("monitor_digits(DTMF)", on)?;
    let off = ctx.provider.monitor_digits(call, DigitModes::empty()).await;
    ctx.expect("monitor_digits(none)", off)?;
    let bad = ctx
        .provider
        .monitor_digits(call, DigitModes::from_bits_retain(0x100))
        .await;
    ctx.expect_err("monitor_digits(0x100)", bad, LineErr::InvalDigitMode)?;
    Ok(())
}

/// Digits the far end keys while the call is monitored for DTMF arrive as MonitorDigits events, in order, and none after monitoring is cancelled.
///
/// Case `digits/monitored_dtmf_is_reported/1`; source: TSPI_lineMonitorDigits, LINE_MONITORDIGITS; tapi.md §1.5, §9.5 item 16.
pub async fn monitored_dtmf_is_reported(ctx: &mut Ctx) -> Result<(), Failure> {
    // The far end keys 1 2 3 # from 8 s after its answer (a modem in voice mode reports the
    // answer up to +VRA later), one a second, then 9 at 16 s.
    ctx.far(parties::keys_digits(&[
        (8, '1'),
        (9, '2'),
        (10, '3'),
        (11, '#'),
        (16, '9'),
    ]))?;
    ctx.open().await?;
    let call = connected_voice_call(ctx).await?;
    let on = ctx.provider.monitor_digits(call, DigitModes::DTMF).await;
    ctx.expect("monitor_digits(DTMF)", on)?;
    ctx.pass(Duration::from_secs(8)).await;
    let off = ctx.provider.monitor_digits(call, DigitModes::empty()).await;
    ctx.expect("monitor_digits(none)", off)?;
    ctx.pass(Duration::from_secs(8)).await;
    let digits: String = ctx
        .seen()
        .iter()
        .filter_map(|(_, s)| match s {
            Seen::Event(LineEvent::MonitorDigits { digit, mode, .. })
                if *mode == DigitModes::DTMF =>
            {
                Some(*digit)
            }
            _ => None,
        })
        .collect();
    ctx.check(digits == "123#", || {
        format!(
            "digits reported: {digits:?} (expected \"123#\"; the 9 came after monitoring stopped)"
        )
    })
}

/// A voice call to the far end, CONNECTED (digits travel on voice calls).
async fn connected_voice_call(ctx: &mut Ctx) -> Result<tsp_sdk::spi::CallHandle, Failure> {
    let call = ctx
        .place(
            Some(&format!("T{}", crate::ctx::FAR_NUMBER)),
            CallParams::default(),
        )
        .await?;
    ctx.state(call, CallState::Connected).await?;
    Ok(call)
}

/// Generate_digits returns once started and ends with a Generate event carrying its end-to-end id; a second request cancels the first (Generate Cancel with the old id).
///
/// Case `digits/generate_reports_done_and_cancel/1`; source: TSPI_lineGenerateDigits, LINE_GENERATE; tapi.md §1.5, §9.5 item 17.
pub async fn generate_reports_done_and_cancel(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.far(parties::echo_modem(1))?;
    ctx.open().await?;
    let call = connected_voice_call(ctx).await?;
    let first = GenerateDigits {
        call,
        end_to_end_id: 11,
        mode: DigitModes::DTMF,
        digits: Some("1234567890".into()),
        duration_ms: 0,
    };
    let started = ctx.provider.generate_digits(first).await;
    ctx.expect("generate_digits(11)", started)?;
    let second = GenerateDigits {
        call,
        end_to_end_id: 12,
        mode: DigitModes::DTMF,
        digits: Some("#".into()),
        duration_ms: 0,
    };
    let started = ctx.provider.generate_digits(second).await;
    ctx.expect("generate_digits(12)", started)?;
    ctx.pass(Duration::from_secs(10)).await;
    let ends: Vec<(GenerateTerm, u32)> = ctx
        .seen()
        .iter()
        .filter_map(|(_, s)| match s {
            Seen::Event(LineEvent::Generate {
                term,
                end_to_end_id,
                ..
            }) => Some((*term, *end_to_end_id)),
            _ => None,
        })
        .collect();
    ctx.check(ends.contains(&(GenerateTerm::Cancel, 11)), || {
        format!("no Generate(Cancel, 11): {ends:?}")
    })?;
    ctx.check(ends.contains(&(GenerateTerm::Done, 12)), || {
        format!("no Generate(Done, 12): {ends:?}")
    })
}
