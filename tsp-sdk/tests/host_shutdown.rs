//! Shutdown that leaves nothing behind: lineClose, lineShutdown, forced close, removal, REINIT,
//! slow readers (T§4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod host_support;

use host_support::*;
use tsp_sdk::host::{AppEvent, OpenOptions};
use tsp_sdk::{CallState, LineDevStates, LineErr};

#[tokio::test(start_paused = true)]
async fn close_drops_the_calls_the_application_solely_owned_then_closes_them_at_once() {
    let w = world(2).await;
    let (a, mut ea) = w.app("owner").await;
    let (b, mut eb) = w.app("callee").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    b.open_line(1, owner(VOICE)).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let (_, theirs, _) = new_call(&mut eb).await;
    w.log.clear();
    a.close_line(la).await.unwrap();
    let ops: Vec<String> = w
        .log
        .only(&["drop_call", "close_call", "close"])
        .iter()
        .map(|e| e.split(' ').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        ops,
        vec!["drop_call", "close_call", "close"],
        "drop, close_call without waiting, then the last close"
    );
    state(&mut eb, theirs, CallState::Disconnected).await;
    assert_eq!(
        a.drop_call(placed.call).await.err().map(|e| e.kind()),
        Some(LineErr::InvalCallHandle),
        "its handles died with the line"
    );
}

