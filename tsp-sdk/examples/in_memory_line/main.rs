//! A whole provider and an application, in one example: the provider in `provider.rs` (one line
//! on a SIP-like network), here an in-memory network for it to talk to, and an application
//! using it through the [`Host`] (TAPI's server).
//!
//! Run it with `cargo run -p tsp-sdk --example in_memory_line`. The application places a data
//! call and exchanges bytes with the far end's echo, drops it, is refused a secure call the line
//! cannot make, takes an incoming call with caller ID, and shuts down, printing every event it
//! receives; the run fails if the provider broke a rule of its contract or left anything behind.
//!
//! The same provider passes the conformance suite, with the simulated exchange as its network
//! (`conformance/tests/example_provider.rs` and the out-of-workspace crate
//! `conformance/tests/fixtures/sip-like`). Read it next to "For provider authors" in the crate
//! docs and `tsp_sdk::kit`.

// The same file is the provider of `conformance/tests/fixtures/sip-like`, hence its `pub` items;
// this example's small network never sends some of its messages (busy, timeouts…), the
// simulated exchange's adapter does.
#[allow(unreachable_pub, dead_code)]
mod provider;

use std::sync::Arc;

use provider::{Media, Network, Party, SipLikeLine, SipMessage};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tsp_sdk::host::{AppEvent, DeviceSelect, Events, Host, OpenOptions};
use tsp_sdk::spi::{CallParams, CallStateChange, DeviceIdValue};
use tsp_sdk::{CallState, Error, LineErr, MediaModes, Result, Version};

/// An in-memory network: every number answers at once and echoes data; `ring_us` sends an
/// incoming call to the line.
fn in_memory_network() -> (Network, mpsc::UnboundedSender<SipMessage>) {
    let (to_network, mut network_in) = mpsc::unbounded_channel();
    let (network_out, from_network) = mpsc::unbounded_channel();
    let ring = network_out.clone();
    tokio::spawn(async move {
        while let Some(message) = network_in.recv().await {
            let replies = match message {
                SipMessage::Invite {
                    call,
                    to: Some(_),
                    media,
                } => {
                    let rate = if media == Media::Data { 64_000 } else { 0 };
                    vec![
                        SipMessage::Trying { call },
                        SipMessage::Ringing { call },
                        SipMessage::Answered { call, rate },
                    ]
                }
                SipMessage::Invite { call, to: None, .. } => vec![SipMessage::DialTone { call }],
                SipMessage::Accept { call, .. } => vec![SipMessage::Answered { call, rate: 0 }],
                SipMessage::Data { call, bytes } => vec![SipMessage::Data { call, bytes }],
                _ => Vec::new(),
            };
            for reply in replies {
                if network_out.send(reply).is_err() {
                    return;
                }
            }
        }
    });
    (
        Network {
            to_network,
            from_network,
        },
        ring,
    )
}

/// Waits for the next event `pick` accepts, printing every event on the way.
async fn until<T>(events: &mut Events, mut pick: impl FnMut(&AppEvent) -> Option<T>) -> Result<T> {
    while let Some(event) = events.next().await {
        println!("  event: {}", describe(&event));
        if let Some(hit) = pick(&event) {
            return Ok(hit);
        }
    }
    Err(Error::new(LineErr::OperationFailed).detail("the event stream ended"))
}

fn describe(event: &AppEvent) -> String {
    match event {
        AppEvent::Reply { request, result } => format!(
            "reply to {request}: {}",
            result
                .as_ref()
                .map_or_else(ToString::to_string, |()| "ok".into())
        ),
        AppEvent::NewCall {
            call, privilege, ..
        } => {
            let names: Vec<&str> = privilege.iter_names().map(|(n, _)| n).collect();
            format!("new {call} ({})", names.join("|"))
        }
        AppEvent::CallState { call, state, .. } => format!("{call} is {state}"),
        AppEvent::CallInfo { call, changed, .. } => {
            let names: Vec<&str> = changed.iter_names().map(|(n, _)| n).collect();
            format!("{call} info changed ({})", names.join(", "))
        }
        AppEvent::LineDevState { states, p3, .. } => {
            let names: Vec<&str> = states.iter_names().map(|(n, _)| n).collect();
            format!("line: {} ({p3})", names.join(", "))
        }
        _ => "another event".into(),
    }
}

