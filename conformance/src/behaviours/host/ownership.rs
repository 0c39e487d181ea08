//! Host-level cases about who holds a call: handoff, privilege changes, replies that outlive a
//! handle, calls nobody can own, and checks the host makes before the provider hears anything
//! (T§2.7, §1.1, §5).

use std::time::Duration;

use tsp_sdk::host::{AppEvent, HandoffTarget, OpenOptions};
use tsp_sdk::spi::{AddressId, CallParams};
use tsp_sdk::{BearerModes, CallPrivilege, CallState, LineDevStates, LineErr, MediaModes};

use super::super::parties;
use super::{connected_data_call, watched_data_call};
use crate::ctx::{Ctx, FAR_NUMBER};
use crate::failure::Failure;
use crate::host_world::{AppSource, HostWorld, new_call, next_where, reply, settle, state};

/// The event queue's capacity in [`a_slow_reader_stalls_nobody`]'s world.
pub const SLOW_QUEUE: usize = 16;

/// The world of [`a_slow_reader_stalls_nobody`]: a small event queue.
pub fn small_queue(builder: tsp_sdk::host::HostBuilder) -> tsp_sdk::host::HostBuilder {
    builder.event_queue_capacity(SLOW_QUEUE)
}

/// The owner hands a call to another owner by name; a handoff to nobody, or by media mode to
/// oneself, fails; the sender keeps its privilege until it gives it up.
///
/// Case `host/handoff_moves_ownership/1` and `server/handoff_moves_ownership/1`; source: lineHandoff, lineSetCallPrivilege; tapi.md §2.7.
pub async fn handoff_moves_ownership<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "dialer").await?;
    let (b, mut eb) = w.app::<A>(ctx, "Data Server").await?;
    ctx.expect(
        "open (data server)",
        b.open_line(0, OpenOptions::owner(MediaModes::DATAMODEM))
            .await,
    )?;
    let (_, call) = connected_data_call(ctx, &a, &mut ea).await?;
    let before = w.tally();
    let nobody = a
        .handoff(call, HandoffTarget::App("no such application".into()))
        .await;
    ctx.check(
        nobody.as_ref().err().map(|e| e.kind()) == Some(LineErr::TargetNotFound),
        || format!("handoff to an application that is not there: {nobody:?}"),
    )?;
    ctx.expect(
        "handoff to the data server",
        a.handoff(call, HandoffTarget::App("data server".into()))
            .await,
    )?;
    let (_, handed, privilege) = new_call(ctx, &mut eb).await?;
    ctx.check(privilege == CallPrivilege::OWNER, || {
        format!("the receiver of a handoff got {privilege:?}, not OWNER")
    })?;
    let info = ctx.expect("call_info (receiver)", b.call_info(handed).await)?;
    ctx.check(info.num_owners == 2, || {
        format!(
            "{} owners after the handoff: the sender keeps its privilege until it changes it",
            info.num_owners
        )
    })?;
    let to_self = b
        .handoff(handed, HandoffTarget::MediaMode(MediaModes::DATAMODEM))
        .await;
    ctx.check(
        to_self.as_ref().err().map(|e| e.kind()) == Some(LineErr::TargetSelf),
        || format!("handoff by media mode to the best owner, itself: {to_self:?}"),
    )?;
    ctx.expect(
        "set_call_privilege MONITOR (sender)",
        a.set_call_privilege(call, CallPrivilege::MONITOR).await,
    )?;
    let refused = a.drop_call(call).await;
    ctx.check(
        refused.as_ref().err().map(|e| e.kind()) == Some(LineErr::NotOwner),
        || format!("a former owner, now a monitor, dropped the call: {refused:?}"),
    )?;
    ctx.check(w.tally() == before, || {
        format!(
            "handoffs and privilege changes reached the provider: {before:?} → {:?}",
            w.tally()
        )
    })?;
    let dropped = ctx.expect("drop (new owner)", b.drop_call(handed).await)?;
    let done = reply(ctx, &mut eb, dropped).await?;
    ctx.expect("drop's reply", done)?;
    state(ctx, &mut ea, call, CallState::Idle).await?;
    state(ctx, &mut eb, handed, CallState::Idle).await?;
    let closes = w.count("close_call");
    ctx.expect("deallocate (monitor)", a.deallocate_call(call).await)?;
    ctx.expect("deallocate (owner)", b.deallocate_call(handed).await)?;
    settle().await;
    ctx.check(w.count("close_call") == closes + 1, || {
        "the call was not closed once at the last deallocation".into()
    })
}

