//! Calls through the host: replies to the requester only, offering by media mode, ownership,
//! handoff, privileges, deallocation (T§1.1, §2.7).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod host_support;

use host_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::host::{AppEvent, DeviceSelect, HandoffTarget, InitialOwners, OpenOptions};
use tsp_sdk::spi::{CallParams, DeviceIdValue};
use tsp_sdk::{CallInfoStates, CallPrivilege, CallState, DigitModes, LineErr, MediaModes};

#[tokio::test(start_paused = true)]
async fn a_reply_reaches_the_requesting_application_only() {
    let w = world(2).await;
    let (a, mut ea) = w.app("caller").await;
    let (b, mut eb) = w.app("bystander").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    b.open_line(0, OpenOptions::none()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    settle().await;
    assert!(
        drain(&mut eb).is_empty(),
        "b opened with NONE: no reply, no handle to a's call"
    );
}

#[tokio::test(start_paused = true)]
async fn request_ids_are_unique_while_pending_across_applications() {
    let w = world(4).await;
    w.loopback.hold_requests(true);
    let mut seen = std::collections::HashSet::new();
    let mut apps = Vec::new();
    for (i, name) in ["one", "two", "three", "four"].into_iter().enumerate() {
        let (app, events) = w.app(name).await;
        let line = app.open_line(i as u32, OpenOptions::none()).await.unwrap();
        let placed = app
            .make_call(line, Some("100"), Default::default())
            .await
            .unwrap();
        assert!(
            seen.insert(placed.request),
            "{} given twice",
            placed.request
        );
        assert!((1..=0x7FFF_FFFF).contains(&placed.request.get()));
        apps.push((app, events, placed));
    }
    assert_eq!(w.host.snapshot().pending_requests.len(), 4);
    w.loopback.hold_requests(false);
    for (_, events, placed) in &mut apps {
        reply(events, placed.request).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn an_incoming_call_is_offered_to_every_owner_of_its_media_mode_and_monitors_see_it() {
    let w = world(2).await;
    let (caller, _ec) = w.app("caller").await;
    let (v1, mut e1) = w.app("voice one").await;
    let (v2, mut e2) = w.app("voice two").await;
    let (fax, mut ef) = w.app("fax only").await;
    let (mon, mut em) = w.app("monitor").await;
    let from = caller.open_line(0, OpenOptions::none()).await.unwrap();
    v1.open_line(1, owner(VOICE)).await.unwrap();
    v2.open_line(1, owner(VOICE)).await.unwrap();
    fax.open_line(1, owner(MediaModes::G3FAX)).await.unwrap();
    mon.open_line(1, OpenOptions::monitor()).await.unwrap();
    caller
        .make_call(from, Some("101"), Default::default())
        .await
        .unwrap();
    for events in [&mut e1, &mut e2] {
        let (_, call, privilege) = new_call(events).await;
        assert_eq!(privilege, CallPrivilege::OWNER);
        let first = next_where(events, "the first state", |e| match e {
            AppEvent::CallState {
                call: c,
                state,
                privilege,
                ..
            } if *c == call => Some((state.state(), *privilege)),
            _ => None,
        })
        .await;
        assert_eq!(first, (CallState::Offering, Some(CallPrivilege::OWNER)));
    }
    let (_, _, privilege) = new_call(&mut em).await;
    assert_eq!(privilege, CallPrivilege::MONITOR);
    settle().await;
    assert!(
        !drain(&mut ef)
            .iter()
            .any(|e| matches!(e, AppEvent::NewCall { .. })),
        "a fax owner is not offered a voice call"
    );
    let snap = w.host.snapshot();
    let offered = snap.calls.iter().find(|c| c.device == 1).unwrap();
    assert_eq!((offered.owners.len(), offered.monitors.len()), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn with_highest_priority_owners_only_the_first_opener_is_offered_the_call() {
    let w = world_with(2, |b| b.initial_owners(InitialOwners::HighestPriority)).await;
    let (caller, _ec) = w.app("caller").await;
    let (first, mut e1) = w.app("first").await;
    let (second, mut e2) = w.app("second").await;
    let from = caller.open_line(0, OpenOptions::none()).await.unwrap();
    first.open_line(1, owner(VOICE)).await.unwrap();
    second
        .open_line(1, owner(VOICE).and_monitor())
        .await
        .unwrap();
    caller
        .make_call(from, Some("101"), Default::default())
        .await
        .unwrap();
    assert_eq!(new_call(&mut e1).await.2, CallPrivilege::OWNER);
    assert_eq!(
        new_call(&mut e2).await.2,
        CallPrivilege::MONITOR,
        "owner|monitor gets a monitor handle when it loses"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_nobody_can_own_is_dropped_by_the_host_and_closed_once_its_monitor_lets_go() {
    let w = world(2).await;
    let (data, _ed) = w.app("data owner").await;
    let (watcher, mut ew) = w.app("watcher").await;
    data.open_line(1, owner(DATA)).await.unwrap();
    watcher.open_line(1, OpenOptions::monitor()).await.unwrap();
    // A careless provider announces a voice call although the line detects data only.
    w.loopback
        .ring_ignoring_detection(1, "5550123", VOICE)
        .unwrap();
    let (_, call, privilege) = new_call(&mut ew).await;
    assert_eq!(privilege, CallPrivilege::MONITOR);
    state(&mut ew, call, CallState::Idle).await;
    assert_eq!(
        w.log.only(&["drop_call", "close_call"]).len(),
        1,
        "dropped, not closed while watched: {:?}",
        w.log.all()
    );
    assert!(w.host.snapshot().calls[0].dropped_by_host);
    watcher.deallocate_call(call).await.unwrap();
    assert_eq!(
        w.log.count("close_call"),
        1,
        "closed when the last handle went"
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_nobody_holds_at_all_is_dropped_and_closed_at_once() {
    let w = world(2).await;
    let (data, _ed) = w.app("data owner").await;
    data.open_line(1, owner(DATA)).await.unwrap();
    w.loopback
        .ring_ignoring_detection(1, "5550123", VOICE)
        .unwrap();
    settle().await;
    let calls = w.log.only(&["drop_call", "close_call"]);
    assert_eq!(calls.len(), 2, "{:?}", w.log.all());
    assert!(calls[0].starts_with("drop_call") && calls[1].starts_with("close_call"));
    assert!(w.host.snapshot().calls.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_monitor_cannot_drop_a_call_and_another_applications_call_handle_is_refused() {
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
    assert_eq!(
        m.drop_call(watched).await.err().map(|e| e.kind()),
        Some(LineErr::NotOwner)
    );
    assert_eq!(
        m.drop_call(placed.call).await.err().map(|e| e.kind()),
        Some(LineErr::InvalCallHandle)
    );
    assert_eq!(
        a.drop_call(watched).await.err().map(|e| e.kind()),
        Some(LineErr::InvalCallHandle)
    );
    assert_eq!(
        m.get_id(DeviceSelect::Call(watched), "comm/datamodem")
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::NotOwner),
        "one application reads a call's data stream: its owner"
    );
    assert!(
        w.log.all().is_empty(),
        "the provider never heard of them: {:?}",
        w.log.all()
    );
}

#[tokio::test(start_paused = true)]
async fn the_sole_owner_cannot_deallocate_an_active_call_but_can_once_idle() {
    let w = world(2).await;
    let (a, mut ea) = w.app("owner").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let refused = a.deallocate_call(placed.call).await;
    assert_eq!(
        refused.err().map(|e| e.kind()),
        Some(LineErr::InvalCallState)
    );
    let dropped = a.drop_call(placed.call).await.unwrap();
    reply(&mut ea, dropped).await.unwrap();
    state(&mut ea, placed.call, CallState::Idle).await;
    a.deallocate_call(placed.call).await.unwrap();
    assert_eq!(w.log.only(&["drop_call", "close_call"]).len(), 2);
    a.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn a_reply_arrives_exactly_once_even_when_the_call_was_deallocated_before_it_was_read() {
    let w = world(2).await;
    let (a, mut ea) = w.app("owner").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    // The provider holds the drop: it completes only when the call is closed.
    w.loopback.hold_requests(true);
    let dropped = a.drop_call(placed.call).await.unwrap();
    // Not IDLE yet: the sole owner cannot deallocate; a second owner can be made to, though —
    // here the owner waits for nothing: release, deallocate, then read.
    w.loopback.release_requests();
    settle().await;
    a.deallocate_call(placed.call).await.unwrap();
    let replies: Vec<_> = drain(&mut ea)
        .into_iter()
        .filter_map(|e| match e {
            AppEvent::Reply { request, result } => Some((request, result.is_ok())),
            _ => None,
        })
        .collect();
    assert_eq!(
        replies,
        vec![(dropped, true)],
        "the reply was queued before the deallocation and is read after"
    );
}

#[tokio::test(start_paused = true)]
async fn a_pending_request_on_a_deallocated_call_is_answered_when_the_provider_closes_it() {
    let w = world(2).await;
    let (a, mut ea) = w.app("owner").await;
    let (b, mut eb) = w.app("co-owner").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    b.open_line(0, OpenOptions::monitor()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let (_, theirs, _) = new_call(&mut eb).await;
    b.set_call_privilege(theirs, CallPrivilege::OWNER)
        .await
        .unwrap();
    w.loopback.hold_requests(true);
    let secured = a.secure_call(placed.call).await.unwrap();
    a.deallocate_call(placed.call).await.unwrap(); // b still owns it
    b.drop_call(theirs).await.unwrap();
    w.loopback.release_requests();
    let result = reply(&mut ea, secured).await;
    assert!(result.is_ok(), "{result:?}");
    settle().await;
    assert!(
        !drain(&mut ea)
            .iter()
            .any(|e| matches!(e, AppEvent::Reply { .. })),
        "exactly once"
    );
}

#[tokio::test(start_paused = true)]
async fn three_owners_each_deallocating_leave_nothing_of_the_call() {
    let w = world(2).await;
    let (caller, mut ec) = w.app("caller").await;
    let from = caller.open_line(0, OpenOptions::none()).await.unwrap();
    let mut owners = Vec::new();
    for name in ["one", "two", "three"] {
        let (app, events) = w.app(name).await;
        app.open_line(1, owner(VOICE)).await.unwrap();
        owners.push((app, events));
    }
    let placed = caller
        .make_call(from, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ec, placed.request).await.unwrap();
    let mut handles = Vec::new();
    for (_, events) in &mut owners {
        handles.push(new_call(events).await.1);
    }
    let dropped = owners[0].0.drop_call(handles[0]).await.unwrap();
    reply(&mut owners[0].1, dropped).await.unwrap();
    for ((app, events), call) in owners.iter_mut().zip(&handles) {
        state(events, *call, CallState::Idle).await;
        app.deallocate_call(*call).await.unwrap();
    }
    caller.drop_call(placed.call).await.ok();
    state(&mut ec, placed.call, CallState::Idle).await;
    caller.deallocate_call(placed.call).await.unwrap();
    let snap = w.host.snapshot();
    assert!(snap.calls.is_empty(), "{:?}", snap.calls);
    assert!(snap.apps.iter().all(|a| a.calls.is_empty()));
    assert_eq!(
        w.log.count("close_call"),
        2,
        "one close_call per provider call: {:?}",
        w.log.all()
    );
    let sizes = w.host.session(0).unwrap().sink_sizes();
    assert_eq!(sizes.live_calls, 0);
    // Table by table: no handle, request or queued operation of the call is left.
    let tables = snap.tables;
    assert_eq!(
        (
            tables.calls,
            tables.call_handles,
            tables.provider_requests,
            tables.app_request_ids,
            tables.queued_operations
        ),
        (0, 0, 0, 0, 0),
        "{tables:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn directed_handoff_gives_ownership_and_the_others_hear_the_count() {
    let w = world(2).await;
    let (a, mut ea) = w.app("dialer").await;
    let (fax, mut ef) = w.app("Fax Server").await;
    let (m, mut em) = w.app("monitor").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    fax.open_line(0, owner(MediaModes::G3FAX)).await.unwrap();
    m.open_line(0, OpenOptions::monitor()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), CallParams::g3_fax())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    new_call(&mut em).await;
    assert_eq!(
        a.handoff(placed.call, HandoffTarget::App("nobody".into()))
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::TargetNotFound)
    );
    a.handoff(placed.call, HandoffTarget::App("fax server".into()))
        .await
        .unwrap();
    let (_, handed, privilege) = new_call(&mut ef).await;
    assert_eq!(privilege, CallPrivilege::OWNER);
    next_where(&mut ef, "the state with OWNER", |e| match e {
        AppEvent::CallState {
            call,
            privilege: Some(CallPrivilege::OWNER),
            ..
        } if *call == handed => Some(()),
        _ => None,
    })
    .await;
    let changed = next_where(&mut em, "the count change", |e| match e {
        AppEvent::CallInfo { changed, .. } if changed.contains(CallInfoStates::NUMOWNERINCR) => {
            Some(*changed)
        }
        _ => None,
    })
    .await;
    assert!(changed.contains(CallInfoStates::NUMOWNERINCR));
    let info = a.call_info(placed.call).await.unwrap();
    assert_eq!(
        (info.num_owners, info.num_monitors),
        (2, 1),
        "the sender keeps its privilege"
    );
    assert_eq!(info.origin_app.as_deref(), Some("dialer"));
    // Handing off to oneself succeeds and changes nothing.
    a.handoff(placed.call, HandoffTarget::App("DIALER".into()))
        .await
        .ok();
}

#[tokio::test(start_paused = true)]
async fn handoff_by_media_mode_picks_the_first_opener_and_refuses_itself() {
    let w = world(2).await;
    let (a, mut ea) = w.app("voice app").await;
    let (b, mut eb) = w.app("data app").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    b.open_line(0, owner(DATA)).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let handoff = |m| a.handoff(placed.call, HandoffTarget::MediaMode(m));
    assert_eq!(
        handoff(VOICE).await.err().map(|e| e.kind()),
        Some(LineErr::TargetSelf)
    );
    assert_eq!(
        handoff(VOICE | DATA).await.err().map(|e| e.kind()),
        Some(LineErr::InvalMediaMode)
    );
    assert_eq!(
        handoff(MediaModes::G3FAX).await.err().map(|e| e.kind()),
        Some(LineErr::TargetNotFound)
    );
    assert_eq!(
        handoff(MediaModes::UNKNOWN).await.err().map(|e| e.kind()),
        Some(LineErr::TargetNotFound),
        "the last owner's handoff to UNKNOWN fails: drop it"
    );
    handoff(DATA).await.unwrap();
    assert_eq!(new_call(&mut eb).await.2, CallPrivilege::OWNER);
}

#[tokio::test(start_paused = true)]
async fn privileges_change_within_the_rules() {
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
    let set = |app: &tsp_sdk::host::App, call, p| {
        let app = app.clone();
        async move {
            app.set_call_privilege(call, p)
                .await
                .err()
                .map(|e| e.kind())
        }
    };
    assert_eq!(
        set(&a, placed.call, CallPrivilege::MONITOR).await,
        Some(LineErr::InvalCallState),
        "the sole owner of an active call"
    );
    assert_eq!(
        set(&a, placed.call, CallPrivilege::NONE).await,
        Some(LineErr::InvalCallPrivilege)
    );
    assert_eq!(set(&m, watched, CallPrivilege::OWNER).await, None);
    assert_eq!(
        a.call_status(placed.call).await.unwrap().privilege,
        CallPrivilege::OWNER
    );
    let changed = next_where(&mut ea, "the count change", |e| match e {
        AppEvent::CallInfo { changed, .. } => Some(*changed),
        _ => None,
    })
    .await;
    assert_eq!(
        changed,
        CallInfoStates::NUMOWNERINCR | CallInfoStates::NUMMONITORS
    );
    assert_eq!(
        set(&a, placed.call, CallPrivilege::MONITOR).await,
        None,
        "no longer the sole owner"
    );
    assert_eq!(
        m.call_status(watched).await.unwrap().privilege,
        CallPrivilege::OWNER
    );
}

#[tokio::test(start_paused = true)]
async fn get_new_calls_gives_monitor_handles_to_calls_placed_before_the_open() {
    let w = world(2).await;
    let (a, mut ea) = w.app("owner").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let (late, _el) = w.app("late").await;
    let ll = late.open_line(0, OpenOptions::none()).await.unwrap();
    let found = late.get_new_calls(ll).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        late.call_status(found[0]).await.unwrap().privilege,
        CallPrivilege::MONITOR
    );
    assert!(
        late.get_new_calls(ll).await.unwrap().is_empty(),
        "not twice"
    );
}

#[tokio::test(start_paused = true)]
async fn digits_reach_only_the_holders_that_asked_and_generation_ends_at_its_requester() {
    let w = world(2).await;
    let (a, mut ea) = w.app("caller").await;
    let (b, mut eb) = w.app("callee").await;
    let (m, mut em) = w.app("monitor").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    b.open_line(1, owner(VOICE)).await.unwrap();
    m.open_line(1, OpenOptions::monitor()).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let (_, incoming, _) = new_call(&mut eb).await;
    let (_, watched, _) = new_call(&mut em).await;
    let answered = b.answer(incoming).await.unwrap();
    reply(&mut eb, answered).await.unwrap();
    b.monitor_digits(incoming, DigitModes::DTMF).await.unwrap();
    assert_eq!(
        m.monitor_digits(watched, DigitModes::PULSE)
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::InvalDigitMode)
    );
    a.generate_digits(placed.call, DigitModes::DTMF, Some("42"), 0)
        .await
        .unwrap();
    let digits: Vec<char> = [
        next_where(&mut eb, "digit", |e| match e {
            AppEvent::MonitorDigits { digit, .. } => Some(*digit),
            _ => None,
        })
        .await,
        next_where(&mut eb, "digit", |e| match e {
            AppEvent::MonitorDigits { digit, .. } => Some(*digit),
            _ => None,
        })
        .await,
    ]
    .into();
    assert_eq!(digits, vec!['4', '2']);
    next_where(&mut ea, "the generation's end", |e| {
        matches!(e, AppEvent::Generate { .. }).then_some(())
    })
    .await;
    settle().await;
    assert!(
        !drain(&mut em)
            .iter()
            .any(|e| matches!(e, AppEvent::MonitorDigits { .. })),
        "the monitor did not ask"
    );
    assert!(
        w.log.all().contains(&"monitor_digits 2 0x2".to_owned())
            || w.log.only(&["monitor_digits"]).len() == 1
    );
}

#[tokio::test(start_paused = true)]
async fn a_connected_call_gives_its_owner_the_data_stream() {
    let w = world(2).await;
    let (a, mut ea) = w.app("caller").await;
    let (b, mut eb) = w.app("callee").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    b.open_line(1, owner(DATA)).await.unwrap();
    let placed = a
        .make_call(la, Some("101"), CallParams::data_modem())
        .await
        .unwrap();
    reply(&mut ea, placed.request).await.unwrap();
    let (_, incoming, _) = new_call(&mut eb).await;
    let answered = b.answer(incoming).await.unwrap();
    reply(&mut eb, answered).await.unwrap();
    state(&mut ea, placed.call, CallState::Connected).await;
    let (
        DeviceIdValue::DataStream { stream: mut s1, .. },
        DeviceIdValue::DataStream { stream: mut s2, .. },
    ) = (
        a.get_id(DeviceSelect::Call(placed.call), "comm/datamodem")
            .await
            .unwrap(),
        b.get_id(DeviceSelect::Call(incoming), "COMM/DATAMODEM")
            .await
            .unwrap(),
    )
    else {
        panic!("not streams");
    };
    s1.write_all(b"ATDT? no: data").await.unwrap();
    let mut buf = [0u8; 14];
    s2.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ATDT? no: data");
}

#[tokio::test(start_paused = true)]
async fn make_call_parameters_are_checked_against_the_line_before_the_provider() {
    let w = world(2).await;
    let (a, _ea) = w.app("caller").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    w.log.clear();
    let tries = [
        (
            CallParams {
                media_mode: MediaModes::TELEX,
                ..Default::default()
            },
            LineErr::InvalMediaMode,
        ),
        (
            CallParams {
                media_mode: VOICE | DATA,
                ..Default::default()
            },
            LineErr::InvalMediaMode,
        ),
        (
            CallParams {
                bearer_mode: tsp_sdk::BearerModes::DATA,
                ..Default::default()
            },
            LineErr::InvalBearerMode,
        ),
        (
            CallParams {
                address: tsp_sdk::spi::AddressId(3),
                ..Default::default()
            },
            LineErr::InvalAddressId,
        ),
    ];
    for (params, kind) in tries {
        let got = a.make_call(la, Some("101"), params.clone()).await;
        assert_eq!(got.err().map(|e| e.kind()), Some(kind), "{params:?}");
    }
    assert!(w.log.all().is_empty());
}

#[tokio::test(start_paused = true)]
async fn secure_on_an_address_that_cannot_secure_is_refused_before_the_provider() {
    let narrowed = Narrowed {
        no_secure_address: true,
        ..Narrowed::default()
    };
    let w = world_narrowed(2, narrowed, |b| b).await;
    let (a, mut ea) = w.app("caller").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    w.log.clear();
    let refused = a
        .make_call(la, Some("101"), CallParams::default().secure())
        .await
        .err()
        .unwrap();
    assert_eq!(refused.kind(), LineErr::InvalCallParams, "{refused}");
    assert!(w.log.all().is_empty(), "{:?}", w.log.all());
    // Without SECURE the same call goes through.
    let placed = placed_call(&a, &mut ea, la).await;
    a.drop_call(placed.call).await.unwrap();
    a.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn an_operation_the_provider_does_not_offer_is_refused_before_the_provider() {
    let narrowed = Narrowed {
        capabilities: Some(tsp_sdk::spi::Capabilities {
            answer: true,
            ..tsp_sdk::spi::Capabilities::default()
        }),
        ..Narrowed::default()
    };
    let w = world_narrowed(2, narrowed, |b| b).await;
    let (a, mut ea) = w.app("caller").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    let placed = placed_call(&a, &mut ea, la).await;
    w.log.clear();
    let secured = a.secure_call(placed.call).await.err().unwrap();
    assert_eq!(secured.kind(), LineErr::OperationUnavail, "{secured}");
    let digits = a
        .monitor_digits(placed.call, tsp_sdk::DigitModes::DTMF)
        .await
        .err()
        .unwrap();
    assert_eq!(digits.kind(), LineErr::OperationUnavail, "{digits}");
    assert!(
        w.log.all().is_empty(),
        "the provider never heard of them: {:?}",
        w.log.all()
    );
    a.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}
