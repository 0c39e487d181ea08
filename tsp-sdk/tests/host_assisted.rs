//! Assisted Telephony: request recipients by priority, the queue, "no recipient" (T§6).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod host_support;

use host_support::*;
use tsp_sdk::host::{AppEvent, AssistedMakeCall};
use tsp_sdk::{LineErr, RequestModes, TapiErr};

const MAKECALL: RequestModes = RequestModes::MAKECALL;

#[tokio::test(start_paused = true)]
async fn with_no_recipient_a_request_is_answered_norequestrecipient() {
    let w = world(1).await;
    let got = w.host.request_make_call(&AssistedMakeCall::new("5550100"));
    assert_eq!(got, Err(TapiErr::NoRequestRecipient));
    assert_eq!(TapiErr::NoRequestRecipient.code(), -2);
}

#[tokio::test(start_paused = true)]
async fn a_request_goes_to_the_highest_priority_recipient_only() {
    let w = world(1).await;
    let (low, mut el) = w.app("low").await;
    let (high, mut eh) = w.app("high").await;
    let (unlisted, mut eu) = w.app("unlisted").await;
    unlisted
        .register_request_recipient(MAKECALL, 0, true)
        .await
        .unwrap();
    low.register_request_recipient(MAKECALL, 2, true)
        .await
        .unwrap();
    high.register_request_recipient(MAKECALL, 1, true)
        .await
        .unwrap();
    let request = AssistedMakeCall {
        dest: "+1 (425) 555-0100".into(),
        app_name: "spreadsheet".into(),
        called_party: "Jane".into(),
        comment: "quarterly numbers".into(),
    };
    w.host.request_make_call(&request).unwrap();
    next_where(&mut eh, "LINE_REQUEST", |e| {
        matches!(e, AppEvent::Request { mode } if *mode == MAKECALL).then_some(())
    })
    .await;
    settle().await;
    assert!(drain(&mut el).is_empty() && drain(&mut eu).is_empty());
    assert_eq!(
        low.get_request(MAKECALL).await.err().map(|e| e.kind()),
        Some(LineErr::NoRequest),
        "not the highest priority"
    );
    assert_eq!(high.get_request(MAKECALL).await.unwrap(), request);
    assert_eq!(
        high.get_request(MAKECALL).await.err().map(|e| e.kind()),
        Some(LineErr::NoRequest),
        "taken"
    );
    let snap = w.host.snapshot();
    let order: Vec<_> = snap
        .request_recipients
        .iter()
        .map(|r| r.app_name.as_str())
        .collect();
    assert_eq!(order, vec!["high", "low", "unlisted"]);
}

#[tokio::test(start_paused = true)]
async fn unregistering_hands_the_queue_to_the_next_recipient_and_shutdown_unregisters() {
    let w = world(1).await;
    let (first, _ef) = w.app("first").await;
    let (second, mut es) = w.app("second").await;
    first
        .register_request_recipient(MAKECALL, 1, true)
        .await
        .unwrap();
    second
        .register_request_recipient(MAKECALL, 2, true)
        .await
        .unwrap();
    w.host
        .request_make_call(&AssistedMakeCall::new("5550100"))
        .unwrap();
    w.host
        .request_make_call(&AssistedMakeCall::new("5550101"))
        .unwrap();
    first
        .register_request_recipient(MAKECALL, 1, false)
        .await
        .unwrap();
    for _ in 0..2 {
        next_where(&mut es, "LINE_REQUEST", |e| {
            matches!(e, AppEvent::Request { .. }).then_some(())
        })
        .await;
    }
    assert_eq!(second.get_request(MAKECALL).await.unwrap().dest, "5550100");
    assert_eq!(
        first.get_request(MAKECALL).await.err().map(|e| e.kind()),
        Some(LineErr::NotRegistered)
    );
    second.shutdown().await.unwrap();
    assert!(w.host.snapshot().request_recipients.is_empty());
    assert_eq!(
        w.host.snapshot().assisted_queue.len(),
        1,
        "the request waits for a recipient"
    );
    // A new recipient hears about what waits.
    let (third, mut et) = w.app("third").await;
    third
        .register_request_recipient(MAKECALL, 0, true)
        .await
        .unwrap();
    next_where(&mut et, "LINE_REQUEST", |e| {
        matches!(e, AppEvent::Request { .. }).then_some(())
    })
    .await;
    assert_eq!(third.get_request(MAKECALL).await.unwrap().dest, "5550101");
}

#[tokio::test(start_paused = true)]
async fn requests_are_checked_truncated_and_bounded() {
    let w = world_with(1, |b| b.assisted_queue_capacity(2)).await;
    let (r, _er) = w.app("recipient").await;
    assert_eq!(
        r.register_request_recipient(RequestModes::MEDIACALL, 1, true)
            .await
            .err()
            .map(|e| e.kind()),
        Some(LineErr::InvalRequestMode)
    );
    r.register_request_recipient(MAKECALL, 1, true)
        .await
        .unwrap();
    assert_eq!(
        w.host.request_make_call(&AssistedMakeCall::new("  ")),
        Err(TapiErr::InvalDestAddress)
    );
    let long = AssistedMakeCall {
        dest: "9".repeat(200),
        app_name: "a".repeat(100),
        called_party: "p".repeat(100),
        comment: "c".repeat(200),
    };
    w.host.request_make_call(&long).unwrap();
    w.host
        .request_make_call(&AssistedMakeCall::new("1"))
        .unwrap();
    assert_eq!(
        w.host.request_make_call(&AssistedMakeCall::new("2")),
        Err(TapiErr::RequestQueueFull)
    );
    let got = r.get_request(MAKECALL).await.unwrap();
    assert_eq!(
        (
            got.dest.len(),
            got.app_name.len(),
            got.called_party.len(),
            got.comment.len()
        ),
        (79, 39, 39, 79)
    );
}
