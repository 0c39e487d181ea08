//! The host's rules (TAPI's server, T§2.7, §4, §5, §6; T§9.5 items 24, 25) with the provider under
//! test behind a [`Host`](tsp_sdk::host::Host): every case runs twice, in process (`host/…`) and
//! through the server's Unix socket (`server/…`).

use std::time::Duration;

use tsp_sdk::host::{AppEvent, AssistedMakeCall, DeviceSelect, OpenOptions};
use tsp_sdk::spi::{CallParams, DeviceIdValue};
use tsp_sdk::{
    CallPrivilege, CallState, LineDevStates, LineErr, MediaModes, RequestModes, TapiErr,
};

use super::parties;
use crate::case::{Case, Need};
use crate::ctx::{Ctx, FAR_NUMBER};
use crate::failure::Failure;
use crate::host_world::{AppSource, HostWorld, new_call, next_where, reply, settle, state};
use crate::shown;

mod ownership;

pub use ownership::*;

/// Defines a case body's two entry points: in process and through the socket (the host built
/// as `$tune` says, by default as it comes).
macro_rules! host_case_fn {
    ($body:ident, $access:ident, $app:ty) => {
        host_case_fn!($body, $access, $app, (|b| b))
    };
    ($body:ident, $access:ident, $app:ty, $tune:expr) => {{
        fn run(ctx: &mut Ctx) -> ::futures::future::BoxFuture<'_, Result<(), Failure>> {
            Box::pin(async move {
                let world =
                    HostWorld::start(ctx, crate::host_world::Access::$access, $tune).await?;
                let result = $body::<$app>(ctx, &world).await;
                world.stop(ctx).await;
                result
            })
        }
        run as crate::CaseFn
    }};
}

