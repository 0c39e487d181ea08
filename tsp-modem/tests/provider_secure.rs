//! Securing a call (DESIGN.md "Securing a call", T§3): the cancel-call-waiting code after `T`/`P`,
//! `secure_call` before dialing only, SECURE in call info, the address capability.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::{Duration, Instant};

use provider_support::*;
use tsp_sdk::dial::Location;
use tsp_sdk::spi::*;
use tsp_sdk::{
    AddrCapFlags, CallInfoStates, CallParamFlags, CallState, DisconnectMode, LineErr, Version,
};
use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::ScriptedParty;

fn with_code() -> Location {
    Location::default().with_cancel_call_waiting("*70")
}

#[tokio::test(start_paused = true)]
async fn a_secure_call_dials_the_cancel_code_right_after_the_tone_letter() {
    let mut world = World::builder().location(with_code()).build().await;
    let (call, _) = world
        .make_call(Some(FAR), secure(CallParams::data_modem()))
        .await
        .unwrap();
    world.wait_state(call, CallState::Connected).await;
    assert!(
        world.dte_input().contains("ATDT*70,5550101\r"),
        "{}",
        world.dte_input()
    );
    let dialled = world.dialled();
    assert_eq!(dialled[0].chunks, ["*70", "5550101"]);
    assert!(dialled[0].cancels_call_waiting());
    let info = world.provider.call_info(call).await.unwrap();
    assert!(info.call_param_flags.contains(CallParamFlags::SECURE));
    assert_eq!(info.dialed.as_deref(), Some("T*70,5550101"));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn address_caps_advertise_secure_only_with_a_cancel_code() {
    let coded = World::builder().location(with_code()).build_closed().await;
    let caps = coded
        .provider
        .address_caps(DeviceId(0), AddressId(0), Version::V2_2)
        .await
        .unwrap();
    assert!(caps.addr_cap_flags.contains(AddrCapFlags::SECURE));
    let plain = World::builder().build_closed().await;
    let caps = plain
        .provider
        .address_caps(DeviceId(0), AddressId(0), Version::V2_2)
        .await
        .unwrap();
    assert!(!caps.addr_cap_flags.contains(AddrCapFlags::SECURE));
    let only_pauses = World::builder()
        .location(Location::default().with_cancel_call_waiting(",,"))
        .build_closed()
        .await;
    let caps = only_pauses
        .provider
        .address_caps(DeviceId(0), AddressId(0), Version::V2_2)
        .await
        .unwrap();
    assert!(
        !caps.addr_cap_flags.contains(AddrCapFlags::SECURE),
        "a code of pauses cancels nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn a_secure_make_call_without_a_code_is_invalcallparams_and_dials_nothing() {
    let mut world = World::builder().build().await;
    let err = world
        .make_call(Some(FAR), secure(CallParams::data_modem()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalCallParams);
    assert!(!world.dte_input().contains("ATD"));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn secure_call_at_dial_tone_makes_the_next_dial_carry_the_code() {
    let mut world = World::builder().location(with_code()).build().await;
    let (call, _) = world
        .make_call(None, CallParams::data_modem())
        .await
        .unwrap();
    world.wait_state(call, CallState::DialTone).await;
    let status = world.provider.call_status(call).await.unwrap();
    assert!(status.features.contains(tsp_sdk::CallFeatures::SECURECALL));
    let secure = world.call_op("secure_call", call).await.unwrap();
    assert_eq!(world.wait_completion(secure).await, Ok(()));
    world
        .wait_until(
            "CallInfo(OTHER)",
            Duration::from_secs(1),
            |s| matches!(s, Seen::Info(c, i) if *c == call && i.contains(CallInfoStates::OTHER)),
        )
        .await;
    let info = world.provider.call_info(call).await.unwrap();
    assert!(info.call_param_flags.contains(CallParamFlags::SECURE));
    world.dial(call, FAR).await.unwrap();
    world.wait_state(call, CallState::Connected).await;
    assert_eq!(world.dialled()[0].chunks, ["*70", "5550101"]);
    // Already secure: success at once, even connected.
    let again = world.call_op("secure_call", call).await.unwrap();
    assert_eq!(world.wait_completion(again).await, Ok(()));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn secure_call_after_digits_or_carrier_is_operationunavail_and_idle_is_invalcallstate() {
    let mut world = World::builder().location(with_code()).build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Dialing).await;
    assert_eq!(
        world.call_op("secure_call", call).await.unwrap_err().kind(),
        LineErr::OperationUnavail
    );
    world.wait_state(call, CallState::Connected).await;
    assert_eq!(
        world.call_op("secure_call", call).await.unwrap_err().kind(),
        LineErr::OperationUnavail
    );
    let status = world.provider.call_status(call).await.unwrap();
    assert!(!status.features.contains(tsp_sdk::CallFeatures::SECURECALL));
    world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(
        world.call_op("secure_call", call).await.unwrap_err().kind(),
        LineErr::InvalCallState
    );
    world.assert_no_violations();
}

async fn hit_by_call_waiting(params: CallParams) -> Vec<CallStateChange> {
    let intruder = ScriptedParty::builder()
        .call_at(Duration::from_secs(40), OURS)
        .build(Instant::now());
    let mut builder = World::builder().location(with_code());
    builder.ours = LineConfig::new(OURS).call_waiting(true);
    builder.third = Some(intruder);
    let mut world = builder.build().await;
    let (call, _) = world.make_call(Some(FAR), params).await.unwrap();
    world.wait_state(call, CallState::Connected).await;
    world.drain(Duration::from_secs(60)).await;
    world.assert_no_violations();
    world.states(call)
}

#[tokio::test(start_paused = true)]
async fn an_unsecured_data_call_is_broken_by_a_call_waiting_caller() {
    let states = hit_by_call_waiting(CallParams::data_modem()).await;
    assert_eq!(
        states.last(),
        Some(&CallStateChange::Disconnected(DisconnectMode::NORMAL)),
        "{states:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_secured_data_call_survives_a_call_waiting_caller() {
    let states = hit_by_call_waiting(secure(CallParams::data_modem())).await;
    assert_eq!(
        states.last(),
        Some(&CallStateChange::Connected(tsp_sdk::ConnectedMode::ACTIVE)),
        "{states:?}"
    );
}
