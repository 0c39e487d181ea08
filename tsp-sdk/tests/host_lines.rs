//! The host's lines: one provider-level open per device for every application, the unions of
//! their media modes and filters, the checks before the provider is called (T§2.7, §5).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod host_support;

use host_support::*;
use tsp_sdk::host::{AppEvent, Line, OpenOptions};
use tsp_sdk::{CallPrivilege, LineDevStates, LineErr, MediaModes, Version};

#[tokio::test(start_paused = true)]
async fn one_provider_open_serves_every_application_with_the_union_of_their_media_modes() {
    let w = world(2).await;
    let (a, _ea) = w.app("fax server").await;
    let (b, _eb) = w.app("data server").await;
    let (c, _ec) = w.app("watcher").await;
    a.open_line(0, owner(MediaModes::G3FAX)).await.unwrap();
    b.open_line(0, owner(DATA)).await.unwrap();
    c.open_line(0, OpenOptions::monitor()).await.unwrap();
    assert_eq!(w.log.count("open"), 1, "{:?}", w.log.all());
    assert_eq!(
        w.log.only(&["detect"]),
        vec!["detect 0x20", "detect 0x30"],
        "the union grows as owners come; a monitor adds nothing"
    );
    let snap = w.host.snapshot();
    assert_eq!(snap.lines[0].opens.len(), 3);
    assert_eq!(snap.lines[0].media_modes, vec!["DATAMODEM", "G3FAX"]);
    let status = c
        .line_status(Line(snap.lines[0].opens[2].line))
        .await
        .unwrap();
    assert_eq!(status.num_opens, 3);
    assert_eq!(
        status.open_media_modes,
        MediaModes::DATAMODEM | MediaModes::G3FAX
    );
}

#[tokio::test(start_paused = true)]
async fn the_union_is_sent_again_when_an_owner_leaves_and_the_last_close_releases_the_device() {
    let w = world(1).await;
    let (a, _ea) = w.app("a").await;
    let (b, _eb) = w.app("b").await;
    let la = a.open_line(0, owner(MediaModes::G3FAX)).await.unwrap();
    let lb = b.open_line(0, owner(DATA)).await.unwrap();
    a.close_line(la).await.unwrap();
    assert_eq!(
        w.log.only(&["detect"]),
        vec!["detect 0x20", "detect 0x30", "detect 0x10"]
    );
    assert_eq!(w.log.count("close"), 0, "b still has the line open");
    b.close_line(lb).await.unwrap();
    assert_eq!(
        w.log.count("close"),
        1,
        "the last close closes the line at the provider"
    );
    // The device is free at once: a new open reaches the provider again.
    let again = a.open_line(0, owner(VOICE)).await.unwrap();
    assert_eq!(w.log.count("open"), 2);
    a.close_line(again).await.unwrap();
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn other_openers_hear_open_and_close_only_when_they_asked_for_it() {
    let w = world(1).await;
    let (a, mut ea) = w.app("listens").await;
    let (b, mut eb) = w.app("does not").await;
    let la = a.open_line(0, OpenOptions::monitor()).await.unwrap();
    b.open_line(0, OpenOptions::monitor()).await.unwrap();
    a.set_status_messages(
        la,
        LineDevStates::OPEN | LineDevStates::CLOSE,
        Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        w.log.only(&["status"]),
        vec!["status 0x600"],
        "the provider hears the union"
    );
    let (c, _ec) = w.app("newcomer").await;
    let lc = c.open_line(0, OpenOptions::none()).await.unwrap();
    c.close_line(lc).await.unwrap();
    settle().await;
    let heard: Vec<_> = drain(&mut ea)
        .into_iter()
        .filter_map(|e| match e {
            AppEvent::LineDevState { states, .. } => Some(states),
            _ => None,
        })
        .collect();
    assert_eq!(heard, vec![LineDevStates::OPEN, LineDevStates::CLOSE]);
    assert!(
        drain(&mut eb).is_empty(),
        "b did not select OPEN or CLOSE (reporting starts disabled)"
    );
}

#[tokio::test(start_paused = true)]
async fn the_status_filter_union_is_sent_again_when_an_opener_leaves() {
    let w = world(1).await;
    let (a, _ea) = w.app("wants rings").await;
    let (b, _eb) = w.app("wants everything about opens").await;
    let la = a.open_line(0, OpenOptions::monitor()).await.unwrap();
    let lb = b.open_line(0, OpenOptions::monitor()).await.unwrap();
    a.set_status_messages(la, LineDevStates::RINGING, Default::default())
        .await
        .unwrap();
    b.set_status_messages(
        lb,
        LineDevStates::OPEN | LineDevStates::CLOSE,
        Default::default(),
    )
    .await
    .unwrap();
    b.close_line(lb).await.unwrap();
    assert_eq!(
        w.log.only(&["status"]),
        vec!["status 0x2", "status 0x602", "status 0x2"],
        "the union grows, then shrinks back when b leaves"
    );
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
    w.assert_nothing_left().await;
}

#[tokio::test(start_paused = true)]
async fn open_checks_privileges_media_versions_and_devices_before_the_provider() {
    let w = world(1).await;
    let (a, _ea) = w.app("checker").await;
    let bad_privileges = OpenOptions {
        privileges: CallPrivilege::NONE | CallPrivilege::OWNER,
        ..owner(VOICE)
    };
    let cases = [
        (0, bad_privileges, LineErr::InvalPrivSelect),
        (0, owner(MediaModes::empty()), LineErr::InvalMediaMode),
        (0, owner(MediaModes::TELEX), LineErr::InvalMediaMode),
        (
            0,
            owner(VOICE).version(Version::new(9, 0)),
            LineErr::IncompatibleApiVersion,
        ),
        (7, owner(VOICE), LineErr::BadDeviceId),
    ];
    for (device, options, kind) in cases {
        let got = a.open_line(device, options).await;
        assert_eq!(
            got.err().map(|e| e.kind()),
            Some(kind),
            "{options:?} on {device}"
        );
    }
    assert!(
        w.log.all().iter().all(|e| !e.starts_with("open")),
        "the provider never saw them: {:?}",
        w.log.all()
    );
    // A monitor's or NONE's media modes are ignored, not checked.
    let monitor = OpenOptions {
        media_modes: MediaModes::TELEX,
        ..OpenOptions::monitor()
    };
    assert!(a.open_line(0, monitor).await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn another_applications_line_handle_is_refused_and_the_provider_never_hears_of_it() {
    let w = world(2).await;
    let (a, _ea) = w.app("a").await;
    let (b, _eb) = w.app("b").await;
    let la = a.open_line(0, owner(VOICE)).await.unwrap();
    w.log.clear();
    let stolen = b.make_call(la, Some("101"), Default::default()).await;
    assert_eq!(
        stolen.err().map(|e| e.kind()),
        Some(LineErr::InvalLineHandle)
    );
    assert_eq!(
        b.close_line(la).await.err().map(|e| e.kind()),
        Some(LineErr::InvalLineHandle)
    );
    assert_eq!(
        b.close_line(Line(999)).await.err().map(|e| e.kind()),
        Some(LineErr::InvalLineHandle)
    );
    assert!(w.log.all().is_empty(), "{:?}", w.log.all());
    a.shutdown().await.unwrap();
    assert_eq!(
        a.open_line(0, owner(VOICE)).await.err().map(|e| e.kind()),
        Some(LineErr::InvalAppHandle),
        "a shut-down application's handle is dead"
    );
}
