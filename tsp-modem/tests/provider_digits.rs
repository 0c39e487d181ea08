//! Digits on a voice call through `ModemProvider` and the simulated V.253 modem, on paused time:
//! `generate_digits` as `+VTS` (DONE, CANCEL), `monitor_digits` from the modem's `<DLE>` events,
//! a far-end hang-up heard as busy tone, and what is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::Duration;

use provider_support::*;
use tsp_sdk::spi::{CallParams, GenerateDigits, GenerateTerm};
use tsp_sdk::{CallState, DigitModes, DisconnectMode, LineErr};
use tsp_sim::far_end::{ScriptedParty, Step};
use tsp_sim::line::VoiceSignal;

fn dtmf(digit: char) -> Step {
    Step::Voice(VoiceSignal::Dtmf {
        digit,
        duration: Duration::from_millis(100),
    })
}

/// A connected voice call to `far`.
async fn voice_call(far: ScriptedParty) -> (World, tsp_sdk::spi::CallHandle) {
    let mut world = World::builder().far(Some(far)).build().await;
    let (call, _) = world
        .make_call(Some(FAR), CallParams::default())
        .await
        .unwrap();
    world.wait_state(call, CallState::Connected).await;
    (world, call)
}

fn generate(call: tsp_sdk::spi::CallHandle, id: u32, digits: &str) -> GenerateDigits {
    GenerateDigits {
        call,
        end_to_end_id: id,
        mode: DigitModes::DTMF,
        digits: Some(digits.into()),
        duration_ms: 0,
    }
}

/// Asks for `req` and waits for its `LINE_GENERATE` DONE.
async fn generate_whole(world: &mut World, req: GenerateDigits) {
    let id = req.end_to_end_id;
    world.provider.generate_digits(req).await.unwrap();
    world
        .wait_until("Generate(Done)", Duration::from_secs(5), |s| {
            *s == Seen::Generate(GenerateTerm::Done, id)
        })
        .await;
}

