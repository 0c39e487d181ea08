//! Outbound calls through the modem provider on the simulated exchange, on paused time: one test
//! per T§9.4 row of an outgoing call.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::Duration;

use provider_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::*;
use tsp_sdk::{
    BusyMode, CallInfoStates, CallState, ConnectedMode, DisconnectMode, LineErr, MediaModes,
};
use tsp_sim::exchange::LineConfig;
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::modem::Profile;

#[tokio::test(start_paused = true)]
async fn make_call_completes_before_dialing_and_a_data_call_connects_with_its_rate() {
    let mut world = World::builder().build().await;
    let (call, request) = world
        .make_call(Some(FAR), CallParams::data_modem())
        .await
        .unwrap();
    world.wait_state(call, CallState::Connected).await;
    let completed = world
        .seen
        .iter()
        .position(|s| *s == Seen::Completed(request, Ok(())))
        .unwrap();
    let first_state = world
        .seen
        .iter()
        .position(|s| matches!(s, Seen::State(c, _) if *c == call))
        .unwrap();
    assert!(
        completed < first_state,
        "completion before the first state: {:#?}",
        world.seen
    );
    assert_eq!(
        world.states(call),
        [
            CallStateChange::Dialing,
            CallStateChange::Connected(ConnectedMode::ACTIVE)
        ]
    );
    world
        .wait_until(
            "CallInfo(RATE)",
            Duration::from_secs(1),
            |s| matches!(s, Seen::Info(c, i) if *c == call && i.contains(CallInfoStates::RATE)),
        )
        .await;
    let info = world.provider.call_info(call).await.unwrap();
    assert_eq!(info.rate, 28_800, "the lower of both ends' rates");
    assert_eq!(info.dialed.as_deref(), Some("T5550101"));
    assert!(
        world.dte_input().contains("ATDT5550101\r"),
        "{}",
        world.dte_input()
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn the_data_stream_exists_only_once_connected_and_carries_bytes_both_ways() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Dialing).await;
    let early = world.stream(call).await.err().map(|e| e.kind());
    assert_eq!(early, Some(LineErr::InvalCallState));
    world.wait_state(call, CallState::Connected).await;
    let mut stream = world.stream(call).await.unwrap();
    stream.write_all(b"hello modem").await.unwrap();
    let mut echoed = [0u8; 11];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut echoed))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&echoed, b"hello modem");
    let again = world.stream(call).await.err().map(|e| e.kind());
    assert_eq!(again, Some(LineErr::ResourceUnavail), "handed out once");
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_modem_without_voice_mode_dials_a_voice_call_with_a_semicolon_and_reports_proceeding() {
    let mut world = World::builder()
        .modem(data_and_fax_only())
        .far(Some(voice_answerer()))
        .build()
        .await;
    let (call, _) = world
        .make_call(Some(FAR), CallParams::default())
        .await
        .unwrap();
    world.wait_state(call, CallState::Proceeding).await;
    assert_eq!(
        world.states(call),
        [CallStateChange::Dialing, CallStateChange::Proceeding]
    );
    assert!(
        world.dte_input().contains("ATDT5550101;\r"),
        "{}",
        world.dte_input()
    );
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.assert_no_violations();
}

/// The simulated V.250 modem without its voice class (`+FCLASS=?` answers `0,1`).
fn data_and_fax_only() -> Profile {
    let mut profile = Profile::v250();
    profile.fclass = &["0", "1"];
    profile
}

