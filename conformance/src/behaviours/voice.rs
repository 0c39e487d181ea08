//! A voice call's audio as the call's stream (AUTOMATEDVOICE): `get_id("wave/out")` plays what
//! the application writes to the far end, `get_id("wave/in")` records the far end. The far end
//! is a simulated V.253 voice modem whose DTE is the case: it answers (`+VLS=1`), records
//! (`+VRX`) and plays (`+VTX`). Samples are 8-bit unsigned linear PCM at 8000 samples/s.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::spi::{ByteStream, CallHandle, CallParams, DeviceClass, DeviceIdValue, GetId, Select};
use tsp_sdk::{CallState, MediaModes};
use tsp_sim::port::SimPort;

use crate::case::{Case, Need};
use crate::ctx::{Ctx, FAR_NUMBER};
use crate::failure::Failure;

const DLE: u8 = 0x10;
const ETX: u8 = 0x03;
/// How long the far modem's DTE waits for any one answer.
const WAIT: Duration = Duration::from_secs(60);

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case::required(
            "voice/wave_out_reaches_the_far_end/1",
            "on a CONNECTED AUTOMATEDVOICE call, what the application writes to get_id(\"wave/out\") (8-bit unsigned PCM, 8000 samples/s) is what the far end hears",
            "TSPI_lineMakeCall, LINEMEDIAMODE_AUTOMATEDVOICE, TSPI_lineGetID(wave/out); tapi.md §7; ITU V.253 9.5",
            &[Need::VoiceAudio],
            crate::case_fn!(wave_out_reaches_the_far_end),
        ),
        Case::required(
            "voice/wave_in_hears_the_far_end/1",
            "on a CONNECTED AUTOMATEDVOICE call, what the far end says is what the application reads from get_id(\"wave/in\")",
            "TSPI_lineMakeCall, LINEMEDIAMODE_AUTOMATEDVOICE, TSPI_lineGetID(wave/in); tapi.md §7; ITU V.253 9.6",
            &[Need::VoiceAudio],
            crate::case_fn!(wave_in_hears_the_far_end),
        ),
        Case::required(
            "voice/answered_call_hears_the_caller/1",
            "a voice modem's call is OFFERING as AUTOMATEDVOICE on a line detecting it; answered, it is CONNECTED in voice mode and get_id(\"wave/in\") gives what the caller says",
            "TSPI_lineSetDefaultMediaDetection, TSPI_lineAnswer, TSPI_lineGetID(wave/in); tapi.md §1.5; ITU V.253 9.6",
            &[Need::VoiceAudio, Need::Answer],
            crate::case_fn!(answered_call_hears_the_caller),
        ),
    ]
}

/// On a CONNECTED AUTOMATEDVOICE call, what the application writes to `get_id("wave/out")` is
/// what the far end hears.
///
/// Case `voice/wave_out_reaches_the_far_end/1`; source: TSPI_lineMakeCall,
/// LINEMEDIAMODE_AUTOMATEDVOICE, TSPI_lineGetID(wave/out); tapi.md §7; ITU V.253 9.5.
pub async fn wave_out_reaches_the_far_end(ctx: &mut Ctx) -> Result<(), Failure> {
    let (call, mut far) = voice_call(ctx).await?;
    far_command(ctx, &mut far, "AT+VSM=1,8000", "OK").await?;
    far_command(ctx, &mut far, "AT+VRX", "CONNECT").await?;
    let mut out = wave(ctx, call, "wave/out").await?;
    let sent = signal();
    let wrote = out.write_all(&sent).await.and(out.flush().await);
    ctx.check(wrote.is_ok(), || format!("writing to wave/out: {wrote:?}"))?;
    // A second of samples takes a second to play.
    ctx.pass(Duration::from_millis(1500)).await;
    drop(out);
    ctx.pass(Duration::from_millis(500)).await;
    send(ctx, &mut far, &[DLE, b'!']).await?;
    let recorded = read_until(ctx, &mut far, b"OK\r\n").await?;
    let heard = tsp_sim::modem::unshield(&recorded);
    ctx.check(contains(&heard, &sent), || {
        format!(
            "the far end heard {} samples, without the second the application wrote",
            heard.len()
        )
    })?;
    ctx.hang_up(call).await?;
    ctx.close_call(call).await
}

/// On a CONNECTED AUTOMATEDVOICE call, what the far end says is what the application reads from
/// `get_id("wave/in")`.
///
/// Case `voice/wave_in_hears_the_far_end/1`; source: TSPI_lineMakeCall,
/// LINEMEDIAMODE_AUTOMATEDVOICE, TSPI_lineGetID(wave/in); tapi.md §7; ITU V.253 9.6.
pub async fn wave_in_hears_the_far_end(ctx: &mut Ctx) -> Result<(), Failure> {
    let (call, mut far) = voice_call(ctx).await?;
    let mut input = recording(ctx, call).await?;
    let said = far_says(ctx, &mut far).await?;
    hear(ctx, &mut input, &said).await?;
    drop(input);
    ctx.pass(Duration::from_millis(500)).await;
    ctx.hang_up(call).await?;
    ctx.close_call(call).await
}

