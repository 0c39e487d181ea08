//! The host keeps each device's provider operations in order whichever task asks for them, and
//! its books agree with the provider after a refusal (T§1.3 item 6, §2.7, §4).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod host_support;

use host_support::*;
use tsp_sdk::host::{HandoffTarget, OpenOptions};
use tsp_sdk::spi::CallHandle;
use tsp_sdk::{CallPrivilege, DigitModes, LineErr};

/// The names of the logged operations among `ops`, in order.
fn names(w: &World, ops: &[&str]) -> Vec<String> {
    w.log
        .only(ops)
        .iter()
        .map(|e| e.split(' ').next().unwrap().to_owned())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn an_open_waits_for_the_close_that_an_application_dropped_without_shutdown_left_queued() {
    let w = world(2).await;
    let (b, mut eb) = w.app("callee").await;
    b.open_line(1, owner(VOICE)).await.unwrap();
    let (a, mut ea) = w.app("forgetful").await;
    let la = a.open_line(0, OpenOptions::none()).await.unwrap();
    placed_call(&a, &mut ea, la).await;
    new_call(&mut eb).await;
    w.log.clear();
    // Dropped without shutdown: its plan (drop the call it solely owns, close it, close the
    // line) is queued; the next open of the device comes before that plan's task has run.
    drop((a, ea));
    let (c, _ec) = w.app("next").await;
    c.open_line(0, OpenOptions::none()).await.unwrap();
    assert_eq!(
        names(&w, &["drop_call", "close_call", "close", "open"]),
        vec!["drop_call", "close_call", "close", "open"],
        "the sole owner's call is dropped and closed, then the line closed, before it opens again"
    );
    settle().await;
    assert_eq!(w.log.count("drop_call"), 1, "nothing runs twice");
    let violations = w.host.session(0).unwrap().violations();
    assert!(violations.is_empty(), "{violations:?}");
}

#[tokio::test(start_paused = true)]
async fn a_request_the_provider_refuses_at_once_leaves_no_pending_request_behind() {
    let w = world(2).await;
    let (a, mut ea) = w.app("dialer").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    let first = placed_call(&a, &mut ea, la).await;
    w.refuse.set(&["dial"]);
    assert_eq!(
        a.dial(first.call, "5").await.err().map(|e| e.kind()),
        Some(LineErr::OperationFailed)
    );
    let snap = w.host.snapshot();
    assert!(
        snap.pending_requests.is_empty(),
        "the refused dial is not pending: {:?}",
        snap.pending_requests
    );
    assert!(snap.apps[0].pending_requests.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_call_still_being_created_cannot_be_handed_off_nor_change_privilege() {
    let w = world(2).await;
    let (a, mut ea) = w.app("a").await;
    let (b, _eb) = w.app("b").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    b.open_line(0, owner(VOICE)).await.unwrap();
    w.loopback.hold_requests(true);
    let placed = a
        .make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    assert_eq!(
        a.handoff(placed.call, HandoffTarget::App("b".into()))
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::InvalCallState),
        "no event may announce a call before its reply"
    );
    assert_eq!(
        a.set_call_privilege(placed.call, CallPrivilege::MONITOR)
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::InvalCallState)
    );
    w.loopback.release_requests();
    reply(&mut ea, placed.request).await.unwrap();
    a.handoff(placed.call, HandoffTarget::App("b".into()))
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn two_reinits_asked_at_once_pair_every_init_with_a_shutdown() {
    let w = world(1).await;
    tokio::join!(w.host.reinit(), w.host.reinit());
    settle().await;
    let ops = w.log.only(&["init", "shutdown"]);
    assert!(ops.len() >= 3, "{ops:?}");
    for (i, op) in ops.iter().enumerate() {
        let want = if i % 2 == 0 { "init" } else { "shutdown" };
        assert_eq!(op, want, "init and shutdown alternate: {ops:?}");
    }
    assert!(!w.host.snapshot().reinit_pending);
    let (a, _ea) = w.app("after").await;
    a.open_line(0, owner(VOICE)).await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_stopped_host_refuses_applications_and_calls_no_provider_after_its_shutdown() {
    let w = world(2).await;
    let (a, _ea) = w.app("a").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    a.make_call(la, Some("101"), Default::default())
        .await
        .unwrap();
    w.host.stop().await;
    assert_eq!(w.log.all().last().map(String::as_str), Some("shutdown"));
    let calls_before = w.log.all().len();
    assert_eq!(
        a.open_line(1, owner(VOICE)).await.err().map(|e| e.kind()),
        Some(LineErr::InvalAppHandle)
    );
    assert_eq!(
        w.host.initialize("late").await.err().map(|e| e.kind()),
        Some(LineErr::Uninitialized)
    );
    w.host.reinit().await;
    settle().await;
    assert_eq!(
        w.log.all().len(),
        calls_before,
        "nothing after the provider's shutdown"
    );
}

#[tokio::test(start_paused = true)]
async fn a_digit_monitor_the_provider_refused_is_sent_again_when_asked_again() {
    let w = world(2).await;
    let (a, mut ea) = w.app("a").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    let placed = placed_call(&a, &mut ea, la).await;
    w.refuse.set(&["monitor_digits"]);
    assert_eq!(
        a.monitor_digits(placed.call, DigitModes::DTMF)
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::OperationFailed)
    );
    w.refuse.set(&[]);
    w.log.clear();
    a.monitor_digits(placed.call, DigitModes::DTMF)
        .await
        .unwrap();
    assert_eq!(
        w.log.count("monitor_digits"),
        1,
        "the refused union was not taken as in force"
    );
}

#[tokio::test(start_paused = true)]
async fn an_open_whose_new_union_the_provider_refuses_fails_and_leaves_the_line_as_it_was() {
    let w = world(1).await;
    let (a, _ea) = w.app("voice").await;
    let (b, _eb) = w.app("data").await;
    a.open_line(0, owner(VOICE)).await.unwrap();
    w.refuse.set(&["detect"]);
    assert_eq!(
        b.open_line(0, owner(DATA)).await.err().map(|e| e.kind()),
        Some(LineErr::OperationFailed)
    );
    w.refuse.set(&[]);
    let snap = w.host.snapshot();
    assert_eq!(snap.lines[0].opens.len(), 1, "only the first open is left");
    w.log.clear();
    b.open_line(0, owner(DATA)).await.unwrap();
    assert_eq!(
        w.log.only(&["detect"]),
        vec![format!("detect {:#x}", (VOICE | DATA).bits())],
        "the union is sent when the open succeeds"
    );
}

#[tokio::test(start_paused = true)]
async fn the_session_refuses_to_close_a_call_it_does_not_know_without_asking_the_provider() {
    let w = world(1).await;
    let session = w.host.session(0).unwrap();
    assert_eq!(
        session
            .close_call(CallHandle(4242))
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::InvalCallHandle)
    );
    assert_eq!(w.log.count("close_call"), 0);
}
