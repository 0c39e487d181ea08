//! `dial`, `answer` and `monitor`: calls through the provider, shown live.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::CallState;
use tsp_sdk::sink::Delivery;
use tsp_sdk::spi::{ByteStream, CallHandle, CallParams, LineEvent};
use tsp_sdk::{CallInfoStates, LineDevStates};

use super::CliError;
use super::args::Media;
use super::session::Session;

/// Prints a delivery the way a person wants to see it; returns the call state if it is one.
fn show(session: &Session, delivery: &Delivery) -> Option<(CallHandle, CallState)> {
    let at = session.elapsed();
    match delivery {
        Delivery::Event {
            event: LineEvent::CallState { call, state, .. },
            ..
        } => {
            eprintln!("{at:7.1}s  {call}: {state}");
            Some((*call, state.state()))
        }
        Delivery::Event {
            event: LineEvent::LineDevState { states, p3, .. },
            ..
        } if states.contains(LineDevStates::RINGING) => {
            eprintln!("{at:7.1}s  RING {}", p3 + 1);
            None
        }
        Delivery::Event {
            event: LineEvent::CallInfo { call, changed },
            ..
        } => {
            eprintln!(
                "{at:7.1}s  {call}: call info changed ({})",
                describe_info(*changed)
            );
            None
        }
        Delivery::NewCall { call, .. } => {
            eprintln!("{at:7.1}s  incoming {call}");
            None
        }
        Delivery::Event {
            event: LineEvent::Close,
            ..
        } => {
            eprintln!("{at:7.1}s  the device asks to close the line (lost?)");
            None
        }
        _ => None,
    }
}

fn describe_info(changed: CallInfoStates) -> String {
    let mut parts = Vec::new();
    for (flag, name) in [
        (CallInfoStates::CALLERID, "caller id"),
        (CallInfoStates::RATE, "rate"),
        (CallInfoStates::OTHER, "flags"),
    ] {
        if changed.contains(flag) {
            parts.push(name);
        }
    }
    if parts.is_empty() {
        format!("{changed:?}")
    } else {
        parts.join(", ")
    }
}

/// Shows the caller ID of `call`, if any.
async fn show_caller(session: &Session, call: CallHandle) {
    if let Ok(info) = session.provider().call_info(call).await {
        let id = info.caller_id;
        let number = id.number.as_deref().unwrap_or(
            if id.flags.contains(tsp_sdk::CallPartyIdFlags::BLOCKED) {
                "private"
            } else if id.flags.contains(tsp_sdk::CallPartyIdFlags::OUTOFAREA) {
                "out of area"
            } else {
                "unknown"
            },
        );
        let name = id.name.as_deref().unwrap_or("");
        eprintln!("{:7.1}s  caller: {number} {name}", session.elapsed());
    }
}

/// Waits for `call` to reach one of `states` (showing everything on the way).
async fn wait_for(
    session: &mut Session,
    call: CallHandle,
    states: &[CallState],
    patience: Duration,
) -> Result<CallState, CliError> {
    loop {
        let Some(delivery) = session.next_delivery(patience).await else {
            return Err(CliError::Timeout(format!(
                "{call}: nothing happened for {patience:?}"
            )));
        };
        if let Some((c, state)) = show(session, &delivery) {
            if c == call && states.contains(&state) {
                return Ok(state);
            }
        }
        if let Delivery::Event {
            event: LineEvent::CallInfo { call: c, changed },
            ..
        } = delivery
        {
            if c == call && changed.contains(CallInfoStates::CALLERID) {
                show_caller(session, call).await;
            }
        }
    }
}

/// Connects stdin and stdout to the call's stream until stdin ends, the call ends, or `limit`.
async fn pump(
    session: &mut Session,
    call: CallHandle,
    mut stream: Box<dyn ByteStream>,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    eprintln!(
        "{:7.1}s  connected: stdin and stdout are the data stream (end stdin to hang up)",
        session.elapsed()
    );
    let mut stdin = tokio::io::stdin();
    let mut stdout = tokio::io::stdout();
    let mut from_user = [0u8; 1024];
    let mut from_line = [0u8; 1024];
    let deadline = limit.map(|d| tokio::time::Instant::now() + d);
    let mut stdin_open = true;
    loop {
        let timer = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            read = stdin.read(&mut from_user), if stdin_open => match read {
                Ok(0) | Err(_) => {
                    stdin_open = false;
                    if limit.is_none() {
                        return Ok(());
                    }
                }
                Ok(n) => {
                    if let Err(e) = stream.write_all(&from_user[..n]).await {
                        return Err(CliError::step("send data", "the call", e));
                    }
                }
            },
            read = stream.read(&mut from_line) => match read {
                Ok(0) | Err(_) => {
                    eprintln!("{:7.1}s  the data stream closed", session.elapsed());
                    return Ok(());
                }
                Ok(n) => {
                    let _ = stdout.write_all(&from_line[..n]).await;
                    let _ = stdout.flush().await;
                }
            },
            delivery = session.next_delivery(Duration::from_secs(3600)) => {
                if let Some(delivery) = delivery {
                    if let Some((c, CallState::Disconnected | CallState::Idle)) = show(session, &delivery) {
                        if c == call {
                            return Ok(());
                        }
                    }
                }
            },
            () = timer => return Ok(()),
        }
    }
}

