//! A voice call's audio as the call's stream through `ModemProvider` and two simulated V.253
//! modems, on paused time: `wave/out` plays what the application writes (`+VTX`, every
//! `<DLE>` shielded), the far modem records it (`+VRX`); the far modem plays and `wave/in`
//! records it; one direction at a time; and what is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::Duration;

use provider_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::{CallParams, DeviceClass, DeviceIdValue, GetId, Select};
use tsp_sdk::{CallState, LineErr, MediaModes};
use tsp_sim::modem::{Profile, SimModem};
use tsp_sim::port::SimPort;

const DLE: u8 = 0x10;
const ETX: u8 = 0x03;

/// One second of a test signal in 8-bit unsigned PCM: a ramp that passes 0x10 (`<DLE>`) often.
fn signal() -> Vec<u8> {
    (0..8000u32).map(|i| (i % 64) as u8 + 0x08).collect()
}

/// Reads from the far modem's port until `needle` ends what was read.
async fn until(port: &mut SimPort, needle: &[u8]) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(needle.len()).any(|w| w == needle) {
        let n = tokio::time::timeout(Duration::from_secs(60), port.read(&mut buf))
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "waiting for {needle:?}: read {:?}",
                    String::from_utf8_lossy(&seen)
                )
            })
            .unwrap();
        assert!(n > 0, "the far port closed");
        seen.extend_from_slice(&buf[..n]);
    }
    seen
}

/// An AUTOMATEDVOICE call from our v250 modem to a v250 modem on the far line whose DTE (the
/// test) answers it in voice mode.
async fn voice_call() -> (World, tsp_sdk::spi::CallHandle, SimPort) {
    let mut world = World::builder().far(None).build().await;
    let far_modem = world
        .sim
        .with(|net, _| net.attach_device(world.far, SimModem::new(Profile::v250())))
        .unwrap();
    let mut far = world.sim.open_port(far_modem).unwrap();
    far.write_all(b"ATE0V1+FCLASS=8\r").await.unwrap();
    until(&mut far, b"OK\r\n").await;
    let params = CallParams {
        media_mode: MediaModes::AUTOMATEDVOICE,
        ..CallParams::default()
    };
    let (call, _) = world.make_call(Some(FAR), params).await.unwrap();
    until(&mut far, b"RING").await;
    far.write_all(b"AT+VLS=1\r").await.unwrap();
    until(&mut far, b"OK\r\n").await;
    world.wait_state(call, CallState::Connected).await;
    (world, call, far)
}

async fn wave(
    world: &World,
    call: tsp_sdk::spi::CallHandle,
    class: &str,
) -> Result<Box<dyn tsp_sdk::spi::ByteStream>, tsp_sdk::Error> {
    match world
        .session
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new(class),
        })
        .await?
    {
        DeviceIdValue::DataStream { stream, .. } => Ok(stream),
        other => panic!("{class}: not a stream: {other:?}"),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(start_paused = true)]
async fn what_the_application_writes_to_wave_out_is_what_the_far_end_records() {
    let (world, call, mut far) = voice_call().await;
    far.write_all(b"AT+VSM=1,8000\r").await.unwrap();
    until(&mut far, b"OK\r\n").await;
    far.write_all(b"AT+VRX\r").await.unwrap();
    until(&mut far, b"CONNECT\r\n").await;
    let mut out = wave(&world, call, "wave/out").await.unwrap();
    let sent = signal();
    out.write_all(&sent).await.unwrap();
    out.flush().await.unwrap();
    // One stream at a time: recording is refused while playing.
    let both = wave(&world, call, "wave/in").await;
    assert_eq!(both.err().map(|e| e.kind()), Some(LineErr::ResourceUnavail));
    // Let it play (one second of samples and some), then close the stream.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(out);
    tokio::time::sleep(Duration::from_millis(500)).await;
    far.write_all(&[DLE, b'!']).await.unwrap();
    let recorded = until(&mut far, b"OK\r\n").await;
    let samples = tsp_sim::modem::unshield(&recorded);
    assert!(
        contains(&samples, &sent),
        "the far end recorded {} samples, not the second sent",
        samples.len()
    );
    let dte = world.dte_input();
    assert!(
        dte.contains("AT+VSM=?\r") && dte.contains("AT+VSM=1,8000\r") && dte.contains("AT+VTX\r"),
        "{dte}"
    );
    // The modem is back in voice command state: the line can play again.
    assert!(wave(&world, call, "wave/out").await.is_ok());
}

#[tokio::test(start_paused = true)]
async fn what_the_far_end_plays_is_what_the_application_reads_from_wave_in() {
    let (world, call, mut far) = voice_call().await;
    let mut input = wave(&world, call, "wave/in").await.unwrap();
    // Wait until the recording runs (the first samples, the far end's silence).
    let mut first = [0u8; 1];
    tokio::time::timeout(Duration::from_secs(10), input.read_exact(&mut first))
        .await
        .unwrap()
        .unwrap();
    far.write_all(b"AT+VSM=1,8000\r").await.unwrap();
    until(&mut far, b"OK\r\n").await;
    far.write_all(b"AT+VTX\r").await.unwrap();
    until(&mut far, b"CONNECT\r\n").await;
    let sent = signal();
    let mut shielded = Vec::new();
    for &b in &sent {
        shielded.push(b);
        if b == DLE {
            shielded.push(DLE);
        }
    }
    shielded.extend([DLE, ETX]);
    far.write_all(&shielded).await.unwrap();
    until(&mut far, b"OK\r\n").await;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !contains(&got, &sent) {
        assert!(
            got.len() < 10 * sent.len(),
            "ten seconds recorded without the second played"
        );
        let n = tokio::time::timeout(Duration::from_secs(5), input.read(&mut buf))
            .await
            .unwrap_or_else(|_| panic!("read {} samples, without the second played", got.len()))
            .unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    drop(input);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        world.dte_input().contains("AT+VRX\r"),
        "{}",
        world.dte_input()
    );
    assert!(
        world
            .dte_input()
            .as_bytes()
            .windows(2)
            .any(|w| w == [DLE, b'!']),
        "the end of the recording went to the modem"
    );
}

#[tokio::test(start_paused = true)]
async fn audio_needs_a_connected_voice_call() {
    let mut world = World::builder().build().await;
    let (call, _) = world
        .make_call(Some(FAR), CallParams::data_modem())
        .await
        .unwrap();
    world.wait_state(call, CallState::Connected).await;
    let refused = wave(&world, call, "wave/out").await;
    assert_eq!(
        refused.err().map(|e| e.kind()),
        Some(LineErr::InvalCallState)
    );
    let caps = world
        .provider
        .line_caps(tsp_sdk::spi::DeviceId(0), tsp_sdk::Version::V2_2)
        .await
        .unwrap();
    assert!(caps.device_classes.iter().any(|c| c == "wave/out"));
    assert!(caps.media_modes.contains(MediaModes::AUTOMATEDVOICE));
}
