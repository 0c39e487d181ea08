//! Incoming calls: offering, caller ID, answer, reject (T§9.5 items 13, 14, 18; the caller-ID
//! presentations).

use std::time::Duration;

use tsp_sdk::spi::{CallHandle, LineEvent};
use tsp_sdk::{CallFeatures, CallPartyIdFlags, CallState, LineDevStates, LineErr, MediaModes};
use tsp_sim::exchange::LineConfig;
use tsp_sim::line::Presentation;

use super::parties;
use crate::case::{Case, Need, WorldKind};
use crate::ctx::{Ctx, Seen, THIRD_NUMBER};
use crate::failure::Failure;
use crate::shown;

pub(crate) fn cases() -> Vec<Case> {
    let case = |id, requirement, source, needs, world, run| {
        Case::required(id, requirement, source, needs, run).in_world(world)
    };
    vec![
        case(
            "incoming/offering_with_caller_id/1",
            "an incoming call is announced (new call) before its first state, OFFERING, with ring events counting from 0 and the caller's number and name in call info",
            "LINE_NEWCALL, LINE_LINEDEVSTATE(RINGING), LINECALLINFO caller ID; tapi.md §2.2, §2.3, §9.4",
            &[],
            WorldKind::Standard,
            crate::case_fn!(offering_with_caller_id),
        ),
        case(
            "incoming/caller_id_before_first_ring/1",
            "caller ID sent before the first ring (UK style) reaches call info just the same",
            "hayes.md §10.4; tapi.md §9.4",
            &[],
            WorldKind::CallerIdBeforeRing,
            crate::case_fn!(caller_id_before_first_ring),
        ),
        case(
            "incoming/private_caller/1",
            "a caller who withholds the number is reported as BLOCKED, with no number",
            "LINECALLPARTYID_BLOCKED; hayes.md §10.2 (P)",
            &[],
            WorldKind::Standard,
            crate::case_fn!(private_caller),
        ),
        case(
            "incoming/out_of_area_caller/1",
            "a caller the network cannot identify is reported as OUTOFAREA, with no number",
            "LINECALLPARTYID_OUTOFAREA; hayes.md §10.2 (O)",
            &[],
            WorldKind::Standard,
            crate::case_fn!(out_of_area_caller),
        ),
        case(
            "incoming/not_offered_without_detection/1",
            "with an empty default media detection an incoming call is not announced",
            "TSPI_lineSetDefaultMediaDetection, unowned calls; tapi.md §2.7, §9.5 item 18",
            &[],
            WorldKind::Standard,
            crate::case_fn!(not_offered_without_detection),
        ),
        case(
            "incoming/answer_connects/1",
            "answering an offered data call ends in CONNECTED; ANSWER is offered only while OFFERING, and answering another state is INVALCALLSTATE",
            "TSPI_lineAnswer; tapi.md §1.5, §9.5 items 10, 14",
            &[Need::Answer],
            WorldKind::Standard,
            crate::case_fn!(answer_connects),
        ),
        case(
            "incoming/drop_rejects_an_offered_call/1",
            "dropping an OFFERING call rejects it and the call reaches IDLE",
            "TSPI_lineDrop on OFFERING; tapi.md §1.5, §9.5 item 13",
            &[],
            WorldKind::Standard,
            crate::case_fn!(drop_rejects_an_offered_call),
        ),
    ]
}

/// Opens the line, lets the third line call with data, and waits for OFFERING.
async fn offered(ctx: &mut Ctx) -> Result<CallHandle, Failure> {
    ctx.open().await?;
    ctx.third(parties::calls_us_with_data(Duration::from_secs(1)))?;
    let call = ctx.new_call().await?;
    ctx.state(call, CallState::Offering).await?;
    Ok(call)
}

async fn caller_id(ctx: &mut Ctx, call: CallHandle) -> Result<tsp_sdk::spi::PartyId, Failure> {
    // Caller ID comes between the first and second ring (or before the first).
    for _ in 0..40 {
        let info = ctx.provider.call_info(call).await;
        let info = ctx.expect("call_info", info)?;
        let flags = info.caller_id.flags;
        if flags.intersects(
            CallPartyIdFlags::ADDRESS | CallPartyIdFlags::BLOCKED | CallPartyIdFlags::OUTOFAREA,
        ) {
            return Ok(info.caller_id);
        }
        ctx.pass(Duration::from_millis(500)).await;
    }
    Err(ctx.fail("no caller ID in call info after 20 s of ringing"))
}

/// An incoming call is announced (new call) before its first state, OFFERING, with ring events counting from 0 and the caller's number and name in call info.
///
/// Case `incoming/offering_with_caller_id/1`; source: LINE_NEWCALL, LINE_LINEDEVSTATE(RINGING), LINECALLINFO caller ID; tapi.md §2.2, §2.3, §9.4.
pub async fn offering_with_caller_id(ctx: &mut Ctx) -> Result<(), Failure> {
    let call = offered(ctx).await?;
    let id = caller_id(ctx, call).await?;
    ctx.check(id.number.as_deref() == Some(THIRD_NUMBER), || {
        format!(
            "caller number {}, expected {THIRD_NUMBER}",
            shown::text(id.number.as_deref())
        )
    })?;
    ctx.check(id.name.as_deref() == Some("JANE DOE"), || {
        format!(
            "caller name {}, expected JANE DOE",
            shown::text(id.name.as_deref())
        )
    })?;
    let seen = ctx.seen();
    let new_call = seen.iter().position(|(_, s)| *s == Seen::NewCall(call));
    let first_state = seen.iter().position(
        |(_, s)| matches!(s, Seen::Event(LineEvent::CallState { call: c, .. }) if *c == call),
    );
    ctx.check(new_call < first_state, || {
        "a state came before the call was announced".into()
    })?;
    let rings: Vec<u32> = seen
        .iter()
        .filter_map(|(_, s)| match s {
            Seen::Event(LineEvent::LineDevState { states, p3, .. })
                if states.contains(LineDevStates::RINGING) =>
            {
                Some(*p3)
            }
            _ => None,
        })
        .collect();
    ctx.check(rings.first() == Some(&0), || {
        format!("ring counts {} should start at 0", shown::list(&rings))
    })?;
    ctx.check(rings.windows(2).all(|w| w[1] == w[0] + 1), || {
        format!("ring counts {} should count up", shown::list(&rings))
    })
}