/// `dial`: places the call and shows it; after CONNECT the terminal is the data stream.
pub(super) async fn dial(
    session: &mut Session,
    dest: &str,
    secure: bool,
    media: Media,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    let mut params = match media {
        Media::Data => CallParams::data_modem(),
        Media::Fax => CallParams::g3_fax(),
        Media::Voice => CallParams::default(),
    };
    if secure {
        params = params.secure();
    }
    eprintln!(
        "{:7.1}s  dialing {dest}{}",
        session.elapsed(),
        if secure {
            " (secure: call waiting off)"
        } else {
            ""
        }
    );
    let call = session
        .make_call(dest, params)
        .await
        .map_err(|e| CliError::step("make_call", dest, e))?;
    let done = [
        CallState::Connected,
        CallState::Disconnected,
        CallState::Idle,
        CallState::Proceeding,
    ];
    let reached = wait_for(session, call, &done, Duration::from_secs(180)).await?;
    if let Ok(info) = session.provider().call_info(call).await {
        if let Some(dialed) = info.dialed {
            eprintln!("{:7.1}s  dialed {dialed}", session.elapsed());
        }
    }
    let result = match reached {
        CallState::Connected if media != Media::Voice => {
            let stream = session
                .data_stream(call)
                .await
                .map_err(|e| CliError::step("get_id(comm/datamodem)", dest, e))?;
            pump(session, call, stream, limit).await
        }
        CallState::Disconnected | CallState::Idle => Err(CliError::CallEnded(format!(
            "the call to {dest} did not connect"
        ))),
        _ => Ok(()),
    };
    hang_up(session, call).await;
    result
}

async fn hang_up(session: &mut Session, call: CallHandle) {
    if session.drop_call(call).await.is_ok() {
        let _ = wait_for(session, call, &[CallState::Idle], Duration::from_secs(30)).await;
    }
    eprintln!("{:7.1}s  hung up", session.elapsed());
}

/// `answer`: waits for a call, answers it, and connects the terminal to it.
pub(super) async fn answer(
    session: &mut Session,
    wait: Duration,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    eprintln!("waiting up to {}s for a call…", wait.as_secs());
    let call = loop {
        let Some(delivery) = session.next_delivery(wait).await else {
            return Err(CliError::Timeout(format!("no call in {}s", wait.as_secs())));
        };
        if let Some((call, CallState::Offering)) = show(session, &delivery) {
            break call;
        }
    };
    // Caller ID arrives between the first and second ring: answer once it is in, or on ring 2.
    let mut rings = 1;
    while rings < 2 {
        let Some(delivery) = session.next_delivery(Duration::from_secs(30)).await else {
            break;
        };
        let _ = show(session, &delivery);
        match delivery {
            Delivery::Event {
                event: LineEvent::CallInfo { call: c, changed },
                ..
            } if c == call && changed.contains(CallInfoStates::CALLERID) => {
                show_caller(session, call).await;
                break;
            }
            Delivery::Event {
                event: LineEvent::LineDevState { states, .. },
                ..
            } if states.contains(LineDevStates::RINGING) => rings += 1,
            Delivery::Event {
                event: LineEvent::CallState { call: c, state, .. },
                ..
            } if c == call && state.state() != CallState::Offering => {
                return Err(CliError::CallEnded(format!(
                    "the caller went away ({state})"
                )));
            }
            _ => {}
        }
    }
    session
        .answer(call)
        .await
        .map_err(|e| CliError::step("answer", "the call", e))?;
    match wait_for(
        session,
        call,
        &[
            CallState::Connected,
            CallState::Disconnected,
            CallState::Idle,
        ],
        Duration::from_secs(120),
    )
    .await?
    {
        CallState::Connected => {
            let stream = session
                .data_stream(call)
                .await
                .map_err(|e| CliError::step("get_id(comm/datamodem)", "the call", e))?;
            let result = pump(session, call, stream, limit).await;
            hang_up(session, call).await;
            result
        }
        _ => Err(CliError::CallEnded(
            "the call ended before it connected".into(),
        )),
    }
}

/// `monitor`: shows rings and caller ID until stopped.
pub(super) async fn monitor(
    session: &mut Session,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    eprintln!("watching for calls (Ctrl-C to stop)…");
    let until = limit.map(|d| tokio::time::Instant::now() + d);
    loop {
        let patience = until.map_or(Duration::from_secs(3600), |u| {
            u.saturating_duration_since(tokio::time::Instant::now())
        });
        if patience.is_zero() {
            return Ok(());
        }
        let Some(delivery) = session.next_delivery(patience).await else {
            continue;
        };
        let _ = show(session, &delivery);
        if let Delivery::Event {
            event: LineEvent::CallInfo { call, changed },
            ..
        } = delivery
        {
            if changed.contains(CallInfoStates::CALLERID) {
                show_caller(session, call).await;
            }
        }
    }
}