#[tokio::test(start_paused = true)]
async fn a_voice_modem_dials_a_voice_call_in_voice_mode_and_connects_when_the_far_end_answers() {
    let mut world = World::builder().far(Some(voice_answerer())).build().await;
    let (call, _) = world
        .make_call(Some(FAR), CallParams::default())
        .await
        .unwrap();
    world.wait_state(call, CallState::Connected).await;
    assert_eq!(
        world.states(call),
        [
            CallStateChange::Dialing,
            CallStateChange::Connected(tsp_sdk::ConnectedMode::ACTIVE)
        ]
    );
    let input = world.dte_input();
    assert!(
        input.contains("AT+FCLASS=8\r") && input.contains("ATDT5550101\r"),
        "{input}"
    );
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn busy_is_reported_as_busy_then_disconnected_busy() {
    let busy = ScriptedParty::builder()
        .busy()
        .build(std::time::Instant::now());
    let mut world = World::builder().far(Some(busy)).build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(
        world.states(call),
        [
            CallStateChange::Dialing,
            CallStateChange::Busy(BusyMode::UNKNOWN),
            CallStateChange::Disconnected(DisconnectMode::BUSY)
        ]
    );
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn no_answer_after_the_quiet_answer_modifier_is_disconnected_noanswer() {
    let never = ScriptedParty::builder()
        .never_answer()
        .build(std::time::Instant::now());
    let mut world = World::builder().far(Some(never)).build().await;
    let call = world.data_call("T5550101@").await;
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(
        state,
        CallStateChange::Disconnected(DisconnectMode::NOANSWER)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn no_carrier_after_the_whole_connect_wait_is_disconnected_noanswer() {
    let never = ScriptedParty::builder()
        .never_answer()
        .build(std::time::Instant::now());
    let mut world = World::builder().far(Some(never)).build().await;
    let call = world.data_call(FAR).await;
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(
        state,
        CallStateChange::Disconnected(DisconnectMode::NOANSWER)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn no_dial_tone_is_disconnected_nodialtone() {
    let mut world = World::builder().build().await;
    let ours = world.ours;
    world
        .sim
        .with(|net, now| net.set_plugged(ours, false, now))
        .unwrap();
    let call = world.data_call(FAR).await;
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(
        state,
        CallStateChange::Disconnected(DisconnectMode::NODIALTONE)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn no_carrier_after_connect_is_disconnected_normal() {
    let leaves = ScriptedParty::builder()
        .answer_after_rings(1)
        .carrier(tsp_sim::line::Carrier {
            role: tsp_sim::line::CarrierRole::Answer,
            kind: tsp_sim::line::CarrierKind::Data,
            max_rate: 33_600,
        })
        .hang_up_after(Duration::from_secs(30))
        .build(std::time::Instant::now());
    let mut world = World::builder().far(Some(leaves)).build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(state, CallStateChange::Disconnected(DisconnectMode::NORMAL));
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn an_error_to_atd_after_completion_is_disconnected_unavail() {
    let mut world = World::builder().build().await;
    // 40 digits: the V.250 modem's 40-character command body overflows and it answers ERROR.
    let long = format!("T{}", "5".repeat(40));
    let (call, request) = world
        .make_call(Some(&long), CallParams::data_modem())
        .await
        .unwrap();
    assert_eq!(world.wait_completion(request).await, Ok(()));
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(
        state,
        CallStateChange::Disconnected(DisconnectMode::UNAVAIL)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn unsupported_media_modes_are_refused_and_nothing_is_dialed() {
    let mut world = World::builder().build().await;
    for media in [
        MediaModes::G4FAX,
        MediaModes::TDD,
        MediaModes::DATAMODEM | MediaModes::G3FAX,
    ] {
        let params = CallParams {
            media_mode: media,
            ..CallParams::data_modem()
        };
        let err = world.make_call(Some(FAR), params).await.unwrap_err();
        assert_eq!(err.kind(), LineErr::InvalMediaMode, "{media:?}");
    }
    assert!(!world.dte_input().contains("ATD"), "{}", world.dte_input());
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn dial_modifiers_the_modem_cannot_honour_fail_before_anything_is_written() {
    let mut world = World::builder().build().await;
    for (dest, kind) in [
        ("T555$1", LineErr::DialBilling),
        ("T5?1", LineErr::DialPrompt),
    ] {
        let err = world
            .make_call(Some(dest), CallParams::data_modem())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{dest}");
    }
    assert!(!world.dte_input().contains("ATD"));
    let caps = world
        .provider
        .line_caps(DeviceId(0), tsp_sdk::Version::V2_2)
        .await
        .unwrap();
    assert!(caps.dev_cap_flags.contains(
        tsp_sdk::DevCapFlags::DIALDIALTONE
            | tsp_sdk::DevCapFlags::DIALQUIET
            | tsp_sdk::DevCapFlags::CLOSEDROP
    ));
    assert!(
        !caps
            .dev_cap_flags
            .contains(tsp_sdk::DevCapFlags::DIALBILLING)
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_fax_call_sets_class_one_before_dialing_and_hands_over_the_stream() {
    let mut world = World::builder().far(Some(fax_answerer())).build().await;
    let (call, _) = world
        .make_call(Some(FAR), CallParams::g3_fax())
        .await
        .unwrap();
    world.wait_state(call, CallState::Connected).await;
    let input = world.dte_input();
    let class = input.find("AT+FCLASS=1\r").expect("class 1 set");
    let dial = input.find("ATDT5550101\r").expect("dialed");
    assert!(class < dial, "{input}");
    // The application does T.30 itself over the stream, with the modem's Class 1 commands
    // (T.31): a character ends the modem's wait for the far end's frames, then it sends a frame.
    let mut stream = world.stream(call).await.unwrap();
    let expect = async |stream: &mut Box<dyn tsp_sdk::spi::ByteStream>, want: &[u8]| {
        let mut got = vec![0u8; want.len()];
        tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
    };
    stream.write_all(b"x").await.unwrap();
    expect(&mut stream, b"\r\nOK\r\n").await;
    stream.write_all(b"AT+FTH=3\r").await.unwrap();
    expect(&mut stream, b"\r\nCONNECT\r\n").await;
    // A DIS-like final frame, <DLE><ETX>: sent, then OK once its last bit is on the line.
    stream
        .write_all(&[0xff, 0x13, 0x80, 0x00, 0xce, 0xf4, 0x00, 0x10, 0x03])
        .await
        .unwrap();
    expect(&mut stream, b"\r\nOK\r\n").await;
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_call_with_no_destination_stops_at_dial_tone_and_dial_finishes_it() {
    let mut world = World::builder().build().await;
    let (call, _) = world
        .make_call(None, CallParams::data_modem())
        .await
        .unwrap();
    world.wait_state(call, CallState::DialTone).await;
    let status = world.provider.call_status(call).await.unwrap();
    assert!(status.features.contains(tsp_sdk::CallFeatures::DIAL));
    let dial = world.dial(call, FAR).await.unwrap();
    assert_eq!(world.wait_completion(dial).await, Ok(()));
    world.wait_state(call, CallState::Connected).await;
    let _ = LineConfig::new("unused");
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_partial_voice_dial_stays_dialing_until_an_empty_dial_ends_it() {
    let mut world = World::builder()
        .modem(data_and_fax_only())
        .far(Some(voice_answerer()))
        .build()
        .await;
    let (call, _) = world
        .make_call(Some("555;"), CallParams::default())
        .await
        .unwrap();
    world.wait_state(call, CallState::Dialing).await;
    let status = world.provider.call_status(call).await.unwrap();
    assert!(status.features.contains(tsp_sdk::CallFeatures::DIAL));
    let more = world.dial(call, "0101;").await.unwrap();
    assert_eq!(world.wait_completion(more).await, Ok(()));
    world.drain(Duration::from_secs(1)).await;
    let end = world.dial(call, "").await.unwrap();
    assert_eq!(world.wait_completion(end).await, Ok(()));
    world.wait_state(call, CallState::Proceeding).await;
    let input = world.dte_input();
    assert!(
        input.contains("ATDT555;\r") && input.contains("ATD0101;\r"),
        "{input}"
    );
    assert_eq!(world.dialled()[0].digits(), "5550101");
    let info = world.provider.call_info(call).await.unwrap();
    assert_eq!(info.dialed.as_deref(), Some("T5550101;"));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn get_id_answers_port_names_and_refuses_what_it_cannot_give() {
    let mut world = World::builder().build().await;
    let line = world.line;
    let id = |select, class: &str| GetId {
        select,
        class: DeviceClass::new(class),
    };
    match world
        .provider
        .get_id(id(Select::Line(line), "comm"))
        .await
        .unwrap()
    {
        DeviceIdValue::Name(name) => assert_eq!(name, "sim:device 0"),
        other => panic!("{other:?}"),
    }
    match world
        .provider
        .get_id(id(Select::Line(line), "tapi/line"))
        .await
        .unwrap()
    {
        DeviceIdValue::Number(n) => assert_eq!(n, 0),
        other => panic!("{other:?}"),
    }
    let err = world
        .provider
        .get_id(id(Select::Line(line), "comm/datamodem"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalCallSelect);
    // A voice modem's audio is a call's: the line has none.
    let err = world
        .provider
        .get_id(id(Select::Line(line), "wave/in"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::InvalCallSelect);
    let err = world
        .provider
        .get_id(id(Select::Line(line), "midi/out"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), LineErr::NoDevice);
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let stream = world.stream(call).await.unwrap();
    drop(stream);
    // A dropped stream goes back to the provider: the next get_id gets a fresh one.
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(world.stream(call).await.is_ok());
    world.assert_no_violations();
}