/// Both variants of a host-level case.
fn twice(
    name: &'static str,
    requirement: &'static str,
    source: &'static str,
    needs: &'static [Need],
    local: crate::CaseFn,
    remote: crate::CaseFn,
    ids: [&'static str; 2],
) -> [Case; 2] {
    let _ = name;
    [
        Case::required(ids[0], requirement, source, needs, local),
        Case::required(ids[1], requirement, source, needs, remote),
    ]
}

macro_rules! host_cases {
    ($( $id:literal, $req:literal, $src:literal, $needs:expr, $body:ident $(with $tune:expr)?; )*) => {
        vec![$(
            twice(
                $id,
                $req,
                $src,
                $needs,
                host_case_fn!($body, InProcess, tsp_sdk::host::App $(, $tune)?),
                host_case_fn!($body, Socket, tsp_sdk::rpc::RemoteApp $(, $tune)?),
                [concat!("host/", $id, "/1"), concat!("server/", $id, "/1")],
            ),
        )*]
        .into_iter()
        .flatten()
        .collect()
    };
}

pub(crate) fn cases() -> Vec<Case> {
    let mut all: Vec<Case> = host_cases! {
        "one_open_for_every_application",
        "however many applications open a line, the provider sees one open, with the union of the owners' media modes re-sent as they come and go; the last close closes it, and the device opens again at once",
        "TAPISRV (one TSPI open per line); TSPI_lineSetDefaultMediaDetection (union); tapi.md §2.7, §5",
        &[Need::HostLevel],
        one_open_for_every_application;

        "replies_reach_the_requester_only",
        "an asynchronous request's reply goes to the application that made it, exactly once, with another application's request pending beside it; request ids are unique while pending",
        "LINE_REPLY; DRV_REQUESTID; tapi.md §1.1, §5",
        &[Need::HostLevel],
        replies_reach_the_requester_only;

        "foreign_handles_are_refused",
        "another application's line or call handle, or an owner's operation by a monitor, is refused (INVALLINEHANDLE, INVALCALLHANDLE, NOTOWNER) and the provider never hears of it",
        "lineMakeCall, lineDrop errors; tapi.md §2.7",
        &[Need::HostLevel],
        foreign_handles_are_refused;

        "incoming_calls_go_to_owners_and_monitors",
        "an incoming call is offered to the applications that own its media mode and shown to monitors; an owner of another media mode is not offered it",
        "LINE_APPNEWCALL; lineOpen (privileges, media modes); tapi.md §2.7",
        &[Need::HostLevel],
        incoming_calls_go_to_owners_and_monitors;

        "sole_owner_shutdown_drops_then_closes",
        "lineShutdown by a call's sole owner, with no other handle, makes the provider drop the call and close it at once; nothing of the application or the call is left",
        "lineShutdown, lineClose; termination of asynchronous operations; tapi.md §2.7, §4, §9.5 item 24",
        &[Need::HostLevel],
        sole_owner_shutdown_drops_then_closes;

        "a_monitor_keeps_the_call_until_it_lets_go",
        "when the sole owner shuts down while a monitor holds the call, the provider hears only the drop; the monitor sees IDLE and the call is closed when it deallocates",
        "lineShutdown; TSPI_lineCloseCall (last handle); tapi.md §4, §9.5 item 24",
        &[Need::HostLevel],
        a_monitor_keeps_the_call_until_it_lets_go;

        "owners_deallocating_leave_nothing",
        "three owners of an incoming call: the sole owner of an active call cannot deallocate it; once IDLE each deallocates and nothing of the call is left",
        "lineDeallocateCall; tapi.md §2.7",
        &[Need::HostLevel, Need::Answer],
        owners_deallocating_leave_nothing;

        "close_releases_the_device",
        "lineClose by the only application drops the call it solely owned and closes the line at the provider, which releases the device: another application opens it at once",
        "lineClose; TSPI_lineClose; tapi.md §4, §9.5 item 22",
        &[Need::HostLevel],
        close_releases_the_device;

        "forced_close_reaches_every_application",
        "when the provider closes a line (its device lost), every application that had it open hears LINE_CLOSE and its handles die",
        "LINE_CLOSE; tapi.md §4",
        &[Need::HostLevel, Need::DeviceRemoval],
        forced_close_reaches_every_application;

        "reinit_waits_for_every_application",
        "while a REINIT is pending, new applications and opens are refused with REINIT until every application has shut down; then the provider restarts and applications are welcome again",
        "LINEDEVSTATE_REINIT; LINEERR_REINIT; tapi.md §4",
        &[Need::HostLevel],
        reinit_waits_for_every_application;

        "assisted_telephony_by_priority",
        "tapiRequestMakeCall with no recipient answers NOREQUESTRECIPIENT; with recipients the request goes to the highest priority, which places the call; shutdown unregisters",
        "tapiRequestMakeCall, lineRegisterRequestRecipient, lineGetRequest; tapi.md §6, §9.5 item 25",
        &[Need::HostLevel],
        assisted_telephony_by_priority;

        "the_owner_reads_the_data_stream",
        "the owner of a connected data call gets its comm/datamodem stream (a monitor is refused with NOTOWNER) and the far end's echo comes back through it",
        "lineGetID(comm/datamodem); tapi.md §7",
        &[Need::HostLevel, Need::DataStream],
        the_owner_reads_the_data_stream;

        "handoff_moves_ownership",
        "lineHandoff to an application by name makes it an owner (LINE_APPNEWCALL with OWNER) while the sender keeps its privilege until lineSetCallPrivilege; a missing target is TARGETNOTFOUND, the best target by media mode being oneself is TARGETSELF; the provider hears none of it",
        "lineHandoff, lineSetCallPrivilege; tapi.md §2.7",
        &[Need::HostLevel],
        handoff_moves_ownership;

        "a_reply_outlives_the_handle",
        "an application that drops a call and deallocates its handle at once still gets the drop's LINE_REPLY, exactly once, and nobody else does; requests pending together have different ids",
        "LINE_REPLY; lineDeallocateCall; DRV_REQUESTID; tapi.md §1.1, §2.7",
        &[Need::HostLevel],
        a_reply_outlives_the_handle;

        "a_call_nobody_can_own_is_not_kept",
        "with no owner for its media mode, an incoming call is either never announced (default media detection is empty) or dropped by the host; a monitor is never made its owner and nothing of the call is left",
        "unowned calls; TSPI_lineSetDefaultMediaDetection; tapi.md §2.7, §9.5 item 18",
        &[Need::HostLevel],
        a_call_nobody_can_own_is_not_kept;

        "make_call_is_checked_before_the_provider",
        "a make_call with a media mode, bearer mode or address the line does not have is refused by the host (INVALMEDIAMODE, INVALBEARERMODE, INVALADDRESSID) and the provider never hears of it",
        "lineMakeCall errors; tapi.md §1.5, §5",
        &[Need::HostLevel],
        make_call_is_checked_before_the_provider;

        "a_slow_reader_stalls_nobody",
        "an application that stops reading its events has a bounded queue (droppable events give way, told by EventsLost; its call handles and replies are kept) and stalls neither the provider nor the other applications",
        "DESIGN.md (host: bounded event queues); tapi.md §5",
        &[Need::HostLevel],
        a_slow_reader_stalls_nobody with small_queue;
    };
    all.push(Case::required(
        "server/a_dropped_connection_shuts_its_applications_down/1",
        "a client whose connection ends without a word is shut down as if it called lineShutdown: its call dropped and closed, nothing of it left",
        "DESIGN.md (rpc); TAPISRV ClientDetach; tapi.md §4, §5",
        &[Need::HostLevel],
        host_case_fn!(a_dropped_connection_shuts_its_applications_down, Socket, tsp_sdk::rpc::RemoteApp),
    ));
    all
}

/// A data call from `app` on device 0 to the far end (an echoing modem), CONNECTED.
async fn connected_data_call<A: AppSource>(
    ctx: &mut Ctx,
    app: &A,
    events: &mut tsp_sdk::host::Events,
) -> Result<(tsp_sdk::host::Line, tsp_sdk::host::Call), Failure> {
    ctx.far(parties::echo_modem(1))?;
    let line = ctx.expect("open_line", app.open_line(0, OpenOptions::none()).await)?;
    let placed = app
        .make_call(line, Some(FAR_NUMBER), CallParams::data_modem())
        .await;
    let placed = ctx.expect("make_call", placed)?;
    let done = reply(ctx, events, placed.request).await?;
    ctx.expect("make_call's reply", done)?;
    state(ctx, events, placed.call, CallState::Connected).await?;
    Ok((line, placed.call))
}

/// A data call from `app` (as [`connected_data_call`]) watched by `monitor`, which opens the
/// line as a monitor first: the caller's line and call, the monitor's handle and privilege.
async fn watched_data_call<A: AppSource>(
    ctx: &mut Ctx,
    app: &A,
    events: &mut tsp_sdk::host::Events,
    monitor: &A,
    monitor_events: &mut tsp_sdk::host::Events,
) -> Result<
    (
        tsp_sdk::host::Line,
        tsp_sdk::host::Call,
        tsp_sdk::host::Call,
        CallPrivilege,
    ),
    Failure,
> {
    ctx.expect(
        "open (monitor)",
        monitor.open_line(0, OpenOptions::monitor()).await,
    )?;
    let (line, call) = connected_data_call(ctx, app, events).await?;
    let (_, watched, privilege) = new_call(ctx, monitor_events).await?;
    Ok((line, call, watched, privilege))
}

/// However many applications open a line, the provider sees one open, with the union of the owners' media modes re-sent as they come and go; the last close closes it, and the device opens again at once.
///
/// Case `host/one_open_for_every_application/1` and `server/one_open_for_every_application/1`; source: TAPISRV (one TSPI open per line); TSPI_lineSetDefaultMediaDetection (union); tapi.md §2.7, §5.
pub async fn one_open_for_every_application<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, _ea) = w.app::<A>(ctx, "data owner").await?;
    let (b, _eb) = w.app::<A>(ctx, "voice owner").await?;
    let (c, _ec) = w.app::<A>(ctx, "monitor").await?;
    let la = ctx.expect(
        "open (data owner)",
        a.open_line(0, OpenOptions::owner(MediaModes::DATAMODEM))
            .await,
    )?;
    let lb = ctx.expect(
        "open (voice owner)",
        b.open_line(0, OpenOptions::owner(MediaModes::INTERACTIVEVOICE))
            .await,
    )?;
    let lc = ctx.expect(
        "open (monitor)",
        c.open_line(0, OpenOptions::monitor()).await,
    )?;
    ctx.check(w.count("open") == 1, || {
        format!("the provider saw {} opens, not 1", w.count("open"))
    })?;
    let status = ctx.expect("line_status", c.line_status(lc).await)?;
    ctx.check(status.num_opens == 3, || {
        format!("dwNumOpens {}, not 3", status.num_opens)
    })?;
    ctx.check(
        status.open_media_modes == MediaModes::DATAMODEM | MediaModes::INTERACTIVEVOICE,
        || {
            format!(
                "dwOpenMediaModes {:#x}: the union of the owners' modes",
                status.open_media_modes.bits()
            )
        },
    )?;
    let detections = w.count("set_default_media_detection");
    ctx.check(detections == 2, || {
        format!("the union was sent {detections} times, not 2 (one per owner)")
    })?;
    ctx.expect("close (voice owner)", b.close_line(lb).await)?;
    ctx.check(w.count("set_default_media_detection") == 3, || {
        "the union was not re-sent when an owner left".into()
    })?;
    ctx.check(w.count("close") == 0, || {
        "the line closed while two applications had it open".into()
    })?;
    ctx.expect("close (monitor)", c.close_line(lc).await)?;
    ctx.expect("close (data owner)", a.close_line(la).await)?;
    ctx.check(w.count("close") == 1, || {
        format!("the provider saw {} closes, not 1", w.count("close"))
    })?;
    let again = ctx.expect(
        "open again at once",
        c.open_line(0, OpenOptions::monitor()).await,
    )?;
    ctx.check(w.count("open") == 2, || {
        "the reopen did not reach the provider".into()
    })?;
    let _ = again;
    Ok(())
}