/// A voice modem's call is OFFERING as AUTOMATEDVOICE on a line detecting it; answered, it is
/// CONNECTED in voice mode and `get_id("wave/in")` gives what the caller says.
///
/// Case `voice/answered_call_hears_the_caller/1`; source: TSPI_lineSetDefaultMediaDetection,
/// TSPI_lineAnswer, TSPI_lineGetID(wave/in); tapi.md §1.5; ITU V.253 9.6.
pub async fn answered_call_hears_the_caller(ctx: &mut Ctx) -> Result<(), Failure> {
    let mut far = ctx.far_modem()?;
    ctx.open_detecting(MediaModes::AUTOMATEDVOICE).await?;
    far_command(ctx, &mut far, "ATE0V1+FCLASS=8", "OK").await?;
    send(
        ctx,
        &mut far,
        format!("ATD{}\r", crate::world::OUR_NUMBER).as_bytes(),
    )
    .await?;
    let call = ctx.answer_offered(MediaModes::AUTOMATEDVOICE).await?;
    // The caller's modem says OK once we answered (V.253 +VRA).
    read_until(ctx, &mut far, b"OK\r\n").await?;
    let mut input = recording(ctx, call).await?;
    let said = far_says(ctx, &mut far).await?;
    hear(ctx, &mut input, &said).await?;
    drop(input);
    ctx.pass(Duration::from_millis(500)).await;
    ctx.hang_up(call).await?;
    ctx.close_call(call).await
}

/// `wave/in` once the recording runs (its first samples, the far end's silence, came).
async fn recording(ctx: &mut Ctx, call: CallHandle) -> Result<Box<dyn ByteStream>, Failure> {
    let mut input = wave(ctx, call, "wave/in").await?;
    let mut first = [0u8; 1];
    let started = tokio::time::timeout(WAIT, input.read_exact(&mut first)).await;
    ctx.check(matches!(started, Ok(Ok(_))), || {
        format!("no samples from wave/in: {started:?}")
    })?;
    Ok(input)
}

/// An AUTOMATEDVOICE call to a voice modem on the far line, answered by its DTE.
async fn voice_call(ctx: &mut Ctx) -> Result<(CallHandle, SimPort), Failure> {
    let mut far = ctx.far_modem()?;
    far_command(ctx, &mut far, "ATE0V1+FCLASS=8", "OK").await?;
    ctx.open().await?;
    let params = CallParams {
        media_mode: MediaModes::AUTOMATEDVOICE,
        ..CallParams::default()
    };
    let call = ctx.place(Some(&format!("T{FAR_NUMBER}")), params).await?;
    read_until(ctx, &mut far, b"RING").await?;
    far_command(ctx, &mut far, "AT+VLS=1", "OK").await?;
    ctx.state(call, CallState::Connected).await?;
    Ok((call, far))
}

/// The far modem plays a second of the test signal (`+VTX`), and is done.
async fn far_says(ctx: &Ctx, far: &mut SimPort) -> Result<Vec<u8>, Failure> {
    far_command(ctx, far, "AT+VSM=1,8000", "OK").await?;
    far_command(ctx, far, "AT+VTX", "CONNECT").await?;
    let said = signal();
    let mut shielded = Vec::with_capacity(said.len() + 64);
    for &b in &said {
        shielded.push(b);
        if b == DLE {
            shielded.push(DLE);
        }
    }
    shielded.extend([DLE, ETX]);
    send(ctx, far, &shielded).await?;
    read_until(ctx, far, b"OK\r\n").await?;
    Ok(said)
}

/// Reads `wave/in` until `said` was in it.
async fn hear(ctx: &Ctx, input: &mut Box<dyn ByteStream>, said: &[u8]) -> Result<(), Failure> {
    let mut heard = Vec::new();
    let mut buf = [0u8; 4096];
    // The far end's second, within ten seconds of recording.
    while !contains(&heard, said) {
        if heard.len() > 10 * said.len() {
            return Err(ctx.fail(format!(
                "wave/in gave {} samples (ten seconds) without the second the far end said",
                heard.len()
            )));
        }
        match tokio::time::timeout(Duration::from_secs(10), input.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => heard.extend_from_slice(&buf[..n]),
            other => {
                return Err(ctx.fail(format!(
                    "wave/in gave {} samples without the second the far end said, then {other:?}",
                    heard.len()
                )));
            }
        }
    }
    Ok(())
}

/// One second of a test signal: a ramp through 0x10 (`<DLE>`) and around it.
fn signal() -> Vec<u8> {
    (0..8000u32).map(|i| (i % 64) as u8 + 0x08).collect()
}

async fn wave(
    ctx: &mut Ctx,
    call: CallHandle,
    class: &str,
) -> Result<Box<dyn ByteStream>, Failure> {
    let got = ctx
        .provider
        .get_id(GetId {
            select: Select::Call(call),
            class: DeviceClass::new(class),
        })
        .await;
    match ctx.expect(&format!("get_id({class}) on the CONNECTED voice call"), got)? {
        DeviceIdValue::DataStream { stream, .. } => Ok(stream),
        other => Err(ctx.fail(format!("get_id({class}) gave {other:?}, not a stream"))),
    }
}

async fn send(ctx: &Ctx, far: &mut SimPort, bytes: &[u8]) -> Result<(), Failure> {
    far.write_all(bytes)
        .await
        .map_err(|e| ctx.fail(format!("writing to the far modem: {e}")))
}

async fn far_command(
    ctx: &Ctx,
    far: &mut SimPort,
    command: &str,
    answer: &str,
) -> Result<(), Failure> {
    send(ctx, far, format!("{command}\r").as_bytes()).await?;
    read_until(ctx, far, answer.as_bytes()).await.map(drop)
}

/// What the far modem sends, up to `needle`.
async fn read_until(ctx: &Ctx, far: &mut SimPort, needle: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !contains(&seen, needle) {
        match tokio::time::timeout(WAIT, far.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(&buf[..n]),
            other => {
                return Err(ctx.fail(format!(
                    "the far modem: waiting for {:?}, got {other:?} after {:?}",
                    String::from_utf8_lossy(needle),
                    String::from_utf8_lossy(&seen[seen.len().saturating_sub(80)..])
                )));
            }
        }
    }
    Ok(seen)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