/// An owner drops a call and deallocates its handle at once (a co-owner keeps the call): the
/// drop's reply still reaches it, exactly once; a second owner's request pending at the same
/// time has another id and its reply goes to that owner only.
///
/// Case `host/a_reply_outlives_the_handle/1` and `server/a_reply_outlives_the_handle/1`; source: LINE_REPLY; lineDeallocateCall; DRV_REQUESTID; tapi.md §1.1, §2.7.
pub async fn a_reply_outlives_the_handle<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "leaves early").await?;
    let (b, mut eb) = w.app::<A>(ctx, "co-owner").await?;
    let (_, call, theirs, _) = watched_data_call(ctx, &a, &mut ea, &b, &mut eb).await?;
    ctx.expect(
        "set_call_privilege OWNER (co-owner)",
        b.set_call_privilege(theirs, CallPrivilege::OWNER).await,
    )?;
    let dropped = ctx.expect("drop_call", a.drop_call(call).await)?;
    // Whether the provider takes a second drop while the first is under way is its business;
    // if it does, the two pending requests must have different ids.
    let second = b.drop_call(theirs).await;
    ctx.expect(
        "deallocate right after the drop (a co-owner holds the call)",
        a.deallocate_call(call).await,
    )?;
    if let Ok(second) = second {
        ctx.check(second != dropped, || {
            format!("two pending requests share the id {dropped}")
        })?;
    }
    let done = reply(ctx, &mut ea, dropped).await?;
    ctx.expect("the drop's reply, after the handle is gone", done)?;
    if let Ok(second) = second {
        let _ = reply(ctx, &mut eb, second).await?;
    }
    state(ctx, &mut eb, theirs, CallState::Idle).await?;
    ctx.expect("deallocate (co-owner)", b.deallocate_call(theirs).await)?;
    settle().await;
    let mine: Vec<AppEvent> = std::iter::from_fn(|| ea.try_next()).collect();
    ctx.check(
        !mine
            .iter()
            .any(|e| matches!(e, AppEvent::Reply { request, .. } if *request == dropped)),
        || format!("the reply came twice: {mine:?}"),
    )?;
    let others: Vec<AppEvent> = std::iter::from_fn(|| eb.try_next()).collect();
    ctx.check(
        !others
            .iter()
            .any(|e| matches!(e, AppEvent::Reply { request, .. } if *request == dropped)),
        || "another application got the reply".into(),
    )?;
    let snap = w.snapshot(ctx).await?;
    ctx.check(
        snap.calls.is_empty() && snap.tables.call_handles == 0,
        || format!("left: {:?}, {:?}", snap.calls, snap.tables),
    )
}

/// With only a monitor on the line, an incoming call has no owner: either the provider does
/// not announce it (it was told to detect nothing) or the host drops it; nobody is offered
/// ownership and nothing of the call is left.
///
/// Case `host/a_call_nobody_can_own_is_not_kept/1` and `server/a_call_nobody_can_own_is_not_kept/1`; source: unowned calls; TSPI_lineSetDefaultMediaDetection; tapi.md §2.7, §9.5 item 18.
pub async fn a_call_nobody_can_own_is_not_kept<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (m, mut em) = w.app::<A>(ctx, "monitor").await?;
    ctx.expect(
        "open (monitor)",
        m.open_line(0, OpenOptions::monitor()).await,
    )?;
    let (drops, before) = (w.count("drop_call"), w.tally());
    ctx.third(parties::calls_us_with_data(Duration::from_secs(1)))?;
    // Long enough for the far end's rings to reach the line and stop.
    ctx.pass(Duration::from_secs(45)).await;
    settle().await;
    let seen: Vec<AppEvent> = std::iter::from_fn(|| em.try_next()).collect();
    let offered = seen.iter().find_map(|e| match e {
        AppEvent::NewCall {
            call, privilege, ..
        } => Some((*call, *privilege)),
        _ => None,
    });
    match offered {
        None => ctx.check(w.count("drop_call") == drops, || {
            format!(
                "nobody heard of the call, yet the provider was asked {:?} → {:?}",
                before,
                w.tally()
            )
        })?,
        Some((call, privilege)) => {
            ctx.check(privilege == CallPrivilege::MONITOR, || {
                format!("a monitor was offered {privilege:?}")
            })?;
            ctx.check(w.count("drop_call") == drops + 1, || {
                "the host did not drop a call nobody can own".into()
            })?;
            let idle = seen.iter().any(|e| {
                matches!(e, AppEvent::CallState { call: c, state, .. }
                    if *c == call && state.state() == CallState::Idle)
            });
            ctx.check(idle, || format!("the monitor never saw IDLE: {seen:?}"))?;
            ctx.expect("deallocate (monitor)", m.deallocate_call(call).await)?;
        }
    }
    settle().await;
    let snap = w.snapshot(ctx).await?;
    ctx.check(snap.calls.is_empty(), || {
        format!("calls left: {:?}", snap.calls)
    })
}