/// Caller ID sent before the first ring (UK style) reaches call info just the same.
///
/// Case `incoming/caller_id_before_first_ring/1`; source: hayes.md §10.4; tapi.md §9.4.
pub async fn caller_id_before_first_ring(ctx: &mut Ctx) -> Result<(), Failure> {
    let call = offered(ctx).await?;
    let id = caller_id(ctx, call).await?;
    ctx.check(id.number.as_deref() == Some(THIRD_NUMBER), || {
        format!(
            "caller number {}, expected {THIRD_NUMBER}",
            shown::text(id.number.as_deref())
        )
    })
}

async fn presented(
    ctx: &mut Ctx,
    presentation: Presentation,
    flag: CallPartyIdFlags,
) -> Result<(), Failure> {
    // A fresh world's third line presents its number; make a fourth line with the presentation.
    let line = ctx.sim.with(|net, _| {
        net.add_line(
            LineConfig::new("5550103")
                .name("HIDDEN")
                .presentation(presentation),
        )
    });
    ctx.open().await?;
    let party = parties::calls_us_with_data(Duration::from_secs(1));
    ctx.sim
        .with(|net, now| net.attach_party(line, party(now)))
        .map_err(|e| ctx.fail(format!("attach caller: {e}")))?;
    let call = ctx.new_call().await?;
    let id = caller_id(ctx, call).await?;
    ctx.check(id.flags.contains(flag), || {
        format!("caller ID flags {} lack {flag}", id.flags)
    })?;
    ctx.check(id.number.is_none(), || {
        format!(
            "a number {} was reported for a hidden caller",
            shown::text(id.number.as_deref())
        )
    })
}

/// A caller who withholds the number is reported as BLOCKED, with no number.
///
/// Case `incoming/private_caller/1`; source: LINECALLPARTYID_BLOCKED; hayes.md §10.2 (P).
pub async fn private_caller(ctx: &mut Ctx) -> Result<(), Failure> {
    presented(ctx, Presentation::Private, CallPartyIdFlags::BLOCKED).await
}

/// A caller the network cannot identify is reported as OUTOFAREA, with no number.
///
/// Case `incoming/out_of_area_caller/1`; source: LINECALLPARTYID_OUTOFAREA; hayes.md §10.2 (O).
pub async fn out_of_area_caller(ctx: &mut Ctx) -> Result<(), Failure> {
    presented(ctx, Presentation::OutOfArea, CallPartyIdFlags::OUTOFAREA).await
}

/// With an empty default media detection an incoming call is not announced.
///
/// Case `incoming/not_offered_without_detection/1`; source: TSPI_lineSetDefaultMediaDetection, unowned calls; tapi.md §2.7, §9.5 item 18.
pub async fn not_offered_without_detection(ctx: &mut Ctx) -> Result<(), Failure> {
    ctx.open_detecting(MediaModes::empty()).await?;
    ctx.third(parties::calls_us_with_data(Duration::from_secs(1)))?;
    ctx.pass(Duration::from_secs(20)).await;
    let announced = ctx
        .seen()
        .iter()
        .any(|(_, s)| matches!(s, Seen::NewCall(_)));
    ctx.check(!announced, || {
        "a call was announced although nobody detects any media mode".into()
    })
}

/// Answering an offered data call ends in CONNECTED; ANSWER is offered only while OFFERING, and answering another state is INVALCALLSTATE.
///
/// Case `incoming/answer_connects/1`; source: TSPI_lineAnswer; tapi.md §1.5, §9.5 items 10, 14.
pub async fn answer_connects(ctx: &mut Ctx) -> Result<(), Failure> {
    let call = offered(ctx).await?;
    let status = ctx.provider.call_status(call).await;
    let status = ctx.expect("call_status while OFFERING", status)?;
    ctx.check(status.features.contains(CallFeatures::ANSWER), || {
        format!(
            "OFFERING without ANSWER: the features are {}",
            status.features
        )
    })?;
    let answered = ctx.answer(call).await;
    let done = ctx.finish(answered).await?;
    ctx.expect("answer", done)?;
    ctx.state(call, CallState::Connected).await?;
    let again = ctx.answer(call).await;
    ctx.expect_err("answer on a CONNECTED call", again, LineErr::InvalCallState)?;
    Ok(())
}

/// Dropping an OFFERING call rejects it and the call reaches IDLE.
///
/// Case `incoming/drop_rejects_an_offered_call/1`; source: TSPI_lineDrop on OFFERING; tapi.md §1.5, §9.5 item 13.
pub async fn drop_rejects_an_offered_call(ctx: &mut Ctx) -> Result<(), Failure> {
    let call = offered(ctx).await?;
    ctx.hang_up(call).await?;
    ctx.close_call(call).await
}
