//! Fax the Unimodem way through `ModemProvider` on a real T.31 modem, both ways: two Debian
//! iaxmodems call each other over IAX2 on loopback (spandsp's Class 1 modem,
//! `.ci/iaxmodem-pair`); the provider places (or answers) a G3FAX call on one, and the
//! application's own T.30 (`tsp_sim::t30::FaxTerminal`) runs over the call's
//! `comm/datamodem` stream to (or from) Debian's `efax` on the other. efax is the judge: it
//! must end well, and the page must arrive as sent, row for row.
//!
//! Ignored by default (it needs efax, iaxmodem and root); `.ci/run` installs them and runs it
//! with `--ignored`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tsp-sim/tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use support::efax::{
    assert_efax_received, assert_same_rows, efax, page, receiving_efax, rows, t4_page, t4_rows,
    text_rows,
};
use support::{Reader, iaxmodem_pair_named, program};
use tsp_modem::transport::SerialPortOpener;
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::host::{ProviderSession, SessionConfig};
use tsp_sdk::sink::Delivery;
use tsp_sdk::spi::{
    ByteStream, CallHandle, CallParams, CallStateChange, DeviceClass, DeviceId, DeviceIdValue,
    GetId, LineEvent, ProviderDyn, Select,
};
use tsp_sdk::{CallState, MediaModes, Version};
use tsp_sim::t30::{FaxTerminal, Options, Page};

/// How long the whole session may take (real time; a page takes about 20 s).
const SESSION: Duration = Duration::from_secs(120);