/// A make_call the line cannot carry is refused by the host with the matching `LINEERR_*`; the
/// provider never hears of it.
///
/// Case `host/make_call_is_checked_before_the_provider/1` and `server/make_call_is_checked_before_the_provider/1`; source: lineMakeCall errors; tapi.md §1.5, §5.
pub async fn make_call_is_checked_before_the_provider<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, _ea) = w.app::<A>(ctx, "careless").await?;
    let line = ctx.expect("open", a.open_line(0, OpenOptions::none()).await)?;
    let before = w.tally();
    let tries = [
        (
            "a media mode no line carries (TELEX)",
            CallParams {
                media_mode: MediaModes::TELEX,
                ..CallParams::default()
            },
            LineErr::InvalMediaMode,
        ),
        (
            "two media modes at once",
            CallParams {
                media_mode: MediaModes::INTERACTIVEVOICE | MediaModes::DATAMODEM,
                ..CallParams::default()
            },
            LineErr::InvalMediaMode,
        ),
        (
            "an address the line does not have",
            CallParams {
                address: AddressId(5),
                ..CallParams::default()
            },
            LineErr::InvalAddressId,
        ),
    ];
    for (what, params, want) in tries {
        let got = a.make_call(line, Some(FAR_NUMBER), params).await;
        ctx.check(got.as_ref().err().map(|e| e.kind()) == Some(want), || {
            format!("{what}: {got:?}, expected {}", want.name())
        })?;
    }
    let version = ctx.expect(
        "negotiate_api_version",
        a.negotiate_api_version(0, tsp_sdk::Version::V1_4, tsp_sdk::Version::V3_1)
            .await,
    )?;
    let caps = ctx.expect("line_caps", a.line_caps(0, version).await)?;
    if !caps.bearer_modes.contains(BearerModes::DATA) {
        let got = a
            .make_call(
                line,
                Some(FAR_NUMBER),
                CallParams {
                    bearer_mode: BearerModes::DATA,
                    ..CallParams::default()
                },
            )
            .await;
        ctx.check(
            got.as_ref().err().map(|e| e.kind()) == Some(LineErr::InvalBearerMode),
            || format!("a bearer mode the line lacks (DATA): {got:?}"),
        )?;
    }
    ctx.check(w.tally() == before, || {
        format!(
            "the provider heard of refused calls: {before:?} → {:?}",
            w.tally()
        )
    })
}

/// An application that stops reading its events keeps every reply and LINE_CLOSE-class event,
/// loses only droppable ones (told with EventsLost), and stalls neither the provider nor the
/// other applications.
///
/// Case `host/a_slow_reader_stalls_nobody/1` and `server/a_slow_reader_stalls_nobody/1`; source: DESIGN.md (host: bounded event queues); tapi.md §5.
pub async fn a_slow_reader_stalls_nobody<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (slow, mut es) = w.app::<A>(ctx, "stopped reading").await?;
    let (fast, mut ef) = w.app::<A>(ctx, "busy").await?;
    let ls = ctx.expect(
        "open (slow)",
        slow.open_line(0, OpenOptions::monitor()).await,
    )?;
    ctx.expect(
        "set_status_messages (slow)",
        slow.set_status_messages(
            ls,
            LineDevStates::OPEN | LineDevStates::CLOSE,
            Default::default(),
        )
        .await,
    )?;
    // Forty droppable notices for the slow application, and a whole call it monitors.
    for _ in 0..20 {
        let lf = ctx.expect("open (busy)", fast.open_line(0, OpenOptions::none()).await)?;
        ctx.expect("close (busy)", fast.close_line(lf).await)?;
    }
    let (_, call) = connected_data_call(ctx, &fast, &mut ef).await?;
    let dropped = ctx.expect("drop (busy)", fast.drop_call(call).await)?;
    let done = reply(ctx, &mut ef, dropped).await?;
    ctx.expect("drop's reply (busy)", done)?;
    state(ctx, &mut ef, call, CallState::Idle).await?;
    ctx.expect("deallocate (busy)", fast.deallocate_call(call).await)?;
    ctx.expect("shutdown (busy)", fast.shutdown().await)?;
    // Now the slow application reads: it must still find its handle to the call.
    let watched = next_where(ctx, &mut es, "the monitor's handle", |e| match e {
        AppEvent::NewCall { call, .. } => Some(*call),
        _ => None,
    })
    .await?;
    ctx.expect("deallocate (slow)", slow.deallocate_call(watched).await)?;
    settle().await;
    let snap = w.snapshot(ctx).await?;
    let view = snap.apps.iter().find(|a| a.name == "stopped reading");
    ctx.check(
        view.is_some_and(|v| v.queued_events as usize <= SLOW_QUEUE + 8),
        || format!("the queue grew past its bound: {view:?}"),
    )?;
    ctx.check(snap.calls.is_empty(), || {
        format!("calls left: {:?}", snap.calls)
    })
}
