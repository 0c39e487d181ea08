//! Faults on the simulator, paused time: garbage storms from the modem, the port vanishing while
//! idle and coming back, the carrier lost mid-call. Each asserts no panic, the events in order,
//! no call left, and the line usable afterwards (the port vanishing mid-call and while dialing is
//! in `provider_lifecycle.rs`, call waiting on an unsecured call in `provider_secure.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::Duration;

use provider_support::*;
use tsp_sdk::{CallState, DisconnectMode};

/// Deterministic noise: every byte value, NULs and 8-bit bytes included.
fn noise(len: usize, mut seed: u32) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as u8
        })
        .collect()
}

/// A call to the far end connects and hangs up cleanly: the line works.
async fn line_still_works(world: &mut World) {
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    world.close_call(call).await;
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_garbage_storm_while_idle_is_skipped_and_the_line_still_works() {
    let mut world = World::builder().build().await;
    world.from_modem.push(&noise(4096, 7));
    world.from_modem.push(&[0u8; 512]);
    world.from_modem.push(&[0xFF; 300]);
    world.from_modem.push(&vec![b'A'; 10_000]); // an over-long line, no terminator
    world
        .from_modem
        .push(b"\r\nOK\r\n\r\nNO CARRIER\r\n\r\nRING\r\n"); // results nobody asked for
    world.from_modem.push(b"\r\nCONN"); // half a result code, then silence
    world.drain(Duration::from_secs(10)).await;
    line_still_works(&mut world).await;
    world.close().await;
}

#[tokio::test(start_paused = true)]
async fn garbage_while_a_call_is_dialing_does_not_end_or_confuse_it() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Dialing).await;
    world.from_modem.push(&noise(200, 11));
    world.from_modem.push(b"\r\n");
    world.wait_state(call, CallState::Connected).await;
    world.close_call(call).await;
    world.assert_no_violations();
    line_still_works(&mut world).await;
}

#[tokio::test(start_paused = true)]
async fn the_port_vanishing_while_idle_closes_the_line_and_it_opens_again_when_back() {
    let mut world = World::builder().build().await;
    world.drain(Duration::from_secs(1)).await;
    world.sim.set_port_present(world.device, false);
    world
        .wait_until("LINE_CLOSE", Duration::from_secs(30), |s| *s == Seen::Close)
        .await;
    world.close().await;
    world.sim.set_port_present(world.device, true);
    world.open().await.unwrap();
    line_still_works(&mut world).await;
    world.close().await;
}

#[tokio::test(start_paused = true)]
async fn carrier_lost_mid_call_disconnects_it_and_the_line_works_again() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    world.drain(Duration::from_secs(5)).await;
    let ours = world.ours;
    world
        .sim
        .with(|net, now| net.inject_carrier_loss(ours, now))
        .unwrap();
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(state.disconnect_mode(), Some(DisconnectMode::NORMAL));
    // The application drops the disconnected call (lineDrop) and it goes IDLE.
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.close_call(call).await;
    world.assert_no_violations();
    line_still_works(&mut world).await;
    world.close().await;
}

fn set_hung(world: &World, hung: bool) {
    let device = world.device;
    world.sim.with(|net, now| {
        net.device_as_mut::<tsp_sim::modem::SimModem>(device)
            .expect("a simulated modem")
            .set_hung(hung);
        net.settle(now);
    });
}

fn line_state_seen(seen: &Seen, state: &str) -> bool {
    matches!(seen, Seen::Other(text) if text.contains("LineDevState") && text.contains(state))
}

#[tokio::test(start_paused = true)]
async fn a_modem_that_stops_answering_is_reset_taken_out_of_service_and_back_when_it_answers() {
    let mut world = World::builder().build().await;
    set_hung(&world, true);
    // The next command gets no answer in its time.
    if let Ok((call, request)) = world
        .make_call(Some(FAR), tsp_sdk::spi::CallParams::data_modem())
        .await
    {
        let _ = world.wait_completion(request).await;
        world.drain(Duration::from_secs(120)).await;
        if world.states(call).last().map(|s| s.state()) != Some(CallState::Idle)
            && let Ok(drop) = world.call_op("drop_call", call).await
        {
            let _ = world.wait_completion(drop).await;
            world.wait_state(call, CallState::Idle).await;
        }
        world.close_call(call).await;
    }
    // The reset (DTR drop, ATZ) gets no answer either: out of service.
    if !world
        .seen
        .iter()
        .any(|s| line_state_seen(s, "OUTOFSERVICE"))
    {
        world
            .wait_until("LINEDEVSTATE_OUTOFSERVICE", Duration::from_secs(120), |s| {
                line_state_seen(s, "OUTOFSERVICE")
            })
            .await;
    }
    let resets = world.dte_input().matches("ATZ").count();
    assert!(
        resets >= 2,
        "the open's ATZ and at least one reset: {resets}"
    );
    let refused = world
        .make_call(Some(FAR), tsp_sdk::spi::CallParams::data_modem())
        .await
        .unwrap_err();
    assert_eq!(
        refused.kind(),
        tsp_sdk::LineErr::InvalLineState,
        "{refused}"
    );
    assert!(refused.to_string().contains("does not answer"), "{refused}");
    // It answers again: the next reset brings the line back into service.
    set_hung(&world, false);
    world
        .wait_until("LINEDEVSTATE_INSERVICE", Duration::from_secs(120), |s| {
            line_state_seen(s, "INSERVICE") && !line_state_seen(s, "OUTOFSERVICE")
        })
        .await;
    world.assert_no_violations();
    line_still_works(&mut world).await;
    world.close().await;
}
