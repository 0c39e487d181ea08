//! Open, close, shutdown and device loss (T§4): the port is released so it opens again at once,
//! pending requests complete first, a lost device ends the call and asks for a close, and no task
//! outlives close or shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::sync::Arc;
use std::time::Duration;

use provider_support::fake::FakeModem;
use provider_support::*;
use tsp_modem::transport::SimPortOpener;
use tsp_modem::{ModemLineConfig, ModemProvider};
use tsp_sdk::spi::*;
use tsp_sdk::{CallState, DisconnectMode, LineErr, Version};

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(start_paused = true)]
async fn a_device_lost_mid_call_ends_the_call_and_asks_for_a_close() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    world.sim.set_port_present(world.device, false);
    world
        .wait_until("LINE_CLOSE", Duration::from_secs(10), |s| *s == Seen::Close)
        .await;
    let states = world.states(call);
    assert_eq!(
        &states[states.len() - 2..],
        [
            CallStateChange::Disconnected(DisconnectMode::UNAVAIL),
            CallStateChange::Idle
        ]
    );
    // Until the host closes, the line answers but places nothing.
    let err = world
        .make_call(Some(FAR), CallParams::data_modem())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalLineState);
    world.close_call(call).await;
    world.close().await;
    // The device is back: the line opens again.
    world.sim.set_port_present(world.device, true);
    world.open().await.unwrap();
    let again = world.data_call(FAR).await;
    world.wait_state(again, CallState::Connected).await;
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_device_lost_while_dialing_fails_nothing_twice() {
    let never = tsp_sim::far_end::ScriptedParty::builder()
        .never_answer()
        .build(std::time::Instant::now());
    let mut world = World::builder().far(Some(never)).build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Dialing).await;
    world.sim.set_port_present(world.device, false);
    world
        .wait_until("LINE_CLOSE", Duration::from_secs(10), |s| *s == Seen::Close)
        .await;
    assert_eq!(world.states(call).last(), Some(&CallStateChange::Idle));
    world.close().await;
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn closing_the_line_hangs_up_and_the_port_opens_again_at_once() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let far = world.far;
    world.close().await;
    let connected = world
        .sim
        .with(|net, _| net.party(far).unwrap().is_connected());
    assert!(
        !connected,
        "CLOSEDROP: the far end was released\n{}",
        world.sim.transcript()
    );
    assert!(
        world.sim.open_port(world.device).is_ok(),
        "the port is free at once"
    );
    world.open().await.unwrap();
    let again = world.data_call(FAR).await;
    world.wait_state(again, CallState::Connected).await;
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn close_completes_a_pending_make_call_before_it_returns() {
    let mut world = World::builder().build().await;
    let (_call, request) = world
        .make_call(Some(FAR), CallParams::data_modem())
        .await
        .unwrap();
    world.close().await;
    assert_eq!(
        world.wait_completion(request).await,
        Err(LineErr::OperationFailed)
    );
    assert!(
        !world.seen.iter().any(|s| matches!(s, Seen::State(..))),
        "{:#?}",
        world.seen
    );
    world.assert_no_violations();
    assert!(world.sim.open_port(world.device).is_ok());
}

#[tokio::test(start_paused = true)]
async fn close_call_on_a_connected_call_hangs_up_and_reports_nothing_more() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let before = world.states(call).len();
    world.close_call(call).await;
    world.drain(Duration::from_secs(10)).await;
    assert_eq!(world.states(call).len(), before);
    let far = world.far;
    assert!(
        !world
            .sim
            .with(|net, _| net.party(far).unwrap().is_connected())
    );
    let status = world.provider.line_status(world.line).await.unwrap();
    assert!(
        status
            .line_features
            .contains(tsp_sdk::LineFeatures::MAKECALL)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_second_open_is_allocated_and_so_is_a_port_taken_by_another_provider() {
    let world = World::builder().build().await;
    let err = world
        .provider
        .open(OpenLine {
            device: DeviceId(0),
            line: LineHandle(9),
            version: Version::V2_2,
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::Allocated);
    let opener = Arc::new(SimPortOpener::new(world.sim.clone(), world.device));
    let other = ModemProvider::new(vec![ModemLineConfig::new("other", opener)]);
    let mut rival = World::with_provider(
        world.sim.clone(),
        other,
        world.device,
        world.ours,
        world.far,
    )
    .await;
    let err = rival.open().await.unwrap_err();
    assert_eq!(err.kind(), LineErr::Allocated, "{err}");
    assert!(err.to_string().contains("sim:device 0"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn an_unplugged_modem_cannot_be_opened() {
    let mut world = World::builder().build_closed().await;
    world.sim.set_port_present(world.device, false);
    let err = world.open().await.unwrap_err();
    assert_eq!(err.kind(), LineErr::NoDevice, "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_silent_modem_fails_open_naming_the_port_and_the_command() {
    let silent = FakeModem::new().answer("ATZ", None);
    let provider = ModemProvider::new(vec![ModemLineConfig::new("mute", Arc::new(silent))]);
    let provider: Arc<dyn ProviderDyn> = Arc::new(provider);
    let (sink, _host) = tsp_sdk::sink::channel();
    provider
        .init(Init {
            version: Version::V2_2,
            provider_id: 1,
            line_base: 0,
            lines: 1,
            sink,
        })
        .await
        .unwrap();
    let err = provider
        .open(OpenLine {
            device: DeviceId(0),
            line: LineHandle(1),
            version: Version::V2_2,
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::NoDevice);
    let text = err.to_string();
    assert!(
        text.starts_with("ATZ on fake modem:") && text.contains("no answer in 5 s"),
        "{text}"
    );
    provider.shutdown().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn shutdown_leaves_no_task_behind_and_the_line_opens_again() {
    let mut world = World::builder().build_closed().await;
    tokio::task::yield_now().await;
    let before = alive_tasks();
    world.open().await.unwrap();
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let _stream = world.stream(call).await.unwrap();
    assert!(alive_tasks() > before, "the line has its task");
    world.session.shutdown().await.unwrap();
    tokio::task::yield_now().await;
    assert_eq!(alive_tasks(), before, "no task outlives shutdown");
    assert!(world.sim.open_port(world.device).is_ok());
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn close_leaves_no_task_behind() {
    let mut world = World::builder().build_closed().await;
    tokio::task::yield_now().await;
    let before = alive_tasks();
    for _ in 0..3 {
        world.open().await.unwrap();
        world.close().await;
        assert_eq!(alive_tasks(), before);
    }
}