/// An asynchronous request's reply goes to the application that made it, exactly once, with another application's request pending beside it; request ids are unique while pending.
///
/// Case `host/replies_reach_the_requester_only/1` and `server/replies_reach_the_requester_only/1`; source: LINE_REPLY; DRV_REQUESTID; tapi.md §1.1, §5.
pub async fn replies_reach_the_requester_only<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "caller").await?;
    let (b, mut eb) = w.app::<A>(ctx, "bystander").await?;
    let (c, mut ec) = w.app::<A>(ctx, "co-owner").await?;
    ctx.expect("open", b.open_line(0, OpenOptions::none()).await)?;
    let (_, call, theirs, _) = watched_data_call(ctx, &a, &mut ea, &c, &mut ec).await?;
    ctx.expect(
        "set_call_privilege OWNER",
        c.set_call_privilege(theirs, CallPrivilege::OWNER).await,
    )?;
    // Two owners ask at once: both requests may be pending together (the provider may also
    // refuse the second synchronously, which issues no id).
    let first = ctx.expect("drop_call (caller)", a.drop_call(call).await)?;
    let second = c.drop_call(theirs).await;
    if let Ok(second) = second {
        ctx.check(second != first, || {
            format!("two pending requests share the id {first}")
        })?;
    }
    let done = reply(ctx, &mut ea, first).await?;
    ctx.expect("the caller's drop reply", done)?;
    if let Ok(second) = second {
        let _ = reply(ctx, &mut ec, second).await?;
    }
    state(ctx, &mut ea, call, CallState::Idle).await?;
    settle().await;
    let replies = |events: &mut tsp_sdk::host::Events| -> Vec<AppEvent> {
        std::iter::from_fn(|| events.try_next())
            .filter(|e| matches!(e, AppEvent::Reply { .. }))
            .collect()
    };
    let again = replies(&mut ea);
    ctx.check(again.is_empty(), || {
        format!("the caller got replies twice or for others: {again:?}")
    })?;
    let crossed = replies(&mut ec);
    ctx.check(crossed.is_empty(), || {
        format!("the co-owner got another's reply: {crossed:?}")
    })?;
    let theirs_seen: Vec<AppEvent> = std::iter::from_fn(|| eb.try_next()).collect();
    ctx.check(
        theirs_seen
            .iter()
            .all(|e| !matches!(e, AppEvent::Reply { .. })),
        || format!("a reply reached an application that asked nothing: {theirs_seen:?}"),
    )?;
    ctx.check(
        theirs_seen
            .iter()
            .all(|e| !matches!(e, AppEvent::NewCall { .. })),
        || "an application opened with NONE was handed another's call".into(),
    )?;
    Ok(())
}

