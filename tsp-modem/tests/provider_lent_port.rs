//! A connected data call's `comm/datamodem` stream on a port with DCD is the port itself, lent to
//! the application (Unimodem's way, tapi.md §4.3): what it reads and writes goes straight to the
//! modem, and the line takes the port back when it needs it. On paused time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod provider_support;

use std::time::Duration;

use provider_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::*;
use tsp_sdk::{CallState, LineErr};
use tsp_sim::far_end::ScriptedParty;
use tsp_sim::line::{Carrier, CarrierKind, CarrierRole};

/// Answers as a data modem, echoes, and hangs up `after` the answer.
fn echo_then_hang_up(after: Duration) -> ScriptedParty {
    ScriptedParty::builder()
        .answer_after_rings(1)
        .carrier(Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Data,
            max_rate: 28_800,
        })
        .echo()
        .hang_up_after(after)
        .build(std::time::Instant::now())
}

async fn read_all(stream: &mut Box<dyn ByteStream>) -> Vec<u8> {
    let mut got = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut got))
        .await
        .expect("the stream ends")
        .expect("reading the stream");
    got
}

#[tokio::test(start_paused = true)]
async fn a_far_end_hang_up_ends_the_stream_without_handing_the_application_the_modems_no_carrier() {
    let mut world = World::builder()
        .far(Some(echo_then_hang_up(Duration::from_secs(20))))
        .build()
        .await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let mut stream = world.stream(call).await.unwrap();
    stream.write_all(b"echo me").await.unwrap();
    // No task ran in between: only a lent port puts the bytes at the modem by now.
    assert!(
        world.dte_input().ends_with("echo me"),
        "the write did not go straight to the port: {}",
        world.dte_input()
    );
    let got = read_all(&mut stream).await;
    assert_eq!(got, b"echo me", "the echo, then the end of the stream");
    world.wait_state(call, CallState::Disconnected).await;
    let err = stream.write_all(b"late").await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe, "{err}");
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn drop_call_takes_the_port_back_and_ends_a_read_the_application_is_waiting_in() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let stream = world.stream(call).await.unwrap();
    let (mut reader, mut writer) = tokio::io::split(stream);
    let waiting = tokio::spawn(async move {
        let mut got = Vec::new();
        reader.read_to_end(&mut got).await.map(|_| got)
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let drop = world.call_op("drop_call", call).await.unwrap();
    world.wait_state(call, CallState::Idle).await;
    assert_eq!(world.wait_completion(drop).await, Ok(()));
    let got = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the waiting read ends")
        .unwrap()
        .unwrap();
    assert!(got.is_empty(), "nothing was sent: {got:?}");
    assert!(writer.write_all(b"after the drop").await.is_err());
    let input = world.dte_input();
    assert!(
        !input.contains("after the drop"),
        "a write after the drop reached the modem: {input}"
    );
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn the_port_is_lent_once_and_a_dropped_stream_gives_it_back_with_the_call_still_up() {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let mut first = world.stream(call).await.unwrap();
    let again = world.stream(call).await.err().map(|e| e.kind());
    assert_eq!(again, Some(LineErr::ResourceUnavail), "lent once");
    first.write_all(b"one").await.unwrap();
    let mut back = [0u8; 3];
    first.read_exact(&mut back).await.unwrap();
    drop(first);
    // At once: the line takes a dropped stream's port back before it answers.
    let mut second = world.stream(call).await.unwrap();
    second.write_all(b"two").await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), second.read_exact(&mut back))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&back, b"two");
    let state = world.provider.call_status(call).await.unwrap();
    assert_eq!(state.state.state(), CallState::Connected);
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn bytes_that_arrive_between_connect_and_get_id_are_read_first() {
    let far = ScriptedParty::builder()
        .answer_after_rings(1)
        .carrier(Carrier {
            role: CarrierRole::Answer,
            kind: CarrierKind::Data,
            max_rate: 28_800,
        })
        .send_when_connected(&b"WELCOME\r\n"[..])
        .echo()
        .build(std::time::Instant::now());
    let mut world = World::builder().far(Some(far)).build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut stream = world.stream(call).await.unwrap();
    stream.write_all(b"hi").await.unwrap();
    let mut got = [0u8; 11];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&got, b"WELCOME\r\nhi");
    world.assert_no_violations();
}

#[tokio::test(start_paused = true)]
async fn unplugging_the_modem_while_the_application_has_the_port_ends_its_stream_and_the_line_hears_of_it()
 {
    let mut world = World::builder().build().await;
    let call = world.data_call(FAR).await;
    world.wait_state(call, CallState::Connected).await;
    let mut stream = world.stream(call).await.unwrap();
    let reading = tokio::spawn(async move {
        let mut got = Vec::new();
        let _ = stream.read_to_end(&mut got).await; // an error, or the end once the line knows
        got
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    world.sim.set_port_present(world.device, false);
    let got = tokio::time::timeout(Duration::from_secs(30), reading)
        .await
        .expect("the application's read ends when the device is gone")
        .unwrap();
    assert!(got.is_empty(), "{got:?}");
    world
        .wait_until("LINE_CLOSE", Duration::from_secs(30), |s| *s == Seen::Close)
        .await;
    world.assert_no_violations();
}
