//! The modem provider on a real serial path: a simulated modem on a pseudo-terminal opened through
//! `tokio-serial`. A pty has no control lines, so the provider detects carrier loss in band and
//! hangs up with `+++` and `ATH`. Real I/O runs on real time; the network runs 50 times faster.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use provider_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_modem::transport::SerialPortOpener;
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::dial::Location;
use tsp_sdk::spi::*;
use tsp_sdk::{CallState, ConnectedMode, LineErr};
use tsp_sim::exchange::LineConfig;
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::network::{Network, TimeScale};
use tsp_sim::pty::PtyLink;
use tsp_sim::sim::Sim;

/// The provider on a pty to a `modem` on line OURS (the network 50 times faster than life),
/// `far` on line FAR; not opened yet.
async fn pty_world(
    seed: u64,
    modem: Profile,
    far: tsp_sim::far_end::ScriptedParty,
    location: Location,
) -> (World, PtyLink) {
    let mut network = Network::builder()
        .seed(seed)
        .time_scale(TimeScale::new(0.02).unwrap())
        .build(Instant::now());
    let ours = network.add_line(LineConfig::new(OURS));
    let far_line = network.add_line(LineConfig::new(FAR));
    let device = network.attach_device(ours, SimModem::new(modem)).unwrap();
    network.attach_party(far_line, far).unwrap();
    let sim = Sim::start(network);
    let pty = PtyLink::spawn(&sim, device).unwrap();
    let opener = Arc::new(SerialPortOpener::new(pty.path(), 115_200));
    let config = ModemLineConfig::new("pty line", opener).with_location(location);
    let world = World::with_provider(
        sim,
        ModemProvider::new(vec![config]),
        device,
        ours,
        far_line,
    )
    .await;
    (world, pty)
}

#[tokio::test]
async fn a_data_call_over_a_pty_connects_carries_bytes_and_hangs_up() {
    let (mut world, pty) = pty_world(
        5,
        Profile::usr5637(),
        data_answerer(1),
        Location::default().with_cancel_call_waiting("*70"),
    )
    .await;
    world.open().await.unwrap();

    let caps = world
        .provider
        .line_caps(DeviceId(0), tsp_sdk::Version::V2_2)
        .await
        .unwrap();
    assert!(
        caps.provider_info.contains("U.S. Robotics"),
        "{}",
        caps.provider_info
    );

    let (call, _) = world
        .make_call(Some(FAR), secure(CallParams::data_modem()))
        .await
        .unwrap();
    let state = world.wait_state(call, CallState::Connected).await;
    assert_eq!(state, CallStateChange::Connected(ConnectedMode::ACTIVE));
    assert!(
        world.dte_input().contains("ATDT*70,5550101\r"),
        "{}",
        world.dte_input()
    );

    let mut stream = world.stream(call).await.unwrap();
    stream.write_all(b"over the pty").await.unwrap();
    let mut echoed = [0u8; 12];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut echoed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&echoed, b"over the pty");

    let dropped = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(dropped).await, Ok(()));
    let input = world.dte_input();
    assert!(
        input.contains("+++") && input.contains("ATH\r"),
        "no DTR on a pty: escape and ATH\n{input}"
    );
    let far_line = world.far;
    assert!(
        !world
            .sim
            .with(|net, _| net.party(far_line).unwrap().is_connected())
    );
    world.close_call(call).await;
    world.close().await;

    // The port is released: it opens again at once.
    world.open().await.unwrap();
    let err = world
        .make_call(Some("T555$1"), CallParams::data_modem())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::DialBilling);
    world.session.shutdown().await.unwrap();
    world.assert_no_violations();
    drop(pty);
}

#[tokio::test]
async fn dropping_a_voice_call_while_it_records_ends_the_recording_then_hangs_up() {
    let (mut world, pty) =
        pty_world(6, Profile::v250(), voice_answerer(), Location::default()).await;
    let device = world.device;
    world.open().await.unwrap();
    let params = CallParams {
        media_mode: tsp_sdk::MediaModes::AUTOMATEDVOICE,
        ..CallParams::default()
    };
    let (call, _) = world.make_call(Some(FAR), params).await.unwrap();
    world.wait_state(call, CallState::Connected).await;
    let got = world
        .session
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new("wave/in"),
        })
        .await
        .unwrap();
    let DeviceIdValue::DataStream { mut stream, .. } = got else {
        panic!("wave/in gave no stream");
    };
    let mut first = [0u8; 16];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut first))
        .await
        .unwrap()
        .unwrap();
    // The application drops the call while the modem records (and still holds the stream).
    let dropped = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(dropped).await, Ok(()));
    let input = world.dte_input();
    let end = input
        .find("\u{10}!")
        .expect("the recording's end went to the modem");
    let hang_up = input.rfind("ATH\r").expect("then ATH");
    assert!(end < hang_up, "{input:?}");
    assert!(!input.contains("+++"), "no escape in voice mode: {input:?}");
    assert!(
        !world
            .sim
            .with(|net, _| net.device::<SimModem>(device).unwrap().is_off_hook()),
        "the modem hung up"
    );
    drop(stream);
    world.close_call(call).await;
    world.session.shutdown().await.unwrap();
    world.assert_no_violations();
    drop(pty);
}
