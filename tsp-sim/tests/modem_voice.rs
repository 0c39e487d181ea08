//! Voice (ITU V.253, `+FCLASS=8`) between two simulated modems on the exchange, driven through
//! their serial ports on paused tokio time, and single-modem details on a bench: vgetty's set-up
//! commands, `+VSM=?` per family, dialling in voice mode, DTMF as `<DLE>` events, audio from
//! `+VTX` to the far end's `+VRX` across codings, silence detection, distinctive-ring reports and
//! the inactivity timer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tsp_sim::line::{LineAction, LineSignal, RingPattern};
use tsp_sim::modem::{Profile, SampleCoding};
use tsp_sim::port::SimPort;
use tsp_sim::sim::Sim;

mod modem_support;
mod port_util;
use modem_support::Bench;
use port_util::{cmd, two_modems, until};

const DLE: u8 = 0x10;
const ETX: u8 = 0x03;

/// A dials B in voice mode; B answers with `+VLS=1` on the first ring. Returns how long after
/// B's answer A's dial command ended with `OK`.
async fn voice_call(sim: &Sim, a: &mut SimPort, b: &mut SimPort) -> Duration {
    // Both record and play unsigned PCM, as vgetty sets them.
    cmd(a, sim, "ATE0+FCLASS=8;+VSM=1,8000", "OK").await;
    cmd(b, sim, "ATE0+FCLASS=8;+VSM=1,8000", "OK").await;
    a.write_all(b"ATD5550101\r").await.unwrap();
    until(b, sim, b"RING\r\n").await;
    cmd(b, sim, "AT+VLS=1", "OK\r\n").await;
    let answered = tokio::time::Instant::now();
    until(a, sim, b"OK\r\n").await;
    answered.elapsed()
}

/// The samples a DCE sent after `CONNECT`, shielding removed, up to `<DLE><ETX>` or the end;
/// and the `<DLE>` events among them.
fn recording(wire: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let at = wire
        .windows(9)
        .position(|w| w == b"CONNECT\r\n")
        .map_or(0, |p| p + 9);
    let (mut samples, mut events) = (Vec::new(), Vec::new());
    let mut i = at;
    while i < wire.len() {
        if wire[i] == DLE {
            match wire.get(i + 1) {
                Some(&ETX) => break,
                Some(&DLE) => samples.push(DLE),
                Some(&code) => events.push(code),
                None => {}
            }
            i += 2;
        } else {
            samples.push(wire[i]);
            i += 1;
        }
    }
    (samples, events)
}

#[test]
fn vgettys_v253_set_up_commands_all_answer_ok_in_voice_mode_and_error_outside_it() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(
        b.cmd("AT+VSM=1,8000"),
        "\r\nERROR\r\n",
        "voice commands need +FCLASS=8"
    );
    assert_eq!(b.cmd("AT+FCLASS=8"), "\r\nOK\r\n");
    for command in [
        "AT+VSM=1,8000",
        "AT+VSD=128,70",
        "AT+VGT=127",
        "AT+VGR=127",
        "AT+VRA=70;+VRN=10",
        "AT+IFC=2,2",
        "AT+VCID=1",
        "AT+VNH=0",
        "AT+VIT=0",
        "AT+VDR=1,15",
        "AT+VLS=0",
        "AT+VTD=10",
        "AT+FAA=0",
    ] {
        assert_eq!(b.cmd(command), "\r\nOK\r\n", "{command}");
    }
    assert_eq!(b.cmd("AT+VSD?"), "\r\n+VSD: 128,70\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VSM?"), "\r\n+VSM: 1,8000,0,0\r\n\r\nOK\r\n");
    assert_eq!(b.cmd("AT+VGT=?"), "\r\n+VGT: (0-255)\r\n\r\nOK\r\n");
    for refused in [
        "AT+VSM=2,8000",
        "AT+VSM=4,7200",
        "AT+VSM=1,8000,1,0",
        "AT+VGT=256",
        "AT+VLS=7",
        "AT+VTX",
        "AT+VTS=1",
        "AT+FAA=1",
    ] {
        assert_eq!(
            b.cmd(refused),
            "\r\nERROR\r\n",
            "{refused} (on-hook or out of range)"
        );
    }
}