/// Another application's line or call handle, or an owner's operation by a monitor, is refused (INVALLINEHANDLE, INVALCALLHANDLE, NOTOWNER) and the provider never hears of it.
///
/// Case `host/foreign_handles_are_refused/1` and `server/foreign_handles_are_refused/1`; source: lineMakeCall, lineDrop errors; tapi.md §2.7.
pub async fn foreign_handles_are_refused<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "owner").await?;
    let (m, mut em) = w.app::<A>(ctx, "monitor").await?;
    let (la, call, watched, privilege) = watched_data_call(ctx, &a, &mut ea, &m, &mut em).await?;
    ctx.check(privilege == CallPrivilege::MONITOR, || {
        format!("the monitor got {privilege}")
    })?;
    let before = w.tally();
    let kinds = [
        (
            "make_call on another's line",
            m.make_call(la, Some(FAR_NUMBER), CallParams::default())
                .await
                .err()
                .map(|e| e.kind()),
            LineErr::InvalLineHandle,
        ),
        (
            "drop_call on another's call",
            m.drop_call(call).await.err().map(|e| e.kind()),
            LineErr::InvalCallHandle,
        ),
        (
            "drop_call by a monitor",
            m.drop_call(watched).await.err().map(|e| e.kind()),
            LineErr::NotOwner,
        ),
        (
            "close_line of another's line",
            m.close_line(la).await.err().map(|e| e.kind()),
            LineErr::InvalLineHandle,
        ),
    ];
    for (what, got, want) in kinds {
        ctx.check(got == Some(want), || {
            format!(
                "{what}: {}, expected {}",
                shown::error_kind(got),
                want.name()
            )
        })?;
    }
    ctx.check(w.tally() == before, || {
        format!(
            "the provider heard of refused requests: {before:?} → {:?}",
            w.tally()
        )
    })?;
    let dropped = ctx.expect("drop_call by the owner", a.drop_call(call).await)?;
    let done = reply(ctx, &mut ea, dropped).await?;
    ctx.expect("drop's reply", done)
}

