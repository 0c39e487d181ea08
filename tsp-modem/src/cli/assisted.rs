//! `recipient` and `request-call`: TAPI's Assisted Telephony between programs through a server.

use std::time::Duration;

use tsp_sdk::host::{AppEvent, AssistedMakeCall, LineApp, OpenOptions};
use tsp_sdk::rpc::Client;
use tsp_sdk::spi::CallParams;
use tsp_sdk::{CallState, RequestModes, Version};

use super::args::{RecipientArgs, RequestCallArgs};
use super::output::Output;
use super::{CliError, connect_app};

/// `request-call`: asks the server's highest-priority recipient to place a call.
pub(super) async fn request_call(args: &RequestCallArgs, out: Output) -> Result<(), CliError> {
    let path = args.server.path();
    let shown = path.display().to_string();
    let client = Client::connect(&path).await?;
    let request = AssistedMakeCall {
        dest: args.number.clone(),
        app_name: args.app_name.clone(),
        called_party: args.called_party.clone(),
        comment: args.comment.clone(),
    };
    client.request_make_call(&request).await.map_err(|e| {
        let message = if e == tsp_sdk::TapiErr::NoRequestRecipient {
            "TAPIERR_NOREQUESTRECIPIENT: no application is registered as a request recipient; \
             start one with `tsp-modem recipient --server`"
                .to_owned()
        } else {
            e.to_string()
        };
        CliError::step("request_make_call", &shown, message)
    })?;
    if out.json {
        return out.json_line(&serde_json::json!({ "event": "queued", "number": args.number }));
    }
    println!("queued: a request recipient will call {}", args.number);
    Ok(())
}

/// `recipient`: registers, then prints (and with --place, places) each request.
pub(super) async fn recipient(args: &RecipientArgs, out: Output) -> Result<(), CliError> {
    let path = args.server.path();
    let shown = path.display().to_string();
    let (app, mut events) = connect_app(&path, "tsp-modem recipient").await?;
    let version = app
        .negotiate_api_version(args.line, Version::V1_4, Version::V3_1)
        .await
        .map_err(|e| CliError::step("negotiate", &shown, e))?;
    let line = app
        .open_line(args.line, OpenOptions::none().version(version))
        .await
        .map_err(|e| CliError::step(&format!("open line {}", args.line), &shown, e))?;
    app.register_request_recipient(RequestModes::MAKECALL, args.priority, true)
        .await
        .map_err(|e| CliError::step("register_request_recipient", &shown, e))?;
    eprintln!(
        "registered as a request recipient (priority {}) on {shown}; waiting for requests…",
        if args.priority == 0 {
            "unlisted".to_owned()
        } else {
            args.priority.to_string()
        }
    );
    let deadline = args
        .for_seconds
        .map(|s| tokio::time::Instant::now() + Duration::from_secs(s));
    loop {
        let next = async {
            match deadline {
                Some(at) => tokio::time::timeout_at(at, events.next())
                    .await
                    .ok()
                    .flatten(),
                None => events.next().await,
            }
        };
        let Some(event) = next.await else {
            if deadline.is_none_or(|at| tokio::time::Instant::now() < at) {
                // Not our deadline: the server ended the stream.
                return Err(CliError::ServerGone);
            }
            break;
        };
        match event {
            AppEvent::Request { .. } => {
                while let Ok(request) = app.get_request(RequestModes::MAKECALL).await {
                    if out.json {
                        out.json_line(&serde_json::json!({
                            "event": "request",
                            "app_name": request.app_name,
                            "number": request.dest,
                            "called_party": request.called_party,
                            "comment": request.comment,
                        }))?;
                    } else {
                        println!(
                            "request from {}: call {}{}{}",
                            if request.app_name.is_empty() {
                                "a program"
                            } else {
                                &request.app_name
                            },
                            request.dest,
                            if request.called_party.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", request.called_party)
                            },
                            if request.comment.is_empty() {
                                String::new()
                            } else {
                                format!(": {}", request.comment)
                            },
                        );
                    }
                    if args.place {
                        place(&app, &mut events, line, &request.dest, out).await;
                    }
                }
            }
            AppEvent::CallState { call, state, .. } if state.state() == CallState::Idle => {
                let _ = app.deallocate_call(call).await;
            }
            AppEvent::LineDevState { states, .. }
                if states.contains(tsp_sdk::LineDevStates::REINIT) =>
            {
                eprintln!("the server asks every application to restart (REINIT); leaving");
                break;
            }
            _ => {}
        }
    }
    let _ = app.shutdown().await;
    Ok(())
}

/// Places a requested voice call, reports how far it got, and hangs up.
async fn place<A: LineApp>(
    app: &A,
    events: &mut tsp_sdk::host::Events,
    line: tsp_sdk::host::Line,
    dest: &str,
    out: Output,
) {
    let placed = match app.make_call(line, Some(dest), CallParams::default()).await {
        Ok(p) => p,
        Err(e) => {
            if out.json {
                let _ = out.json_line(&serde_json::json!({
                    "event": "placed", "number": dest, "outcome": "failed", "error": e.to_string(),
                }));
            } else {
                println!("  could not place it: {e}");
            }
            return;
        }
    };
    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        while let Some(event) = events.next().await {
            match event {
                AppEvent::Reply {
                    request,
                    result: Err(e),
                } if request == placed.request => {
                    return format!("failed: {e}");
                }
                AppEvent::CallState { call, state, .. } if call == placed.call => match state
                    .state()
                {
                    CallState::Proceeding | CallState::Ringback | CallState::Connected => {
                        return format!("{}", state.state());
                    }
                    CallState::Disconnected | CallState::Idle => return format!("ended: {state}"),
                    _ => {}
                },
                _ => {}
            }
        }
        "the server went away".to_owned()
    })
    .await
    .unwrap_or_else(|_| "no progress in 120 s".into());
    if out.json {
        let _ = out.json_line(&serde_json::json!({
            "event": "placed", "number": dest, "outcome": outcome,
        }));
    } else {
        println!("  placed: {outcome}");
    }
    let _ = app.drop_call(placed.call).await;
}
