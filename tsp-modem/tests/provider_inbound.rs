//! Incoming calls through the modem provider on the simulated exchange, on paused time: RING,
//! caller ID, answer, reject, abandoned calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::{Duration, Instant};

use provider_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::*;
use tsp_sdk::{
    CallInfoStates, CallPartyIdFlags, CallState, ConnectedMode, DisconnectMode, LineErr,
    MediaModes, OfferingMode,
};
use tsp_sim::far_end::{ScriptedParty, Step};
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole};

fn data_caller(at: Duration) -> ScriptedParty {
    ScriptedParty::builder()
        .call_at(at, OURS)
        .carrier(Carrier {
            role: CarrierRole::Originate,
            kind: CarrierKind::Data,
            max_rate: 33_600,
        })
        .echo()
        .build(Instant::now())
}

async fn offered(world: &mut World) -> CallHandle {
    let seen = world
        .wait_until("a new call", Duration::from_secs(60), |s| {
            matches!(s, Seen::NewCall(_))
        })
        .await;
    let Seen::NewCall(call) = seen else {
        unreachable!()
    };
    call
}

#[tokio::test(start_paused = true)]
async fn a_ring_is_offered_for_a_detected_media_mode_with_ring_counts_and_caller_id() {
    let mut world = World::builder()
        .far(Some(data_caller(Duration::from_secs(5))))
        .build()
        .await;
    world.detect(MediaModes::DATAMODEM).await;
    let call = offered(&mut world).await;
    let state = world.wait_state(call, CallState::Offering).await;
    assert_eq!(state, CallStateChange::Offering(OfferingMode::ACTIVE));
    world
        .wait_until(
            "caller ID",
            Duration::from_secs(10),
            |s| matches!(s, Seen::Info(c, i) if *c == call && i.contains(CallInfoStates::CALLERID)),
        )
        .await;
    world
        .wait_until("the second ring", Duration::from_secs(10), |s| {
            *s == Seen::Ringing(1)
        })
        .await;
    let new_call = world
        .seen
        .iter()
        .position(|s| *s == Seen::NewCall(call))
        .unwrap();
    let offering = world
        .seen
        .iter()
        .position(|s| matches!(s, Seen::State(c, _) if *c == call))
        .unwrap();
    let first_ring = world
        .seen
        .iter()
        .position(|s| *s == Seen::Ringing(0))
        .unwrap();
    assert!(
        new_call < offering && offering < first_ring,
        "{:#?}",
        world.seen
    );
    let info = world.provider.call_info(call).await.unwrap();
    assert_eq!(info.caller_id.number.as_deref(), Some(FAR));
    assert_eq!(info.caller_id.name.as_deref(), Some("FAR END"));
    assert!(
        info.caller_id
            .flags
            .contains(CallPartyIdFlags::ADDRESS | CallPartyIdFlags::NAME)
    );
    assert_eq!(info.media_mode, MediaModes::DATAMODEM);
    let status = world.provider.call_status(call).await.unwrap();
    assert!(status.features.contains(tsp_sdk::CallFeatures::ANSWER));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn with_no_media_detection_a_ring_announces_no_call() {
    let mut world = World::builder()
        .far(Some(data_caller(Duration::from_secs(5))))
        .build()
        .await;
    world
        .wait_until("the third ring", Duration::from_secs(60), |s| {
            *s == Seen::Ringing(2)
        })
        .await;
    assert!(
        !world.seen.iter().any(|s| matches!(s, Seen::NewCall(_))),
        "{:#?}",
        world.seen
    );
    let err = world
        .provider
        .set_default_media_detection(world.line, MediaModes::G4FAX)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalMediaMode);
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn answer_sends_ata_and_the_call_connects_with_a_data_stream() {
    let mut world = World::builder()
        .far(Some(data_caller(Duration::from_secs(5))))
        .build()
        .await;
    world.detect(MediaModes::DATAMODEM).await;
    let call = offered(&mut world).await;
    world
        .wait_until("the second ring", Duration::from_secs(10), |s| {
            *s == Seen::Ringing(1)
        })
        .await;
    let answer = world.call_op("answer", call).await.unwrap();
    assert_eq!(world.wait_completion(answer).await, Ok(()));
    let state = world.wait_state(call, CallState::Connected).await;
    assert_eq!(state, CallStateChange::Connected(ConnectedMode::ACTIVE));
    let input = world.dte_input();
    assert!(
        input.contains("AT+FCLASS=0\r") && input.contains("ATA\r"),
        "{input}"
    );
    let mut stream = world.stream(call).await.unwrap();
    stream.write_all(b"ping").await.unwrap();
    let mut back = [0u8; 4];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut back))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&back, b"ping");
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_voice_call_is_answered_in_the_voice_class() {
    let caller = ScriptedParty::builder()
        .call_at(Duration::from_secs(5), OURS)
        .build(Instant::now());
    let mut world = World::builder().far(Some(caller)).build().await;
    world.detect(MediaModes::INTERACTIVEVOICE).await;
    let call = offered(&mut world).await;
    world.call_op("answer", call).await.unwrap();
    world.wait_state(call, CallState::Connected).await;
    let input = world.dte_input();
    assert!(
        input.contains("AT+FCLASS=8\rATA\r")
            || (input.contains("AT+FCLASS=8\r") && input.contains("ATA\r")),
        "{input}"
    );
    let info = world.provider.call_info(call).await.unwrap();
    assert_eq!(info.media_mode, MediaModes::INTERACTIVEVOICE);
    assert_eq!(
        world.stream(call).await.err().map(|e| e.kind()),
        Some(LineErr::InvalCallState)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn dropping_an_offered_call_ends_it_and_its_rings_stay_unannounced() {
    let mut world = World::builder()
        .far(Some(data_caller(Duration::from_secs(5))))
        .build()
        .await;
    world.detect(MediaModes::DATAMODEM).await;
    let call = offered(&mut world).await;
    let drop = world.call_op("drop_call", call).await.unwrap();
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.wait_state(call, CallState::Idle).await;
    world.close_call(call).await;
    world
        .wait_until("another ring", Duration::from_secs(20), |s| {
            *s == Seen::Ringing(2)
        })
        .await;
    let calls = world
        .seen
        .iter()
        .filter(|s| matches!(s, Seen::NewCall(_)))
        .count();
    assert_eq!(calls, 1, "{:#?}", world.seen);
    assert!(!world.dte_input().contains("ATA"));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_caller_who_gives_up_disconnects_the_offered_call() {
    let caller = ScriptedParty::builder()
        .call_at(Duration::from_secs(5), OURS)
        .at(Duration::from_secs(14), Step::OnHook)
        .build(Instant::now());
    let mut world = World::builder().far(Some(caller)).build().await;
    world.detect(MediaModes::DATAMODEM).await;
    let call = offered(&mut world).await;
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(state, CallStateChange::Disconnected(DisconnectMode::NORMAL));
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn answer_outside_offering_is_invalcallstate() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let err = world.call_op("answer", call).await.unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalCallState);
    world.assert_no_violations();
}

/// A data call from the far end to our `modem`, with caller ID before the first ring (BT SIN
/// 227; iaxmodem's practice); returns once the call's caller ID is in its info.
async fn offered_with_caller_id_before_the_first_ring(
    modem: tsp_sim::modem::Profile,
) -> (World, CallHandle) {
    let mut builder = World::builder()
        .modem(modem)
        .far(Some(data_caller(Duration::from_secs(5))));
    builder.exchange = Some(
        tsp_sim::exchange::Exchange::builder()
            .caller_id_placement(tsp_sim::exchange::CallerIdPlacement::BeforeFirstRing),
    );
    let mut world = builder.build().await;
    world.detect(MediaModes::DATAMODEM).await;
    let call = offered(&mut world).await;
    world
        .wait_until(
            "caller ID",
            Duration::from_secs(10),
            |s| matches!(s, Seen::Info(c, i) if *c == call && i.contains(CallInfoStates::CALLERID)),
        )
        .await;
    (world, call)
}

#[tokio::test(start_paused = true)]
async fn caller_id_before_the_first_ring_reaches_the_call_once_it_is_offered() {
    let (world, call) =
        offered_with_caller_id_before_the_first_ring(tsp_sim::modem::Profile::v250()).await;
    let info = world.provider.call_info(call).await.unwrap();
    assert_eq!(info.caller_id.number.as_deref(), Some(FAR));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn caller_id_in_spandsps_layout_gives_the_callers_number_and_name() {
    // iaxmodem: one field per response, NAME before NMBR, ANID/USER/PASS/CDID/NDID.
    let (world, call) =
        offered_with_caller_id_before_the_first_ring(tsp_sim::modem::Profile::iaxmodem()).await;
    let info = world.provider.call_info(call).await.unwrap();
    assert_eq!(info.caller_id.number.as_deref(), Some(FAR));
    assert_eq!(info.caller_id.name.as_deref(), Some("FAR END"));
    assert!(
        world.dte_input().contains("AT+VCID=1"),
        "caller ID was switched on: {}",
        world.dte_input()
    );
    world.assert_no_violations();
}