/// An incoming call is offered to the applications that own its media mode and shown to monitors; an owner of another media mode is not offered it.
///
/// Case `host/incoming_calls_go_to_owners_and_monitors/1` and `server/incoming_calls_go_to_owners_and_monitors/1`; source: LINE_APPNEWCALL; lineOpen (privileges, media modes); tapi.md §2.7.
pub async fn incoming_calls_go_to_owners_and_monitors<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (data, mut ed) = w.app::<A>(ctx, "data owner").await?;
    let (voice, mut ev) = w.app::<A>(ctx, "voice owner").await?;
    let (mon, mut em) = w.app::<A>(ctx, "monitor").await?;
    ctx.expect(
        "open",
        data.open_line(0, OpenOptions::owner(MediaModes::DATAMODEM))
            .await,
    )?;
    ctx.expect(
        "open",
        voice
            .open_line(0, OpenOptions::owner(MediaModes::INTERACTIVEVOICE))
            .await,
    )?;
    ctx.expect("open", mon.open_line(0, OpenOptions::monitor()).await)?;
    ctx.third(parties::calls_us_with_data(Duration::from_secs(1)))?;
    let (_, call, privilege) = new_call(ctx, &mut ed).await?;
    ctx.check(privilege == CallPrivilege::OWNER, || {
        format!("the data owner got {privilege}")
    })?;
    state(ctx, &mut ed, call, CallState::Offering).await?;
    let (_, watched, privilege) = new_call(ctx, &mut em).await?;
    ctx.check(privilege == CallPrivilege::MONITOR, || {
        format!("the monitor got {privilege}")
    })?;
    settle().await;
    let offered_voice =
        std::iter::from_fn(|| ev.try_next()).any(|e| matches!(e, AppEvent::NewCall { .. }));
    ctx.check(!offered_voice, || {
        "a voice owner was offered a data call".into()
    })?;
    let info = ctx.expect("call_info (monitor)", mon.call_info(watched).await)?;
    ctx.check(info.num_owners == 1 && info.num_monitors == 1, || {
        format!(
            "owners {} monitors {}, expected 1 and 1",
            info.num_owners, info.num_monitors
        )
    })?;
    let dropped = ctx.expect("drop (reject)", data.drop_call(call).await)?;
    let done = reply(ctx, &mut ed, dropped).await?;
    ctx.expect("drop's reply", done)?;
    state(ctx, &mut em, watched, CallState::Idle).await?;
    Ok(())
}

/// LineShutdown by a call's sole owner, with no other handle, makes the provider drop the call and close it at once; nothing of the application or the call is left.
///
/// Case `host/sole_owner_shutdown_drops_then_closes/1` and `server/sole_owner_shutdown_drops_then_closes/1`; source: lineShutdown, lineClose; termination of asynchronous operations; tapi.md §2.7, §4, §9.5 item 24.
pub async fn sole_owner_shutdown_drops_then_closes<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "owner").await?;
    let (b, _eb) = w.app::<A>(ctx, "bystander").await?;
    ctx.expect(
        "open (bystander)",
        b.open_line(0, OpenOptions::none()).await,
    )?;
    connected_data_call(ctx, &a, &mut ea).await?;
    let (drops, closes) = (w.count("drop_call"), w.count("close_call"));
    ctx.expect("shutdown", a.shutdown().await)?;
    settle().await;
    ctx.check(w.count("drop_call") == drops + 1, || {
        "the provider did not hear one drop".into()
    })?;
    ctx.check(w.count("close_call") == closes + 1, || {
        "the provider did not hear one close_call".into()
    })?;
    let snap = w.snapshot(ctx).await?;
    ctx.check(snap.calls.is_empty(), || {
        format!("calls left: {:?}", snap.calls)
    })?;
    ctx.check(
        snap.apps.len() == 1 && snap.pending_requests.is_empty(),
        || format!("left behind: {:?} {:?}", snap.apps, snap.pending_requests),
    )?;
    ctx.check(snap.lines[0].open, || {
        "the bystander's open went too".into()
    })?;
    Ok(())
}

/// When the sole owner shuts down while a monitor holds the call, the provider hears only the drop; the monitor sees IDLE and the call is closed when it deallocates.
///
/// Case `host/a_monitor_keeps_the_call_until_it_lets_go/1` and `server/a_monitor_keeps_the_call_until_it_lets_go/1`; source: lineShutdown; TSPI_lineCloseCall (last handle); tapi.md §4, §9.5 item 24.
pub async fn a_monitor_keeps_the_call_until_it_lets_go<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "owner").await?;
    let (m, mut em) = w.app::<A>(ctx, "monitor").await?;
    let (_, _, watched, _) = watched_data_call(ctx, &a, &mut ea, &m, &mut em).await?;
    let (drops, closes) = (w.count("drop_call"), w.count("close_call"));
    ctx.expect("shutdown", a.shutdown().await)?;
    state(ctx, &mut em, watched, CallState::Idle).await?;
    ctx.check(w.count("drop_call") == drops + 1, || {
        "the provider did not hear the drop".into()
    })?;
    ctx.check(w.count("close_call") == closes, || {
        "the call was closed while the monitor held it".into()
    })?;
    ctx.expect("deallocate (monitor)", m.deallocate_call(watched).await)?;
    settle().await;
    ctx.check(w.count("close_call") == closes + 1, || {
        "the call was not closed when the monitor let go".into()
    })?;
    let snap = w.snapshot(ctx).await?;
    ctx.check(snap.calls.is_empty(), || {
        format!("calls left: {:?}", snap.calls)
    })
}

