//! `dial`, `answer` and `monitor`: calls through the host, shown live.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tsp_sdk::host::{AppEvent, Call, LineApp};
use tsp_sdk::spi::CallStateChange;
use tsp_sdk::spi::{ByteStream, CallParams};
use tsp_sdk::{CallInfoStates, CallPrivilege, CallState, DisconnectMode, LineDevStates};

use super::CliError;
use super::args::Media;
use super::output::{Said, shorten};
use super::station::Station;

/// Shows an event the way a person (or, with `--json`, a script) wants to see it; returns the
/// call state if it is one.
fn show<A: LineApp>(station: &Station<A>, event: &AppEvent) -> Option<(Call, CallState)> {
    let said = match event {
        AppEvent::CallState { call, state, .. } => {
            match state {
                CallStateChange::Busy(_) => station.note_end(DisconnectMode::BUSY),
                CallStateChange::Disconnected(mode) => station.note_end(*mode),
                _ => {}
            }
            station.say(Said::CallState {
                call: call.0,
                state: state.state().name(),
                mode: state.mode_words(),
                words: state.to_string(),
            });
            return Some((*call, state.state()));
        }
        AppEvent::LineDevState { states, p3, .. } if states.contains(LineDevStates::RINGING) => {
            Said::Ring { count: p3 + 1 }
        }
        AppEvent::LineDevState { states, .. } if states.contains(LineDevStates::REINIT) => {
            Said::Reinit
        }
        AppEvent::CallInfo { call, changed, .. } => Said::CallInfo {
            call: call.0,
            changed: describe_info(*changed),
        },
        AppEvent::NewCall {
            call, privilege, ..
        } => Said::NewCall {
            call: call.0,
            role: if privilege.contains(CallPrivilege::OWNER) {
                "owner"
            } else {
                "monitor"
            },
        },
        AppEvent::Close { .. } => Said::LineClosed,
        AppEvent::Remove { device } => Said::DeviceRemoved { device: *device },
        AppEvent::EventsLost { count } => Said::EventsLost { count: *count },
        _ => return None,
    };
    station.say(said);
    None
}

fn describe_info(changed: CallInfoStates) -> Vec<&'static str> {
    let mut parts = Vec::new();
    for (flag, name) in [
        (CallInfoStates::CALLERID, "caller id"),
        (CallInfoStates::RATE, "rate"),
        (CallInfoStates::OTHER, "flags"),
        (CallInfoStates::NUMOWNERINCR, "one more owner"),
        (CallInfoStates::NUMOWNERDECR, "one owner fewer"),
        (CallInfoStates::NUMMONITORS, "monitors"),
        (CallInfoStates::MEDIAMODE, "media mode"),
    ] {
        if changed.contains(flag) {
            parts.push(name);
        }
    }
    if parts.is_empty() {
        parts.push("other");
    }
    parts
}

/// Shows the caller ID of `call`, if any.
async fn show_caller<A: LineApp>(station: &Station<A>, call: Call) {
    if let Ok(info) = station.app().call_info(call).await {
        let id = info.info.caller_id;
        let absent = if id.flags.contains(tsp_sdk::CallPartyIdFlags::BLOCKED) {
            Some("private")
        } else if id.flags.contains(tsp_sdk::CallPartyIdFlags::OUTOFAREA) {
            Some("out of area")
        } else {
            None
        };
        station.say(Said::Caller {
            call: call.0,
            number: id.number,
            name: id.name,
            absent,
        });
    }
}

/// Waits for `call` to reach one of `states` (showing everything on the way).
async fn wait_for<A: LineApp>(
    station: &mut Station<A>,
    call: Call,
    states: &[CallState],
    patience: Duration,
) -> Result<CallState, CliError> {
    loop {
        let Some(event) = station.next_event(patience).await else {
            if station.ended() {
                return Err(CliError::ServerGone);
            }
            return Err(CliError::Timeout(format!(
                "call {}: nothing happened for {patience:?}",
                call.0
            )));
        };
        if let Some((c, state)) = show(station, &event)
            && c == call
            && states.contains(&state)
        {
            return Ok(state);
        }
        if let AppEvent::CallInfo {
            call: c, changed, ..
        } = event
            && c == call
            && changed.contains(CallInfoStates::CALLERID)
        {
            show_caller(station, call).await;
        }
    }
}

/// Connects stdin and stdout to the call's stream until stdin ends, the call ends, or `limit`.
async fn pump<A: LineApp>(
    station: &mut Station<A>,
    call: Call,
    mut stream: Box<dyn ByteStream>,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    station.say(Said::Connected);
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
                    station.say(Said::StreamClosed);
                    return Ok(());
                }
                Ok(n) => {
                    let _ = stdout.write_all(&from_line[..n]).await;
                    let _ = stdout.flush().await;
                }
            },
            event = station.next_event(Duration::from_secs(3600)) => {
                if event.is_none() && station.ended() {
                    return Err(CliError::ServerGone);
                }
                if let Some(event) = event
                    && let Some((c, CallState::Disconnected | CallState::Idle)) = show(station, &event)
                        && c == call {
                            return Ok(());
                        }
            },
            () = timer => return Ok(()),
        }
    }
}