fn fail(detail: impl Into<String>) -> Error {
    Error::new(LineErr::OperationFailed).detail(detail.into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let (network, ring_us) = in_memory_network();
    // The host does what TAPI's server does: starts the provider once, names lines, calls and
    // requests, routes every reply and event to the application it concerns.
    let host = Host::builder()
        .provider(Arc::new(SipLikeLine::new("5550100", network)))
        .start()
        .await?;
    let (app, mut events) = host.initialize("in-memory example").await?;
    let version = app
        .negotiate_api_version(0, Version::V1_3, Version::V3_1)
        .await?;
    println!("negotiated API {version}; {} line(s)", app.devices());
    let line = app
        .open_line(
            0,
            OpenOptions::owner(MediaModes::INTERACTIVEVOICE).version(version),
        )
        .await?;

    // A data call: the reply first, then the states; then bytes through the call's stream.
    let placed = app
        .make_call(line, Some("T5550123"), CallParams::data_modem())
        .await?;
    println!("make_call accepted as {}", placed.request);
    until(&mut events, |e| match e {
        AppEvent::CallState { call, state, .. }
            if *call == placed.call && state.state() == CallState::Connected =>
        {
            Some(())
        }
        _ => None,
    })
    .await?;
    let DeviceIdValue::DataStream { mut stream, port } = app
        .get_id(DeviceSelect::Call(placed.call), "comm/datamodem")
        .await?
    else {
        return Err(fail("comm/datamodem gave no stream"));
    };
    stream
        .write_all(b"hello, far end")
        .await
        .map_err(|e| fail(e.to_string()))?;
    let mut echo = [0u8; 14];
    stream
        .read_exact(&mut echo)
        .await
        .map_err(|e| fail(e.to_string()))?;
    println!(
        "through {port}: the far end echoed {:?}",
        String::from_utf8_lossy(&echo)
    );
    app.drop_call(placed.call).await?;
    until(&mut events, |e| {
        matches!(
            e,
            AppEvent::CallState {
                state: CallStateChange::Idle,
                ..
            }
        )
        .then_some(())
    })
    .await?;
    app.deallocate_call(placed.call).await?; // the last handle: the host closes the call

    // This line cannot secure calls (its address has no SECURE): the request is refused.
    let refused = app
        .make_call(line, Some("5550123"), CallParams::default().secure())
        .await;
    match refused {
        Err(e) if e.kind() == LineErr::InvalCallParams => println!("make_call with SECURE: {e}"),
        other => {
            return Err(fail(format!(
                "SECURE on a line that cannot secure: {other:?}"
            )));
        }
    }

    // An incoming call: the host offers it to us, the owner for voice.
    let from = Party {
        number: Some("5550199".into()),
        name: Some("JANE DOE".into()),
        ..Party::default()
    };
    ring_us
        .send(SipMessage::Incoming { call: 900, from })
        .map_err(|_| fail("the network is gone"))?;
    let incoming = until(&mut events, |e| match e {
        AppEvent::NewCall { call, .. } => Some(*call),
        _ => None,
    })
    .await?;
    app.answer(incoming).await?;
    until(&mut events, |e| match e {
        AppEvent::CallState { call, state, .. }
            if *call == incoming && state.state() == CallState::Connected =>
        {
            Some(())
        }
        _ => None,
    })
    .await?;
    let info = app.call_info(incoming).await?;
    println!(
        "incoming call from {} ({})",
        info.info.caller_id.number.as_deref().unwrap_or("?"),
        info.info.caller_id.name.as_deref().unwrap_or("no name")
    );

    // Shutdown leaves nothing behind: the call we solely owned is dropped, the line closed.
    app.shutdown().await?;
    tokio::task::yield_now().await;
    let snapshot = host.snapshot();
    println!(
        "after shutdown: {} application(s), {} call(s), line open: {}",
        snapshot.apps.len(),
        snapshot.calls.len(),
        snapshot.lines.first().is_some_and(|l| l.open)
    );
    let violations = host.session(0).map(|s| s.violations()).unwrap_or_default();
    println!("contract violations: {}", violations.len());
    host.stop().await;
    if violations.is_empty() && snapshot.calls.is_empty() && snapshot.apps.is_empty() {
        Ok(())
    } else {
        Err(fail(format!(
            "the provider broke the contract or left something behind: {violations:?}"
        )))
    }
}