/// Three owners of an incoming call: the sole owner of an active call cannot deallocate it; once IDLE each deallocates and nothing of the call is left.
///
/// Case `host/owners_deallocating_leave_nothing/1` and `server/owners_deallocating_leave_nothing/1`; source: lineDeallocateCall; tapi.md §2.7.
pub async fn owners_deallocating_leave_nothing<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let mut owners = Vec::new();
    for name in ["owner one", "owner two", "owner three"] {
        let (app, events) = w.app::<A>(ctx, name).await?;
        ctx.expect(
            "open",
            app.open_line(0, OpenOptions::owner(MediaModes::DATAMODEM))
                .await,
        )?;
        owners.push((app, events));
    }
    ctx.third(parties::calls_us_with_data(Duration::from_secs(1)))?;
    let mut handles = Vec::new();
    for (_, events) in &mut owners {
        let (_, call, privilege) = new_call(ctx, events).await?;
        ctx.check(privilege == CallPrivilege::OWNER, || {
            format!("an owner got {privilege}")
        })?;
        handles.push(call);
    }
    let (first, first_events) = &mut owners[0];
    let answered = ctx.expect("answer", first.answer(handles[0]).await)?;
    let done = reply(ctx, first_events, answered).await?;
    ctx.expect("answer's reply", done)?;
    state(ctx, first_events, handles[0], CallState::Connected).await?;
    // Co-owners may leave an active call; the last one may not.
    for (i, ((app, _), call)) in owners.iter().zip(&handles).enumerate().skip(1) {
        ctx.expect(
            &format!("co-owner {i} deallocates"),
            app.deallocate_call(*call).await,
        )?;
    }
    let refused = owners[0].0.deallocate_call(handles[0]).await;
    ctx.check(
        refused.as_ref().err().map(|e| e.kind()) == Some(LineErr::InvalCallState),
        || {
            format!(
                "the sole owner's deallocate_call of an active call: {}, expected LINEERR_INVALCALLSTATE",
                shown::outcome(&refused)
            )
        },
    )?;
    let (app, events) = &mut owners[0];
    let dropped = ctx.expect("drop", app.drop_call(handles[0]).await)?;
    let done = reply(ctx, events, dropped).await?;
    ctx.expect("drop's reply", done)?;
    state(ctx, events, handles[0], CallState::Idle).await?;
    ctx.expect(
        "deallocate once IDLE",
        app.deallocate_call(handles[0]).await,
    )?;
    settle().await;
    let snap = w.snapshot(ctx).await?;
    ctx.check(snap.calls.is_empty(), || {
        format!("calls left: {:?}", snap.calls)
    })?;
    ctx.check(snap.apps.iter().all(|a| a.calls.is_empty()), || {
        "call handles left".into()
    })
}

/// LineClose by the only application drops the call it solely owned and closes the line at the provider, which releases the device: another application opens it at once.
///
/// Case `host/close_releases_the_device/1` and `server/close_releases_the_device/1`; source: lineClose; TSPI_lineClose; tapi.md §4, §9.5 item 22.
pub async fn close_releases_the_device<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "only user").await?;
    let (line, _call) = connected_data_call(ctx, &a, &mut ea).await?;
    let (drops, closes) = (w.count("drop_call"), w.count("close"));
    ctx.expect("close_line", a.close_line(line).await)?;
    ctx.check(w.count("drop_call") == drops + 1, || {
        "the sole owner's call was not dropped".into()
    })?;
    ctx.check(w.count("close") == closes + 1, || {
        "the last close did not close the line at the provider".into()
    })?;
    let (b, _eb) = w.app::<A>(ctx, "next user").await?;
    ctx.expect(
        "open at once by another application",
        b.open_line(0, OpenOptions::none()).await,
    )?;
    Ok(())
}