/// `dial`: places the call and shows it; after CONNECT the terminal is the data stream.
pub(super) async fn dial<A: LineApp>(
    station: &mut Station<A>,
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
    station.say(Said::Dialing {
        number: shorten(dest),
        secure,
    });
    let call = station
        .make_call(dest, params)
        .await
        .map_err(CliError::Host)?;
    let done = [
        CallState::Connected,
        CallState::Disconnected,
        CallState::Idle,
        CallState::Proceeding,
    ];
    let reached = wait_for(station, call, &done, Duration::from_secs(180)).await?;
    if let Ok(info) = station.app().call_info(call).await
        && let Some(dialed) = info.info.dialed
    {
        station.say(Said::Dialed { dialable: dialed });
    }
    let result = match reached {
        CallState::Connected if media != Media::Voice => {
            let stream = station
                .data_stream(call)
                .await
                .map_err(|e| CliError::step("get_id(comm/datamodem)", dest, e))?;
            pump(station, call, stream, limit).await
        }
        CallState::Disconnected | CallState::Idle => Err(CliError::ended(
            format!("the call to {}", shorten(dest)),
            station.ended_as(),
        )),
        _ => Ok(()),
    };
    hang_up(station, call).await;
    result
}

/// Drops the call, waits for IDLE and gives the handle back.
async fn hang_up<A: LineApp>(station: &mut Station<A>, call: Call) {
    if station.drop_call(call).await.is_ok() {
        let _ = wait_for(station, call, &[CallState::Idle], Duration::from_secs(30)).await;
    }
    let _ = station.app().deallocate_call(call).await;
    station.say(Said::HungUp);
}

/// `answer`: waits for a call, answers it, and connects the terminal to it.
pub(super) async fn answer<A: LineApp>(
    station: &mut Station<A>,
    wait: Duration,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    station.say(Said::Waiting {
        seconds: wait.as_secs(),
    });
    let call = loop {
        let Some(event) = station.next_event(wait).await else {
            if station.ended() {
                return Err(CliError::ServerGone);
            }
            return Err(CliError::Timeout(format!("no call in {}s", wait.as_secs())));
        };
        if let Some((call, CallState::Offering)) = show(station, &event) {
            break call;
        }
    };
    // Caller ID arrives between the first and second ring: answer once it is in, or on ring 2.
    let mut rings = 0;
    while rings < 2 {
        let Some(event) = station.next_event(Duration::from_secs(30)).await else {
            break;
        };
        let _ = show(station, &event);
        match event {
            AppEvent::CallInfo {
                call: c, changed, ..
            } if c == call && changed.contains(CallInfoStates::CALLERID) => {
                show_caller(station, call).await;
                break;
            }
            // p3 is the ring count from 0 (LINE_LINEDEVSTATE RINGING): the first ring may be
            // reported before or after OFFERING.
            AppEvent::LineDevState { states, p3, .. }
                if states.contains(LineDevStates::RINGING) =>
            {
                rings = rings.max(p3 + 1)
            }
            AppEvent::CallState { call: c, state, .. }
                if c == call && state.state() != CallState::Offering =>
            {
                let _ = station.app().deallocate_call(call).await;
                return Err(CliError::ended(
                    format!("the caller went away ({state}); the call"),
                    station.ended_as(),
                ));
            }
            _ => {}
        }
    }
    station
        .answer(call)
        .await
        .map_err(|e| CliError::step("answer", "the call", e))?;
    match wait_for(
        station,
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
            let stream = station
                .data_stream(call)
                .await
                .map_err(|e| CliError::step("get_id(comm/datamodem)", "the call", e))?;
            let result = pump(station, call, stream, limit).await;
            hang_up(station, call).await;
            result
        }
        _ => {
            hang_up(station, call).await;
            Err(CliError::ended(
                "the answered call".into(),
                station.ended_as(),
            ))
        }
    }
}

/// `monitor`: shows calls, rings and caller ID until stopped; gives each call's handle back once
/// it is IDLE (a monitor that kept it would keep the call alive at the provider).
pub(super) async fn monitor<A: LineApp>(
    station: &mut Station<A>,
    limit: Option<Duration>,
) -> Result<(), CliError> {
    station.say(Said::Watching);
    let until = limit.map(|d| tokio::time::Instant::now() + d);
    loop {
        let patience = until.map_or(Duration::from_secs(3600), |u| {
            u.saturating_duration_since(tokio::time::Instant::now())
        });
        if patience.is_zero() {
            return Ok(());
        }
        let Some(event) = station.next_event(patience).await else {
            if station.ended() {
                return Err(CliError::ServerGone);
            }
            continue;
        };
        if let Some((call, CallState::Idle)) = show(station, &event) {
            let _ = station.app().deallocate_call(call).await;
            station.say(Said::Released { call: call.0 });
        }
        if let AppEvent::CallInfo { call, changed, .. } = event
            && changed.contains(CallInfoStates::CALLERID)
        {
            show_caller(station, call).await;
        }
    }
}