#[test]
fn vsm_test_lists_each_familys_codings_in_its_own_format() {
    let cases = [
        (
            Profile::v250(),
            "1,\"UNSIGNED PCM\",8,0,(7200,8000,11025),(0),(0)",
            "+VSM: 0,8000,0,0",
        ),
        (
            Profile::conexant_usb(),
            "130,\"UNSIGNED PCM\",8,0,8000,0,0",
            "130,8000,0,0",
        ),
        (
            Profile::usr5637(),
            "128,\"8-BIT LINEAR\",(7200,8000,11025)",
            "128,8000,0,0",
        ),
    ];
    for (profile, line, factory) in cases {
        let name = profile.name;
        let mut b = Bench::quiet_echo(profile);
        b.cmd("AT+FCLASS=8");
        let list = b.cmd("AT+VSM=?");
        assert!(
            list.contains(&format!("\r\n{line}\r\n")),
            "{name}: {list:?}"
        );
        let read = b.cmd("AT+VSM?");
        assert!(read.contains(factory), "{name}: {read:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn dialling_in_voice_mode_ends_with_ok_once_ringback_has_been_gone_for_vra() {
    let (sim, da, db) = two_modems(12);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    let after_answer = voice_call(&sim, &mut a, &mut b).await;
    // +VRA's default is 50 (5.0 s).
    assert!(
        after_answer >= Duration::from_secs(5) && after_answer < Duration::from_millis(5100),
        "OK came {after_answer:?} after the answer"
    );
}

#[tokio::test(start_paused = true)]
async fn dialling_a_busy_line_in_voice_mode_answers_busy() {
    let (sim, da, db) = two_modems(12);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    cmd(&mut b, &sim, "ATE0+FCLASS=8;+VLS=1", "OK").await;
    cmd(&mut a, &sim, "ATE0+FCLASS=8", "OK").await;
    let out = cmd(&mut a, &sim, "ATD5550101", "BUSY\r\n").await;
    assert!(!String::from_utf8_lossy(&out).contains("OK\r\n\r\nBUSY"));
}

#[tokio::test(start_paused = true)]
async fn digits_sent_with_vts_arrive_as_dle_events_in_command_state_and_while_recording() {
    let (sim, da, db) = two_modems(12);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    voice_call(&sim, &mut a, &mut b).await;

    let started = tokio::time::Instant::now();
    cmd(&mut a, &sim, "AT+VTS=1,{2,20},[933,0,50]", "OK\r\n").await;
    // 100 ms + 200 ms + 500 ms of tones.
    assert_eq!(started.elapsed(), Duration::from_millis(800));
    let seen = until(&mut b, &sim, &[DLE, b'2']).await;
    assert!(seen.ends_with(&[DLE, b'1', DLE, b'2']), "{seen:?}");

    cmd(&mut b, &sim, "AT+VRX", "CONNECT\r\n").await;
    cmd(&mut a, &sim, "AT+VTS=#", "OK\r\n").await;
    let wire = until(&mut b, &sim, &[DLE, b'#']).await;
    let (samples, events) = recording(&wire);
    assert_eq!(events, b"#");
    let odd: Vec<u8> = samples.iter().copied().filter(|&s| s != 0x80).collect();
    assert!(
        odd.is_empty(),
        "nothing but silence (unsigned PCM) was on the line: {} samples, {:?}",
        samples.len(),
        &odd[..odd.len().min(40)]
    );
    b.write_all(&[DLE, b'!']).await.unwrap();
    let end = until(&mut b, &sim, b"OK\r\n").await;
    assert!(end.ends_with(&[DLE, ETX, b'\r', b'\n', b'O', b'K', b'\r', b'\n']));
}

#[tokio::test(start_paused = true)]
async fn audio_played_with_vtx_arrives_in_the_far_ends_vrx_in_its_own_coding() {
    let (sim, da, db) = two_modems(12);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    voice_call(&sim, &mut a, &mut b).await;
    // A plays µ-law, B records unsigned PCM.
    cmd(&mut a, &sim, "AT+VSM=4,8000", "OK").await;
    cmd(&mut b, &sim, "AT+VRX", "CONNECT\r\n").await;
    cmd(&mut a, &sim, "AT+VTX", "CONNECT\r\n").await;
    let played: Vec<u8> = (0..1600u32).map(|i| (i % 256) as u8).collect();
    let mut wire = Vec::new();
    for &s in &played {
        wire.push(s);
        if s == DLE {
            wire.push(DLE);
        }
    }
    wire.extend([DLE, ETX]);
    let started = tokio::time::Instant::now();
    a.write_all(&wire).await.unwrap();
    until(&mut a, &sim, b"OK\r\n").await;
    // 1600 samples at 8000 samples/s.
    assert_eq!(started.elapsed(), Duration::from_millis(200));
    tokio::time::sleep(Duration::from_millis(400)).await;
    b.write_all(&[DLE, b'!']).await.unwrap();
    let recorded = until(&mut b, &sim, b"OK\r\n").await;
    let (samples, _) = recording(&recorded);
    let expected: Vec<u8> = played
        .iter()
        .map(|&u| SampleCoding::UnsignedLinear8.encode(SampleCoding::Ulaw.decode(u)))
        .collect();
    let at = samples
        .windows(expected.len())
        .position(|w| w == expected.as_slice())
        .unwrap_or_else(|| {
            panic!(
                "the played audio is not in the {} samples recorded: {:?}",
                samples.len(),
                samples
                    .iter()
                    .filter(|&&s| s != 0x80)
                    .take(60)
                    .collect::<Vec<_>>()
            )
        });
    assert!(
        samples[..at].iter().all(|&s| s == 0x80),
        "silence before it"
    );
}

#[tokio::test(start_paused = true)]
async fn silence_detection_reports_no_sound_then_quiet_after_sound() {
    let (sim, da, db) = two_modems(12);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    voice_call(&sim, &mut a, &mut b).await;
    cmd(&mut b, &sim, "AT+VSD=128,20", "OK").await;
    cmd(&mut b, &sim, "AT+VRX", "CONNECT\r\n").await;
    let started = tokio::time::Instant::now();
    until(&mut b, &sim, &[DLE, b's']).await;
    let first = started.elapsed();
    assert!(
        first >= Duration::from_secs(2) && first <= Duration::from_millis(2020),
        "{first:?}"
    );
    // A says something (a loud half second), then nothing.
    cmd(&mut a, &sim, "AT+VTX", "CONNECT\r\n").await;
    let mut loud: Vec<u8> = [0xF0u8, 0x10, 0x10].repeat(1333);
    loud.extend([DLE, ETX]);
    a.write_all(&loud).await.unwrap();
    let spoke = tokio::time::Instant::now();
    until(&mut a, &sim, b"OK\r\n").await;
    let wire = until(&mut b, &sim, &[DLE, b'q']).await;
    let quiet = spoke.elapsed();
    assert!(
        // 2666 samples (a third of a second), then 2 s of quiet.
        quiet >= Duration::from_millis(2333) && quiet <= Duration::from_millis(2360),
        "{quiet:?}"
    );
    let (samples, events) = recording(&wire);
    assert_eq!(events, b"q");
    assert!(samples.contains(&0xF0), "the sound was recorded");
}

#[tokio::test(start_paused = true)]
async fn the_far_end_hanging_up_is_reported_as_busy_tone() {
    let (sim, da, db) = two_modems(12);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    voice_call(&sim, &mut a, &mut b).await;
    cmd(&mut a, &sim, "ATH", "OK").await;
    until(&mut b, &sim, &[DLE, b'b']).await;
    assert!(sim.control_lines(db).is_ok());
}

#[test]
fn distinctive_ring_reports_frame_each_burst_with_dron_and_drof() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+FCLASS=8;+VDR=1,0");
    b.signal(LineSignal::RingOn(RingPattern::Normal));
    b.secs(2.0);
    b.signal(LineSignal::RingOff);
    b.secs(4.0);
    b.signal(LineSignal::RingOn(RingPattern::Normal));
    assert_eq!(
        b.output(),
        "\r\nRING\r\n\r\nDRON=20\r\n\r\nDROF=40\r\n\r\nRING\r\n"
    );
}

#[test]
fn the_inactivity_timer_puts_an_idle_off_hook_voice_modem_back_in_data_mode() {
    let mut b = Bench::quiet_echo(Profile::v250());
    assert_eq!(b.cmd("AT+FCLASS=8;+VIT=10;+VLS=1"), "\r\nOK\r\n");
    b.take_actions();
    b.secs(9.9);
    assert!(b.take_actions().is_empty());
    b.secs(0.2);
    assert_eq!(b.take_actions(), vec![LineAction::OnHook]);
    assert_eq!(b.cmd("AT+FCLASS?"), "\r\n0\r\n\r\nOK\r\n");
}

use proptest::prelude::*;
use tsp_sim::line::{ReleaseCause, Terminal, VoiceSignal};

/// Commands and samples a voice DTE sends, whole or cut anywhere, mixed with arbitrary bytes.
fn dte_chunk() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::sample::select(vec![
            b"AT+VLS=1\r".to_vec(),
            b"AT+VLS=0\r".to_vec(),
            b"AT+VTX\r".to_vec(),
            b"AT+VRX\r".to_vec(),
            b"AT+VTS=1,{#,3},[440,480,5]\r".to_vec(),
            b"AT+VSM=4,8000\r".to_vec(),
            b"AT+VSD=128,1;+VIT=1\r".to_vec(),
            b"ATD5550100\r".to_vec(),
            b"ATA\r".to_vec(),
            b"\x10!".to_vec(),
            b"\x10\x03".to_vec(),
            b"\x10\x18\x10\x03".to_vec(),
            b"\x10".to_vec(),
        ]),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

fn voice_signal(n: u8) -> LineSignal {
    match n {
        0 => LineSignal::DialTone,
        1 => LineSignal::Answered,
        2 => LineSignal::RingOn(RingPattern::Normal),
        3 => LineSignal::RingOff,
        4 => LineSignal::Ringback,
        5 => LineSignal::Voice(VoiceSignal::Audio(std::sync::Arc::from(vec![9000i16; 160]))),
        6 => LineSignal::Voice(VoiceSignal::Dtmf {
            digit: '5',
            duration: Duration::from_millis(100),
        }),
        7 => LineSignal::Busy,
        8 => LineSignal::CallWaitingTone,
        _ => LineSignal::Released(ReleaseCause::Normal),
    }
}

proptest! {
    #[test]
    fn a_voice_modem_fed_anything_never_panics_and_its_timers_move_on(
        steps in proptest::collection::vec((dte_chunk(), proptest::option::of(0u8..10), 0u32..3000), 1..48),
    ) {
        let mut b = Bench::quiet_echo(Profile::v250());
        b.cmd("AT+FCLASS=8");
        let steps: Vec<_> = steps.into_iter().map(|(c, s, ms)| (c, s.map(voice_signal), ms)).collect();
        // A recording streams samples whatever was written, so only the timers are bounded.
        b.run_steps(&steps);
        prop_assert!(b.modem.poll_timeout().is_none_or(|t| t > b.now));
    }
}

#[tokio::test(start_paused = true)]
async fn a_waiting_callers_tone_and_caller_id_reach_a_voice_call() {
    use tsp_sim::exchange::LineConfig;
    use tsp_sim::far_end::ScriptedParty;
    use tsp_sim::network::Network;
    // B has call waiting; Carol (5550102, "CAROL") calls B 20 s in, while A and B talk.
    let mut network = Network::builder().seed(13).build(std::time::Instant::now());
    let a = network.add_line(LineConfig::new("5550100"));
    let b = network.add_line(LineConfig::new("5550101").call_waiting(true));
    let carol = network.add_line(LineConfig::new("5550102").name("CAROL"));
    let (da, db) = (
        port_util::v250_on(&mut network, a),
        port_util::v250_on(&mut network, b),
    );
    let start = network.start();
    network
        .attach_party(
            carol,
            ScriptedParty::builder()
                .call_at(Duration::from_secs(20), "5550101")
                .build(start),
        )
        .unwrap();
    let sim = Sim::start(network);
    let mut a = sim.open_port(da).unwrap();
    let mut b = sim.open_port(db).unwrap();
    cmd(&mut b, &sim, "ATE0+VCID=1", "OK").await;
    voice_call(&sim, &mut a, &mut b).await;
    let seen = until(&mut b, &sim, b"NAME = CAROL\r\n").await;
    let text = String::from_utf8_lossy(&seen);
    let tone = text
        .find("\u{10}w")
        .expect("the call-waiting tone as <DLE>w");
    let number = text
        .find("NMBR = 5550102")
        .expect("the waiting caller's number");
    assert!(
        tone < number,
        "tone first, then caller ID (type II): {text:?}"
    );
}

#[test]
fn a_dte_character_stops_the_tones_and_long_tones_are_refused() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+FCLASS=8;+VLS=1");
    assert_eq!(b.cmd("AT+VTS={1,501}"), "\r\nERROR\r\n", "at most 5 s");
    b.write(b"AT+VTS={1,500}\r");
    b.secs(1.0);
    assert_eq!(b.output(), "");
    b.write(b"x");
    assert_eq!(b.output(), "\r\nOK\r\n");
    assert_eq!(b.cmd("AT"), "\r\nOK\r\n", "back in command state at once");
}

#[test]
fn commands_sent_after_the_end_of_a_playback_run_once_it_is_over() {
    let mut b = Bench::quiet_echo(Profile::v250());
    b.cmd("AT+FCLASS=8;+VSM=1,8000;+VLS=1");
    assert_eq!(b.cmd("AT+VTX"), "\r\nCONNECT\r\n");
    let mut wire = vec![0x80u8; 800];
    wire.extend([DLE, ETX]);
    wire.extend(b"AT+VLS=0\r");
    b.write(&wire);
    assert_eq!(b.output(), "", "100 ms of samples still play");
    b.secs(0.2);
    assert_eq!(b.output(), "\r\nOK\r\n\r\nOK\r\n");
    assert!(!b.modem.is_off_hook(), "+VLS=0 ran after the playback");
}