/// When the provider closes a line (its device lost), every application that had it open hears LINE_CLOSE and its handles die.
///
/// Case `host/forced_close_reaches_every_application/1` and `server/forced_close_reaches_every_application/1`; source: LINE_CLOSE; tapi.md §4.
pub async fn forced_close_reaches_every_application<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "owner").await?;
    let (m, mut em) = w.app::<A>(ctx, "monitor").await?;
    let lm = ctx.expect(
        "open (monitor)",
        m.open_line(0, OpenOptions::monitor()).await,
    )?;
    let (la, call) = connected_data_call(ctx, &a, &mut ea).await?;
    ctx.set_device_present(false);
    for (events, line, who) in [(&mut ea, la, "the owner"), (&mut em, lm, "the monitor")] {
        let closed = next_where(ctx, events, &format!("LINE_CLOSE to {who}"), |e| match e {
            AppEvent::Close { line } => Some(*line),
            _ => None,
        })
        .await?;
        ctx.check(closed == line, || {
            format!("{who} heard LINE_CLOSE for {closed}, not {line}")
        })?;
    }
    let dead = a.drop_call(call).await;
    ctx.check(
        dead.as_ref().err().map(|e| e.kind()) == Some(LineErr::InvalCallHandle),
        || {
            format!(
                "drop_call on a call handle after LINE_CLOSE: {}, expected LINEERR_INVALCALLHANDLE",
                shown::outcome(&dead)
            )
        },
    )?;
    ctx.set_device_present(true);
    settle().await;
    ctx.pass(Duration::from_secs(1)).await;
    ctx.expect(
        "reopen once the device is back",
        a.open_line(0, OpenOptions::none()).await,
    )?;
    Ok(())
}

/// While a REINIT is pending, new applications and opens are refused with REINIT until every application has shut down; then the provider restarts and applications are welcome again.
///
/// Case `host/reinit_waits_for_every_application/1` and `server/reinit_waits_for_every_application/1`; source: LINEDEVSTATE_REINIT; LINEERR_REINIT; tapi.md §4.
pub async fn reinit_waits_for_every_application<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (a, mut ea) = w.app::<A>(ctx, "first").await?;
    let (b, mut eb) = w.app::<A>(ctx, "second").await?;
    ctx.expect("open", a.open_line(0, OpenOptions::none()).await)?;
    w.host.reinit().await;
    for (events, who) in [(&mut ea, "first"), (&mut eb, "second")] {
        next_where(ctx, events, &format!("REINIT to {who}"), |e| match e {
            AppEvent::LineDevState { states, .. } if states.contains(LineDevStates::REINIT) => {
                Some(())
            }
            _ => None,
        })
        .await?;
    }
    let late = A::start(w, "latecomer").await;
    ctx.check(
        late.as_ref().err().map(|e| e.kind()) == Some(LineErr::Reinit),
        || {
            format!(
                "a new application during REINIT: {}, expected LINEERR_REINIT",
                shown::outcome(&late)
            )
        },
    )?;
    let open = b.open_line(0, OpenOptions::none()).await;
    ctx.check(
        open.as_ref().err().map(|e| e.kind()) == Some(LineErr::Reinit),
        || {
            format!(
                "open_line during REINIT: {}, expected LINEERR_REINIT",
                shown::outcome(&open)
            )
        },
    )?;
    ctx.expect("shutdown (first)", a.shutdown().await)?;
    ctx.expect("shutdown (second)", b.shutdown().await)?;
    settle().await;
    let snap = w.snapshot(ctx).await?;
    ctx.check(!snap.reinit_pending, || {
        "REINIT still pending after every application shut down".into()
    })?;
    let (c, _ec) = w.app::<A>(ctx, "after the restart").await?;
    ctx.expect(
        "open after the restart",
        c.open_line(0, OpenOptions::none()).await,
    )?;
    Ok(())
}

/// TapiRequestMakeCall with no recipient answers NOREQUESTRECIPIENT; with recipients the request goes to the highest priority, which places the call; shutdown unregisters.
///
/// Case `host/assisted_telephony_by_priority/1` and `server/assisted_telephony_by_priority/1`; source: tapiRequestMakeCall, lineRegisterRequestRecipient, lineGetRequest; tapi.md §6, §9.5 item 25.
pub async fn assisted_telephony_by_priority<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let request = AssistedMakeCall {
        dest: FAR_NUMBER.into(),
        app_name: "address book".into(),
        called_party: "the far end".into(),
        comment: "conformance".into(),
    };
    let none = w.request_make_call(&request).await;
    ctx.check(none == Err(TapiErr::NoRequestRecipient), || {
        format!(
            "with no recipient: {}, expected TAPIERR_NOREQUESTRECIPIENT",
            shown::outcome(&none)
        )
    })?;
    let (low, mut el) = w.app::<A>(ctx, "low priority").await?;
    let (high, mut eh) = w.app::<A>(ctx, "high priority").await?;
    let make = RequestModes::MAKECALL;
    ctx.expect(
        "register (low)",
        low.register_request_recipient(make, 2, true).await,
    )?;
    ctx.expect(
        "register (high)",
        high.register_request_recipient(make, 1, true).await,
    )?;
    let queued = w.request_make_call(&request).await;
    ctx.check(queued.is_ok(), || format!("request_make_call: {queued:?}"))?;
    next_where(ctx, &mut eh, "LINE_REQUEST", |e| {
        matches!(e, AppEvent::Request { .. }).then_some(())
    })
    .await?;
    settle().await;
    ctx.check(
        !std::iter::from_fn(|| el.try_next()).any(|e| matches!(e, AppEvent::Request { .. })),
        || "the lower-priority recipient was told too".into(),
    )?;
    let got = ctx.expect("get_request", high.get_request(make).await)?;
    ctx.check(got == request, || {
        format!("the request changed on the way: {got:?}")
    })?;
    // The recipient places it.
    ctx.far(parties::echo_modem(1))?;
    let line = ctx.expect("open", high.open_line(0, OpenOptions::none()).await)?;
    let placed = ctx.expect(
        "make_call",
        high.make_call(line, Some(&got.dest), CallParams::data_modem())
            .await,
    )?;
    let done = reply(ctx, &mut eh, placed.request).await?;
    ctx.expect("make_call's reply", done)?;
    ctx.expect("shutdown (high)", high.shutdown().await)?;
    let snap = w.snapshot(ctx).await?;
    ctx.check(snap.request_recipients.len() == 1, || {
        "shutdown did not unregister the recipient".into()
    })?;
    Ok(())
}