/// The `LINE_GENERATE` ends seen so far, in order.
fn generate_ends(world: &World) -> Vec<&Seen> {
    world
        .seen
        .iter()
        .filter(|s| matches!(s, Seen::Generate(..)))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn generated_digits_go_out_as_vts_and_end_with_generate_done() {
    let (mut world, call) = voice_call(voice_answerer()).await;
    generate_whole(&mut world, generate(call, 7, "12#")).await;
    assert!(
        world.dte_input().contains("AT+VTS={1,10},{2,10},{#,10}\r"),
        "{}",
        world.dte_input()
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_second_generation_cancels_the_first_and_a_duration_is_sent_per_digit() {
    let (mut world, call) = voice_call(voice_answerer()).await;
    world
        .provider
        .generate_digits(generate(call, 11, "1234567890"))
        .await
        .unwrap();
    let mut second = generate(call, 12, "9");
    second.duration_ms = 250;
    world.provider.generate_digits(second).await.unwrap();
    world
        .wait_until("Generate(Done, 12)", Duration::from_secs(10), |s| {
            *s == Seen::Generate(GenerateTerm::Done, 12)
        })
        .await;
    let ends = generate_ends(&world);
    assert_eq!(
        ends,
        [
            &Seen::Generate(GenerateTerm::Cancel, 11),
            &Seen::Generate(GenerateTerm::Done, 12)
        ]
    );
    assert!(
        world.dte_input().contains("AT+VTS={9,25}\r"),
        "{}",
        world.dte_input()
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_generation_withdraws_the_vts_lines_not_yet_sent() {
    let (mut world, call) = voice_call(voice_answerer()).await;
    // Thirty digits at 100 ms each: six `+VTS` lines of five.
    world
        .provider
        .generate_digits(generate(call, 21, "123456789012345678901234567890"))
        .await
        .unwrap();
    let mut cancel = generate(call, 22, "");
    cancel.digits = None;
    world.provider.generate_digits(cancel).await.unwrap();
    world.drain(Duration::from_secs(10)).await;
    let ends = generate_ends(&world);
    assert_eq!(ends, [&Seen::Generate(GenerateTerm::Cancel, 21)]);
    let sent = world.dte_input().matches("AT+VTS=").count();
    assert!(
        sent <= 1,
        "only the line already sounding may go out, {sent} did: {}",
        world.dte_input()
    );
    // The call is still usable: the next generation goes out whole.
    generate_whole(&mut world, generate(call, 23, "5")).await;
    assert!(world.dte_input().contains("AT+VTS={5,10}\r"));
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn digits_the_far_end_keys_are_reported_while_monitoring_and_not_after() {
    // The far end keys 4 and # once the call is up (our OK comes 5 s after its answer), then 7.
    let far = ScriptedParty::builder()
        .answer_after_rings(1)
        .after_answer(Duration::from_secs(7), dtmf('4'))
        .after_answer(Duration::from_secs(8), dtmf('#'))
        .after_answer(Duration::from_secs(12), dtmf('7'))
        .build(std::time::Instant::now());
    let (mut world, call) = voice_call(far).await;
    world
        .provider
        .monitor_digits(call, DigitModes::DTMF)
        .await
        .unwrap();
    world
        .wait_until("digit #", Duration::from_secs(10), |s| {
            *s == Seen::Digit(call, '#')
        })
        .await;
    world
        .provider
        .monitor_digits(call, DigitModes::empty())
        .await
        .unwrap();
    world.drain(Duration::from_secs(6)).await;
    let digits: Vec<char> = world
        .seen
        .iter()
        .filter_map(|s| match s {
            Seen::Digit(_, d) => Some(*d),
            _ => None,
        })
        .collect();
    assert_eq!(digits, ['4', '#'], "7 came after monitoring stopped");
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn the_far_end_hanging_up_a_voice_call_is_heard_as_busy_disconnects_it_and_cancels_digits() {
    let far = ScriptedParty::builder()
        .answer_after_rings(1)
        .hang_up_after(Duration::from_secs(8))
        .build(std::time::Instant::now());
    let (mut world, call) = voice_call(far).await;
    // Ten digits of half a second each: still sounding when the far end hangs up.
    let mut long = generate(call, 5, "1234567890");
    long.duration_ms = 500;
    world.provider.generate_digits(long).await.unwrap();
    let state = world.wait_state(call, CallState::Disconnected).await;
    assert_eq!(
        state,
        tsp_sdk::spi::CallStateChange::Disconnected(DisconnectMode::NORMAL)
    );
    world.drain(Duration::from_secs(10)).await;
    assert!(
        world
            .seen
            .contains(&Seen::Generate(GenerateTerm::Cancel, 5)),
        "{:?}",
        world.seen
    );
    assert!(
        !world.seen.contains(&Seen::Generate(GenerateTerm::Done, 5)),
        "no DONE after the call ended"
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn digits_are_refused_on_a_data_call_and_in_modes_a_voice_modem_lacks() {
    let (world, call) = voice_call(voice_answerer()).await;
    let bad = world
        .provider
        .monitor_digits(call, DigitModes::PULSE)
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), LineErr::InvalDigitMode);
    let mut pulse = generate(call, 1, "1");
    pulse.mode = DigitModes::PULSE;
    let bad = world.provider.generate_digits(pulse).await.unwrap_err();
    assert_eq!(bad.kind(), LineErr::InvalDigitMode);

    let mut world = World::builder().far(Some(data_answerer(1))).build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let refused = world
        .provider
        .monitor_digits(call, DigitModes::DTMF)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), LineErr::InvalCallState);
    assert!(refused.to_string().contains("voice"), "{refused}");
    // Stopping monitoring and cancelling a generation succeed on any call (TSPI contract).
    world
        .provider
        .monitor_digits(call, DigitModes::empty())
        .await
        .unwrap();
    let mut cancel = generate(call, 2, "");
    cancel.digits = None;
    world.provider.generate_digits(cancel).await.unwrap();
}