/// Waits for `call` to reach `state`, failing with what came instead.
async fn wait_state(
    deliveries: &mut tsp_sdk::sink::Deliveries,
    call: CallHandle,
    state: CallState,
    seen: &mut Vec<String>,
) {
    let deadline = tokio::time::Instant::now() + SESSION;
    loop {
        match tokio::time::timeout_at(deadline, deliveries.recv()).await {
            Ok(Some(Delivery::Event {
                event:
                    LineEvent::CallState {
                        call: c, state: s, ..
                    },
                ..
            })) if c == call => {
                seen.push(format!("{s}"));
                if s.state() == state {
                    return;
                }
                assert!(
                    !matches!(s, CallStateChange::Disconnected(_) | CallStateChange::Idle),
                    "the call ended before {state}: {seen:?}"
                );
            }
            Ok(Some(other)) => seen.push(format!("{other:?}")),
            other => panic!("waiting for {state}: {other:?}\nseen: {seen:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's efax and iaxmodem and root: run with --ignored; .ci/run installs them"]
async fn an_applications_t30_sends_a_page_through_modem_provider_and_an_iaxmodem_to_efax() {
    let pair = iaxmodem_pair_named("IAXPA0", "IAXPB0");
    let dir = tempfile::tempdir().unwrap();
    let mut rx = receiving_efax(&pair.devices[1], dir.path());
    let mut rx_log = Reader::new(rx.stderr.take().unwrap(), "the receiving efax");
    let mut efax_said = rx_log.expect_text("waiting for activity").await;

    let (session, mut deliveries) = provider_on(&pair.devices[0]).await;
    let line = session.open(DeviceId(0), Version::V2_2).await.unwrap();
    let accepted = session
        .make_call(line, Some("5550101"), 0, CallParams::g3_fax())
        .await
        .unwrap();
    let call = accepted.call;
    let mut seen = Vec::new();
    wait_state(&mut deliveries, call, CallState::Connected, &mut seen).await;
    let stream = fax_stream(&session, call).await;

    let page = Page::from_t4(t4_page(dir.path()));
    let mut app = FaxTerminal::new(stream, Options::new("+1 800 555 1212"));
    let sent = app.send(std::slice::from_ref(&page)).await;
    let app_log = app.log().join("\n");
    drop(app);
    hang_up(&session, &mut deliveries, call, line, &mut seen).await;
    let status = tokio::time::timeout(SESSION, rx.wait()).await;
    efax_said.push_str(&rx_log.rest().await);
    let sent = sent.unwrap_or_else(|e| panic!("{e}\nour T.30:\n{app_log}\nefax:\n{efax_said}"));
    assert_eq!(sent.pages, 1);
    assert_efax_received(&status, &efax_said, &app_log, "+1 800 555 1212");
    assert_same_rows(
        rows(&dir.path().join("received.001")),
        text_rows(dir.path()),
        0,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's efax and iaxmodem and root: run with --ignored; .ci/run installs them"]
async fn efax_sends_a_page_through_an_iaxmodem_to_an_applications_t30_on_modem_provider() {
    let pair = iaxmodem_pair_named("IAXPC0", "IAXPD0");
    let dir = tempfile::tempdir().unwrap();
    let (session, mut deliveries) = provider_on(&pair.devices[0]).await;
    let line = session.open(DeviceId(0), Version::V2_2).await.unwrap();
    session
        .set_default_media_detection(line, MediaModes::G3FAX)
        .await
        .unwrap();
    // Opening the line reset modem A (ATZ), and an iaxmodem refuses calls for 5 s after an
    // on-hook (iaxmodem-notes.md, rule 1): efax then gets NO DIALTONE and gives up, and is run
    // again once the busy-out is over, as a person would.
    let mut seen = Vec::new();
    let mut tries = 0;
    let (call, tx) = loop {
        tokio::time::sleep(Duration::from_millis(5_500)).await;
        tries += 1;
        let mut tx = sending_efax(&pair.devices[1], dir.path());
        let call = loop {
            tokio::select! {
                delivery = tokio::time::timeout(SESSION, deliveries.recv()) => match delivery {
                    Ok(Some(Delivery::NewCall { call, .. })) => break Some(call),
                    Ok(Some(other)) => seen.push(format!("{other:?}")),
                    other => panic!("waiting for the fax call: {other:?}\nseen: {seen:?}"),
                },
                ended = tx.wait() => {
                    assert!(tries < 3, "efax could not call A {tries} times: {ended:?}");
                    break None;
                }
            }
        };
        if let Some(call) = call {
            break (call, tx);
        }
    };
    wait_state(&mut deliveries, call, CallState::Offering, &mut seen).await;
    let info = session.call_info(call).await.unwrap();
    assert!(
        info.media_mode.contains(MediaModes::G3FAX),
        "{:?}",
        info.media_mode
    );
    session.answer(call, Vec::new()).await.unwrap();
    wait_state(&mut deliveries, call, CallState::Connected, &mut seen).await;
    let mut app = FaxTerminal::new(
        fax_stream(&session, call).await,
        Options::new("+1 800 555 1212"),
    );
    let received = app.receive().await;
    let app_log = app.log().join("\n");
    drop(app);
    hang_up(&session, &mut deliveries, call, line, &mut seen).await;
    let out = tokio::time::timeout(SESSION, tx.wait_with_output()).await;
    let (code, efax_said) = match out {
        Ok(Ok(out)) => (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        other => panic!("the sending efax did not finish: {other:?}"),
    };
    let received =
        received.unwrap_or_else(|e| panic!("{e}\nour T.30:\n{app_log}\nefax:\n{efax_said}"));
    assert_eq!(
        code,
        Some(0),
        "efax failed:\n{efax_said}\nour T.30:\n{app_log}"
    );
    assert_eq!(received.remote_ident, "+1 800 555 0100", "efax's TSI");
    assert_eq!(received.pages.len(), 1);
    // Below efax's 20-row header band.
    let got = t4_rows(received.pages[0].t4(), dir.path());
    assert_same_rows(got, text_rows(dir.path()), 20);
}

/// efax sending the test page from `device` to 5550100 (any number rings the other iaxmodem).
fn sending_efax(device: &std::path::Path, dir: &std::path::Path) -> tokio::process::Child {
    efax(
        &program("efax", "efax"),
        &[
            "-d",
            device.to_str().unwrap(),
            "-o1",
            "-l",
            "+1 800 555 0100",
            "-v",
            "ewinchrt",
            "-t",
            "5550100",
            page(dir).to_str().unwrap(),
        ],
    )
}

/// Drops `call` until IDLE, closes it and closes `line`.
async fn hang_up(
    session: &ProviderSession,
    deliveries: &mut tsp_sdk::sink::Deliveries,
    call: CallHandle,
    line: tsp_sdk::spi::LineHandle,
    seen: &mut Vec<String>,
) {
    session.drop_call(call, Vec::new()).await.unwrap();
    wait_state(deliveries, call, CallState::Idle, seen).await;
    session.close_call(call).await.unwrap();
    session.close(line).await.unwrap();
}

/// A `ModemProvider` with one line on `device`, in a session (TSPI 2.2).
async fn provider_on(device: &std::path::Path) -> (ProviderSession, tsp_sdk::sink::Deliveries) {
    let opener = Arc::new(SerialPortOpener::new(device, 115_200));
    let provider: Arc<dyn ProviderDyn> = Arc::new(ModemProvider::new(vec![ModemLineConfig::new(
        "iaxmodem A",
        opener,
    )]));
    let config = SessionConfig {
        low: Version::V2_2,
        high: Version::V2_2,
        ..SessionConfig::default()
    };
    ProviderSession::start(provider, config).await.unwrap()
}

/// The CONNECTED call's `comm/datamodem` stream.
async fn fax_stream(session: &ProviderSession, call: CallHandle) -> Box<dyn ByteStream> {
    let got = session
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new(DeviceClass::COMM_DATAMODEM),
        })
        .await
        .unwrap();
    let DeviceIdValue::DataStream { stream, port } = got else {
        panic!("get_id(comm/datamodem) gave no stream");
    };
    assert!(port.contains("IAX"), "the stream's port {port}");
    stream
}