/// The owner of a connected data call gets its comm/datamodem stream (a monitor is refused with NOTOWNER) and the far end's echo comes back through it.
///
/// Case `host/the_owner_reads_the_data_stream/1` and `server/the_owner_reads_the_data_stream/1`; source: lineGetID(comm/datamodem); tapi.md §7.
pub async fn the_owner_reads_the_data_stream<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (a, mut ea) = w.app::<A>(ctx, "owner").await?;
    let (m, mut em) = w.app::<A>(ctx, "monitor").await?;
    ctx.expect(
        "open (monitor)",
        m.open_line(0, OpenOptions::monitor()).await,
    )?;
    let (_, call) = connected_data_call(ctx, &a, &mut ea).await?;
    let (_, watched, _) = new_call(ctx, &mut em).await?;
    let refused = m
        .get_id(DeviceSelect::Call(watched), "comm/datamodem")
        .await;
    ctx.check(
        refused.as_ref().err().map(|e| e.kind()) == Some(LineErr::NotOwner),
        || format!("a monitor took the data stream: {:?}", refused.err()),
    )?;
    let got = ctx.expect(
        "get_id(comm/datamodem)",
        a.get_id(DeviceSelect::Call(call), "comm/datamodem").await,
    )?;
    let DeviceIdValue::DataStream { mut stream, .. } = got else {
        return Err(ctx.fail("comm/datamodem gave no stream"));
    };
    stream
        .write_all(b"through the host")
        .await
        .map_err(|e| ctx.fail(format!("write to the data stream: {e}")))?;
    let mut echoed = [0u8; 16];
    let read = tokio::time::timeout(
        ctx.real(Duration::from_secs(30)),
        stream.read_exact(&mut echoed),
    )
    .await;
    match read {
        Ok(Ok(_)) if &echoed == b"through the host" => Ok(()),
        other => Err(ctx.fail(format!(
            "no echo through the data stream: {other:?} {echoed:?}"
        ))),
    }
}

/// A client whose connection ends without a word is shut down as if it called lineShutdown: its
/// call dropped and closed, nothing of it left.
///
/// Case `server/a_dropped_connection_shuts_its_applications_down/1`; source: DESIGN.md (rpc);
/// TAPISRV ClientDetach; tapi.md §4, §5.
pub async fn a_dropped_connection_shuts_its_applications_down<A: AppSource>(
    ctx: &mut Ctx,
    w: &HostWorld,
) -> Result<(), Failure> {
    let (drops, closes) = (w.count("drop_call"), w.count("close_call"));
    {
        // A second connection, dropped without a word once its call is up.
        let client = tsp_sdk::rpc::Client::connect(w_socket(ctx, w)?).await;
        let client = ctx.expect("connect", client)?;
        let initialized = client.initialize("doomed").await;
        let (app, mut events) = ctx.expect("initialize", initialized)?;
        connected_data_call(ctx, &app, &mut events).await?;
    }
    let mut left = None;
    for _ in 0..200 {
        settle().await;
        let snap = w.snapshot(ctx).await?;
        if snap.apps.is_empty() && snap.calls.is_empty() {
            left = None;
            break;
        }
        left = Some(snap);
    }
    if let Some(snap) = left {
        return Err(ctx.fail(format!(
            "the dead connection left {:?} and {:?}",
            snap.apps, snap.calls
        )));
    }
    ctx.check(
        w.count("drop_call") == drops + 1 && w.count("close_call") == closes + 1,
        || {
            format!(
                "the provider saw drop_call {} and close_call {} more",
                w.count("drop_call") - drops,
                w.count("close_call") - closes
            )
        },
    )?;
    let _ = std::marker::PhantomData::<A>;
    Ok(())
}

fn w_socket(ctx: &Ctx, w: &HostWorld) -> Result<std::path::PathBuf, Failure> {
    w.socket()
        .ok_or_else(|| ctx.fail("this world has no socket"))
}