#[tokio::test(start_paused = true)]
async fn a_sole_owner_shutting_down_with_a_monitor_present_drops_and_the_call_closes_after_the_monitor_lets_go()
 {
    let w = world(2).await;
    let (a, mut ea) = w.app("owner").await;
    let (m, mut em) = w.app("monitor").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    m.open_line(0, OpenOptions::monitor()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let (_, watched, _) = new_call(&mut em).await;
    w.log.clear();
    a.shutdown().await.unwrap();
    while ea.next().await.is_some() {} // what was queued, then the end
    assert_eq!(
        w.log.only(&["drop_call", "close_call"]).len(),
        1,
        "only the drop: {:?}",
        w.log.all()
    );
    state(&mut em, watched, CallState::Idle).await;
    m.deallocate_call(watched).await.unwrap();
    assert_eq!(w.log.only(&["drop_call", "close_call"]).len(), 2);
    m.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn shutdown_cancels_pending_requests_then_ends_the_stream() {
    let w = world(2).await;
    let (a, mut ea) = w.app("impatient").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    w.loopback.hold_requests(true);
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    assert_eq!(w.host.snapshot().pending_requests.len(), 1);
    a.shutdown().await.unwrap();
    let mut rest = Vec::new();
    while let Some(e) = ea.next().await {
        rest.push(e);
    }
    assert!(
        matches!(rest.as_slice(), [AppEvent::Reply { request, result: Err(e) }] if *request == placed.request && e.kind() == LineErr::OperationFailed),
        "{rest:?}"
    );
    assert_eq!(
        w.loopback.held_requests(),
        0,
        "closing the line aborted the held request"
    );
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn a_forced_close_reaches_every_application_that_had_the_line_open() {
    let w = world(2).await;
    let (a, mut ea) = w.app("a").await;
    let (b, mut eb) = w.app("b").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    let lb = b.open_line(0, OpenOptions::monitor()).await.unwrap();
    w.loopback.force_close(0);
    for (events, line) in [(&mut ea, la), (&mut eb, lb)] {
        let closed = next_where(events, "LINE_CLOSE", |e| match e {
            AppEvent::Close { line } => Some(*line),
            _ => None,
        })
        .await;
        assert_eq!(closed, line);
    }
    settle().await;
    assert_eq!(w.log.count("close"), 1, "the host acknowledged with close");
    assert_eq!(
        a.close_line(la).await.err().map(|e| e.kind()),
        Some(LineErr::InvalLineHandle)
    );
    // The device can be opened again.
    a.open_line(0, owner(VOICE)).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_forced_close_with_a_call_up_closes_the_call_before_the_line() {
    let w = world(2).await;
    let (a, mut ea) = w.app("caller").await;
    let (b, mut eb) = w.app("watcher").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    b.open_line(0, OpenOptions::monitor()).await.unwrap();
    let placed = placed_call(&a, &mut ea, la).await;
    let (_, watched, _) = new_call(&mut eb).await;
    w.log.clear();
    w.loopback.force_close(0);
    for events in [&mut ea, &mut eb] {
        next_where(events, "LINE_CLOSE", |e| {
            matches!(e, AppEvent::Close { .. }).then_some(())
        })
        .await;
    }
    settle().await;
    let ops = w.log.all();
    let close_call = ops.iter().position(|o| o.starts_with("close_call"));
    let close = ops.iter().position(|o| o.starts_with("close "));
    assert!(
        matches!((close_call, close), (Some(cc), Some(c)) if cc < c),
        "close_call before close: {ops:?}"
    );
    // Both handles died with the line: nothing of the call is left.
    for (app, call) in [(&a, placed.call), (&b, watched)] {
        assert_eq!(
            app.call_info(call).await.err().map(|e| e.kind()),
            Some(LineErr::InvalCallHandle)
        );
    }
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn a_removed_device_is_closed_under_its_openers_told_to_everyone_and_answers_nodevice() {
    let w = world(2).await;
    let (a, mut ea) = w.app("had it open").await;
    let (b, mut eb) = w.app("did not").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    w.loopback.remove_device(0);
    let first = next_where(&mut ea, "close", |e| {
        matches!(e, AppEvent::Close { .. } | AppEvent::Remove { .. }).then(|| e.clone())
    })
    .await;
    assert!(
        matches!(first, AppEvent::Close { line } if line == la),
        "Close first: {first:?}"
    );
    next_where(&mut ea, "remove", |e| {
        matches!(e, AppEvent::Remove { device: 0 }).then_some(())
    })
    .await;
    next_where(&mut eb, "remove", |e| {
        matches!(e, AppEvent::Remove { device: 0 }).then_some(())
    })
    .await;
    assert_eq!(
        b.open_line(0, owner(VOICE)).await.err().map(|e| e.kind()),
        Some(LineErr::NoDevice)
    );
    assert_eq!(
        b.line_caps(0, tsp_sdk::Version::V2_2)
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::NoDevice)
    );
    assert!(w.host.snapshot().lines[0].removed);
}

#[tokio::test(start_paused = true)]
async fn reinit_refuses_newcomers_until_every_application_has_shut_down_then_restarts_the_providers()
 {
    let w = world(1).await;
    let (a, mut ea) = w.app("a").await;
    let (b, mut eb) = w.app("b").await;
    a.open_line(0, owner(VOICE)).await.unwrap();
    w.host.reinit().await;
    for events in [&mut ea, &mut eb] {
        next_where(events, "REINIT", |e| match e {
            AppEvent::LineDevState { states, .. } if states.contains(LineDevStates::REINIT) => {
                Some(())
            }
            _ => None,
        })
        .await;
    }
    assert_eq!(
        w.host.initialize("late").await.err().map(|e| e.kind()),
        Some(LineErr::Reinit)
    );
    assert_eq!(
        b.open_line(0, owner(VOICE)).await.err().map(|e| e.kind()),
        Some(LineErr::Reinit)
    );
    a.shutdown().await.unwrap();
    assert!(w.host.snapshot().reinit_pending);
    b.shutdown().await.unwrap();
    assert!(!w.host.snapshot().reinit_pending);
    assert_eq!(
        w.log.only(&["init", "shutdown"]),
        vec!["init", "shutdown", "init"]
    );
    let (c, _ec) = w.app("after").await;
    c.open_line(0, owner(VOICE)).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_provider_reinit_is_heard_by_every_application() {
    let w = world(1).await;
    let (a, mut ea) = w.app("a").await;
    let (_b, mut eb) = w.app("b with no line").await;
    a.open_line(0, OpenOptions::none()).await.unwrap();
    w.loopback.request_reinit();
    for events in [&mut ea, &mut eb] {
        next_where(events, "REINIT", |e| match e {
            AppEvent::LineDevState {
                line: None, states, ..
            } if *states == LineDevStates::REINIT => Some(()),
            _ => None,
        })
        .await;
    }
    assert!(w.host.snapshot().reinit_pending);
}

#[tokio::test(start_paused = true)]
async fn an_application_that_stops_reading_loses_droppable_events_but_never_replies_nor_stalls_others()
 {
    let w = world_with(2, |b| b.event_queue_capacity(4)).await;
    let (slow, mut es) = w.app("slow").await;
    let (fast, mut ef) = w.app("fast").await;
    let ls = slow.open_line(1, OpenOptions::none()).await.unwrap();
    slow.set_status_messages(
        ls,
        LineDevStates::OPEN | LineDevStates::CLOSE,
        Default::default(),
    )
    .await
    .unwrap();
    // A call to nowhere: a reply, then four call states.
    let placed = slow
        .make_call(ls, Some("199"), Default::default())
        .await
        .unwrap();
    // Someone else keeps opening and closing the line: twenty droppable notices for slow.
    for _ in 0..10 {
        let lf = fast.open_line(1, OpenOptions::none()).await.unwrap();
        fast.close_line(lf).await.unwrap();
    }
    let lf = fast.open_line(0, OpenOptions::none()).await.unwrap();
    let other = fast
        .make_call(lf, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ef, other.request).await.unwrap();
    settle().await;
    let got = drain(&mut es);
    assert!(
        got.iter()
            .any(|e| matches!(e, AppEvent::Reply { request, .. } if *request == placed.request)),
        "replies are never discarded: {got:?}"
    );
    let lost: u64 = got
        .iter()
        .filter_map(|e| match e {
            AppEvent::EventsLost { count } => Some(*count),
            _ => None,
        })
        .sum();
    assert!(lost >= 20, "{got:?}");
    let snap = w.host.snapshot();
    let slow_view = snap.apps.iter().find(|a| a.name == "slow").unwrap();
    assert_eq!(slow_view.events_lost, lost);
}

#[tokio::test(start_paused = true)]
async fn an_application_owing_too_many_replies_gets_requestoverrun() {
    let w = world_with(2, |b| b.max_outstanding_requests(2)).await;
    let (a, _ea) = w.app("greedy").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    settle().await;
    // One reply unread; a second request is allowed, a third is not until the replies are read.
    a.secure_call(placed.call).await.unwrap();
    settle().await;
    let third = a.secure_call(placed.call).await;
    assert_eq!(third.err().map(|e| e.kind()), Some(LineErr::RequestOverrun));
}

#[tokio::test(start_paused = true)]
async fn an_application_dropped_without_shutdown_is_shut_down() {
    let w = world(2).await;
    {
        let (a, _ea) = w.app("forgetful").await;
        let la = a.open_line(0, OpenOptions::none()).await.unwrap();
        a.make_call(la, Some("101"), Default::default())
            .await
            .unwrap();
    }
    settle().await;
    w.assert_nothing_left().await;
}
